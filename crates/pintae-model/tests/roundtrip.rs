//! Write → read → write is stable: on generated documents (proptest) and on
//! every official PINT-AE example (when `../shared` is present).

use std::path::PathBuf;

use pintae_model::doc::*;
use pintae_model::value::{
    Amount, Code, CountryCode, CurrencyCode, Date, Identifier, Indicator, Numeric, Quantity, Text,
};
use pintae_model::DocumentKind;
use pintae_model::{Document, Line};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn stable(d: &Document) -> Result<(), TestCaseError> {
    let first = d.to_xml().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let text = String::from_utf8(first.xml.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let (back, cx) = Document::from_xml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert!(cx.skipped.is_empty(), "skipped {:?}", cx.skipped);
    prop_assert_eq!(&back, d);
    let second = back.to_xml().map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(first.xml, second.xml);
    Ok(())
}

#[test]
fn official_examples_read_and_write_back_unchanged() {
    let Some(shared) = pintae_corpus::shared_or_skip("official_examples_read_and_write_back_unchanged") else {
        return;
    };
    let mut n = 0;
    for sub in ["billing", "selfbilling"] {
        let dir = shared.join("reference/pint-ae").join(sub).join("examples");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "xml")) {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let (d, cx) = Document::from_xml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert!(
                cx.skipped.is_empty(),
                "{}: the model has no place for {:?}",
                p.display(),
                cx.skipped
            );
            if let Err(e) = stable(&d) {
                panic!("{}: {e}", p.display());
            }
            n += 1;
        }
    }
    assert!(n >= 30, "only {n} examples");
}

fn text() -> impl Strategy<Value = Text> {
    "[A-Za-z0-9 &<>\"'/.,:;()#@+-]{1,24}".prop_map(Text::new)
}

fn ident() -> impl Strategy<Value = Identifier> {
    (
        "[A-Za-z0-9-]{1,16}",
        proptest::option::of("[0-9A-Z]{2,4}"),
        proptest::option::of(prop_oneof![Just("TL".to_string()), Just("PAS".to_string())]),
        // attribute values with every character XML escapes
        proptest::option::of("[A-Za-z &<>\"']{1,20}"),
    )
        .prop_map(|(v, s, a, n)| Identifier {
            value: v,
            scheme_id: s,
            scheme_agency_id: a,
            scheme_agency_name: n,
            ..Identifier::default()
        })
}

fn code() -> impl Strategy<Value = Code> {
    ("[A-Z0-9]{1,4}", proptest::option::of("[A-Z]{2,3}")).prop_map(|(v, l)| Code {
        value: v,
        list_id: l,
        ..Code::default()
    })
}

fn dec() -> impl Strategy<Value = Decimal> {
    (-10_000_000_000i64..10_000_000_000i64, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s))
}

fn currency() -> impl Strategy<Value = iso_currency::Currency> {
    prop_oneof![
        Just(iso_currency::Currency::AED),
        Just(iso_currency::Currency::USD),
        Just(iso_currency::Currency::EUR),
        Just(iso_currency::Currency::SAR)
    ]
}

fn amount() -> impl Strategy<Value = Amount> {
    (dec(), currency()).prop_map(|(v, c)| Amount::new(v, c))
}

fn date() -> impl Strategy<Value = Date> {
    (2000u32..2100, 1u32..13, 1u32..29)
        .prop_map(|(y, m, d)| Date::parse_str(&format!("{y:04}-{m:02}-{d:02}")).unwrap_or_default())
}

fn country() -> impl Strategy<Value = Country> {
    prop_oneof![Just("AE"), Just("SA"), Just("DE"), Just("IN"), Just("OM")].prop_map(|c| Country {
        identification_code: CountryCode::from_alpha2(c).ok(),
        ..Country::default()
    })
}

fn address() -> impl Strategy<Value = Address> {
    (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::collection::vec(text(), 0..2),
        country(),
    )
        .prop_map(|(street, city, sub, lines, country)| Address {
            street_name: street,
            city_name: city,
            country_subentity: sub,
            address_line: lines
                .into_iter()
                .map(|l| AddressLine {
                    line: Some(l),
                    ..AddressLine::default()
                })
                .collect(),
            country: Some(country),
            ..Address::default()
        })
}

fn party() -> impl Strategy<Value = Party> {
    (
        proptest::option::of(ident()),
        proptest::option::of(text()),
        address(),
        proptest::option::of(ident()),
        proptest::option::of((text(), ident())),
    )
        .prop_map(|(endpoint, name, addr, trn, legal)| Party {
            endpoint_id: endpoint,
            party_name: name
                .into_iter()
                .map(|n| PartyName {
                    name: Some(n),
                    ..PartyName::default()
                })
                .collect(),
            postal_address: Some(addr),
            party_tax_scheme: trn
                .into_iter()
                .map(|t| PartyTaxScheme {
                    company_id: Some(t),
                    tax_scheme: Some(TaxScheme {
                        id: Some(Identifier::new("VAT")),
                        ..TaxScheme::default()
                    }),
                    ..PartyTaxScheme::default()
                })
                .collect(),
            party_legal_entity: legal
                .into_iter()
                .map(|(n, id)| PartyLegalEntity {
                    registration_name: Some(n),
                    company_id: Some(id),
                    ..PartyLegalEntity::default()
                })
                .collect(),
            ..Party::default()
        })
}

fn category() -> impl Strategy<Value = TaxCategory> {
    (
        prop_oneof![Just("S"), Just("Z"), Just("E"), Just("O"), Just("AE")],
        proptest::option::of(dec()),
        proptest::option::of(text()),
    )
        .prop_map(|(id, pct, reason)| TaxCategory {
            id: Some(Identifier::new(id)),
            percent: pct.map(Numeric::new),
            tax_exemption_reason: reason.into_iter().collect(),
            tax_scheme: Some(TaxScheme {
                id: Some(Identifier::new("VAT")),
                ..TaxScheme::default()
            }),
            ..TaxCategory::default()
        })
}

fn allowance() -> impl Strategy<Value = AllowanceCharge> {
    (
        any::<bool>(),
        amount(),
        proptest::option::of(amount()),
        proptest::option::of(code()),
        proptest::collection::vec(category(), 0..2),
    )
        .prop_map(|(charge, a, base, reason, cats)| AllowanceCharge {
            charge_indicator: Some(Indicator::new(charge)),
            allowance_charge_reason_code: reason,
            amount: Some(a),
            base_amount: base,
            tax_category: cats,
            ..AllowanceCharge::default()
        })
}

fn line() -> impl Strategy<Value = Line> {
    (
        ident(),
        dec(),
        "[A-Z0-9]{2,3}",
        amount(),
        text(),
        category(),
        amount(),
        proptest::collection::vec(allowance(), 0..2),
        proptest::option::of(amount()),
        proptest::collection::vec(text(), 0..2),
    )
        .prop_map(|(id, qty, unit, net, name, cat, price, charges, aed, notes)| Line {
            id: Some(id),
            note: notes,
            quantity: Some(Quantity::new(qty, unit)),
            line_extension_amount: Some(net),
            allowance_charge: charges,
            item: Some(Item {
                name: Some(name),
                classified_tax_category: vec![cat],
                ..Item::default()
            }),
            price: Some(Price {
                price_amount: Some(price),
                ..Price::default()
            }),
            item_price_extension: aed.map(|a| PriceExtension {
                amount: Some(a),
                ..PriceExtension::default()
            }),
            ..Line::default()
        })
}

fn document() -> impl Strategy<Value = Document> {
    (
        (
            any::<bool>(),
            ident(),
            date(),
            proptest::option::of(date()),
            code(),
            proptest::collection::vec(text(), 0..3),
            currency(),
        ),
        (
            party(),
            party(),
            proptest::collection::vec(allowance(), 0..3),
            amount(),
            proptest::collection::vec((amount(), amount(), category()), 0..3),
        ),
        (
            proptest::collection::vec(line(), 1..5),
            proptest::option::of((ident(), date())),
            proptest::option::of(code()),
        ),
    )
        .prop_map(
            |(
                (cn, id, issue, due, type_code, notes, cur),
                (seller, buyer, charges, total, subs),
                (lines, preceding, reason),
            )| {
                let kind = if cn {
                    DocumentKind::CreditNote
                } else {
                    DocumentKind::Invoice
                };
                let mut d = Document::new(kind);
                d.customization_id = Some(Identifier::new("urn:peppol:pint:billing-1@ae-1"));
                d.id = Some(id);
                d.issue_date = Some(issue);
                if !cn {
                    d.due_date = due;
                }
                d.type_code = Some(type_code);
                d.note = notes;
                d.document_currency_code = Some(CurrencyCode::new(cur));
                if cn {
                    d.discrepancy_response = reason
                        .into_iter()
                        .map(|r| Response {
                            response_code: Some(r),
                            ..Response::default()
                        })
                        .collect();
                }
                d.billing_reference = preceding
                    .into_iter()
                    .map(|(pid, pdate)| BillingReference {
                        invoice_document_reference: Some(DocumentReference {
                            id: Some(pid),
                            issue_date: Some(pdate),
                            ..DocumentReference::default()
                        }),
                        ..BillingReference::default()
                    })
                    .collect();
                d.accounting_supplier_party = Some(SupplierParty {
                    party: Some(seller),
                    ..SupplierParty::default()
                });
                d.accounting_customer_party = Some(CustomerParty {
                    party: Some(buyer),
                    ..CustomerParty::default()
                });
                d.allowance_charge = charges;
                d.tax_total = vec![TaxTotal {
                    tax_amount: Some(total.clone()),
                    tax_subtotal: subs
                        .into_iter()
                        .map(|(t, a, c)| TaxSubtotal {
                            taxable_amount: Some(t),
                            tax_amount: Some(a),
                            tax_category: Some(c),
                            ..TaxSubtotal::default()
                        })
                        .collect(),
                    ..TaxTotal::default()
                }];
                d.legal_monetary_total = Some(MonetaryTotal {
                    payable_amount: Some(total),
                    ..MonetaryTotal::default()
                });
                d.lines = lines;
                d
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn write_read_write_is_stable(d in document()) {
        stable(&d)?;
    }
}

#[test]
fn a_credit_note_has_no_place_for_a_due_date() {
    let mut d = Document::new(DocumentKind::CreditNote);
    d.due_date = Date::parse_str("2026-01-31").ok();
    assert_eq!(d.misplaced(), vec!["DueDate"]);
    let xml = String::from_utf8(d.to_xml().map(|w| w.xml).unwrap_or_default()).unwrap_or_default();
    assert!(!xml.contains("DueDate"), "{xml}");
}

#[test]
fn text_xml_cannot_carry_is_refused_not_written() {
    for bad in ["bell\u{7}", "nul\u{0}", "\u{FFFF}"] {
        let mut d = Document::new(DocumentKind::Invoice);
        d.note = vec![Text::new("fine"), Text::new(bad)];
        let r = d.to_xml();
        assert!(r.is_err(), "{bad:?} was written");
    }
    // tab, line feed and carriage return are XML characters
    let mut d = Document::new(DocumentKind::Invoice);
    d.note = vec![Text::new("a\tb\nc\rd")];
    assert!(d.to_xml().is_ok());
}

/// A leaf's attributes are the unqualified ones: `q:currencyID` in some
/// other namespace is not the amount's currency.
#[test]
fn a_namespaced_attribute_is_not_the_leafs_attribute() {
    let path = pintae_corpus::workspace_dir().join("testdata/examples/coffee-roaster-invoice.xml");
    let text = std::fs::read_to_string(path).expect("fixture");
    assert!(Document::from_xml(&text).is_ok(), "the fixture reads as it is");
    let renamed = text.replacen(" currencyID=\"", " xmlns:q=\"urn:example:q\" q:currencyID=\"", 1);
    assert_ne!(renamed, text);
    let Err(err) = Document::from_xml(&renamed) else {
        panic!("an amount whose only currency is q:currencyID must not read");
    };
    assert!(err.to_string().contains("currencyID"), "{err}");
}
