#!/usr/bin/env python3
"""Compares the official validator's verdicts with pintae's.

    compare-verdicts.py ORACLE.jsonl PINTAE.jsonl [LABEL]

Both files hold one JSON object per document (`oracle` and
`pintae validate --format json` output), matched by file name. A document
agrees when the multisets of failed rule ids are equal and `valid` agrees;
when the oracle aborted (no `failed` list, or an `error`), pintae must report
an error or an invalid document. Prints every disagreement and exits 1 if
there is any, the same criterion as the parity tests
(crates/pintae-rules/tests/parity.rs).
"""
import collections
import json
import os
import sys


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                v = json.loads(line)
                out[os.path.basename(v["file"])] = v
    return out


def ids(v):
    return collections.Counter(f["id"] for f in v.get("failed") or [])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    oracle, ours = load(sys.argv[1]), load(sys.argv[2])
    label = sys.argv[3] if len(sys.argv) > 3 else sys.argv[2]
    bad = []
    for name, o in sorted(oracle.items()):
        p = ours.get(name)
        if p is None:
            bad.append(f"{name}: no pintae verdict")
            continue
        if o.get("failed") is None or "error" in o:
            if p.get("valid") and "error" not in p:
                bad.append(f"{name}: the oracle aborted, pintae found the document valid")
            continue
        if "error" in p:
            bad.append(f"{name}: pintae error {p['error']} (oracle: no error)")
            continue
        want, got = ids(o), ids(p)
        if want != got:
            bad.append(f"{name}: missing {sorted((want - got).elements())}, extra {sorted((got - want).elements())}")
            continue
        oracle_valid = not any(f.get("flag") == "fatal" for f in o["failed"])
        if p.get("valid") != oracle_valid:
            bad.append(f"{name}: valid={p.get('valid')} but oracle valid={oracle_valid}")
    print(f"{label}: {len(oracle)} documents, {len(bad)} disagreements")
    for b in bad[:50]:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
