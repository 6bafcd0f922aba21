//! Rule contexts decided by an element's name are answered once per name,
//! and contexts with `@name = 'literal'` turn away elements whose attribute
//! differs; whatever the shortcut, a context `*[P]` must take exactly
//! the elements that `//*[P]` selects (an XPath whose results the
//! conformance files check against the official processor). The document
//! has one local name under two prefixes of one namespace and one prefix
//! bound to two namespaces.

use pintae_rules::schematron::{Schema, SchemaOutcome};
use pintae_rules::xpath::XPath;

const PREDICATES: &[&str] = &[
    "ends-with(name(), 'Code')",
    "ends-with(name(), 'x:Code')",
    "ends-with(name(), ':Code')",
    "ends-with(name(), 'yCode')",
    "name() = 'x:Code'",
    "starts-with(name(), 'y:')",
    "contains(name(), 'x:C')",
    "namespace-uri() = 'urn:example:a' and local-name() = 'Code'",
    "ends-with(local-name(), 'Amount') or namespace-uri() = 'urn:example:b'",
    "not(*) and not(normalize-space())",
    // an attribute compared with a literal turns elements away before the
    // other predicates are evaluated
    "@currencyID = 'AED'",
    "@currencyID = 'USD' and string-length(.) > 3",
    "string-length(.) > 3 and @currencyID = 'AED'",
];

/// How many times the rule `id` fired in `outcome`.
fn fired(outcome: &SchemaOutcome, id: &str) -> usize {
    outcome.failures.iter().filter(|f| f.id == id).count()
}

const NS: &[(&str, &str)] = &[
    ("ea", "urn:example:a"),
    ("eb", "urn:example:b"),
    (
        "cac",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    ),
    (
        "cbc",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    ),
];

/// The text of the conformance files' context document.
fn context_document() -> String {
    let path = pintae_corpus::workspace_dir().join("testdata/xpath/context.xml");
    std::fs::read_to_string(path).expect("context.xml")
}

/// A schema's start tag with the namespaces of [`NS`] declared.
fn schema_start() -> String {
    let mut sch = String::from("<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'>");
    for (p, u) in NS {
        sch.push_str(&format!("<ns prefix='{p}' uri='{u}'/>"));
    }
    sch
}

/// Runs a schema with one pattern per predicate `P` of [`PREDICATES`]
/// (context `*[P]`) over `text` and checks that each context took exactly
/// the elements `//*[P]` selects. How many predicates took some element.
fn contexts_take_what_paths_select(text: &str) -> usize {
    let doc = roxmltree::Document::parse(text).expect("well-formed");
    let mut sch = schema_start();
    for (i, p) in PREDICATES.iter().enumerate() {
        sch.push_str(&format!(
            "<pattern><rule context=\"*[{p}]\"><report id='p{i}' test='true()'>taken</report></rule></pattern>"
        ));
    }
    // a context that names the two Code elements, so that the names get
    // numbers (only numbered names are answered once per name)
    sch.push_str("<pattern><rule context='ea:Code | eb:Code'><report id='named' test='false()'/></rule></pattern>");
    sch.push_str("</schema>");
    let schema = Schema::parse("contexts.sch", &sch).expect("compiles");
    // elements after the first of each name get the remembered answer
    let outcome = schema.check(&doc);
    for (i, p) in PREDICATES.iter().enumerate() {
        let taken = fired(&outcome, &format!("p{i}"));
        let selected = XPath::compile(&format!("//*[{p}]"), NS)
            .expect("compiles")
            .evaluate_strings(doc.root())
            .expect("evaluates")
            .len();
        assert_eq!(taken, selected, "context *[{p}]");
    }
    PREDICATES
        .iter()
        .enumerate()
        .filter(|(i, _)| fired(&outcome, &format!("p{i}")) > 0)
        .count()
}

#[test]
fn name_decided_contexts_take_what_the_path_selects() {
    let taken_somewhere = contexts_take_what_paths_select(&context_document());
    assert!(taken_somewhere >= 8, "the fixture should exercise most predicates");
}

/// The empty-element context (`*[not(*) and not(normalize-space())]`,
/// answered from the tree without the evaluator) over every way an element
/// can be empty or nearly so: white space written as characters, character
/// references or CDATA, comments and processing instructions (no part of
/// the string value), an element child that is itself empty, a no-break
/// space (not XML white space).
#[test]
fn the_empty_element_context_takes_what_the_path_selects() {
    let text = "<r xmlns:cbc='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'>\
                <cbc:A/><cbc:B>  \n\t</cbc:B><cbc:C><!-- note --></cbc:C><cbc:D><![CDATA[ ]]></cbc:D>\
                <cbc:E><?pi data?></cbc:E><cbc:F> <cbc:G/> </cbc:F><cbc:H>&#x20;&#x9;&#xD;</cbc:H>\
                <cbc:I>x<!--c--></cbc:I><cbc:J><![CDATA[x]]></cbc:J><cbc:K>&#xA0;</cbc:K>\
                <cbc:L> <!--a--> <?b?> </cbc:L></r>";
    contexts_take_what_paths_select(text);
    // counted by hand: A, B, C, D, E, G, H and L are empty
    let doc = roxmltree::Document::parse(text).expect("well-formed");
    let empty = XPath::compile("//*[not(*) and not(normalize-space())]", NS)
        .expect("compiles")
        .evaluate_strings(doc.root())
        .expect("evaluates")
        .len();
    assert_eq!(empty, 8);
}

/// Within a pattern a later rule gets only the elements the earlier ones
/// leave, also when an earlier context is decided by the name alone and
/// answered once per name for every document the schema checks; a context
/// with more alternatives than the candidate mask holds still tries each.
#[test]
fn first_match_holds_when_names_are_settled_once_for_all_documents() {
    let text = context_document();
    let doc = roxmltree::Document::parse(&text).expect("well-formed");
    let mut sch = schema_start();
    sch.push_str(
        "<pattern><rule context=\"*[namespace-uri() = 'urn:example:a']\"><report id='a' test='true()'/></rule>",
    );
    sch.push_str("<rule context='ea:Code | eb:Code | cbc:ID'><report id='later' test='true()'/></rule></pattern>");
    let many: Vec<String> = (0..70).map(|i| format!("cbc:Z{i}")).collect();
    sch.push_str(&format!(
        "<pattern><rule context='cbc:Note | {} | cbc:Name'><report id='many' test='true()'/></rule></pattern>",
        many.join(" | ")
    ));
    // decided by the name for cbc:Note, not for cbc:ID (its second
    // alternative looks at the parent)
    sch.push_str("<pattern><rule context=\"cbc:Note | cac:InvoiceLine[cbc:ID = '2']/cbc:ID\"><report id='mixed' test='true()'/></rule>");
    sch.push_str("<rule context='cbc:ID | cbc:Note'><report id='rest' test='true()'/></rule></pattern>");
    sch.push_str("</schema>");
    let schema = Schema::parse("settled.sch", &sch).expect("compiles");
    // counted by hand in context.xml: two Code elements in urn:example:a,
    // one in urn:example:b and four cbc:ID (one in the second line); two
    // cbc:Note and two cbc:Name
    for round in 0..3 {
        let outcome = schema.check(&doc);
        assert_eq!(
            (fired(&outcome, "a"), fired(&outcome, "later"), fired(&outcome, "many")),
            (2, 5, 4),
            "check number {round}"
        );
        assert_eq!(
            (fired(&outcome, "mixed"), fired(&outcome, "rest")),
            (3, 3),
            "check number {round}"
        );
    }
}

/// The process numbers names as schemas are compiled, so a name that only a
/// later schema mentions gets its number after an earlier schema was built.
/// For the earlier schema it is a name none of its tests mention: its
/// elements are offered to the any-element contexts, and the answer of a
/// name-decided one is remembered like any other.
#[test]
fn names_numbered_by_a_later_schema_reach_the_earlier_schemas_any_element_rules() {
    // names used by no other test, so that they are new when `later` compiles
    let doc_text = "<r xmlns:q='urn:example:late'><q:LateProbeCode kind='x'/><q:LateProbeOther kind='x'/>\
                    <q:LateProbeCode/><q:LateProbeOther/></r>";
    let doc = roxmltree::Document::parse(doc_text).expect("well-formed");
    let earlier = Schema::parse(
        "earlier.sch",
        "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'><pattern>\
         <rule context=\"*[ends-with(local-name(), 'Code')]\"><report id='code' test='true()'/></rule>\
         <rule context=\"*[@kind = 'x']\"><report id='kind' test='true()'/></rule>\
         </pattern></schema>",
    )
    .expect("compiles");
    let later = Schema::parse(
        "later.sch",
        "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'>\
         <ns prefix='q' uri='urn:example:late'/><pattern>\
         <rule context='q:LateProbeCode | q:LateProbeOther'><report id='named' test='true()'/></rule>\
         </pattern></schema>",
    )
    .expect("compiles");
    for round in 0..3 {
        let outcome = earlier.check(&doc);
        // the two Code elements go to the first rule, whatever their
        // attribute; the Other element with kind='x' to the second
        assert_eq!(
            (fired(&outcome, "code"), fired(&outcome, "kind")),
            (2, 1),
            "check number {round}"
        );
    }
    assert_eq!(later.check(&doc).failures.len(), 4);
}

/// Rules whose alternatives all compare one attribute with literals are
/// turned away by the attribute's value before their contexts are matched,
/// the value read once for a run of such rules; a rule guarded by another
/// attribute, or with one unguarded alternative, sits between them, and
/// elements without the attribute or with another case of a value fall
/// through to the last rule.
#[test]
fn attribute_guards_keep_the_first_matching_rule() {
    let doc_text = "<r xmlns:cbc='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2' \
                    xmlns:cac='urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'>\
                    <cbc:Amount currencyID='EUR'>1</cbc:Amount>\
                    <cbc:Amount currencyID='AED' unit='x'>5</cbc:Amount>\
                    <cbc:Amount currencyID='AED'>5</cbc:Amount>\
                    <cbc:Amount currencyID='AED'>0</cbc:Amount>\
                    <cac:Line><cbc:Amount currencyID='USD'>1</cbc:Amount></cac:Line>\
                    <cbc:Amount currencyID='USD'>1</cbc:Amount>\
                    <cbc:Amount>9</cbc:Amount>\
                    <cbc:Amount currencyID='GBP'>1</cbc:Amount>\
                    <cbc:Amount currencyID='eur'>1</cbc:Amount>\
                    <cbc:Price currencyID='EUR'>1</cbc:Price></r>";
    let doc = roxmltree::Document::parse(doc_text).expect("well-formed");
    let mut sch = schema_start();
    sch.push_str("<pattern>");
    for (id, context) in [
        (
            "eur",
            "cbc:Amount[@currencyID = 'EUR'] | cbc:Price[@currencyID = 'EUR']",
        ),
        ("unit", "cbc:Amount[@unit = 'x']"),
        (
            "aed-usd",
            "cbc:Amount[@currencyID = 'AED' and . &gt; 1] | cac:Line/cbc:Amount[@currencyID = 'USD']",
        ),
        (
            "mixed",
            "cbc:Amount[@currencyID = 'GBP'] | cbc:Amount[starts-with(., '9')]",
        ),
        ("rest", "cbc:Amount"),
    ] {
        sch.push_str(&format!(
            "<rule context=\"{context}\"><report id='{id}' test='true()'/></rule>"
        ));
    }
    sch.push_str("</pattern></schema>");
    let schema = Schema::parse("guards.sch", &sch).expect("compiles");
    // counted by hand in the document above
    for round in 0..2 {
        let outcome = schema.check(&doc);
        assert_eq!(
            [
                fired(&outcome, "eur"),
                fired(&outcome, "unit"),
                fired(&outcome, "aed-usd"),
                fired(&outcome, "mixed"),
                fired(&outcome, "rest")
            ],
            [2, 1, 2, 2, 3],
            "check number {round}"
        );
    }
    // a context with more alternatives than the candidate mask holds: the
    // one past 64 counts for the guard like the others
    let mut sch = schema_start();
    let many: Vec<String> = (0..69)
        .map(|i| format!("cbc:Amount[@currencyID = 'X{i}']"))
        .chain(["cbc:Amount[@currencyID = 'GBP']".to_string()])
        .collect();
    sch.push_str(&format!(
        "<pattern><rule context=\"{}\"><report id='many' test='true()'/></rule>\
         <rule context='cbc:Amount'><report id='rest' test='true()'/></rule></pattern></schema>",
        many.join(" | ")
    ));
    let schema = Schema::parse("many-guards.sch", &sch).expect("compiles");
    let outcome = schema.check(&doc);
    // nine cbc:Amount, one of them in GBP
    assert_eq!([fired(&outcome, "many"), fired(&outcome, "rest")], [1, 8]);
}

/// A context whose alternatives step from a named parent turns away
/// elements under other parents before matching; each context still takes
/// exactly the elements its path selects from anywhere, and a later rule of
/// the pattern gets the ones an earlier rule with a parent step leaves.
#[test]
fn contexts_with_a_parent_step_take_what_their_paths_select() {
    let text = context_document();
    let doc = roxmltree::Document::parse(&text).expect("well-formed");
    // (context, the path that selects the same elements from anywhere)
    let cases: &[(&str, &str)] = &[
        ("cac:InvoiceLine/cbc:ID", "//cac:InvoiceLine/cbc:ID"),
        (
            "cac:Item/cbc:Name | cac:InvoiceLine/cbc:ID",
            "//(cac:Item/cbc:Name | cac:InvoiceLine/cbc:ID)",
        ),
        (
            "cac:InvoiceLine[cbc:ID = '2']/cbc:ID",
            "//cac:InvoiceLine[cbc:ID = '2']/cbc:ID",
        ),
        (
            "cac:Item/cbc:ID | cac:Price/cbc:ID | cac:InvoiceLine/cbc:ID",
            "//cac:InvoiceLine/cbc:ID",
        ),
        ("*/cbc:ID", "//*/cbc:ID"),
        ("cac:InvoiceLine//cbc:Name", "//cac:InvoiceLine//cbc:Name"),
        ("cac:Item/cbc:Flag", "//cac:Item/cbc:Flag"),
        (
            "cac:InvoiceLine/cac:Item/cbc:Name",
            "//cac:InvoiceLine/cac:Item/cbc:Name",
        ),
    ];
    let mut sch = schema_start();
    for (i, (context, _)) in cases.iter().enumerate() {
        sch.push_str(&format!(
            "<pattern><rule context=\"{context}\"><report id='c{i}' test='true()'/></rule></pattern>"
        ));
    }
    // the line IDs go to the first rule, the document's own ID to the second
    sch.push_str("<pattern><rule context='cac:InvoiceLine/cbc:ID'><report id='line' test='true()'/></rule>");
    sch.push_str("<rule context='cbc:ID'><report id='other' test='true()'/></rule></pattern>");
    sch.push_str("</schema>");
    let schema = Schema::parse("parents.sch", &sch).expect("compiles");
    let outcome = schema.check(&doc);
    for (i, (context, path)) in cases.iter().enumerate() {
        let selected = XPath::compile(path, NS)
            .expect("compiles")
            .evaluate_strings(doc.root())
            .expect("evaluates")
            .len();
        assert_eq!(fired(&outcome, &format!("c{i}")), selected, "context {context}");
    }
    // counted by hand in context.xml: three line IDs and the invoice's ID
    assert_eq!((fired(&outcome, "c0"), fired(&outcome, "c2")), (3, 1));
    assert_eq!((fired(&outcome, "line"), fired(&outcome, "other")), (3, 1));
}
