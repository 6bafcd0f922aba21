//! Answers [`Direct`] tests over the document's indexes (see
//! [`crate::xpath::direct`]): children by name from the packed children,
//! descendants by name from the elements grouped by name number, texts read
//! in place. Every function gives `None` where the answer is not certain to
//! be the evaluator's, which then evaluates the original expression.

use super::{
    compare_pair, const_atomic, number_arg, round_like, rounded_double, sum_add, sum_end, Evaluator, Focus, Item, R,
    WIDE,
};
use crate::xpath::compile::Op;
use std::borrow::Cow;
use std::ops::ControlFlow::{self, Break, Continue};
use std::ops::Range;

use crate::xpath::direct::{Affix, DKind, DPath, DStep, DValue, Direct, Single, Values};
use crate::xpath::value::{
    arith, atomic_ebv, double_arith, is_xml_ws, parse_double, text_holds, Atomic, AtomicType, CmpOp, Seq, Str, XNode,
};

type Node<'a> = roxmltree::Node<'a, 'a>;

/// What a walk does with each node it reaches: `Some(true)` ends the walk
/// with that answer, `Some(false)` goes on, `None` gives up.
type Each<'e, 'a> = dyn FnMut(&mut Evaluator<'a>, XNode<'a>) -> Option<bool> + 'e;

impl<'a> Evaluator<'a> {
    /// The effective boolean value of [`Op::Direct`]: its direct answer
    /// when there is a certain one, else the original's.
    pub(super) fn direct_or(&mut self, d: &'a Direct, original: &'a Op, f: &Focus<'a>) -> R<bool> {
        if let Some(Item::Node(n)) = &f.item {
            if n.attr == 0 && self.syms.numbers(n.node.document()) {
                if let Some(b) = self.direct(d, n.node) {
                    #[cfg(feature = "direct-audit")]
                    self.audit(b, original, f);
                    return Ok(b);
                }
                // which tests' direct forms give up, and how often (the
                // time recorded is nil): the start of the original's form
                #[cfg(feature = "rule-timing")]
                {
                    let shown: String = format!("{original:?}").chars().take(120).collect();
                    crate::schematron::timing::record("gave up", &shown, std::time::Instant::now());
                }
            }
        }
        self.ebv(original, f)
    }

    /// Checks a direct answer against the evaluator's (the `direct-audit`
    /// feature, for tests): they must agree, and the evaluator must not
    /// raise an error.
    #[cfg(feature = "direct-audit")]
    fn audit(&mut self, b: bool, original: &'a Op, f: &Focus<'a>) {
        match self.ebv(original, f) {
            Ok(e) if e == b => {}
            other => panic!("direct answer {b}, the evaluator's {other:?}, for {original:?}"),
        }
    }

    fn direct(&mut self, d: &'a Direct, n: Node<'a>) -> Option<bool> {
        match d {
            Direct::Exists(p) => self.walk(p, p.fallible, n, &mut |_, _| Some(true)),
            Direct::Count(p, cmp, k, literal_first) => {
                let mut count: i128 = 0;
                self.walk(p, false, n, &mut |_, _| {
                    count += 1;
                    Some(false)
                })?;
                Some(holds_integer(*cmp, count, *k, *literal_first))
            }
            Direct::Text {
                values,
                op,
                literals,
                literal_first,
            } => {
                let holds = |v: &str| {
                    literals.iter().any(|l| {
                        if *literal_first {
                            text_holds(*op, l, v)
                        } else {
                            text_holds(*op, v, l)
                        }
                    })
                };
                match values {
                    Values::Nodes(p) => self.walk(p, p.fallible, n, &mut |_, x| Some(holds(text_of(x)?))),
                    Values::One(one) => Some(holds(&self.single(one, n)?)),
                    Values::Mapped(a, one) => {
                        let whole = a.fallible || one.fallible();
                        self.walk(a, whole, n, &mut |ev, x| Some(holds(&ev.single(one, x.node)?)))
                    }
                }
            }
            Direct::Pair(l, op, r) => self.walk(l, false, n, &mut |ev, x| {
                let a = text_of(x)?;
                ev.walk(r, false, n, &mut |_, y| Some(text_holds(*op, a, text_of(y)?)))
            }),
            Direct::Boolean(p, literal, eq) => self.walk(p, true, n, &mut |_, x| {
                let b = boolean_text(text_of(x)?)?;
                Some((b == *literal) == *eq)
            }),
            Direct::NonEmpty(one) => Some(!self.single(one, n)?.is_empty()),
            Direct::Affix(one, affix, lit) => {
                let s = self.single(one, n)?;
                Some(match affix {
                    Affix::Start => s.starts_with(&**lit),
                    Affix::End => s.ends_with(&**lit),
                    Affix::Within => s.contains(&**lit),
                })
            }
            Direct::Matches(one, re) => Some(re.is_match(&self.single(one, n)?)),
            Direct::Token(one, set, spaceless) => {
                let s = self.single(one, n)?;
                Some(if s.contains(' ') {
                    !spaceless && set.haystack.contains(&format!(" {s} "))
                } else {
                    set.tokens.contains(&*s)
                })
            }
            Direct::Length(one, cmp, k, literal_first) => {
                let len = self.single(one, n)?.chars().count();
                Some(holds_integer(*cmp, i128::try_from(len).ok()?, *k, *literal_first))
            }
            Direct::Castable(one, t, empty_ok) => {
                if !one.bare() {
                    let s = self.single(one, n)?;
                    return Some(Atomic::String(Str::Borrowed(&s)).cast(*t).is_ok());
                }
                // the first two values: none, one, or more than one
                Some(match self.first_two_nodes(&one.path, n)? {
                    (_, true) => false,
                    (None, false) => *empty_ok,
                    (Some(x), false) => untyped_text(x)?.cast(*t).is_ok(),
                })
            }
            Direct::Number(num) => {
                let literal = const_atomic(&num.literal);
                let holds = |a: &Atomic<'_>| {
                    let (x, y) = if num.literal_first {
                        (&literal, a)
                    } else {
                        (a, &literal)
                    };
                    compare_pair(num.op, x, y, num.single).ok()
                };
                let Some((t, empty_ok)) = num.cast else {
                    return self.walk(&num.path, true, n, &mut |_, x| holds(&untyped_text(x)?));
                };
                match self.first_two_nodes(&num.path, n)? {
                    // a cast of two values, or of none where it must have one
                    (_, true) => None,
                    (None, false) => empty_ok.then_some(false),
                    (Some(x), false) => holds(&untyped_text(x)?.cast(t).ok()?),
                }
            }
            Direct::Not(d) => Some(!self.direct(d, n)?),
            Direct::Shared(d, slot) => {
                if let Some(Some(b)) = self.shared.get(*slot as usize) {
                    return Some(*b);
                }
                let b = self.direct(d, n)?;
                // with the audit, only the evaluator keeps shared truths, so
                // that a direct answer never stands in for its own check
                #[cfg(not(feature = "direct-audit"))]
                if let Some(kept) = self.shared.get_mut(*slot as usize) {
                    *kept = Some(b);
                }
                Some(b)
            }
            Direct::And(l, r) => {
                if self.direct(l, n)? {
                    self.direct(r, n)
                } else {
                    Some(false)
                }
            }
            Direct::Or(l, r) => {
                if self.direct(l, n)? {
                    Some(true)
                } else {
                    self.direct(r, n)
                }
            }
            Direct::Both(l, r) => {
                let l = self.direct(l, n)?;
                Some(self.direct(r, n)? || l)
            }
            // both sides computed, whichever the evaluator would stop at:
            // an answer only when neither raises an error
            Direct::Compare(op, l, r, single) => match (self.value(l, n)?, self.value(r, n)?) {
                (Some(a), Some(b)) => compare_pair(*op, &a, &b, *single).ok(),
                _ => Some(false),
            },
            Direct::Value(v) => match self.value(v, n)? {
                Some(a) => atomic_ebv(&a).ok(),
                None => Some(false),
            },
        }
    }

    /// The nodes of the per-document path `p` (the direct form of
    /// `original`, if it has one), walked whole and put in document order;
    /// `None` to give up, where the evaluator computes `original`.
    pub(super) fn walked(&mut self, p: Option<&'a DPath>, original: &'a Op, f: &Focus<'a>) -> Option<Seq<'a>> {
        let (Some(p), Some(Item::Node(n))) = (p, &f.item) else {
            return None;
        };
        if !self.syms.numbers(n.node.document()) {
            return None;
        }
        let mut nodes = Seq::new();
        self.walk(p, true, n.node, &mut |_, x| {
            nodes.push(Item::Node(x));
            Some(false)
        })?;
        if !p.in_document_order() {
            // node ids are in document order; an element's attributes
            // follow it (attribute 0 is the element itself)
            let at = |i: &Item<'a>| match i {
                Item::Node(x) => (x.node.id().get(), x.attr),
                Item::Atomic(_) => (u32::MAX, u32::MAX),
            };
            nodes.sort_unstable_by_key(at);
            nodes.dedup_by_key(|i| at(i));
        }
        #[cfg(feature = "direct-audit")]
        match self.eval(original, f) {
            Ok(v) if v.len() == nodes.len() && v.iter().zip(&nodes).all(|(a, b)| same_node(a, b)) => {}
            other => panic!("walked {nodes:?}, the evaluator's {other:?}, for {original:?}"),
        }
        #[cfg(not(feature = "direct-audit"))]
        let _ = original;
        Some(nodes)
    }

    /// The texts of a key index's key (`original`, in direct form `v`)
    /// from node `n` of its base; `None` to give up, where the evaluator
    /// evaluates `original`.
    pub(super) fn key_texts(
        &mut self,
        v: &'a Values,
        original: &'a Op,
        n: XNode<'a>,
    ) -> Option<smallvec::SmallVec<[Str<'a>; 2]>> {
        if n.attr != 0 || !self.syms.numbers(n.node.document()) {
            return None;
        }
        let mut texts: smallvec::SmallVec<[Str<'a>; 2]> = smallvec::SmallVec::new();
        let owned = |t: Cow<'a, str>| match t {
            Cow::Borrowed(b) => Str::Borrowed(b),
            Cow::Owned(o) => Str::Shared(o.into()),
        };
        match v {
            Values::Nodes(p) => {
                self.walk(p, true, n.node, &mut |_, x| {
                    texts.push(Str::Borrowed(text_of(x)?));
                    Some(false)
                })?;
            }
            Values::One(one) => texts.push(owned(self.single(one, n.node)?)),
            Values::Mapped(a, one) => {
                self.walk(a, true, n.node, &mut |ev, x| {
                    texts.push(owned(ev.single(one, x.node)?));
                    Some(false)
                })?;
            }
        }
        #[cfg(feature = "direct-audit")]
        match self.eval(original, &Focus::node(n)) {
            Ok(keys)
                if keys.len() == texts.len()
                    && keys.iter().zip(&texts).all(
                        |(k, t)| matches!(super::atomize_item(k), Atomic::Untyped(s) | Atomic::String(s) if *s == **t),
                    ) => {}
            other => panic!("key texts {texts:?}, the evaluator's {other:?}, for {original:?}"),
        }
        #[cfg(not(feature = "direct-audit"))]
        let _ = original;
        Some(texts)
    }

    /// The value of `v` from `n`: `Some(None)` for the empty sequence,
    /// `None` to give up (where the evaluator raises an error, or may).
    fn value(&mut self, v: &'a DValue, n: Node<'a>) -> Option<Option<Atomic<'a>>> {
        Some(match v {
            DValue::Const(c) => Some(const_atomic(c)),
            DValue::Node(p) => match self.first_two_nodes(p, n)? {
                (_, true) => return None,
                (None, false) => None,
                (Some(x), false) => Some(untyped_text(x)?),
            },
            DValue::Cast(p, t, empty_ok) => self.cast_one(p, *t, *empty_ok, n)?,
            // as the evaluator's `number()`: a second node is an error
            DValue::Number(p) => Some(Atomic::Double(match self.first_two_nodes(p, n)? {
                (_, true) => return None,
                (None, false) => f64::NAN,
                (Some(x), false) => untyped_text(x)?.to_number(),
            })),
            DValue::Double(x) => self.double(x, n)?.map(Atomic::Double),
            // one item, as the evaluator atomizes it; more gives up
            DValue::Var(slot) => match self.st.vars.get(*slot)?.as_slice() {
                [] => None,
                [Item::Atomic(a)] => Some(a.clone()),
                [Item::Node(x)] => Some(untyped_text(*x)?),
                _ => return None,
            },
            DValue::Arith(o, l, r) => match (self.value(l, n)?, self.value(r, n)?) {
                (Some(a), Some(b)) => Some(arith(*o, &a, &b).ok()?),
                _ => None,
            },
            DValue::Rounded(b, x) => match self.value(x, n)? {
                None => None,
                Some(a) => Some(round_like(*b, number_arg(&a).ok()?).ok()?),
            },
            DValue::Mapped(start, each) => {
                // more than one value gives up, as soon as there is a second
                let mut first = None;
                self.each_value(start, Some(each), n, &mut |a| match first {
                    Some(_) => None,
                    None => {
                        first = Some(a);
                        Some(())
                    }
                })?;
                first
            }
            DValue::Sum(start, each) => {
                let mut total = None;
                self.each_value(start, each.as_ref(), n, &mut |a| {
                    total = Some(sum_add(total.take(), a).ok()?);
                    Some(())
                })?;
                Some(sum_end(total))
            }
        })
    }

    /// The value of `v`, arithmetic on doubles ([`DValue::Double`]), as a
    /// double: each operation by the evaluator's own functions for doubles
    /// (`double_arith`, `rounded_double`), operands in the same order. An operand that
    /// is not arithmetic is computed as [`Self::value`] computes it and
    /// promoted (an untyped text cast, a literal or the empty sum's 0
    /// converted); a text that is not a number gives up, where the
    /// evaluator raises its error.
    fn double(&mut self, v: &'a DValue, n: Node<'a>) -> Option<Option<f64>> {
        Some(match v {
            DValue::Arith(o, l, r) => match (self.double(l, n)?, self.double(r, n)?) {
                (Some(x), Some(y)) => Some(double_arith(*o, x, y)?),
                _ => None,
            },
            DValue::Rounded(b, x) => self.double(x, n)?.map(|d| rounded_double(*b, d)),
            other => match self.value(other, n)? {
                None => None,
                Some(Atomic::Untyped(s)) => Some(parse_double(&s)?),
                Some(a) if a.is_numeric() => Some(a.as_f64()),
                Some(_) => return None,
            },
        })
    }

    /// Gives `take` the value from every node of `start` (whichever the
    /// evaluator would stop at), in document order: its text, or the cast
    /// `each` makes from it; nothing for a cast of nothing that may be
    /// absent. `None` when a cast or `take` gives up.
    fn each_value(
        &mut self,
        start: &'a DPath,
        each: Option<&'a crate::xpath::direct::EachCast>,
        n: Node<'a>,
        take: &mut dyn FnMut(Atomic<'a>) -> Option<()>,
    ) -> Option<()> {
        self.walk(start, true, n, &mut |ev, x| {
            let a = match each {
                None => Some(untyped_text(x)?),
                Some((p, t, empty_ok)) => ev.cast_one(p, *t, *empty_ok, x.node)?,
            };
            if let Some(a) = a {
                take(a)?;
            }
            Some(false)
        })?;
        Some(())
    }

    /// The one node of `p` from `n` cast to `t`: `Some(None)` for none
    /// where `empty_ok`, `None` to give up.
    fn cast_one(&mut self, p: &'a DPath, t: AtomicType, empty_ok: bool, n: Node<'a>) -> Option<Option<Atomic<'a>>> {
        match self.first_two_nodes(p, n)? {
            (_, true) => None,
            (None, false) => empty_ok.then_some(None),
            (Some(x), false) => Some(Some(untyped_text(x)?.cast(t).ok()?)),
        }
    }

    /// The text of [`Single`] `one` from `n`; `None` when its path has two
    /// nodes (the functions raise an error) or a node whose text is not
    /// read in place.
    fn single(&mut self, one: &'a Single, n: Node<'a>) -> Option<Cow<'a, str>> {
        // a second node makes it an error, wherever the walk stops
        let text = match self.first_two_nodes(&one.path, n)? {
            (_, true) => return None,
            (None, false) => "",
            (Some(x), false) => text_of(x)?,
        };
        let mut text = Cow::Borrowed(text);
        if one.normalized && !is_normalized(&text) {
            text = Cow::Owned(
                text.split(is_xml_ws)
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        if one.upper && !text.bytes().all(|c| c.is_ascii() && !c.is_ascii_lowercase()) {
            // as the evaluator maps (`upper-case`)
            text = Cow::Owned(text.to_uppercase());
        }
        Some(text)
    }

    /// The first node of `p` from `n`, and whether it has a second.
    fn first_two_nodes(&mut self, p: &'a DPath, n: Node<'a>) -> Option<(Option<XNode<'a>>, bool)> {
        if let Some(two) = self.first_two_near(p, n) {
            return two;
        }
        let mut first: Option<XNode<'a>> = None;
        let two = self.walk(p, false, n, &mut |_, x| {
            match first {
                // a path whose loops may reach a node twice (`cac:A/..` with
                // two `cac:A`) has a second node only where it is another
                Some(f) if !p.distinct && f == x => Some(false),
                Some(_) => Some(true),
                None => {
                    first = Some(x);
                    Some(false)
                }
            }
        })?;
        Some((first, two))
    }

    /// [`Self::first_two_nodes`] without the walk's machinery for the
    /// paths most values are read through: the node itself, one of its
    /// attributes, or its children of one name. `None` for other paths.
    #[inline(never)]
    fn first_two_near(&mut self, p: &'a DPath, n: Node<'a>) -> Option<Option<(Option<XNode<'a>>, bool)>> {
        if p.from_document {
            return None;
        }
        let mut first = None;
        let mut take = |x: XNode<'a>| match first {
            Some(_) => true,
            None => {
                first = Some(x);
                false
            }
        };
        match (&*p.steps, &p.attribute) {
            ([], None) => Some(Some((Some(XNode::new(n)), false))),
            ([], Some((ns, local))) => {
                for x in attributes_named(n, ns.as_deref(), local) {
                    let Some(x) = x else { return Some(None) };
                    if take(x) {
                        return Some(Some((first, true)));
                    }
                }
                Some(Some((first, false)))
            }
            ([s], None) if s.preds.is_empty() => {
                let DKind::Child(sym) = s.kind else { return None };
                let doc = n.document();
                let ids: &[u32] = match &self.syms.top {
                    Some((top, grouped)) if *top == n.id().get() => grouped.group(sym as usize),
                    _ => {
                        let range = self.kids_range(n)?;
                        self.index.kids.as_ref()?.items.get(range)?
                    }
                };
                for &c in ids {
                    if self.syms.of_id(c) != sym {
                        continue;
                    }
                    let Some(c) = doc.get_node(roxmltree::NodeId::new(c)) else {
                        return Some(None);
                    };
                    if take(XNode::new(c)) {
                        return Some(Some((first, true)));
                    }
                    if s.first {
                        break;
                    }
                }
                Some(Some((first, false)))
            }
            _ => None,
        }
    }

    /// Hands `each` the nodes of `p` from `n`, as nested loops over its
    /// steps take them, until one gives `Some(true)`; with `whole`, hands it
    /// every node, and gives whether any gave `Some(true)`.
    fn walk(&mut self, p: &'a DPath, whole: bool, n: Node<'a>, each: &mut Each<'_, 'a>) -> Option<bool> {
        let start = if p.from_document { n.document().root() } else { n };
        if !whole {
            return self.from(&p.steps, p, start, each);
        }
        let mut any = false;
        self.from(&p.steps, p, start, &mut |ev, x| {
            any |= each(ev, x)?;
            Some(false)
        })?;
        Some(any)
    }

    fn from(&mut self, steps: &'a [DStep], p: &'a DPath, n: Node<'a>, each: &mut Each<'_, 'a>) -> Option<bool> {
        let Some((s, rest)) = steps.split_first() else {
            return self.last(p, n, each);
        };
        let doc = n.document();
        match s.kind {
            DKind::SelfNode => Some(ended(self.through(s, rest, p, n, each)?)),
            DKind::Parent => match n.parent() {
                Some(parent) => Some(ended(self.through(s, rest, p, parent, each)?)),
                None => Some(false),
            },
            DKind::ParentNamed(sym) => match n.parent() {
                Some(parent) if self.syms.of_id(parent.id().get()) == sym => {
                    Some(ended(self.through(s, rest, p, parent, each)?))
                }
                _ => Some(false),
            },
            DKind::Ancestor(sym) => {
                let mut up = n.parent();
                while let Some(a) = up {
                    if self.syms.of_id(a.id().get()) == sym {
                        if let Break(b) = self.through(s, rest, p, a, each)? {
                            return Some(b);
                        }
                    }
                    up = a.parent();
                }
                Some(false)
            }
            DKind::Child(sym) => {
                if let Some((top, grouped)) = &self.syms.top {
                    if *top == n.id().get() {
                        for i in grouped.group_range(sym as usize) {
                            let c = *self.syms.top.as_ref()?.1.items.get(i)?;
                            let c = doc.get_node(roxmltree::NodeId::new(c))?;
                            if let Break(b) = self.through(s, rest, p, c, each)? {
                                return Some(b);
                            }
                        }
                        return Some(false);
                    }
                }
                self.children(s, rest, p, n, each, |c| c == sym)
            }
            DKind::ChildEither(a, b) => {
                // the document element's children of the two names, merged:
                // it is the element most often too wide for `children`
                if let Some((top, grouped)) = &self.syms.top {
                    if *top == n.id().get() {
                        let runs = (grouped.group_range(a as usize), grouped.group_range(b as usize));
                        return self.merged(Runs::TopChildren, runs, (s, rest, p), doc, each);
                    }
                }
                self.children(s, rest, p, n, each, |c| c == a || c == b)
            }
            DKind::AnyChild => self.children(s, rest, p, n, each, |_| true),
            DKind::TextChild => {
                for c in n.children().filter(|c| c.is_text()) {
                    if let Break(b) = self.through(s, rest, p, c, each)? {
                        return Some(b);
                    }
                }
                Some(false)
            }
            DKind::DescendantEither(a, b) => {
                // two runs of ascending ids (document order), merged
                let runs = (self.syms.descendant_range(n, a)?, self.syms.descendant_range(n, b)?);
                self.merged(Runs::ByName, runs, (s, rest, p), doc, each)
            }
            DKind::Descendant(sym) => {
                for i in self.syms.descendant_range(n, sym)? {
                    let c = *self.syms.by_sym.as_ref()?.items.get(i)?;
                    let c = doc.get_node(c)?;
                    if let Break(b) = self.through(s, rest, p, c, each)? {
                        return Some(b);
                    }
                }
                Some(false)
            }
        }
    }

    /// Step `s` to the nodes of two runs of ascending node ids (document
    /// order), merged: the ranges `runs` of the grouping `from` says.
    fn merged(
        &mut self,
        from: Runs,
        runs: (Range<usize>, Range<usize>),
        (s, rest, p): (&'a DStep, &'a [DStep], &'a DPath),
        doc: &'a roxmltree::Document<'a>,
        each: &mut Each<'_, 'a>,
    ) -> Option<bool> {
        let (mut i, mut j) = runs;
        loop {
            let at = |ev: &Self, r: &Range<usize>| {
                let k = r.clone().next()?;
                match from {
                    Runs::ByName => ev.syms.by_sym.as_ref()?.items.get(k).map(|id| id.get()),
                    Runs::TopChildren => ev.syms.top.as_ref()?.1.items.get(k).copied(),
                }
            };
            let (x, y) = (at(self, &i), at(self, &j));
            let Some(c) = merge_next(&mut i, &mut j, x, y) else {
                return Some(false);
            };
            let c = doc.get_node(roxmltree::NodeId::new(c))?;
            if let Break(b) = self.through(s, rest, p, c, each)? {
                return Some(b);
            }
        }
    }

    /// Step `s` to the element children of `n` whose name number passes
    /// `name`, in document order.
    fn children(
        &mut self,
        s: &'a DStep,
        rest: &'a [DStep],
        p: &'a DPath,
        n: Node<'a>,
        each: &mut Each<'_, 'a>,
        name: impl Fn(u32) -> bool,
    ) -> Option<bool> {
        let doc = n.document();
        for i in self.kids_range(n)? {
            let c = *self.index.kids.as_ref()?.items.get(i)?;
            if !name(self.syms.of_id(c)) {
                continue;
            }
            let c = doc.get_node(roxmltree::NodeId::new(c))?;
            if let Break(b) = self.through(s, rest, p, c, each)? {
                return Some(b);
            }
        }
        Some(false)
    }

    /// Where the element children of `n` lie in the packed children; `None`
    /// for a wide element, whose children the evaluator indexes by name.
    fn kids_range(&mut self, n: Node<'a>) -> Option<std::ops::Range<usize>> {
        self.index.kids_of(n);
        let range = self.index.kids.as_ref()?.group_range(n.id().get_usize());
        (range.len() <= WIDE).then_some(range)
    }

    /// Node `c` reached by step `s`: through its predicates and on down the
    /// rest of the path. `Break(b)` ends the step's walk with `b`: the walk
    /// below `c` ended with true, or `c` is the step's first node (`[1]`);
    /// `Continue` goes on to the step's next node.
    fn through(
        &mut self,
        s: &'a DStep,
        rest: &'a [DStep],
        p: &'a DPath,
        c: Node<'a>,
        each: &mut Each<'_, 'a>,
    ) -> Option<ControlFlow<bool>> {
        for d in s.preds.iter() {
            if !self.direct(d, c)? {
                return Some(Continue(()));
            }
        }
        let hit = self.from(rest, p, c, each)?;
        Some(if hit || s.first { Break(hit) } else { Continue(()) })
    }

    /// The end of the path at `n`: `n` itself, or its attribute.
    fn last(&mut self, p: &'a DPath, n: Node<'a>, each: &mut Each<'_, 'a>) -> Option<bool> {
        let Some((ns, local)) = &p.attribute else {
            return each(self, XNode::new(n));
        };
        for x in attributes_named(n, ns.as_deref(), local) {
            if each(self, x?)? {
                return Some(true);
            }
        }
        Some(false)
    }
}

/// Which grouping of node ids a merge of two runs reads ([`Evaluator::merged`]).
#[derive(Clone, Copy)]
enum Runs {
    /// The document's elements by name number (`//a`).
    ByName,
    /// The document element's children by name number.
    TopChildren,
}

/// One step of merging two runs of ascending node ids, `i` and `j`, whose
/// next ids are `x` and `y`: the smaller, with its run advanced; a node in
/// both runs (`(a | a)`) is taken once. `None` when both are done.
fn merge_next(i: &mut Range<usize>, j: &mut Range<usize>, x: Option<u32>, y: Option<u32>) -> Option<u32> {
    match (x, y) {
        (Some(x), Some(y)) if x <= y => {
            i.next();
            if x == y {
                j.next();
            }
            Some(x)
        }
        (_, Some(y)) => {
            j.next();
            Some(y)
        }
        (Some(x), None) => {
            i.next();
            Some(x)
        }
        (None, None) => None,
    }
}

/// The attributes of `n` (none unless it is an element) with the namespace
/// `ns` and local name `local`, as nodes; `None` for one whose position does
/// not fit an [`XNode`].
fn attributes_named<'a>(n: Node<'a>, ns: Option<&'a str>, local: &'a str) -> impl Iterator<Item = Option<XNode<'a>>> {
    n.attributes()
        .enumerate()
        .filter(move |(_, a)| n.is_element() && a.name() == local && a.namespace() == ns)
        .map(move |(i, _)| {
            Some(XNode {
                node: n,
                attr: u32::try_from(i + 1).ok()?,
            })
        })
}

/// Whether two items are the same node (the `direct-audit` feature).
#[cfg(feature = "direct-audit")]
fn same_node(a: &Item<'_>, b: &Item<'_>) -> bool {
    match (a, b) {
        (Item::Node(x), Item::Node(y)) => x == y,
        _ => false,
    }
}

/// What the walk from a step's one node gave (`..`, `self::node()`).
fn ended(flow: ControlFlow<bool>) -> bool {
    matches!(flow, Break(true))
}

/// A node's typed value as the evaluator atomizes it (untyped text), for
/// the nodes [`text_of`] reads.
fn untyped_text(x: XNode<'_>) -> Option<Atomic<'_>> {
    Some(Atomic::Untyped(Str::Borrowed(text_of(x)?)))
}

/// The string value of an attribute, of a text node, or of an element with
/// at most one text node and no other children; `None` for other nodes.
fn text_of(x: XNode<'_>) -> Option<&str> {
    match x.attribute() {
        Some(a) => Some(a.value()),
        None if x.node.is_text() => x.node.text(),
        None => x.only_text(),
    }
}

/// A text read as `xs:boolean`; `None` when it is not one (an error).
fn boolean_text(t: &str) -> Option<bool> {
    // the four lexical forms as they nearly always come, without the
    // cast's white-space handling
    match t {
        "true" | "1" => return Some(true),
        "false" | "0" => return Some(false),
        _ => {}
    }
    match Atomic::Untyped(Str::Borrowed(t)).cast(AtomicType::Boolean) {
        Ok(Atomic::Boolean(b)) => Some(b),
        _ => None,
    }
}

/// `n ⋈ k`, or `k ⋈ n` when the literal is first.
fn holds_integer(cmp: CmpOp, n: i128, k: i128, literal_first: bool) -> bool {
    cmp.holds(Some(if literal_first { k.cmp(&n) } else { n.cmp(&k) }))
}

/// Whether `normalize-space` leaves a text as it is: no white space but
/// single spaces between words.
fn is_normalized(t: &str) -> bool {
    let b = t.as_bytes();
    let irregular = b.first() == Some(&b' ')
        || b.last() == Some(&b' ')
        || b.iter().any(|&c| matches!(c, b'\t' | b'\n' | b'\r'))
        || t.contains("  ");
    !irregular
}
