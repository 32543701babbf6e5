#!/usr/bin/env bash
# Copies libphonenumber's metadata as rlibphonenumber ships it into
# core/data/ (core/src/phone/plans.rs reads it) and checks its digest.
# Run after changing the rlibphonenumber version in Cargo.toml, then
# regenerate the phone corpus with the same libphonenumber version
# (scripts/gen-corpus.sh) and update the file name and digest here.
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.2.15
metadata=9.0.42
digest=62362deceaee888d0f7b94ce42b2d429ef71774f8c37c2a61761632b12dc42f2
cargo fetch --quiet
source=$(cargo metadata --format-version 1 \
  | python3 -c "import json,sys; print(next(p['manifest_path'] for p in json.load(sys.stdin)['packages'] if p['name']=='rlibphonenumber' and p['version']=='$version'))")
source=$(dirname "$source")/src/generated/metadata/metadata.bin
target=core/data/libphonenumber-$metadata.bin
cp "$source" "$target"
echo "$digest  $target" | sha256sum --check
