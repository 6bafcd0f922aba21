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
fn fixtures() {
    let dir = pintae_corpus::workspace_dir().join("testdata/positions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("testdata/positions") {
        let path = e.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("fixture");
        let compared = check(&path.display().to_string(), &text);
        assert!(compared > 0, "{}: not well-formed", path.display());
        n += compared;
    }
    assert!(n >= 20, "only {n} ranges compared");
}

#[test]
fn corpora() {
    let Some(shared) = pintae_corpus::shared_or_skip("positions/corpora") else {
        return;
    };
    for group in ["examples", "cen", "mutants"] {
        let docs = pintae_corpus::group(&shared, group).expect("corpus");
        let compared: usize = docs.iter().map(|d| check(&d.name, &d.text)).sum();
        eprintln!(
            "positions/{group}: {} documents, {compared} elements and attributes agree",
            docs.len()
        );
        assert!(compared > docs.len() * 10, "{group}: too few compared ({compared})");
    }
}
