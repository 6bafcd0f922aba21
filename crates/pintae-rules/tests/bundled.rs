//! The bundled rule sets: they load and compile without any files, carry
//! exactly the official rule ids, document every rule, and are chosen from
//! the document's specification identifier.

mod common;

use std::collections::BTreeSet;

use pintae_rules::bundled::{self, ChoiceError, Selection};

#[test]
fn every_rule_set_compiles_and_every_rule_is_documented() {
    let sets = bundled::rulesets().expect("rule files parse");
    let ids: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["en16931-ubl", "pint-ae-billing", "pint-ae-selfbilling"]);
    for s in sets {
        s.validator().unwrap_or_else(|e| panic!("{}: {e}", s.id));
        assert!(!s.valid_from.is_empty() && !s.version.is_empty());
        for r in s.rules().expect("rule files parse") {
            for (what, text) in [
                ("message", &r.message),
                ("explanation", &r.explanation),
                ("fix", &r.fix),
            ] {
                assert!(text.trim().len() >= 5, "{}/{}: {what} is missing", s.id, r.id);
            }
            assert!(
                matches!(r.flag.as_str(), "fatal" | "warning"),
                "{}: flag {}",
                r.id,
                r.flag
            );
        }
    }
}

/// Ids of the official files (needs `../shared`).
fn official_ids(shared: &std::path::Path, files: &[&str]) -> BTreeSet<String> {
    files
        .iter()
        .flat_map(|f| {
            let s = common::official_schema(shared, f);
            s.checks().filter_map(|c| c.id.map(str::to_string)).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn rule_ids_are_exactly_the_official_ones() {
    let Some(shared) = pintae_corpus::shared_or_skip("rule_ids_are_exactly_the_official_ones") else {
        return;
    };
    for (name, files) in pintae_corpus::RULESETS {
        let set = bundled::ruleset(name).expect("bundled");
        let ours: BTreeSet<String> = set.rules().expect("rules").iter().map(|r| r.id.clone()).collect();
        let theirs = official_ids(&shared, files);
        let missing: Vec<_> = theirs.difference(&ours).collect();
        let extra: Vec<_> = ours.difference(&theirs).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:?}, extra {extra:?}"
        );
        eprintln!("{name}: {} rule ids, identical to the official files", ours.len());
    }
}

fn invoice(customization: Option<&str>) -> String {
    let cid = customization
        .map(|c| format!("<cbc:CustomizationID>{c}</cbc:CustomizationID>"))
        .unwrap_or_default();
    format!(
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">{cid}<cbc:ID>1</cbc:ID></Invoice>"
    )
}

#[test]
fn the_rule_set_is_chosen_from_the_specification_identifier() {
    let cases = [
        ("urn:peppol:pint:billing-1@ae-1", "pint-ae-billing"),
        ("urn:peppol:pint:billing-1@ae-2", "pint-ae-billing"),
        ("urn:peppol:pint:selfbilling-1@ae-1", "pint-ae-selfbilling"),
        ("urn:cen.eu:en16931:2017", "en16931-ubl"),
        (
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
            "en16931-ubl",
        ),
        ("  urn:peppol:pint:billing-1@ae-1 ", "pint-ae-billing"),
    ];
    for (cid, want) in cases {
        assert_eq!(bundled::choose(Some(cid)).map(|s| s.id.as_str()), Ok(want), "{cid}");
        let r = bundled::validate(invoice(Some(cid)).as_bytes(), Selection::Auto);
        assert!(r.input_error.is_none(), "{cid}: {:?}", r.input_error);
        assert!(
            r.ruleset.as_deref().is_some_and(|x| x.starts_with(want)),
            "{cid}: {:?}",
            r.ruleset
        );
        assert!(!r.valid, "an invoice with nothing but an id is not valid");
    }
}

#[test]
fn unknown_or_missing_specification_is_a_clear_input_error() {
    match bundled::choose(Some("urn:example:unknown")) {
        Err(ChoiceError::UnknownSpecification { found, known }) => {
            assert_eq!(found, "urn:example:unknown");
            assert!(known.contains("urn:peppol:pint:billing-1@ae-1"), "{known}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        bundled::choose(None),
        Err(ChoiceError::NoSpecification { .. })
    ));
    let r = bundled::validate(invoice(Some("123")).as_bytes(), Selection::Auto);
    let e = r.input_error.expect("no rule set for 123").to_string();
    assert!(e.contains("\"123\"") && e.contains("urn:cen.eu:en16931:2017"), "{e}");
    assert!(!r.valid);
    // an explicit choice judges any document
    let set = bundled::ruleset("en16931-ubl").expect("bundled");
    let r = bundled::validate(invoice(None).as_bytes(), Selection::Fixed(set));
    assert_eq!(r.ruleset.as_deref(), Some("en16931-ubl@1.3.16"));
    assert!(r.input_error.is_none());
}

#[test]
fn failures_carry_terms_and_fix_hints() {
    let r = bundled::validate(
        invoice(Some("urn:peppol:pint:billing-1@ae-1")).as_bytes(),
        Selection::Auto,
    );
    assert!(!r.failed.is_empty());
    assert!(
        r.failed.iter().all(|f| f.fix.is_some()),
        "every bundled rule has a fix hint"
    );
    assert!(
        r.failed.iter().any(|f| !f.terms.is_empty()),
        "some failures name business terms"
    );
}

/// PINT-AE rules no document can make the official validator report, each
/// with its reason in the rule's `note` (see `rules/`).
const NEVER_REPORTED: &[&str] = &[
    "ibr-011-ae", // context is an attribute: never visited
    "ibr-013-ae", // context is an attribute: never visited
    "ibr-187-ae", // test is true()
    "ibr-sr-23",  // counts a path that cannot exist
    "ibr-098",    // only fails together with an XPTY0004 abort
    "ibr-102",    // only fails together with an XPTY0004 abort
    "ibr-sr-22",  // only fails together with an XPTY0004 abort
];

/// Every PINT-AE rule fires on some document of the corpora (as recorded
/// from the official validator, which the parity tests hold pintae to),
/// except the few that cannot, each explained in its rule file.
#[test]
fn the_corpora_make_every_pint_ae_rule_fire() {
    let mut fired = BTreeSet::new();
    for group in ["examples", "mutants"] {
        for e in pintae_corpus::read_expected(group).expect("recorded verdicts") {
            fired.extend(e.failed);
        }
    }
    let set = bundled::ruleset("pint-ae-billing").expect("bundled");
    let rules = set.rules().expect("rules");
    let unfired: Vec<&str> = rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    eprintln!(
        "PINT-AE: {} of {} rule ids fire in the corpora; never: {unfired:?}",
        rules.len() - unfired.len(),
        rules.len()
    );
    let mut want: Vec<&str> = NEVER_REPORTED.to_vec();
    want.sort_unstable();
    let mut got = unfired.clone();
    got.sort_unstable();
    assert_eq!(got, want, "rules that never fire");
    for id in NEVER_REPORTED {
        let r = set.rule(id).expect("rules").expect("rule exists");
        assert!(r.note.is_some(), "{id}: the rule file must say why it never fires");
    }
}
