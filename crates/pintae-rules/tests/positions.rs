//! Positions and names as written are found by scanning the text (pintae
//! builds roxmltree without per-node byte ranges). Tests build it with
//! them, so every element's start and every element's and attribute's name
//! as written can be checked against what roxmltree recorded, over the
//! fixtures in `testdata/positions` and every document of the corpora.

use pintae_rules::xpath::{Evaluator, Library, XNode};

/// Checks every element and attribute of one document; returns how many
/// names were compared, 0 for text that is not well-formed.
fn check(name: &str, text: &str) -> usize {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return 0;
    };
    let lib = Library::default();
    let mut ev = Evaluator::new(&lib);
    let mut compared = 0;
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let start = n.range().start;
        assert_eq!(ev.element_start(n), start, "{name}: start of {:?}", n.tag_name());
        assert_eq!(pintae_model::position::element_start(n), start, "{name}: one-off start");
        let end = pintae_model::position::element_end(text, start);
        assert_eq!(end, Some(n.range().end), "{name}: end of {:?}", n.tag_name());
        let tag = &text[start + 1..];
        let written = &tag[..tag
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(0)];
        assert_eq!(
            ev.lexical_name(&XNode::new(n)).to_string(),
            written,
            "{name}: element name"
        );
        for (i, a) in n.attributes().enumerate() {
            let x = XNode {
                node: n,
                attr: i as u32 + 1,
            };
            assert_eq!(
                ev.lexical_name(&x).to_string(),
                &text[a.range_qname()],
                "{name}: attribute name on {written}"
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
    assert!(n >= 20, "only {n} names compared");
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
            "positions/{group}: {} documents, {compared} names and starts agree",
            docs.len()
        );
        assert!(
            compared > docs.len() * 10,
            "{group}: too few names compared ({compared})"
        );
    }
}
