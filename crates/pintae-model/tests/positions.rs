//! The positions found by scanning the text (`pintae_model::position`)
//! agree with the byte ranges roxmltree records when its `positions`
//! feature is on (as it is for this crate's tests only): every element's
//! start and end, every attribute's name, whole range and value, and every
//! element's first text child, and the line and column of every element
//! (against roxmltree's `text_pos_at`), over the fixtures in `testdata/positions`
//! and every document of the corpora.

use pintae_model::position::{element_end, element_start, start_tag_names, ElementStarts, Spans, TextPositions};

/// Checks one document; returns how many ranges were compared, 0 for text
/// that is not well-formed.
fn check(name: &str, text: &str) -> usize {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return 0;
    };
    let starts = ElementStarts::new(&doc);
    let spans = Spans::new(&doc);
    let lines = TextPositions::new(text);
    // roxmltree counts from the start of the text for each position: every
    // character boundary and element of the fixtures, a sample of the
    // corpora's
    let fixture = name.contains("testdata");
    let step = if fixture { 1 } else { text.len() / 8 + 1 };
    let mut compared = 0;
    for offset in (0..text.len()).step_by(step).chain([text.len(), text.len() + 1]) {
        if text.is_char_boundary(offset.min(text.len())) {
            let p = doc.text_pos_at(offset);
            assert_eq!(
                lines.at(text, offset),
                (p.row, p.col),
                "{name}: line and column at {offset}"
            );
        }
    }
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let at = format!("{name}: {:?}", n.tag_name());
        assert_eq!(starts.of(n), n.range().start, "{at}: start");
        if fixture || n.id().get() % 53 == 0 {
            let p = doc.text_pos_at(n.range().start);
            assert_eq!(lines.at(text, n.range().start), (p.row, p.col), "{at}: line and column");
        }
        assert_eq!(spans.element(n), n.range(), "{at}: element");
        assert_eq!(element_end(text, n.range().start), Some(n.range().end), "{at}: end");
        if n.id().get() % 97 == 0 {
            assert_eq!(element_start(n), n.range().start, "{at}: one-off start");
        }
        let first_text = n.first_child().filter(roxmltree::Node::is_text).map(|t| t.range());
        assert_eq!(spans.first_text(n), first_text, "{at}: first text");
        let (element, attributes) = start_tag_names(text, n.range().start).expect("a start tag");
        let tag = &text[n.range().start + 1..];
        assert!(tag.starts_with(element), "{at}: name as written");
        assert_eq!(attributes.len(), n.attributes().len(), "{at}: attributes");
        for (i, a) in n.attributes().enumerate() {
            assert_eq!(attributes[i], &text[a.range_qname()], "{at}: attribute {i} name");
            assert_eq!(
                spans.attribute(n, i),
                Some((a.range(), a.range_value())),
                "{at}: attribute {i}"
            );
            compared += 1;
        }
        compared += 1;
    }
    compared
}

#[test]
fn fixtures_and_corpora() {
    pintae_corpus::check_positions_corpora("positions", check);
}
