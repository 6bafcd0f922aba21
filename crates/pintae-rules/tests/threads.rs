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

#[test]
fn one_validator_many_threads() {
    let root = pintae_corpus::workspace_dir().join("testdata");
    let sch = std::fs::read_to_string(root.join("schematron/pintae-demo.sch")).expect("demo rules");
    let v = Arc::new(Validator::new(vec![
        Schema::parse("pintae-demo.sch", &sch).expect("compiles")
    ]));
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
