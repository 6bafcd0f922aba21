#!/usr/bin/env bash
# Differential bug hunt: fresh random mutants of the PINT-AE examples (a seed
# the committed corpus does not use) and odd values (numbers, dates, codes at
# the edges of their types) in every example, judged by the official validator and by
# pintae, with the bundled rules and with the official .sch files. Prints
# every document on which they disagree and exits 1 if there is any.
#
#     scripts/hunt.sh [SEED] [MUTANTS_PER_EXAMPLE]
#
# Needs ../shared (or $PINTAE_SHARED) and the oracle's saxonche. A document
# worth keeping goes into the committed corpus through a targeted mutant
# (crates/pintae-corpus/src/mutate.rs) and scripts/record-oracle.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PINTAE_SHARED:-../shared}
SEED=${1:-hunt-$(date +%s)}
N=${2:-50}
WORK=${HUNT_DIR:-$(mktemp -d)}
echo "seed $SEED, $N mutants per example, in $WORK"
cargo build -q --release -p pintae -p pintae-corpus
target/release/pintae-corpus hunt "$WORK/docs" "$SEED" "$N"
status=0
for dir in "$WORK/docs"/*/; do
  ruleset=$(basename "$dir")
  case "$ruleset" in
    pint-ae-*)
      sch="$SHARED/reference/pint-ae/${ruleset#pint-ae-}/schematron"
      official=(--schematron "$sch/PINT-UBL-validation-preprocessed.sch"
                --schematron "$sch/PINT-jurisdiction-aligned-rules.sch") ;;
    *)
      official=(--schematron "$SHARED/reference/en16931-ubl/schematron/EN16931-UBL-validation-preprocessed.sch") ;;
  esac
  "$SHARED/tools/oracle" --no-xsd --ruleset "$ruleset" "$dir" > "$WORK/oracle-$ruleset.jsonl" 2>> "$WORK/oracle.log"
  target/release/pintae validate --format json --ruleset "$ruleset" "$dir" > "$WORK/bundled-$ruleset.jsonl" || true
  target/release/pintae validate --format json "${official[@]}" \
    "$dir" > "$WORK/official-$ruleset.jsonl" || true
  for rules in bundled official; do
    python3 scripts/compare-verdicts.py "$WORK/oracle-$ruleset.jsonl" "$WORK/$rules-$ruleset.jsonl" \
      "$ruleset, $rules rules" || status=1
  done
done
exit $status
