#!/usr/bin/env bash
# Re-records the official validator's verdicts on the derived corpora into
# testdata/oracle/*.jsonl. Needs ../shared (or $PINTAE_SHARED), saxonche and
# the corpus generator. Run after changing the corpus generator.
set -euo pipefail
cd "$(dirname "$0")/.."
# With --check, nothing is written: the fresh verdicts are compared with the
# stored ones and any difference fails.
SHARED=${PINTAE_SHARED:-../shared}
CHECK=
if [ "${1:-}" = "--check" ]; then CHECK=1; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo run -q --release -p pintae-corpus -- export "$WORK/corpus"
for group in ${GROUPS_TO_RECORD:-examples cen mutants}; do
  : > "$WORK/$group.jsonl"
  for dir in "$WORK/corpus/$group"/*/; do
    ruleset=$(basename "$dir")
    "$SHARED/tools/oracle" --no-xsd --ruleset "$ruleset" "$dir" >> "$WORK/$group.jsonl" 2>> "$WORK/oracle.log"
  done
  if [ -n "$CHECK" ]; then
    cp "testdata/oracle/$group.jsonl" "$WORK/$group.stored"
    cargo run -q --release -p pintae-corpus -- record "$group" "$WORK/$group.jsonl"
    if ! cmp -s "testdata/oracle/$group.jsonl" "$WORK/$group.stored"; then
      diff "$WORK/$group.stored" "testdata/oracle/$group.jsonl" | head -20
      cp "$WORK/$group.stored" "testdata/oracle/$group.jsonl"
      echo "testdata/oracle/$group.jsonl is stale: run scripts/record-oracle.sh" >&2
      exit 1
    fi
    echo "$group: stored verdicts match the oracle"
  else
    cargo run -q --release -p pintae-corpus -- record "$group" "$WORK/$group.jsonl"
  fi
done
