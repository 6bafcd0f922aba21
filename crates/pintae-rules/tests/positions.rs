//! Names as written: the evaluator reads a prefix from the namespaces in
//! scope and reads the start tag only when a namespace has several
//! prefixes. Both ways must give the name the text has, which is read here
//! from the start tag found by `pintae_model::position` (itself checked
//! against roxmltree's recorded ranges in pintae-model's tests), over the
//! fixtures in `testdata/positions` and every document of the corpora.
//! Over the same documents, the place among same-named siblings that a
//! failure's location path gives each element agrees with counting the
//! preceding siblings of that name, with the document numbered (as a check
//! numbers it) and without, and the line and column of each element agree
//! with roxmltree's.

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
    let mut numbered = Evaluator::new(&lib);
    numbered.number_elements(&doc);
    let mut compared = 0;
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let start = starts.of(n);
        assert_eq!(ev.element_start(n), start, "{name}: start of {:?}", n.tag_name());
        let place = 1 + n
            .prev_siblings()
            .skip(1)
            .filter(|s| s.is_element() && s.tag_name() == n.tag_name())
            .count();
        assert_eq!(ev.sibling_place(n), place, "{name}: place of {:?}", n.tag_name());
        assert_eq!(
            numbered.sibling_place(n),
            place,
            "{name}: numbered, place of {:?}",
            n.tag_name()
        );
        if n.id().get() % 53 == 0 || name.contains("testdata") {
            let p = doc.text_pos_at(start);
            assert_eq!(numbered.text_position(n), (p.row, p.col), "{name}: line and column");
        }
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
fn fixtures_and_corpora() {
    pintae_corpus::check_positions_corpora("names", check);
}
