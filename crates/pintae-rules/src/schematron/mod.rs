//! ISO Schematron (`queryBinding="xslt2"`) reader and runner.
//!
//! A schema is read once ([`Schema::parse`]) into compiled patterns; running
//! it ([`Schema::check`]) visits every element of a document once per pattern
//! in document order, gives each element to the first rule of the pattern
//! whose context matches it (as the compiled XSLT of the official validators
//! does), and evaluates that rule's asserts and reports.

mod build;
pub mod def;
mod pattern;
mod reader;
mod runner;

pub use def::{RuleDoc, SchemaDef};
pub use reader::SchemaError;
#[cfg(feature = "rule-timing")]
pub use runner::timing;
pub use runner::{check_all, Check, CheckKind, Failure, RuleError, SchemaOutcome, MAX_ERRORS};

use crate::xpath::compile::Op;
use crate::xpath::Library;
use pattern::Matcher;

/// Counts of what a schema contains, for coverage tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchemaStats {
    /// `pattern` elements.
    pub patterns: usize,
    /// `rule` elements.
    pub rules: usize,
    /// `assert` elements.
    pub asserts: usize,
    /// `report` elements.
    pub reports: usize,
    /// `let` elements (global, pattern and rule level).
    pub lets: usize,
    /// `xsl:function` definitions.
    pub functions: usize,
}

/// A compiled Schematron schema.
#[derive(Debug)]
pub struct Schema {
    /// A name for reports (the file name, or the schema title).
    pub name: String,
    lib: Library,
    globals: Vec<(usize, Op)>,
    patterns: Vec<Pattern>,
    /// By name number, the candidates of every pattern in pattern order,
    /// with the contexts that the name alone decides settled: dropped when
    /// they cannot match, and a pattern's list cut after the first that
    /// must. Built the first time an element of that name is offered; the
    /// answer holds for every document. One list per name for the whole
    /// schema, not one per pattern, so that offering an element to the
    /// schema reads one small list, not a table per pattern.
    settled: Settled,
    /// The candidates of every pattern for a name without a number (the
    /// name table was full), not settled.
    unnumbered: Box<[Cand]>,
    stats: SchemaStats,
}

#[derive(Debug)]
struct Pattern {
    id: Option<String>,
    lets: Vec<(usize, Op)>,
    rules: Vec<Rule>,
    /// The rules that may match an element, in rule order, by the number of
    /// the element's name; the last list is for names no test mentions.
    candidates: Vec<Box<[Cand]>>,
    /// The guards that candidates refer to.
    guards: Vec<CandGuard>,
}

/// How many name numbers share one lazily allocated block of [`Settled`].
const SETTLED_BLOCK: usize = 256;

/// Settled candidate lists for every possible name number, in blocks
/// allocated on first use. It covers numbers given after the schema was
/// compiled too (names that only a later schema mentions, names taken from
/// documents): for this schema such names are ones no test mentions, whose
/// candidates are the any-element contexts, and those are settled as well.
#[derive(Debug)]
struct Settled {
    blocks: Box<[std::sync::OnceLock<Box<[SettledCell]>>]>,
}

/// The settled candidates of one name, built on first use.
type SettledCell = std::sync::OnceLock<Box<[Cand]>>;

impl Default for Settled {
    fn default() -> Self {
        let count = crate::xpath::compile::MAX_NAMES.div_ceil(SETTLED_BLOCK);
        Settled {
            blocks: (0..count).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }
}

impl Settled {
    /// The cell of name number `sym`; `None` for [`crate::xpath::compile::NO_SYM`].
    fn cell(&self, sym: u32) -> Option<&SettledCell> {
        let sym = sym as usize;
        let block = self.blocks.get(sym / SETTLED_BLOCK)?;
        let cells = block.get_or_init(|| (0..SETTLED_BLOCK).map(|_| std::sync::OnceLock::new()).collect());
        cells.get(sym % SETTLED_BLOCK)
    }
}

impl Pattern {
    /// The candidates for elements whose name has number `sym`: the last
    /// list (any-element contexts only) for names no test of this schema
    /// mentions, including those numbered after it was compiled.
    fn candidates_for(&self, sym: u32) -> &[Cand] {
        let last = self.candidates.len().saturating_sub(1);
        self.candidates
            .get((sym as usize).min(last))
            .map_or(&[][..], |c| &c[..])
    }
}

/// A rule that may match elements of some name.
#[derive(Debug, Clone, Copy)]
struct Cand {
    /// The index of its pattern in the schema.
    pattern: u32,
    /// Its index in the pattern.
    rule: u32,
    /// The alternatives of its context whose last step can match the name
    /// (bit `i` for alternative `i`; alternatives past 64 are always tried).
    alts: u64,
    /// The names (numbers) of the parents an element can match under
    /// ([`Matcher::parents_for`]); `[NO_SYM; 2]` for any parent.
    parents: [u32; 2],
    /// Whether the name alone already says that it matches.
    certain: bool,
    /// Whether its context is the empty-element test alone
    /// ([`Matcher::empty_leaf_only`]), answered without the matcher.
    empty_leaf: bool,
    /// Its entry in the pattern's `guards`, when every alternative in
    /// `alts` is guarded by the same attribute.
    guard: Option<u32>,
}

/// What a candidate's alternatives all require: an attribute (an exact
/// `@name` step) with one of these values. Elements that fail it are turned
/// away before the context is matched, the attribute read once per element
/// for a run of candidates guarded by it.
#[derive(Debug)]
struct CandGuard {
    attr: crate::xpath::compile::StepOp,
    literals: Box<[Box<str>]>,
}

#[derive(Debug)]
struct Rule {
    context: String,
    matcher: Matcher,
    lets: Vec<(usize, Op)>,
    checks: Vec<runner::CompiledCheck>,
    /// Slots of the truth tests its checks share (`Op::Shared`).
    shared: u32,
    /// Slots of the values its checks share (`Op::Kept`).
    kept: u32,
}

impl Schema {
    /// What the schema contains.
    pub fn stats(&self) -> SchemaStats {
        self.stats
    }

    /// Every assert and report, in document order of the schema file.
    pub fn checks(&self) -> impl Iterator<Item = Check<'_>> {
        self.patterns.iter().flat_map(move |p| {
            p.rules.iter().flat_map(move |r| {
                r.checks.iter().map(move |c| Check {
                    id: c.about.id.as_deref(),
                    flag: c.about.flag.as_deref(),
                    kind: c.kind,
                    test: &c.about.test_src,
                    context: &r.context,
                    pattern: p.id.as_deref(),
                })
            })
        })
    }
}
