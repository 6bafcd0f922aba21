#!/usr/bin/env python3
"""Writes crates/pintae-rules/src/input/names.rs: which characters outside
ASCII may start, and which may continue, a name in an XML 1.0 document as
the official validator's XML parser reads it (the character classes of
XML 1.0's Appendix B, older and narrower than the fifth edition's, which
roxmltree follows). Asks that parser (the oracle's saxonche) about every
character of the Basic Multilingual Plane and a sample beyond it, so the
table is its behaviour, not a transcription.

    scripts/xml10-name-tables.py
"""
import os
import sys

from saxonche import PySaxonProcessor

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "crates", "pintae-rules", "src", "input", "names.rs")


def ranges(flags):
    out = []
    for cp, ok in flags:
        if not ok:
            continue
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def main():
    # the parser's own complaints go to stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    with PySaxonProcessor(license=False) as proc:
        def parses(text):
            try:
                proc.parse_xml(xml_text=text)
                return True
            except Exception:
                return False

        cps = [cp for cp in range(0x80, 0x10000) if not 0xD800 <= cp <= 0xDFFF]
        start = [(cp, parses(f"<{chr(cp)}/>")) for cp in cps]
        # only what may follow and not start: digits, combining, extenders
        more = [(cp, not s and parses(f"<a{chr(cp)}/>")) for cp, s in start]
        beyond = [cp for cp in (0x10000, 0x1F600, 0x20000, 0xE0100, 0xEFFFF) if parses(f"<a{chr(cp)}/>")]
        if beyond:
            sys.exit(f"the parser takes characters beyond the BMP in names: {beyond}")

    def table(name, doc, rs):
        lines = [f"/// {doc}", f"pub(super) const {name}: &[(u16, u16)] = &["]
        for a, b in rs:
            lines.append(f"    (0x{a:04X}, 0x{b:04X}),")
        lines.append("];")
        return "\n".join(lines)

    with open(OUT, "w", encoding="utf-8") as f:
        f.write("//! Characters outside ASCII allowed in names of an XML 1.0 document, as\n"
                "//! the official validator's XML parser reads them (XML 1.0 Appendix B),\n"
                "//! as sorted inclusive ranges of the Basic Multilingual Plane; no\n"
                "//! character beyond it may be part of a name. Written by\n"
                "//! `scripts/xml10-name-tables.py`, which asks that parser about every\n"
                "//! character; do not edit by hand.\n\n")
        f.write(table("NAME_START", "Characters that may start a name (letters).", ranges(start)) + "\n\n")
        f.write(table("NAME_MORE", "Characters that may follow the first but not start a name (digits,\n/// combining characters, extenders).", ranges(more)) + "\n")
    print(f"wrote {OUT}: {len(ranges(start))} and {len(ranges(more))} ranges")


if __name__ == "__main__":
    main()
