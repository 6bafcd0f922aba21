//! Rule contexts as XSLT match patterns.
//!
//! A context such as `cac:InvoiceLine/cac:Item | /ubl:Invoice` is compiled
//! as an XPath path and then turned into path patterns that are matched
//! backwards from a candidate element: last step first, then its parent (for
//! `/`) or any ancestor (for `//`). Only element nodes are ever offered, as
//! the official compiled Schematron only applies templates to elements.

use crate::xpath::ast::Axis;
use crate::xpath::compile::{decided_by_expanded_name, never_numeric, NodeTest, NsTest, Op, StepOp, NO_SYM};
use crate::xpath::eval::Evaluator;
use crate::xpath::eval::{attr_and_literal, attr_vs_const_value};
use crate::xpath::functions::Builtin;
use crate::xpath::value::CmpOp;
use crate::xpath::value::{Item, Seq, XNode};
use crate::xpath::XPathError;

/// How a step relates to the step before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `a/b`: b's parent is a.
    Child,
    /// `a//b`: some ancestor of b is a.
    Desc,
}

/// Where a pattern is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// `a/b`: anywhere.
    Anywhere,
    /// `/a/b`: `a` is a child of the document node.
    Root,
}

#[derive(Debug)]
struct PStep {
    sep: Sep,
    attribute: bool,
    step: StepOp,
    /// Whether any predicate may be positional.
    positional: bool,
    /// The predicates are exactly `[not(*) and not(normalize-space())]`,
    /// answered without the evaluator (see [`is_empty_leaf`]).
    empty_leaf: bool,
}

#[derive(Debug)]
struct PathPattern {
    anchor: Anchor,
    steps: Vec<PStep>,
    /// `@name = 'literal'` among the last step's predicates (at the top or
    /// in a conjunction): an element whose attribute of that name is absent
    /// or has another value cannot match, whatever the other predicates
    /// (the comparison needs no position and raises no error), so it is
    /// turned away without evaluating them.
    guard: Option<(StepOp, Box<str>)>,
}

/// The elements the final step of a context alternative can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Final {
    /// Elements with this name (its number in the process's name table).
    Sym(u32),
    /// Any element.
    Any,
    /// No element: the alternative ends in an attribute, which the official
    /// validator never offers to rules.
    Never,
}

/// A compiled rule context.
#[derive(Debug)]
pub struct Matcher {
    alternatives: Vec<PathPattern>,
}

impl Matcher {
    /// Builds a matcher from a compiled context expression; `None` when the
    /// expression is not a valid XSLT 2.0 pattern.
    pub fn from_op(op: Op) -> Option<Matcher> {
        let mut alternatives = Vec::new();
        collect(op, &mut alternatives)?;
        Some(Matcher { alternatives })
    }

    /// Which elements the final step of each alternative can match.
    pub fn finals(&self) -> Vec<Final> {
        self.alternatives
            .iter()
            .map(|p| match p.steps.last() {
                Some(PStep { attribute: true, .. }) | None => Final::Never,
                Some(PStep {
                    step:
                        StepOp {
                            test: NodeTest::Name { sym, .. },
                            ..
                        },
                    ..
                }) if *sym != NO_SYM => Final::Sym(*sym),
                Some(_) => Final::Any,
            })
            .collect()
    }

    /// Whether an element's expanded name alone decides if it matches one of
    /// the alternatives in `alts` (bit `i` for alternative `i`; those past 64
    /// always count): each is one step (`*[…]`, `//cbc:X[…]`) whose
    /// predicates look only at the name, not at the prefix it was written
    /// with. A context such as `cbc:Amount | cac:TaxTotal[…]/cbc:TaxAmount`
    /// is decided by the name for an `Amount` element, whose only
    /// alternative is the first.
    pub fn decided_by_name(&self, alts: u64) -> bool {
        self.alternatives.iter().enumerate().all(|(i, p)| {
            !tried(alts, i)
                || (p.anchor == Anchor::Anywhere
                    && p.steps.len() == 1
                    && p.steps
                        .iter()
                        .all(|s| s.step.preds.iter().all(decided_by_expanded_name)))
        })
    }

    /// Whether the alternatives in `alts` are `//*[not(*) and
    /// not(normalize-space())]` alone (the context of PINT's rule on empty
    /// elements): one alternative, one step on any element, anywhere, with
    /// that one predicate. The runner answers it with [`empty_leaf_element`]
    /// without going through the matcher: it is offered nearly every
    /// element of a document.
    pub fn empty_leaf_only(&self, alts: u64) -> bool {
        let mut tried = self.alternatives.iter().enumerate().filter(|(i, _)| tried(alts, *i));
        let (Some((_, p)), None) = (tried.next(), tried.next()) else {
            return false;
        };
        let [s] = p.steps.as_slice() else { return false };
        p.anchor == Anchor::Anywhere
            && s.sep == Sep::Child
            && !s.attribute
            && s.empty_leaf
            && matches!(
                s.step.test,
                NodeTest::Name {
                    ns: NsTest::Any,
                    local: None,
                    ..
                }
            )
    }

    /// The attribute test that all the alternatives in `alts` are guarded
    /// by (`[@name = 'literal']` on their last step, the same `@name` for
    /// all), with their literals: an element whose attribute of that name is
    /// absent or has none of those values matches none of them. `None` when
    /// some alternative in `alts` (which always holds those past 64) has no
    /// guard or another attribute.
    pub fn guard_for(&self, alts: u64) -> Option<(StepOp, Box<[Box<str>]>)> {
        let mut attr: Option<&StepOp> = None;
        let mut literals = Vec::new();
        for (i, p) in self.alternatives.iter().enumerate() {
            if !tried(alts, i) {
                continue;
            }
            let (s, lit) = p.guard.as_ref()?;
            match attr {
                Some(a) if a.test != s.test => return None,
                _ => attr = Some(s),
            }
            literals.push(lit.clone());
        }
        Some((attr?.clone(), literals.into_boxed_slice()))
    }

    /// The names (numbers) the parent of an element must have for it to
    /// match one of the alternatives in `alts`: each of them has a child
    /// step before its last (`cac:TaxScheme/cbc:ID`), and together they name
    /// at most two parents. `[NO_SYM; 2]` when any parent may do (a
    /// one-step alternative, `//` before the last step, a parent test that
    /// is not one numbered name, more than two names, or alternatives past
    /// 64). This is the first test of [`names_may_match`], made before
    /// the matcher is called at all.
    pub fn parents_for(&self, alts: u64) -> [u32; 2] {
        const ANY: [u32; 2] = [NO_SYM; 2];
        if self.alternatives.len() > 64 {
            return ANY;
        }
        let mut found: Vec<u32> = Vec::new();
        for (i, p) in self.alternatives.iter().enumerate() {
            if !tried(alts, i) {
                continue;
            }
            let parent = match p.steps.as_slice() {
                [.., parent, last] if last.sep == Sep::Child && !last.attribute && !parent.attribute => parent,
                _ => return ANY,
            };
            match parent.step.test {
                NodeTest::Name { sym, .. } if sym != NO_SYM => {
                    if !found.contains(&sym) {
                        found.push(sym);
                    }
                }
                _ => return ANY,
            }
        }
        match found.as_slice() {
            [a] => [*a, *a],
            [a, b] => [*a, *b],
            _ => ANY,
        }
    }

    /// Whether the element matches one of the alternatives in `alts` (bit
    /// `i` for alternative `i`; those past 64 are always tried).
    pub fn matches_some<'a>(
        &'a self,
        ev: &mut Evaluator<'a>,
        n: XNode<'a>,
        alts: u64,
    ) -> Result<bool, Box<XPathError>> {
        for (i, p) in self.alternatives.iter().enumerate() {
            if !tried(alts, i) {
                continue;
            }
            if let Some((attr, literal)) = &p.guard {
                if attr_vs_const_value(attr, n).is_some_and(|v| v != Some(&**literal)) {
                    continue;
                }
            }
            // (for one step, matching it checks the same name first anyway)
            if (p.steps.len() == 1 || names_may_match(ev, p, n)) && match_from(ev, p, p.steps.len(), n)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The bit of alternative `i` in a set of alternatives (none past 64).
pub(super) fn alternative_bit(i: usize) -> u64 {
    u32::try_from(i).ok().and_then(|i| 1u64.checked_shl(i)).unwrap_or(0)
}

/// Whether alternative `i` is in the set `alts` (those past 64 always are).
fn tried(alts: u64, i: usize) -> bool {
    i >= 64 || alts & alternative_bit(i) != 0
}

fn collect(op: Op, out: &mut Vec<PathPattern>) -> Option<()> {
    match op {
        Op::PerDocument(inner, ..) => collect(*inner, out),
        Op::Union(a, b) => {
            collect(*a, out)?;
            collect(*b, out)
        }
        other => {
            let mut comps = Vec::new();
            flatten(other, &mut comps);
            out.push(build(comps)?);
            Some(())
        }
    }
}

fn flatten(op: Op, out: &mut Vec<Op>) {
    match op {
        Op::PerDocument(inner, ..) => flatten(*inner, out),
        Op::Path(l, r) => {
            flatten(*l, out);
            flatten(*r, out);
        }
        other => out.push(other),
    }
}

fn build(comps: Vec<Op>) -> Option<PathPattern> {
    let mut anchor = Anchor::Anywhere;
    let mut steps = Vec::new();
    let mut pending_desc = false;
    for (i, c) in comps.into_iter().enumerate() {
        match c {
            Op::Root if i == 0 => anchor = Anchor::Root,
            Op::Step(s) if s.axis == Axis::DescendantOrSelf && s.test == NodeTest::AnyNode && s.preds.is_empty() => {
                pending_desc = true;
            }
            Op::Step(mut s) => {
                let sep = match s.axis {
                    Axis::Child | Axis::Attribute => {
                        if pending_desc {
                            Sep::Desc
                        } else {
                            Sep::Child
                        }
                    }
                    Axis::Descendant => {
                        s.axis = Axis::Child;
                        Sep::Desc
                    }
                    _ => return None,
                };
                pending_desc = false;
                let positional = !s.preds.iter().all(never_numeric);
                let empty_leaf = matches!(s.preds.as_slice(), [p] if is_empty_leaf(p));
                steps.push(PStep {
                    sep,
                    attribute: s.axis == Axis::Attribute,
                    step: s,
                    positional,
                    empty_leaf,
                });
            }
            _ => return None,
        }
    }
    if steps.is_empty() || pending_desc {
        return None;
    }
    // `//a` from the root matches `a` anywhere.
    if anchor == Anchor::Root && steps[0].sep == Sep::Desc {
        anchor = Anchor::Anywhere;
        steps[0].sep = Sep::Child;
    }
    let guard = steps
        .last()
        .filter(|s| !s.attribute)
        .and_then(|s| s.step.preds.iter().find_map(attribute_guard));
    // last, as the shapes above are those of the compiled predicates: a
    // predicate that is never a number is a truth test, answered directly
    // where it has a direct form (as in the rules' tests)
    for s in steps.iter_mut().filter(|s| !s.positional && !s.empty_leaf) {
        s.step.preds.iter_mut().for_each(crate::xpath::direct::lower);
    }
    Some(PathPattern { anchor, steps, guard })
}

/// `@name = 'literal'` (one exact attribute name, no predicates), itself or
/// as a conjunct of the predicate.
fn attribute_guard(p: &Op) -> Option<(StepOp, Box<str>)> {
    match p {
        Op::And(a, b) => attribute_guard(a).or_else(|| attribute_guard(b)),
        Op::General(CmpOp::Eq, l, r, _) => attr_and_literal(l, r).map(|(s, c)| (s.clone(), c.into())),
        _ => None,
    }
}

fn step_matches<'a>(ev: &mut Evaluator<'a>, s: &'a PStep, n: XNode<'a>) -> Result<bool, Box<XPathError>> {
    if s.attribute || !n.is_element() {
        return Ok(false);
    }
    if !ev.node_test(&s.step.test, n, Axis::Child) {
        return Ok(false);
    }
    if s.step.preds.is_empty() {
        return Ok(true);
    }
    if s.empty_leaf {
        return Ok(empty_leaf_element(n));
    }
    if !s.positional {
        return ev.keeps_all(&s.step.preds, n, 1, 1);
    }
    // positional: evaluate the step from the parent and see if n survives
    let Some(parent) = n.parent() else { return Ok(false) };
    let mut siblings: Seq<'a> = parent
        .node
        .children()
        .map(XNode::new)
        .filter(|c| ev.node_test(&s.step.test, *c, Axis::Child))
        .map(Item::Node)
        .collect();
    for p in &s.step.preds {
        siblings = ev.filter(siblings, p)?;
    }
    Ok(siblings.iter().any(|i| matches!(i, Item::Node(x) if *x == n)))
}

/// The empty-element predicate `[not(*) and not(normalize-space())]` on an
/// element: no element child, and the text children (all the string value
/// then holds) only XML white space. Neither part can raise an error.
pub(super) fn empty_leaf_element(n: XNode<'_>) -> bool {
    !n.node.children().any(|c| c.is_element()) && n.string_value_is_blank()
}

/// A cheap necessary condition: the element names along the path (and the
/// root anchor) fit, ignoring predicates. Stops at the first `//` (where any
/// ancestor could match) and answers "maybe".
fn names_may_match<'a>(ev: &Evaluator<'a>, p: &PathPattern, n: XNode<'a>) -> bool {
    let mut cur = n;
    for (i, s) in p.steps.iter().enumerate().rev() {
        if s.attribute || !cur.is_element() || !ev.node_test(&s.step.test, cur, Axis::Child) {
            return false;
        }
        if i == 0 {
            return match p.anchor {
                Anchor::Anywhere => true,
                Anchor::Root => cur.parent().is_some_and(|x| x.node.is_root()),
            };
        }
        if s.sep == Sep::Desc {
            return true;
        }
        match cur.parent() {
            Some(par) => cur = par,
            None => return false,
        }
    }
    true
}

/// Does `n` match steps `[..k]` of `p`, with step `k-1` matching `n` itself?
fn match_from<'a>(ev: &mut Evaluator<'a>, p: &'a PathPattern, k: usize, n: XNode<'a>) -> Result<bool, Box<XPathError>> {
    let s = &p.steps[k - 1];
    if !step_matches(ev, s, n)? {
        return Ok(false);
    }
    if k == 1 {
        return Ok(match p.anchor {
            Anchor::Anywhere => true,
            Anchor::Root => n.parent().is_some_and(|x| x.node.is_root()),
        });
    }
    match s.sep {
        Sep::Child => match n.parent() {
            Some(par) => match_from(ev, p, k - 1, par),
            None => Ok(false),
        },
        Sep::Desc => {
            let mut cur = n.parent();
            while let Some(a) = cur {
                if match_from(ev, p, k - 1, a)? {
                    return Ok(true);
                }
                cur = a.parent();
            }
            Ok(false)
        }
    }
}

/// Whether a predicate is `not(*) and not(normalize-space())`, the test of
/// the rule on empty elements (PINT's ibr-079, context
/// `//*[not(*) and not(normalize-space())]`). Its pattern offers that rule
/// every element no earlier rule takes, most of a document, so the
/// predicate is answered directly from the tree instead of through five
/// evaluator calls per element (2-4% of a whole check).
fn is_empty_leaf(p: &Op) -> bool {
    let Op::And(a, b) = p else { return false };
    fn not(op: &Op) -> Option<&Op> {
        match op {
            Op::Call(Builtin::Not, args) => match args.as_slice() {
                [inner] => Some(inner),
                _ => None,
            },
            _ => None,
        }
    }
    let any_child_element = |op: &Op| {
        matches!(op, Op::Step(StepOp {
            axis: Axis::Child,
            test: NodeTest::Name { ns: NsTest::Any, local: None, .. },
            preds,
            ..
        }) if preds.is_empty())
    };
    let own_blank = |op: &Op| matches!(op, Op::Call(Builtin::NormalizeSpace, args) if args.is_empty());
    not(a).is_some_and(any_child_element) && not(b).is_some_and(own_blank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xpath::compile::{Compiler, StaticContext};
    use crate::xpath::parser;

    fn matcher(context: &str) -> Matcher {
        let op = Compiler::new(&StaticContext::new())
            .compile(&parser::parse(context).expect("parses"))
            .expect("compiles");
        Matcher::from_op(op).expect("a pattern")
    }

    #[test]
    fn the_empty_element_predicate_is_recognised_and_nothing_like_it() {
        let flags = |context: &str| -> Vec<bool> {
            matcher(context)
                .alternatives
                .iter()
                .flat_map(|p| p.steps.iter().map(|s| s.empty_leaf))
                .collect()
        };
        assert_eq!(flags("//*[not(*) and not(normalize-space())]"), [true]);
        assert_eq!(flags("a/*[not(*) and not(normalize-space())]"), [false, true]);
        for other in [
            "//*[not(*) or not(normalize-space())]",
            "//*[not(normalize-space()) and not(*)]",
            "//*[not(*[1]) and not(normalize-space())]",
            "//*[not(node()) and not(normalize-space())]",
            "//*[not(*) and not(normalize-space(.))]",
            "//*[not(*)][not(normalize-space())]",
            "//*[not(*) and not(normalize-space())][1]",
        ] {
            assert!(flags(other).iter().all(|f| !f), "{other}");
        }
    }

    #[test]
    fn only_the_empty_element_context_alone_skips_the_matcher() {
        let empty = "//*[not(*) and not(normalize-space())]";
        assert!(matcher(empty).empty_leaf_only(1));
        assert!(matcher("*[not(*) and not(normalize-space())]").empty_leaf_only(1));
        assert!(!matcher(empty).empty_leaf_only(0), "no alternative tried");
        // the one alternative tried of two
        let two = matcher(&format!("{empty} | a"));
        assert!(two.empty_leaf_only(1));
        assert!(!two.empty_leaf_only(2));
        assert!(!two.empty_leaf_only(3));
        for other in [
            "/*[not(*) and not(normalize-space())]",
            "a/*[not(*) and not(normalize-space())]",
            "//a[not(*) and not(normalize-space())]",
            "//*:a[not(*) and not(normalize-space())]",
            "//@*[not(*) and not(normalize-space())]",
            "//*[not(*)][not(normalize-space())]",
            "//*",
        ] {
            assert!(!matcher(other).empty_leaf_only(1), "{other}");
        }
    }

    #[test]
    fn an_empty_element_has_no_element_child_and_only_white_space() {
        let doc = roxmltree::Document::parse(
            "<r><a/><b> \n\t</b><c>x</c><d><e/></d><f><!-- c --> <?p?></f><g> <![CDATA[ ]]></g><h><![CDATA[y]]></h></r>",
        )
        .expect("well-formed");
        let empty: Vec<&str> = doc
            .descendants()
            .filter(|n| n.is_element() && empty_leaf_element(XNode::new(*n)))
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(empty, ["a", "b", "e", "f", "g"]);
    }
}
