//! Refusing hostile width before parsing: start tags with very many
//! attributes, and very many namespace prefixes in scope. roxmltree checks
//! each attribute of a start tag against the tag's earlier ones, resolves
//! each prefix by a scan of the prefixes in scope, and copies those to every
//! element that declares another: 60,000 attributes on one element took 4 s
//! to parse, and 60,000 prefixes declared on the document element made each
//! of its elements cost 60,000 steps. With the limits below a document
//! costs at most a small multiple of its size.
//!
//! Counting a vector at a time gives bounds that ordinary documents stay
//! far below ([`Bounds`]); only a document over a bound is scanned tag by
//! tag ([`too_wide`]).

use std::collections::HashMap;

/// Most attributes (namespace declarations included) a start tag may have.
/// A UBL element has a handful; a document element that declares every
/// UBL namespace about thirty.
pub const MAX_ATTRIBUTES: usize = 128;

/// Most namespace prefixes (the default namespace counted as one) that may
/// be in scope at once. A UBL invoice with its extensions and signatures
/// uses about twenty, an SBDH envelope a few more.
pub const MAX_NAMESPACES: usize = 64;

/// Bounds from counting `<`, `=` and `xmlns` a vector at a time (three
/// passes over the text that cost a fraction of the parse).
pub(super) struct Bounds {
    /// How many `<` the text has.
    pub(super) tags: usize,
    /// At least the most `=` between one `<` and the next: no start tag has
    /// more attributes, since `<` cannot occur in a tag.
    pub(super) attributes: usize,
    /// How many times `xmlns` occurs: no more namespaces are ever
    /// declared, let alone in scope.
    pub(super) declarations: usize,
}

/// Bytes per block counted at once by [`Bounds::of`].
const BLOCK: usize = 4096;

impl Bounds {
    /// Counts in `b`. The `=` between two `<` lie in the block of the first,
    /// the blocks after it that have no `<`, and the block of the second, so
    /// summing the counts of such runs of blocks bounds them.
    pub(super) fn of(b: &[u8]) -> Bounds {
        let (mut tags, mut equals, mut attributes, mut run) = (0, 0, 0, 0);
        for block in b.chunks(BLOCK) {
            let lt = memchr::memchr_iter(b'<', block).count();
            let eq = memchr::memchr_iter(b'=', block).count();
            tags += lt;
            equals += eq;
            if lt == 0 {
                run += eq;
            } else {
                attributes = attributes.max(run + eq);
                run = eq;
            }
            attributes = attributes.max(run);
        }
        // every declaration has an `=`: with few of them (the official
        // examples have 29 to 112) the text is not searched for `xmlns`
        let declarations = if equals <= MAX_NAMESPACES {
            equals
        } else {
            memchr::memmem::find_iter(b, b"xmlns").count()
        };
        Bounds {
            tags,
            attributes,
            declarations,
        }
    }

    /// Whether the text may be too wide, so that [`too_wide`] must look.
    pub(super) fn may_be_too_wide(&self) -> bool {
        self.attributes > MAX_ATTRIBUTES || self.declarations > MAX_NAMESPACES
    }
}

/// The name that ends before the `=` at `at`, whitespace between them
/// skipped: back to the previous whitespace, quote, `<`, `>` or `=`.
fn name_before(b: &[u8], at: usize) -> &[u8] {
    let before = &b[..at];
    let end = before
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    let start = before[..end]
        .iter()
        .rposition(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'='))
        .map_or(0, |p| p + 1);
    &before[start..end]
}

/// Why a text is refused as too wide.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Wide {
    /// A start tag has more than [`MAX_ATTRIBUTES`] attributes.
    Attributes,
    /// More than [`MAX_NAMESPACES`] prefixes are in scope.
    Namespaces,
}

/// Where a start tag first has too many attributes or brings too many
/// namespace prefixes into scope, read tag by tag (comments, CDATA,
/// processing instructions and quoted values skipped). Each prefix counts
/// once however many open elements declare it. Malformed text is left for
/// the parser to report.
pub(super) fn too_wide(text: &str) -> Option<(usize, Wide)> {
    let b = text.as_bytes();
    // how many open elements declare each prefix ("" for the default
    // namespace), the prefixes with a count, and each open element's own
    let mut declaring: HashMap<&[u8], usize> = HashMap::new();
    let mut open: Vec<Vec<&[u8]>> = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &b[i..]) {
        let at = i + p;
        if let Some(end) = super::not_an_element(b, at) {
            i = end;
        } else if b.get(at + 1) == Some(&b'/') {
            for prefix in open.pop().unwrap_or_default() {
                forget(&mut declaring, prefix);
            }
            i = super::past(b, at, b">");
        } else {
            let (end, attributes, declared) = start_tag(b, at);
            if attributes > MAX_ATTRIBUTES {
                return Some((at, Wide::Attributes));
            }
            for &prefix in &declared {
                *declaring.entry(prefix).or_insert(0) += 1;
            }
            if declaring.len() > MAX_NAMESPACES {
                return Some((at, Wide::Namespaces));
            }
            if b.get(end.wrapping_sub(1)) == Some(&b'/') {
                // an empty-element tag closes at once
                for prefix in declared {
                    forget(&mut declaring, prefix);
                }
            } else {
                open.push(declared);
            }
            i = end + 1;
        }
        if i >= b.len() {
            break;
        }
    }
    None
}

/// One open element fewer declares `prefix`.
fn forget(declaring: &mut HashMap<&[u8], usize>, prefix: &[u8]) {
    if let Some(n) = declaring.get_mut(prefix) {
        *n -= 1;
        if *n == 0 {
            declaring.remove(prefix);
        }
    }
}

/// The start tag at `at`: the offset of its `>` (the end of the text when
/// it has none), how many attributes it has (its `=` outside quoted
/// values), and the prefixes it declares (`""` for the default namespace).
fn start_tag(b: &[u8], at: usize) -> (usize, usize, Vec<&[u8]>) {
    let (mut attributes, mut declared) = (0, Vec::new());
    let end = super::start_tag_end(b, at, |from, to| {
        attributes += count_declaring(b, from, to, &mut declared);
    });
    (end, attributes, declared)
}

/// The `=` in `b[from..to]` (a stretch of a start tag outside quoted
/// values), noting the prefixes their names declare.
fn count_declaring<'b>(b: &'b [u8], from: usize, to: usize, declared: &mut Vec<&'b [u8]>) -> usize {
    let mut n = 0;
    for eq in memchr::memchr_iter(b'=', &b[from..to]) {
        n += 1;
        let name = name_before(b, from + eq);
        if name == b"xmlns" {
            declared.push(&name[5..]);
        } else if let Some(prefix) = name.strip_prefix(b"xmlns:") {
            declared.push(prefix);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(attributes: usize) -> String {
        (0..attributes).map(|i| format!(" a{i}='{i}'")).collect()
    }

    fn declarations(from: usize, to: usize) -> String {
        (from..to).map(|i| format!(" xmlns:p{i}=\"urn:p{i}\"")).collect()
    }

    #[test]
    fn attributes_up_to_the_limit_pass() {
        let at_limit = format!("<r{}/>", tag(MAX_ATTRIBUTES));
        assert_eq!(too_wide(&at_limit), None);
        let over = format!("<r><e{}>x</e></r>", tag(MAX_ATTRIBUTES + 1));
        assert_eq!(too_wide(&over), Some((3, Wide::Attributes)));
        assert!(Bounds::of(over.as_bytes()).may_be_too_wide());
        assert!(!Bounds::of(at_limit.as_bytes()).may_be_too_wide());
    }

    #[test]
    fn quoted_equals_signs_and_comments_are_not_attributes() {
        let quoted = format!(
            "<r a='{}' b=\"{}\"><!-- {} --></r>",
            "=".repeat(500),
            "=".repeat(500),
            "a=1 ".repeat(500)
        );
        assert_eq!(too_wide(&quoted), None);
    }

    #[test]
    fn prefixes_count_while_in_scope_and_once_each() {
        let half = MAX_NAMESPACES / 2;
        // two siblings each declaring nearly the limit, an empty one and
        // one with content: never more than one's at once
        let siblings = format!(
            "<r><a{}/><b{}></b><c{}/></r>",
            declarations(0, MAX_NAMESPACES),
            declarations(MAX_NAMESPACES, 2 * MAX_NAMESPACES),
            declarations(2 * MAX_NAMESPACES, 3 * MAX_NAMESPACES)
        );
        assert_eq!(too_wide(&siblings), None);
        // the same prefixes declared again below: still counted once
        let again = format!(
            "<r{}><a{}/></r>",
            declarations(0, MAX_NAMESPACES),
            declarations(0, MAX_NAMESPACES)
        );
        assert_eq!(too_wide(&again), None);
        // nested, the two halves and one more are in scope together
        let nested = format!(
            "<r xmlns='urn:d'{}><a{}><b xmlns:q='urn:q'/></a></r>",
            declarations(0, half - 1),
            declarations(half, 2 * half)
        );
        let b_at = nested.find("<b").unwrap_or(0);
        assert_eq!(too_wide(&nested), Some((b_at, Wide::Namespaces)));
    }

    #[test]
    fn the_bounds_are_never_below_the_counts() {
        let spaced = "<r xmlns = 'urn:a' xmlns:b\t=\"urn:b\"><c xmlns:d='urn:d'/></r>";
        let b = Bounds::of(spaced.as_bytes());
        assert_eq!(b.tags, 3);
        assert!(b.declarations >= 3);
        assert!(b.attributes >= 2);
        // one tag's attributes across many blocks, some without a `<`, with
        // long values and other tags around it
        for (before, value) in [(0, 0), (1000, 3000), (5000, 1)] {
            let tag = (0..=MAX_ATTRIBUTES)
                .map(|i| format!(" a{i}='{}'", "v".repeat(value * (i % 3))))
                .collect::<String>();
            let text = format!("<r>{}<e{tag}/><f/></r>", "<x/>".repeat(before));
            assert!(
                Bounds::of(text.as_bytes()).attributes > MAX_ATTRIBUTES,
                "{before} {value}"
            );
            assert!(too_wide(&text).is_some());
        }
    }
}
