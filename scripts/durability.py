#!/usr/bin/env python3
"""Durability proof: kill -9 `pactum serve` during a PUT load, restart it on
the same data folder, and check that every acknowledged update is there and
that no entity is half-updated.

Run through scripts/durability.sh, which builds the binary; standard library
only. Each writer owns one entity and sends, one after the other, updates
n = 1, 2, 3, ... that change four non-verified fields together:

    name = "v-<writer>-<n>"            birthday = 2000-01-01 + n days
    tags = ["w<writer>", "n<n>"]       marketingConsent = (n is even)

After each restart, for every writer: the four fields must name the same n
(else the entity is half-updated), and n must lie between the last update
the server acknowledged (HTTP 200) and the last one sent before the kill
(an update in flight may or may not have committed; an acknowledged one
must have). The load then goes on from there, for the next cycle.
"""

import argparse
import datetime
import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

LISTENING = "listening on http://"
EPOCH = datetime.date(2000, 1, 1)


def fields(writer, n):
    """The update number n of `writer`: four fields that change together."""
    return {
        "name": f"v-{writer}-{n}",
        "birthday": (EPOCH + datetime.timedelta(days=n)).isoformat(),
        "tags": [f"w{writer}", f"n{n}"],
        "marketingConsent": n % 2 == 0,
    }


def decode(writer, entity):
    """The n each of the four fields names (None: absent or foreign)."""
    name = entity.get("name", "")
    prefix = f"v-{writer}-"
    by_name = int(name[len(prefix):]) if name.startswith(prefix) and name[len(prefix):].isdigit() else None
    try:
        by_birthday = (datetime.date.fromisoformat(entity["birthday"]) - EPOCH).days
    except (KeyError, ValueError):
        by_birthday = None
    tags = entity.get("tags")
    by_tags = None
    if isinstance(tags, list) and len(tags) == 2 and tags[0] == f"w{writer}" and str(tags[1]).startswith("n"):
        by_tags = int(tags[1][1:]) if tags[1][1:].isdigit() else None
    consent = entity.get("marketingConsent")
    return by_name, by_birthday, by_tags, consent


class Server:
    """One `pactum serve` process on the data folder."""

    def __init__(self, binary, data_dir, log):
        self.binary, self.data_dir, self.log = binary, data_dir, log
        self.process = None
        self.host = self.port = None

    def start(self, timeout=120):
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env={**os.environ, "RUST_LOG": "warn"},
        )
        log.close()
        found = queue.Queue()

        def read():  # reads every line, so the server never blocks on the pipe
            for raw in self.process.stdout:
                line = raw.decode("utf-8", "replace")
                if LISTENING in line:
                    found.put(line.split(LISTENING, 1)[1].strip())

        threading.Thread(target=read, daemon=True).start()
        try:
            address = found.get(timeout=timeout)
        except queue.Empty:
            self.process.kill()
            raise SystemExit(f"FAIL: pactum serve printed no `{LISTENING}` line within {timeout} s; see {self.log}")
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Api:
    def __init__(self, server, key):
        self.server, self.key = server, key
        self.connection = None

    def call(self, method, path, body=None, timeout=30):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=timeout)
        headers = {"Authorization": f"Bearer {self.key}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            text = response.read()
        except Exception:
            self.connection.close()
            self.connection = None
            raise
        return response.status, (json.loads(text) if text else None)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Writer(threading.Thread):
    """Sends updates n+1, n+2, ... to its entity until told to stop or the
    server goes away. `sent` is the last n sent; `acked` the last n answered
    200 (acknowledged: committed, by the API's contract)."""

    def __init__(self, index, entity, server, key, start_n, stop):
        super().__init__(daemon=True)
        self.index, self.entity, self.stop = index, entity, stop
        self.api = Api(server, key)
        self.sent = self.acked = start_n
        self.acked_count = 0
        self.refused = []  # (n, status, body) of answers other than 200
        self.latencies = []

    def run(self):
        path = f"/userentity/dp-keyid/{self.entity}/data"
        while not self.stop.is_set():
            n = self.sent + 1
            self.sent = n
            started = time.monotonic()
            try:
                status, body = self.api.call("PUT", path, fields(self.index, n))
            except Exception:
                return  # the server is gone (killed): n may or may not have committed
            self.latencies.append(time.monotonic() - started)
            if status == 200:
                self.acked = n
                self.acked_count += 1
            else:
                self.refused.append((n, status, body))
                return


def check(api, writers, cycle):
    """Reads every writer's entity; answers the list of failures."""
    failures = []
    applied_in_flight = 0
    for writer in writers:
        status, body = api.call("GET", f"/userentity/dp-keyid/{writer.entity}/data")
        if status != 200:
            failures.append(f"writer {writer.index}: GET entity {writer.entity} answered {status} {body}")
            continue
        entity = body["entity"]
        by_name, by_birthday, by_tags, consent = decode(writer.index, entity)
        if writer.acked == 0 and writer.sent == 0:
            continue
        if not (by_name == by_birthday == by_tags and by_name is not None and consent == (by_name % 2 == 0)):
            failures.append(f"writer {writer.index}: entity {writer.entity} is half-updated: {entity}")
            continue
        stored = by_name
        if stored < writer.acked:
            failures.append(
                f"writer {writer.index}: entity {writer.entity} lost acknowledged update {writer.acked} (holds {stored})"
            )
        elif stored > writer.sent:
            failures.append(f"writer {writer.index}: entity {writer.entity} holds {stored}, never sent (last {writer.sent})")
        elif stored > writer.acked:
            applied_in_flight += 1
        writer.acked = writer.sent = stored  # the next cycle goes on from what is stored
    return failures, applied_in_flight


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the pactum binary")
    parser.add_argument("--seconds", type=float, default=10.0, help="load before each kill")
    parser.add_argument("--writers", type=int, default=16, help="concurrent writers, one entity each")
    parser.add_argument("--cycles", type=int, default=3, help="kill -9 / restart cycles")
    parser.add_argument("--data-dir", help="the data folder (default: a new temporary one)")
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="pactum-durability-")
    log = os.path.join(data_dir, "serve.log")
    os.makedirs(data_dir, exist_ok=True)
    server = Server(args.binary, os.path.join(data_dir, "data"), log)
    try:
        code = run_load(args, server, data_dir)
    finally:
        server.stop()
    if code == 0 and not args.data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
    return code


def run_load(args, server, data_dir):
    server.start()
    with open(os.path.join(data_dir, "data", "demo-keys.json")) as file:
        key = json.load(file)["webshop"]
    api = Api(server, key)

    run = os.path.basename(data_dir)
    entities = []
    for index in range(args.writers):
        # e-mail is required by the profile contract; it stays pending (and
        # unchanged) for the whole run: the load touches no verified field.
        status, body = api.call("POST", "/userentity/data", {"name": f"writer {index}", "email": f"w{index}.{run}@durability.test"})
        if status != 201:
            raise SystemExit(f"FAIL: creating writer {index}'s entity answered {status} {body}")
        entities.append(body["entity"]["dpKeyid"])
    api.close()

    writers_state = [(index, entity, 0) for index, entity in enumerate(entities)]
    failures, totals = [], {"acked": 0, "in_flight": 0, "applied_in_flight": 0, "refused": 0}
    latencies = []
    started = time.monotonic()
    for cycle in range(1, args.cycles + 1):
        stop = threading.Event()
        writers = [Writer(index, entity, server, key, n, stop) for index, entity, n in writers_state]
        for writer in writers:
            writer.start()
        time.sleep(args.seconds)
        server.kill9()  # mid-load: every writer has a request in flight or about to be
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
            writer.api.close()
        in_flight = sum(1 for writer in writers if writer.sent > writer.acked)
        refused = [refusal for writer in writers for refusal in writer.refused]
        for n, status, body in refused[:5]:
            failures.append(f"cycle {cycle}: update {n} answered {status} {body}")
        cycle_acked = sum(writer.acked_count for writer in writers)
        latencies.extend(latency for writer in writers for latency in writer.latencies)

        server.start()
        api = Api(server, key)
        cycle_failures, applied = check(api, writers, cycle)
        api.close()
        failures.extend(f"cycle {cycle}: {failure}" for failure in cycle_failures)
        totals["acked"] += cycle_acked
        totals["in_flight"] += in_flight
        totals["applied_in_flight"] += applied
        totals["refused"] += len(refused)
        print(
            f"cycle {cycle}: {cycle_acked} updates acknowledged in {args.seconds:g} s, "
            f"kill -9 with {in_flight} in flight; "
            f"after restart: {args.writers - len(cycle_failures)}/{args.writers} entities whole and current, "
            f"{applied} in-flight updates found committed",
            flush=True,
        )
        writers_state = [(writer.index, writer.entity, writer.sent) for writer in writers]

    elapsed = time.monotonic() - started
    summary = (
        f"{args.writers} writers, {args.cycles} kill -9 cycles of {args.seconds:g} s: "
        f"{totals['acked']} acknowledged updates, {totals['refused']} refused, "
        f"{totals['in_flight']} in flight at the kills ({totals['applied_in_flight']} of them committed), "
        f"PUT latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
        f"{elapsed:.0f} s in all"
    )
    if totals["acked"] == 0:
        failures.append("no update was acknowledged: the load did not run")
    if failures:
        for failure in failures:
            print(f"  {failure}")
        print(f"FAIL durability: {len(failures)} problems; {summary}; data and server log kept in {data_dir}")
        return 1
    print(f"PASS durability: 0 acknowledged updates lost, 0 entities half-updated; {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
