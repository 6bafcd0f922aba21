//! Names as written: the evaluator reads a prefix from the namespaces in
//! scope and reads the start tag only when a namespace has several
//! prefixes. Both ways must give the name the text has, which is read here
//! from the start tag found by `pintae_model::position` (itself checked
//! against roxmltree's recorded ranges in pintae-model's tests), over the
//! fixtures in `testdata/positions` and every document of the corpora.

use pintae_model::position::{start_tag_names, ElementStarts};
use pintae_rules::xpath::{Evaluator, Library, XNode};

/// Checks every element and attribute of one document; returns how many
/// names were compared, 0 for text that is not well-formed.
fn check(name: &str, text: &str) -> usize {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return 0;
    };
    let starts = ElementStarts::new(&doc);
    let lib = Library::default();
    let mut ev = Evaluator::new(&lib);
    let mut compared = 0;
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let start = starts.of(n);
        assert_eq!(ev.element_start(n), start, "{name}: start of {:?}", n.tag_name());
        let (written, attributes) = start_tag_names(text, start).expect("a start tag");
        assert_eq!(
            ev.lexical_name(&XNode::new(n)).to_string(),
            written,
            "{name}: element name"
        );
        assert_eq!(
            attributes.len(),
            n.attributes().len(),
            "{name}: attributes of {written}"
        );
        for (i, want) in attributes.iter().enumerate() {
            let x = XNode {
                node: n,
                attr: i as u32 + 1,
            };
            assert_eq!(
                ev.lexical_name(&x).to_string(),
                *want,
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
        eprintln!("names/{group}: {} documents, {compared} names agree", docs.len());
        assert!(
            compared > docs.len() * 10,
            "{group}: too few names compared ({compared})"
        );
    }
}
