//! Evaluation of compiled expressions over a roxmltree document.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use rust_decimal::Decimal;
use smallvec::smallvec;

use super::ast::{Axis, Quant};
use super::compile::{
    accessor_vs_const, one_atomic_per_node, uses_last, Const, Keyed, NameTable, NodeTest, NsTest, Op, SeqType, StepOp,
    TokenSet, NO_SYM,
};
use super::error::{ErrorCode, XPathError};
use super::functions::Builtin;
use super::regex::compile_regex;
use super::value::*;
use pintae_model::position::{node_count, start_tag_names, ElementStarts, TextPositions};

mod direct;

type R<T> = Result<T, Box<XPathError>>;

/// Deepest user-function recursion allowed.
const MAX_CALL_DEPTH: u32 = 512;
/// Most `for`/`some`/`every` iterations one evaluator (one document) may
/// run in all. The official rules loop over the digits of identifiers, a few
/// dozen iterations a document; the budget bounds the time a hostile
/// expression or document can take.
const MAX_ITERATIONS: u64 = 200_000;

/// Most items ranges and `for` expressions may produce in all, per
/// evaluator (one document): bounds the memory a hostile expression can take.
const MAX_ITEMS: u64 = 5_000_000;

/// Most items an `a to b` range may have. The official rules range over the
/// digits of an identifier; a million keeps a hostile expression or
/// document from costing seconds and hundreds of megabytes.
const MAX_RANGE: i128 = 1_000_000;

/// One statement of an `xsl:function` body.
#[derive(Debug)]
pub enum BodyOp {
    /// `xsl:variable` bound to a slot.
    Variable(usize, VarValue),
    /// `xsl:value-of select` (produces a text node: an untyped string).
    ValueOf(Op),
    /// `xsl:sequence select`.
    Sequence(Op),
}

/// The value of an `xsl:variable`.
#[derive(Debug)]
pub enum VarValue {
    /// `select="…"`.
    Select(Op),
    /// Literal content (a temporary tree whose string value is this text).
    Text(Box<str>),
}

/// A compiled `xsl:function`.
#[derive(Debug)]
pub struct UserFn {
    /// Lexical name, for messages.
    pub name: String,
    /// Declared parameter types, in order (parameter `i` lives in slot `i`).
    pub params: Vec<Option<SeqType>>,
    /// Statements.
    pub body: Vec<BodyOp>,
    /// Declared result type.
    pub ret: Option<SeqType>,
    /// Frame size.
    pub slots: usize,
}

/// User functions, by index.
#[derive(Debug, Default)]
pub struct Library {
    /// The functions; `Op::UserCall` indexes this.
    pub functions: Vec<UserFn>,
}

/// The focus: context item, position and size.
#[derive(Clone, Debug)]
pub struct Focus<'a> {
    /// The context item.
    pub item: Option<Item<'a>>,
    /// Context position (1-based).
    pub pos: usize,
    /// Context size.
    pub size: usize,
}

impl<'a> Focus<'a> {
    /// A focus on one node.
    pub fn node(n: XNode<'a>) -> Self {
        Focus {
            item: Some(Item::Node(n)),
            pos: 1,
            size: 1,
        }
    }
}

/// Evaluates expressions; holds the variable frame. One evaluator serves
/// one document: the indexes it builds on first use (elements by name,
/// start tags, lines) are of the first document it is asked about, so a
/// new document needs a new evaluator.
pub struct Evaluator<'a> {
    /// What belongs to the schema being run (swapped as a whole, one
    /// pointer, when several schemas take turns on each element).
    st: Box<StateOf<'a>>,
    depth: u32,
    regexes: HashMap<(String, String), Rc<regex::Regex>>,
    /// Indexes over the document, built on first use.
    index: DocIndex<'a>,
    /// Loop iterations so far, against [`MAX_ITERATIONS`].
    iterations: u64,
    /// Items produced by ranges and `for`, against [`MAX_ITEMS`].
    items: u64,
    /// The document's elements numbered by the process's name table.
    syms: Syms<'a>,
    /// Truths of the [`Op::Shared`] tests of the rule being fired, by slot;
    /// see [`Evaluator::begin_rule`].
    shared: Vec<Option<bool>>,
    /// Values of the [`Op::Kept`] expressions of the rule being fired.
    kept: Vec<Option<Seq<'a>>>,
}

/// A document's nodes numbered by the [`NameTable`]: the number of each
/// element's name by node id ([`UNNUMBERED`] for other nodes and for names
/// without a number). Two bytes per node: large invoices have hundreds of
/// thousands of nodes.
#[derive(Default)]
struct Syms<'a> {
    doc: Option<&'a roxmltree::Document<'a>>,
    of: Vec<u16>,
    /// How many numbers the name table has.
    names: usize,
    /// The elements by number, built on the first `//name`.
    by_sym: Option<Groups<roxmltree::NodeId>>,
    /// The document element's id and its element children grouped by
    /// number: nearly two hundred tests ask it for children by name, and it
    /// has the most children of any element in most invoices (a lookup
    /// instead of a scan of its 30-odd children: `cac:LegalMonetaryTotal`
    /// from it 49 → 36 ns).
    top: Option<(u32, Groups<u32>)>,
}

/// The stored number of a node that has none.
const UNNUMBERED: u16 = u16::MAX;

// every number the table gives fits in two bytes, below `UNNUMBERED`
const _: () = assert!(crate::xpath::compile::MAX_NAMES < UNNUMBERED as usize);

impl<'a> Syms<'a> {
    /// Numbers the elements and, in the same walk over the tree, groups
    /// every element's element children (see [`kids`]): on a large invoice
    /// a walk over the nodes is a walk through tens of megabytes, so the
    /// children are grouped from the (parent, child) pairs collected here.
    ///
    /// The flag tells whether an element went unnumbered although the table
    /// still takes document names ([`NameTable::learn`]).
    fn number(names: &NameTable, doc: &'a roxmltree::Document<'a>) -> (Syms<'a>, Groups<u32>, bool) {
        let count = node_count(doc);
        let mut of = vec![UNNUMBERED; count];
        // document order: each parent's children come in order
        // room for the elements of an indented document (about one node in
        // two); a compact one grows it
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(count / 2 + 1);
        // a document's elements share a few namespace strings: their ids
        // are looked up once per string (by address), not per element
        let mut ns_ids: smallvec::SmallVec<[(usize, usize, Option<u32>); 8]> = smallvec::SmallVec::new();
        let mut missed = false;
        for n in doc.descendants().filter(|n| n.is_element()) {
            let t = n.tag_name();
            let ns = t.namespace();
            let key = ns.map_or((0, 0), |s| (s.as_ptr() as usize, s.len()));
            let id = match ns_ids.iter().find(|(p, l, _)| (*p, *l) == key) {
                Some(&(_, _, id)) => id,
                None => {
                    let id = names.namespace_id(ns);
                    // a document declaring many namespaces is looked up
                    // per element beyond the first few
                    if ns_ids.len() < 8 {
                        ns_ids.push((key.0, key.1, id));
                    }
                    id
                }
            };
            let sym = id.map_or(NO_SYM, |id| names.lookup_in(id, t.name()));
            missed |= sym == NO_SYM;
            let id = n.id().get();
            if let (Some(slot), Ok(sym)) = (of.get_mut(id as usize), u16::try_from(sym)) {
                *slot = sym;
            }
            edges.extend(element_edge(n));
        }
        let kids = kids(count, &edges);
        let mut syms = Syms {
            doc: Some(doc),
            of,
            names: names.len(),
            by_sym: None,
            top: None,
        };
        syms.group_top(&kids);
        (syms, kids, missed && names.learns())
    }

    /// Numbers the elements left unnumbered with the table as it is now
    /// (after [`crate::xpath::compile::learn_names`]), and regroups the
    /// document element's children. The children's grouping `kids` does not
    /// depend on numbers and is kept.
    fn number_missed(&mut self, names: &NameTable, kids: &Groups<u32>) {
        let Some(doc) = self.doc else { return };
        for n in doc.descendants().filter(|n| n.is_element()) {
            let Some(slot) = self.of.get_mut(n.id().get_usize()) else {
                continue;
            };
            if *slot == UNNUMBERED {
                let t = n.tag_name();
                if let Ok(sym) = u16::try_from(names.lookup(t.namespace(), t.name())) {
                    *slot = sym;
                }
            }
        }
        self.names = names.len();
        self.by_sym = None;
        self.group_top(kids);
    }

    /// Groups the document element's element children by number.
    fn group_top(&mut self, kids: &Groups<u32>) {
        let Some(doc) = self.doc else { return };
        let top = doc.root_element().id().get();
        let of = &self.of;
        let by_name = Groups::new(self.names, 0, || {
            kids.group(top as usize)
                .iter()
                .map(|&c| (usize::from(of.get(c as usize).copied().unwrap_or(UNNUMBERED)), c))
        });
        self.top = Some((top, by_name));
    }

    /// Whether the nodes of `doc` are numbered.
    fn numbers(&self, doc: &roxmltree::Document<'_>) -> bool {
        self.doc.is_some_and(|d| std::ptr::eq(d, doc))
    }

    /// The number of node `id`'s name.
    #[inline]
    fn of_id(&self, id: u32) -> u32 {
        widen(self.of.get(id as usize).copied())
    }

    /// The number of an element's name; [`NO_SYM`] for other nodes, names
    /// without a number, and nodes of a document not numbered here.
    #[inline]
    fn sym_of(&self, n: XNode<'_>) -> u32 {
        if n.attr == 0 && self.numbers(n.node.document()) {
            self.of_id(n.node.id().get())
        } else {
            NO_SYM
        }
    }

    /// The element children (`kids`) of node `parent` whose name has the
    /// number `sym`, in document order.
    #[inline]
    fn named<'k>(&'k self, parent: u32, kids: &'k [u32], sym: u32) -> impl Iterator<Item = u32> + 'k {
        let (grouped, scanned) = match &self.top {
            Some((top, by_name)) if *top == parent => (by_name.group(sym as usize), &[][..]),
            _ => (&[][..], kids),
        };
        grouped
            .iter()
            .copied()
            .chain(scanned.iter().copied().filter(move |&c| self.of_id(c) == sym))
    }

    /// The elements below `n` whose name has the number `sym`, in document
    /// order; `None` when `n` is not in the numbered document.
    fn descendants(&mut self, n: roxmltree::Node<'a, 'a>, sym: u32) -> Option<&[roxmltree::NodeId]> {
        let range = self.descendant_range(n, sym)?;
        self.by_sym.as_ref()?.items.get(range)
    }

    /// Where [`Self::descendants`] lies in the elements grouped by number
    /// (`by_sym.items`).
    fn descendant_range(&mut self, n: roxmltree::Node<'a, 'a>, sym: u32) -> Option<std::ops::Range<usize>> {
        if !self.numbers(n.document()) {
            return None;
        }
        let (of, names) = (&self.of, self.names);
        let by_sym = self.by_sym.get_or_insert_with(|| {
            // `UNNUMBERED` is past the last group: those nodes are left out
            let pairs = || {
                of.iter()
                    .enumerate()
                    .map(|(id, &s)| (usize::from(s), roxmltree::NodeId::from(id)))
            };
            Groups::new(names, roxmltree::NodeId::new(0), pairs)
        });
        let group = by_sym.group_range(sym as usize);
        let within = in_subtree_range(by_sym.items.get(group.clone())?, n);
        Some(group.start + within.start..group.start + within.end)
    }

    /// Whether a node passes a node test on an axis: by number when the
    /// test is one exact element name and the node is numbered.
    #[inline]
    fn test(&self, test: &NodeTest, n: XNode<'_>, axis: Axis) -> bool {
        if let NodeTest::Name { sym, .. } = test {
            if *sym != NO_SYM && axis != Axis::Attribute && n.attr == 0 && self.numbers(n.node.document()) {
                return self.of_id(n.node.id().get()) == *sym;
            }
        }
        node_matches(test, n, axis)
    }
}

/// A stored two-byte number as a name number ([`NO_SYM`] for none).
#[inline]
fn widen(s: Option<u16>) -> u32 {
    match s {
        Some(UNNUMBERED) | None => NO_SYM,
        Some(s) => u32::from(s),
    }
}

/// Atomized values; one or two are kept inline, without allocating.
pub type Atoms<'a> = smallvec::SmallVec<[Atomic<'a>; 2]>;

/// Elements by local name, in document order.
/// Node ids (4 bytes each) rather than node handles keep the indexes small
/// on very large invoices.
pub type NameIndex<'a> = rustc_hash::FxHashMap<&'a str, Vec<roxmltree::NodeId>>;

/// Per-document indexes, built on first use and handed from one schema's
/// evaluator to the next: all elements by name (for `//name`), and the
/// children by name of very wide elements (so that `../cbc:X` from each of
/// thousands of lines does not scan every line).
#[derive(Default)]
pub struct DocIndex<'a> {
    by_name: Option<NameIndex<'a>>,
    wide_children: rustc_hash::FxHashMap<u32, NameIndex<'a>>,
    kids: Option<Groups<u32>>,
    starts: Option<ElementStarts>,
    lines: Option<TextPositions>,
}

/// Items grouped by a key, each group in the order the items were given:
/// group `k` is `items[start[k]..start[k + 1]]`. One array for all groups,
/// built by counting (no vector per group).
struct Groups<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Groups<T> {
    /// `pairs` yields (key, item) and is walked twice; keys of `groups` or
    /// more are left out. `fill` is any value of `T` (every slot it takes
    /// is overwritten).
    fn new<I: Iterator<Item = (usize, T)>>(groups: usize, fill: T, pairs: impl Fn() -> I) -> Groups<T> {
        // counts at start[k + 1], running sums, then each group filled with
        // start[k] as its cursor, which leaves start[k] at the group's end:
        // shifting by one restores the starts (no second array)
        let mut start = vec![0u32; groups + 1];
        for (k, _) in pairs() {
            if let Some(c) = start.get_mut(k + 1) {
                *c += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut items = vec![fill; start.last().map_or(0, |t| *t as usize)];
        for (k, item) in pairs() {
            if k >= groups {
                continue;
            }
            if let Some(cursor) = start.get_mut(k) {
                if let Some(slot) = items.get_mut(*cursor as usize) {
                    *slot = item;
                }
                *cursor += 1;
            }
        }
        start.pop();
        start.insert(0, 0);
        Groups { start, items }
    }

    #[inline]
    fn group(&self, k: usize) -> &[T] {
        self.items.get(self.group_range(k)).unwrap_or(&[])
    }

    /// Where group `k` lies in `items`.
    #[inline]
    fn group_range(&self, k: usize) -> std::ops::Range<usize> {
        match (self.start.get(k), self.start.get(k + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }
}

/// Every node's element children (ids), in order, grouped by parent id,
/// from the [`element_edge`]s of the elements in document order (which
/// lists each parent's children in order): scanning them reads 4 bytes per
/// child instead of following sibling links.
fn kids(node_count: usize, edges: &[(u32, u32)]) -> Groups<u32> {
    Groups::new(node_count, 0, || edges.iter().map(|&(p, c)| (p as usize, c)))
}

/// [`kids`] for a document that was not numbered.
#[cold]
fn kids_of_document(doc: &roxmltree::Document<'_>) -> Groups<u32> {
    let edges: Vec<_> = doc
        .descendants()
        .filter(|e| e.is_element())
        .filter_map(element_edge)
        .collect();
    kids(node_count(doc), &edges)
}

/// An element's (parent id, id).
fn element_edge(e: roxmltree::Node<'_, '_>) -> Option<(u32, u32)> {
    Some((e.parent()?.id().get(), e.id().get()))
}

impl<'a> DocIndex<'a> {
    /// The element children (ids) of an element, from the packed array
    /// built on first use.
    #[inline]
    fn kids_of(&mut self, n: roxmltree::Node<'a, 'a>) -> &[u32] {
        // numbering the document builds the array, so this is the hot path
        if self.kids.is_none() {
            self.kids = Some(kids_of_document(n.document()));
        }
        self.kids.as_ref().map_or(&[], |k| k.group(n.id().get_usize()))
    }

    /// The elements named `local` below `n`, in document order, from the
    /// per-document name index.
    fn named_descendants(&mut self, n: roxmltree::Node<'a, 'a>, local: &str) -> &[roxmltree::NodeId] {
        let index = self.by_name.get_or_insert_with(|| {
            let mut m: NameIndex<'a> = Default::default();
            for e in n.document().descendants().filter(|e| e.is_element()) {
                m.entry(e.tag_name().name()).or_default().push(e.id());
            }
            m
        });
        let Some(all) = index.get(local) else { return &[] };
        in_subtree(all, n)
    }
}

/// The part of `all` (node ids in document order) below `n`.
fn in_subtree<'i>(all: &'i [roxmltree::NodeId], n: roxmltree::Node<'_, '_>) -> &'i [roxmltree::NodeId] {
    &all[in_subtree_range(all, n)]
}

/// The indexes of the part of `all` (node ids in document order) below `n`.
fn in_subtree_range(all: &[roxmltree::NodeId], n: roxmltree::Node<'_, '_>) -> std::ops::Range<usize> {
    if n.is_root() {
        return 0..all.len();
    }
    // the subtree of n is the id range (n, first node after n's subtree)
    let start = n.id().get();
    let mut end = u32::MAX;
    let mut cur = Some(n);
    while let Some(c) = cur {
        if let Some(s) = c.next_sibling() {
            end = s.id().get();
            break;
        }
        cur = c.parent();
    }
    let lo = all.partition_point(|x| x.get() <= start);
    let hi = all.partition_point(|x| x.get() < end);
    lo..hi
}

/// Whether the official processor knows, when it compiles a general
/// comparison, that an operand is at most one item: what
/// [`crate::xpath::compile::at_most_one`] knows, and a named attribute of
/// such a node (`@currencyID`, `../@unitCode`).
fn one_item(op: &Op) -> bool {
    let named_attribute = |op: &Op| {
        matches!(op, Op::Step(s) if s.axis == Axis::Attribute
            && s.preds.is_empty()
            && matches!(&s.test, NodeTest::Name { local: Some(_), ns, .. } if !matches!(ns, NsTest::Any)))
    };
    crate::xpath::compile::at_most_one(op)
        || named_attribute(op)
        || matches!(op, Op::Path(l, r) if named_attribute(r) && crate::xpath::compile::at_most_one(l))
}

/// One operand of [`Evaluator::many_to_many`]: its items up to the error
/// the next pull would raise, how far they have been pulled, and the
/// positions kept for the other side's later items.
struct Side<'a> {
    items: Vec<Atomic<'a>>,
    err: Option<Box<XPathError>>,
    next: usize,
    done: bool,
    kept: Vec<usize>,
}

impl<'a> Side<'a> {
    fn new((items, err): (Vec<Atomic<'a>>, Option<Box<XPathError>>)) -> Side<'a> {
        Side {
            items,
            err,
            next: 0,
            done: false,
            kept: Vec::new(),
        }
    }

    /// This side's turn: its next item compared (`cmp(mine, theirs)`) with
    /// the other side's items pulled so far; `Some` once the comparison is
    /// decided.
    fn turn(&mut self, other: &Side<'a>, cmp: &dyn Fn(&Atomic<'a>, &Atomic<'a>) -> R<bool>) -> R<Option<bool>> {
        if self.done {
            return Ok(None);
        }
        let Some(x) = self.items.get(self.next) else {
            if let Some(e) = self.err.take() {
                return Err(e);
            }
            if other.done {
                return Ok(Some(false));
            }
            self.done = true;
            return Ok(None);
        };
        for y in other.kept.iter().filter_map(|&k| other.items.get(k)) {
            if cmp(x, y)? {
                return Ok(Some(true));
            }
        }
        // kept only while the other side may still bring new items
        if !other.done {
            self.kept.push(self.next);
        }
        self.next += 1;
        Ok(None)
    }
}

/// How many per-document values room is made for at first (each schema of
/// the bundled PINT-AE rules has fewer than 40).
const PER_DOCUMENT_IDS: usize = 64;

/// One schema's part of an evaluator's state; see [`Evaluator::swap_state`].
pub struct SchemaState<'a>(Box<StateOf<'a>>);

/// The evaluator's state that belongs to one schema.
struct StateOf<'a> {
    lib: &'a Library,
    /// Variable slots of the current frame.
    vars: Vec<Seq<'a>>,
    /// Values of `Op::PerDocument` expressions, by id.
    per_document: Vec<Option<Seq<'a>>>,
    /// Key indexes of [`Keyed`] paths, by index id.
    keyed: Vec<Option<KeyIndex<'a>>>,
    /// Truths of name-only predicates on this document.
    names_memo: NamesMemo<'a>,
}

impl<'a> StateOf<'a> {
    fn new(lib: &'a Library) -> Box<Self> {
        Box::new(StateOf {
            lib,
            vars: Vec::new(),
            per_document: Vec::new(),
            keyed: Vec::new(),
            names_memo: NamesMemo::default(),
        })
    }
}

/// The nodes of a [`Keyed`] base grouped by their keys.
enum KeyIndex<'a> {
    /// A key raised an error or was not a string: the plain path decides.
    Unusable,
    Ready {
        /// The base, in document order.
        nodes: Seq<'a>,
        /// Key → positions in `nodes`, ascending, each once.
        by_key: rustc_hash::FxHashMap<Key<'a>, Vec<u32>>,
    },
}

/// A string key of a [`KeyIndex`] (looked up by `&str`).
struct Key<'a>(Str<'a>);

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // as `str` hashes, which `Borrow<str>` requires
        (*self.0).hash(h)
    }
}

impl std::borrow::Borrow<str> for Key<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Truths of name-only predicates by (predicate id, lexical name, address
/// of the namespace URI in the document; 0 for none). The same address
/// means the same URI; equal URIs at two addresses are merely kept twice.
type NamesMemo<'a> = rustc_hash::FxHashMap<(u32, Lexical<'a>, usize), bool>;

impl<'a> SchemaState<'a> {
    /// Fresh state for a schema's functions.
    pub fn new(lib: &'a Library) -> Self {
        SchemaState(StateOf::new(lib))
    }
}

/// A step of a path [`Evaluator::exists_lazily`] walks.
enum LazyStep<'a> {
    /// A step whose predicates are never numbers.
    One(&'a StepOp),
    /// A step with positional predicates, on any axis, taken from
    /// each node the walk reaches as the official processor's nested
    /// iterators take it: without `last()`, its nodes go through the
    /// predicates one at a time, each on down the walk before the next is
    /// asked for, until a predicate has passed the last position it keeps;
    /// with `last()`, the step's nodes from that node are found whole
    /// first. Its nodes come in axis order. The nodes of later starting
    /// points are not asked for.
    Whole(&'a StepOp),
    /// `(a | b)`: two predicate-free child steps, their nodes merged in
    /// document order.
    Either(&'a StepOp, &'a StepOp),
}

/// The steps of a path of nodes (steps from the context node or the root,
/// the first of which may be a union of two predicate-free child steps),
/// each step taken as [`lazy_step`] says; the flag is set for a path from
/// the root. `None` for other expressions.
/// Whether such a path has a node does not depend on order or duplicates,
/// so the official processor walks it as nested loops, lazily
/// ([`Evaluator::exists_lazily`]).
/// The steps are pushed onto `steps` (given empty), not returned: moving
/// the filled list out of a call costs more than finding it.
fn lazy_path<'o>(op: &'o Op, steps: &mut LazySteps<'o>) -> Option<bool> {
    fn chain<'o>(op: &'o Op, out: &mut LazySteps<'o>) -> Option<bool> {
        match op {
            // walked, not looked up: its value need not be computed whole
            Op::PerDocument(inner, ..) => chain(inner, out),
            Op::Step(s) => {
                out.push(lazy_step(s));
                Some(false)
            }
            Op::Union(a, b) => {
                let (x, y) = child_step_pair(a, b)?;
                out.push(LazyStep::Either(x, y));
                Some(false)
            }
            Op::Path(l, r) => {
                let Op::Step(s) = &**r else { return None };
                let step = lazy_step(s);
                let from_root = match &**l {
                    Op::Root => true,
                    Op::Context => false,
                    l => chain(l, out)?,
                };
                out.push(step);
                Some(from_root)
            }
            _ => None,
        }
    }
    chain(op, steps)
}

/// How a lazy walk takes step `s`: node by node through its predicates
/// when none is positional, else as a whole step from each node.
fn lazy_step(s: &StepOp) -> LazyStep<'_> {
    if s.unpositional {
        LazyStep::One(s)
    } else {
        LazyStep::Whole(s)
    }
}

/// `count(a) ⋈ k` or `k ⋈ count(a)` for an integer literal `k`: `a`, `k`
/// and whether the literal is on the left.
fn count_vs_integer<'o>(l: &'o Op, r: &'o Op) -> Option<(&'o Op, i128, bool)> {
    match (l, r) {
        (Op::Call(Builtin::Count, args), Op::Const(Const::Integer(k))) => Some((args.first()?, *k, false)),
        (Op::Const(Const::Integer(k)), Op::Call(Builtin::Count, args)) => Some((args.first()?, *k, true)),
        _ => None,
    }
}

/// Whether `op` is a relative path of child steps, each an exact element
/// name without predicates (`cbc:ID`, `cac:Item/cbc:Name`); their name
/// numbers are pushed onto `syms`, first step first.
fn child_name_chain(op: &Op, syms: &mut smallvec::SmallVec<[u32; 4]>) -> bool {
    match op {
        Op::Step(StepOp {
            axis: Axis::Child,
            test: NodeTest::Name { sym, .. },
            preds,
            ..
        }) if *sym != NO_SYM && preds.is_empty() => {
            syms.push(*sym);
            true
        }
        Op::Path(l, r) => child_name_chain(l, syms) && child_name_chain(r, syms),
        _ => false,
    }
}

/// The foci a path's right side is evaluated with: each item of its left
/// side, which must be a node, with its position and the left side's size.
fn step_foci(left: Seq<'_>) -> impl Iterator<Item = R<Focus<'_>>> {
    let size = left.len();
    left.into_iter().enumerate().map(move |(i, item)| match item {
        Item::Atomic(_) => Err(dyn_err(ErrorCode::XPTY0019, "a path step applied to an atomic value")),
        node => Ok(Focus {
            item: Some(node),
            pos: i + 1,
            size,
        }),
    })
}

/// What the official processor knows, when it compiles a path, of the
/// nodes of its leading steps (its static properties): at most one node,
/// or none containing another (peers). Such nodes are in document order,
/// as the nested loops give them or because the processor sorts them.
#[derive(Clone, Copy)]
struct PathProps {
    single: bool,
    peer: bool,
}

impl PathProps {
    /// One node: the context item, or the root.
    const ONE: PathProps = PathProps {
        single: true,
        peer: true,
    };

    /// The properties after step `s`, and whether the nested loops over it
    /// give document order without repeats; where they do not, the
    /// processor sorts the path up to and including `s`, evaluating it
    /// whole, and pulls the rest from that. A step gives at most one node
    /// on the parent and self axes, as a named attribute, and with a
    /// predicate that keeps one position (`[1]`, `[last()]`); such a step
    /// is in order whatever its axis. Nested loops keep order from one
    /// node on any forward axis, and from several on the attribute axis,
    /// or on an axis within each node's subtree when no node contains
    /// another. The nodes stay peers from one node, or from peers on the
    /// child, attribute, self, parent and sibling axes (not on the
    /// ancestor axes, even with `[1]`: `cac:InvoiceLine/cbc:ID/ancestor::*[1]`
    /// is sorted as nodes that may nest). `E/self::T` is a filter of `E`
    /// there, not a step.
    fn then(self, s: &StepOp) -> (PathProps, bool) {
        use Axis::*;
        if s.axis == SelfAxis && s.preds.is_empty() {
            return (self, true);
        }
        let named_attribute = s.axis == Attribute
            && matches!(&s.test, NodeTest::Name { local: Some(_), ns, .. } if !matches!(ns, NsTest::Any));
        let single = matches!(s.axis, Parent | SelfAxis) || named_attribute || s.preds.iter().any(keeps_one_position);
        let forward = !matches!(s.axis, Ancestor | AncestorOrSelf | Preceding | PrecedingSibling);
        let peer_axis = matches!(
            s.axis,
            Child | Attribute | SelfAxis | Parent | FollowingSibling | PrecedingSibling
        );
        let subtree = matches!(s.axis, Child | Descendant | DescendantOrSelf | Attribute | SelfAxis);
        let in_order = (forward || single) && (self.single || s.axis == Attribute || (self.peer && subtree));
        let single = self.single && single;
        let after = PathProps {
            single,
            peer: single || (self.peer && peer_axis),
        };
        (after, in_order)
    }
}

/// Whether a predicate keeps at most one position: a number, `last()`, or
/// `position() = n`.
fn keeps_one_position(p: &Op) -> bool {
    match p {
        Op::Const(Const::Integer(_) | Const::Decimal(_) | Const::Double(_)) => true,
        Op::Call(Builtin::Last, args) => args.is_empty(),
        Op::General(CmpOp::Eq, a, b, _) | Op::Value(CmpOp::Eq, a, b) => matches!(
            (&**a, &**b),
            (Op::Call(Builtin::Position, _), Op::Const(Const::Integer(_)))
                | (Op::Const(Const::Integer(_)), Op::Call(Builtin::Position, _))
        ),
        _ => false,
    }
}

/// How the official processor orders the nodes of a path of steps
/// ([`PathProps`]).
struct PathPlan<'o> {
    /// The leading part it sorts last, evaluating it whole, and the number
    /// of its steps; `None` when the nested loops over every step are in
    /// order.
    sorted: Option<(&'o Op, usize)>,
    /// The number of steps.
    steps: usize,
    /// A step after the sorted part (any step, without one) has
    /// predicates: only then does pulling the path's nodes lazily, in
    /// order, ever stop before a predicate the whole path would evaluate.
    filtered_after: bool,
}

/// The [`PathPlan`] of a path of steps from the context item or the root;
/// `None` for other expressions.
fn path_plan(op: &Op) -> Option<PathPlan<'_>> {
    fn scan<'o>(op: &'o Op, props: &mut PathProps, plan: &mut PathPlan<'o>) -> Option<()> {
        let s = match op {
            Op::PerDocument(inner, ..) => return scan(inner, props, plan),
            Op::Step(s) => s,
            Op::Path(l, r) => {
                let Op::Step(s) = &**r else { return None };
                // `/…` and `.//…` (`.` then a descendant step) start from one node
                if !matches!(**l, Op::Root | Op::Context) {
                    scan(l, props, plan)?;
                }
                s
            }
            _ => return None,
        };
        plan.steps += 1;
        let (after, in_order) = props.then(s);
        *props = after;
        if in_order {
            plan.filtered_after |= !s.preds.is_empty();
        } else {
            plan.sorted = Some((op, plan.steps));
            plan.filtered_after = false;
        }
        Some(())
    }
    let mut plan = PathPlan {
        sorted: None,
        steps: 0,
        filtered_after: false,
    };
    let mut props = PathProps::ONE;
    scan(op, &mut props, &mut plan)?;
    Some(plan)
}

/// Whether the official processor pulls the nodes of `op`, a path, in
/// document order with predicates left to evaluate lazily
/// ([`PathPlan::filtered_after`]): a cheap test before
/// [`Evaluator::ordered_walk`] where the order of the nodes counts (a
/// first node, a first two).
fn ordered_lazily(op: &Op) -> bool {
    path_plan(op).is_some_and(|p| p.filtered_after)
}

/// Whether some step of `op`, a path, has predicates: where only whether
/// some node compares true counts (a general comparison), the official
/// processor walks any such path as nested loops, in axis order.
fn filtered_path(op: &Op) -> bool {
    some_step(op, &|s| !s.preds.is_empty())
}

/// Whether some step of `op`, a path, is on a reverse axis: where only
/// whether some node compares true counts, the official processor takes
/// such a step's nodes in axis order, not document order, so a node that
/// raises an error can come before one that compares true
/// (`cbc:Bad/preceding-sibling::*/cbc:LineExtensionAmount = 100.1`).
fn reverse_path(op: &Op) -> bool {
    some_step(op, &|s| {
        matches!(
            s.axis,
            Axis::Ancestor | Axis::AncestorOrSelf | Axis::Preceding | Axis::PrecedingSibling
        )
    })
}

/// Whether some step of `op`, a path of steps, is one `test` accepts.
fn some_step(op: &Op, test: &dyn Fn(&StepOp) -> bool) -> bool {
    match op {
        Op::Step(s) => test(s),
        Op::Path(l, r) => some_step(l, test) || some_step(r, test),
        Op::PerDocument(inner, ..) => some_step(inner, test),
        _ => false,
    }
}

/// The operands of `a | b` when both are predicate-free child steps.
fn child_step_pair<'o>(a: &'o Op, b: &'o Op) -> Option<(&'o StepOp, &'o StepOp)> {
    let (Op::Step(x), Op::Step(y)) = (a, b) else {
        return None;
    };
    let plain_child = |s: &StepOp| s.axis == Axis::Child && s.preds.is_empty();
    (plain_child(x) && plain_child(y)).then_some((x, y))
}

/// The node from which the steps of `op` ([`lazy_path`], pushed onto
/// `steps`) are walked: the context node, or the root for a path from `/`.
/// `None` when `op` is not such a path or the context item is not a node.
fn walk_start<'a>(op: &'a Op, f: &Focus<'a>, steps: &mut LazySteps<'a>) -> Option<XNode<'a>> {
    let from_root = lazy_path(op, steps)?;
    let Some(Item::Node(n)) = &f.item else { return None };
    Some(if from_root {
        XNode::new(n.node.document().root())
    } else {
        *n
    })
}

/// The nodes a lazy walk of a path's steps starts from, in document order
/// ([`Evaluator::ordered_walk`]).
type Starts<'a> = smallvec::SmallVec<[XNode<'a>; 1]>;

/// Whether `op` is a constant the official processor knows, when it
/// compiles it, is not an integer: a string, decimal or double literal,
/// `true()` or `false()`, or a cast of a constant to a type other than
/// `xs:integer` and `xs:decimal`.
fn constant_non_integer(op: &Op) -> bool {
    match op {
        Op::Const(c) => !matches!(c, Const::Integer(_)),
        Op::Call(Builtin::True | Builtin::False, args) => args.is_empty(),
        Op::Cast(x, t, _) => {
            !matches!(t, AtomicType::Integer | AtomicType::Decimal) && crate::xpath::compile::constant(x)
        }
        _ => false,
    }
}

/// The steps [`lazy_path`] finds (most paths have few).
type LazySteps<'o> = smallvec::SmallVec<[LazyStep<'o>; 4]>;

/// Elements with more children than this get a children-by-name index.
const WIDE: usize = 32;

/// The predicates of a step or filter with a node at a time going through
/// them: the position each has reached, and the last position each can
/// keep when it says so itself ([`position_limit`]).
struct Stages<'p> {
    preds: &'p [Op],
    /// Per predicate: the position reached, and the last it can keep.
    at: smallvec::SmallVec<[(usize, Option<usize>); 4]>,
    /// A predicate has passed the last position it keeps: no later node
    /// can pass them all.
    done: bool,
}

impl<'p> Stages<'p> {
    /// `None` when a predicate asks for `last()`, which needs every node
    /// before the first is kept.
    fn new(preds: &'p [Op]) -> Option<Stages<'p>> {
        if preds.iter().any(uses_last) {
            return None;
        }
        let mut done = false;
        let at = preds
            .iter()
            .map(|p| {
                let limit = position_limit(p).and_then(|l| {
                    // `[0]`, `[position() < 1]`: keeps nothing
                    done |= l < 1;
                    usize::try_from(l).ok()
                });
                (0, limit)
            })
            .collect();
        Some(Stages { preds, at, done })
    }
}

/// The last position a predicate keeps, when it says so itself: `[3]`,
/// `[position() < 3]`, `[position() <= 2]`, `[position() = 2]` (either way
/// round, general or value comparison, an integer literal).
fn position_limit(p: &Op) -> Option<i128> {
    let (op, l, r) = match p {
        Op::Const(Const::Integer(k)) => return Some(*k),
        // `[1.0]`, `[2e0]`: a whole number is a position too; `[1.5]` and
        // `[-1]` keep nothing
        Op::Const(Const::Decimal(d)) => {
            return Some(i128::try_from(*d).ok().filter(|_| d.fract().is_zero()).unwrap_or(0))
        }
        Op::Const(Const::Double(d)) => {
            return Some(if d.fract() == 0.0 && d.abs() < 1e15 {
                *d as i128
            } else {
                0
            })
        }
        Op::Neg(x) if matches!(**x, Op::Const(Const::Integer(_) | Const::Decimal(_) | Const::Double(_))) => {
            return Some(0)
        }
        Op::General(op, l, r, _) | Op::Value(op, l, r) => (*op, &**l, &**r),
        _ => return None,
    };
    let is_position = |o: &Op| matches!(o, Op::Call(Builtin::Position, a) if a.is_empty());
    let (op, k) = match (l, r) {
        (p, Op::Const(Const::Integer(k))) if is_position(p) => (op, *k),
        (Op::Const(Const::Integer(k)), p) if is_position(p) => (
            match op {
                CmpOp::Gt => CmpOp::Lt,
                CmpOp::Ge => CmpOp::Le,
                other => other,
            },
            *k,
        ),
        _ => return None,
    };
    match op {
        CmpOp::Lt => Some(k - 1),
        CmpOp::Le | CmpOp::Eq => Some(k),
        _ => None,
    }
}

#[cold]
#[inline(never)]
fn type_err(msg: impl Into<String>) -> Box<XPathError> {
    dyn_err(ErrorCode::XPTY0004, msg)
}

/// A dynamic error, boxed as the evaluator returns them.
#[cold]
#[inline(never)]
fn dyn_err(code: ErrorCode, msg: impl Into<String>) -> Box<XPathError> {
    Box::new(XPathError::dynamic(code, msg))
}

fn one<'a>(v: bool) -> Seq<'a> {
    smallvec![Item::Atomic(Atomic::Boolean(v))]
}

fn atom<'a>(a: Atomic<'a>) -> Seq<'a> {
    smallvec![Item::Atomic(a)]
}

fn str_item<'a>(s: String) -> Seq<'a> {
    smallvec![Item::Atomic(Atomic::String(Str::from(s)))]
}

/// Sorts nodes in document order and removes duplicates.
pub fn sort_nodes(seq: &mut Seq<'_>) {
    let key = |i: &Item| match i {
        Item::Node(n) => n.key(),
        Item::Atomic(_) => (usize::MAX, 0),
    };
    if seq.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return;
    }
    seq.sort_unstable_by_key(key);
    seq.dedup_by_key(|i| key(i));
}

/// Whether a node passes a node test on an axis (the principal node kind is
/// attribute on the attribute axis, element elsewhere).
pub(crate) fn node_matches(test: &NodeTest, n: XNode<'_>, axis: Axis) -> bool {
    let attr_axis = axis == Axis::Attribute;
    match test {
        NodeTest::AnyNode => true,
        NodeTest::Text => n.attr == 0 && n.node.is_text(),
        NodeTest::Comment => n.attr == 0 && n.node.is_comment(),
        NodeTest::Pi => n.attr == 0 && n.node.is_pi(),
        NodeTest::Element => n.is_element(),
        NodeTest::AttributeKind => n.attr != 0,
        NodeTest::ElementNamed { ns, local } => n.is_element() && n.expanded_name() == Some((ns.as_deref(), &**local)),
        NodeTest::AttributeNamed { ns, local } => n.attr != 0 && n.expanded_name() == Some((ns.as_deref(), &**local)),
        NodeTest::Document => n.attr == 0 && n.node.is_root(),
        // `*`: any node of the principal kind
        NodeTest::Name {
            ns: NsTest::Any,
            local: None,
            ..
        } => {
            if attr_axis {
                n.attr != 0
            } else {
                n.is_element()
            }
        }
        NodeTest::Name { ns, local, .. } => {
            // principal node kind: attribute on the attribute axis, else element
            if attr_axis != (n.attr != 0) {
                return false;
            }
            let Some((nns, nlocal)) = n.expanded_name() else {
                return false;
            };
            if let Some(l) = local {
                if **l != *nlocal {
                    return false;
                }
            }
            match ns {
                NsTest::Any => true,
                NsTest::NoNs => nns.is_none(),
                NsTest::Uri(u) => nns == Some(&**u),
            }
        }
    }
}

/// For `(name-accessor(), 'constant')` with a node as the context item
/// ([`accessor_vs_const`]): the name the accessor gives and the constant.
#[inline]
fn name_vs_const<'o, 'a>(
    ev: &mut Evaluator<'a>,
    l: &'o Op,
    r: &'o Op,
    f: &Focus<'a>,
) -> Option<(Lexical<'a>, &'o str)> {
    let (b, c) = accessor_vs_const(l, r)?;
    let Some(Item::Node(n)) = &f.item else { return None };
    let plain = |local| Lexical { prefix: "", local };
    let s = match b {
        Builtin::LocalName => plain(n.expanded_name().map(|(_, l)| l).unwrap_or("")),
        Builtin::Name => ev.lexical_name(n),
        _ => plain(n.expanded_name().and_then(|(ns, _)| ns).unwrap_or("")),
    };
    Some((s, c))
}

/// The commonest arguments, read without building a sequence.
enum InPlace<'k, 'a> {
    /// A string literal, or `@name` (at most one value).
    Atom(Option<Atomic<'a>>),
    /// `cbc:Name`: the children (ids) of the context element (its id) with
    /// this name number.
    Kids(&'a roxmltree::Document<'a>, u32, &'k [u32], u32),
}

/// Recognizes a literal, `@name` (one exact name) and `cbc:Name` (a
/// numbered name on a numbered document, not a very wide element) with a
/// node as the context item; `None` for anything else.
#[inline(always)]
fn in_place<'k, 'a>(
    index: &'k mut DocIndex<'a>,
    syms: &Syms<'a>,
    op: &'a Op,
    f: &Focus<'a>,
) -> Option<InPlace<'k, 'a>> {
    let s = match op {
        Op::Const(c) => return Some(InPlace::Atom(Some(const_atomic(c)))),
        Op::Step(s) if s.preds.is_empty() => s,
        _ => return None,
    };
    let Some(Item::Node(n)) = &f.item else { return None };
    if let Some(found) = attr_vs_const_value(s, *n) {
        return Some(InPlace::Atom(found.map(|v| Atomic::Untyped(Str::Borrowed(v)))));
    }
    let (Axis::Child, NodeTest::Name { sym, .. }) = (s.axis, &s.test) else {
        return None;
    };
    let doc = n.node.document();
    if *sym == NO_SYM || n.attr != 0 || !syms.numbers(doc) {
        return None;
    }
    let kids = index.kids_of(n.node);
    (kids.len() <= WIDE).then_some(InPlace::Kids(doc, n.node.id().get(), kids, *sym))
}

/// The value of a literal.
#[inline]
fn const_atomic(c: &Const) -> Atomic<'_> {
    match c {
        Const::String(s) => Atomic::String(Str::Borrowed(s)),
        Const::Integer(i) => Atomic::Integer(*i),
        Const::Decimal(d) => Atomic::Decimal(*d),
        Const::BigDecimal(b) => Atomic::BigDecimal(Rc::new((**b).clone())),
        Const::Double(d) => Atomic::Double(*d),
    }
}

/// The element with node id `id`.
fn element_at<'a>(doc: &'a roxmltree::Document<'a>, id: u32) -> Option<XNode<'a>> {
    doc.get_node(roxmltree::NodeId::new(id)).map(XNode::new)
}

/// For `@name = 'constant'` with a node as the context item: `None` when
/// the expression has another form, `Some(None)` when the node has no such
/// attribute, else whether its value equals the constant.
fn attr_vs_const(l: &Op, r: &Op, f: &Focus<'_>) -> Option<Option<bool>> {
    let (s, c) = attr_and_literal(l, r)?;
    let Some(Item::Node(n)) = &f.item else { return None };
    attr_vs_const_value(s, *n).map(|v| v.map(|v| v == c))
}

/// The operands of `@name = 'literal'`: the attribute step (one exact
/// name, no predicates) and the literal; `None` for other operands.
pub(crate) fn attr_and_literal<'o>(l: &'o Op, r: &'o Op) -> Option<(&'o StepOp, &'o str)> {
    let (Op::Step(s), Op::Const(Const::String(c))) = (l, r) else {
        return None;
    };
    (s.preds.is_empty() && exact_attribute(s)).then_some((s, c))
}

/// Whether a step is `@name` with one exact name (`@*:x` could select two
/// attributes).
fn exact_attribute(s: &StepOp) -> bool {
    s.axis == Axis::Attribute
        && matches!(
            s.test,
            NodeTest::Name {
                ns: NsTest::NoNs | NsTest::Uri(_),
                local: Some(_),
                ..
            }
        )
}

/// For a predicate-free `@name` step with one exact name: `Some` with the
/// value of the node's attribute of that name (`None` inside when it has
/// none); `None` for other steps. A node has at most one attribute of an
/// exact name (`@*:x` could select two).
pub(crate) fn attr_vs_const_value<'a>(s: &StepOp, n: XNode<'a>) -> Option<Option<&'a str>> {
    if !exact_attribute(s) {
        return None;
    }
    if n.attr != 0 {
        // an attribute has no attributes
        return Some(None);
    }
    Some((0..n.node.attributes().len()).find_map(|i| {
        let a = XNode {
            node: n.node,
            attr: i as u32 + 1,
        };
        if node_matches(&s.test, a, Axis::Attribute) {
            a.attribute().map(|x| x.value())
        } else {
            None
        }
    }))
}

/// The qualified name of an element or attribute as written in the
/// document: its prefix (empty for none) and local part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lexical<'a> {
    prefix: &'a str,
    local: &'a str,
}

impl<'a> Lexical<'a> {
    fn parse(q: &'a str) -> Self {
        match q.split_once(':') {
            Some((prefix, local)) => Lexical { prefix, local },
            None => Lexical { prefix: "", local: q },
        }
    }

    /// The name as an XPath string (borrowed when it has no prefix).
    pub fn text(&self) -> Str<'a> {
        if self.prefix.is_empty() {
            Str::Borrowed(self.local)
        } else {
            Str::from(self.to_string())
        }
    }

    /// `name() = c`, without joining the parts.
    fn is(&self, c: &str) -> bool {
        if self.prefix.is_empty() {
            return self.local == c;
        }
        c.strip_prefix(self.prefix).and_then(|r| r.strip_prefix(':')) == Some(self.local)
    }

    fn starts_with(&self, c: &str) -> bool {
        if self.prefix.is_empty() {
            return self.local.starts_with(c);
        }
        match c.strip_prefix(self.prefix) {
            None => self.prefix.starts_with(c),
            Some("") => true,
            Some(rest) => rest.strip_prefix(':').is_some_and(|r| self.local.starts_with(r)),
        }
    }

    fn ends_with(&self, c: &str) -> bool {
        match c.strip_suffix(self.local) {
            // `c` is no longer than the local part, or differs from its end
            None => self.local.ends_with(c),
            Some("") => true,
            Some(rest) => !self.prefix.is_empty() && rest.strip_suffix(':').is_some_and(|r| self.prefix.ends_with(r)),
        }
    }

    fn contains(&self, c: &str) -> bool {
        if self.prefix.is_empty() {
            self.local.contains(c)
        } else {
            self.to_string().contains(c)
        }
    }
}

impl std::fmt::Display for Lexical<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.prefix.is_empty() {
            write!(f, "{}:", self.prefix)?;
        }
        f.write_str(self.local)
    }
}

/// The namespace URI for XML's own `xml:` prefix, which is never declared.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Whether two strings of the document are equal (the same storage, as
/// roxmltree gives one URI to every use of a declaration, or equal text).
#[inline]
fn same_str(a: &str, b: &str) -> bool {
    (a.len() == b.len() && std::ptr::eq(a.as_ptr(), b.as_ptr())) || a == b
}

/// The lexical name of an element or attribute when the namespaces in scope
/// decide it: no namespace means no prefix, and a namespace bound to one
/// prefix only means that prefix. `None` when the namespace is bound to
/// several prefixes (or an element's also to the default): then only the
/// start tag tells which one was written.
fn lexical_in_scope<'a>(n: &XNode<'a>) -> Option<Lexical<'a>> {
    let (uri, local, is_attr) = match n.attribute() {
        Some(a) => (a.namespace(), a.name(), true),
        None if n.node.is_element() => {
            let t = n.node.tag_name();
            (t.namespace(), t.name(), false)
        }
        None => return Some(Lexical { prefix: "", local: "" }),
    };
    let Some(uri) = uri else {
        return Some(Lexical { prefix: "", local });
    };
    if is_attr && uri == XML_NS {
        return Some(Lexical { prefix: "xml", local });
    }
    let mut bound = n
        .node
        .namespaces()
        .filter(|ns| same_str(ns.uri(), uri) && !(is_attr && ns.name().is_none()));
    let first = bound.next()?;
    if bound.next().is_some() {
        return None;
    }
    Some(Lexical {
        prefix: first.name().unwrap_or(""),
        local,
    })
}

/// Whether `normalize-space` leaves a string as it is: no white space at
/// either end, and inside only single spaces.
fn is_normalized(s: &str) -> bool {
    let b = s.as_bytes();
    let ws = |c: u8| is_xml_ws(char::from(c));
    if b.first().is_some_and(|c| ws(*c)) || b.last().is_some_and(|c| ws(*c)) {
        return false;
    }
    let mut prev_space = false;
    for &c in b {
        if ws(c) {
            if c != b' ' || prev_space {
                return false;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
    }
    true
}

/// The sum of atomic values in order (`sum`): untyped ones as doubles,
/// anything not a number an error; 0 for none.
pub(super) fn sum_total<'a>(v: impl IntoIterator<Item = Atomic<'a>>) -> R<Atomic<'a>> {
    let mut acc: Option<Atomic<'a>> = None;
    for x in v {
        acc = Some(sum_add(acc, x)?);
    }
    Ok(sum_end(acc))
}

/// One value of a sum added to the total so far (`None` before the first),
/// as [`sum_total`] adds it.
pub(super) fn sum_add<'a>(acc: Option<Atomic<'a>>, x: Atomic<'a>) -> R<Atomic<'a>> {
    let x = match x {
        Atomic::Untyped(_) => x.cast(AtomicType::Double)?,
        x if x.is_numeric() => x,
        other => {
            return Err(dyn_err(
                ErrorCode::FORG0006,
                format!("sum of a value of type {}", other.type_of().name()),
            ))
        }
    };
    match acc {
        None => Ok(x),
        Some(a) => Ok(arith(ArithOp::Add, &a, &x)?),
    }
}

/// The sum once every value is added: 0 for none.
pub(super) fn sum_end(acc: Option<Atomic<'_>>) -> Atomic<'_> {
    acc.unwrap_or(Atomic::Integer(0))
}

/// A value as a numeric function argument takes it (the function
/// conversion rules): untyped as a double, a number as it is, anything
/// else an error.
pub(super) fn number_arg<'a>(a: &Atomic<'a>) -> R<Atomic<'a>> {
    match a {
        Atomic::Untyped(_) => Ok(a.cast(AtomicType::Double)?),
        a if a.is_numeric() => Ok(a.clone()),
        a => Err(type_err(format!("expected a number, got {}", a.type_of().name()))),
    }
}

/// `abs`, `round`, `floor` or `ceiling` (`b`) of a number, as the
/// official processor gives them.
pub(super) fn round_like(b: Builtin, x: Atomic<'_>) -> R<Atomic<'_>> {
    use Builtin as B;
    Ok(match x {
        Atomic::Integer(i) => match b {
            B::Abs => Atomic::Integer(
                i.checked_abs()
                    .ok_or_else(|| XPathError::dynamic(ErrorCode::FOAR0002, "integer overflow"))?,
            ),
            _ => Atomic::Integer(i),
        },
        Atomic::Decimal(d) => {
            use crate::xpath::value::as_big_decimal;
            // the official processor gives back a positive value to
            // `abs` and a whole one to `round` as it is, and makes a new
            // (big) decimal of anything else
            match b {
                B::Abs if d.is_sign_positive() && !d.is_zero() => Atomic::Decimal(d),
                B::Abs => Atomic::Decimal(as_big_decimal(d.abs())),
                B::Round if d.scale() == 0 => Atomic::Decimal(d),
                B::Round => match round_half_up_dec(d) {
                    Atomic::Decimal(r) => Atomic::Decimal(as_big_decimal(r)),
                    r => r,
                },
                B::Floor => Atomic::Decimal(as_big_decimal(d.floor())),
                _ => Atomic::Decimal(as_big_decimal(d.ceil())),
            }
        }
        // a new big decimal there, even where a [`Decimal`] holds it
        Atomic::BigDecimal(d) => match crate::xpath::value::big(match b {
            B::Abs => d.abs(),
            B::Round => d.round(),
            B::Floor => d.floor(),
            _ => d.ceiling(),
        }) {
            Atomic::Decimal(r) => Atomic::Decimal(crate::xpath::value::as_big_decimal(r)),
            r => r,
        },
        other => Atomic::Double(rounded_double(b, other.as_f64())),
    })
}

/// `round()` of a decimal: a tie toward positive infinity (exactly, even at
/// the edge of [`Decimal`]'s range).
fn round_half_up_dec<'a>(d: Decimal) -> Atomic<'a> {
    // not floor(d + 0.5): rust_decimal rounds a sum past its 28 digits
    // (7.4999999999999999999999999999 + 0.5 is 8); d - floor(d) is exact
    let f = d.floor();
    let up = d - f >= Decimal::new(5, 1);
    match if up { f.checked_add(Decimal::ONE) } else { Some(f) } {
        Some(x) => Atomic::Decimal(x),
        None => crate::xpath::value::big(crate::xpath::bigdec::BigDec::from_decimal(&d).round()),
    }
}

/// `abs`, `round`, `floor` or `ceiling` (`b`) of a double.
pub(super) fn rounded_double(b: Builtin, d: f64) -> f64 {
    match b {
        Builtin::Abs => d.abs(),
        Builtin::Round => round_double(d),
        Builtin::Floor => d.floor(),
        _ => d.ceil(),
    }
}

fn round_double(d: f64) -> f64 {
    if !d.is_finite() || d == 0.0 {
        return d;
    }
    // not floor(d + 0.5): that sum rounds (0.49999999999999994 + 0.5 is 1,
    // and odd integers past 2^52 go to the next even one); d - floor(d) is exact
    let f = d.floor();
    let r = if d - f >= 0.5 { f + 1.0 } else { f };
    if r == 0.0 && d < 0.0 {
        -0.0
    } else {
        r
    }
}

impl<'a> Evaluator<'a> {
    /// An evaluator over a function library.
    pub fn new(lib: &'a Library) -> Self {
        Evaluator {
            st: StateOf::new(lib),
            depth: 0,
            regexes: HashMap::new(),
            index: DocIndex::default(),
            iterations: 0,
            items: 0,
            syms: Syms::default(),
            shared: Vec::new(),
            kept: Vec::new(),
        }
    }

    /// Forgets the truths of shared tests and the kept values: called
    /// before the tests of a rule that has `shared` of the former
    /// ([`crate::xpath::compile::share_repeated_tests`]) and `kept` of the
    /// latter ([`crate::xpath::compile::keep_repeated_values`]) are
    /// evaluated on an element.
    pub fn begin_rule(&mut self, shared: u32, kept: u32) {
        self.shared.clear();
        self.shared.resize(shared as usize, None);
        self.kept.clear();
        self.kept.resize(kept as usize, None);
    }

    /// The value kept in `slot` of `store` for the rule being fired, or
    /// `compute`'s, then kept. Errors are not kept: they are raised again,
    /// each time.
    #[inline(always)]
    fn once_per_rule<T: Kept>(
        &mut self,
        slot: u32,
        store: fn(&mut Self) -> &mut Vec<Option<T>>,
        compute: impl FnOnce(&mut Self) -> R<T>,
    ) -> R<T> {
        let slot = slot as usize;
        if let Some(Some(v)) = store(self).get(slot) {
            return Ok(v.dup());
        }
        let v = compute(self)?;
        if let Some(kept) = store(self).get_mut(slot) {
            *kept = Some(v.dup());
        }
        Ok(v)
    }

    /// Numbers the document's elements with the process's name table, so
    /// that name tests compare numbers (once per document: several schemas
    /// share the evaluator). Optional: without it, name tests compare names.
    pub fn number_elements(&mut self, doc: &'a roxmltree::Document<'a>) {
        if !self.syms.numbers(doc) {
            let (mut syms, kids, missed) = Syms::number(&crate::xpath::compile::names(), doc);
            // names no test mentions, seen for the first time: numbered, and
            // the elements that have them numbered in place (once per new
            // name in a process)
            if missed && crate::xpath::compile::learn_names(doc) {
                syms.number_missed(&crate::xpath::compile::names(), &kids);
            }
            self.syms = syms;
            self.index.kids = Some(kids);
        }
    }

    /// The byte offset of an element's start tag in the document's text (0
    /// for other nodes), from a table built by one scan on first use.
    pub fn element_start(&mut self, n: roxmltree::Node<'a, 'a>) -> usize {
        if !n.is_element() {
            return 0;
        }
        let doc = n.document();
        self.index.starts.get_or_insert_with(|| ElementStarts::new(doc)).of(n)
    }

    /// The line and column of an element's start tag (of the document's
    /// start for other nodes), from tables built on first use.
    pub fn text_position(&mut self, n: roxmltree::Node<'a, 'a>) -> (u32, u32) {
        let at = self.element_start(n);
        let text = n.document().input_text();
        self.index
            .lines
            .get_or_insert_with(|| TextPositions::new(text))
            .at(text, at)
    }

    /// An element's place (from 1) among its parent's element children of
    /// the same name, as a location path writes it (`cac:InvoiceLine[3]`);
    /// 1 for other nodes. From the children grouped by name where the
    /// document is numbered, without comparing names: failures reported on
    /// each of thousands of lines do not each count the lines before.
    pub fn sibling_place(&mut self, n: roxmltree::Node<'a, 'a>) -> usize {
        let Some(parent) = n.parent().filter(|_| n.is_element()) else {
            return 1;
        };
        let (id, sym) = (n.id().get(), self.sym_of(XNode::new(n)));
        if sym != NO_SYM {
            if let Some((top, by_name)) = &self.syms.top {
                if *top == parent.id().get() {
                    if let Ok(i) = by_name.group(sym as usize).binary_search(&id) {
                        return i + 1;
                    }
                }
            }
            let syms = &self.syms;
            let kids = self.index.kids_of(parent);
            if let Some(i) = kids.iter().position(|&c| c == id) {
                return 1 + kids
                    .get(..i)
                    .map_or(0, |before| before.iter().filter(|&&c| syms.of_id(c) == sym).count());
            }
        }
        // a name without a number: the names themselves compared
        let tag = n.tag_name();
        1 + n
            .prev_siblings()
            .skip(1)
            .filter(|s| s.is_element() && s.tag_name() == tag)
            .count()
    }

    /// The name of an element or attribute as written in the document.
    pub fn lexical_name(&mut self, n: &XNode<'a>) -> Lexical<'a> {
        if let Some(l) = lexical_in_scope(n) {
            return l;
        }
        let at = self.element_start(n.node);
        let written =
            start_tag_names(n.node.document().input_text(), at).and_then(|(element, attributes)| match n.attr {
                0 => Some(element),
                i => attributes.get(i as usize - 1).copied(),
            });
        match written {
            Some(q) => Lexical::parse(q),
            // not reached for a document roxmltree accepted
            None => Lexical {
                prefix: "",
                local: n.expanded_name().map_or("", |(_, l)| l),
            },
        }
    }

    /// The number of an element's name ([`NO_SYM`] when the name has none
    /// or the document is not numbered).
    #[inline]
    pub(crate) fn sym_of(&self, n: XNode<'a>) -> u32 {
        self.syms.sym_of(n)
    }

    /// Whether a node passes a node test on an axis.
    #[inline]
    pub(crate) fn node_test(&self, test: &NodeTest, n: XNode<'a>, axis: Axis) -> bool {
        self.syms.test(test, n, axis)
    }

    /// The value of a [`Keyed`] path from its key index (built on first
    /// use); `None` when the index cannot answer and the plain path must.
    fn keyed(&mut self, k: &'a Keyed, f: &Focus<'a>) -> Option<Seq<'a>> {
        let slot = k.index as usize;
        if self.st.keyed.len() <= slot {
            self.st.keyed.resize_with(slot + 1, || None);
        }
        if self.st.keyed.get(slot).is_some_and(Option::is_none) {
            let built = self.key_index(k, f);
            if let Some(s) = self.st.keyed.get_mut(slot) {
                *s = Some(built);
            }
        }
        let Some(Some(KeyIndex::Ready { nodes, by_key })) = self.st.keyed.get(slot) else {
            return None;
        };
        let at = by_key.get(&*k.literal).map_or(&[][..], |v| &v[..]);
        Some(at.iter().filter_map(|&i| nodes.get(i as usize).cloned()).collect())
    }

    /// Groups the nodes of `k`'s base by the string values of its key.
    fn key_index(&mut self, k: &'a Keyed, f: &Focus<'a>) -> KeyIndex<'a> {
        let Ok(nodes) = self.eval(&k.base, f) else {
            return KeyIndex::Unusable;
        };
        let mut by_key: rustc_hash::FxHashMap<Key<'a>, Vec<u32>> = Default::default();
        for (i, item) in nodes.iter().enumerate() {
            let (Item::Node(n), Ok(i)) = (item, u32::try_from(i)) else {
                return KeyIndex::Unusable;
            };
            let texts = match k.direct.as_ref().and_then(|v| self.key_texts(v, &k.key, *n)) {
                Some(texts) => texts,
                None => {
                    let Ok(keys) = self.eval(&k.key, &Focus::node(*n)) else {
                        return KeyIndex::Unusable;
                    };
                    let mut texts = smallvec::SmallVec::new();
                    for key in &keys {
                        // untyped and string values compare with the literal
                        // as strings; anything else would be an error or a cast
                        let (Atomic::Untyped(s) | Atomic::String(s)) = atomize_item(key) else {
                            return KeyIndex::Unusable;
                        };
                        texts.push(s);
                    }
                    texts
                }
            };
            for s in texts {
                let at = by_key.entry(Key(s)).or_default();
                if at.last() != Some(&i) {
                    at.push(i);
                }
            }
        }
        KeyIndex::Ready { nodes, by_key }
    }

    /// Exchanges the evaluator's schema-specific state (functions,
    /// variables, per-document values) with `st`. Several schemas share one
    /// evaluator, and so its document indexes, by swapping in turn.
    pub fn swap_state(&mut self, st: &mut SchemaState<'a>) {
        std::mem::swap(&mut self.st, &mut st.0);
    }

    /// Sets slot `slot` of the current frame.
    pub fn set_var(&mut self, slot: usize, v: Seq<'a>) {
        if self.st.vars.len() <= slot {
            self.st.vars.resize_with(slot + 1, Seq::new);
        }
        self.st.vars[slot] = v;
    }

    /// Evaluates to a sequence.
    pub fn eval(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Seq<'a>> {
        match op {
            Op::Const(c) => Ok(atom(const_atomic(c))),
            Op::Empty => Ok(Seq::new()),
            Op::Var(slot) => Ok(self.st.vars.get(*slot).map(dup).unwrap_or_default()),
            Op::Context => match &f.item {
                Some(i) => Ok(smallvec![i.clone()]),
                None => Err(dyn_err(ErrorCode::XPDY0002, "the context item is undefined")),
            },
            Op::Root => match &f.item {
                Some(Item::Node(n)) => Ok(smallvec![Item::Node(XNode::new(n.node.document().root()))]),
                Some(_) => Err(type_err("'/' needs a node as context item")),
                None => Err(dyn_err(ErrorCode::XPDY0002, "the context item is undefined")),
            },
            Op::Seq(items) => {
                let mut out = Seq::new();
                for i in items {
                    out.extend(self.eval(i, f)?);
                }
                Ok(out)
            }
            Op::Path(l, r) => self.path(l, r, f),
            Op::Step(s) => {
                let n = self.context_node(f)?;
                let mut out = Seq::new();
                self.step(s, n, &mut out)?;
                Ok(out)
            }
            Op::Filter(b, preds) => {
                if let Some(v) = self.filter_lazily(b, preds, f) {
                    return v;
                }
                let mut seq = self.eval(b, f)?;
                for p in preds {
                    seq = self.filter(seq, p)?;
                }
                Ok(seq)
            }
            Op::Call(b, args) => self.call(*b, args, f),
            Op::MatchesConst(input, re) => {
                let s = self.opt_string(input, f)?;
                Ok(one(re.is_match(s.as_deref().unwrap_or(""))))
            }
            Op::TokenIn(x, set, spaceless) => Ok(one(self.token_in(x, set, *spaceless, f)?)),
            Op::UserCall(idx, args) => self.user_call(*idx, args, f),
            Op::Or(..) | Op::And(..) => Ok(one(self.ebv(op, f)?)),
            Op::General(op, l, r, single) => Ok(one(self.general(*op, l, r, *single, f)?)),
            Op::Value(op, l, r) => Ok(self.value_cmp(*op, l, r, f)?.map(one).unwrap_or_default()),
            Op::NodeCmp(op, l, r) => {
                let a = self.first_two(l, f)?;
                let b = self.first_two(r, f)?;
                if a.is_empty() || b.is_empty() {
                    return Ok(Seq::new());
                }
                if a.len() > 1 || b.len() > 1 {
                    return Err(type_err("node comparison of a sequence of more than one node"));
                }
                let (Some(Item::Node(x)), Some(Item::Node(y))) = (a.first(), b.first()) else {
                    return Err(type_err("node comparison of an atomic value"));
                };
                Ok(one(match *op {
                    "is" => x.key() == y.key(),
                    "<<" => x.key() < y.key(),
                    _ => x.key() > y.key(),
                }))
            }
            Op::Range(l, r) => match self.range_bounds(l, r, f)? {
                None => Ok(Seq::new()),
                Some((a, b)) => {
                    self.produce((b - a + 1) as usize)?;
                    Ok((a..=b).map(|i| Item::Atomic(Atomic::Integer(i))).collect())
                }
            },
            Op::Arith(op, l, r) => {
                let Some(a) = self.opt_atomic(l, f)? else {
                    return Ok(Seq::new());
                };
                let Some(b) = self.opt_atomic(r, f)? else {
                    return Ok(Seq::new());
                };
                Ok(atom(arith(*op, &a, &b)?))
            }
            Op::Neg(e) => match self.opt_atomic(e, f)? {
                None => Ok(Seq::new()),
                Some(a) => Ok(atom(negate(&a)?)),
            },
            Op::Union(l, r) => {
                if let Some(out) = self.either_child(l, r, f) {
                    return Ok(out);
                }
                let mut a = self.nodes(l, f)?;
                a.extend(self.nodes(r, f)?);
                sort_nodes(&mut a);
                Ok(a)
            }
            Op::Intersect(l, r) | Op::Except(l, r) => {
                let mut a = self.nodes(l, f)?;
                let b = self.nodes(r, f)?;
                let keys: Vec<(usize, u32)> = b
                    .iter()
                    .filter_map(|i| if let Item::Node(n) = i { Some(n.key()) } else { None })
                    .collect();
                let keep_if_in = matches!(op, Op::Intersect(..));
                a.retain(|i| match i {
                    Item::Node(n) => keys.contains(&n.key()) == keep_if_in,
                    Item::Atomic(_) => false,
                });
                sort_nodes(&mut a);
                Ok(a)
            }
            Op::If(c, t, e) => {
                if self.ebv(c, f)? {
                    self.eval(t, f)
                } else {
                    self.eval(e, f)
                }
            }
            Op::For(slot, input, body) => {
                let mut out = Seq::new();
                for item in self.binding_items(input, f)? {
                    self.tick()?;
                    self.set_var(*slot, smallvec![item]);
                    let v = self.eval(body, f)?;
                    self.produce(v.len())?;
                    out.extend(v);
                }
                Ok(out)
            }
            Op::Quant(q, slot, input, body) => {
                if let Some(b) = self.quant_lazily(*q, *slot, input, body, f) {
                    return Ok(one(b?));
                }
                for item in self.binding_items(input, f)? {
                    self.tick()?;
                    self.set_var(*slot, smallvec![item]);
                    let b = self.ebv(body, f)?;
                    match q {
                        Quant::Some if b => return Ok(one(true)),
                        Quant::Every if !b => return Ok(one(false)),
                        _ => {}
                    }
                }
                Ok(one(*q == Quant::Every))
            }
            Op::Cast(e, t, opt) => Ok(self.cast(e, *t, *opt, f)?.map(atom).unwrap_or_default()),
            Op::Castable(e, t, opt) => {
                let v = self.first_two_atoms(e, f)?;
                Ok(one(match v.len() {
                    0 => *opt,
                    1 => v[0].cast(*t).is_ok(),
                    _ => false,
                }))
            }
            Op::NameOnly(..) | Op::Shared(..) => Ok(one(self.ebv(op, f)?)),
            Op::Kept(inner, slot) => self.once_per_rule(*slot, |ev| &mut ev.kept, |ev| ev.eval(inner, f)),
            Op::PerDocument(e, id, keyed, walked) => {
                if let Some(v) = self.per_document_known(*id, keyed.as_deref(), f) {
                    return Ok(v);
                }
                let v = match self.walked(walked.as_deref(), e, f) {
                    Some(v) => v,
                    None => self.eval(e, f)?,
                };
                self.remember(*id, &v);
                Ok(v)
            }
            Op::InstanceOf(e, t) => {
                let v = self.eval(e, f)?;
                Ok(one(instance_of(&v, t)))
            }
            Op::Treat(e, t) => {
                let v = self.eval(e, f)?;
                if instance_of(&v, t) {
                    Ok(v)
                } else {
                    Err(dyn_err(ErrorCode::XPDY0050, "treat as: value does not match the type"))
                }
            }
            Op::Direct(_, original) => self.eval(original, f),
        }
    }

    /// Effective boolean value of an expression.
    pub fn ebv(&mut self, op: &'a Op, f: &Focus<'a>) -> R<bool> {
        match op {
            Op::Direct(d, original) => self.direct_or(d, original, f),
            // XPath 2.0 §3.6 lets an implementation return the result of
            // `or`/`and` when one operand decides it even if the other raises
            // an error. Saxon does so; an error surfaces only when the other
            // operand does not decide the result.
            Op::Or(l, r) => match self.ebv(l, f) {
                Ok(true) => Ok(true),
                Ok(false) => self.ebv(r, f),
                Err(e) => match self.ebv(r, f) {
                    Ok(true) => Ok(true),
                    _ => Err(e),
                },
            },
            Op::And(l, r) => match self.ebv(l, f) {
                Ok(false) => Ok(false),
                Ok(true) => self.ebv(r, f),
                Err(e) => match self.ebv(r, f) {
                    Ok(false) => Ok(false),
                    _ => Err(e),
                },
            },
            Op::Call(Builtin::Not, args) => Ok(!self.ebv(&args[0], f)?),
            Op::NameOnly(inner, id) => self.name_only(inner, *id, f),
            Op::Shared(inner, slot) => self.once_per_rule(*slot, |ev| &mut ev.shared, |ev| ev.ebv(inner, f)),
            Op::Call(Builtin::Exists, args) => self.exists(&args[0], f),
            // a path of nodes is true when it has a first node
            Op::Path(..) => match self.exists_lazily(op, f) {
                Some(b) => b,
                None => Ok(ebv(&self.eval(op, f)?)?),
            },
            Op::PerDocument(inner, ..) if lazy_path(inner, &mut LazySteps::new()).is_some() => self.exists(op, f),
            // a step yields nodes: true when it has one
            Op::Step(_) => self.exists(op, f),
            // `normalize-space(x)` is true when x has a character that is not white space
            Op::Call(Builtin::NormalizeSpace, args) => {
                if let (None, Some(Item::Node(n))) = (args.first(), &f.item) {
                    return Ok(!n.string_value_is_blank());
                }
                let s = match args.first() {
                    None => {
                        let v = self.context_or_arg(args, f)?;
                        v.first().map_or(Str::Borrowed(""), |i| atomize_item(i).to_str())
                    }
                    Some(a) => self.string_arg(a, f)?,
                };
                Ok(!s.chars().all(is_xml_ws))
            }
            // `ends-with(local-name(), 'Time')`: the name read in place
            Op::Call(b @ (Builtin::EndsWith | Builtin::StartsWith | Builtin::Contains), args) => {
                let pair = match args.as_slice() {
                    [l, r] => name_vs_const(self, l, r, f),
                    _ => None,
                };
                match pair {
                    Some((s, c)) => Ok(match b {
                        Builtin::EndsWith => s.ends_with(c),
                        Builtin::StartsWith => s.starts_with(c),
                        _ => s.contains(c),
                    }),
                    None => self.call_ebv(*b, args, f),
                }
            }
            // `namespace-uri() = '…'`: both sides are single strings
            // `@schemeID = '0088'`: at most one attribute, compared as a string
            Op::General(cmp @ (CmpOp::Eq | CmpOp::Ne), l, r, single) => {
                if let Some((s, c)) = name_vs_const(self, l, r, f) {
                    return Ok(s.is(c) == (*cmp == CmpOp::Eq));
                }
                match attr_vs_const(l, r, f) {
                    Some(None) => Ok(false),
                    Some(Some(v)) => Ok(v == (*cmp == CmpOp::Eq)),
                    None => self.general(*cmp, l, r, *single, f),
                }
            }
            Op::Call(b, args) if b.single_atomic() => self.call_ebv(*b, args, f),
            Op::General(cmp, l, r, single) => self.general(*cmp, l, r, *single, f),
            Op::Value(cmp, l, r) => Ok(self.value_cmp(*cmp, l, r, f)?.unwrap_or(false)),
            Op::TokenIn(x, set, spaceless) => self.token_in(x, set, *spaceless, f),
            Op::Arith(..) => match self.opt_atomic(op, f)? {
                None => Ok(false),
                Some(a) => Ok(atomic_ebv(&a)?),
            },
            _ => Ok(ebv(&self.eval(op, f)?)?),
        }
    }

    /// A general comparison (`=`, `<`, …): some pair of the operands'
    /// atomized items compares true.
    fn general(&mut self, op: CmpOp, l: &'a Op, r: &'a Op, single: bool, f: &Focus<'a>) -> R<bool> {
        if let Some(hit) = self.count_cmp(op, l, r, f) {
            return hit;
        }
        if let Some(hit) = self.general_lazily(op, l, r, single, f) {
            return hit;
        }
        if let Some(hit) = self.general_mapped(op, l, r, single, f) {
            return hit;
        }
        let (l_one, r_one) = (one_item(l), one_item(r));
        if !l_one && !r_one {
            return self.many_to_many(op, l, r, single, f);
        }
        // the official processor evaluates the one-item side first: when it
        // is empty the comparison is false, the other side never evaluated
        // (`@missing = X[P]/Y` is false whatever `P` raises)
        if !l_one && self.atomized(r, f)?.is_empty() {
            return Ok(false);
        }
        let a = self.atomized(l, f)?;
        if a.is_empty() {
            return Ok(false);
        }
        // a known per-document value (`@currencyID = /*/cbc:DocumentCurrencyCode`)
        // is compared where it is kept, not atomized into a copy first
        if let Op::PerDocument(_, id, ..) = r {
            if let Some(v) = self.per_document_value(*id) {
                for x in &a {
                    for y in v {
                        if compare_pair(op, x, &atomize_item(y), single)? {
                            return Ok(true);
                        }
                    }
                }
                return Ok(false);
            }
        }
        let b = self.atomized(r, f)?;
        for x in &a {
            for y in &b {
                if compare_pair(op, x, y, single)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// A general comparison of two operands that may each have several
    /// items, as the official processor makes it: it pulls an item from
    /// each side in turn, comparing each new item with those already pulled
    /// from the other side, and stops at the first pair that compares true
    /// or when both sides are exhausted, so an item (or error) past that
    /// point is never reached: `cac:TaxCategory/cbc:ID =
    /// cac:TaxCategory[normalize-space(cbc:ID) != 'Q']/cbc:ID` is true on
    /// the first category's `S` even when a later category repeats
    /// `cbc:ID`, while `cbc:Missing = …` raises that error, there being
    /// nothing to stop at. Each side is computed up to the error it would
    /// raise ([`Self::pulled`]) and the turns are then replayed.
    fn many_to_many(&mut self, op: CmpOp, l: &'a Op, r: &'a Op, single: bool, f: &Focus<'a>) -> R<bool> {
        let mut left = Side::new(self.pulled(l, f));
        let mut right = Side::new(self.pulled(r, f));
        loop {
            if let Some(b) = left.turn(&right, &|x, y| Ok(compare_pair(op, x, y, single)?))? {
                return Ok(b);
            }
            if let Some(b) = right.turn(&left, &|y, x| Ok(compare_pair(op, x, y, single)?))? {
                return Ok(b);
            }
        }
    }

    /// The atomized items of `op` as the official processor pulls them, up
    /// to the error the next pull would raise: a path with predicates
    /// walked in its order ([`Self::ordered_walk`]), anything else computed
    /// whole (its error, if any, raised by the first pull).
    fn pulled(&mut self, op: &'a Op, f: &Focus<'a>) -> (Vec<Atomic<'a>>, Option<Box<XPathError>>) {
        let mut steps = LazySteps::new();
        match self.ordered_walk(op, f, &mut steps) {
            Some(Err(e)) => (Vec::new(), Some(e)),
            Some(Ok(starts)) => {
                let mut items = Vec::new();
                let walked = self.any_from_each(&starts, &steps, &mut |_, x| {
                    items.push(atomize_item(&Item::Node(x)));
                    Ok(false)
                });
                (items, walked.err())
            }
            None => match self.atomized(op, f) {
                Ok(a) => (a.into_vec(), None),
                Err(e) => (Vec::new(), Some(e)),
            },
        }
    }

    /// A value comparison (`eq`, `lt`, …); `None` when an operand is empty.
    fn value_cmp(&mut self, op: CmpOp, l: &'a Op, r: &'a Op, f: &Focus<'a>) -> R<Option<bool>> {
        let Some(a) = self.opt_atomic(l, f)? else {
            return Ok(None);
        };
        let Some(b) = self.opt_atomic(r, f)? else {
            return Ok(None);
        };
        let a = if let Atomic::Untyped(s) = a {
            Atomic::String(s)
        } else {
            a
        };
        let b = if let Atomic::Untyped(s) = b {
            Atomic::String(s)
        } else {
            b
        };
        Ok(Some(compare_atomic(op, &a, &b)?))
    }

    /// [`Op::TokenIn`]: whether `" x "` occurs in the code list (with
    /// `spaceless`, whether `x` is one of its tokens).
    fn token_in(&mut self, x: &'a Op, set: &TokenSet, spaceless: bool, f: &Focus<'a>) -> R<bool> {
        // concat's argument rules: at most one item, any atomic type
        let s = self.opt_atomic(x, f)?.map(|a| a.to_str());
        let s = s.as_deref().unwrap_or("");
        Ok(if s.contains(' ') {
            !spaceless && set.haystack.contains(&format!(" {s} "))
        } else {
            set.tokens.contains(s)
        })
    }

    /// A name-only predicate's truth, once per distinct name of an element
    /// or attribute (the key: the lexical name and the namespace).
    fn name_only(&mut self, inner: &'a Op, id: u32, f: &Focus<'a>) -> R<bool> {
        let n = match &f.item {
            Some(Item::Node(n)) if n.attr != 0 || n.node.is_element() => *n,
            _ => return self.ebv(inner, f),
        };
        let ns = n
            .expanded_name()
            .and_then(|(ns, _)| ns)
            .map_or(0, |s| s.as_ptr() as usize);
        let key = (id, self.lexical_name(&n), ns);
        if let Some(b) = self.st.names_memo.get(&key) {
            return Ok(*b);
        }
        // errors are not kept: they are raised again, each time
        let b = self.ebv(inner, f)?;
        self.st.names_memo.insert(key, b);
        Ok(b)
    }

    /// The value of per-document expression `id` when it is known or its
    /// key index gives it (the document is fixed for the evaluator's
    /// lifetime, one `Schema::check`).
    fn per_document_known(&mut self, id: u32, keyed: Option<&'a Keyed>, f: &Focus<'a>) -> Option<Seq<'a>> {
        if let Some(v) = self.per_document_value(id) {
            return Some(dup(v));
        }
        let v = self.keyed(keyed?, f)?;
        self.remember(id, &v);
        Some(v)
    }

    /// The value of per-document expression `id`, when already computed.
    fn per_document_value(&self, id: u32) -> Option<&Seq<'a>> {
        self.st.per_document.get(id as usize)?.as_ref()
    }

    fn remember(&mut self, id: u32, v: &Seq<'a>) {
        let id = id as usize;
        if self.st.per_document.len() <= id {
            // one allocation for the ids a rule set usually has, rather
            // than doubling from a few
            if self.st.per_document.capacity() == 0 {
                self.st.per_document.reserve(PER_DOCUMENT_IDS);
            }
            self.st.per_document.resize(id + 1, None);
        }
        self.st.per_document[id] = Some(dup(v));
    }

    /// Whether an expression yields any item (`exists`), lazily for steps
    /// and paths. A per-document path is looked up when its value is known;
    /// otherwise it is computed whole and remembered where its direct walk
    /// answers (which it does only where no node could raise an error), and
    /// else walked lazily (not computed whole).
    fn exists(&mut self, op: &'a Op, f: &Focus<'a>) -> R<bool> {
        if let Op::PerDocument(inner, id, keyed, walked) = op {
            if let Some(v) = self.per_document_value(*id) {
                return Ok(!v.is_empty());
            }
            if let Some(v) = self.per_document_known(*id, keyed.as_deref(), f) {
                return Ok(!v.is_empty());
            }
            if let Some(v) = self.walked(walked.as_deref(), inner, f) {
                self.remember(*id, &v);
                return Ok(!v.is_empty());
            }
            if let Some(b) = self.exists_lazily(inner, f) {
                return b;
            }
        }
        if let Some(b) = self.step_exists(op, f) {
            return b;
        }
        if let Some(b) = self.exists_lazily(op, f) {
            return b;
        }
        Ok(!self.eval(op, f)?.is_empty())
    }

    /// `count(a) ⋈ k` (or `k ⋈ count(a)`) for an integer literal `k`.
    /// Two integers, compared as such; `None` for other operands.
    fn count_cmp(&mut self, cmp: CmpOp, l: &'a Op, r: &'a Op, f: &Focus<'a>) -> Option<R<bool>> {
        let (arg, k, flipped) = count_vs_integer(l, r)?;
        Some(self.count(arg, f).map(|n| {
            let n = i128::try_from(n).unwrap_or(i128::MAX);
            cmp.holds(Some(if flipped { k.cmp(&n) } else { n.cmp(&k) }))
        }))
    }

    /// How many items `op` gives. A path of predicate-free child steps with
    /// exact names (`cac:Item/cbc:Name`) from an element is counted in the
    /// element index without building its node sequence: each node has one
    /// parent, so the nested walk meets no node twice.
    fn count(&mut self, op: &'a Op, f: &Focus<'a>) -> R<usize> {
        let mut syms = smallvec::SmallVec::<[u32; 4]>::new();
        match &f.item {
            Some(Item::Node(n))
                if n.attr == 0 && child_name_chain(op, &mut syms) && self.syms.numbers(n.node.document()) =>
            {
                Ok(self.count_below(n.node, &syms))
            }
            _ => Ok(self.eval(op, f)?.len()),
        }
    }

    fn count_below(&mut self, n: roxmltree::Node<'a, 'a>, syms: &[u32]) -> usize {
        let Some((&sym, rest)) = syms.split_first() else {
            return 1;
        };
        let kids = self.index.kids_of(n);
        let parent = n.id().get();
        if rest.is_empty() {
            return self.syms.named(parent, kids, sym).count();
        }
        let doc = n.document();
        let mut total = 0;
        // the kids are copied out: counting below a kid borrows the index again
        let named: smallvec::SmallVec<[u32; 8]> = self.syms.named(parent, kids, sym).collect();
        for k in named {
            if let Some(kid) = doc.get_node(roxmltree::NodeId::from(k)) {
                total += self.count_below(kid, rest);
            }
        }
        total
    }

    /// Whether a path selects any node, found the way the official
    /// processor's lazy iterators find it: step by step as nested loops,
    /// each step's nodes in axis order, each through the step's predicates
    /// in turn, stopping at the first node that passes them all, so that
    /// predicates are not evaluated past it (nor their errors raised).
    /// `None` for expressions [`lazy_path`] does not take.
    fn exists_lazily(&mut self, op: &'a Op, f: &Focus<'a>) -> Option<R<bool>> {
        let mut steps = LazySteps::new();
        let start = walk_start(op, f, &mut steps)?;
        Some(self.any_from(start, &steps))
    }

    /// A general comparison of a path whose steps filter with predicates
    /// and a constant (`cac:InvoiceLine[…]/cbc:Amount > 0`), as the
    /// official processor evaluates it: the path's nodes are pulled one at
    /// a time, as nested loops over its steps give them (whether some node
    /// compares true does not depend on their order, so it does not sort
    /// them), and the first that compares true ends it, so a predicate that
    /// would raise an error on a later node is never evaluated. `None` when
    /// the operands are not of that form ([`filtered_path`], [`lazy_path`]).
    fn general_lazily(&mut self, op: CmpOp, l: &'a Op, r: &'a Op, single: bool, f: &Focus<'a>) -> Option<R<bool>> {
        let (path, c, const_first) = match (l, r) {
            (p, Op::Const(c)) => (p, c, false),
            (Op::Const(c), p) => (p, c, true),
            _ => return None,
        };
        if !filtered_path(path) && !reverse_path(path) {
            return None;
        }
        let mut steps = LazySteps::new();
        let start = walk_start(path, f, &mut steps)?;
        let b = const_atomic(c);
        let mut compare = |_: &mut Self, x: XNode<'a>| -> R<bool> {
            let a = atomize_item(&Item::Node(x));
            let (x, y) = if const_first { (&b, &a) } else { (&a, &b) };
            Ok(compare_pair(op, x, y, single)?)
        };
        Some(self.any_from_with(start, &steps, &mut compare))
    }

    /// A general comparison of `A/f(…)` (a path whose last part gives at
    /// most one atomic value per node: a function such as
    /// `normalize-space`, or a cast) with a literal or a variable holding
    /// one item, value by value: the
    /// first value that compares true decides, and the values after it are
    /// not computed, as the official processor's lazy mapping does
    /// (`cac:ClassifiedTaxCategory/normalize-space(cbc:ID) = 'S'` is true
    /// for a first category `S` even when a later one repeats `cbc:ID`,
    /// which raises an error once its value is asked). `A` is pulled in
    /// document order as the official processor pulls it
    /// ([`Evaluator::ordered_walk`]): its nodes after the first that
    /// compares true are never asked for, so a later one whose predicate
    /// raises an error does not
    /// (`cac:TaxCategory[normalize-space(cbc:ID) != 'Q']/normalize-space(cbc:Percent) = '5'`
    /// with a second category repeating `cbc:ID`). `None` for other forms.
    fn general_mapped(&mut self, op: CmpOp, l: &'a Op, r: &'a Op, single: bool, f: &Focus<'a>) -> Option<R<bool>> {
        let (mapped, other, const_first) = match (l, r) {
            (m @ Op::Path(..), c) => (m, c, false),
            (c, m @ Op::Path(..)) => (m, c, true),
            _ => return None,
        };
        let Op::Path(prefix, last) = mapped else { return None };
        if !one_atomic_per_node(last) {
            return None;
        }
        let b = match self.one_known_value(other) {
            Some(b) => b,
            // a computed operand of one item (`… = xs:decimal(cbc:X) - 2`)
            // is evaluated first, as the official processor's many-to-one
            // comparison does, and the mapping is then taken lazily
            None if one_item(other) && !one_item(mapped) => match self.opt_atomic(other, f) {
                Ok(Some(b)) => b,
                Ok(None) => return Some(Ok(false)),
                Err(e) => return Some(Err(e)),
            },
            None => return None,
        };
        Some(self.compare_mapped(op, prefix, last, &b, const_first, single, f))
    }

    /// The value of a literal, or of a variable that holds one item
    /// (`$rate`); `None` for anything else.
    fn one_known_value(&self, op: &'a Op) -> Option<Atomic<'a>> {
        match op {
            Op::Const(c) => Some(const_atomic(c)),
            Op::Var(slot) => match self.st.vars.get(*slot).map(|v| v.as_slice()) {
                Some([one]) => Some(atomize_item(one)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The first two values of `prefix/last`, where `last` gives at most
    /// one atomic value per node (`A/xs:decimal(B)`), pulled as the
    /// official processor pulls them: the nodes of `prefix` in document
    /// order, lazily where it walks them ([`Evaluator::ordered_walk`]), so
    /// that a third node is never asked for (`A/xs:decimal(B) + 1` with
    /// three `A` is `XPTY0004` even when the third amount is not a number).
    fn first_two_mapped(&mut self, prefix: &'a Op, last: &'a Op, f: &Focus<'a>) -> R<Seq<'a>> {
        let mut out = Seq::new();
        let mut steps = LazySteps::new();
        if let Some(starts) = self.ordered_walk(prefix, f, &mut steps) {
            self.any_from_each(&starts?, &steps, &mut |ev: &mut Self, x: XNode<'a>| -> R<bool> {
                if let Some(a) = ev.opt_atomic(last, &Focus::node(x))? {
                    out.push(Item::Atomic(a));
                }
                Ok(out.len() >= 2)
            })?;
            return Ok(out);
        }
        for focus in step_foci(self.eval(prefix, f)?) {
            if let Some(a) = self.opt_atomic(last, &focus?)? {
                out.push(Item::Atomic(a));
                if out.len() >= 2 {
                    break;
                }
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn compare_mapped(
        &mut self,
        op: CmpOp,
        prefix: &'a Op,
        last: &'a Op,
        b: &Atomic<'a>,
        const_first: bool,
        single: bool,
        f: &Focus<'a>,
    ) -> R<bool> {
        let mut steps = LazySteps::new();
        if let Some(starts) = self.ordered_walk(prefix, f, &mut steps) {
            // `last` looks at neither the position nor the size
            let mut compare = |ev: &mut Self, x: XNode<'a>| -> R<bool> {
                let Some(a) = ev.opt_atomic(last, &Focus::node(x))? else {
                    return Ok(false);
                };
                let (x, y) = if const_first { (b, &a) } else { (&a, b) };
                Ok(compare_pair(op, x, y, single)?)
            };
            return self.any_from_each(&starts?, &steps, &mut compare);
        }
        for focus in step_foci(self.eval(prefix, f)?) {
            let Some(a) = self.opt_atomic(last, &focus?)? else {
                continue;
            };
            let (x, y) = if const_first { (b, &a) } else { (&a, b) };
            if compare_pair(op, x, y, single)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether `steps`, taken from `n`, reach a node (see [`Self::exists_lazily`]).
    fn any_from(&mut self, n: XNode<'a>, steps: &[LazyStep<'a>]) -> R<bool> {
        self.any_from_with(n, steps, &mut |_, _| Ok(true))
    }

    /// Whether `steps`, taken from `n`, reach a node for which `last` is
    /// true; nodes are tried one at a time, and the walk stops at the first.
    /// `last` is handed the evaluator, to evaluate with it.
    fn any_from_with<F: FnMut(&mut Self, XNode<'a>) -> R<bool>>(
        &mut self,
        n: XNode<'a>,
        steps: &[LazyStep<'a>],
        last: &mut F,
    ) -> R<bool> {
        let Some((step, rest)) = steps.split_first() else {
            return last(self, n);
        };
        let mut cands: smallvec::SmallVec<[XNode<'a>; 8]> = smallvec::SmallVec::new();
        let preds: &'a [Op] = match step {
            LazyStep::One(s) => {
                self.candidates(s.axis, &s.test, n, &mut cands);
                &s.preds
            }
            LazyStep::Whole(s) => {
                // positions without `last()`: each node goes through the
                // predicates and on down the walk before the next is asked
                if let Some(mut st) = Stages::new(&s.preds) {
                    return self.staged(s, &mut st, n, &mut |ev, c| ev.any_from_with(c, rest, last));
                }
                let mut found = Seq::new();
                self.step(s, n, &mut found)?;
                for item in found {
                    if let Item::Node(c) = item {
                        if self.any_from_with(c, rest, last)? {
                            return Ok(true);
                        }
                    }
                }
                return Ok(false);
            }
            LazyStep::Either(a, b) => {
                self.axis_nodes(Axis::Child, n, &mut |x| {
                    if self.syms.test(&a.test, x, Axis::Child) || self.syms.test(&b.test, x, Axis::Child) {
                        cands.push(x)
                    }
                });
                &[]
            }
        };
        let size = cands.len();
        for (i, &c) in cands.iter().enumerate() {
            if self.keeps_all(preds, c, i + 1, size)? && self.any_from_with(c, rest, last)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether node `c` (at `pos` of `size`) passes every predicate of an
    /// unpositional step: no predicate is a number or looks at the
    /// position, so each keeps a node by its effective boolean value, in
    /// turn, the order in which the official processor's lazy filters pull
    /// them.
    pub(crate) fn keeps_all(&mut self, preds: &'a [Op], c: XNode<'a>, pos: usize, size: usize) -> R<bool> {
        let focus = Focus {
            item: Some(Item::Node(c)),
            pos,
            size,
        };
        for p in preds {
            if !self.ebv(p, &focus)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The nodes of step `s` from `n`, in axis order, that pass its
    /// predicates (`st`, positional without `last()`), handed to `each` one
    /// at a time as they pass; stops when a predicate has passed the last
    /// position it keeps, or when `each` says true, which it returns.
    fn staged<G: FnMut(&mut Self, XNode<'a>) -> R<bool>>(
        &mut self,
        s: &'a StepOp,
        st: &mut Stages<'a>,
        n: XNode<'a>,
        each: &mut G,
    ) -> R<bool> {
        let mut cands: smallvec::SmallVec<[XNode<'a>; 8]> = smallvec::SmallVec::new();
        if !st.done {
            self.candidates(s.axis, &s.test, n, &mut cands);
        }
        for &c in &cands {
            if self.passes(st, c)? && each(self, c)? {
                return Ok(true);
            }
            if st.done {
                break;
            }
        }
        Ok(false)
    }

    /// Takes node `c` through the predicates of `st`, each at the position
    /// the nodes before it left it; whether `c` passes them all.
    fn passes(&mut self, st: &mut Stages<'a>, c: XNode<'a>) -> R<bool> {
        for (p, (pos, limit)) in st.preds.iter().zip(st.at.iter_mut()) {
            *pos += 1;
            let pos = *pos;
            if limit.is_some_and(|l| pos >= l) {
                st.done = true;
            }
            // (no predicate asks for the size)
            let focus = Focus {
                item: Some(Item::Node(c)),
                pos,
                size: 0,
            };
            if !self.keeps(p, &focus)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether a predicate-free child or attribute step selects anything,
    /// stopping at the first match (`not(*)`, `exists(cbc:ID)`); `None` for
    /// other expressions.
    fn step_exists(&mut self, op: &'a Op, f: &Focus<'a>) -> Option<R<bool>> {
        let Op::Step(s) = op else { return None };
        let upward = matches!(
            s.axis,
            Axis::Parent | Axis::Ancestor | Axis::AncestorOrSelf | Axis::SelfAxis
        );
        if !s.preds.is_empty() || !(upward || matches!(s.axis, Axis::Child | Axis::Attribute)) {
            return None;
        }
        let n = match self.context_node(f) {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        if upward {
            // `ancestor::cac:X`, `..`, `self::x`: walk up, stop at the first match
            let mut cur = match s.axis {
                Axis::Parent | Axis::Ancestor => n.parent(),
                _ => Some(n),
            };
            while let Some(x) = cur {
                if self.syms.test(&s.test, x, s.axis) {
                    return Some(Ok(true));
                }
                cur = match s.axis {
                    Axis::Ancestor | Axis::AncestorOrSelf => x.parent(),
                    _ => None,
                };
            }
            return Some(Ok(false));
        }
        if n.attr != 0 {
            return Some(Ok(false));
        }
        let numbered = self.syms.numbers(n.node.document());
        Some(Ok(match s.axis {
            Axis::Child => match &s.test {
                NodeTest::Name { sym, .. } if *sym != NO_SYM && numbered => {
                    let kids = self.index.kids_of(n.node);
                    self.syms.named(n.node.id().get(), kids, *sym).next().is_some()
                }
                // `*`: any element child
                NodeTest::Name {
                    ns: NsTest::Any,
                    local: None,
                    ..
                }
                | NodeTest::Element
                    if numbered =>
                {
                    !self.index.kids_of(n.node).is_empty()
                }
                _ => n
                    .node
                    .children()
                    .any(|c| self.syms.test(&s.test, XNode::new(c), Axis::Child)),
            },
            _ => (0..n.node.attributes().len()).any(|i| {
                node_matches(
                    &s.test,
                    XNode {
                        node: n.node,
                        attr: i as u32 + 1,
                    },
                    Axis::Attribute,
                )
            }),
        }))
    }

    /// Counts one loop iteration against the budget.
    fn tick(&mut self) -> R<()> {
        self.iterations += 1;
        if self.iterations > MAX_ITERATIONS {
            return Err(dyn_err(
                ErrorCode::LIMIT,
                "evaluation budget exceeded (too many loop iterations)",
            ));
        }
        Ok(())
    }

    /// Counts produced items against the budget.
    fn produce(&mut self, n: usize) -> R<()> {
        self.items += n as u64;
        if self.items > MAX_ITEMS {
            return Err(dyn_err(
                ErrorCode::LIMIT,
                "evaluation budget exceeded (too many items produced)",
            ));
        }
        Ok(())
    }

    /// The integer bounds of `l to r`; `None` for an empty range.
    fn range_bounds(&mut self, l: &'a Op, r: &'a Op, f: &Focus<'a>) -> R<Option<(i128, i128)>> {
        // the official processor refuses a constant bound that cannot be
        // an integer when it compiles the range, and otherwise computes and
        // checks both bounds, the first then the second, before an empty
        // one makes the range empty (`() to xs:string(cbc:ID)` is XPTY0004)
        if constant_non_integer(l) || constant_non_integer(r) {
            return Err(type_err("a range bound that is not an integer"));
        }
        let to_int = |x: Atomic<'a>| -> R<i128> {
            match x {
                Atomic::Integer(i) => Ok(i),
                Atomic::Untyped(_) => match x.cast(AtomicType::Integer)? {
                    Atomic::Integer(i) => Ok(i),
                    _ => Err(type_err("range bound is not an integer")),
                },
                other => Err(type_err(format!("range bound of type {}", other.type_of().name()))),
            }
        };
        let a = self.opt_atomic(l, f)?.map(to_int).transpose()?;
        let b = self.opt_atomic(r, f)?.map(to_int).transpose()?;
        let (Some(a), Some(b)) = (a, b) else {
            return Ok(None);
        };
        if b < a {
            return Ok(None);
        }
        if b.saturating_sub(a) >= MAX_RANGE {
            return Err(dyn_err(ErrorCode::LIMIT, "range expression too large"));
        }
        Ok(Some((a, b)))
    }

    /// `(p)[…]` for a path `p` of child steps with predicates and filter
    /// predicates without `last()`: the path's nodes are walked one at a
    /// time through the filter, as the official processor pulls them, and
    /// no further once a predicate has passed the last position it keeps
    /// (`(p)[1]` evaluates `p`'s predicates up to its first node only).
    /// `None` for other filters.
    fn filter_lazily(&mut self, b: &'a Op, preds: &'a [Op], f: &Focus<'a>) -> Option<R<Seq<'a>>> {
        let mut st = Stages::new(preds)?;
        let mut steps = LazySteps::new();
        let mut out = Seq::new();
        if st.done {
            return ordered_lazily(b).then_some(Ok(out));
        }
        let starts = match self.ordered_walk(b, f, &mut steps)? {
            Ok(starts) => starts,
            Err(e) => return Some(Err(e)),
        };
        let walked = self.any_from_each(&starts, &steps, &mut |ev, x| {
            if ev.passes(&mut st, x)? {
                out.push(Item::Node(x));
            }
            Ok(st.done)
        });
        Some(walked.map(|_| out))
    }

    /// `some`/`every` over a path of child steps with predicates, walked
    /// node by node as the official processor pulls it: the first node
    /// that decides ends it, and the predicates of the nodes after it are
    /// not evaluated (nor their errors raised). `None` for other inputs.
    fn quant_lazily(&mut self, q: Quant, slot: usize, input: &'a Op, body: &'a Op, f: &Focus<'a>) -> Option<R<bool>> {
        let mut steps = LazySteps::new();
        let starts = match self.ordered_walk(input, f, &mut steps)? {
            Ok(starts) => starts,
            Err(e) => return Some(Err(e)),
        };
        let decides = |ev: &mut Self, x: XNode<'a>| -> R<bool> {
            ev.tick()?;
            ev.set_var(slot, smallvec![Item::Node(x)]);
            let b = ev.ebv(body, f)?;
            Ok(b == (q == Quant::Some))
        };
        Some(
            self.any_from_each(&starts, &steps, &mut { decides })
                .map(|decided| decided == (q == Quant::Some)),
        )
    }

    /// The items a `for`/`some`/`every` variable takes: a range is walked
    /// without being materialised.
    fn binding_items(&mut self, input: &'a Op, f: &Focus<'a>) -> R<Bindings<'a>> {
        if let Op::Range(l, r) = input {
            return Ok(match self.range_bounds(l, r, f)? {
                None => Bindings::Items(Seq::new().into_iter()),
                Some((a, b)) => Bindings::Range(a..=b),
            });
        }
        Ok(Bindings::Items(self.eval(input, f)?.into_iter()))
    }

    fn context_node(&self, f: &Focus<'a>) -> R<XNode<'a>> {
        match &f.item {
            Some(Item::Node(n)) => Ok(*n),
            Some(Item::Atomic(_)) => Err(dyn_err(
                ErrorCode::XPTY0020,
                "an axis step needs a node as context item",
            )),
            None => Err(dyn_err(ErrorCode::XPDY0002, "the context item is undefined")),
        }
    }

    fn nodes(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Seq<'a>> {
        let v = self.eval(op, f)?;
        if v.iter().any(|i| matches!(i, Item::Atomic(_))) {
            return Err(type_err("union, intersect and except take node sequences"));
        }
        Ok(v)
    }

    /// Evaluates and atomizes (one or two values stay inline).
    #[inline(always)]
    pub fn atomized(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Atoms<'a>> {
        match in_place(&mut self.index, &self.syms, op, f) {
            Some(InPlace::Atom(a)) => Ok(a.into_iter().collect()),
            Some(InPlace::Kids(doc, parent, kids, sym)) => {
                // pushed one by one: there are seldom more than one, and
                // collecting a filtered iterator costs more than pushing
                let mut out = Atoms::new();
                for c in self.syms.named(parent, kids, sym) {
                    if let Some(c) = element_at(doc, c) {
                        out.push(atomize_item(&Item::Node(c)));
                    }
                }
                Ok(out)
            }
            None => {
                match op {
                    Op::Call(b, args) if b.single_atomic() => {
                        let mut out = Atoms::new();
                        out.push(self.call_atomic(*b, args, f)?);
                        return Ok(out);
                    }
                    // at most one value, without a sequence around it
                    Op::Arith(..)
                    | Op::Cast(..)
                    | Op::Call(Builtin::Abs | Builtin::Round | Builtin::Floor | Builtin::Ceiling, _) => {
                        return Ok(self.opt_atomic(op, f)?.into_iter().collect())
                    }
                    _ => {}
                }
                // a known per-document value is atomized where it is kept,
                // not copied out first
                if let Op::PerDocument(_, id, ..) = op {
                    if let Some(v) = self.per_document_value(*id) {
                        return Ok(v.iter().map(atomize_item).collect());
                    }
                }
                let v = self.eval(op, f)?;
                let mut out = Atoms::new();
                for i in &v {
                    out.push(atomize_item(i));
                }
                Ok(out)
            }
        }
    }

    #[inline(always)]
    fn opt_atomic(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Option<Atomic<'a>>> {
        let v = match in_place(&mut self.index, &self.syms, op, f) {
            Some(InPlace::Atom(a)) => return Ok(a),
            Some(InPlace::Kids(doc, parent, kids, sym)) => {
                let mut hits = self.syms.named(parent, kids, sym);
                let first = hits.next().and_then(|c| element_at(doc, c));
                if hits.next().is_some() {
                    return Err(type_err("a sequence of more than one item is not allowed here"));
                }
                return Ok(first.map(|c| atomize_item(&Item::Node(c))));
            }
            None => match op {
                Op::Call(b, args) if b.single_atomic() => return self.call_atomic(*b, args, f).map(Some),
                // as `eval` does, without a sequence around the result
                Op::Cast(e, t, opt) => return self.cast(e, *t, *opt, f),
                Op::Call(b @ (Builtin::Abs | Builtin::Round | Builtin::Floor | Builtin::Ceiling), args) => {
                    return self.rounded(*b, args, f)
                }
                Op::Arith(o, l, r) => {
                    let Some(a) = self.opt_atomic(l, f)? else {
                        return Ok(None);
                    };
                    let Some(b) = self.opt_atomic(r, f)? else {
                        return Ok(None);
                    };
                    return arith(*o, &a, &b).map(Some).map_err(Box::new);
                }
                _ => self.first_two(op, f)?,
            },
        };
        match v.len() {
            0 => Ok(None),
            1 => Ok(Some(atomize_item(&v[0]))),
            _ => Err(type_err("a sequence of more than one item is not allowed here")),
        }
    }

    /// `abs`, `round`, `floor` or `ceiling` (`b`) of `args[0]`; `None` for
    /// the empty sequence.
    fn rounded(&mut self, b: Builtin, args: &'a [Op], f: &Focus<'a>) -> R<Option<Atomic<'a>>> {
        let Some(x) = self.opt_numeric(&args[0], f)? else {
            return Ok(None);
        };
        round_like(b, x).map(Some)
    }

    /// `e cast as t` (`t?` when `opt`): `None` for an allowed empty sequence.
    fn cast(&mut self, e: &'a Op, t: AtomicType, opt: bool, f: &Focus<'a>) -> R<Option<Atomic<'a>>> {
        let v = self.first_two_atoms(e, f)?;
        match v.len() {
            0 if opt => Ok(None),
            0 => Err(type_err(format!("cast to {} of an empty sequence", t.name()))),
            1 => Ok(Some(v[0].cast(t)?)),
            _ => Err(type_err(format!(
                "cast to {} of a sequence of more than one item",
                t.name()
            ))),
        }
    }

    /// An `xs:string?` argument.
    #[inline(always)]
    fn opt_string(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Option<Str<'a>>> {
        match self.opt_atomic(op, f)? {
            None => Ok(None),
            Some(Atomic::Untyped(s)) | Some(Atomic::String(s)) => Ok(Some(s)),
            Some(other) => Err(type_err(format!("expected xs:string, got {}", other.type_of().name()))),
        }
    }

    #[inline(always)]
    fn string_arg(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Str<'a>> {
        Ok(self.opt_string(op, f)?.unwrap_or(Str::Borrowed("")))
    }

    /// An argument declared `xs:string` (not `xs:string?`): the empty
    /// sequence is a type error.
    fn required_string_arg(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Str<'a>> {
        self.opt_string(op, f)?
            .ok_or_else(|| type_err("empty sequence where a string is required"))
    }

    /// A numeric argument (`xs:double` after promotion).
    #[inline(always)]
    fn double_arg(&mut self, op: &'a Op, f: &Focus<'a>) -> R<f64> {
        match self.opt_numeric(op, f)? {
            None => Err(type_err("empty sequence where a number is required")),
            Some(a) => Ok(a.as_f64()),
        }
    }

    /// An `xs:numeric?` argument (an untyped value becomes a double).
    #[inline(always)]
    fn opt_numeric(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Option<Atomic<'a>>> {
        self.converted(op, f, number_arg)
    }

    /// An argument of one optional atomic value, converted by `convert`
    /// (the function conversion rules for the declared type). Several
    /// values are refused as the official processor refuses them: it
    /// converts the first two (so a second untyped value that does not
    /// convert is `FORG0001`) before it finds that there is more than one
    /// (`XPTY0004`).
    #[inline(always)]
    fn converted(
        &mut self,
        op: &'a Op,
        f: &Focus<'a>,
        convert: impl Fn(&Atomic<'a>) -> R<Atomic<'a>>,
    ) -> R<Option<Atomic<'a>>> {
        match self.opt_atomic(op, f) {
            Ok(None) => Ok(None),
            Ok(Some(a)) => convert(&a).map(Some),
            Err(e) if e.code == ErrorCode::XPTY0004 => {
                // (evaluated again only on this error path)
                let v = self.first_two_atoms(op, f)?;
                if v.len() < 2 {
                    return Err(e);
                }
                for a in v.iter().take(2) {
                    convert(a)?;
                }
                Err(type_err("a sequence of more than one item is not allowed here"))
            }
            Err(e) => Err(e),
        }
    }

    /// The first two items of `op`, or all when it has fewer: what an
    /// operand that must be one item shows of itself before a second is
    /// refused. The official processor pulls such an operand lazily, so a
    /// path of child steps with predicates is walked here node by node and
    /// left after its second node: the predicates of later nodes are not
    /// evaluated, nor their errors raised (`number(*[cbc:Amount > 0])` over
    /// two such lines and a third whose amount is text is XPTY0004, not
    /// FORG0001). Other expressions are evaluated whole.
    fn first_two(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Seq<'a>> {
        if let Op::Path(prefix, last) = op {
            if one_atomic_per_node(last) {
                return self.first_two_mapped(prefix, last, f);
            }
        }
        if let Op::PerDocument(_, id, ..) = op {
            if let Some(v) = self.per_document_value(*id) {
                return Ok(v.iter().take(2).cloned().collect());
            }
        }
        let mut steps = LazySteps::new();
        if let Some(walk) = self.ordered_walk(op, f, &mut steps) {
            let starts = walk?;
            let mut out = Seq::new();
            self.any_from_each(&starts, &steps, &mut |_, x| {
                out.push(Item::Node(x));
                Ok(out.len() >= 2)
            })?;
            return Ok(out);
        }
        self.eval(op, f)
    }

    /// Where the nodes of `op` come from when the official processor pulls
    /// them in document order with predicates left to evaluate lazily
    /// ([`ordered_lazily`]), the steps to walk pushed onto `steps` (given
    /// empty): a path whose nested walk is in that order is walked from its
    /// start; a path it sorts up to a step ([`PathPlan::sorted`]) has that
    /// part evaluated whole, and the rest is walked from each of its nodes
    /// (`cac:InvoiceLine[1]/../cac:InvoiceLine[cbc:LineExtensionAmount > 0]`
    /// stops at the second line that passes). `None` where the path is to
    /// be evaluated whole.
    fn ordered_walk(&mut self, op: &'a Op, f: &Focus<'a>, steps: &mut LazySteps<'a>) -> Option<R<Starts<'a>>> {
        let plan = path_plan(op).filter(|p| p.filtered_after)?;
        let Some((prefix, n)) = plan.sorted else {
            return walk_start(op, f, steps).map(|start| Ok(smallvec![start]));
        };
        if !matches!(f.item, Some(Item::Node(_))) {
            return None;
        }
        lazy_path(op, steps)?;
        let part = match self.eval(prefix, f) {
            Ok(v) => v,
            Err(e) => return Some(Err(e)),
        };
        let mut starts = Starts::new();
        for item in &part {
            let Item::Node(node) = item else { return None };
            starts.push(*node);
        }
        steps.drain(..n);
        Some(Ok(starts))
    }

    /// [`Evaluator::any_from_with`] from each of `starts` in turn, until
    /// `last` says to stop.
    fn any_from_each<F: FnMut(&mut Self, XNode<'a>) -> R<bool>>(
        &mut self,
        starts: &[XNode<'a>],
        steps: &[LazyStep<'a>],
        last: &mut F,
    ) -> R<bool> {
        for &n in starts {
            if self.any_from_with(n, steps, last)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// [`Evaluator::first_two`] atomized; an operand it would evaluate
    /// whole is atomized in place where [`Evaluator::atomized`] can.
    fn first_two_atoms(&mut self, op: &'a Op, f: &Focus<'a>) -> R<Atoms<'a>> {
        if matches!(op, Op::PerDocument(..)) || ordered_lazily(op) {
            return Ok(self.first_two(op, f)?.iter().map(atomize_item).collect());
        }
        self.atomized(op, f)
    }

    fn context_or_arg(&mut self, args: &'a [Op], f: &Focus<'a>) -> R<Seq<'a>> {
        match args.first() {
            Some(a) => self.first_two(a, f),
            None => match &f.item {
                Some(i) => Ok(smallvec![i.clone()]),
                None => Err(dyn_err(ErrorCode::XPDY0002, "the context item is undefined")),
            },
        }
    }

    fn path(&mut self, l: &'a Op, r: &'a Op, f: &Focus<'a>) -> R<Seq<'a>> {
        let left = self.eval(l, f)?;
        if left.is_empty() {
            return Ok(left);
        }
        let mut out = Seq::new();
        if let Op::Step(s) = r {
            for item in &left {
                match item {
                    Item::Node(n) => self.step(s, *n, &mut out)?,
                    Item::Atomic(_) => {
                        return Err(dyn_err(ErrorCode::XPTY0019, "a path step applied to an atomic value"))
                    }
                }
            }
            if left.len() > 1 {
                sort_nodes(&mut out);
            }
            return Ok(out);
        }
        for focus in step_foci(left) {
            out.extend(self.eval(r, &focus?)?);
        }
        let nodes = out.iter().filter(|i| matches!(i, Item::Node(_))).count();
        if nodes == out.len() {
            sort_nodes(&mut out);
        } else if nodes != 0 {
            return Err(dyn_err(
                ErrorCode::XPTY0018,
                "a path's last step mixes nodes and atomic values",
            ));
        }
        Ok(out)
    }

    /// `a | b` for two child steps with exact names and no predicates
    /// (`../(cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode)`): one pass over
    /// the context element's children keeps those with either name, already
    /// in document order and without duplicates. `None` when the operands
    /// or the context have another form (the union is then evaluated whole).
    fn either_child(&mut self, l: &'a Op, r: &'a Op, f: &Focus<'a>) -> Option<Seq<'a>> {
        let (x, y) = child_step_pair(l, r)?;
        let name = |s: &StepOp| match &s.test {
            NodeTest::Name { sym, .. } if *sym != NO_SYM => Some(*sym),
            _ => None,
        };
        let (a, b) = (name(x)?, name(y)?);
        let Some(Item::Node(n)) = &f.item else { return None };
        let doc = n.node.document();
        if n.attr != 0 || !self.syms.numbers(doc) {
            return None;
        }
        let kids = self.index.kids_of(n.node);
        if kids.len() > WIDE {
            return None;
        }
        let syms = &self.syms;
        Some(
            kids.iter()
                .filter(|&&c| {
                    let s = syms.of_id(c);
                    s == a || s == b
                })
                .filter_map(|&c| element_at(doc, c))
                .map(Item::Node)
                .collect(),
        )
    }

    fn step(&mut self, s: &'a StepOp, n: XNode<'a>, out: &mut Seq<'a>) -> R<()> {
        let test = &s.test;
        let axis = s.axis;
        if s.preds.is_empty() {
            // fast paths: nothing positional, push matches straight out
            if let (Axis::Descendant, NodeTest::Name { sym, .. }) = (axis, test) {
                if *sym != NO_SYM && n.attr == 0 {
                    if let Some(ids) = self.syms.descendants(n.node, *sym) {
                        // every element of the group has the tested name
                        let doc = n.node.document();
                        out.extend(
                            ids.iter()
                                .filter_map(|c| doc.get_node(*c))
                                .map(|c| Item::Node(XNode::new(c))),
                        );
                        return Ok(());
                    }
                }
            }
            if let (Axis::Child, NodeTest::Name { sym, .. }) = (axis, test) {
                let doc = n.node.document();
                if *sym != NO_SYM && n.attr == 0 && self.syms.numbers(doc) {
                    let kids = self.index.kids_of(n.node);
                    if kids.len() <= WIDE {
                        for c in self.syms.named(n.node.id().get(), kids, *sym) {
                            if let Some(x) = element_at(doc, c) {
                                out.push(Item::Node(x));
                            }
                        }
                        return Ok(());
                    }
                }
            }
            let syms = &self.syms;
            let mut push = |x: XNode<'a>| {
                if syms.test(test, x, axis) {
                    out.push(Item::Node(x));
                }
            };
            match axis {
                Axis::Child => {
                    if n.attr != 0 {
                        return Ok(());
                    }
                    if let NodeTest::Name { local: Some(l), .. } = test {
                        let id = n.node.id().get();
                        if let Some(kids) = self.index.wide_children.get(&id) {
                            let doc = n.node.document();
                            kids.get(&**l)
                                .into_iter()
                                .flatten()
                                .filter_map(|c| doc.get_node(*c))
                                .for_each(|c| push(XNode::new(c)));
                            return Ok(());
                        }
                        let mut count = 0;
                        n.node.children().for_each(|c| {
                            count += 1;
                            push(XNode::new(c))
                        });
                        if count > WIDE {
                            let mut m: NameIndex<'a> = Default::default();
                            for c in n.node.children().filter(|c| c.is_element()) {
                                m.entry(c.tag_name().name()).or_default().push(c.id());
                            }
                            self.index.wide_children.insert(id, m);
                        }
                        return Ok(());
                    }
                    n.node.children().for_each(|c| push(XNode::new(c)));
                    return Ok(());
                }
                Axis::Descendant => {
                    if n.attr == 0 {
                        let doc = n.node.document();
                        if let NodeTest::Name { local: Some(l), .. } = test {
                            for c in self.index.named_descendants(n.node, l) {
                                if let Some(c) = doc.get_node(*c) {
                                    push(XNode::new(c));
                                }
                            }
                        } else {
                            n.node.descendants().skip(1).for_each(|c| push(XNode::new(c)));
                        }
                    }
                    return Ok(());
                }
                Axis::Attribute => {
                    if n.attr == 0 && n.node.is_element() {
                        for i in 0..n.node.attributes().len() {
                            push(XNode {
                                node: n.node,
                                attr: i as u32 + 1,
                            });
                        }
                    }
                    return Ok(());
                }
                Axis::SelfAxis => {
                    push(n);
                    return Ok(());
                }
                Axis::Parent => {
                    if let Some(p) = n.parent() {
                        push(p);
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
        if s.unpositional {
            // each node is kept or dropped by itself
            let mut cand: smallvec::SmallVec<[XNode<'a>; 8]> = smallvec::SmallVec::new();
            self.candidates(axis, test, n, &mut cand);
            let size = cand.len();
            let start = out.len();
            for (i, &c) in cand.iter().enumerate() {
                if self.keeps_all(&s.preds, c, i + 1, size)? {
                    out.push(Item::Node(c));
                }
            }
            if axis.is_reverse() {
                out[start..].reverse();
            }
            return Ok(());
        }
        // positional predicates without `last()`: the nodes are taken
        // through them one at a time, as the official processor's filters
        // pull them, and no further once a predicate has passed the last
        // position it keeps (`[p][1]` asks `p` of no node after the first
        // it keeps, and raises no error there)
        if let Some(mut st) = Stages::new(&s.preds) {
            let start = out.len();
            self.staged(s, &mut st, n, &mut |_, c| {
                out.push(Item::Node(c));
                Ok(false)
            })?;
            if axis.is_reverse() {
                out[start..].reverse();
            }
            return Ok(());
        }
        let mut cand: Vec<XNode<'a>> = Vec::new();
        self.candidates(axis, test, n, &mut cand);
        let mut seq: Seq<'a> = cand.into_iter().map(Item::Node).collect();
        for p in &s.preds {
            seq = self.filter(seq, p)?;
        }
        if axis.is_reverse() {
            seq.reverse();
        }
        out.extend(seq);
        Ok(())
    }

    /// The nodes of an axis from `n` that pass a node test, in axis order,
    /// from the per-document indexes where one answers the test.
    fn candidates<E: Extend<XNode<'a>>>(&mut self, axis: Axis, test: &NodeTest, n: XNode<'a>, out: &mut E) {
        let doc = n.node.document();
        let numbered = n.attr == 0 && self.syms.numbers(doc);
        // named children of a numbered document from the packed children (4
        // bytes a child instead of a walk over the sibling links), unless
        // the element is wide and has a children index (asked only then)
        if let (Axis::Child, NodeTest::Name { sym, .. }) = (axis, test) {
            if numbered && *sym != NO_SYM {
                let narrow = self.index.kids_of(n.node).len() <= WIDE;
                if narrow || !self.index.wide_children.contains_key(&n.node.id().get()) {
                    let kids = self.index.kids_of(n.node);
                    out.extend(
                        self.syms
                            .named(n.node.id().get(), kids, *sym)
                            .filter_map(|c| element_at(doc, c)),
                    );
                    return;
                }
            }
        }
        match (axis, test) {
            // named descendants of a numbered document: the group of that name
            // number (all pass the test)
            (Axis::Descendant, NodeTest::Name { sym, .. }) if numbered && *sym != NO_SYM => {
                if let Some(ids) = self.syms.descendants(n.node, *sym) {
                    out.extend(ids.iter().filter_map(|id| doc.get_node(*id)).map(XNode::new));
                }
            }
            // else from the per-document index by local name
            (Axis::Descendant, NodeTest::Name { local: Some(l), .. }) if n.attr == 0 => {
                let ids = self.index.named_descendants(n.node, l).to_vec();
                let syms = &self.syms;
                out.extend(
                    ids.into_iter()
                        .filter_map(|id| doc.get_node(id))
                        .map(XNode::new)
                        .filter(|x| syms.test(test, *x, axis)),
                );
            }
            // named children of a wide element come from its children index
            (Axis::Child, NodeTest::Name { local: Some(l), .. })
                if n.attr == 0 && self.index.wide_children.contains_key(&n.node.id().get()) =>
            {
                let syms = &self.syms;
                if let Some(ids) = self
                    .index
                    .wide_children
                    .get(&n.node.id().get())
                    .and_then(|m| m.get(&**l))
                {
                    out.extend(
                        ids.iter()
                            .filter_map(|id| doc.get_node(*id))
                            .map(XNode::new)
                            .filter(|x| syms.test(test, *x, axis)),
                    );
                }
            }
            _ => self.axis_nodes(axis, n, &mut |x| {
                if self.syms.test(test, x, axis) {
                    out.extend(std::iter::once(x))
                }
            }),
        }
    }

    /// Pushes the nodes of an axis in axis order (reverse axes nearest first).
    fn axis_nodes(&self, axis: Axis, n: XNode<'a>, push: &mut dyn FnMut(XNode<'a>)) {
        let el = n.attr == 0;
        match axis {
            Axis::Child => {
                if el {
                    n.node.children().for_each(|c| push(XNode::new(c)))
                }
            }
            Axis::Descendant => {
                if el {
                    n.node.descendants().skip(1).for_each(|c| push(XNode::new(c)))
                }
            }
            Axis::DescendantOrSelf => {
                if el {
                    n.node.descendants().for_each(|c| push(XNode::new(c)))
                } else {
                    push(n)
                }
            }
            Axis::SelfAxis => push(n),
            Axis::Attribute => {
                if el && n.node.is_element() {
                    for i in 0..n.node.attributes().len() {
                        push(XNode {
                            node: n.node,
                            attr: i as u32 + 1,
                        });
                    }
                }
            }
            Axis::Parent => {
                if let Some(p) = n.parent() {
                    push(p)
                }
            }
            Axis::Ancestor | Axis::AncestorOrSelf => {
                if axis == Axis::AncestorOrSelf {
                    push(n);
                }
                let mut cur = n.parent();
                while let Some(p) = cur {
                    push(p);
                    cur = p.parent();
                }
            }
            Axis::FollowingSibling => {
                if el {
                    let mut c = n.node.next_sibling();
                    while let Some(x) = c {
                        push(XNode::new(x));
                        c = x.next_sibling();
                    }
                }
            }
            Axis::PrecedingSibling => {
                if el {
                    let mut c = n.node.prev_sibling();
                    while let Some(x) = c {
                        push(XNode::new(x));
                        c = x.prev_sibling();
                    }
                }
            }
            Axis::Following => {
                // every node after n in document order that is not a descendant
                let mut cur = Some(n.node);
                while let Some(c) = cur {
                    let mut s = c.next_sibling();
                    while let Some(x) = s {
                        x.descendants().for_each(|d| push(XNode::new(d)));
                        s = x.next_sibling();
                    }
                    cur = c.parent();
                }
                if !el {
                    // attribute: the owner's descendants follow it too
                    let mut v: Vec<_> = n.node.descendants().skip(1).collect();
                    v.sort_by_key(|x| x.id().get());
                    v.into_iter().for_each(|d| push(XNode::new(d)));
                }
            }
            Axis::Preceding => {
                let ancestors: Vec<_> = n.node.ancestors().map(|a| a.id()).collect();
                let mut all: Vec<_> = n
                    .node
                    .document()
                    .descendants()
                    .filter(|x| x.id().get() < n.node.id().get() && !ancestors.contains(&x.id()))
                    .collect();
                all.reverse();
                all.into_iter().for_each(|d| push(XNode::new(d)));
            }
        }
    }

    /// Applies one predicate. Items are in axis order; positions count in it.
    /// Whether predicate `p` keeps the focus item: a number compared with
    /// the position, anything else by its effective boolean value (for a
    /// path, whether it has a node, found lazily).
    fn keeps(&mut self, p: &'a Op, focus: &Focus<'a>) -> R<bool> {
        match p {
            Op::Step(_) => return self.exists(p, focus),
            // a truth test, never a number
            Op::Direct(..) => return self.ebv(p, focus),
            Op::Path(..) => {
                if let Some(b) = self.exists_lazily(p, focus) {
                    return b;
                }
            }
            _ => {}
        }
        let r = self.eval(p, focus)?;
        Ok(match r.as_slice() {
            [Item::Atomic(a)] if a.is_numeric() => a.as_f64() == focus.pos as f64,
            _ => ebv(&r)?,
        })
    }

    pub(crate) fn filter(&mut self, seq: Seq<'a>, p: &'a Op) -> R<Seq<'a>> {
        let size = seq.len();
        if let Op::Const(Const::Integer(k)) = p {
            let k = *k;
            return Ok(if k >= 1 && (k as usize) <= size {
                smallvec![seq[k as usize - 1].clone()]
            } else {
                Seq::new()
            });
        }
        let mut out = Seq::new();
        for (i, item) in seq.into_iter().enumerate() {
            let focus = Focus {
                item: Some(item),
                pos: i + 1,
                size,
            };
            if self.keeps(p, &focus)? {
                if let Some(it) = focus.item {
                    out.push(it);
                }
            }
        }
        Ok(out)
    }

    fn regex(&mut self, pat: &str, flags: &str) -> R<Rc<regex::Regex>> {
        let key = (pat.to_string(), flags.to_string());
        if let Some(r) = self.regexes.get(&key) {
            return Ok(r.clone());
        }
        let r = Rc::new(compile_regex(pat, flags)?);
        if self.regexes.len() < 256 {
            self.regexes.insert(key, r.clone());
        }
        Ok(r)
    }

    /// The effective boolean value of a function of one atomic value.
    fn call_ebv(&mut self, b: Builtin, args: &'a [Op], f: &Focus<'a>) -> R<bool> {
        Ok(ebv(&[Item::Atomic(self.call_atomic(b, args, f)?)])?)
    }

    /// The positions `substring()` and `subsequence()` keep, from
    /// `args[1]` up to (not including) `args[1] + args[2]`, both rounded,
    /// or to the end without `args[2]`.
    fn position_range(&mut self, args: &'a [Op], f: &Focus<'a>) -> R<(f64, f64)> {
        let start = round_double(self.double_arg(&args[1], f)?);
        let end = match args.get(2) {
            Some(l) => start + round_double(self.double_arg(l, f)?),
            None => f64::INFINITY,
        };
        Ok((start, end))
    }

    /// The builtins whose value is always one atomic value, computed
    /// without wrapping it in a sequence (see [`Builtin::single_atomic`]).
    fn call_atomic(&mut self, b: Builtin, args: &'a [Op], f: &Focus<'a>) -> R<Atomic<'a>> {
        use Builtin as B;
        match b {
            B::Not => Ok(Atomic::Boolean(!self.ebv(&args[0], f)?)),
            B::True => Ok(Atomic::Boolean(true)),
            B::False => Ok(Atomic::Boolean(false)),
            B::Boolean => Ok(Atomic::Boolean(self.ebv(&args[0], f)?)),
            B::Exists => Ok(Atomic::Boolean(self.exists(&args[0], f)?)),
            B::Empty => Ok(Atomic::Boolean(!self.exists(&args[0], f)?)),
            B::Count => Ok(Atomic::Integer(self.count(&args[0], f)? as i128)),
            B::Number => {
                let v = self.context_or_arg(args, f)?;
                match v.len() {
                    0 => Ok(Atomic::Double(f64::NAN)),
                    1 => Ok(Atomic::Double(atomize_item(&v[0]).to_number())),
                    _ => Err(type_err("number() of a sequence of more than one item")),
                }
            }
            B::String => {
                let v = self.context_or_arg(args, f)?;
                match v.len() {
                    0 => Ok(Atomic::String(Str::Borrowed(""))),
                    1 => Ok(Atomic::String(atomize_item(&v[0]).to_str())),
                    _ => Err(type_err("string() of a sequence of more than one item")),
                }
            }
            B::StringLength | B::NormalizeSpace => {
                let s = if args.is_empty() {
                    let v = self.context_or_arg(args, f)?;
                    atomize_item(&v[0]).to_str()
                } else {
                    self.string_arg(&args[0], f)?
                };
                if b == B::StringLength {
                    return Ok(Atomic::Integer(s.chars().count() as i128));
                }
                if is_normalized(&s) {
                    return Ok(Atomic::String(s));
                }
                let mut out = String::with_capacity(s.len());
                for w in s.split(is_xml_ws).filter(|w| !w.is_empty()) {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(w);
                }
                // (not normalized, so `out` differs from `s` even when it is
                // as long: a tab or newline between words becomes a space)
                Ok(Atomic::String(Str::from(out)))
            }
            B::UpperCase | B::LowerCase => {
                let s = self.string_arg(&args[0], f)?;
                let up = b == B::UpperCase;
                // ASCII text already in the case asked for is kept as it is
                if s.bytes().all(|c| {
                    c.is_ascii()
                        && if up {
                            !c.is_ascii_lowercase()
                        } else {
                            !c.is_ascii_uppercase()
                        }
                }) {
                    return Ok(Atomic::String(s));
                }
                // character by character, as the official processor maps
                // (no final-sigma rule: `lower-case('ΑΣ')` is `ασ`)
                Ok(Atomic::String(Str::from(if up {
                    s.to_uppercase()
                } else {
                    s.chars().flat_map(char::to_lowercase).collect::<String>()
                })))
            }
            B::Contains | B::StartsWith | B::EndsWith | B::SubstringBefore | B::SubstringAfter => {
                self.folded_strings(args, f)?;
                self.literal_collation(args.get(2), f)?;
                let s = self.string_arg(&args[0], f)?;
                let t = self.string_arg(&args[1], f)?;
                self.computed_collation(args.get(2), f)?;
                Ok(match b {
                    B::Contains => Atomic::Boolean(s.contains(&*t)),
                    B::StartsWith => Atomic::Boolean(s.starts_with(&*t)),
                    B::EndsWith => Atomic::Boolean(s.ends_with(&*t)),
                    B::SubstringBefore => {
                        Atomic::String(Str::from(s.find(&*t).map(|i| s[..i].to_string()).unwrap_or_default()))
                    }
                    _ => match s.find(&*t) {
                        Some(i) => Atomic::String(Str::from(s[i + t.len()..].to_string())),
                        None => Atomic::String(Str::Borrowed("")),
                    },
                })
            }
            B::Substring => {
                let s = self.string_arg(&args[0], f)?;
                let (start, end) = self.position_range(args, f)?;
                let out: String = s
                    .chars()
                    .enumerate()
                    .filter(|(i, _)| {
                        let p = (*i + 1) as f64;
                        p >= start && p < end
                    })
                    .map(|(_, c)| c)
                    .collect();
                Ok(Atomic::String(Str::from(out)))
            }
            B::Concat => {
                let mut out = String::new();
                for a in args {
                    if let Some(x) = self.opt_atomic(a, f)? {
                        out.push_str(&x.to_str());
                    }
                }
                Ok(Atomic::String(Str::from(out)))
            }
            B::Translate => {
                let s = self.string_arg(&args[0], f)?;
                let from: Vec<char> = self.required_string_arg(&args[1], f)?.chars().collect();
                let to: Vec<char> = self.required_string_arg(&args[2], f)?.chars().collect();
                let out: String = s
                    .chars()
                    .filter_map(|c| match from.iter().position(|x| *x == c) {
                        Some(i) => to.get(i).copied(),
                        None => Some(c),
                    })
                    .collect();
                Ok(Atomic::String(Str::from(out)))
            }
            B::LocalName | B::Name | B::NamespaceUri => {
                let v = self.context_or_arg(args, f)?;
                let n = match v.as_slice() {
                    [] => return Ok(Atomic::String(Str::from(String::new()))),
                    [Item::Node(n)] => *n,
                    [Item::Atomic(_)] => return Err(type_err(format!("{b:?}() of an atomic value"))),
                    _ => return Err(type_err(format!("{b:?}() of more than one node"))),
                };
                let s: Str<'a> = match b {
                    B::LocalName => Str::Borrowed(n.expanded_name().map(|(_, l)| l).unwrap_or("")),
                    B::Name => self.lexical_name(&n).text(),
                    _ => Str::Borrowed(n.expanded_name().and_then(|(ns, _)| ns).unwrap_or("")),
                };
                Ok(Atomic::String(s))
            }
            _ => Err(dyn_err(
                ErrorCode::XPST0017,
                format!("{b:?} is not a function of one atomic value"),
            )),
        }
    }

    fn call(&mut self, b: Builtin, args: &'a [Op], f: &Focus<'a>) -> R<Seq<'a>> {
        use Builtin as B;
        match b {
            B::Sum | B::Avg => {
                let v = self.atomized(&args[0], f)?;
                if v.is_empty() {
                    if b == B::Avg {
                        return Ok(Seq::new());
                    }
                    return match args.get(1) {
                        Some(z) => self.eval(z, f),
                        None => Ok(atom(Atomic::Integer(0))),
                    };
                }
                let n = v.len();
                let total = sum_total(v)?;
                if b == B::Avg {
                    return Ok(atom(arith(ArithOp::Div, &total, &Atomic::Integer(n as i128))?));
                }
                Ok(atom(total))
            }
            B::Min | B::Max => {
                self.literal_collation(args.get(1), f)?;
                let v = self.atomized(&args[0], f)?;
                self.computed_collation(args.get(1), f)?;
                let mut best: Option<Atomic<'a>> = None;
                // numbers of mixed types are promoted to a common one: a
                // double among them (an untyped value is one) makes the
                // result a double; an integer among decimals stays an integer
                let mut doubles = false;
                for x in v {
                    let x = match x {
                        Atomic::Untyped(_) => x.cast(AtomicType::Double)?,
                        x => x,
                    };
                    doubles |= matches!(x, Atomic::Double(_));
                    // NaN anywhere makes the result NaN; the official
                    // processor returns it without comparing the rest
                    if matches!(x, Atomic::Double(d) if d.is_nan()) {
                        return Ok(atom(x));
                    }
                    best = Some(match best {
                        None => x,
                        Some(cur) => {
                            // values that do not compare make the argument invalid
                            let better = compare_atomic(if b == B::Min { CmpOp::Lt } else { CmpOp::Gt }, &x, &cur)
                                .map_err(|mut e| {
                                    if e.code == ErrorCode::XPTY0004 {
                                        e.code = ErrorCode::FORG0006;
                                    }
                                    e
                                })?;
                            if better {
                                x
                            } else {
                                cur
                            }
                        }
                    });
                }
                Ok(match best {
                    Some(x @ (Atomic::Integer(_) | Atomic::Decimal(_) | Atomic::BigDecimal(_))) if doubles => {
                        atom(x.cast(AtomicType::Double)?)
                    }
                    Some(x) => atom(x),
                    None => Seq::new(),
                })
            }
            B::Abs | B::Round | B::Floor | B::Ceiling => Ok(self.rounded(b, args, f)?.map(atom).unwrap_or_default()),
            B::Data => Ok(self.atomized(&args[0], f)?.into_iter().map(Item::Atomic).collect()),
            B::StringJoin => {
                let parts = self.atomized(&args[0], f)?;
                let sep = self.required_string_arg(&args[1], f)?;
                let mut out = String::new();
                // the official processor joins any atomic values (XPath 3.1's
                // signature), not only strings
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&sep);
                    }
                    out.push_str(&p.to_str());
                }
                Ok(str_item(out))
            }
            B::Matches | B::Replace | B::Tokenize => {
                let s = self.string_arg(&args[0], f)?;
                let pat = self.required_string_arg(&args[1], f)?;
                let flag_idx = if b == B::Replace { 3 } else { 2 };
                let flags = match args.get(flag_idx) {
                    Some(x) => self.required_string_arg(x, f)?.to_string(),
                    None => String::new(),
                };
                let re = self.regex(&pat, &flags)?;
                match b {
                    B::Matches => Ok(one(re.is_match(&s))),
                    B::Replace => {
                        let rep = self.required_string_arg(&args[2], f)?;
                        if re.is_match("") {
                            return Err(matches_empty());
                        }
                        // with the `q` flag the replacement is literal text too
                        if flags.contains('q') {
                            return Ok(str_item(re.replace_all(&s, regex::NoExpand(&rep)).into_owned()));
                        }
                        let rep = replacement(&rep, re.captures_len().saturating_sub(1))?;
                        Ok(str_item(re.replace_all(&s, rep.as_str()).into_owned()))
                    }
                    _ => {
                        if s.is_empty() {
                            return Ok(Seq::new());
                        }
                        if re.is_match("") {
                            return Err(matches_empty());
                        }
                        Ok(re
                            .split(&s)
                            .map(|p| Item::Atomic(Atomic::String(Str::from(p.to_string()))))
                            .collect())
                    }
                }
            }
            B::StringToCodepoints => {
                let s = self.string_arg(&args[0], f)?;
                Ok(s.chars()
                    .map(|c| Item::Atomic(Atomic::Integer(i128::from(u32::from(c)))))
                    .collect())
            }
            B::CodepointsToString => {
                let v = self.atomized(&args[0], f)?;
                let mut out = String::new();
                for x in v {
                    let i = match x {
                        Atomic::Integer(i) => i,
                        Atomic::Untyped(_) => match x.cast(AtomicType::Integer)? {
                            Atomic::Integer(i) => i,
                            _ => 0,
                        },
                        other => return Err(type_err(format!("codepoint of type {}", other.type_of().name()))),
                    };
                    let c = u32::try_from(i)
                        .ok()
                        .and_then(char::from_u32)
                        .filter(|c| pintae_model::non_xml_char(c.encode_utf8(&mut [0; 4])).is_none())
                        .ok_or_else(|| {
                            XPathError::dynamic(ErrorCode::FOCH0001, format!("{i} is not a valid XML character"))
                        })?;
                    out.push(c);
                }
                Ok(str_item(out))
            }
            B::Reverse => {
                let mut v = self.eval(&args[0], f)?;
                v.reverse();
                Ok(v)
            }
            B::DistinctValues => {
                self.literal_collation(args.get(1), f)?;
                let v = self.atomized(&args[0], f)?;
                self.computed_collation(args.get(1), f)?;
                let mut out: Vec<Atomic<'a>> = Vec::new();
                for x in v {
                    let x = match x {
                        Atomic::Untyped(s) => Atomic::String(s),
                        x => x,
                    };
                    let dup = out.iter().any(|y| same_value(&x, y));
                    if !dup {
                        out.push(x);
                    }
                }
                Ok(out.into_iter().map(Item::Atomic).collect())
            }
            B::Position => Ok(atom(Atomic::Integer(f.pos as i128))),
            B::Last => Ok(atom(Atomic::Integer(f.size as i128))),
            B::Root => {
                let v = self.context_or_arg(args, f)?;
                match v.as_slice() {
                    [] => Ok(Seq::new()),
                    [Item::Node(n)] => Ok(smallvec![Item::Node(XNode::new(n.node.document().root()))]),
                    _ => Err(type_err("root() takes one node")),
                }
            }
            B::ExactlyOne | B::ZeroOrOne | B::OneOrMore => {
                let v = self.eval(&args[0], f)?;
                let ok = match b {
                    B::ExactlyOne => v.len() == 1,
                    B::ZeroOrOne => v.len() <= 1,
                    _ => !v.is_empty(),
                };
                if ok {
                    Ok(v)
                } else {
                    let code = match b {
                        B::ExactlyOne => ErrorCode::FORG0005,
                        B::ZeroOrOne => ErrorCode::FORG0003,
                        _ => ErrorCode::FORG0004,
                    };
                    Err(dyn_err(code, format!("{b:?}: wrong number of items ({})", v.len())))
                }
            }
            B::Subsequence => {
                let v = self.eval(&args[0], f)?;
                let (start, end) = self.position_range(args, f)?;
                Ok(v.into_iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let p = (*i + 1) as f64;
                        p >= start && p < end
                    })
                    .map(|(_, x)| x)
                    .collect())
            }
            B::IndexOf => {
                self.literal_collation(args.get(2), f)?;
                let v = self.atomized(&args[0], f)?;
                let Some(t) = self.opt_atomic(&args[1], f)? else {
                    return Err(type_err("index-of needs a search value"));
                };
                self.computed_collation(args.get(2), f)?;
                let norm = |a: Atomic<'a>| {
                    if let Atomic::Untyped(s) = a {
                        Atomic::String(s)
                    } else {
                        a
                    }
                };
                let t = norm(t);
                let mut out = Seq::new();
                for (i, x) in v.into_iter().enumerate() {
                    if compare_atomic(CmpOp::Eq, &norm(x), &t).unwrap_or(false) {
                        out.push(Item::Atomic(Atomic::Integer(i as i128 + 1)));
                    }
                }
                Ok(out)
            }
            B::InsertBefore => {
                let mut v = self.eval(&args[0], f)?;
                // the official processor keeps the low 32 bits of a position
                let pos = i128::from(self.integer_arg(&args[1], f)? as i32);
                let ins = self.eval(&args[2], f)?;
                let at = usize::try_from(pos.max(1) - 1).unwrap_or(usize::MAX).min(v.len());
                v.insert_many(at, ins);
                Ok(v)
            }
            B::Remove => {
                let mut v = self.eval(&args[0], f)?;
                // the low 32 bits, as for insert-before
                let i = self.integer_arg(&args[1], f)? as i32;
                if let Some(at) = usize::try_from(i).ok().filter(|i| (1..=v.len()).contains(i)) {
                    v.remove(at - 1);
                }
                Ok(v)
            }
            B::RoundHalfToEven => {
                // a literal precision's error is found when the official
                // processor compiles the call, before the value's; any other
                // precision is evaluated after the value, and not at all
                // when the value is empty
                let literal = args
                    .get(1)
                    .is_some_and(|p| matches!(p, Op::Const(_) | Op::Empty | Op::Seq(_)));
                let precision = match args.get(1) {
                    Some(p) if literal => Some(self.integer_arg(p, f)?),
                    _ => None,
                };
                let Some(x) = self.opt_numeric(&args[0], f)? else {
                    return Ok(Seq::new());
                };
                let precision = match (precision, args.get(1)) {
                    (Some(p), _) => p,
                    (None, Some(p)) => self.integer_arg(p, f)?,
                    (None, None) => 0,
                };
                Ok(atom(round_half_to_even(x, precision)?))
            }
            B::Compare | B::CodepointEqual => {
                self.folded_strings(args, f)?;
                self.literal_collation(args.get(2), f)?;
                let x = self.opt_string(&args[0], f)?;
                let y = self.opt_string(&args[1], f)?;
                self.computed_collation(args.get(2), f)?;
                let (Some(x), Some(y)) = (x, y) else {
                    return Ok(Seq::new());
                };
                Ok(atom(if b == B::Compare {
                    Atomic::Integer(match x.cmp(&y) {
                        std::cmp::Ordering::Less => -1,
                        std::cmp::Ordering::Equal => 0,
                        std::cmp::Ordering::Greater => 1,
                    })
                } else {
                    Atomic::Boolean(*x == *y)
                }))
            }
            B::YearFromDate | B::MonthFromDate | B::DayFromDate => {
                let Some(Atomic::Date(d)) = self.of_type(&args[0], f, AtomicType::Date)? else {
                    return Ok(Seq::new());
                };
                Ok(atom(Atomic::Integer(match b {
                    B::YearFromDate => i128::from(d.year),
                    B::MonthFromDate => i128::from(d.month),
                    _ => i128::from(d.day),
                })))
            }
            B::EncodeForUri | B::IriToUri | B::EscapeHtmlUri => {
                let s = self.string_arg(&args[0], f)?;
                Ok(str_item(percent_encode(&s, b)))
            }
            B::Unordered => self.eval(&args[0], f),
            B::HoursFromTime | B::MinutesFromTime | B::SecondsFromTime => {
                let Some(Atomic::Time(t)) = self.of_type(&args[0], f, AtomicType::Time)? else {
                    return Ok(Seq::new());
                };
                const SECOND: i64 = 1_000_000_000;
                Ok(atom(match b {
                    B::HoursFromTime => Atomic::Integer(i128::from(t.nanos / (3600 * SECOND))),
                    B::MinutesFromTime => Atomic::Integer(i128::from(t.nanos / (60 * SECOND) % 60)),
                    // xs:decimal seconds, the fraction exact to the nanosecond
                    _ => Atomic::Decimal(Decimal::new(t.nanos % (60 * SECOND), 9).normalize()),
                }))
            }
            B::Trace => {
                // the value passes through; the label is not written anywhere
                let v = self.eval(&args[0], f)?;
                self.required_string_arg(&args[1], f)?;
                Ok(v)
            }
            B::DefaultCollation => Ok(atom(Atomic::String(Str::Borrowed(CODEPOINT_COLLATION)))),
            B::Error => Err(dyn_err(ErrorCode::FOER0000, "error() called")),
            B::DeepEqual => {
                let x = self.eval(&args[0], f)?;
                let y = self.eval(&args[1], f)?;
                // (the official processor takes an empty collation here as
                // the default one)
                if let Some(c) = args.get(2) {
                    if let Some(uri) = self.opt_string(c, f)? {
                        known_collation(&uri)?;
                    }
                }
                Ok(one(
                    x.len() == y.len() && x.iter().zip(&y).all(|(a, b)| deep_equal(a, b))
                ))
            }
            // the functions of one atomic value (`Builtin::single_atomic`)
            _ => Ok(atom(self.call_atomic(b, args, f)?)),
        }
    }

    /// An `xs:integer` argument: an untyped value is cast to one, anything
    /// else but an integer (the empty sequence too) is a type error.
    fn integer_arg(&mut self, op: &'a Op, f: &Focus<'a>) -> R<i128> {
        match self.of_type(op, f, AtomicType::Integer)? {
            Some(Atomic::Integer(i)) => Ok(i),
            _ => Err(type_err("empty sequence where an integer is required")),
        }
    }

    /// An argument of one optional value of type `t` (`xs:date?`,
    /// `xs:time?`, `xs:integer`): an untyped value is cast to `t`, a value
    /// of another type is a type error.
    fn of_type(&mut self, op: &'a Op, f: &Focus<'a>, t: AtomicType) -> R<Option<Atomic<'a>>> {
        self.converted(op, f, |a| match a {
            Atomic::Untyped(_) => Ok(a.cast(t)?),
            a if a.type_of() == t => Ok(a.clone()),
            a => Err(type_err(format!("expected {}, got {}", t.name(), a.type_of().name()))),
        })
    }

    /// A collation given as a literal, checked before the other arguments
    /// (the official processor checks it when it compiles the call); see
    /// [`Self::computed_collation`].
    fn literal_collation(&mut self, op: Option<&'a Op>, f: &Focus<'a>) -> R<()> {
        match op {
            Some(c @ Op::Const(_)) => self.collation(c, f),
            _ => Ok(()),
        }
    }

    /// The official processor folds a constant string argument (`1`,
    /// `(1, 2)`, `1 to 1`, `true()`) when it compiles a call and refuses a
    /// value that cannot be one string (`XPTY0004`) before anything else of
    /// the call, a literal collation included. Checked only where a
    /// collation is given (no rule passes one; elsewhere the argument's own
    /// error is the same). A constant whose evaluation errs is left to run
    /// time, as it leaves it.
    fn folded_strings(&mut self, args: &'a [Op], f: &Focus<'a>) -> R<()> {
        if args.len() < 3 {
            return Ok(());
        }
        for a in &args[..2] {
            if !crate::xpath::compile::constant(a) {
                continue;
            }
            let Ok(v) = self.eval(a, f) else { continue };
            let one_string = v.len() <= 1
                && v.iter()
                    .all(|i| matches!(i, Item::Atomic(Atomic::String(_) | Atomic::Untyped(_))));
            if !one_string {
                return Err(type_err("an argument that is never one string"));
            }
        }
        Ok(())
    }

    /// A collation computed from the document or variables, checked after
    /// the other arguments; see [`Self::literal_collation`].
    fn computed_collation(&mut self, op: Option<&'a Op>, f: &Focus<'a>) -> R<()> {
        match op {
            Some(Op::Const(_)) | None => Ok(()),
            Some(c) => self.collation(c, f),
        }
    }

    /// A collation argument: only the Unicode codepoint collation is known.
    fn collation(&mut self, op: &'a Op, f: &Focus<'a>) -> R<()> {
        known_collation(&self.required_string_arg(op, f)?)
    }

    fn user_call(&mut self, idx: usize, args: &'a [Op], f: &Focus<'a>) -> R<Seq<'a>> {
        let lib = self.st.lib;
        let func = lib
            .functions
            .get(idx)
            .ok_or_else(|| XPathError::dynamic(ErrorCode::XPST0017, "unknown user function"))?;
        if self.depth >= MAX_CALL_DEPTH {
            return Err(dyn_err(ErrorCode::LIMIT, format!("{}: recursion too deep", func.name)));
        }
        let mut frame: Vec<Seq<'a>> = Vec::with_capacity(func.slots.max(args.len()));
        for (a, t) in args.iter().zip(&func.params) {
            let v = self.eval(a, f)?;
            frame.push(match t {
                Some(t) => convert(v, t, &func.name)?,
                None => v,
            });
        }
        let saved = std::mem::replace(&mut self.st.vars, frame);
        self.depth += 1;
        let r = self.run_body(func, f);
        self.depth -= 1;
        self.st.vars = saved;
        let out = r?;
        match &func.ret {
            Some(t) => convert(out, t, &func.name),
            None => Ok(out),
        }
    }

    fn run_body(&mut self, func: &'a UserFn, f: &Focus<'a>) -> R<Seq<'a>> {
        let mut out = Seq::new();
        for stmt in &func.body {
            match stmt {
                BodyOp::Variable(slot, VarValue::Select(op)) => {
                    let v = self.eval(op, f)?;
                    self.set_var(*slot, v);
                }
                BodyOp::Variable(slot, VarValue::Text(t)) => {
                    self.set_var(*slot, atom(Atomic::Untyped(Str::Borrowed(t))));
                }
                BodyOp::ValueOf(op) => {
                    let v = self.atomized(op, f)?;
                    let mut s = String::new();
                    for (i, x) in v.iter().enumerate() {
                        if i > 0 {
                            s.push(' ');
                        }
                        s.push_str(&x.to_str());
                    }
                    out.push(Item::Atomic(Atomic::Untyped(Str::from(s))));
                }
                BodyOp::Sequence(op) => out.extend(self.eval(op, f)?),
            }
        }
        Ok(out)
    }
}

/// The default (and only) collation: strings compared by codepoint.
const CODEPOINT_COLLATION: &str = "http://www.w3.org/2005/xpath-functions/collation/codepoint";

/// Refuses a collation URI other than [`CODEPOINT_COLLATION`].
fn known_collation(uri: &str) -> R<()> {
    if uri == CODEPOINT_COLLATION {
        Ok(())
    } else {
        Err(dyn_err(ErrorCode::FOCH0002, format!("unsupported collation {uri}")))
    }
}

/// `round-half-to-even(x, precision)` of a number. Integers and decimals
/// are rounded exactly; a double is rounded at its exact binary value (as
/// the official processor does: `2.675e0` is a little below 2.675, so it
/// rounds to 2.67) and a zero result keeps the sign of a negative input.
fn round_half_to_even(x: Atomic<'_>, precision: i128) -> Result<Atomic<'_>, XPathError> {
    use crate::xpath::bigdec::BigDec;
    // past these the result no longer changes (every value has fewer digits)
    let p = i64::try_from(precision.clamp(-100_000, 100_000)).unwrap_or(0);
    Ok(match x {
        Atomic::Integer(i) if p >= 0 => Atomic::Integer(i),
        Atomic::Integer(i) => Atomic::Integer(
            BigDec::from_i128(i)
                .round_half_even(p)
                .trunc_i128()
                .ok_or_else(|| XPathError::dynamic(ErrorCode::FOAR0002, "integer overflow"))?,
        ),
        Atomic::Decimal(d) => {
            let r = crate::xpath::value::big(BigDec::from_decimal(&d).round_half_even(p));
            // as `round`: only a whole decimal rounded to a place at or
            // after its point is given back as it is
            match r {
                Atomic::Decimal(r) if d.scale() > 0 || p < 0 => Atomic::Decimal(crate::xpath::value::as_big_decimal(r)),
                r => r,
            }
        }
        Atomic::BigDecimal(d) => match crate::xpath::value::big(d.round_half_even(p)) {
            Atomic::Decimal(r) => Atomic::Decimal(crate::xpath::value::as_big_decimal(r)),
            r => r,
        },
        other => {
            let d = other.as_f64();
            let r = match BigDec::from_f64_exact(d) {
                Some(b) if d != 0.0 => b.round_half_even(p).to_f64(),
                // NaN, the infinities and zeros are their own rounding
                _ => d,
            };
            Atomic::Double(if r == 0.0 && d < 0.0 { -0.0 } else { r })
        }
    })
}

/// `encode-for-uri`, `iri-to-uri` or `escape-html-uri` (by `b`): the
/// characters each leaves as they are, the others as `%XX` per UTF-8 byte.
fn percent_encode(s: &str, b: Builtin) -> String {
    let keep = |c: char| match b {
        Builtin::EncodeForUri => c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'),
        Builtin::IriToUri => {
            matches!(c, '!'..='~') && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        }
        _ => matches!(c, ' '..='~'),
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// `deep-equal` of two items: atomic values equal by `eq` (an untyped
/// value as a string, NaN equal to NaN, values that do not compare
/// unequal), nodes by kind, name, attributes, value and children.
fn deep_equal<'a>(a: &Item<'a>, b: &Item<'a>) -> bool {
    match (a, b) {
        (Item::Atomic(x), Item::Atomic(y)) => atomic_deep_equal(x, y),
        (Item::Node(x), Item::Node(y)) => node_deep_equal(x, y),
        _ => false,
    }
}

fn atomic_deep_equal<'a>(x: &Atomic<'a>, y: &Atomic<'a>) -> bool {
    let as_string = |a: &Atomic<'a>| match a {
        Atomic::Untyped(s) => Atomic::String(s.clone()),
        a => a.clone(),
    };
    same_value(&as_string(x), &as_string(y))
}

/// Whether two atomic values are the same value, as `distinct-values` and
/// `deep-equal` compare them: by `eq`, NaN equal to NaN, values that do
/// not compare different.
fn same_value(x: &Atomic<'_>, y: &Atomic<'_>) -> bool {
    let both_nan = matches!((x, y), (Atomic::Double(a), Atomic::Double(b)) if a.is_nan() && b.is_nan());
    both_nan || compare_atomic(CmpOp::Eq, x, y).unwrap_or(false)
}

fn node_deep_equal(x: &XNode<'_>, y: &XNode<'_>) -> bool {
    use roxmltree::NodeType;
    let same_attribute = |a: roxmltree::Attribute<'_, '_>, b: roxmltree::Attribute<'_, '_>| {
        a.namespace() == b.namespace() && a.name() == b.name() && a.value() == b.value()
    };
    match (x.attribute(), y.attribute()) {
        (Some(a), Some(b)) => return same_attribute(a, b),
        (None, None) => {}
        _ => return false,
    }
    let (m, n) = (x.node, y.node);
    if m.node_type() != n.node_type() {
        return false;
    }
    // comments and processing instructions are not compared as children
    fn children<'x>(p: roxmltree::Node<'x, 'x>) -> Vec<roxmltree::Node<'x, 'x>> {
        p.children()
            .filter(|c| !matches!(c.node_type(), roxmltree::NodeType::Comment | roxmltree::NodeType::PI))
            .collect()
    }
    let same_children = || {
        let (a, b) = (children(m), children(n));
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(p, q)| node_deep_equal(&XNode::new(*p), &XNode::new(*q)))
    };
    match m.node_type() {
        NodeType::Root => same_children(),
        NodeType::Element => {
            let attrs = |e: roxmltree::Node<'_, '_>| e.attributes().len();
            m.tag_name() == n.tag_name()
                && attrs(m) == attrs(n)
                && m.attributes().all(|a| n.attributes().any(|b| same_attribute(a, b)))
                && same_children()
        }
        NodeType::PI => m.pi() == n.pi(),
        NodeType::Text | NodeType::Comment => m.text() == n.text(),
    }
}

/// One pair of a general comparison's atomized operands.
#[inline]
fn compare_pair(op: CmpOp, x: &Atomic, y: &Atomic, single: bool) -> Result<bool, XPathError> {
    match untyped_numeric(op, x, y, single) {
        Some(r) => r,
        None => general_pair(op, x, y),
    }
}

/// The official processor's comparison of an untyped value with a number
/// (observed on Saxon, which the official validators run): the untyped value
/// becomes a double as XPath says, but
/// - when either operand is statically a single item, the two doubles are
///   ordered by Java's `Double.compare`: NaN above every number and equal to
///   itself, -0 below +0;
/// - otherwise ordering is IEEE, and equality still tells -0 from +0;
/// - against an `xs:integer`, an untyped value written as an integer that a
///   64-bit integer holds is read as that integer first, so `-0` is +0
///   there (`'-0' >= 0` is true, while `'-0.0' >= 0` and `'-0' >= 0.0` are
///   false).
///
/// Returns `None` when the pair is not untyped-vs-numeric.
fn untyped_numeric(op: CmpOp, x: &Atomic, y: &Atomic, single: bool) -> Option<Result<bool, XPathError>> {
    let as_double = |a: &Atomic, other: &Atomic| {
        if let (Atomic::Untyped(s), Atomic::Integer(_)) = (a, other) {
            if let Some(i) = integer_literal(s) {
                return Ok(i as f64);
            }
        }
        a.cast(AtomicType::Double).map(|d| d.as_f64())
    };
    let (a, b) = match (x, y) {
        (Atomic::Untyped(_), n) if n.is_numeric() => match as_double(x, n) {
            Ok(d) => (d, n.as_f64()),
            Err(e) => return Some(Err(e)),
        },
        (n, Atomic::Untyped(_)) if n.is_numeric() => match as_double(y, n) {
            Ok(d) => (n.as_f64(), d),
            Err(e) => return Some(Err(e)),
        },
        _ => return None,
    };
    let java = a.total_cmp(&b);
    let equal_with_sign = a == b && a.is_sign_negative() == b.is_sign_negative();
    Some(Ok(match (single, op) {
        (true, CmpOp::Eq) => java == Ordering::Equal,
        (true, CmpOp::Ne) => java != Ordering::Equal,
        (true, CmpOp::Lt) => java == Ordering::Less,
        (true, CmpOp::Le) => java != Ordering::Greater,
        (true, CmpOp::Gt) => java == Ordering::Greater,
        (true, CmpOp::Ge) => java != Ordering::Less,
        (false, CmpOp::Eq) => equal_with_sign,
        (false, CmpOp::Ne) => !equal_with_sign,
        (false, CmpOp::Lt) => a < b,
        (false, CmpOp::Le) => a <= b,
        (false, CmpOp::Gt) => a > b,
        (false, CmpOp::Ge) => a >= b,
    }))
}

/// An untyped value written as an integer (optional sign, digits, XML
/// whitespace around) that fits 64 bits.
fn integer_literal(s: &str) -> Option<i64> {
    crate::xpath::value::parse_integer(s)
        .ok()
        .and_then(|i| i64::try_from(i).ok())
}

fn instance_of(v: &[Item], t: &SeqType) -> bool {
    let card_ok = occurrence_ok(t.occ, v.len());
    card_ok
        && v.iter().all(|i| match (i, t.item) {
            // a kind test: a node of that kind (on no axis in particular)
            (Item::Node(n), None) => match &t.kind {
                None => true,
                Some(k) => node_matches(k, *n, Axis::Child),
            },
            (Item::Atomic(_), None) => t.kind.is_none(),
            (Item::Node(_), Some(_)) => false,
            (Item::Atomic(a), Some(at)) => {
                at == AtomicType::Any
                    || a.type_of() == at
                    || (at == AtomicType::Decimal && a.type_of() == AtomicType::Integer)
            }
        })
}

/// Whether `n` items satisfy an occurrence indicator (`' '` exactly one,
/// `'?'`, `'*'`, `'+'`, `'0'` none).
fn occurrence_ok(occ: char, n: usize) -> bool {
    match occ {
        '0' => n == 0,
        '?' => n <= 1,
        '*' => true,
        '+' => n >= 1,
        _ => n == 1,
    }
}

/// XSLT function conversion rules: atomize, cast untyped, promote numerics,
/// check cardinality.
pub fn convert<'a>(v: Seq<'a>, t: &SeqType, fname: &str) -> R<Seq<'a>> {
    let Some(want) = t.item else {
        // item() or a kind test: the values as they are, if they match
        if !instance_of(&v, t) {
            return Err(dyn_err(
                ErrorCode::XTTE0790,
                format!("{fname}: the value does not match the declared type"),
            ));
        }
        return Ok(v);
    };
    let mut out = Seq::with_capacity(v.len());
    for item in &v {
        let a = atomize_item(item);
        let a = match (&a, want) {
            (_, AtomicType::Any) => a,
            (Atomic::Untyped(_), _) => a.cast(want)?,
            (Atomic::Integer(_), AtomicType::Decimal) => a,
            (x, AtomicType::Double) if x.is_numeric() => Atomic::Double(x.as_f64()),
            (x, w) if x.type_of() == w => a,
            (x, w) => {
                return Err(dyn_err(
                    ErrorCode::XTTE0790,
                    format!(
                        "{fname}: a value of type {} where {} is required",
                        x.type_of().name(),
                        w.name()
                    ),
                ))
            }
        };
        out.push(Item::Atomic(a));
    }
    let ok = occurrence_ok(t.occ, out.len());
    if !ok {
        return Err(dyn_err(
            ErrorCode::XTTE0790,
            format!("{fname}: expected {}{}, got {} items", want.name(), t.occ, out.len()),
        ));
    }
    Ok(out)
}

/// `replace` and `tokenize` refuse a pattern that matches the empty string.
fn matches_empty() -> Box<XPathError> {
    dyn_err(ErrorCode::FORX0003, "the pattern matches the empty string")
}

/// Translates an XPath replacement string (`$1`, `\$`, `\\`) to the regex
/// crate's syntax (`${1}`, `$$`), for a pattern with `groups` capturing
/// groups.
fn replacement(rep: &str, groups: usize) -> R<String> {
    let mut out = String::with_capacity(rep.len());
    let mut it = rep.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some('$') => out.push_str("$$"),
                Some('\\') => out.push('\\'),
                _ => return Err(dyn_err(ErrorCode::FORX0004, "invalid replacement string")),
            },
            '$' => {
                // the first digit, then more while they name a group
                // (`$10` with one group is group 1 and a 0)
                let Some(first) = it.next().and_then(|d| d.to_digit(10)) else {
                    return Err(dyn_err(ErrorCode::FORX0004, "invalid replacement string"));
                };
                let mut n = first as usize;
                while let Some(d) = it.peek().and_then(|d| d.to_digit(10)) {
                    match n.checked_mul(10).and_then(|m| m.checked_add(d as usize)) {
                        Some(m) if m <= groups => {
                            n = m;
                            it.next();
                        }
                        _ => break,
                    }
                }
                out.push_str(&format!("${{{n}}}"));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The items a variable of `for`, `some` or `every` takes in turn (see
/// [`Evaluator::binding_items`]), without a boxed iterator per evaluation.
enum Bindings<'a> {
    /// The integers of a range, made one at a time.
    Range(std::ops::RangeInclusive<i128>),
    /// The items of an evaluated sequence.
    Items(smallvec::IntoIter<[Item<'a>; 1]>),
}

impl<'a> Iterator for Bindings<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        match self {
            Bindings::Range(r) => r.next().map(|i| Item::Atomic(Atomic::Integer(i))),
            Bindings::Items(items) => items.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lexical;

    /// Elements are numbered by namespace URI, however many declarations
    /// (each a string of its own in the parsed document) give it: more
    /// than the per-document cache of namespace strings holds, too.
    #[test]
    fn elements_are_numbered_whatever_their_namespace_declarations() {
        let mut sc = super::super::StaticContext::new();
        sc.namespaces.insert("t".into(), "urn:t".into());
        let parsed = super::super::parser::parse("t:x").expect("parses");
        super::super::compile::Compiler::new(&sc)
            .compile(&parsed)
            .expect("compiles");
        let sym = super::super::compile::names().lookup(Some("urn:t"), "x");
        assert_ne!(sym, super::NO_SYM);
        let mut text = String::from("<r>");
        for i in 0..12 {
            let ns = if i % 5 == 3 {
                "urn:t".to_string()
            } else {
                format!("urn:o{i}")
            };
            text.push_str(&format!("<x xmlns=\"{ns}\"/>"));
        }
        text.push_str("</r>");
        let doc = roxmltree::Document::parse(&text).expect("well-formed");
        let (syms, _, _) = super::Syms::number(&super::super::compile::names(), &doc);
        let numbered: Vec<bool> = doc
            .root_element()
            .children()
            .map(|c| syms.of_id(c.id().get()) == sym)
            .collect();
        let expected: Vec<bool> = (0..12).map(|i| i % 5 == 3).collect();
        assert_eq!(numbered, expected);
    }

    /// The piecewise tests on a name's two parts agree with the same tests
    /// on the joined name, for every piece of it and some that are not.
    #[test]
    fn lexical_names_compare_like_the_joined_string() {
        for q in ["cbc:ID", "ID", "a:b", "x", "cac:InvoiceLine"] {
            let l = Lexical::parse(q);
            let joined = l.to_string();
            assert_eq!(joined, q);
            let mut needles: Vec<String> = ["", ":", "::", "zz", "cbc:IDx", "xcbc:ID", "c:I"]
                .map(String::from)
                .to_vec();
            for i in 0..=q.len() {
                for j in i..=q.len() {
                    needles.push(q[i..j].to_string());
                }
            }
            for c in &needles {
                assert_eq!(l.is(c), joined == *c, "{q} = {c}");
                assert_eq!(l.starts_with(c), joined.starts_with(c.as_str()), "{q} starts with {c}");
                assert_eq!(l.ends_with(c), joined.ends_with(c.as_str()), "{q} ends with {c}");
                assert_eq!(l.contains(c), joined.contains(c.as_str()), "{q} contains {c}");
            }
        }
    }
}
