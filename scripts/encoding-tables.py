#!/usr/bin/env python3
"""Writes crates/pintae-rules/src/input/encodings.rs: which encoding names
the official processor accepts in an XML declaration when it reads a file,
and how it decodes each byte past ASCII in the single-byte ones, found by
asking it (SaxonC-HE reading files, as the official validator reads them).

The candidates are every label the Encoding Standard knows (encoding_rs's
list, read from its source in the cargo registry) and the Java names the
official processor's platform adds. Each is classified:
  UTF-8       - read by the parser itself: what is not UTF-8 is an error;
  ASCII       - US-ASCII, read by the parser itself: a byte past it is an error;
  utf8        - UTF-8 read by the platform's decoder, which puts U+FFFD in
                place of what it cannot read;
  single-byte - one character per byte (U+FFFD for a byte it has none for):
                its table is written out;
  multi-byte  - the rest, decoded through encoding_rs under the label given.
Labels the processor refuses are left out, so pintae refuses them too.

    python3 scripts/encoding-tables.py     # needs: python3 -m pip install saxonche
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

from saxonche import PySaxonProcessor

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "crates", "pintae-rules", "src", "input", "encodings.rs")

JAVA_NAMES = [
    "ISO8859_1", "ISO-8859-3", "ISO-8859-4", "ISO-8859-9", "ISO-8859-11", "ISO-8859-13", "ISO-8859-16",
    "Cp1250", "Cp1251", "Cp1252", "Cp1253", "Cp1254", "Cp1255", "Cp1256", "Cp1257", "Cp1258",
    "IBM437", "IBM850", "IBM852", "IBM855", "IBM857", "IBM862", "IBM866", "IBM00858", "cp437", "cp850",
    "x-MacRoman", "MacRoman", "Big5-HKSCS", "windows-31j", "MS932", "x-windows-949", "EUC-CN",
    "ISO646-US", "ANSI_X3.4-1968", "UTF8", "TIS-620", "KOI8-R", "KOI8-U", "ISO-2022-KR",
    "cp367", "ibm367", "csascii", "iso-ir-6", "iso_646.irv:1991", "us", "646", "8859_1", "ibm-819",
    "iso_8859-1:1987", "latin-1", "UTF-32", "UCS-2", "UCS-4", "UTF-16", "UTF-16LE", "UTF-16BE",
]

# Names of UTF-16 and UCS-2 to try in a UTF-16 document.
UTF16_NAMES = ["utf-16", "utf-16le", "utf-16be", "utf16", "iso-10646-ucs-2", "unicode", "ucs-2", "csunicode",
               "unicodefffe", "unicodefeff", "x-utf-16le", "x-utf-16be", "utf_16", "utf-16-le", "utf-16-be"]

# Labels the official processor takes that encoding_rs does not know, and the
# encoding_rs label that reads them.
MULTI_ALIASES = {"euc-cn": "gb2312", "x-windows-949": "euc-kr"}


def registry_labels():
    lock = open(os.path.join(HERE, "..", "Cargo.lock"), encoding="utf-8").read()
    version = re.search(r'name = "encoding_rs"\nversion = "([^"]+)"', lock).group(1)
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    found = sorted(glob.glob(os.path.join(cargo_home, "registry", "src", "*", "encoding_rs-%s" % version, "src", "lib.rs")))
    if not found:
        sys.exit("encoding_rs's source is not in the cargo registry: run a cargo build first")
    src = open(found[-1], encoding="utf-8").read()
    m = re.search(r"static LABELS_SORTED: \[&'static str; \d+\] = \[(.*?)\];", src, re.S)
    return re.findall(r'"([^"]+)"', m.group(1))


def main():
    candidates = sorted({l.lower() for l in registry_labels()} | {l.lower() for l in JAVA_NAMES})
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "probe.xml")
    with PySaxonProcessor(license=False) as proc:
        def read(data):
            """The code points the processor reads in a file of `data`, or None if it refuses it."""
            with open(path, "wb") as f:
                f.write(data)
            try:
                return [ord(c) for c in proc.parse_xml(xml_file_name=path).string_value]
            except Exception:
                return None

        def decode(label, body):
            return read(b'<?xml version="1.0" encoding="' + label.encode() + b'"?><a>' + body + b"</a>")

        ascii_text = bytes(range(0x20, 0x7F)).replace(b"<", b" ").replace(b"&", b" ")
        strict_utf8, ascii_only, utf8, single, multi = [], [], [], {}, []
        for label in candidates:
            # the name is read case-insensitively: every spelling must agree
            spellings = {label, label.upper()}
            oks = [decode(s, ascii_text) == list(ascii_text) for s in spellings]
            if not all(oks):
                if any(oks):
                    print("warning: %s is taken in one spelling only" % label, file=sys.stderr)
                continue
            if "2022" in label:
                # stateful: escape sequences in ASCII switch the character set
                multi.append((label, True))
                continue
            lone = [decode(label, bytes([b])) for b in range(0x80, 0x100)]
            reads_utf8 = decode(label, "é€".encode("utf-8")) == [0xE9, 0x20AC]
            if all(x is None for x in lone):
                if reads_utf8:
                    strict_utf8.append(label)
                elif any(decode(label, pair) is not None for pair in (b"\xa4\xa2", b"\x82\xa0", b"\x8e\xa1")):
                    multi.append((label, False))
                else:
                    ascii_only.append(label)
                continue
            if reads_utf8 and all(x == [0xFFFD] for x in lone):
                utf8.append(label)
                continue
            follow = decode(label, b"\xa1")
            pairs = all(
                lone[b - 0x80] is not None and follow is not None
                and len(lone[b - 0x80]) == 1
                and decode(label, bytes([b, 0xA1])) == lone[b - 0x80] + follow
                for b in range(0x80, 0x100)
            )
            if pairs:
                single[label] = tuple(x[0] for x in lone)
            else:
                multi.append((label, None not in lone))

        # a UTF-16 document (byte order mark or not: the same answers) may
        # name only some encodings, which depend on its byte order
        utf16 = {}
        for order, bom, codec in (("LE", b"\xff\xfe", "utf-16-le"), ("BE", b"\xfe\xff", "utf-16-be")):
            utf16[order] = []
            for label in candidates + [n for n in UTF16_NAMES if n not in candidates]:
                reads = [read(bom + ('<?xml version="1.0" encoding="%s"?><a>é</a>' % name).encode(codec)) == [0xE9]
                         for name in (label, label.upper())]
                if all(reads):
                    utf16[order].append(label)

    tables = sorted(set(single.values()))
    lines = [
        "//! Generated by `scripts/encoding-tables.py` from the official processor's",
        "//! answers (SaxonC-HE reading files): do not edit by hand.",
        "//!",
        "//! Encoding names in lower case. A name in none of these lists is one the",
        "//! official processor refuses.",
        "",
        "/// Names of UTF-8 that the parser reads itself: a byte sequence that is",
        "/// not UTF-8 is an error.",
        "pub(super) const UTF8_STRICT: &[&str] = &[%s];" % ", ".join('"%s"' % l for l in strict_utf8),
        "",
        "/// Names of US-ASCII: a byte past ASCII is an error.",
        "pub(super) const ASCII: &[&str] = &[%s];" % ", ".join('"%s"' % l for l in ascii_only),
        "",
        "/// Names of UTF-8 read by a decoder that puts U+FFFD in place of what it",
        "/// cannot read.",
        "pub(super) const UTF8_REPLACING: &[&str] = &[%s];" % ", ".join('"%s"' % l for l in utf8),
        "",
        "/// Names a UTF-16 document may give in its declaration, little-endian.",
        "pub(super) const UTF16_LE: &[&str] = &[%s];" % ", ".join('"%s"' % l for l in utf16["LE"]),
        "",
        "/// Names a UTF-16 document may give in its declaration, big-endian.",
        "pub(super) const UTF16_BE: &[&str] = &[%s];" % ", ".join('"%s"' % l for l in utf16["BE"]),
        "",
        "/// Single-byte encodings: each name with its table in [`TABLES`].",
        "pub(super) const SINGLE_BYTE: &[(&str, usize)] = &[",
    ]
    for label in sorted(single):
        lines.append('    ("%s", %d),' % (label, tables.index(single[label])))
    lines += [
        "];",
        "",
        "/// The characters of bytes 0x80-0xFF in each single-byte encoding (U+FFFD",
        "/// where the encoding has none).",
        "pub(super) const TABLES: [[u16; 128]; %d] = [" % len(tables),
    ]
    for t in tables:
        lines.append("    [")
        for i in range(0, 128, 8):
            lines.append("        " + ", ".join("0x%04X" % c for c in t[i:i + 8]) + ",")
        lines.append("    ],")
    lines += [
        "];",
        "",
        "/// Multi-byte encodings, read through encoding_rs: each name with the",
        "/// encoding_rs label that reads it, and whether a sequence not in the",
        "/// encoding is read as U+FFFD (else it is an error).",
        "pub(super) const MULTI_BYTE: &[(&str, &str, bool)] = &[",
    ]
    for label, replaces in multi:
        lines.append('    ("%s", "%s", %s),' % (label, MULTI_ALIASES.get(label, label), "true" if replaces else "false"))
    # (a label encoding_rs does not know is refused when read: see decode_text)
    lines += ["];", ""]
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    # laid out as `cargo fmt` lays it out
    subprocess.run(["cargo", "fmt", "-p", "pintae-rules"], cwd=os.path.join(HERE, ".."), check=True)
    print("%s: %d strict UTF-8, %d ASCII, %d UTF-8 replacing, %d single-byte (%d tables), %d multi-byte" % (
        os.path.relpath(OUT), len(strict_utf8), len(ascii_only), len(utf8), len(single), len(tables), len(multi)))


if __name__ == "__main__":
    main()
