"""Schemathesis hooks for scripts/schemathesis.sh (loaded through
SCHEMATHESIS_HOOKS).

- `no_server_error`: the server-error check. Any 5xx fails it, except the
  two answers the product spec itself gives HTTP 501 on 2004 (`501.2`: the
  entity does not need to be verified; `501.3`: no code was assigned), which
  are documented as such in /openapi.json. Schemathesis's own
  `not_a_server_error` would count those spec answers as server errors.
- Generated path parameters are, half of the time, replaced by ones that
  exist (the demo's entities, external keys, contracts, module hashes), so
  the cases reach the handlers' logic rather than 404.
- Every answer is appended to $PACTUM_ST_LOG (status, catalogue code,
  operation), for the script's counts.
"""

import json
import os
import threading

import schemathesis
from hypothesis import strategies as st

SPEC_501 = {"501.2", "501.3"}
KNOWN = json.loads(os.environ.get("PACTUM_ST_KNOWN", "{}"))
LOG = os.environ.get("PACTUM_ST_LOG")
_lock = threading.Lock()


def _code(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@schemathesis.check
def no_server_error(ctx, response, case):
    """No 5xx answer, except the spec's HTTP 501 answers of 2004 (501.2, 501.3)."""
    if response.status_code < 500:
        return None
    code = _code(response)
    if response.status_code == 501 and code in SPEC_501 and case.operation.path.endswith("/verify"):
        return None
    raise AssertionError(
        f"server error: HTTP {response.status_code}, code {code!r}: {response.content[:300].decode('utf-8', 'replace')}"
    )


@schemathesis.hook
def after_call(ctx, case, response):
    if not LOG:
        return
    line = f"{response.status_code}\t{_code(response)}\t{case.operation.method.upper()} {case.operation.path}\n"
    with _lock, open(LOG, "a") as log:
        log.write(line)


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    known = {}
    for name in path_parameters:
        values = KNOWN.get(name)
        if values:
            known[name] = st.sampled_from(values)
    if not known:
        return st.just(path_parameters)
    if "ext-key" in known and "ext-type" in known:
        # An external key exists only together with its type.
        pairs = st.sampled_from(list(zip(KNOWN["ext-key"], KNOWN["ext-type"])))
        known.pop("ext-key")
        known.pop("ext-type")
        known["ext-pair"] = pairs

    def substitute(chosen):
        merged = dict(path_parameters)
        for name, value in chosen.items():
            if name == "ext-pair":
                merged["ext-key"], merged["ext-type"] = value
            else:
                merged[name] = value
        return merged

    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(known).map(substitute))
