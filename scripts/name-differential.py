#!/usr/bin/env python3
"""Name differential: characters outside ASCII put in every kind of XML
name (element, attribute, prefix, processing instruction; at the start,
after the first character, after a `:`), in XML 1.0 and XML 1.1
documents, each document judged by the official validator's XML parser
(the oracle's saxonche, as ../shared/tools/oracle calls it) and by pintae;
also control characters, raw and as references, in text and attribute
values, which XML 1.1 treats apart.
Prints every document that one of them refuses and the other checks, and
exits 1 if there is any.

    scripts/name-differential.py [full]

By default every character at the edge of a range of the name tables
(XML 1.0 Appendix B and the fifth edition's), and 400 others at random,
go through every template; with `full` every character of the Basic
Multilingual Plane goes through the element templates too. Needs
../shared (or $PINTAE_SHARED) for nothing but the oracle's saxonche;
builds pintae in release mode.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, HERE)

ROOT_OPEN = '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
TEMPLATES = {
    "start": "<{c}/>",
    "rest": "<a{c}/>",
    "local-start": '<p:{c} xmlns:p="urn:p"/>',
    "local-rest": '<p:a{c} xmlns:p="urn:p"/>',
    "prefix-start": '<{c}p:e xmlns:{c}p="urn:p"/>',
    "unused-prefix-start": '<e xmlns:{c}="urn:p"/>',
    "unused-prefix-rest": '<e xmlns:a{c}="urn:p"/>',
    "attribute-start": '<e {c}="1"/>',
    "attribute-rest": '<e a{c}="1"/>',
    "attribute-local-start": '<e p:{c}="1" xmlns:p="urn:p"/>',
    "pi-start": "<?{c}?>",
    "pi-rest": "<?a{c} x?>",
    "end-tag": "<a{c}></a{c}>",
    "text": "<e>{c}</e>",
    "attribute-value": '<e a="{c}"/>',
    "reference": "<e>&#x{cp:X};</e>",
    "comment": "<!--{c}-->",
    "cdata": "<e><![CDATA[{c}]]></e>",
    "pi-value": "<?a {c}?>",
}
FULL = ("start", "rest")
# the fifth edition's (and XML 1.1's) name ranges, whose edges are tried too
FIFTH = [(0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x300, 0x36F), (0x370, 0x37D), (0x37F, 0x1FFF),
         (0x200C, 0x200D), (0x203F, 0x2040), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF),
         (0xF900, 0xFDCF), (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF)]


def edges():
    spec = {}
    exec(open(os.path.join(ROOT, "crates", "pintae-rules", "src", "input", "names.rs"), encoding="utf-8").read()
         .replace("//", "#").replace("pub(super) const ", "").replace(": &[(u16, u16)] = &[", " = [")
         .replace("];", "]"), {}, spec)
    out = {0x85, 0xB7, 0x2028, 0x10FFFF, 0x1F600}
    for lo, hi in spec["NAME_START"] + spec["NAME_MORE"] + FIFTH:
        out.update((lo - 1, lo, hi, hi + 1))
    r = random.Random(1)
    out.update(r.randrange(0x80, 0x110000) for _ in range(400))
    out.update(range(0x01, 0x20))  # controls, which XML 1.1 treats apart
    out.update(range(0x7F, 0xA0))
    return sorted(c for c in out if 0x01 <= c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF)


def main():
    full = "full" in sys.argv[1:]
    chars = edges()
    work = tempfile.mkdtemp(prefix="names-")
    docs = os.path.join(work, "docs")
    os.makedirs(docs)
    texts = {}
    for version in ("1.0", "1.1"):
        for kind, template in TEMPLATES.items():
            cps = [c for c in range(0x80, 0x10000) if not 0xD800 <= c <= 0xDFFF] if full and kind in FULL else chars
            for cp in cps:
                body = template.format(c=chr(cp), cp=cp)
                prolog = f'<?xml version="{version}"?>'
                text = prolog + body + ROOT_OPEN + "</Invoice>" if kind == "pi-start" and cp % 2 else \
                    prolog + ROOT_OPEN + body + "</Invoice>"
                name = f"{version}-{kind}-{cp:05X}.xml"
                texts[name] = text
                with open(os.path.join(docs, name), "w", encoding="utf-8") as f:
                    f.write(text)
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "pintae"], cwd=ROOT, check=True)
    out = subprocess.run([os.path.join(ROOT, "target", "release", "pintae"), "validate", "--format", "json",
                          "--ruleset", "pint-ae-billing", docs], capture_output=True, text=True, check=False)
    pintae = {}
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        pintae[os.path.basename(rec["file"])] = rec
    from saxonche import PySaxonProcessor
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # the parser's complaints
    bad = 0
    with PySaxonProcessor(license=False) as proc:
        for name, text in sorted(texts.items()):
            try:
                proc.parse_xml(xml_text=text)
                o_refused = False
            except Exception:
                o_refused = True
            p = pintae.get(name, {})
            p_refused = "error" in p and "failed" not in p and "rule_errors" not in p
            if o_refused != p_refused:
                bad += 1
                print(f"{name}: oracle {'refused' if o_refused else 'checked'}; "
                      f"pintae {'refused: ' + p['error'][:100] if p_refused else 'checked'}", flush=True)
    print(f"{len(texts) - bad} of {len(texts)} documents: same refusal or not ({work})", flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
