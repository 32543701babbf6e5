#!/usr/bin/env bash
# Regenerates the reference corpora of tests/corpus/phone and tests/corpus/email
# from the pinned reference packages (scripts/corpus-requirements.txt), in a
# virtual environment of their own (target/corpus-venv, made on first use).
#
#   scripts/gen-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/corpus-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/corpus-requirements.txt
"$venv/bin/python" scripts/gen-phone-corpus.py
"$venv/bin/python" scripts/gen-email-corpus.py
