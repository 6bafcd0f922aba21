//! Converters from the JSON invoices of UAE e-invoicing platforms (Taxstar,
//! Evatra) to PINT-AE UBL XML.
//!
//! Empty for now: the converters are the subject of their own issue and will
//! build on the typed document model in `pintae-model`. The crate exists so
//! that the workspace layout, the lints and the dependency direction
//! (convert → model, never rules → convert) are fixed from the start.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
