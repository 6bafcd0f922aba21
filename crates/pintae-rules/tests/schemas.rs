//! Coverage: every assert, rule, pattern and function of the official rule
//! files compiles, and nothing is skipped silently; the reader takes the
//! unqualified attributes only.

mod common;

/// (file under reference/, patterns, rules, asserts, xsl:functions), counted
/// from the files themselves.
const COUNTS: &[(&str, usize, usize, usize, usize)] = &[
    (
        "pint-ae/billing/schematron/PINT-UBL-validation-preprocessed.sch",
        2,
        70,
        170,
        11,
    ),
    (
        "pint-ae/billing/schematron/PINT-jurisdiction-aligned-rules.sch",
        2,
        46,
        132,
        1,
    ),
    (
        "pint-ae/selfbilling/schematron/PINT-UBL-validation-preprocessed.sch",
        2,
        70,
        170,
        11,
    ),
    (
        "pint-ae/selfbilling/schematron/PINT-jurisdiction-aligned-rules.sch",
        2,
        46,
        132,
        1,
    ),
    (
        "en16931-ubl/schematron/EN16931-UBL-validation-preprocessed.sch",
        3,
        104,
        979,
        0,
    ),
];

#[test]
fn every_official_assert_compiles() {
    let Some(shared) = pintae_corpus::shared_or_skip("every_official_assert_compiles") else {
        return;
    };
    for (file, patterns, rules, asserts, functions) in COUNTS {
        let s = common::official_schema(&shared, file);
        let st = s.stats();
        assert_eq!(
            (st.patterns, st.rules, st.asserts, st.functions),
            (*patterns, *rules, *asserts, *functions),
            "{file}"
        );
        assert_eq!(s.checks().count(), *asserts, "{file}: checks listed");
        // independent count straight from the text, so a changed file is noticed
        let text = std::fs::read_to_string(shared.join("reference").join(file)).expect("read");
        assert_eq!(text.matches("<assert ").count(), *asserts, "{file}: text count");
    }
}

/// A Schematron attribute is the unqualified one: an attribute of another
/// namespace with the same local name, even written first, is not it.
#[test]
fn a_namespaced_attribute_is_not_the_schematron_attribute() {
    let sch = "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'>\
               <pattern><rule context='*'>\
               <assert xmlns:q='urn:example:q' q:id='other' id='own' q:flag='other' test='true()'>m</assert>\
               </rule></pattern></schema>";
    let schema = pintae_rules::schematron::Schema::parse("attributes.sch", sch).expect("compiles");
    let checks: Vec<_> = schema.checks().map(|c| (c.id, c.flag)).collect();
    assert_eq!(checks, vec![(Some("own"), None)]);
}

/// A truth that two asserts of a rule share (`cbc:Y = 'a'`, computed once
/// per firing) is the truth for the element the rule fires on: kept across
/// the asserts of one element, never carried over to the next.
#[test]
fn a_truth_shared_by_asserts_belongs_to_one_firing() {
    let sch = "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'>\
               <ns prefix='cbc' uri='urn:example:cbc'/>\
               <pattern><rule context='cbc:X'>\
               <assert id='needs-z' test=\"not(cbc:Y = 'a') or cbc:Z\">z</assert>\
               <assert id='needs-w' test=\"cbc:Y = 'a' or cbc:W\">w</assert>\
               </rule></pattern></schema>";
    let schema = pintae_rules::schematron::Schema::parse("shared.sch", sch).expect("compiles");
    // the first X has Y = 'a' and a Z: both hold; the second has Y = 'b'
    // and no W: only needs-w fails (a truth kept from the first X would
    // fail needs-z instead)
    let xml = "<r xmlns:cbc='urn:example:cbc'>\n\
               <cbc:X><cbc:Y>a</cbc:Y><cbc:Z/></cbc:X>\n\
               <cbc:X><cbc:Y>b</cbc:Y></cbc:X>\n\
               </r>";
    let doc = roxmltree::Document::parse(xml).expect("parses");
    let outcome = schema.check(&doc);
    let fired: Vec<_> = outcome.failures.iter().map(|f| (f.id.as_str(), f.line)).collect();
    assert_eq!(fired, vec![("needs-w", 3)]);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
}
