//! Development tool for the bundled rules: drafts rule files from the
//! official artefacts' semantics ([`draft`]) and renders the rule
//! documentation pages ([`docs`]).

pub mod describe;
pub mod docs;
pub mod draft;
