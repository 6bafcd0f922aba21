//! pintae's rule engine: an XPath 2.0 engine and an ISO Schematron runner
//! that give the same verdicts as the official compiled PINT-AE and EN 16931
//! validation artefacts.
//!
//! ```no_run
//! use pintae_rules::{schematron::Schema, Validator};
//! let core = Schema::parse("core.sch", &std::fs::read_to_string("core.sch").unwrap()).unwrap();
//! let validator = Validator::new(vec![core]);
//! let report = validator.validate(b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>");
//! println!("valid: {}", report.valid);
//! ```
//!
//! The library does no I/O: it is given text and bytes, and returns reports.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bundled;
pub mod input;
pub mod schematron;
mod validate;
pub mod xpath;

pub use validate::{Failure, Report, Validator};
