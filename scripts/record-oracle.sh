#!/usr/bin/env bash
# Re-records the official validator's verdicts on the derived corpora into
# testdata/oracle/*.jsonl. Needs ../shared (or $PINTAE_SHARED), saxonche and
# the corpus generator. Run after changing the corpus generator.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PINTAE_SHARED:-../shared}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo run -q --release -p pintae-corpus -- export "$WORK/corpus"
for group in ${GROUPS_TO_RECORD:-examples cen mutants}; do
  : > "$WORK/$group.jsonl"
  for dir in "$WORK/corpus/$group"/*/; do
    ruleset=$(basename "$dir")
    "$SHARED/tools/oracle" --no-xsd --ruleset "$ruleset" "$dir" >> "$WORK/$group.jsonl"
  done
  cargo run -q --release -p pintae-corpus -- record "$group" "$WORK/$group.jsonl"
done
