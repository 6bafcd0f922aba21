//! Where elements are in a document's text, found by scanning the text
//! (quick-xml) instead of being stored by roxmltree for every node.
//!
//! roxmltree can keep a byte range per node (its `positions` feature), at
//! 16 bytes a node: 8 MB for a 4,000-line invoice, for positions that are
//! needed only to report a failure or to read a prefix as written. pintae
//! builds without that feature and, when a position is needed, scans the
//! text once: the n-th start tag in the text is the n-th element in
//! document order, since roxmltree has already accepted the document as
//! well-formed.

use std::ops::Range;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The byte offset of each element's start tag (its `<`), by node id,
/// built by one scan of the text.
#[derive(Debug)]
pub struct ElementStarts {
    by_id: Vec<u32>,
}

impl ElementStarts {
    /// Scans `doc`'s text once.
    pub fn new(doc: &roxmltree::Document<'_>) -> ElementStarts {
        let mut by_id = vec![0u32; node_count(doc)];
        let mut starts = StartTags::new(doc.input_text(), 0);
        for e in doc.descendants().filter(roxmltree::Node::is_element) {
            let Some(at) = starts.next() else { break };
            if let Some(slot) = by_id.get_mut(e.id().get_usize()) {
                *slot = u32::try_from(at).unwrap_or(u32::MAX);
            }
        }
        ElementStarts { by_id }
    }

    /// The offset of `n`'s start tag; 0 for the root and for nodes that are
    /// not elements.
    pub fn of(&self, n: roxmltree::Node<'_, '_>) -> usize {
        self.by_id.get(n.id().get_usize()).map_or(0, |&s| s as usize)
    }
}

/// Line and column of byte offsets in one text, as roxmltree's
/// `Document::text_pos_at` gives them (the line is one more than the
/// newlines before the offset, the column one more than the characters
/// since the last of them), from one scan of the text. roxmltree counts
/// from the start of the text on every call, which made reporting a failure
/// on each line of a 4,000-line invoice take seconds; here a lookup is a
/// binary search and a count over at most two blocks of the text.
#[derive(Debug)]
pub struct TextPositions {
    /// The offset of every `\n`, in order.
    newlines: Vec<usize>,
    /// For block `k`, the characters in the text before byte `k * BLOCK`.
    chars_before: Vec<usize>,
}

/// Bytes per block of [`TextPositions::chars_before`].
const BLOCK: usize = 1024;

impl TextPositions {
    /// Scans `text` once.
    pub fn new(text: &str) -> TextPositions {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        let mut chars_before = Vec::with_capacity(text.len() / BLOCK + 2);
        let mut seen = 0;
        for block in text.as_bytes().chunks(BLOCK) {
            chars_before.push(seen);
            seen += chars_in(block);
        }
        // for the end of a text that fills its last block
        chars_before.push(seen);
        TextPositions { newlines, chars_before }
    }

    /// The (line, column) of byte `offset` of `text` (the text this table
    /// was built from); an offset past the end is taken as the end.
    pub fn at(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let before = self.newlines.partition_point(|&n| n < offset);
        let line_start = match before.checked_sub(1).and_then(|i| self.newlines.get(i)) {
            Some(&newline) => newline + 1,
            None => 0,
        };
        let column = self
            .chars_upto(text, offset)
            .saturating_sub(self.chars_upto(text, line_start));
        let wide = |n: usize| u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX);
        (wide(before), wide(column))
    }

    /// The characters in `text` before byte `offset`.
    fn chars_upto(&self, text: &str, offset: usize) -> usize {
        let block = offset / BLOCK;
        let counted = self.chars_before.get(block).copied().unwrap_or(0);
        counted + text.as_bytes().get(block * BLOCK..offset).map_or(0, chars_in)
    }
}

/// The characters that start in `bytes` (a slice of valid UTF-8, possibly
/// cut inside a character at either end): its bytes that do not continue
/// a character.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// Byte ranges in a document's text of its elements, attributes and text
/// nodes (what roxmltree's `range()` gives when it keeps them), from one
/// table of start tags and a scan of the tag asked about.
#[derive(Debug)]
pub struct Spans<'t> {
    text: &'t str,
    starts: ElementStarts,
}

impl<'t> Spans<'t> {
    /// Scans `doc`'s text once for its start tags.
    pub fn new(doc: &roxmltree::Document<'t>) -> Spans<'t> {
        Spans {
            text: doc.input_text(),
            starts: ElementStarts::new(doc),
        }
    }

    /// An element, from its start tag to the end of its end tag.
    pub fn element(&self, n: roxmltree::Node<'_, '_>) -> Range<usize> {
        let start = self.starts.of(n);
        start..element_end(self.text, start).unwrap_or(start)
    }

    /// The text node that is `n`'s first child, if it is one: from the end
    /// of the start tag to the next markup.
    pub fn first_text(&self, n: roxmltree::Node<'_, '_>) -> Option<Range<usize>> {
        n.first_child().filter(roxmltree::Node::is_text)?;
        let start = self.starts.of(n);
        let tag = StartTag::at(self.text, start)?;
        if tag.empty {
            return None;
        }
        let from = start + usize::try_from(tag.reader.buffer_position()).ok()?;
        let len = self.text.get(from..)?.find('<')?;
        Some(from..from + len)
    }

    /// Attribute `i` of element `n` (in roxmltree's order): the whole
    /// `name="value"` and the value without its quotes.
    pub fn attribute(&self, n: roxmltree::Node<'_, '_>, i: usize) -> Option<(Range<usize>, Range<usize>)> {
        let start = self.starts.of(n);
        let tag = StartTag::at(self.text, start)?;
        let a = tag.own_attributes().nth(i)??;
        // a raw value is always borrowed from the text read
        let std::borrow::Cow::Borrowed(value) = a.value else {
            return None;
        };
        let key_at = start + offset_in(tag.rest, a.key.as_ref())?;
        let value_at = start + offset_in(tag.rest, value)?;
        let value_end = value_at + value.len();
        // the closing quote follows the value
        Some((key_at..value_end + 1, value_at..value_end))
    }
}

/// The offset of one element's start tag, without a table: a walk of the
/// tree up to `n` and a scan of the text up to its tag (for error paths).
pub fn element_start(n: roxmltree::Node<'_, '_>) -> usize {
    if !n.is_element() {
        return 0;
    }
    let doc = n.document();
    let ordinal = doc
        .descendants()
        .filter(roxmltree::Node::is_element)
        .take_while(|e| e.id() != n.id())
        .count();
    StartTags::new(doc.input_text(), 0).nth(ordinal).unwrap_or(0)
}

/// The offset just past the end tag of the element whose start tag is at
/// `start` (past `/>` for an empty-element tag); `None` when the text from
/// `start` does not begin with a complete element.
pub fn element_end(text: &str, start: usize) -> Option<usize> {
    let mut tag = StartTag::at(text, start)?;
    if !tag.empty {
        let name = tag.event.name();
        tag.reader.read_to_end(name).ok()?;
    }
    Some(start + usize::try_from(tag.reader.buffer_position()).ok()?)
}

/// The qualified names of a start tag as written: the element's, then its
/// attributes' in document order (namespace declarations left out, as
/// roxmltree leaves them out of an element's attributes).
pub fn start_tag_names(text: &str, start: usize) -> Option<(&str, Vec<&str>)> {
    let tag = StartTag::at(text, start)?;
    let element = lexical(tag.rest, tag.event.name().as_ref())?;
    let mut attributes = Vec::new();
    for a in tag.own_attributes() {
        attributes.push(lexical(tag.rest, a?.key.as_ref())?);
    }
    Some((element, attributes))
}

/// The start or empty-element tag at an offset of a text, read with the
/// reader left just past it.
struct StartTag<'t> {
    /// The text from the tag on; the event's slices borrow from it.
    rest: &'t str,
    reader: Reader<&'t [u8]>,
    event: BytesStart<'t>,
    /// An empty-element tag (`<a/>`).
    empty: bool,
}

impl<'t> StartTag<'t> {
    /// `None` when no start or empty-element tag begins at `start`.
    fn at(text: &'t str, start: usize) -> Option<StartTag<'t>> {
        let rest = text.get(start..)?;
        let mut reader = Reader::from_str(rest);
        let (event, empty) = match reader.read_event().ok()? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            _ => return None,
        };
        Some(StartTag {
            rest,
            reader,
            event,
            empty,
        })
    }

    /// The attributes in document order, namespace declarations left out
    /// (as roxmltree leaves them out of an element's attributes); `None`
    /// for one that does not read.
    fn own_attributes(&self) -> impl Iterator<Item = Option<Attribute<'_>>> {
        let mut all = self.event.attributes();
        all.with_checks(false);
        all.map(Result::ok).filter(|a| {
            a.as_ref()
                .is_none_or(|a| a.key.as_ref() != b"xmlns" && !a.key.as_ref().starts_with(b"xmlns:"))
        })
    }
}

/// Where `bytes`, a slice of `text`, starts in it; `None` when it is not
/// one.
fn offset_in(text: &str, bytes: &[u8]) -> Option<usize> {
    let at = (bytes.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    (at + bytes.len() <= text.len()).then_some(at)
}

/// `bytes` (borrowed from `text`) as a `&str` slice of `text`.
fn lexical<'t>(text: &'t str, bytes: &[u8]) -> Option<&'t str> {
    let at = offset_in(text, bytes)?;
    text.get(at..at + bytes.len())
}

/// How many nodes a document has (node ids are `0..count`): the last node
/// in document order is reached by taking the last child from the root.
pub fn node_count(doc: &roxmltree::Document<'_>) -> usize {
    let mut n = doc.root();
    while let Some(c) = n.last_child() {
        n = c;
    }
    n.id().get_usize() + 1
}

/// The offsets of the start tags (`<` of start and empty-element tags) in
/// a well-formed text, in order.
struct StartTags<'t> {
    reader: Reader<&'t [u8]>,
    base: usize,
}

impl<'t> StartTags<'t> {
    fn new(text: &'t str, base: usize) -> StartTags<'t> {
        // quick-xml skips a byte order mark without counting it, so the
        // scan starts after one
        let rest = text.get(base..).unwrap_or("");
        let (base, rest) = match rest.strip_prefix('\u{feff}') {
            Some(after) => (base + '\u{feff}'.len_utf8(), after),
            None => (base, rest),
        };
        StartTags {
            reader: Reader::from_str(rest),
            base,
        }
    }
}

impl Iterator for StartTags<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            let before = usize::try_from(self.reader.buffer_position()).ok()?;
            match self.reader.read_event() {
                Ok(Event::Start(_) | Event::Empty(_)) => return Some(self.base + before),
                Ok(Event::Eof) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "<?xml version='1.0'?>\n<!-- a > b --><a:r xmlns:a='urn:a' xmlns='urn:d'>\
        <x k='1 > 0' a:k='2'/><![CDATA[<y>]]><?pi <z>?>\n  <y>t<z/></y></a:r>";

    #[test]
    fn start_tags_are_found_past_comments_cdata_pis_and_quoted_brackets() {
        let doc = roxmltree::Document::parse(DOC).expect("well-formed");
        let starts = ElementStarts::new(&doc);
        let got: Vec<(String, &str)> = doc
            .descendants()
            .filter(roxmltree::Node::is_element)
            .map(|e| {
                let at = starts.of(e);
                assert_eq!(element_start(e), at);
                (e.tag_name().name().to_string(), &DOC[at..at + 3])
            })
            .collect();
        let want = [("r", "<a:"), ("x", "<x "), ("y", "<y>"), ("z", "<z/")];
        assert_eq!(got, want.map(|(a, b)| (a.to_string(), b)));
    }

    #[test]
    fn a_byte_order_mark_is_counted() {
        let text = "\u{feff}<a>\n<b x='1'/></a>";
        let doc = roxmltree::Document::parse(text).expect("well-formed");
        let starts = ElementStarts::new(&doc);
        let got: Vec<usize> = doc
            .descendants()
            .filter(roxmltree::Node::is_element)
            .map(|e| starts.of(e))
            .collect();
        assert_eq!(got, [3, 7]);
        let b = doc.descendants().find(|e| e.has_tag_name("b")).expect("b");
        assert_eq!(element_start(b), 7);
    }

    #[test]
    fn element_ends_and_names_as_written() {
        let y = DOC.rfind("<y>").expect("y (the one outside CDATA)");
        assert_eq!(&DOC[y..element_end(DOC, y).expect("end")], "<y>t<z/></y>");
        let x = DOC.find("<x ").expect("x");
        assert_eq!(&DOC[x..element_end(DOC, x).expect("end")], "<x k='1 > 0' a:k='2'/>");
        let r = DOC.find("<a:r").expect("r");
        assert_eq!(start_tag_names(DOC, r), Some(("a:r", vec![])));
        assert_eq!(start_tag_names(DOC, x), Some(("x", vec!["k", "a:k"])));
        assert_eq!(element_end(DOC, DOC.len()), None);
        assert_eq!(element_end("<a><b></a>", 0), None);
    }
}
