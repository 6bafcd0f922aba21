#!/usr/bin/env python3
"""Differential test of decoding: for every encoding name the official
processor or encoding_rs knows (as scripts/encoding-tables.py lists them),
a document naming it in its XML declaration with each byte past ASCII,
documents naming it after a UTF-8 or UTF-16 byte order mark (and in UTF-16
without one), and documents naming UTF-8 aliases with broken UTF-8
sequences, read by the
official processor (SaxonC-HE reading the file) and by pintae
(examples/decoded.rs). Prints every difference, counting apart the known
gap: multi-byte encodings are read through encoding_rs, whose tables (the
Encoding Standard's) and replacements of sequences not in the encoding are
not the official processor's in places (Big5 is Big5-HKSCS there, byte 0x80
is U+20AC in GBK, U+0080 in Shift_JIS; it has no decoder for ISO-2022-KR and
ISO-2022-CN).

    scripts/encoding-differential.py     # needs: python3 -m pip install saxonche
"""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

from saxonche import PySaxonProcessor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
spec = importlib.util.spec_from_file_location("tables", os.path.join(HERE, "encoding-tables.py"))
tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tables)

BROKEN_UTF8 = [b"\xe2\x82", b"\xf0\x9f\x98", b"\xc0\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0",
               b"\xed\xa0\x41", b"\xed\x41", b"\xed\xa0\x80\xed\xb0\x80", b"\xed\xa0\xc3\xa9", b"\xf4\x90\x80\x80",
               b"\xe2\x28\xa1", b"\xf8\x88\x80\x80\x80", b"\xc3", b"\xe0\x80\x80", b"a\xffb\xfe\xfe",
               b"\xf0\x90\x80\xe2\x82\xac", b"\xc2\xc3\xa9", b"\xe1\x80\xe2\xf0\x91\x92\xf1\xbf\x41", b"\xed",
               b"\xed\xa0\x80\x80", b"\xe0\xa0", b"\xf0\x90"]


def main():
    labels = sorted({l.lower() for l in tables.registry_labels()} | {l.lower() for l in tables.JAVA_NAMES})
    work = tempfile.mkdtemp()
    docs = []  # (path, label, what)

    def raw(label, data, what):
        path = os.path.join(work, "d%d.xml" % len(docs))
        with open(path, "wb") as f:
            f.write(data)
        docs.append((path, label, what))

    def doc(label, body, what):
        raw(label, b'<?xml version="1.0" encoding="' + label.encode() + b'"?><a>' + body + b"</a>", what)

    for label in labels:
        doc(label, b"ABC xyz 09", "ASCII")
        doc(label.upper(), b"ABC xyz 09", "ASCII, upper case name")
        for b in range(0x80, 0x100):
            doc(label, bytes([b]), "byte %02X" % b)
    # a byte order mark with a declared name: UTF-8's leaves the name to
    # decide, UTF-16's allows only some names, which depend on the byte order
    for label in labels + [n for n in tables.UTF16_NAMES if n not in labels]:
        head = '<?xml version="1.0" encoding="%s"?><a>' % label
        raw(label, b"\xef\xbb\xbf" + head.encode() + b"\xc3\xa9\x80</a>", "after a UTF-8 byte order mark")
        for order, bom, codec in (("LE", b"\xff\xfe", "utf-16-le"), ("BE", b"\xfe\xff", "utf-16-be")):
            text = (head + "é</a>").encode(codec)
            raw(label, bom + text, "in UTF-16%s with its byte order mark" % order)
            raw(label, text, "in UTF-16%s without one" % order)
    # white space around a name makes it none
    for label in ("utf-8", "windows-1252", "utf8"):
        for spaced in (" %s" % label, "%s " % label, "\t%s" % label, "%s\n" % label):
            doc(spaced, b"\xc3\xa9", "with white space around the name")
    for label, _ in tables_multi():
        # a lead byte with what may or may not follow it
        for lead in (0x81, 0x8E, 0x8F, 0xA1, 0xA4, 0xB0, 0xC8, 0xE0, 0xF0, 0xFE):
            for trail in (0x30, 0x41, 0x7E, 0x80, 0xA1, 0xFE, 0xFF):
                doc(label, bytes([lead, trail]), "bytes %02X %02X" % (lead, trail))
    for label in ("utf8", "unicode-1-1-utf-8", "utf-8"):
        for seq in BROKEN_UTF8:
            doc(label, seq, "bytes " + seq.hex(" ").upper())

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "pintae-rules", "--example", "decoded"],
                   cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "examples", "decoded")
    ours = {}
    for i in range(0, len(docs), 2000):
        out = subprocess.run([exe] + [d[0] for d in docs[i:i + 2000]], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            path, read = line.split("\t", 1)
            ours[path] = None if read.startswith(("ERR", "PARSE")) else read

    agree, known, differ = 0, 0, []
    multi = {l for l, _ in tables_multi()}
    with PySaxonProcessor(license=False) as proc:
        for path, label, what in docs:
            try:
                theirs = " ".join("%x" % ord(c) for c in proc.parse_xml(xml_file_name=path).string_value)
            except Exception:
                theirs = None
            mine = ours[path]
            if mine == theirs:
                agree += 1
            elif label.lower() in multi:
                known += 1
            else:
                differ.append((label, what, theirs, mine))
    for label, what, theirs, mine in differ:
        print("%s, %s: official %s, pintae %s" % (label, what, theirs or "refuses", mine or "refuses"))
    print("%d documents: %d agree, %d in the known multi-byte gap, %d differ" % (
        len(docs), agree, known, len(differ)))
    sys.exit(1 if differ else 0)


def tables_multi():
    """The multi-byte names of input/encodings.rs, each with the encoding_rs label that reads it."""
    src = open(os.path.join(ROOT, "crates", "pintae-rules", "src", "input", "encodings.rs"), encoding="utf-8").read()
    part = src.split("MULTI_BYTE", 1)[1]
    return re.findall(r'\("([^"]+)", "([^"]+)", (?:true|false)\)', part)


if __name__ == "__main__":
    main()
