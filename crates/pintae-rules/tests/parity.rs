//! Verdict parity with the official validator: for every document of the
//! derived corpora, the multiset of failed assertion ids equals the one the
//! oracle recorded in `testdata/oracle/<group>.jsonl`, `valid` agrees, and a
//! document on which the official validator aborted is never passed.

mod common;

use std::collections::HashMap;

use pintae_corpus::{read_expected, Expected};

/// Which rules judge the corpus.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// The official `.sch` files, read at run time.
    Official,
    /// The project's own rule files, bundled in the library.
    Bundled,
}

fn check_group(group: &str, rules: Rules) {
    let label = match rules {
        Rules::Official => format!("parity/{group}"),
        Rules::Bundled => format!("parity-bundled/{group}"),
    };
    let Some(shared) = pintae_corpus::shared_or_skip(&label) else {
        return;
    };
    let official = match rules {
        Rules::Official => common::official_validators(&shared),
        Rules::Bundled => HashMap::new(),
    };
    let validator = |ruleset: &str| match rules {
        Rules::Official => &official[ruleset],
        Rules::Bundled => pintae_rules::bundled::ruleset(ruleset)
            .and_then(|s| s.validator())
            .unwrap_or_else(|e| panic!("{e}")),
    };
    let docs = pintae_corpus::group(&shared, group).expect("corpus");
    let expected: HashMap<String, Expected> = read_expected(group)
        .expect("oracle verdicts")
        .into_iter()
        .map(|e| (e.doc.clone(), e))
        .collect();
    let mut mismatches = Vec::new();
    let mut oracle_errors = 0;
    for d in &docs {
        let Some(exp) = expected.get(&d.name) else {
            mismatches.push(format!(
                "{}: no recorded oracle verdict (run scripts/record-oracle.sh)",
                d.name
            ));
            continue;
        };
        assert_eq!(exp.ruleset, d.ruleset, "{}: rule set changed", d.name);
        let report = validator(d.ruleset).validate(d.text.as_bytes());
        if exp.error {
            oracle_errors += 1;
            if report.valid || (report.rule_errors.is_empty() && report.input_error.is_none()) {
                mismatches.push(format!(
                    "{}: the oracle aborted with an error, pintae found no error",
                    d.name
                ));
            }
            continue;
        }
        if let Some(e) = &report.input_error {
            mismatches.push(format!("{}: input error {e}", d.name));
            continue;
        }
        if !report.rule_errors.is_empty() {
            let e = &report.rule_errors[0];
            mismatches.push(format!(
                "{}: pintae raised {} in {:?} at {}: {} (oracle: no error)",
                d.name, e.code, e.id, e.location, e.message
            ));
            continue;
        }
        let mut ours: Vec<String> = report.failed.iter().map(|f| f.id.clone()).collect();
        ours.sort();
        if ours != exp.failed {
            let missing: Vec<_> = multiset_minus(&exp.failed, &ours);
            let extra: Vec<_> = multiset_minus(&ours, &exp.failed);
            mismatches.push(format!("{}: missing {missing:?}, extra {extra:?}", d.name));
            continue;
        }
        let oracle_valid = exp.fatal.is_empty();
        if report.valid != oracle_valid {
            mismatches.push(format!(
                "{}: valid={} but oracle valid={oracle_valid}",
                d.name, report.valid
            ));
        }
    }
    eprintln!(
        "{label}: {} documents, {} mismatches ({} on which the oracle aborted)",
        docs.len(),
        mismatches.len(),
        oracle_errors
    );
    if !mismatches.is_empty() {
        for m in mismatches.iter().take(40) {
            eprintln!("  {m}");
        }
        panic!(
            "{} of {} documents differ from the official verdict",
            mismatches.len(),
            docs.len()
        );
    }
}

fn multiset_minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut b = b.to_vec();
    let mut out = Vec::new();
    for x in a {
        match b.iter().position(|y| y == x) {
            Some(i) => {
                b.remove(i);
            }
            None => out.push(x.clone()),
        }
    }
    out
}

#[test]
fn official_examples() {
    check_group("examples", Rules::Official);
}

#[test]
fn cen_unit_test_documents() {
    check_group("cen", Rules::Official);
}

#[test]
fn mutants() {
    check_group("mutants", Rules::Official);
}

#[test]
fn bundled_official_examples() {
    check_group("examples", Rules::Bundled);
}

#[test]
fn bundled_cen_unit_test_documents() {
    check_group("cen", Rules::Bundled);
}

#[test]
fn bundled_mutants() {
    check_group("mutants", Rules::Bundled);
}

/// Reports how many of the CEN unit tests' own expectations hold for pintae
/// (and for the oracle), and requires pintae to hold exactly as many as the
/// oracle does.
#[test]
fn cen_unit_test_expectations() {
    let Some(shared) = pintae_corpus::shared_or_skip("cen_unit_test_expectations") else {
        return;
    };
    let validators = common::official_validators(&shared);
    let tests = pintae_corpus::cen_unit_tests(&shared).expect("unit tests");
    let expected: HashMap<String, Expected> = read_expected("cen")
        .expect("oracle verdicts")
        .into_iter()
        .map(|e| (e.doc.clone(), e))
        .collect();
    let (mut total, mut ours_hold, mut oracle_hold) = (0, 0, 0);
    for t in &tests {
        let r = validators["en16931-ubl"].validate(t.doc.text.as_bytes());
        let ids: Vec<&str> = r.failed.iter().map(|f| f.id.as_str()).collect();
        let exp = &expected[&t.doc.name];
        let holds = |fired: &dyn Fn(&str) -> bool| {
            t.must_fire.iter().filter(|id| fired(id)).count() + t.must_not_fire.iter().filter(|id| !fired(id)).count()
        };
        total += t.must_fire.len() + t.must_not_fire.len();
        ours_hold += holds(&|id| ids.contains(&id));
        oracle_hold += holds(&|id| exp.failed.iter().any(|x| x == id));
    }
    eprintln!(
        "CEN unit tests: {} documents, {total} expectations; {ours_hold} hold for pintae, {oracle_hold} for the official validator",
        tests.len()
    );
    assert_eq!(ours_hold, oracle_hold);
    assert!(total > 1000, "too few expectations read: {total}");
}
