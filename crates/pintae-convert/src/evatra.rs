//! Evatra `send-document-async-json` requests → PINT-AE UBL.

use crate::Converted;

/// Converts an Evatra request body or a bare `ublDto`.
pub fn convert(bytes: &[u8]) -> Converted {
    let _ = bytes;
    Converted::refused(None, None, vec![crate::FieldIssue::new("$", "not yet")], Vec::new())
}
