#!/usr/bin/env python3
"""Checks the XPath conformance files (testdata/xpath/*.txt) against the
official processor: every `EXPR => EXPECTED` line is evaluated by SaxonC-HE
in a version="2.0" stylesheet, exactly as the official compiled Schematron
is run, over testdata/xpath/context.xml. The truth-test files
(testdata/xpath/truths/*.txt, over truths/context.xml) are evaluated as
the compiled Schematron evaluates an assert's test (`xsl:when test=`), at
the context a `@ PATH` line names, in the document a `@@ FILE` line names
(truths/context.xml until one does). Exits 1 on any difference.

    scripts/xpath-conformance-saxon.py          # check every expectation
    scripts/xpath-conformance-saxon.py --fill   # print truth-test lines
                                                # without one, with Saxon's

Needs: python3 -m pip install saxonche
"""
import glob
import os
import sys
from xml.sax.saxutils import escape

from saxonche import PySaxonProcessor

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "..", "testdata", "xpath")
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "xs": "http://www.w3.org/2001/XMLSchema",
}


def stylesheet(expr):
    decls = " ".join('xmlns:%s="%s"' % kv for kv in NS.items())
    e = escape(expr, {'"': "&quot;"})
    return f'''<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:err="http://www.w3.org/2005/xqt-errors" {decls}>
<xsl:template match="/"><xsl:for-each select="*"><r><xsl:try>
<xsl:variable name="v" select="{e}"/>
<xsl:value-of select="if (empty($v)) then '()' else string-join(for $x in $v return string($x), ' | ')"/>
<xsl:catch><xsl:value-of select="concat('!', local-name-from-QName($err:code))"/></xsl:catch>
</xsl:try></r></xsl:for-each></xsl:template></xsl:stylesheet>'''


def truth_stylesheet(context, expr):
    decls = " ".join('xmlns:%s="%s"' % kv for kv in NS.items())
    e = escape(expr, {'"': "&quot;"})
    c = escape(context, {'"': "&quot;"})
    return f'''<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:err="http://www.w3.org/2005/xqt-errors" {decls}>
<xsl:template match="/"><xsl:for-each select="*"><xsl:for-each select="({c})[1]"><r><xsl:try>
<xsl:choose><xsl:when test="{e}">true</xsl:when><xsl:otherwise>false</xsl:otherwise></xsl:choose>
<xsl:catch><xsl:value-of select="concat('!', local-name-from-QName($err:code))"/></xsl:catch>
</xsl:try></r></xsl:for-each></xsl:for-each></xsl:template></xsl:stylesheet>'''


def saxon_result(xslt, doc, expr, sheet=None):
    """What the official processor gives for `expr`, in the files' notation."""
    try:
        ex = xslt.compile_stylesheet(stylesheet_text=sheet or stylesheet(expr))
        out = ex.transform_to_string(xdm_node=doc)
        got = out.split("<r", 1)[1].split(">", 1)[1].rsplit("</r>", 1)[0] if "</r>" in out else ""
    except Exception as e:  # static error: the code is in the message
        msg = str(e)
        code = next((w for w in msg.replace(":", " ").split() if len(w) == 8 and w[:2].isalpha() and w[4:].isdigit()), "static")
        got = "!" + code
    return got.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def main():
    bad = 0
    total = 0
    with PySaxonProcessor(license=False) as proc:
        xslt = proc.new_xslt30_processor()
        doc = proc.parse_xml(xml_file_name=os.path.join(DIR, "context.xml"))
        for path in sorted(glob.glob(os.path.join(DIR, "*.txt"))):
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                expr, _, expected = line.partition(" => ")
                total += 1
                got = saxon_result(xslt, doc, expr)
                if got.strip() != expected.strip():
                    bad += 1
                    print(f"{os.path.basename(path)}:{n}: {expr}\n    expected {expected!r}\n    Saxon    {got!r}")
        truths = os.path.join(DIR, "truths")
        for path in sorted(glob.glob(os.path.join(truths, "*.txt"))):
            doc = proc.parse_xml(xml_file_name=os.path.join(truths, "context.xml"))
            context = "."
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("@@ "):
                    doc = proc.parse_xml(xml_file_name=os.path.join(truths, line[3:].strip()))
                    context = "."
                    continue
                if line.startswith("@ "):
                    context = line[2:]
                    continue
                expr, sep, expected = line.partition(" => ")
                got = saxon_result(xslt, doc, expr, truth_stylesheet(context, expr))
                if not sep:
                    if FILL:
                        print(f"{expr} => {got}")
                    else:
                        bad += 1
                        print(f"truths/{os.path.basename(path)}:{n}: {expr}: no expectation (Saxon: {got})")
                    continue
                total += 1
                if got.strip() != expected.strip():
                    bad += 1
                    print(f"truths/{os.path.basename(path)}:{n}: {expr}\n    expected {expected!r}\n    Saxon    {got!r}")
    print(f"{total - bad} of {total} expectations agree with Saxon")
    sys.exit(1 if bad else 0)


FILL = "--fill" in sys.argv

if __name__ == "__main__":
    main()
