//! A compiled validator is shared across threads: `Send + Sync`, and the
//! same verdicts whichever thread asks.

use std::sync::Arc;

use pintae_rules::schematron::Schema;
use pintae_rules::Validator;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn validator_is_send_and_sync() {
    assert_send_sync::<Validator>();
    assert_send_sync::<Schema>();
}

/// The project's test data, and a validator of its demo rules to share.
fn demo_validator() -> (std::path::PathBuf, Arc<Validator>) {
    let root = pintae_corpus::workspace_dir().join("testdata");
    let sch = std::fs::read_to_string(root.join("schematron/pintae-demo.sch")).expect("demo rules");
    let v = Validator::new(vec![Schema::parse("pintae-demo.sch", &sch).expect("compiles")]);
    (root, Arc::new(v))
}

#[test]
fn one_validator_many_threads() {
    let (root, v) = demo_validator();
    let docs: Vec<Vec<u8>> = [
        "examples/coffee-roaster-invoice.xml",
        "cli/negative-line.xml",
        "cli/bad-amount.xml",
    ]
    .iter()
    .map(|p| std::fs::read(root.join(p)).expect("fixture"))
    .collect();
    let expected: Vec<_> = docs.iter().map(|d| v.validate(d)).collect();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let v = Arc::clone(&v);
            let docs = docs.clone();
            std::thread::spawn(move || {
                (0..50)
                    .map(|i| v.validate(&docs[(i + t) % docs.len()]))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for (t, h) in handles.into_iter().enumerate() {
        for (i, r) in h.join().expect("thread").into_iter().enumerate() {
            assert_eq!(r, expected[(i + t) % docs.len()]);
        }
    }
}

/// `doc` with `count` elements inserted before its end tag, each with a
/// name no rule mentions, unique to `tag`.
fn with_invented_names(doc: &str, tag: &str, count: usize) -> Vec<u8> {
    let at = doc.rfind("</").expect("an end tag");
    let extra: String = (0..count)
        .map(|k| format!("<x:N{tag}k{k} xmlns:x=\"urn:pintae:invented\">v</x:N{tag}k{k}>"))
        .collect();
    format!("{}{extra}{}", &doc[..at], &doc[at..]).into_bytes()
}

#[test]
fn documents_with_new_names_on_many_threads_at_once() {
    use pintae_rules::xpath::compile::{names, MAX_DOCUMENT_NAMES};
    let (root, v) = demo_validator();
    let base = std::fs::read_to_string(root.join("examples/coffee-roaster-invoice.xml")).expect("fixture");
    let before = names().len();
    // 4 threads × 40 documents × 8 new names: past the bound on names
    // taken from documents, so that some threads number names while
    // others find the table full
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (v, base) = (Arc::clone(&v), base.clone());
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        let doc = with_invented_names(&base, &format!("t{t}d{i}"), 8);
                        let first = v.validate(&doc);
                        (doc, first)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        for (doc, first) in h.join().expect("thread") {
            // now with every name the table took numbered
            assert_eq!(v.validate(&doc), first, "the verdict does not depend on numbering");
        }
    }
    let grown = names().len() - before;
    assert!(grown > 0, "names of the documents were numbered");
    assert!(
        grown <= MAX_DOCUMENT_NAMES,
        "{grown} names taken from documents, more than {MAX_DOCUMENT_NAMES}"
    );
}
