//! Running a compiled schema over a document.

use serde::Serialize;

use std::sync::Arc;

use super::def::RuleDoc;
use super::Schema;
use crate::xpath::compile::{Op, NO_SYM};
use crate::xpath::eval::{attr_vs_const_value, Evaluator, SchemaState};
use crate::xpath::value::{atomize_item, dup, Item, Seq, XNode};
use crate::xpath::{ErrorCode, Focus};

/// Assert or report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// Fails when the test is false.
    Assert,
    /// Fires when the test is true.
    Report,
}

/// A read-only view of one assert or report.
#[derive(Clone, Copy, Debug)]
pub struct Check<'s> {
    /// The `id` attribute.
    pub id: Option<&'s str>,
    /// The `flag` (or `role`) attribute.
    pub flag: Option<&'s str>,
    /// Assert or report.
    pub kind: CheckKind,
    /// The test expression.
    pub test: &'s str,
    /// The rule context.
    pub context: &'s str,
    /// The pattern id.
    pub pattern: Option<&'s str>,
}

#[derive(Debug)]
pub(super) enum MsgPart {
    Text(String),
    ValueOf(Op),
    Name(Option<Op>),
}

/// One assert or report as a run needs it: what is read for every element
/// (the kind and the test) beside each other, the rest behind one pointer.
/// The checks of a rule lie in one array that a run walks for every element
/// the rule takes; with the reporting parts inline each check spanned 288
/// bytes (five cache lines), with them apart 96, the kind first (`repr(C)`)
/// so that it shares a cache line with the start of the test.
#[derive(Debug)]
#[repr(C)]
pub(super) struct CompiledCheck {
    pub kind: CheckKind,
    pub test: Op,
    pub about: Box<CheckAbout>,
}

/// What a check reports with, and what [`super::Schema::checks`] shows.
#[derive(Debug)]
pub(super) struct CheckAbout {
    pub id: Option<String>,
    pub flag: Option<String>,
    pub test_src: String,
    pub message: Vec<MsgPart>,
    /// The bundled rule's documentation and its offending-value expression.
    pub doc: Option<(Arc<RuleDoc>, Option<Op>)>,
}

/// A failed assert or a fired report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Rule id (empty when the rule has none).
    pub id: String,
    /// `fatal`, `warning`, … (empty when the rule has none).
    pub flag: String,
    /// Where: `/Invoice/cac:AccountingCustomerParty[1]/cac:Party[1]`.
    pub location: String,
    /// 1-based line of the context element's start tag.
    pub line: u32,
    /// 1-based column of the context element's start tag.
    pub column: u32,
    /// The rule's message, with `value-of` and `name` filled in.
    pub message: String,
    /// Business terms the rule concerns (bundled rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    /// The offending value, when the rule names one (bundled rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What to change (bundled rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A dynamic XPath error raised while evaluating a rule: the official
/// validator aborts the document on these, so the document is not valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// Id of the assert whose test raised it, if any.
    pub id: Option<String>,
    /// The specification's error code (`XPTY0004`, `FORG0001`, …).
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// Context element location.
    pub location: String,
    /// Line of the context element.
    pub line: u32,
    /// Column of the context element.
    pub column: u32,
}

/// What running one schema on one document found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SchemaOutcome {
    /// Failed asserts and fired reports, pattern by pattern, in document order.
    pub failures: Vec<Failure>,
    /// Dynamic errors (at most [`MAX_ERRORS`] are kept).
    pub errors: Vec<RuleError>,
}

/// How many rule errors are kept per document.
pub const MAX_ERRORS: usize = 50;

/// The location path of a node: `/Invoice/cac:Party[1]/cbc:Name[2]`.
pub fn location<'a>(ev: &mut Evaluator<'a>, n: XNode<'a>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(n);
    while let Some(x) = cur {
        if x.node.is_root() {
            break;
        }
        if x.attr != 0 {
            parts.push(format!("@{}", ev.lexical_name(&x)));
        } else if x.node.is_element() {
            let name = ev.lexical_name(&x);
            let is_root_element = x.node.parent().is_some_and(|p| p.is_root());
            if is_root_element {
                parts.push(name.to_string());
            } else {
                parts.push(format!("{name}[{}]", ev.sibling_place(x.node)));
            }
        } else if x.node.is_text() {
            parts.push("text()".into());
        }
        cur = x.parent();
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// Line and column of a node's start tag (of the owner element's, for an
/// attribute).
fn position<'a>(ev: &mut Evaluator<'a>, n: XNode<'a>) -> (u32, u32) {
    ev.text_position(n.node)
}

/// One schema's run over one document, fed element by element.
struct Run<'a> {
    schema: &'a Schema,
    state: SchemaState<'a>,
    /// Errors of global lets, then one outcome per pattern.
    globals: SchemaOutcome,
    per_pattern: Vec<SchemaOutcome>,
    pattern_lets: Vec<Vec<(usize, Seq<'a>)>>,
}

impl<'a> Run<'a> {
    fn begin(schema: &'a Schema, ev: &mut Evaluator<'a>, doc: &'a roxmltree::Document<'a>) -> Run<'a> {
        let root = XNode::new(doc.root());
        let mut run = Run {
            schema,
            state: SchemaState::new(&schema.lib),
            globals: SchemaOutcome::default(),
            per_pattern: schema.patterns.iter().map(|_| SchemaOutcome::default()).collect(),
            pattern_lets: Vec::with_capacity(schema.patterns.len()),
        };
        ev.swap_state(&mut run.state);
        ev.number_elements(doc);
        let root_focus = Focus::node(root);
        for (slot, op) in &schema.globals {
            let v = ev.eval(op, &root_focus).unwrap_or_else(|e| {
                push_error(ev, &mut run.globals, None, *e, root);
                Seq::new()
            });
            ev.set_var(*slot, v);
        }
        for (pattern, pout) in schema.patterns.iter().zip(run.per_pattern.iter_mut()) {
            let mut values = Vec::new();
            for (slot, op) in &pattern.lets {
                let v = ev.eval(op, &root_focus).unwrap_or_else(|e| {
                    push_error(ev, pout, None, *e, root);
                    Seq::new()
                });
                ev.set_var(*slot, dup(&v));
                values.push((*slot, v));
            }
            run.pattern_lets.push(values);
        }
        ev.swap_state(&mut run.state);
        run
    }

    /// Offers one element to every pattern of the schema, in order.
    fn visit(&mut self, ev: &mut Evaluator<'a>, n: XNode<'a>) {
        ev.swap_state(&mut self.state);
        let schema = self.schema;
        let sym = ev.sym_of(n);
        let parent = n.parent().map_or(NO_SYM, |p| ev.sym_of(p));
        let cands = match schema.settled.cell(sym) {
            Some(cell) => &cell.get_or_init(|| settle(schema, ev, n, sym))[..],
            None => &schema.unnumbered[..],
        };
        // the value of the attribute the last guard read, for the next
        let mut guarded: Option<(&crate::xpath::compile::NodeTest, Option<&'a str>)> = None;
        // the pattern whose candidates are being tried, and whether a rule
        // of it has taken the element
        let mut current: Option<(u32, bool)> = None;
        for c in cands {
            match current {
                Some((p, taken)) if p == c.pattern => {
                    if taken {
                        continue;
                    }
                }
                _ => {
                    current = Some((c.pattern, false));
                    // pattern-level variables share slots between patterns
                    for (slot, v) in self.pattern_lets.get(c.pattern as usize).into_iter().flatten() {
                        ev.set_var(*slot, dup(v));
                    }
                }
            }
            // a parent of another name: turned away without matching
            let [p, q] = c.parents;
            if p != NO_SYM && p != parent && q != parent {
                continue;
            }
            let Some(pattern) = schema.patterns.get(c.pattern as usize) else {
                continue;
            };
            if let Some(g) = c.guard.and_then(|g| pattern.guards.get(g as usize)) {
                let value = match guarded {
                    Some((test, v)) if *test == g.attr.test => v,
                    _ => {
                        let v = attr_vs_const_value(&g.attr, n).flatten();
                        guarded = Some((&g.attr.test, v));
                        v
                    }
                };
                if !g.literals.iter().any(|l| Some(&**l) == value) {
                    continue;
                }
            }
            let Some(rule) = pattern.rules.get(c.rule as usize) else {
                continue;
            };
            // XSLT 2.0 §6.4: a dynamic error while matching a pattern is
            // recoverable, and the official processor recovers by
            // treating the pattern as not matching.
            #[cfg(feature = "rule-timing")]
            let started = std::time::Instant::now();
            let matched = c.certain
                || if c.empty_leaf {
                    super::pattern::empty_leaf_element(n)
                } else {
                    rule.matcher.matches_some(ev, n, c.alts).unwrap_or(false)
                };
            #[cfg(feature = "rule-timing")]
            if !c.certain {
                timing::record("context", &rule.context, started);
            }
            if matched {
                if let Some(pout) = self.per_pattern.get_mut(c.pattern as usize) {
                    schema.fire(ev, rule, n, pout);
                }
                current = Some((c.pattern, true));
            }
        }
        ev.swap_state(&mut self.state);
    }

    /// Failures pattern by pattern, each in document order, as the official
    /// validator reports them.
    fn finish(self) -> SchemaOutcome {
        let mut out = self.globals;
        for p in self.per_pattern {
            out.failures.extend(p.failures);
            out.errors.extend(p.errors);
        }
        out.errors.truncate(MAX_ERRORS);
        out
    }
}

/// The candidates of every pattern of a schema, in pattern order, for
/// elements named like `n` (name number `sym`), with the contexts that the
/// name alone decides settled on `n`.
fn settle<'a>(schema: &'a Schema, ev: &mut Evaluator<'a>, n: XNode<'a>, sym: u32) -> Box<[super::Cand]> {
    let mut out = Vec::new();
    for pattern in &schema.patterns {
        for c in pattern.candidates_for(sym) {
            match pattern.rules.get(c.rule as usize) {
                Some(rule) if rule.matcher.decided_by_name(c.alts) => {
                    if rule.matcher.matches_some(ev, n, c.alts).unwrap_or(false) {
                        out.push(super::Cand { certain: true, ..*c });
                        break;
                    }
                }
                _ => out.push(*c),
            }
        }
    }
    out.into_boxed_slice()
}

/// Runs several schemas over one document in a single walk: each element is
/// offered to every pattern of every schema in turn while its part of the
/// tree is in cache (a large invoice is walked once, not once per pattern),
/// and the document indexes are built once. One outcome per schema.
pub fn check_all<'a>(schemas: &[&'a Schema], doc: &'a roxmltree::Document<'a>) -> Vec<SchemaOutcome> {
    let Some(first) = schemas.first() else {
        return Vec::new();
    };
    let mut ev = Evaluator::new(&first.lib);
    let mut runs: Vec<Run<'a>> = schemas.iter().map(|s| Run::begin(s, &mut ev, doc)).collect();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for run in &mut runs {
            run.visit(&mut ev, XNode::new(n));
        }
    }
    runs.into_iter().map(Run::finish).collect()
}

impl Schema {
    /// Runs every pattern of the schema over the document. Never fails:
    /// dynamic errors are part of the outcome.
    pub fn check<'a>(&'a self, doc: &'a roxmltree::Document<'a>) -> SchemaOutcome {
        check_all(&[self], doc).pop().unwrap_or_default()
    }

    fn fire<'a>(&'a self, ev: &mut Evaluator<'a>, rule: &'a super::Rule, n: XNode<'a>, out: &mut SchemaOutcome) {
        let focus = Focus::node(n);
        for (slot, op) in &rule.lets {
            match ev.eval(op, &focus) {
                Ok(v) => ev.set_var(*slot, v),
                Err(e) => {
                    push_error(ev, out, None, *e, n);
                    ev.set_var(*slot, Seq::new());
                }
            }
        }
        if rule.shared > 0 || rule.kept > 0 {
            ev.begin_rule(rule.shared, rule.kept);
        }
        for c in &rule.checks {
            #[cfg(feature = "rule-timing")]
            let started = std::time::Instant::now();
            let truth = ev.ebv(&c.test, &focus);
            #[cfg(feature = "rule-timing")]
            timing::record("test", c.about.id.as_deref().unwrap_or("(no id)"), started);
            let fired = match truth {
                Ok(b) => match c.kind {
                    CheckKind::Assert => !b,
                    CheckKind::Report => b,
                },
                Err(e) => {
                    push_error(ev, out, c.about.id.clone(), *e, n);
                    continue;
                }
            };
            if fired {
                let (line, column) = position(ev, n);
                let about = &*c.about;
                let (terms, value, fix) = match &about.doc {
                    None => (Vec::new(), None, None),
                    Some((doc, value)) => (
                        doc.terms.clone(),
                        match value {
                            Some(op) => string_value(ev, op, &focus),
                            None => leaf_text(n),
                        },
                        Some(doc.fix.clone()).filter(|f| !f.is_empty()),
                    ),
                };
                out.failures.push(Failure {
                    id: about.id.clone().unwrap_or_default(),
                    flag: about.flag.clone().unwrap_or_default(),
                    location: location(ev, n),
                    line,
                    column,
                    message: render(ev, &about.message, &focus),
                    terms,
                    value,
                    fix,
                });
            }
        }
    }
}

/// Time spent in each test (by check id) and in matching each rule context,
/// on this thread, when the crate is built with the `rule-timing` feature:
/// a tool for finding the rules a check spends its time in
/// (`examples/rule_time.rs`). Each figure includes a clock read of about
/// 25 ns, so short tests read high.
#[cfg(feature = "rule-timing")]
pub mod timing {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::time::Instant;

    /// (kind, key) → (nanoseconds, calls).
    type Spent = HashMap<(&'static str, String), (u64, u64)>;

    thread_local! {
        static SPENT: RefCell<Spent> = RefCell::new(HashMap::new());
    }

    /// Adds the time since `started` to (kind, key), and one call.
    pub(crate) fn record(kind: &'static str, key: &str, started: Instant) {
        let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        SPENT.with(|m| {
            let mut m = m.borrow_mut();
            let e = m.entry((kind, key.to_string())).or_insert((0, 0));
            e.0 = e.0.saturating_add(ns);
            e.1 += 1;
        });
    }

    /// What was recorded since the last call, slowest first: (kind —
    /// `"test"`, `"context"`, or `"gave up"` for a direct form that gave
    /// up, timed as nil —, check id, context or the start of the test's
    /// compiled form, nanoseconds, calls).
    pub fn take() -> Vec<(&'static str, String, u64, u64)> {
        let mut out: Vec<_> = SPENT.with(|m| {
            m.borrow_mut()
                .drain()
                .map(|((kind, key), (ns, calls))| (kind, key, ns, calls))
                .collect()
        });
        out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        out
    }
}

fn push_error<'a>(
    ev: &mut Evaluator<'a>,
    out: &mut SchemaOutcome,
    id: Option<String>,
    e: crate::xpath::XPathError,
    n: XNode<'a>,
) {
    if out.errors.len() >= MAX_ERRORS {
        return;
    }
    let (line, column) = position(ev, n);
    let code = if e.code == ErrorCode::LIMIT {
        "LIMIT".to_string()
    } else {
        e.code.to_string()
    };
    out.errors.push(RuleError {
        id,
        code,
        message: e.message,
        location: location(ev, n),
        line,
        column,
    });
}

/// The text of a context element without element children (the value a
/// rule on it is about), shortened for reports.
fn leaf_text(n: XNode<'_>) -> Option<String> {
    if n.attr != 0 || n.node.children().any(|c| c.is_element()) {
        return None;
    }
    let t = n.node.text()?.trim();
    if t.is_empty() {
        return None;
    }
    Some(match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    })
}

/// The space-joined string values of what `op` selects; `None` when it
/// selects nothing or raises an error.
fn string_value<'a>(ev: &mut Evaluator<'a>, op: &'a Op, f: &Focus<'a>) -> Option<String> {
    let v = ev.eval(op, f).ok()?;
    let strs: Vec<String> = v.iter().map(|i| atomize_item(i).to_str().to_string()).collect();
    Some(strs.join(" ")).filter(|s| !s.is_empty())
}

fn render<'a>(ev: &mut Evaluator<'a>, parts: &'a [MsgPart], f: &Focus<'a>) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            MsgPart::Text(t) => s.push_str(t),
            MsgPart::ValueOf(op) => {
                if let Some(v) = string_value(ev, op, f) {
                    s.push_str(&v);
                }
            }
            MsgPart::Name(path) => {
                let target = match path {
                    None => f.item.clone(),
                    Some(op) => ev.eval(op, f).ok().and_then(|v| v.into_iter().next()),
                };
                if let Some(Item::Node(n)) = target {
                    s.push_str(&ev.lexical_name(&n).to_string());
                }
            }
        }
    }
    // collapse the whitespace of multi-line messages
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
