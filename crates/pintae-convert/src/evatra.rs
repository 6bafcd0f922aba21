//! Evatra `send-document-async-json` requests → PINT-AE UBL.
//!
//! The `ublDto` is UBL 2.1 in JSON: element names as keys, leaf values as
//! `{"Value": …}` wrappers with attribute keys (`currencyID`, `schemeID`,
//! `unitCode`, `schemeAgencyID`, …), repeatable elements as arrays. The
//! typed model reads it directly; values may be strings or numbers, empty
//! strings and empty objects are omitted, platform-only keys are dropped,
//! and every other key the model does not know becomes a warning with its
//! JSON path.

use serde_json::Value;

use pintae_model::{is_blank, Document, DocumentKind, JsonCx};

use crate::{Converted, FieldIssue, FieldMap, Status};

/// Keys of the request body around `ublDto` that only steer the platform.
pub const REQUEST_KEYS: &[&str] = &["apiKey", "businessType", "receiverEmails", "mailTemplateId"];

/// Keys inside `ublDto` that only steer the platform; never emitted.
pub const PLATFORM_KEYS: &[&str] = &[
    "Type",
    "Format",
    "ProfileType",
    "CompanyId",
    "PartnerUuid",
    "IsPeppolParticipant",
    "PeppolParticipantId",
    "ExternalInvoiceId",
];

/// Document type codes (UNCL 1001) that make a credit note.
const CREDIT_NOTE_CODES: &[&str] = &["381", "81", "261", "396", "532"];

/// Converts an Evatra request body (`{"apiKey": …, "ublDto": {…}}`) or a
/// bare `ublDto` object. JSON paths in the result start with `ublDto`.
pub fn convert(bytes: &[u8]) -> Converted {
    let v = match crate::parse_json(bytes) {
        Ok(v) => v,
        Err(e) => return Converted::refused(None, None, e.into_issues(), Vec::new()),
    };
    let mut warnings = Vec::new();
    let dto = match &v {
        Value::Object(req) if req.contains_key("ublDto") => {
            for (k, x) in req {
                if k != "ublDto" && !REQUEST_KEYS.contains(&k.as_str()) && !is_blank(x) {
                    warnings.push(FieldIssue::new(
                        k,
                        "unknown key: not part of the request, not converted",
                    ));
                }
            }
            &req["ublDto"]
        }
        other => other,
    };
    let kind = match type_code(dto) {
        Some(c) if CREDIT_NOTE_CODES.contains(&c.as_str()) => DocumentKind::CreditNote,
        _ if dto.get("CreditNoteLine").is_some() => DocumentKind::CreditNote,
        _ => DocumentKind::Invoice,
    };
    let mut cx = JsonCx::default();
    let mut doc = Document::from_json(dto, "ublDto", kind, PLATFORM_KEYS, &mut cx);
    if !dto.is_object() && cx.errors.is_empty() {
        cx.errors.push(pintae_model::JsonIssue {
            path: "ublDto".into(),
            message: "expected an object".into(),
        });
    }
    if kind == DocumentKind::CreditNote {
        if let Some(due) = doc.due_date.take() {
            match doc.payment_means.iter_mut().find(|p| p.payment_due_date.is_none()) {
                Some(pm) => {
                    pm.payment_due_date = Some(due);
                    warnings.push(FieldIssue::new(
                        "ublDto.DueDate",
                        "a credit note gives its due date in PaymentMeans/PaymentDueDate: moved there",
                    ));
                }
                None => warnings.push(FieldIssue::new(
                    "ublDto.DueDate",
                    "a credit note has no DueDate and no payment means to carry it: not converted",
                )),
            }
        }
    }
    for m in doc.misplaced() {
        warnings.push(FieldIssue::new(
            &format!("ublDto.{}", m.replace('/', ".")),
            format!(
                "a {} has no place for it: not converted",
                if kind == DocumentKind::CreditNote {
                    "credit note"
                } else {
                    "invoice"
                }
            ),
        ));
    }
    let errors: Vec<FieldIssue> = cx
        .errors
        .into_iter()
        .map(|i| FieldIssue::new(&i.path, i.message))
        .collect();
    warnings.extend(cx.warnings.into_iter().map(|i| FieldIssue::new(&i.path, i.message)));
    let number = doc.id.as_ref().map(|i| i.value.clone());
    let mut c = Converted::refused(None, number, errors, warnings);
    c.fields = FieldMap::default();
    if c.errors.is_empty() {
        match doc.to_xml() {
            Ok(w) => {
                c.written = Some(w);
                c.status = Status::Converted;
            }
            Err(e) => c.errors.push(FieldIssue::new("ublDto", e.to_string())),
        }
    }
    c
}

fn type_code(dto: &Value) -> Option<String> {
    let v = dto.get("InvoiceTypeCode").or_else(|| dto.get("CreditNoteTypeCode"))?;
    let v = v.get("Value").unwrap_or(v);
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
