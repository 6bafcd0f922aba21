//! Lexical mutants for the hunt: an invoice written the other ways XML
//! allows, as other tools write it (comments and processing instructions
//! inside values, CDATA sections, character references, other prefixes, a
//! default namespace, whitespace inside tags, single quotes, empty-element
//! tags), and edits that only appear in hand-made or badly generated XML
//! (foreign elements, text between elements, a prefix bound to another
//! namespace on a subtree, whitespace around a value or inside an
//! attribute value), and names with characters past ASCII, which the XML
//! editions judge apart. A correct engine gives the first kind the verdict
//! of the unchanged document; the oracle decides both.

use std::ops::Range;

use pintae_model::position::Spans;

use super::{leaf_text, mutant, Edit, Rng};
use crate::Doc;

/// Prefixes a renamed namespace may take (none is used by the examples).
const PREFIXES: &[&str] = &["a", "ns0", "cbc2", "x-y", "_u", "b.c"];
/// Elements added under an aggregate: in a foreign namespace, in none (or
/// the default one in scope) and in UBL's own basic components.
const FOREIGN: &[&str] = &[
    "<ext:Note xmlns:ext=\"urn:example:ext\">1</ext:Note>",
    "<Extra>x</Extra>",
    "<ext:Empty xmlns:ext=\"urn:example:ext\"/>",
    "<cbc:Note xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">n</cbc:Note>",
];
/// Text put between the children of an aggregate.
const MIXED: &[&str] = &["x", " 7 ", "&#160;", "&amp;"];
/// Whitespace around a value, written as it is or as references.
const AROUND: &[&str] = &[" ", "\n    ", "\t", "\r\n", "\r", "&#13;", "&#9;", "&#160;"];
/// Put into an attribute value: what attribute-value normalisation turns
/// into spaces (literal tabs and line ends) and what it keeps (references).
const IN_ATTRIBUTE: &[&str] = &["\t", "\n", "\r\n", " ", "&#9;", "&#10;", "&#13;", "&#32;", "&#x41;"];
/// Characters past ASCII for names: Arabic letters and digits, Latin,
/// combining and extender characters, and ones that only XML 1.0's fifth
/// edition lets into a name (U+3400, U+D7FF, U+1F600), so that some of
/// these names are well-formed for the official parser and some are not.
const WIDE: &[&str] = &[
    "ملحق",
    "\u{0660}",
    "é",
    "\u{0300}",
    "\u{00B7}",
    "\u{0E46}",
    "\u{3400}",
    "\u{D7FF}",
    "\u{1F600}",
];

/// The offset of the `>` that ends the start tag at `start`.
fn start_tag_end(text: &str, start: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.get(start..)?.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '>') => return Some(start + i),
            _ => {}
        }
    }
    None
}

/// Where an attribute goes in the start tag at `start`: before its `>`,
/// or before the `/` of an empty-element tag.
fn attribute_slot(text: &str, start: usize) -> Option<usize> {
    let end = start_tag_end(text, start)?;
    Some(if text.get(end - 1..end) == Some("/") {
        end - 1
    } else {
        end
    })
}

/// The element's name as written in its start tag at `start`.
fn written_name(text: &str, start: usize) -> Option<&str> {
    let rest = text.get(start + 1..)?;
    let len = rest.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')?;
    rest.get(..len)
}

/// A random offset in `range` that is a character boundary outside any
/// entity or character reference.
fn boundary(text: &str, range: Range<usize>, r: &mut Rng) -> Option<usize> {
    let raw = text.get(range.clone())?;
    let mut at = Vec::new();
    let mut in_ref = false;
    for (i, c) in raw.char_indices() {
        if !in_ref {
            at.push(range.start + i);
        }
        match c {
            '&' => in_ref = true,
            ';' => in_ref = false,
            _ => {}
        }
    }
    at.push(range.end);
    r.pick(&at).copied()
}

/// The declared namespace prefixes of the document (`xmlns:p="…"`).
fn declared_prefixes(doc: &roxmltree::Document) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for ns in n.namespaces() {
            if let Some(p) = ns.name() {
                if p != "xml" && !out.iter().any(|q| q == p) {
                    out.push(p.to_string());
                }
            }
        }
    }
    out
}

/// `text` with prefix `from` renamed to `to` in tags and declarations.
fn rename_prefix(text: &str, from: &str, to: &str) -> String {
    text.replace(&format!("<{from}:"), &format!("<{to}:"))
        .replace(&format!("</{from}:"), &format!("</{to}:"))
        .replace(&format!("xmlns:{from}="), &format!("xmlns:{to}="))
}

/// One lexical edit of `text`, or `None` when the drawn edit does not apply.
fn lexical_once(text: &str, r: &mut Rng) -> Option<String> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let spans = Spans::new(&doc);
    let elements: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.is_element()).collect();
    let leaves: Vec<(roxmltree::Node, Range<usize>)> = elements
        .iter()
        .filter_map(|n| Some((*n, leaf_text(&spans, *n)?)))
        .collect();
    let aggregates: Vec<roxmltree::Node> = elements
        .iter()
        .copied()
        .filter(|n| n.children().any(|c| c.is_element()))
        .collect();
    let edit = match r.below(16) {
        // a comment or a processing instruction inside a value
        0 | 1 => {
            let (_, range) = r.pick(&leaves)?.clone();
            let at = boundary(text, range, r)?;
            let markup = if r.below(2) == 0 { "<!--c-->" } else { "<?pi x?>" };
            Edit {
                range: at..at,
                text: markup.into(),
            }
        }
        // part of a value as a CDATA section
        2 => {
            let (_, range) = r.pick(&leaves)?.clone();
            let a = boundary(text, range.clone(), r)?;
            let b = boundary(text, a..range.end, r)?;
            let raw = text.get(a..b)?;
            if raw.contains('&') {
                return None;
            }
            Edit {
                range: a..b,
                text: format!("<![CDATA[{raw}]]>"),
            }
        }
        // one character of a value as a character reference
        3 => {
            let (_, range) = r.pick(&leaves)?.clone();
            let raw = text.get(range.clone())?;
            if raw.contains('&') {
                return None;
            }
            let chars: Vec<(usize, char)> = raw.char_indices().collect();
            let (i, c) = *r.pick(&chars)?;
            let reference = if r.below(2) == 0 {
                format!("&#{};", u32::from(c))
            } else {
                format!("&#x{:x};", u32::from(c))
            };
            Edit {
                range: range.start + i..range.start + i + c.len_utf8(),
                text: reference,
            }
        }
        // whitespace before the end of a start tag or of an end tag
        4 => {
            let n = *r.pick(&elements)?;
            let span = spans.element(n);
            let at = if r.below(2) == 0 {
                attribute_slot(text, span.start)?
            } else {
                if text.get(span.end - 2..span.end) == Some("/>") {
                    return None;
                }
                span.end - 1
            };
            Edit {
                range: at..at,
                text: r.pick(&[" ", "\n  ", "\t"])?.to_string(),
            }
        }
        // an attribute value in single quotes, with spaces around `=`
        5 => {
            let with: Vec<_> = elements.iter().filter(|n| n.attributes().len() > 0).collect();
            let n = **r.pick(&with)?;
            let i = r.below(n.attributes().len());
            let (whole, value) = spans.attribute(n, i)?;
            let raw = text.get(value.clone())?;
            if raw.contains('\'') {
                return None;
            }
            let name = text
                .get(whole.start..value.start - 1)?
                .trim_end()
                .trim_end_matches('=')
                .trim_end();
            Edit {
                range: whole,
                text: format!("{name} = '{raw}'"),
            }
        }
        // a namespace under another prefix, everywhere
        6 => {
            let prefixes = declared_prefixes(&doc);
            let from = r.pick(&prefixes)?;
            let to = r.pick(PREFIXES)?;
            if prefixes.iter().any(|p| p == to) {
                return None;
            }
            return Some(rename_prefix(text, from, to));
        }
        // a leaf's namespace as the default namespace of the leaf
        7 => {
            let (n, _) = *r.pick(&leaves)?;
            let span = spans.element(n);
            let name = written_name(text, span.start)?;
            let uri = n.tag_name().namespace()?;
            let local = n.tag_name().name();
            let end_tag = text.get(..span.end)?.rfind("</")?;
            let head = format!("<{local} xmlns=\"{uri}\"");
            let inner = text.get(span.start + 1 + name.len()..end_tag)?;
            Edit {
                range: span,
                text: format!("{head}{inner}</{local}>"),
            }
        }
        // a comment, a processing instruction or whitespace between elements
        8 => {
            let n = *r.pick(&elements[1..])?;
            let at = spans.element(n).start;
            Edit {
                range: at..at,
                text: r.pick(&["<!-- between -->", "<?pi between?>", "\n\n\t "])?.to_string(),
            }
        }
        // an empty element written the other way
        9 => {
            let empty: Vec<_> = elements.iter().filter(|n| !n.has_children()).collect();
            let n = **r.pick(&empty)?;
            let span = spans.element(n);
            let whole = text.get(span.clone())?;
            let name = written_name(text, span.start)?;
            let replaced = if let Some(head) = whole.strip_suffix("/>") {
                format!("{}></{name}>", head.trim_end())
            } else {
                let tag_end = start_tag_end(text, span.start)?;
                format!("{}/>", text.get(span.start..tag_end)?)
            };
            Edit {
                range: span,
                text: replaced,
            }
        }
        // an element UBL does not have, first or last in an aggregate
        10 => {
            let n = *r.pick(&aggregates)?;
            let span = spans.element(n);
            let at = if r.below(2) == 0 {
                start_tag_end(text, span.start)? + 1
            } else {
                text.get(..span.end)?.rfind("</")?
            };
            Edit {
                range: at..at,
                text: r.pick(FOREIGN)?.to_string(),
            }
        }
        // text between the children of an aggregate
        11 => {
            let n = *r.pick(&aggregates)?;
            let span = spans.element(n);
            let at = start_tag_end(text, span.start)? + 1;
            Edit {
                range: at..at,
                text: r.pick(MIXED)?.to_string(),
            }
        }
        // a prefix bound to another namespace on one element
        12 => {
            let prefixes = declared_prefixes(&doc);
            let p = r.pick(&prefixes)?;
            let n = *r.pick(&elements[1..])?;
            let at = attribute_slot(text, spans.element(n).start)?;
            Edit {
                range: at..at,
                text: format!(" xmlns:{p}=\"urn:example:other\""),
            }
        }
        // whitespace, line ends or a reference in an attribute value
        14 => {
            let with: Vec<_> = elements.iter().filter(|n| n.attributes().len() > 0).collect();
            let n = **r.pick(&with)?;
            let (_, value) = spans.attribute(n, r.below(n.attributes().len()))?;
            let at = boundary(text, value, r)?;
            Edit {
                range: at..at,
                text: r.pick(IN_ATTRIBUTE)?.to_string(),
            }
        }
        // a foreign element or attribute whose name has characters past
        // ASCII, at its start, after a prefix or inside
        15 => {
            let n = *r.pick(&aggregates)?;
            let wide = r.pick(WIDE)?;
            let name = match r.below(3) {
                0 => format!("{wide}x"),
                1 => format!("x{wide}"),
                _ => format!("x{wide}y"),
            };
            let start = spans.element(n).start;
            let (at, markup) = if r.below(2) == 0 {
                (attribute_slot(text, start)?, format!(" {name}=\"1\""))
            } else {
                // an aggregate has children, so its start tag is not empty
                let at = start_tag_end(text, start)? + 1;
                (at, format!("<ext:{name} xmlns:ext=\"urn:example:ext\"/>"))
            };
            Edit {
                range: at..at,
                text: markup,
            }
        }
        // whitespace around a value
        _ => {
            let (_, range) = r.pick(&leaves)?.clone();
            let at = if r.below(2) == 0 { range.start } else { range.end };
            Edit {
                range: at..at,
                text: r.pick(AROUND)?.to_string(),
            }
        }
    };
    Some(edit.apply(text))
}

/// `per_example` lexical mutants of each example (PINT-AE and EN 16931),
/// named `lexical/<example>/<i>`: half start from a random mutant
/// (`super::mutant`, without grafts), and each gets one to three lexical
/// edits, every one but a name past ASCII keeping the document
/// well-formed; seeded like
/// [`super::random_mutants`].
pub fn lexical_mutants(examples: &[Doc], seed: &str, per_example: usize) -> Vec<Doc> {
    let mut out = Vec::new();
    for ex in examples {
        let seed = format!("{seed}lexical/{}", ex.name);
        for i in 0..per_example {
            let mut r = Rng::new(&seed, i as u64);
            let mut cur = if r.below(2) == 0 {
                mutant(&ex.text, &[], &seed, i as u64)
            } else {
                ex.text.clone()
            };
            let edits = 1 + r.below(3);
            let mut made = 0;
            // a drawn edit may not apply; a few more draws find one that does
            for _ in 0..edits * 4 {
                if made == edits {
                    break;
                }
                if let Some(next) = lexical_once(&cur, &mut r) {
                    if roxmltree::Document::parse(&next).is_ok() {
                        cur = next;
                        made += 1;
                    }
                }
            }
            out.push(Doc {
                name: format!("lexical/{}/{i}", ex.name.rsplit('/').next().unwrap_or("x")),
                ruleset: ex.ruleset,
                text: cur,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "<?xml version=\"1.0\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" xmlns:cac=\"urn:c\" xmlns:cbc=\"urn:b\">\n  <cbc:ID>A&amp;1</cbc:ID>\n  <cac:Party a=\"1\" b='2'>\n    <cbc:Name>Shop</cbc:Name>\n    <cbc:Note/>\n  </cac:Party>\n</Invoice>\n";

    /// Every lexical edit keeps the document well-formed, or is skipped;
    /// but a name past ASCII, which may be meant not to be.
    #[test]
    fn edits_keep_documents_well_formed() {
        let doc = Doc {
            name: "x/sample".into(),
            ruleset: "pint-ae-billing",
            text: SAMPLE.into(),
        };
        let (mut changed, mut wide_names) = (0, 0);
        for d in lexical_mutants(std::slice::from_ref(&doc), "t", 300) {
            let wide = !d.text.is_ascii();
            assert!(wide || roxmltree::Document::parse(&d.text).is_ok(), "{}", d.text);
            changed += usize::from(d.text != SAMPLE);
            wide_names += usize::from(wide);
        }
        assert!(changed > 250, "only {changed} of 300 mutants differ");
        assert!(
            wide_names > 5,
            "only {wide_names} of 300 mutants have a name past ASCII"
        );
    }

    /// The same namespace under another prefix: every tag and declaration.
    #[test]
    fn prefix_rename_keeps_names() {
        let renamed = rename_prefix(SAMPLE, "cbc", "b.c");
        let before = roxmltree::Document::parse(SAMPLE).expect("sample");
        let after = roxmltree::Document::parse(&renamed).expect("renamed sample");
        let names = |d: &roxmltree::Document| -> Vec<(String, String)> {
            d.descendants()
                .filter(|n| n.is_element())
                .map(|n| {
                    (
                        n.tag_name().namespace().unwrap_or("").into(),
                        n.tag_name().name().into(),
                    )
                })
                .collect()
        };
        assert_eq!(names(&before), names(&after));
        assert!(renamed.contains("<b.c:Name>Shop</b.c:Name>"));
    }

    /// Markup is never put inside an entity reference.
    #[test]
    fn boundaries_skip_references() {
        let mut r = Rng::new("b", 0);
        let at = SAMPLE.find("A&amp;1").expect("a reference in the sample");
        for _ in 0..100 {
            let b = boundary(SAMPLE, at..at + 7, &mut r).expect("a boundary");
            assert!(![at + 2, at + 3, at + 4, at + 5].contains(&b), "{b} is inside &amp;");
        }
    }
}
