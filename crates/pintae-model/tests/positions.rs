//! The positions found by scanning the text (`pintae_model::position`)
//! agree with the byte ranges roxmltree records when its `positions`
//! feature is on (as it is for this crate's tests only): every element's
//! start and end, every attribute's name, whole range and value, and every
//! element's first text child, over the fixtures in `testdata/positions`
//! and every document of the corpora.

use pintae_model::position::{element_end, element_start, start_tag_names, ElementStarts, Spans};

/// Checks one document; returns how many ranges were compared, 0 for text
/// that is not well-formed.
fn check(name: &str, text: &str) -> usize {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return 0;
    };
    let starts = ElementStarts::new(&doc);
    let spans = Spans::new(&doc);
    let mut compared = 0;
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let at = format!("{name}: {:?}", n.tag_name());
        assert_eq!(starts.of(n), n.range().start, "{at}: start");
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
