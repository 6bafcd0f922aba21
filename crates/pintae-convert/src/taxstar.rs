//! Taxstar invoice bodies (`POST /oauth/invoices` and
//! `POST /oauth/invoices/bulk`) → PINT-AE UBL.
//!
//! Defaults are the platform's documented ones (currency AED, "Tax
//! Invoice", payment means 30, transaction type 00000000, tax category S,
//! unit EA, account code 200); totals are computed from the lines and
//! checked when given. Data PINT-AE needs that the Taxstar body has no
//! field for comes from the optional `pint_ae` extension object.

use std::fmt::Write as _;

use compact_str::CompactString;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use pintae_model::doc::*;
use pintae_model::value::{
    Amount, Code, CountryCode, CurrencyCode, Date, Identifier, Indicator, Numeric, Quantity, Src, Text,
};
use pintae_model::{Document, DocumentKind, Line};

use crate::entity::{Entities, Entity};
use crate::input::{join, Issues, Obj};
use crate::{Converted, Status};

const AED: iso_currency::Currency = iso_currency::Currency::AED;

/// Missing element (as a fix hint names it) → the Taxstar field that
/// supplies it; checked before the business terms.
pub const ELEMENTS: &[(&str, &str)] = &[
    ("AdditionalItemIdentification/ID", "line_items[].service_code"),
    ("CommodityClassification/CommodityCode", "line_items[].item_type"),
    ("ItemClassificationCode", "line_items[].hs_code"),
    ("TaxExemptionReasonCode", "line_items[].exemption_reason_code"),
    ("CommodityClassification/NatureCode", "line_items[].reverse_charge_type"),
    ("StandardItemIdentification/ID", "line_items[].gtin"),
    ("TaxExemptionReason", "line_items[].exemption_reason"),
    ("PostalAddress/StreetName", "buyer.address_line1"),
    ("PostalAddress/CityName", "buyer.city"),
    ("PostalAddress/CountrySubentity", "buyer.region"),
    ("PostalAddress/StreetName", "entity.address_line1"),
    ("PostalAddress/CityName", "entity.city"),
    ("PostalAddress/CountrySubentity", "entity.emirate"),
    ("StreetName", "buyer.address_line1"),
    ("CityName", "buyer.city"),
    ("CountrySubentity", "buyer.region"),
    ("StreetName", "entity.address_line1"),
    ("CityName", "entity.city"),
    ("CountrySubentity", "entity.emirate"),
    ("PartyLegalEntity/CompanyID", "buyer.legal_registration_id"),
    ("PartyLegalEntity/CompanyID", "entity.legal_registration_id"),
    ("PartyTaxScheme/CompanyID", "buyer.trn"),
    ("PartyTaxScheme/CompanyID", "entity.trn"),
    ("BuyerReference", "pint_ae.buyer_reference"),
    ("BillingReference", "pint_ae.preceding_invoice_number"),
    ("DiscrepancyResponse", "pint_ae.credit_note_reason"),
];

/// Business term → Taxstar field, to name the field behind a rule failure.
pub const TERMS: &[(&str, &str)] = &[
    ("IBT-001", "invoice_number"),
    ("IBT-002", "date"),
    ("IBT-003", "invoice_type"),
    ("IBT-005", "currency"),
    ("IBT-009", "due_date"),
    ("IBT-010", "pint_ae.buyer_reference"),
    ("IBT-013", "pint_ae.purchase_order"),
    ("IBT-022", "reference"),
    ("IBT-025", "pint_ae.preceding_invoice_number"),
    ("IBT-026", "pint_ae.preceding_invoice_date"),
    ("BTAE-03", "pint_ae.credit_note_reason"),
    ("BTAE-02", "transaction_type_code"),
    ("BTAE-04", "exchange_rate"),
    ("IBT-081", "payment_means_code"),
    ("IBT-084", "payment_account_id"),
    ("IBT-044", "buyer.name"),
    ("IBT-047", "buyer.legal_registration_id"),
    ("BTAE-16", "buyer.legal_registration_type"),
    ("BTAE-11", "buyer.authority_name"),
    ("BTAE-19", "buyer.passport_country_code"),
    ("IBT-048", "buyer.trn"),
    ("IBT-049", "buyer.electronic_address"),
    ("IBT-050", "buyer.address_line1"),
    ("IBT-052", "buyer.city"),
    ("IBT-054", "buyer.region"),
    ("IBT-055", "buyer.country"),
    ("IBT-058", "buyer.phone"),
    ("IBT-059", "buyer.email"),
    ("BTAE-15", "seller.registration_type"),
    ("BTAE-12", "seller.issuing_authority"),
    ("BTAE-18", "seller.passport_country"),
    ("IBT-106", "sub_total"),
    ("IBT-109", "sub_total"),
    ("IBT-110", "total_tax"),
    ("IBT-112", "total"),
    ("IBT-115", "total"),
    ("IBT-126", "line_items[]"),
    ("IBT-129", "line_items[].quantity"),
    ("IBT-130", "line_items[].unit"),
    ("IBT-131", "line_items[].line_amount"),
    ("IBT-133", "line_items[].account_code"),
    ("IBT-136", "line_items[].discount_percent"),
    ("IBT-138", "line_items[].discount_percent"),
    ("IBT-146", "line_items[].unit_amount"),
    ("IBT-148", "line_items[].unit_amount"),
    ("IBT-151", "line_items[].tax_category"),
    ("IBT-152", "line_items[].tax_rate"),
    ("IBT-153", "line_items[].item_name"),
    ("IBT-154", "line_items[].description"),
    ("IBT-158", "line_items[].hs_code"),
    ("BTAE-17", "line_items[].service_code"),
    ("BTAE-09", "line_items[].reverse_charge_type"),
    ("IBT-157", "line_items[].gtin"),
    ("BTAE-13", "line_items[].item_type"),
    ("BTAE-08", "line_items[].tax_amount"),
    ("BTAE-10", "line_items[].tax_amount"),
    ("IBT-120", "line_items[].exemption_reason"),
    ("IBT-121", "line_items[].exemption_reason_code"),
];

const INVOICE_KEYS: &[&str] = &[
    "entity_id",
    "invoice_number",
    "date",
    "currency",
    "invoice_type",
    "due_date",
    "reference",
    "payment_means_code",
    "payment_account_id",
    "payment_method",
    "exchange_rate",
    "transaction_type_code",
    "sub_total",
    "total_tax",
    "total",
    "auto_send",
    "seller",
    "buyer",
    "line_items",
    "pint_ae",
];
const SELLER_KEYS: &[&str] = &["registration_type", "issuing_authority", "passport_country"];
const BUYER_KEYS: &[&str] = &[
    "name",
    "trn",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "email",
    "phone",
    "electronic_address",
    "legal_registration_id",
    "legal_registration_type",
    "authority_name",
    "passport_country_code",
];
const LINE_KEYS: &[&str] = &[
    "description",
    "quantity",
    "unit_amount",
    "tax_amount",
    "line_amount",
    "tax_rate",
    "tax_category",
    "unit",
    "discount_percent",
    "account_code",
    "item_name",
    "item_type",
    "hs_code",
    "service_code",
    "exemption_reason",
    "exemption_reason_code",
    "reverse_charge_type",
    "gtin",
];
const EXT_KEYS: &[&str] = &[
    "buyer_reference",
    "purchase_order",
    "credit_note_reason",
    "credit_note_reason_text",
    "preceding_invoice_number",
    "preceding_invoice_date",
    "uuid",
    "delivery_date",
    "period_start",
    "period_end",
    "mandate_reference",
    "card_number",
    "card_network",
];

/// Converts a Taxstar body: one invoice object, or a bulk body
/// `{"invoices": [...]}` whose items are converted independently (a
/// repeated invoice number for the same entity is a 409 duplicate).
pub fn convert(bytes: &[u8], entities: &Entities) -> Vec<Converted> {
    let v = match crate::parse_json(bytes) {
        Ok(v) => v,
        Err(e) => return vec![Converted::refused(None, None, e.into_issues(), Vec::new())],
    };
    match v.get("invoices") {
        Some(Value::Array(items)) => {
            let mut out: Vec<Converted> = items
                .iter()
                .enumerate()
                .map(|(i, x)| convert_one(x, Some(i), entities))
                .collect();
            mark_duplicates(&mut out);
            if out.is_empty() {
                return vec![Converted::refused(
                    None,
                    None,
                    vec![crate::FieldIssue::new("invoices", "at least one invoice is required")],
                    Vec::new(),
                )];
            }
            out
        }
        _ => vec![convert_one(&v, None, entities)],
    }
}

/// Marks the second and later converted invoices with the same entity and
/// number as duplicates (409); the first keeps its result.
pub fn mark_duplicates(items: &mut [Converted]) {
    let mut seen: Vec<(Option<String>, String, String)> = Vec::new();
    for c in items.iter_mut() {
        let Some(number) = c.invoice_number.clone() else {
            continue;
        };
        if c.status != Status::Converted {
            continue;
        }
        let here = c.json_prefix.clone();
        if let Some((_, _, first)) = seen.iter().find(|(e, n, _)| *e == c.entity_id && *n == number) {
            c.status = Status::Duplicate;
            c.written = None;
            let who = c
                .entity_id
                .as_deref()
                .map(|e| format!(" for entity '{e}'"))
                .unwrap_or_default();
            c.errors.push(crate::FieldIssue::new(
                &join(&here, "invoice_number"),
                format!("duplicate invoice number '{number}'{who} (first at {first})"),
            ));
        } else {
            let first = if here.is_empty() {
                "the first input".to_string()
            } else {
                here
            };
            seen.push((c.entity_id.clone(), number, first));
        }
    }
}

/// Said of the line items when their totals would not fit in a decimal.
const TOO_LARGE: &str = "too large: the totals of these amounts exceed 28 digits";
/// Said of a line whose computed amounts would not fit in a decimal.
const TOO_LARGE_LINE: &str = "too large: the amounts computed from this line's numbers exceed 28 digits";

/// `pct` % of `x`, rounded to cents; `None` beyond what a decimal holds.
fn percent_of(x: Decimal, pct: Decimal) -> Option<Decimal> {
    x.checked_mul(pct).map(|v| round2(v / Decimal::ONE_HUNDRED))
}

/// `x` at the exchange rate, rounded to cents; `None` beyond what a
/// decimal holds.
fn in_aed(x: Decimal, rate: Decimal) -> Option<Decimal> {
    x.checked_mul(rate).map(round2)
}

/// A line's gross amount, discount and net amount, each rounded to cents;
/// `None` when one of them exceeds what a decimal holds.
fn line_net(qty: Decimal, price: Decimal, discount: Option<Decimal>) -> Option<(Decimal, Option<Decimal>, Decimal)> {
    let gross = round2(qty.checked_mul(price)?);
    let disc = match discount.filter(|p| !p.is_zero()) {
        Some(p) => Some(percent_of(gross, p)?),
        None => None,
    };
    let net = gross.checked_sub(disc.unwrap_or_default())?;
    Some((gross, disc, net))
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The source at `path` (a path built for it is moved in, not copied).
fn src(path: impl Into<CompactString>) -> Src {
    Src::at(path)
}

fn text(v: impl Into<String>, path: impl Into<CompactString>) -> Text {
    Text {
        value: v.into(),
        src: src(path),
    }
}

fn ident(v: impl Into<String>, path: impl Into<CompactString>) -> Identifier {
    Identifier {
        value: v.into(),
        src: src(path),
        ..Identifier::default()
    }
}

fn amount(v: Decimal, c: iso_currency::Currency, path: impl Into<CompactString>) -> Amount {
    Amount {
        value: v,
        currency: c,
        src: src(path),
    }
}

fn vat() -> Option<TaxScheme> {
    Some(TaxScheme {
        id: Some(Identifier::new("VAT")),
        ..TaxScheme::default()
    })
}

/// A date field at `path`: parsed, its source recorded, a bad one reported.
fn date(text: &str, path: &str, is: &mut Issues) -> Option<Date> {
    match Date::parse_str(text) {
        Ok(x) => Some(Date { src: src(path), ..x }),
        Err(e) => {
            is.error(path, e.to_string());
            None
        }
    }
}

/// A label reduced to lower-case letters and digits, for matching names
/// written with any spacing, case or punctuation.
fn label_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The electronic address derived from a TRN: its first 10 characters
/// (any TRN shorter than that, or cut inside a character, gives none; the
/// rules then judge the TRN itself).
fn trn_endpoint(trn: &str) -> Option<String> {
    trn.get(..10).map(str::to_string)
}

/// Emirate name or code → the PINT-AE code.
pub fn emirate_code(s: &str) -> Option<&'static str> {
    Some(match label_key(s).as_str() {
        "auh" | "abudhabi" => "AUH",
        "dxb" | "dubai" => "DXB",
        "shj" | "sharjah" => "SHJ",
        "uaq" | "ummalquwain" | "ummalqaiwain" | "ummalquwwain" => "UAQ",
        "fuj" | "fujairah" => "FUJ",
        "ajm" | "ajman" => "AJM",
        "rak" | "rasalkhaimah" | "rasalkhaima" => "RAK",
        _ => return None,
    })
}

/// Unit label or UN/ECE Rec 20 code → code.
pub fn unit_code(s: &str) -> Option<String> {
    let t = s.trim();
    let key = t.to_ascii_lowercase();
    let code = match key.as_str() {
        "each" | "ea" | "unit" | "units" => "EA",
        "piece" | "pieces" | "pc" | "pcs" => "H87",
        "hour" | "hours" | "hr" | "hrs" | "h" => "HUR",
        "day" | "days" => "DAY",
        "month" | "months" => "MON",
        "kg" | "kilogram" | "kilograms" => "KGM",
        "g" | "gram" | "grams" => "GRM",
        "l" | "litre" | "liter" | "litres" | "liters" => "LTR",
        "m" | "metre" | "meter" | "metres" | "meters" => "MTR",
        "box" | "boxes" => "XBX",
        "set" | "sets" => "SET",
        _ if (2..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) => {
            return Some(t.to_string())
        }
        _ => return None,
    };
    Some(code.to_string())
}

fn payment_means_from_label(s: &str) -> Option<&'static str> {
    Some(match label_key(s).as_str() {
        "credittransfer" | "banktransfer" | "transfer" => "30",
        "cash" => "10",
        "cheque" | "check" => "20",
        "bankcard" | "card" | "creditcard" | "debitcard" => "48",
        "directdebit" => "49",
        _ => return None,
    })
}

fn registration_type(s: &str) -> Option<&'static str> {
    Some(match s.trim().to_ascii_uppercase().as_str() {
        "TL" => "TL",
        "EID" => "EID",
        "PAS" => "PAS",
        "CD" => "CD",
        _ => return None,
    })
}

/// A stable UUID for an invoice without one: FNV-1a over entity and number,
/// shaped as a version-8 UUID (deterministic output).
fn stable_uuid(entity: &str, number: &str) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in entity.bytes().chain([0u8]).chain(number.bytes()) {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    let mut x = h.to_be_bytes();
    x[6] = (x[6] & 0x0f) | 0x80;
    x[8] = (x[8] & 0x3f) | 0x80;
    let mut hex = String::with_capacity(32);
    for b in x {
        // writing to a String cannot fail
        let _ = write!(hex, "{b:02x}");
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

struct LineOut {
    category: String,
    rate: Option<Decimal>,
    net: Decimal,
    tax: Decimal,
    reason: Option<(Option<String>, Option<String>)>,
}

fn convert_one(v: &Value, index: Option<usize>, entities: &Entities) -> Converted {
    let prefix = index.map(|i| format!("invoices[{i}]")).unwrap_or_default();
    let mut is = Issues::default();
    let Some(o) = Obj::new(v, &prefix, &mut is) else {
        return Converted::refused(index, None, is.errors, is.warnings).with_prefix(&prefix);
    };
    o.unknown_keys(INVOICE_KEYS, &mut is);
    // auto_send only steers the platform's dispatch; checked for its type
    let _ = o.bool("auto_send", &mut is);
    let entity_id = o.str("entity_id", &mut is);
    let number = o.req_str("invoice_number", &mut is);
    let entity = match entities.get(entity_id.as_deref()) {
        Some(e) => Some(e.clone()),
        None => {
            let msg = match &entity_id {
                Some(id) => format!("unknown entity '{id}': pass the seller with --entity or --entities"),
                None => "required (or pass one seller with --entity)".to_string(),
            };
            is.error(&o.at("entity_id"), msg);
            None
        }
    };
    let doc = build(
        &o,
        entity.as_ref().unwrap_or(&Entity::default()),
        number.as_deref(),
        &mut is,
    );
    let mut c = Converted {
        index,
        invoice_number: number,
        entity_id: entity_id.or_else(|| entity.map(|e| e.entity_id)),
        status: Status::Converted,
        written: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        fields: crate::FieldMap {
            elements: ELEMENTS,
            terms: TERMS,
        },
        json_prefix: prefix,
    };
    if is.errors.is_empty() {
        match doc.to_xml() {
            Ok(w) => c.written = Some(w),
            Err(e) => is.error("$", e.to_string()),
        }
    }
    if !is.errors.is_empty() {
        c.status = Status::Invalid;
        c.written = None;
    }
    c.errors = is.errors;
    c.warnings = is.warnings;
    c
}

fn build(o: &Obj<'_>, entity: &Entity, number: Option<&str>, is: &mut Issues) -> Document {
    let ext = o.obj("pint_ae", is);
    if let Some(x) = &ext {
        x.unknown_keys(EXT_KEYS, is);
    }
    let ext_str = |k: &str, is: &mut Issues| ext.as_ref().and_then(|x| x.str(k, is));
    let ext_at = |k: &str| join(&o.at("pint_ae"), k);

    // document type
    let type_text = o.str("invoice_type", is).unwrap_or_else(|| "Tax Invoice".into());
    let (kind, type_code) = match type_text.to_ascii_lowercase().as_str() {
        "tax invoice" => (DocumentKind::Invoice, "380"),
        "credit note" | "tax credit note" => (DocumentKind::CreditNote, "381"),
        "commercial invoice" => (DocumentKind::Invoice, "480"),
        _ => {
            is.error(
                &o.at("invoice_type"),
                format!("'{type_text}' is not one of \"Tax Invoice\", \"Credit Note\", \"Commercial Invoice\""),
            );
            (DocumentKind::Invoice, "380")
        }
    };
    let cn = kind == DocumentKind::CreditNote;
    let mut d = Document::new(kind);
    d.src = Src::at(if o.path.is_empty() { "$" } else { &o.path });
    d.customization_id = Some(Identifier::new("urn:peppol:pint:billing-1@ae-1"));
    d.profile_id = Some(Identifier::new("urn:peppol:bis:billing"));

    let flags = o.str("transaction_type_code", is).unwrap_or_else(|| "00000000".into());
    if flags.len() != 8 || !flags.bytes().all(|b| b == b'0' || b == b'1') {
        is.error_term(
            &o.at("transaction_type_code"),
            "BTAE-02",
            format!("'{flags}' is not eight 0/1 flags"),
        );
    }
    let flag = |n: usize| flags.as_bytes().get(n - 1) == Some(&b'1');
    let (deemed, export) = (flag(2), flag(8));
    d.profile_execution_id = Some(ident(flags.clone(), o.at("transaction_type_code")));
    if let Some(n) = number {
        d.id = Some(ident(n, o.at("invoice_number")));
    }
    let uuid = ext_str("uuid", is).unwrap_or_else(|| stable_uuid(&entity.entity_id, number.unwrap_or("")));
    d.uuid = Some(Identifier::new(uuid));
    d.issue_date = o.req_str("date", is).and_then(|t| date(&t, &o.at("date"), is));
    let due = o.str("due_date", is).and_then(|t| date(&t, &o.at("due_date"), is));
    if !cn {
        d.due_date = due.clone();
    }
    d.type_code = Some(Code {
        value: type_code.into(),
        src: src(o.at("invoice_type")),
        ..Code::default()
    });
    if let Some(r) = o.str("reference", is) {
        d.note.push(text(r, o.at("reference")));
    }

    // currency
    let cur_text = o.str("currency", is).unwrap_or_else(|| "AED".into());
    let cur = match pintae_model::value::currency(&cur_text.to_ascii_uppercase()) {
        Ok(c) => c,
        Err(e) => {
            is.error(&o.at("currency"), e.to_string());
            AED
        }
    };
    d.document_currency_code = Some(CurrencyCode {
        value: cur,
        src: src(o.at("currency")),
    });
    let rate = o.dec("exchange_rate", is);
    let rate = if cur == AED {
        if rate.is_some_and(|r| r != Decimal::ONE) {
            is.warn(&o.at("exchange_rate"), "ignored: the currency is AED");
        }
        Decimal::ONE
    } else {
        match rate {
            Some(r) if r > Decimal::ZERO => {
                if r.scale() > 6 {
                    is.error_term(&o.at("exchange_rate"), "BTAE-04", "at most 6 decimals");
                }
                d.tax_currency_code = Some(CurrencyCode::new(AED));
                d.tax_exchange_rate = Some(ExchangeRate {
                    source_currency_code: Some(CurrencyCode::new(cur)),
                    target_currency_code: Some(CurrencyCode::new(AED)),
                    calculation_rate: Some(Numeric {
                        value: r,
                        src: src(o.at("exchange_rate")),
                    }),
                    src: src(o.at("exchange_rate")),
                    ..ExchangeRate::default()
                });
                r
            }
            Some(_) => {
                is.error_term(&o.at("exchange_rate"), "BTAE-04", "must be greater than 0");
                Decimal::ONE
            }
            None => {
                is.error_term(
                    &o.at("exchange_rate"),
                    "BTAE-04",
                    format!("required: the currency is {}, not AED", cur.code()),
                );
                Decimal::ONE
            }
        }
    };

    // references (extension fields)
    if let Some(r) = ext_str("buyer_reference", is) {
        d.buyer_reference = Some(text(r, ext_at("buyer_reference")));
    } else if let Some(n) = number {
        d.buyer_reference = Some(text(n, o.at("invoice_number")));
    }
    if let Some(po) = ext_str("purchase_order", is) {
        d.order_reference = Some(OrderReference {
            id: Some(ident(po, ext_at("purchase_order"))),
            ..OrderReference::default()
        });
    }
    let period_start = ext_str("period_start", is);
    let period_end = ext_str("period_end", is);
    if period_start.is_some() || period_end.is_some() {
        let mut p = Period {
            src: src(ext_at("period_start")),
            ..Period::default()
        };
        for (k, v, slot) in [
            ("period_start", period_start, &mut p.start_date),
            ("period_end", period_end, &mut p.end_date),
        ] {
            if let Some(t) = v {
                *slot = date(&t, &ext_at(k), is);
            }
        }
        d.invoice_period.push(p);
    }
    if cn {
        let reason = ext_str("credit_note_reason", is);
        match &reason {
            Some(r) => d.discrepancy_response.push(Response {
                response_code: Some(Code {
                    value: r.clone(),
                    src: src(ext_at("credit_note_reason")),
                    ..Code::default()
                }),
                description: ext_str("credit_note_reason_text", is)
                    .map(|t| text(t, ext_at("credit_note_reason_text")))
                    .into_iter()
                    .collect(),
                src: src(ext_at("credit_note_reason")),
                ..Response::default()
            }),
            None => is.error_term(
                &ext_at("credit_note_reason"),
                "BTAE-03",
                "required for a credit note: the reason code (e.g. \"DL8.61.1.A\", or \"VD\" for a volume discount)",
            ),
        }
        let preceding = ext_str("preceding_invoice_number", is);
        let preceding_date = ext_str("preceding_invoice_date", is);
        match preceding {
            Some(p) => {
                let issue_date = preceding_date.and_then(|t| date(&t, &ext_at("preceding_invoice_date"), is));
                d.billing_reference.push(BillingReference {
                    invoice_document_reference: Some(DocumentReference {
                        id: Some(ident(p, ext_at("preceding_invoice_number"))),
                        issue_date,
                        ..DocumentReference::default()
                    }),
                    src: src(ext_at("preceding_invoice_number")),
                });
            }
            None if reason.as_deref() == Some("VD") => {}
            None => is.error_term(
                &ext_at("preceding_invoice_number"),
                "IBT-025",
                "required for a credit note (other than a volume discount, reason \"VD\"): the invoice it corrects",
            ),
        }
    } else {
        for k in ["credit_note_reason", "preceding_invoice_number"] {
            if ext_str(k, is).is_some() {
                is.warn(&ext_at(k), "ignored: only credit notes carry it");
            }
        }
    }

    // parties
    d.accounting_supplier_party = Some(SupplierParty {
        party: Some(seller(o, entity, is)),
        ..SupplierParty::default()
    });
    match o.obj("buyer", is) {
        Some(b) => {
            d.accounting_customer_party = Some(CustomerParty {
                party: Some(buyer(&b, deemed, export, is)),
                src: src(&b.path),
            });
        }
        None => is.error(&o.at("buyer"), "required"),
    }
    if export {
        let addr = d
            .accounting_customer_party
            .as_ref()
            .and_then(|c| c.party.as_ref())
            .and_then(|p| p.postal_address.clone());
        if let Some(a) = addr {
            d.delivery.push(Delivery {
                delivery_location: Some(Location {
                    address: Some(a),
                    src: src(o.at("buyer")),
                    ..Location::default()
                }),
                src: src(o.at("buyer")),
                ..Delivery::default()
            });
        }
    }
    if let Some(x) = ext_str("delivery_date", is).and_then(|t| date(&t, &ext_at("delivery_date"), is)) {
        d.delivery.push(Delivery {
            actual_delivery_date: Some(x),
            ..Delivery::default()
        });
    }

    // payment
    let pm_path = o.at("payment_means_code");
    let code = match o.str("payment_means_code", is) {
        Some(c) => c,
        None => match o.str("payment_method", is) {
            Some(label) => match payment_means_from_label(&label) {
                Some(c) => c.to_string(),
                None => {
                    is.error(
                        &o.at("payment_method"),
                        format!("'{label}' is not a payment method pintae knows; give payment_means_code instead"),
                    );
                    "30".into()
                }
            },
            None => "30".into(),
        },
    };
    let mut pm = PaymentMeans {
        payment_means_code: Some(Code {
            value: code.clone(),
            src: src(pm_path.clone()),
            ..Code::default()
        }),
        payment_due_date: if cn { due } else { None },
        payment_id: number.map(Text::new).into_iter().collect(),
        src: src(pm_path),
        ..PaymentMeans::default()
    };
    let account = o.str("payment_account_id", is).map(|a| (a, o.at("payment_account_id")));
    let account = account.or_else(|| entity.iban.clone().map(|a| (a, CompactString::from("entity.iban"))));
    match (&account, code.as_str()) {
        (Some((a, p)), _) => {
            pm.payee_financial_account = Some(FinancialAccount {
                id: Some(ident(a.replace(' ', ""), p.clone())),
                src: src(p.clone()),
                ..FinancialAccount::default()
            });
        }
        (None, "30") => is.error_term(
            &o.at("payment_account_id"),
            "IBT-084",
            "required when payment_means_code is \"30\" (credit transfer): the seller's IBAN",
        ),
        _ => {}
    }
    if code == "49" {
        match ext_str("mandate_reference", is) {
            Some(m) => {
                pm.payment_mandate = Some(PaymentMandate {
                    id: Some(ident(m, ext_at("mandate_reference"))),
                    ..PaymentMandate::default()
                })
            }
            None => is.error_term(
                &ext_at("mandate_reference"),
                "IBT-089",
                "required when payment_means_code is \"49\" (direct debit): the mandate reference",
            ),
        }
    }
    if code == "48" {
        if let Some(card) = ext_str("card_number", is) {
            pm.card_account = Some(CardAccount {
                primary_account_number_id: Some(ident(card, ext_at("card_number"))),
                network_id: Some(Identifier::new(
                    ext_str("card_network", is).unwrap_or_else(|| "CARD".into()),
                )),
                ..CardAccount::default()
            });
        }
    }
    d.payment_means.push(pm);

    // lines
    let mut outs: Vec<LineOut> = Vec::new();
    match o.arr("line_items", is) {
        Some(items) if !items.is_empty() => {
            // a line is a large value: room for all of them at once, not
            // moved by doubling as they come
            d.lines.reserve_exact(items.len());
            outs.reserve_exact(items.len());
            let base = o.at("line_items");
            for (i, item) in items.iter().enumerate() {
                let path = format!("{base}[{i}]");
                if let Some(l) = Obj::new(item, &path, is) {
                    if let Some((line, out)) = line(&l, i, cur, rate, cn, is) {
                        d.lines.push(line);
                        outs.push(out);
                    }
                }
            }
        }
        Some(_) => is.error(&o.at("line_items"), "at least one line item is required"),
        None => {
            if o.map.get("line_items").is_none_or(Value::is_null) {
                is.error(&o.at("line_items"), "required: at least one line item");
            }
        }
    }

    // totals
    #[allow(clippy::type_complexity)]
    let mut groups: Vec<(
        String,
        Option<Decimal>,
        Decimal,
        Decimal,
        Option<(Option<String>, Option<String>)>,
    )> = Vec::new();
    // every sum and product below is checked: numbers within the decimal
    // range can still add up beyond it
    let too_large = |is: &mut Issues| is.error(&o.at("line_items"), TOO_LARGE);
    for l in &outs {
        match groups.iter_mut().find(|g| g.0 == l.category && g.1 == l.rate) {
            Some(g) => {
                let (Some(net), Some(tax)) = (g.2.checked_add(l.net), g.3.checked_add(l.tax)) else {
                    too_large(is);
                    return d;
                };
                (g.2, g.3) = (net, tax);
                if g.4.is_none() {
                    g.4 = l.reason.clone();
                }
            }
            None => groups.push((l.category.clone(), l.rate, l.net, l.tax, l.reason.clone())),
        }
    }
    let mut subtotals = Vec::new();
    let mut total_tax = Decimal::ZERO;
    for (cat, pct, taxable, _, reason) in &groups {
        let tax = match pct {
            Some(p) if cat == "S" => percent_of(*taxable, *p),
            _ => Some(Decimal::ZERO),
        };
        let Some((tax, sum)) = tax.and_then(|t| Some((t, total_tax.checked_add(t)?))) else {
            too_large(is);
            return d;
        };
        total_tax = sum;
        let (reason_code, reason_text) = reason.clone().unwrap_or((None, None));
        subtotals.push(TaxSubtotal {
            taxable_amount: Some(Amount::new(*taxable, cur)),
            tax_amount: Some(Amount::new(tax, cur)),
            tax_category: Some(TaxCategory {
                id: Some(Identifier::new(cat.clone())),
                percent: pct.map(Numeric::new),
                tax_exemption_reason_code: reason_code.map(Code::new),
                tax_exemption_reason: reason_text.map(Text::new).into_iter().collect(),
                tax_scheme: vat(),
                ..TaxCategory::default()
            }),
            ..TaxSubtotal::default()
        });
    }
    let sums = outs.iter().try_fold((Decimal::ZERO, Decimal::ZERO), |(n, t), l| {
        Some((n.checked_add(l.net)?, t.checked_add(l.tax)?))
    });
    let Some((sub_total, line_tax, grand, grand_aed, tax_aed)) = sums.and_then(|(sub, line_tax)| {
        let grand = sub.checked_add(total_tax)?;
        Some((sub, line_tax, grand, in_aed(grand, rate)?, in_aed(total_tax, rate)?))
    }) else {
        too_large(is);
        return d;
    };
    let off = line_tax.checked_sub(total_tax).map(|x| x.abs());
    if !outs.is_empty() && off.is_none_or(|x| x > Decimal::new(1, 2) * Decimal::from(outs.len())) {
        is.warn(&o.at("line_items"), format!("the lines' tax_amount add up to {line_tax}, the rates give {total_tax} (the invoice carries {total_tax})"));
    }
    let lines_at = o.at("line_items");
    for (key, computed, term) in [
        ("sub_total", sub_total, "IBT-109"),
        ("total_tax", total_tax, "IBT-110"),
        ("total", grand, "IBT-112"),
    ] {
        if let Some(given) = o.dec(key, is) {
            if given != computed && is.errors.iter().all(|e| !e.path.starts_with(lines_at.as_str())) {
                is.error_term(
                    &o.at(key),
                    term,
                    format!("given {given}, the line items give {computed}"),
                );
            }
        }
    }
    d.tax_total.push(TaxTotal {
        tax_amount: Some(amount(total_tax, cur, o.at("total_tax"))),
        tax_subtotal: subtotals,
        src: src(o.at("total_tax")),
        ..TaxTotal::default()
    });
    if cur != AED {
        // BTAE-20: the total with VAT in AED
        d.additional_document_reference.push(DocumentReference {
            id: Some(Identifier::new("AED")),
            document_type_code: Some(Code::new("aedtotal-incl-vat")),
            document_description: vec![Text::new(format!("AED {grand_aed}"))],
            src: src(o.at("exchange_rate")),
            ..DocumentReference::default()
        });
        d.tax_total.push(TaxTotal {
            tax_amount: Some(Amount::new(tax_aed, AED)),
            ..TaxTotal::default()
        });
    }
    d.legal_monetary_total = Some(MonetaryTotal {
        line_extension_amount: Some(amount(sub_total, cur, o.at("sub_total"))),
        tax_exclusive_amount: Some(amount(sub_total, cur, o.at("sub_total"))),
        tax_inclusive_amount: Some(amount(grand, cur, o.at("total"))),
        payable_amount: Some(amount(grand, cur, o.at("total"))),
        src: src(o.at("total")),
        ..MonetaryTotal::default()
    });
    d
}

fn address(
    street: Option<String>,
    street2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    country: Option<CountryCode>,
    paths: [&str; 5],
    is: &mut Issues,
) -> Address {
    let ae = country.as_ref().is_some_and(|c| c.value.alpha2 == "AE");
    let subentity = region.map(|r| {
        if ae {
            match emirate_code(&r) {
                Some(c) => c.to_string(),
                None => {
                    is.error(paths[3], format!("'{r}' is not an emirate (Abu Dhabi, Dubai, Sharjah, Ajman, Umm Al Quwain, Ras Al Khaimah, Fujairah, or AUH, DXB, SHJ, AJM, UAQ, RAK, FUJ)"));
                    r
                }
            }
        } else {
            r
        }
    });
    Address {
        street_name: street.map(|s| text(s, paths[0])),
        additional_street_name: street2.map(|s| text(s, paths[1])),
        city_name: city.map(|s| text(s, paths[2])),
        country_subentity: subentity.map(|s| text(s, paths[3])),
        country: country.map(|c| Country {
            identification_code: Some(c),
            src: src(paths[4]),
        }),
        ..Address::default()
    }
}

fn country(text_: Option<String>, path: &str, is: &mut Issues) -> Option<CountryCode> {
    let t = text_?;
    match CountryCode::lookup(&t) {
        Ok(mut c) => {
            c.src = src(path);
            Some(c)
        }
        Err(e) => {
            is.error(path, e.to_string());
            None
        }
    }
}

fn legal_entity(
    name: Option<Text>,
    id: Option<(String, CompactString)>,
    kind: Option<(String, CompactString)>,
    authority: Option<(String, CompactString)>,
    passport: Option<(String, CompactString)>,
    is: &mut Issues,
) -> PartyLegalEntity {
    let kind_code = kind.as_ref().and_then(|(k, p)| match registration_type(k) {
        Some(c) => Some(c),
        None => {
            is.error(p, format!("'{k}' is not a registration type (TL trade licence, EID Emirates ID, PAS passport, CD cabinet decision)"));
            None
        }
    });
    let agency_name = match kind_code {
        Some("PAS") => passport.map(|(c, p)| match CountryCode::lookup(&c) {
            Ok(cc) => cc.value.alpha2.to_string(),
            Err(e) => {
                is.error(&p, e.to_string());
                c
            }
        }),
        Some("TL") => authority.map(|a| a.0),
        _ => None,
    };
    let company_id = id.map(|(v, p)| Identifier {
        value: v,
        scheme_agency_id: kind_code.map(str::to_string),
        scheme_agency_name: agency_name,
        src: src(p),
        ..Identifier::default()
    });
    PartyLegalEntity {
        registration_name: name,
        company_id,
        ..PartyLegalEntity::default()
    }
}

fn seller(o: &Obj<'_>, e: &Entity, is: &mut Issues) -> Party {
    let s = o.obj("seller", is);
    if let Some(s) = &s {
        s.unknown_keys(SELLER_KEYS, is);
    }
    let sp = o.at("seller");
    let get = |k: &str, is: &mut Issues| s.as_ref().and_then(|s| s.str(k, is)).map(|v| (v, join(&sp, k)));
    let kind = get("registration_type", is).or_else(|| {
        e.legal_registration_type
            .clone()
            .map(|v| (v, "entity.legal_registration_type".into()))
    });
    let authority = get("issuing_authority", is).or_else(|| {
        e.issuing_authority
            .clone()
            .map(|v| (v, "entity.issuing_authority".into()))
    });
    let passport = get("passport_country", is).or_else(|| {
        e.passport_country
            .clone()
            .map(|v| (v, "entity.passport_country".into()))
    });
    let kind_code = kind.as_ref().and_then(|(k, _)| registration_type(k));
    if kind_code == Some("TL") && authority.is_none() {
        is.error_term(
            &join(&sp, "issuing_authority"),
            "BTAE-12",
            "required when the registration type is \"TL\" (trade licence)",
        );
    }
    if kind_code == Some("PAS") && passport.is_none() {
        is.error_term(
            &join(&sp, "passport_country"),
            "BTAE-18",
            "required when the registration type is \"PAS\" (passport)",
        );
    }
    if e.name.is_none() && !e.entity_id.is_empty() {
        is.error("entity.name", "the entity has no name");
    }
    let trn = e.trn.clone();
    let tin = e.tin.clone().or_else(|| trn.as_deref().and_then(trn_endpoint));
    let country_ = country(
        Some(e.country.clone().unwrap_or_else(|| "AE".into())),
        "entity.country",
        is,
    );
    let legal = legal_entity(
        e.name.clone().map(|n| text(n, "entity.name")),
        e.legal_registration_id
            .clone()
            .map(|v| (v, CompactString::from("entity.legal_registration_id"))),
        kind,
        authority,
        passport,
        is,
    );
    Party {
        endpoint_id: tin.map(|t| Identifier {
            scheme_id: Some("0235".into()),
            ..ident(t, "entity.tin")
        }),
        party_name: e
            .trade_name
            .clone()
            .map(|n| PartyName {
                name: Some(text(n, "entity.trade_name")),
                ..PartyName::default()
            })
            .into_iter()
            .collect(),
        postal_address: Some(address(
            e.address_line1.clone(),
            e.address_line2.clone(),
            e.city.clone(),
            e.emirate.clone(),
            country_,
            [
                "entity.address_line1",
                "entity.address_line2",
                "entity.city",
                "entity.emirate",
                "entity.country",
            ],
            is,
        )),
        party_tax_scheme: trn
            .map(|t| PartyTaxScheme {
                company_id: Some(ident(t, "entity.trn")),
                tax_scheme: vat(),
                ..PartyTaxScheme::default()
            })
            .into_iter()
            .collect(),
        party_legal_entity: vec![legal],
        contact: (e.email.is_some() || e.phone.is_some()).then(|| Contact {
            telephone: e.phone.clone().map(|v| text(v, "entity.phone")),
            electronic_mail: e.email.clone().map(|v| text(v, "entity.email")),
            ..Contact::default()
        }),
        src: src("entity"),
        ..Party::default()
    }
}

fn buyer(b: &Obj<'_>, deemed: bool, export: bool, is: &mut Issues) -> Party {
    b.unknown_keys(BUYER_KEYS, is);
    let name = b.req_str("name", is);
    let trn = if export || deemed {
        b.str("trn", is)
    } else {
        b.req_str("trn", is)
    };
    if let Some(t) = &trn {
        if t.len() != 15 || !t.bytes().all(|c| c.is_ascii_digit()) {
            is.error_term(&b.at("trn"), "IBT-048", format!("'{t}' is not a TRN (15 digits)"));
        }
    }
    let country_text = b.req_str("country", is);
    let cc = country(country_text, &b.at("country"), is);
    let get = |k: &str, is: &mut Issues| b.str(k, is).map(|v| (v, b.at(k)));
    let kind = get("legal_registration_type", is);
    let authority = get("authority_name", is);
    let passport = get("passport_country_code", is);
    let kind_code = kind.as_ref().and_then(|(k, _)| registration_type(k));
    if kind_code == Some("TL") && authority.is_none() {
        is.error_term(
            &b.at("authority_name"),
            "BTAE-11",
            "required when legal_registration_type is \"TL\" (trade licence)",
        );
    }
    if kind_code == Some("PAS") && passport.is_none() {
        is.error_term(
            &b.at("passport_country_code"),
            "BTAE-19",
            "required when legal_registration_type is \"PAS\" (passport)",
        );
    }
    let endpoint = match b.str("electronic_address", is) {
        Some(a) => {
            let (scheme, id) = a
                .split_once(':')
                .map(|(s, i)| (s.to_string(), i.to_string()))
                .unwrap_or(("0235".into(), a));
            Some(Identifier {
                scheme_id: Some(scheme),
                ..ident(id, b.at("electronic_address"))
            })
        }
        None => {
            let id = if deemed {
                "9900000097".to_string()
            } else if let Some(t) = trn.as_deref().and_then(trn_endpoint) {
                t
            } else if export {
                "9900000099".to_string()
            } else {
                "9900000098".to_string()
            };
            Some(Identifier {
                scheme_id: Some("0235".into()),
                ..ident(id, b.at("electronic_address"))
            })
        }
    };
    let legal = legal_entity(
        name.map(|n| text(n, b.at("name"))),
        b.str("legal_registration_id", is)
            .map(|v| (v, b.at("legal_registration_id"))),
        kind,
        authority,
        passport,
        is,
    );
    let addr = address(
        b.str("address_line1", is),
        b.str("address_line2", is),
        b.str("city", is),
        b.str("region", is),
        cc,
        [
            &b.at("address_line1"),
            &b.at("address_line2"),
            &b.at("city"),
            &b.at("region"),
            &b.at("country"),
        ],
        is,
    );
    let email = b.str("email", is);
    let phone = b.str("phone", is);
    Party {
        endpoint_id: endpoint,
        postal_address: Some(Address {
            src: src(&b.path),
            ..addr
        }),
        party_tax_scheme: trn
            .map(|t| PartyTaxScheme {
                company_id: Some(ident(t, b.at("trn"))),
                tax_scheme: vat(),
                ..PartyTaxScheme::default()
            })
            .into_iter()
            .collect(),
        party_legal_entity: vec![legal],
        contact: (email.is_some() || phone.is_some()).then(|| Contact {
            telephone: phone.map(|v| text(v, b.at("phone"))),
            electronic_mail: email.map(|v| text(v, b.at("email"))),
            ..Contact::default()
        }),
        src: src(&b.path),
        ..Party::default()
    }
}

fn line(
    l: &Obj<'_>,
    i: usize,
    cur: iso_currency::Currency,
    rate: Decimal,
    cn: bool,
    is: &mut Issues,
) -> Option<(Line, LineOut)> {
    l.unknown_keys(LINE_KEYS, is);
    let errors_before = is.errors.len();
    let description = l.req_str("description", is);
    let qty = l.req_dec("quantity", is);
    let price = l.req_dec("unit_amount", is);
    let tax_amount = l.req_dec("tax_amount", is);
    if price.is_some_and(|p| p <= Decimal::ZERO) {
        is.error_term(&l.at("unit_amount"), "IBT-146", "must be greater than 0");
    }
    if qty.is_some_and(|q| q <= Decimal::ZERO) && !cn {
        is.error_term(
            &l.at("quantity"),
            "IBT-129",
            "must be greater than 0 (negative invoices are not allowed; issue a credit note)",
        );
    }
    let category = l
        .str("tax_category", is)
        .unwrap_or_else(|| "S".into())
        .to_ascii_uppercase();
    if !["S", "Z", "E", "O", "AE"].contains(&category.as_str()) {
        is.error_term(
            &l.at("tax_category"),
            "IBT-151",
            format!("'{category}' is not one of S, Z, E, O, AE"),
        );
    }
    let given_rate = l.dec("tax_rate", is);
    let pct = match category.as_str() {
        "S" => Some(given_rate.unwrap_or(Decimal::from(5))),
        "O" | "E" => {
            if given_rate.is_some_and(|r| !r.is_zero()) {
                is.error_term(
                    &l.at("tax_rate"),
                    "IBT-152",
                    format!("must be 0 or absent for category {category}"),
                );
            }
            None
        }
        "Z" | "AE" => {
            if given_rate.is_some_and(|r| !r.is_zero()) {
                is.error_term(
                    &l.at("tax_rate"),
                    "IBT-152",
                    format!("must be 0 for category {category}"),
                );
            }
            Some(Decimal::ZERO)
        }
        _ => None,
    };
    let unit_text = l.str("unit", is).unwrap_or_else(|| "EA".into());
    let unit = unit_code(&unit_text).unwrap_or_else(|| {
        is.error_term(
            &l.at("unit"),
            "IBT-130",
            format!("'{unit_text}' is not a UN/ECE Rec 20 unit code or a unit pintae knows"),
        );
        "EA".into()
    });
    let discount = l.dec("discount_percent", is);
    if discount.is_some_and(|p| p < Decimal::ZERO || p > Decimal::ONE_HUNDRED) {
        is.error_term(&l.at("discount_percent"), "IBT-138", "must be between 0 and 100");
    }
    let account = l.str("account_code", is).unwrap_or_else(|| "200".into());
    let item_type = match l.str("item_type", is) {
        Some(t) => match t.to_ascii_lowercase().as_str() {
            "g" | "good" | "goods" | "product" => Some("G"),
            "s" | "service" | "services" => Some("S"),
            "b" | "both" => Some("B"),
            _ => {
                is.error_term(
                    &l.at("item_type"),
                    "BTAE-13",
                    format!("'{t}' is not G (goods), S (services) or B (both)"),
                );
                None
            }
        },
        None => None,
    };
    let hs = l.str("hs_code", is);
    let nature = l.str("reverse_charge_type", is);
    let gtin = l.str("gtin", is);
    let service = l.str("service_code", is);
    let item_type = item_type.or(if hs.is_some() {
        Some("G")
    } else if service.is_some() {
        Some("S")
    } else {
        None
    });
    let reason_code = l.str("exemption_reason_code", is);
    let reason_text = l.str("exemption_reason", is);
    if is.errors.len() > errors_before {
        return None;
    }
    let (qty, price, tax_amount) = (qty?, price?, tax_amount?);
    let Some((gross, disc, computed)) = line_net(qty, price, discount) else {
        is.error(&l.path, TOO_LARGE_LINE);
        return None;
    };
    let net = match l.dec("line_amount", is) {
        Some(given) => {
            if given != computed {
                is.error_term(
                    &l.at("line_amount"),
                    "IBT-131",
                    format!(
                        "given {given}, quantity × unit_amount{} gives {computed}",
                        if disc.is_some() { " − discount" } else { "" }
                    ),
                );
            }
            given
        }
        None => computed,
    };
    if net.scale() > 2 {
        is.error_term(&l.at("line_amount"), "IBT-131", "at most 2 decimals");
    }
    let amount_ok = net == computed;
    if let Some(p) = pct.filter(|_| category == "S" && amount_ok) {
        let Some(expect) = percent_of(net, p) else {
            is.error(&l.path, TOO_LARGE_LINE);
            return None;
        };
        if expect
            .checked_sub(tax_amount)
            .is_none_or(|x| x.abs() > Decimal::new(1, 2))
        {
            is.error_term(
                &l.at("tax_amount"),
                "BTAE-08",
                format!("given {tax_amount}, {p}% of {net} is {expect}"),
            );
        }
    } else if !tax_amount.is_zero() && category != "S" {
        is.error_term(
            &l.at("tax_amount"),
            "BTAE-08",
            format!("must be 0 for category {category}"),
        );
    }
    let at = |k: &str| l.at(k);
    let mut allowances = Vec::new();
    if let Some(dv) = disc {
        allowances.push(AllowanceCharge {
            charge_indicator: Some(Indicator::new(false)),
            allowance_charge_reason_code: Some(Code::new("95")),
            allowance_charge_reason: vec![Text::new("Discount")],
            multiplier_factor_numeric: discount.map(|p| Numeric {
                value: p,
                src: src(at("discount_percent")),
            }),
            amount: Some(amount(dv, cur, at("discount_percent"))),
            base_amount: Some(Amount::new(gross, cur)),
            src: src(at("discount_percent")),
            ..AllowanceCharge::default()
        });
    }
    let mut classes = Vec::new();
    if item_type.is_some() || hs.is_some() || nature.is_some() {
        classes.push(CommodityClassification {
            nature_code: nature.map(|n| Code {
                value: n,
                src: src(at("reverse_charge_type")),
                ..Code::default()
            }),
            commodity_code: item_type.map(|t| Code {
                value: t.into(),
                src: src(at("item_type")),
                ..Code::default()
            }),
            item_classification_code: hs.clone().map(|h| Code {
                value: h,
                list_id: Some("HS".into()),
                src: src(at("hs_code")),
                ..Code::default()
            }),
            src: src(at("item_type")),
        });
    }
    let service_id = service.clone().map(|s| ItemIdentification {
        id: Some(Identifier {
            scheme_id: Some("SAC".into()),
            ..ident(s, at("service_code"))
        }),
        src: src(at("service_code")),
    });
    let needs_reason = matches!(category.as_str(), "E" | "AE" | "O" | "Z");
    let reason = (needs_reason && (reason_code.is_some() || reason_text.is_some()))
        .then(|| (reason_code.clone(), reason_text.clone()));
    let aed_gross = net.checked_add(tax_amount).and_then(|x| in_aed(x, rate));
    let (Some(aed_tax), Some(aed_gross)) = (in_aed(tax_amount, rate), aed_gross) else {
        is.error(&l.path, TOO_LARGE_LINE);
        return None;
    };
    let line = Line {
        id: Some(ident((i + 1).to_string(), &l.path)),
        quantity: Some(Quantity {
            value: qty,
            unit_code: Some(unit.clone()),
            src: src(at("quantity")),
        }),
        line_extension_amount: Some(amount(net, cur, at("line_amount"))),
        accounting_cost: Some(text(account, at("account_code"))),
        allowance_charge: allowances,
        item: Some(Item {
            description: description
                .clone()
                .map(|t| text(t, at("description")))
                .into_iter()
                .collect(),
            name: l
                .str("item_name", is)
                .map(|n| text(n, at("item_name")))
                .or_else(|| description.map(|t| text(t, at("description")))),
            standard_item_identification: gtin.map(|g| ItemIdentification {
                id: Some(Identifier {
                    scheme_id: Some("0160".into()),
                    ..ident(g, at("gtin"))
                }),
                src: src(at("gtin")),
            }),
            additional_item_identification: service_id.into_iter().collect(),
            commodity_classification: classes,
            classified_tax_category: vec![TaxCategory {
                id: Some(ident(category.clone(), at("tax_category"))),
                percent: pct.map(|p| Numeric {
                    value: p,
                    src: src(at("tax_rate")),
                }),
                tax_exemption_reason_code: reason_code.filter(|_| needs_reason).map(|c| Code {
                    value: c,
                    src: src(at("exemption_reason_code")),
                    ..Code::default()
                }),
                tax_exemption_reason: reason_text
                    .filter(|_| needs_reason)
                    .map(|t| text(t, at("exemption_reason")))
                    .into_iter()
                    .collect(),
                tax_scheme: vat(),
                src: src(at("tax_category")),
                ..TaxCategory::default()
            }],
            src: src(&l.path),
            ..Item::default()
        }),
        price: Some(Price {
            price_amount: Some(amount(price, cur, at("unit_amount"))),
            base_quantity: Some(Quantity::new(Decimal::ONE, unit.clone())),
            allowance_charge: vec![AllowanceCharge {
                charge_indicator: Some(Indicator::new(false)),
                amount: Some(Amount::new(Decimal::new(0, 2), cur)),
                base_amount: Some(amount(price, cur, at("unit_amount"))),
                ..AllowanceCharge::default()
            }],
            src: src(at("unit_amount")),
        }),
        item_price_extension: Some(PriceExtension {
            amount: Some(amount(aed_gross, AED, at("tax_amount"))),
            tax_total: if category == "E" {
                Vec::new()
            } else {
                vec![TaxTotal {
                    tax_amount: Some(amount(aed_tax, AED, at("tax_amount"))),
                    ..TaxTotal::default()
                }]
            },
            src: src(at("tax_amount")),
        }),
        src: src(&l.path),
        ..Line::default()
    };
    Some((
        line,
        LineOut {
            category,
            rate: pct,
            net,
            tax: tax_amount,
            reason,
        },
    ))
}
