#!/usr/bin/env python3
"""Well-formedness differential: random markup put into the bundled example
(stray `<`, `&`, references to odd characters, comments, processing
instructions, namespace declarations, attributes, deleted ranges), each
document judged by the official validator (../shared/tools/oracle) and by
pintae. Prints every document one of them refuses as not checkable while
the other checks it, and exits 1 if there is any.

    scripts/wellformed-differential.py [SEED] [COUNT]

Known and accepted: a root element outside UBL's namespaces, which pintae
refuses by design and the oracle checks against no rule; an encoding declaration
pintae cannot read (the oracle parses the text it decoded as UTF-8 and
so never reads the declaration; the official validator reading the file
refuses an unknown encoding too). Needs ../shared (or
$PINTAE_SHARED) and the oracle's saxonche; builds pintae in release mode.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
SHARED = os.environ.get("PINTAE_SHARED", os.path.join(ROOT, "..", "shared"))
EXAMPLE = os.path.join(ROOT, "testdata", "examples", "coffee-roaster-invoice.xml")

SNIPPETS = [
    "<", ">", "&", '"', "'", "=", "]]>", "<!--", "-->", "--", "<?x y?>", "<?xml v?>", "<?XmL?>", "<?x\x7f?>",
    "&#1;", "&#9;", "&#xFFFE;", "&#xFFFD;", "&#x85;", "&#xD800;", "&#x110000;", "&amp", "&foo;", "&lt;", "&#;",
    "&#x;", "&#65", "\x01", "\x7f", "\u0085", "\u2028", "\ufffe", "\uffff", "\U0001F600", "\t", "\r", "\r\n",
    ":", "a:b:", "1a", "-", ".", "<a>", "</a>", "<a/>", "<![CDATA[", ' xmlns:q="urn:q"', ' q:a="1"',
    ' xml:lang="en"', ' xmlns:xml="urn:x"', ' xmlns:xmlns="urn:x"', ' xmlns=""', ' xmlns:e=""',
    ' xmlns="urn:d" xmlns="urn:d"', ' a="1" a="2"', '<b:x xmlns:b="urn:b"/>', "&#xD7FF;", "&#xE000;",
    "&#x1F600;", "&#1114111;", "&#x0;", "\x0b", "\x0c",
]
TAG_SNIPPETS = [s for s in SNIPPETS if s.startswith(" ")] + [":", "-", "\x7f", "=", '"', "/"]


def mutate(text, r):
    k = r.random()
    if k < 0.6:
        p = r.randrange(len(text))
        return text[:p] + r.choice(SNIPPETS) + text[p:]
    if k < 0.8:
        p = r.randrange(len(text))
        return text[:p] + text[min(len(text), p + r.randrange(1, 8)):]
    # inside a start or end tag, after its name
    p = r.choice([i for i, c in enumerate(text) if c == "<"])
    e = p + 1
    while e < len(text) and text[e] not in " >/\n":
        e += 1
    return text[:e] + r.choice(TAG_SNIPPETS) + text[e:]


def outcomes(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[os.path.basename(rec["file"])] = rec
    return out


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    base = open(EXAMPLE, encoding="utf-8").read()
    r = random.Random(seed)
    work = tempfile.mkdtemp(prefix="wellformed-")
    docs = os.path.join(work, "docs")
    os.makedirs(docs)
    for i in range(count):
        text = base
        for _ in range(r.randint(1, 2)):
            text = mutate(text, r)
        if "<!DOCTYPE" in text:  # refused by pintae by design
            continue
        with open(os.path.join(docs, f"wf{seed}_{i}.xml"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "pintae"], cwd=ROOT, check=True)
    with open(os.path.join(work, "oracle.jsonl"), "w") as f:
        subprocess.run([os.path.join(SHARED, "tools", "oracle"), "--no-xsd", "--ruleset", "pint-ae-billing", docs],
                       stdout=f, stderr=subprocess.DEVNULL, check=True)
    with open(os.path.join(work, "pintae.jsonl"), "w") as f:
        subprocess.run([os.path.join(ROOT, "target", "release", "pintae"), "validate", "--format", "json",
                        "--ruleset", "pint-ae-billing", docs], stdout=f, check=False)
    oracle = outcomes(os.path.join(work, "oracle.jsonl"))
    pintae = outcomes(os.path.join(work, "pintae.jsonl"))
    bad = 0
    for name in sorted(oracle):
        o, p = oracle[name], pintae.get(name, {})
        # the oracle's parser refused it; a rule error is a checked document
        # (a processing instruction's target is judged by Saxon's own builder)
        o_refused = o.get("failed") is None and str(o.get("error", "")).startswith(
            ("SXXP", "org.xml.sax.SAXException"))
        p_refused = "error" in p and "failed" not in p and "rule_errors" not in p
        accepted = ("not a UBL 2.1", "names the encoding")
        if o_refused != p_refused and not any(a in str(p.get("error", "")) for a in accepted):
            bad += 1
            print(f"{name}: oracle {'refused: ' + o['error'][:120] if o_refused else 'checked'}; "
                  f"pintae {'refused: ' + p['error'][:120] if p_refused else 'checked'}")
    print(f"{len(oracle) - bad} of {len(oracle)} documents: same refusal or not ({work})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
