//! The validator: one or more compiled schemas run in order on a document.

use serde::Serialize;

use crate::input::{self, Envelope, InputError, Unwrapped};
use crate::schematron::{RuleError, Schema};

pub use crate::schematron::Failure;

/// Several schemas run in order on each document (PINT-AE: the core file,
/// then the jurisdiction file). Compile once, share freely: `Send + Sync`.
#[derive(Debug)]
pub struct Validator {
    schemas: Vec<Schema>,
}

/// The verdict on one document. Checking never fails: an unreadable or
/// hostile document is a report with `input_error` set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// False when a `fatal` rule failed, a rule raised an error, or the
    /// document could not be checked.
    pub valid: bool,
    /// Failed asserts and fired reports, schema by schema.
    pub failed: Vec<Failure>,
    /// Dynamic errors raised by rules (the official validator aborts on these).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rule_errors: Vec<RuleError>,
    /// Why the document could not be checked at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_error: Option<InputError>,
    /// Set when the invoice came inside an SBDH envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrapped: Option<Envelope>,
    /// The bundled rule set that judged the document (`pint-ae-billing@1.0.4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ruleset: Option<String>,
}

impl Report {
    fn from_input_error(e: InputError) -> Report {
        Report {
            valid: false,
            input_error: Some(e),
            ..Report::default()
        }
    }

    /// Failed rule ids, in report order.
    pub fn failed_ids(&self) -> Vec<&str> {
        self.failed.iter().map(|f| f.id.as_str()).collect()
    }
}

impl Validator {
    /// A validator running `schemas` in order.
    pub fn new(schemas: Vec<Schema>) -> Validator {
        Validator { schemas }
    }

    /// The schemas, in run order.
    pub fn schemas(&self) -> &[Schema] {
        &self.schemas
    }

    /// Checks a document given as bytes.
    pub fn validate(&self, bytes: &[u8]) -> Report {
        validate_with(bytes, move |_: &roxmltree::Document<'_>| Ok((self, None)))
    }
}

/// The chooser of a validator for a parsed document: returns the validator
/// and, for bundled rule sets, the rule set's label for the report.
pub(crate) trait Pick<'v>:
    FnOnce(&roxmltree::Document<'_>) -> Result<(&'v Validator, Option<String>), InputError>
{
}
impl<'v, F> Pick<'v> for F where
    F: FnOnce(&roxmltree::Document<'_>) -> Result<(&'v Validator, Option<String>), InputError>
{
}

fn checked<'v, P: Pick<'v>>(doc: &roxmltree::Document<'_>, pick: P) -> Report {
    match pick(doc) {
        Err(e) => Report::from_input_error(e),
        Ok((v, ruleset)) => {
            let mut r = v.check_document(doc);
            r.ruleset = ruleset;
            r
        }
    }
}

/// Checks a document given as bytes with the validator `pick` chooses for
/// the (unwrapped) document.
pub(crate) fn validate_with<'v, P: Pick<'v>>(bytes: &[u8], pick: P) -> Report {
    let text = match input::decode(bytes) {
        Ok(t) => t,
        Err(e) => return Report::from_input_error(e),
    };
    let doc = match input::parse(&text) {
        Ok(d) => d,
        Err(e) => return Report::from_input_error(e),
    };
    match input::classify(&doc) {
        Err(e) => Report::from_input_error(e),
        Ok(Unwrapped::Bare(_)) => checked(&doc, pick),
        Ok(Unwrapped::Wrapped { payload, envelope }) => {
            drop(doc);
            let inner = match input::parse(&payload) {
                Ok(d) => d,
                Err(e) => return Report::from_input_error(e),
            };
            let mut r = checked(&inner, pick);
            let shift = envelope.payload_line.saturating_sub(1);
            for f in &mut r.failed {
                f.line += shift;
            }
            for e in &mut r.rule_errors {
                e.line += shift;
            }
            r.wrapped = Some(envelope);
            r
        }
    }
}

impl Validator {
    /// Checks an already parsed document (no root or envelope checks).
    pub fn check_document<'a>(&'a self, doc: &'a roxmltree::Document<'a>) -> Report {
        let mut r = Report::default();
        let schemas: Vec<&Schema> = self.schemas.iter().collect();
        for o in crate::schematron::check_all(&schemas, doc) {
            r.failed.extend(o.failures);
            r.rule_errors.extend(o.errors);
        }
        r.valid = r.rule_errors.is_empty() && !r.failed.iter().any(|f| f.flag == "fatal");
        r
    }
}
