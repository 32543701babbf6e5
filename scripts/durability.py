#!/usr/bin/env python3
"""Durability proof: kill -9 `pactum serve` during a PUT load, restart it on
the same data folder, and check that every acknowledged update is there and
that no update is half-applied.

Run through scripts/durability.sh, which builds the binary; standard library
only. Writers share entities: writer w works on entity w // 3 in slot w % 3,
so up to three writers update one entity at once, each on its own fields,
and all of them on one shared field. Writer w sends, one after the other,
updates n = 1, 2, 3, ... (tag = "v-<w>-<n>"):

    slot 0: name = tag, birthday = 2000-01-01 + n days
    slot 1: name = tag, address = {street: tag, zip: n mod 10000, 4 digits}
    slot 2: name = tag, tags = ["w<w>", "n<n>"], address = {city: tag}

Every answer 200 is recorded with the version its ETag names. After each
restart, for every entity:

- Lost updates, judged by version: every field holds the value of the
  acknowledged update with the highest version that wrote it (or, when no
  update of this cycle was acknowledged for it, what it held at the cycle's
  start), unless an update in flight at the kill (sent, never answered)
  wrote the value it holds. So a later acknowledged update of the same field
  is the only thing that may replace an acknowledged value.
- Half-updates: each writer's own fields name one update n, and it is the
  writer's last acknowledged one or the one in flight; when the shared name
  holds writer w's update n, w's own fields name n too.
- The entity's version is at least the highest version acknowledged for it.

The load then goes on from what is stored, for the next cycle.
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
SLOTS = 3  # writers per entity
SEED_CITY = "seed"


def update(writer, n):
    """Writer `writer`'s update number n, as a PUT body."""
    tag = f"v-{writer}-{n}"
    slot = writer % SLOTS
    if slot == 0:
        return {"name": tag, "birthday": (EPOCH + datetime.timedelta(days=n)).isoformat()}
    if slot == 1:
        return {"name": tag, "address": {"street": tag, "zip": f"{n % 10000:04d}"}}
    return {"name": tag, "tags": [f"w{writer}", f"n{n}"], "address": {"city": tag}}


def flatten(value, prefix=""):
    """{pointer: leaf value}; a list is a leaf (an array replaces a list)."""
    if isinstance(value, dict):
        leaves = {}
        for key, member in value.items():
            leaves.update(flatten(member, f"{prefix}/{key}"))
        return leaves
    return {prefix: value}


PRIMARY = {0: "/birthday", 1: "/address/street", 2: "/tags"}  # the own field that names n


def own_n(writer, stored):
    """The update n that writer's own fields (all but the shared name) name
    in the flattened entity `stored`: 0 when it has none there yet, None
    when they disagree (a half-update) or hold something foreign."""
    own = [pointer for pointer in flatten(update(writer, 1)) if pointer != "/name"]
    primary = stored.get(PRIMARY[writer % SLOTS])
    if primary is None:
        initial = {"/address/city": SEED_CITY}
        return 0 if all(stored.get(pointer) == initial.get(pointer) for pointer in own) else None
    try:
        if writer % SLOTS == 0:
            n = (datetime.date.fromisoformat(primary) - EPOCH).days
        elif writer % SLOTS == 1:
            n = int(primary.removeprefix(f"v-{writer}-")) if primary.startswith(f"v-{writer}-") else None
        else:
            n = int(primary[1][1:]) if primary[0] == f"w{writer}" else None
    except (TypeError, ValueError, IndexError, AttributeError):
        n = None
    if n is None or n < 1:
        return None
    expected = flatten(update(writer, n))
    return n if all(stored.get(pointer) == expected[pointer] for pointer in own) else None


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


def version(etag):
    """The version an ETag (`"12"`) names, or None."""
    try:
        return int(etag.strip('"'))
    except (AttributeError, ValueError):
        return None


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
        return response.status, (json.loads(text) if text else None), version(response.getheader("ETag"))

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Writer(threading.Thread):
    """Sends updates n+1, n+2, ... (n = `sent` from the last cycle) to its
    entity until told to stop or the server goes away. `acked` lists
    (n, version) of every update answered 200 (acknowledged: committed, by
    the API's contract); `in_flight` is the n sent but never answered (the
    kill came first), if any. `base_n` is the update its own fields held at
    the cycle's start."""

    def __init__(self, index, entity, server, key, sent, base_n, stop):
        super().__init__(daemon=True)
        self.index, self.entity, self.stop = index, entity, stop
        self.api = Api(server, key)
        self.sent, self.base_n = sent, base_n
        self.acked = []
        self.in_flight = None
        self.retried = 0  # 409 / 503: refused, changed nothing, the writer goes on
        self.refused = []  # (n, status, body) of any other answer; the writer stops
        self.latencies = []

    def run(self):
        path = f"/userentity/dp-keyid/{self.entity}/data"
        while not self.stop.is_set():
            n = self.sent + 1
            self.sent = self.in_flight = n
            started = time.monotonic()
            try:
                status, body, answered_version = self.api.call("PUT", path, update(self.index, n))
            except Exception:
                return  # the server is gone (killed): n may or may not have committed
            self.in_flight = None
            self.latencies.append(time.monotonic() - started)
            if status == 200 and answered_version is not None:
                self.acked.append((n, answered_version))
            elif status in (409, 503):
                self.retried += 1
            else:
                self.refused.append((n, status, body))
                return


KEPT = ("name", "birthday", "address", "tags")  # the fields the load writes


def check(api, entity, group, baseline):
    """Reads `entity` (shared by the writers `group`) back. Answers the
    failures, the counts (lost, half-updated, in-flight updates committed)
    and the entity as stored (flattened)."""
    status, body, stored_version = api.call("GET", f"/userentity/dp-keyid/{entity}/data")
    if status != 200:
        return [f"GET entity {entity} answered {status} {body}"], (0, 0, 0), baseline
    stored = flatten({key: value for key, value in body["entity"].items() if key in KEPT})
    failures, lost, half, applied = [], 0, 0, 0
    # Per field: the acknowledged update with the highest version that wrote
    # it, and the values of updates in flight at the kill.
    latest, in_flight = {}, {}
    for writer in group:
        for n, acked_version in writer.acked:
            for pointer, value in flatten(update(writer.index, n)).items():
                if pointer not in latest or acked_version > latest[pointer][0]:
                    latest[pointer] = (acked_version, value, f"writer {writer.index}'s update {n}")
        if writer.in_flight is not None:
            for pointer, value in flatten(update(writer.index, writer.in_flight)).items():
                in_flight.setdefault(pointer, []).append(value)
    for pointer in sorted(set(latest) | set(in_flight)):
        held = stored.get(pointer)
        if held in in_flight.get(pointer, []):
            continue
        if pointer in latest:
            acked_version, value, who = latest[pointer]
            if held != value:
                lost += 1
                failures.append(
                    f"entity {entity}: {pointer} holds {held!r}, but {who} wrote {value!r} and was acknowledged "
                    f"with version {acked_version}, the highest for {pointer}: a lost update"
                )
        elif held != baseline.get(pointer):
            failures.append(f"entity {entity}: {pointer} holds {held!r}, which no acknowledged or in-flight update wrote")
    for writer in group:
        own = own_n(writer.index, stored)
        last = writer.acked[-1][0] if writer.acked else writer.base_n
        if own is None:
            half += 1
            failures.append(f"entity {entity}: writer {writer.index}'s fields are half-updated: {stored}")
            continue
        if own not in (last, writer.in_flight):
            failures.append(
                f"entity {entity}: writer {writer.index}'s fields hold its update {own}; its last acknowledged "
                f"is {last}, in flight {writer.in_flight}"
            )
        elif own != last:
            applied += 1
        name = stored.get("/name", "")
        prefix = f"v-{writer.index}-"
        if name.startswith(prefix) and name[len(prefix):] != str(own):
            half += 1
            failures.append(f"entity {entity}: the name holds writer {writer.index}'s update {name}, its fields {own}")
        writer.base_n = own
    highest = max((acked_version for writer in group for _, acked_version in writer.acked), default=0)
    if stored_version is None or stored_version < highest:
        failures.append(f"entity {entity} is at version {stored_version}, below the acknowledged {highest}")
    return failures, (lost, half, applied), stored


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the pactum binary")
    parser.add_argument("--seconds", type=float, default=10.0, help="load before each kill")
    parser.add_argument("--writers", type=int, default=16, help=f"concurrent writers, {SLOTS} per entity")
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
    entities, baselines = [], []
    for index in range((args.writers + SLOTS - 1) // SLOTS):
        # e-mail is required by the profile contract; it stays pending (and
        # unchanged) for the whole run: the load touches no verified field.
        # The city is there so that a PUT of the street alone is valid.
        body = {"name": f"entity {index}", "email": f"e{index}.{run}@durability.test", "address": {"city": SEED_CITY}}
        status, answer, _ = api.call("POST", "/userentity/data", body)
        if status != 201:
            raise SystemExit(f"FAIL: creating entity {index} answered {status} {answer}")
        entities.append(answer["entity"]["dpKeyid"])
        baselines.append(flatten({key: value for key, value in answer["entity"].items() if key in KEPT}))
    api.close()

    writers_state = [(index, 0, 0) for index in range(args.writers)]  # (writer, sent, base_n)
    failures, latencies = [], []
    totals = {"acked": 0, "in_flight": 0, "applied_in_flight": 0, "retried": 0, "lost": 0, "half": 0}
    started = time.monotonic()
    for cycle in range(1, args.cycles + 1):
        stop = threading.Event()
        writers = [
            Writer(index, entities[index // SLOTS], server, key, sent, base_n, stop)
            for index, sent, base_n in writers_state
        ]
        for writer in writers:
            writer.start()
        time.sleep(args.seconds)
        server.kill9()  # mid-load: every writer has a request in flight or about to be
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
            writer.api.close()
        in_flight = sum(1 for writer in writers if writer.in_flight is not None)
        refused = [refusal for writer in writers for refusal in writer.refused]
        for n, status, body in refused[:5]:
            failures.append(f"cycle {cycle}: update {n} answered {status} {body}")
        cycle_acked = sum(len(writer.acked) for writer in writers)
        latencies.extend(latency for writer in writers for latency in writer.latencies)

        server.start()
        api = Api(server, key)
        whole, applied = 0, 0
        for index, entity in enumerate(entities):
            group = [writer for writer in writers if writer.index // SLOTS == index]
            entity_failures, (lost, half, committed), baselines[index] = check(api, entity, group, baselines[index])
            api.close()
            failures.extend(f"cycle {cycle}: {failure}" for failure in entity_failures)
            whole += not entity_failures
            applied += committed
            totals["lost"] += lost
            totals["half"] += half
        totals["acked"] += cycle_acked
        totals["in_flight"] += in_flight
        totals["applied_in_flight"] += applied
        totals["retried"] += sum(writer.retried for writer in writers)
        print(
            f"cycle {cycle}: {cycle_acked} updates acknowledged in {args.seconds:g} s, "
            f"kill -9 with {in_flight} in flight; "
            f"after restart: {whole}/{len(entities)} entities whole and current, "
            f"{applied} in-flight updates found committed",
            flush=True,
        )
        writers_state = [(writer.index, writer.sent, writer.base_n) for writer in writers]

    elapsed = time.monotonic() - started
    summary = (
        f"{args.writers} writers on {len(entities)} shared entities ({SLOTS} per entity), "
        f"{args.cycles} kill -9 cycles of {args.seconds:g} s: "
        f"{totals['acked']} acknowledged updates, {totals['retried']} answered 409/503, "
        f"{totals['in_flight']} in flight at the kills ({totals['applied_in_flight']} of them committed), "
        f"PUT latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
        f"{elapsed:.0f} s in all"
    )
    if totals["acked"] == 0:
        failures.append("no update was acknowledged: the load did not run")
    if failures:
        for failure in failures[:40]:
            print(f"  {failure}")
        if len(failures) > 40:
            print(f"  ... and {len(failures) - 40} more")
        print(
            f"FAIL durability: {len(failures)} problems ({totals['lost']} acknowledged values lost, "
            f"{totals['half']} half-updates); {summary}; data and server log kept in {data_dir}"
        )
        return 1
    print(f"PASS durability: 0 acknowledged updates lost, 0 entities half-updated; {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
