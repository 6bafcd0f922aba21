//! AST → compiled form: QNames resolved against the static namespaces,
//! functions bound, variables given frame slots, constant regular
//! expressions compiled once, and `//name` rewritten to the descendant axis.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::ast::*;
use super::bigdec::BigDec;
use super::error::{ErrorCode, XPathError};
use super::functions::Builtin;
use super::regex::compile_regex;
use super::value::{parse_decimal_exact, parse_double, ArithOp, Atomic, AtomicType, CmpOp};

/// The XML Schema namespace (constructor functions and types).
pub const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// The XPath functions namespace.
pub const FN_NS: &str = "http://www.w3.org/2005/xpath-functions";

/// Namespace part of a name test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NsTest {
    /// `*:local` or `*`.
    Any,
    /// No namespace (an unprefixed name).
    NoNs,
    /// A namespace URI.
    Uri(Box<str>),
}

/// The number of a name that no name test mentions, or of a test that is
/// not one exact name (`*`, `*:x`, `p:*`).
pub const NO_SYM: u32 = u32::MAX;

/// The namespaces (by [`NameTable::namespace_id`]) that one local name
/// comes with, each with the name's number.
type NamespacesOf = smallvec::SmallVec<[(u32, u32); 1]>;

/// The exact names (namespace, local) that compiled name tests mention,
/// each with a small number. Numbering a document's elements with it once
/// turns every name test on an element into an integer comparison.
///
/// One table serves the whole process ([`names`]), so that a document is
/// numbered once for all the schemas run on it. It grows by the names of
/// compiled expressions and a document is numbered after the schemas that
/// check it were compiled, so every name their tests mention is in the
/// table by then. It also takes the names of document elements that no
/// test mentions (`cbc:Telephone`, `cac:Contact`), up to
/// [`MAX_DOCUMENT_NAMES`] of them: a numbered name lets a schema settle
/// once which any-element contexts (`//*[namespace-uri() = …]`) its
/// elements match, where an unnumbered one has them tried on every element.
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    /// Local name → (namespace id, number).
    by_local: rustc_hash::FxHashMap<Box<str>, NamespacesOf>,
    /// Namespace URI (`""` for none) → id, for the namespaces of numbered
    /// names only.
    namespaces: rustc_hash::FxHashMap<Box<str>, u32>,
    len: u32,
    /// How many of the names were taken from documents.
    learned: u32,
}

impl NameTable {
    /// The number of a name, given one if it has none yet; [`NO_SYM`] once
    /// the table is full ([`MAX_NAMES`]), which keeps a process that compiles
    /// endless new expressions (a fuzzer, a service taking ad-hoc queries)
    /// from growing it without bound. Tests on unnumbered names compare
    /// names instead.
    pub fn intern(&mut self, ns: Option<&str>, local: &str) -> u32 {
        let known = self.lookup(ns, local);
        if known != NO_SYM || self.len as usize >= MAX_NAMES {
            return known;
        }
        let next = self.len;
        let ids = self.namespaces.len() as u32;
        let ns = *self.namespaces.entry(ns.unwrap_or("").into()).or_insert(ids);
        self.by_local.entry(local.into()).or_default().push((ns, next));
        self.len += 1;
        next
    }

    /// Numbers a name read from a document, if it has no number yet and
    /// the table still takes document names ([`NameTable::learns`]);
    /// whether it numbered it.
    pub fn learn(&mut self, ns: Option<&str>, local: &str) -> bool {
        if !self.learns() {
            return false;
        }
        // `intern` leaves a known name as it is
        let before = self.len;
        self.intern(ns, local);
        let numbered = self.len > before;
        self.learned += u32::from(numbered);
        numbered
    }

    /// Whether the table still takes names read from documents.
    pub fn learns(&self) -> bool {
        (self.learned as usize) < MAX_DOCUMENT_NAMES && (self.len as usize) < MAX_NAMES
    }

    /// The id of a namespace URI (`None`: no namespace) that some numbered
    /// name has; `None` when no numbered name has it.
    pub fn namespace_id(&self, ns: Option<&str>) -> Option<u32> {
        self.namespaces.get(ns.unwrap_or("")).copied()
    }

    /// [`NameTable::lookup`] with the namespace given by its id.
    #[inline]
    pub fn lookup_in(&self, ns: u32, local: &str) -> u32 {
        self.by_local
            .get(local)
            .and_then(|e| e.iter().find(|(n, _)| *n == ns))
            .map_or(NO_SYM, |(_, sym)| *sym)
    }

    /// How many names are numbered (numbers are `0..len`).
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no name is numbered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of a name, [`NO_SYM`] when it has none (no test mentions
    /// it and no document gave it one).
    pub fn lookup(&self, ns: Option<&str>, local: &str) -> u32 {
        self.namespace_id(ns).map_or(NO_SYM, |ns| self.lookup_in(ns, local))
    }
}

/// How many names the process's table numbers at most (numbers fit in two
/// bytes, below the "no number" mark).
pub const MAX_NAMES: usize = 65_000;

/// How many names the process's table takes from documents at most: a
/// UBL invoice uses a few dozen names that no rule mentions; the bound
/// keeps documents full of invented names from growing the table (and each
/// document's name-indexed tables, sized by it) without end.
pub const MAX_DOCUMENT_NAMES: usize = 1_024;

static NAMES: std::sync::OnceLock<std::sync::RwLock<NameTable>> = std::sync::OnceLock::new();

/// The process's name table, for reading.
pub fn names() -> std::sync::RwLockReadGuard<'static, NameTable> {
    let lock = NAMES.get_or_init(Default::default);
    // a panic while holding the lock cannot leave the table inconsistent:
    // `intern` pushes the entry before it counts it
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Numbers the names of `doc`'s elements that have no number, as far as
/// the table takes document names; whether it numbered any.
pub(crate) fn learn_names(doc: &roxmltree::Document<'_>) -> bool {
    let lock = NAMES.get_or_init(Default::default);
    let mut table = lock.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut any = false;
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let t = n.tag_name();
        any |= table.learn(t.namespace(), t.name());
    }
    any
}

fn intern_name(ns: Option<&str>, local: &str) -> u32 {
    let lock = NAMES.get_or_init(Default::default);
    let mut table = lock.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    table.intern(ns, local)
}

/// A compiled node test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeTest {
    /// Principal node kind with a name test; `local: None` is a wildcard.
    Name {
        /// Namespace test.
        ns: NsTest,
        /// Local name, or `None` for `*`.
        local: Option<Box<str>>,
        /// The number of the exact name in the process's [`NameTable`];
        /// [`NO_SYM`] for wildcards.
        sym: u32,
    },
    /// `node()`
    AnyNode,
    /// `text()`
    Text,
    /// `comment()`
    Comment,
    /// `processing-instruction()`
    Pi,
    /// `element()`
    Element,
    /// `element(name)`: an element of this exact name, on any axis.
    ElementNamed {
        /// Namespace URI (`None` for none).
        ns: Option<Box<str>>,
        /// Local name.
        local: Box<str>,
    },
    /// `attribute()`
    AttributeKind,
    /// `attribute(name)`: an attribute of this exact name.
    AttributeNamed {
        /// Namespace URI (`None` for none).
        ns: Option<Box<str>>,
        /// Local name.
        local: Box<str>,
    },
    /// `document-node()`
    Document,
}

/// A compiled axis step.
#[derive(Debug, Clone)]
pub struct StepOp {
    /// The axis.
    pub axis: Axis,
    /// The node test.
    pub test: NodeTest,
    /// Predicates, in order.
    pub preds: Vec<Op>,
    /// No predicate is (or can be) positional: each keeps or drops a node
    /// by itself ([`never_numeric`]), so the step's nodes may be filtered
    /// one at a time.
    pub unpositional: bool,
}

impl StepOp {
    /// A step; works out whether its predicates are positional.
    pub fn new(axis: Axis, test: NodeTest, preds: Vec<Op>) -> StepOp {
        let unpositional = preds.iter().all(never_numeric);
        StepOp {
            axis,
            test,
            preds,
            unpositional,
        }
    }
}

/// The space-separated tokens of a constant code-list string.
#[derive(Debug)]
pub struct TokenSet {
    /// The constant haystack.
    pub haystack: Box<str>,
    /// Every `t` such that `" t "` occurs in the haystack with `t` free of spaces.
    pub tokens: rustc_hash::FxHashSet<Box<str>>,
}

impl TokenSet {
    fn new(haystack: &str) -> TokenSet {
        let parts: Vec<&str> = haystack.split(' ').collect();
        // a segment is surrounded by spaces unless it is the first or the last
        let interior = if parts.len() >= 2 {
            &parts[1..parts.len() - 1]
        } else {
            &[][..]
        };
        TokenSet {
            haystack: haystack.into(),
            tokens: interior.iter().map(|t| Box::from(*t)).collect(),
        }
    }
}

/// A literal constant.
#[derive(Debug, Clone)]
pub enum Const {
    /// xs:string
    String(Box<str>),
    /// xs:integer
    Integer(i128),
    /// xs:decimal
    Decimal(Decimal),
    /// xs:decimal past what [`Decimal`] holds (more than 28 digits)
    BigDecimal(Arc<BigDec>),
    /// xs:double
    Double(f64),
}

/// A sequence type (function parameters and results).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqType {
    /// Atomic item type; `None` is `item()` or a kind test.
    pub item: Option<AtomicType>,
    /// A kind test as the item type (`element()`, `node()`, …).
    pub kind: Option<NodeTest>,
    /// Occurrence: `' '` exactly one, `'?'`, `'*'`, `'+'`, `'0'` empty.
    pub occ: char,
}

/// The compiled expression tree.
#[allow(missing_docs)]
#[derive(Debug, Clone)]
pub enum Op {
    Const(Const),
    Empty,
    Var(usize),
    Context,
    Root,
    Seq(Vec<Op>),
    Path(Box<Op>, Box<Op>),
    Step(StepOp),
    Filter(Box<Op>, Vec<Op>),
    Call(Builtin, Vec<Op>),
    /// `matches(input, <constant pattern>)`, regex compiled once.
    MatchesConst(Box<Op>, Arc<regex::Regex>),
    /// `contains(' A B C ', concat(' ', x, ' '))`, the code-list idiom:
    /// a set lookup of `x` (falling back to the substring search when `x`
    /// contains a space, so the result is exactly that of `contains`).
    /// With the flag set, the whole code-list test
    /// `not(contains(x, ' ')) and contains(' A B C ', concat(' ', x, ' '))`
    /// for an `x` that is `normalize-space(…)`: `x` is computed once, and is
    /// one of the tokens.
    TokenIn(Box<Op>, Arc<TokenSet>, bool),
    UserCall(usize, Vec<Op>),
    Or(Box<Op>, Box<Op>),
    And(Box<Op>, Box<Op>),
    /// The flag is set when either operand is statically at most one item:
    /// the official processor then compares untyped values with numbers by
    /// Java's `Double.compare` (see `eval::untyped_numeric`).
    General(CmpOp, Box<Op>, Box<Op>, bool),
    Value(CmpOp, Box<Op>, Box<Op>),
    NodeCmp(&'static str, Box<Op>, Box<Op>),
    Range(Box<Op>, Box<Op>),
    Arith(ArithOp, Box<Op>, Box<Op>),
    Neg(Box<Op>),
    Union(Box<Op>, Box<Op>),
    Intersect(Box<Op>, Box<Op>),
    Except(Box<Op>, Box<Op>),
    If(Box<Op>, Box<Op>, Box<Op>),
    /// `for $slot in in return body`
    For(usize, Box<Op>, Box<Op>),
    /// `some|every $slot in in satisfies body`
    Quant(Quant, usize, Box<Op>, Box<Op>),
    Cast(Box<Op>, AtomicType, bool),
    Castable(Box<Op>, AtomicType, bool),
    /// An absolute path whose value depends only on the document
    /// (`//cbc:DocumentCurrencyCode`): evaluated once per document and
    /// shared by every expression with the same key (its structure). When
    /// the path ends in a step whose last predicate compares a key with a
    /// string literal, the [`Keyed`] form answers it from an index. A
    /// path of nodes that has a direct form (see [`crate::xpath::direct`])
    /// is computed by walking that form where it can, once lowered.
    PerDocument(
        Box<Op>,
        u32,
        Option<Box<Keyed>>,
        Option<Box<crate::xpath::direct::DPath>>,
    ),
    /// A predicate whose truth depends only on the context element's name
    /// (`[ends-with(local-name(), 'Time')]`): its effective boolean value
    /// is computed once per distinct name in a document, under the id.
    NameOnly(Box<Op>, u32),
    /// A truth test that occurs more than once in the tests of one rule,
    /// with the rule's focus (`not(A) or A and B`): its effective boolean
    /// value is computed once per firing of the rule and kept under the
    /// slot (see [`share_repeated_tests`]). Elsewhere it is its operand.
    Shared(Box<Op>, u32),
    /// A value that the tests of one rule compute more than once with the
    /// rule's focus (`cac:Item/cac:ClassifiedTaxCategory/cbc:ID`): computed
    /// once per firing of the rule and kept under the slot (see
    /// [`keep_repeated_values`]). Elsewhere it is its operand.
    Kept(Box<Op>, u32),
    InstanceOf(Box<Op>, SeqType),
    Treat(Box<Op>, SeqType),
    /// A truth test with its direct form (see [`super::direct`]), answered
    /// from the document's indexes when that form gives a certain answer,
    /// else by evaluating the original expression, the operand. As a value
    /// rather than a truth, it is its operand.
    Direct(Box<super::direct::Direct>, Box<Op>),
}

/// A document-invariant `L/step[…][K = 'literal']` (child or descendant
/// step, no positional predicate) seen as `L/step[…]`, the base, filtered by
/// `K = 'literal'`. Its evaluator computes the keys (the string values `K`
/// gives) of every node of the base once per document, so that the same
/// base and key with other literals (`… = 'S'`, `… = 'E'`, `… = 'Z'`) are
/// lookups instead of walks over the document. It falls back to the plain
/// path when a key raises an error or is not a string, so the value and
/// errors are always those of the plain path.
#[derive(Debug, Clone)]
pub struct Keyed {
    /// `L/step[…]`: the path without the keyed predicate.
    pub base: Op,
    /// `K`, evaluated with each node of the base as the context item.
    pub key: Op,
    /// The string literal the key is compared with.
    pub literal: Box<str>,
    /// The index: equal bases and keys share one.
    pub index: u32,
    /// The key's texts in direct form, once lowered (see
    /// [`crate::xpath::direct`]), read from each node of the base where
    /// they can be instead of evaluating `key`.
    pub direct: Option<crate::xpath::direct::Values>,
}

/// What the compiler needs to know about names.
#[derive(Debug, Default, Clone)]
pub struct StaticContext {
    /// Prefix → namespace URI.
    pub namespaces: HashMap<String, String>,
    /// (namespace URI, local name, arity) → index of a user function.
    pub functions: HashMap<(String, String, usize), usize>,
    /// Ids of document-invariant expressions, by structure; shared by the
    /// clones of a context so that every expression of one schema agrees.
    per_document: std::rc::Rc<std::cell::RefCell<HashMap<String, u32>>>,
    /// Ids of key indexes ([`Keyed`]), by base and key; shared the same way.
    keyed: std::rc::Rc<std::cell::RefCell<HashMap<String, u32>>>,
    /// How many name-only predicates are numbered; shared like `per_document`.
    name_only: std::rc::Rc<std::cell::Cell<u32>>,
}

impl StaticContext {
    /// A context with the `xs`, `xsd` and `fn` prefixes bound.
    pub fn new() -> Self {
        let mut namespaces = HashMap::new();
        namespaces.insert("xs".to_string(), XS_NS.to_string());
        namespaces.insert("xsd".to_string(), XS_NS.to_string());
        namespaces.insert("fn".to_string(), FN_NS.to_string());
        StaticContext {
            namespaces,
            functions: HashMap::new(),
            per_document: Default::default(),
            keyed: Default::default(),
            name_only: Default::default(),
        }
    }

    /// Resolves a lexical QName: (namespace, local). Unprefixed names get `default`.
    pub fn resolve(
        &self,
        qname: &str,
        span: &std::ops::Range<usize>,
        default: Option<&str>,
    ) -> Result<(Option<String>, String), XPathError> {
        match qname.split_once(':') {
            Some((p, l)) => {
                let uri = self.namespaces.get(p).ok_or_else(|| {
                    XPathError::at(
                        ErrorCode::XPST0081,
                        span.clone(),
                        format!("namespace prefix '{p}' is not declared"),
                    )
                })?;
                Ok((Some(uri.clone()), l.to_string()))
            }
            None => Ok((default.map(str::to_string), qname.to_string())),
        }
    }

    /// Resolves a sequence type such as `xs:decimal?` or `element()*`.
    pub fn seq_type(&self, t: &SeqTypeAst, span: &std::ops::Range<usize>) -> Result<SeqType, XPathError> {
        let item = match &t.name {
            None => None,
            Some(n) => Some(self.atomic_type(n, span)?),
        };
        let kind = match &t.kind {
            None => None,
            Some(k) => Some(self.kind_test(k, span)?),
        };
        Ok(SeqType { item, kind, occ: t.occ })
    }

    /// A node test that is not a name test (`text()`, `element(cbc:ID)`).
    pub fn kind_test(&self, t: &NodeTestAst, span: &std::ops::Range<usize>) -> Result<NodeTest, XPathError> {
        let named = |n: &str, element: bool| -> Result<NodeTest, XPathError> {
            // an unprefixed attribute name is in no namespace
            let (ns, local) = if element || n.contains(':') {
                self.resolve(n, span, None)?
            } else {
                (None, n.to_string())
            };
            let (ns, local) = (ns.map(Into::into), local.into());
            Ok(if element {
                NodeTest::ElementNamed { ns, local }
            } else {
                NodeTest::AttributeNamed { ns, local }
            })
        };
        Ok(match t {
            NodeTestAst::AnyNode => NodeTest::AnyNode,
            NodeTestAst::Text => NodeTest::Text,
            NodeTestAst::Comment => NodeTest::Comment,
            NodeTestAst::Pi => NodeTest::Pi,
            NodeTestAst::Element => NodeTest::Element,
            NodeTestAst::ElementNamed(n) => named(n, true)?,
            NodeTestAst::AttributeKind => NodeTest::AttributeKind,
            NodeTestAst::AttributeNamed(n) => named(n, false)?,
            NodeTestAst::Document => NodeTest::Document,
            NodeTestAst::Name(_) => {
                return Err(XPathError::at(
                    ErrorCode::XPST0003,
                    span.clone(),
                    "a name is not a kind test",
                ))
            }
        })
    }

    fn atomic_type(&self, name: &str, span: &std::ops::Range<usize>) -> Result<AtomicType, XPathError> {
        let (ns, local) = self.resolve(name, span, None)?;
        if ns.as_deref() != Some(XS_NS) {
            return Err(XPathError::at(
                ErrorCode::XPST0051,
                span.clone(),
                format!("unknown type '{name}'"),
            ));
        }
        AtomicType::from_local(&local)
            .ok_or_else(|| XPathError::at(ErrorCode::XPST0051, span.clone(), format!("unsupported type '{name}'")))
    }
}

/// Compiles an AST. `scope` lists the variables in scope, by expanded name;
/// a variable's slot is its index there. `max_slots` records the deepest frame.
pub struct Compiler<'c> {
    /// Names and functions.
    pub sc: &'c StaticContext,
    /// Variables in scope.
    pub scope: Vec<String>,
    /// Largest frame size seen.
    pub max_slots: usize,
}

fn var_key(sc: &StaticContext, name: &str, span: &std::ops::Range<usize>) -> Result<String, XPathError> {
    let (ns, l) = sc.resolve(name, span, None)?;
    Ok(match ns {
        Some(n) => format!("{{{n}}}{l}"),
        None => l,
    })
}

impl<'c> Compiler<'c> {
    /// A compiler with an empty scope.
    pub fn new(sc: &'c StaticContext) -> Self {
        Compiler {
            sc,
            scope: Vec::new(),
            max_slots: 0,
        }
    }

    /// Adds a variable to the scope and returns its slot.
    pub fn bind(&mut self, name: &str, span: &std::ops::Range<usize>) -> Result<usize, XPathError> {
        let key = var_key(self.sc, name, span)?;
        self.scope.push(key);
        self.max_slots = self.max_slots.max(self.scope.len());
        Ok(self.scope.len() - 1)
    }

    fn name_test(&self, n: &str, span: &std::ops::Range<usize>) -> Result<NodeTest, XPathError> {
        if n == "*" {
            return Ok(NodeTest::Name {
                ns: NsTest::Any,
                local: None,
                sym: NO_SYM,
            });
        }
        if let Some(l) = n.strip_prefix("*:") {
            return Ok(NodeTest::Name {
                ns: NsTest::Any,
                local: Some(l.into()),
                sym: NO_SYM,
            });
        }
        if let Some(p) = n.strip_suffix(":*") {
            let uri = self.sc.namespaces.get(p).ok_or_else(|| {
                XPathError::at(
                    ErrorCode::XPST0081,
                    span.clone(),
                    format!("namespace prefix '{p}' is not declared"),
                )
            })?;
            return Ok(NodeTest::Name {
                ns: NsTest::Uri(uri.as_str().into()),
                local: None,
                sym: NO_SYM,
            });
        }
        let (ns, local) = self.sc.resolve(n, span, None)?;
        let sym = intern_name(ns.as_deref(), &local);
        Ok(NodeTest::Name {
            sym,
            ns: match ns {
                Some(u) => NsTest::Uri(u.into()),
                None => NsTest::NoNs,
            },
            local: Some(local.into()),
        })
    }

    fn boxed(&mut self, a: &Ast) -> Result<Box<Op>, XPathError> {
        Ok(Box::new(self.compile(a)?))
    }

    /// Compiles one expression, with document-invariant absolute paths
    /// marked for evaluation once per document.
    pub fn compile(&mut self, a: &Ast) -> Result<Op, XPathError> {
        let op = self.compile_inner(a)?;
        Ok(self.mark_per_document(op))
    }

    fn compile_inner(&mut self, a: &Ast) -> Result<Op, XPathError> {
        Ok(match &a.kind {
            AstKind::Integer(s) => match s.parse::<i128>() {
                Ok(i) => Op::Const(Const::Integer(i)),
                // past 128 bits (39 digits): no decimal holds it either
                Err(_) => {
                    return Err(XPathError::at(
                        ErrorCode::FOAR0002,
                        a.span.clone(),
                        "integer literal too large",
                    ))
                }
            },
            // exact whatever its length, as the official processor reads it
            AstKind::Decimal(s) => Op::Const(match parse_decimal_exact(s) {
                Some(Atomic::Decimal(d)) => Const::Decimal(d),
                Some(Atomic::BigDecimal(b)) => Const::BigDecimal(Arc::new((*b).clone())),
                _ => {
                    return Err(XPathError::at(
                        ErrorCode::XPST0003,
                        a.span.clone(),
                        "bad decimal literal",
                    ))
                }
            }),
            AstKind::Double(s) => {
                Op::Const(Const::Double(parse_double(s).ok_or_else(|| {
                    XPathError::at(ErrorCode::XPST0003, a.span.clone(), "bad double literal")
                })?))
            }
            AstKind::String(s) => Op::Const(Const::String(s.as_str().into())),
            AstKind::Var(n) => {
                let key = var_key(self.sc, n, &a.span)?;
                let slot = self.scope.iter().rposition(|v| *v == key).ok_or_else(|| {
                    XPathError::at(
                        ErrorCode::XPST0008,
                        a.span.clone(),
                        format!("variable ${n} is not declared"),
                    )
                })?;
                Op::Var(slot)
            }
            AstKind::ContextItem => Op::Context,
            AstKind::Sequence(items) => {
                if items.is_empty() {
                    Op::Empty
                } else {
                    Op::Seq(items.iter().map(|i| self.compile(i)).collect::<Result<_, _>>()?)
                }
            }
            AstKind::Root => Op::Root,
            AstKind::FromRoot(rel) => self.after(Op::Root, rel, false)?,
            AstKind::FromRootDesc(rel) => self.after(Op::Root, rel, true)?,
            AstKind::Path(l, r) => parent_guarded(Op::Path(self.boxed(l)?, self.boxed(r)?)),
            AstKind::PathDesc(l, r) => {
                let l = self.compile(l)?;
                self.desc(l, r)?
            }
            AstKind::Step { axis, test, preds } => {
                let test = match test {
                    NodeTestAst::Name(n) => self.name_test(n, &a.span)?,
                    kind => self.sc.kind_test(kind, &a.span)?,
                };
                let preds = self.predicates(preds)?;
                Op::Step(StepOp::new(*axis, test, preds))
            }
            AstKind::Filter { base, preds } => {
                let b = self.boxed(base)?;
                Op::Filter(b, self.predicates(preds)?)
            }
            AstKind::Call { name, args } => self.call(name, args, a)?,
            AstKind::Or(l, r) => Op::Or(self.boxed(l)?, self.boxed(r)?),
            AstKind::And(l, r) => spaceless_token(self.boxed(l)?, self.compile(r)?),
            AstKind::General(op, l, r) => {
                let (l, r) = (self.boxed(l)?, self.boxed(r)?);
                let single = at_most_one(&l) || at_most_one(&r);
                Op::General(*op, l, r, single)
            }
            AstKind::Value(op, l, r) => Op::Value(*op, self.boxed(l)?, self.boxed(r)?),
            AstKind::NodeCmp(op, l, r) => Op::NodeCmp(op, self.boxed(l)?, self.boxed(r)?),
            AstKind::Range(l, r) => Op::Range(self.boxed(l)?, self.boxed(r)?),
            AstKind::Arith(op, l, r) => {
                let (l, r) = (self.boxed(l)?, self.boxed(r)?);
                let op = match op {
                    ArithOp::Div if decimal_division(&l, &r) => ArithOp::DecimalDiv,
                    op => *op,
                };
                Op::Arith(op, l, r)
            }
            AstKind::Neg(e) => Op::Neg(self.boxed(e)?),
            AstKind::Union(l, r) => Op::Union(self.boxed(l)?, self.boxed(r)?),
            AstKind::Intersect(l, r) => Op::Intersect(self.boxed(l)?, self.boxed(r)?),
            AstKind::Except(l, r) => Op::Except(self.boxed(l)?, self.boxed(r)?),
            AstKind::If(c, t, e) => Op::If(self.boxed(c)?, self.boxed(t)?, self.boxed(e)?),
            AstKind::For(binds, body) => self.bindings(binds, body, None)?,
            AstKind::Quantified(q, binds, body) => self.bindings(binds, body, Some(*q))?,
            AstKind::Cast(e, t, opt) => Op::Cast(self.boxed(e)?, self.sc.atomic_type(t, &a.span)?, *opt),
            AstKind::Castable(e, t, opt) => Op::Castable(self.boxed(e)?, self.sc.atomic_type(t, &a.span)?, *opt),
            AstKind::InstanceOf(e, t) => Op::InstanceOf(self.boxed(e)?, self.sc.seq_type(t, &a.span)?),
            AstKind::Treat(e, t) => Op::Treat(self.boxed(e)?, self.sc.seq_type(t, &a.span)?),
        })
    }

    /// Wraps a document-invariant expression (other than the bare root) so
    /// it is evaluated once per document; equal expressions share one id.
    fn mark_per_document(&self, op: Op) -> Op {
        if matches!(op, Op::Root | Op::PerDocument(..)) || !document_invariant(&op) {
            return op;
        }
        // `A/f(…)`: A is kept, f is applied when asked, so that comparing it
        // can stop at the first value, as the official processor does (see
        // `Evaluator::general_mapped`)
        let op = match op {
            Op::Path(prefix, last) if one_atomic_per_node(&last) => {
                return Op::Path(Box::new(self.mark_per_document(*prefix)), last);
            }
            op => op,
        };
        let keyed = self.keyed(&op).map(Box::new);
        let mut ids = self.sc.per_document.borrow_mut();
        let next = ids.len() as u32;
        let id = *ids.entry(format!("{op:?}")).or_insert(next);
        Op::PerDocument(Box::new(op), id, keyed, None)
    }

    /// The [`Keyed`] form of a document-invariant path, if it has one.
    fn keyed(&self, op: &Op) -> Option<Keyed> {
        let Op::Path(l, r) = op else { return None };
        let Op::Step(s) = &**r else { return None };
        // a non-positional predicate keeps or drops each node by itself, so
        // the last one can be applied after the others, to the whole path
        if !matches!(s.axis, Axis::Child | Axis::Descendant) || !s.unpositional {
            return None;
        }
        let (last, rest) = s.preds.split_last()?;
        let Op::General(CmpOp::Eq, a, b, _) = last else {
            return None;
        };
        let (key, literal) = match (&**a, &**b) {
            (Op::Const(_), Op::Const(_)) => return None,
            (k, Op::Const(Const::String(c))) | (Op::Const(Const::String(c)), k) => (k, c),
            _ => return None,
        };
        let base = Op::Path(
            l.clone(),
            Box::new(Op::Step(StepOp::new(s.axis, s.test.clone(), rest.to_vec()))),
        );
        let base = self.mark_per_document(base);
        let mut ids = self.sc.keyed.borrow_mut();
        let next = ids.len() as u32;
        let index = *ids.entry(format!("{base:?} {key:?}")).or_insert(next);
        Some(Keyed {
            base,
            key: key.clone(),
            literal: literal.clone(),
            index,
            direct: None,
        })
    }

    fn predicates(&mut self, preds: &[Ast]) -> Result<Vec<Op>, XPathError> {
        preds
            .iter()
            .map(|p| {
                let op = self.compile(p)?;
                Ok(
                    if never_numeric(&op) && name_only(&op) && reads_name(&op) && !direct_name_test(&op) {
                        let id = self.sc.name_only.get();
                        self.sc.name_only.set(id + 1);
                        Op::NameOnly(Box::new(op), id)
                    } else {
                        op
                    },
                )
            })
            .collect()
    }

    fn bindings(&mut self, binds: &[(String, Ast)], body: &Ast, q: Option<Quant>) -> Result<Op, XPathError> {
        let depth = self.scope.len();
        let mut parts = Vec::new();
        for (name, e) in binds {
            let input = self.compile(e)?;
            let slot = self.bind(name, &e.span)?;
            parts.push((slot, input));
        }
        let mut op = self.compile(body)?;
        self.scope.truncate(depth);
        for (slot, input) in parts.into_iter().rev() {
            op = match q {
                None => Op::For(slot, Box::new(input), Box::new(op)),
                Some(q) => Op::Quant(q, slot, Box::new(input), Box::new(op)),
            };
        }
        Ok(op)
    }

    /// `l/rel` (or `l//rel`) re-associated to the left, so that `//a/b` is
    /// `(root//a)/b` rather than `root//(a/b)` (which would evaluate `a/b`
    /// from every node).
    fn after(&mut self, l: Op, rel: &Ast, desc: bool) -> Result<Op, XPathError> {
        match &rel.kind {
            AstKind::Path(a, b) => {
                let left = self.after(l, a, desc)?;
                let left = self.mark_per_document(left);
                Ok(Op::Path(Box::new(left), self.boxed(b)?))
            }
            AstKind::PathDesc(a, b) => {
                let left = self.after(l, a, desc)?;
                let left = self.mark_per_document(left);
                self.desc(left, b)
            }
            _ if desc => self.desc(l, rel),
            _ => Ok(Op::Path(Box::new(l), self.boxed(rel)?)),
        }
    }

    /// `l//r`: `l/descendant::r` when `r` is a child step whose predicates
    /// cannot be positional, else `l/descendant-or-self::node()/r`.
    fn desc(&mut self, l: Op, r: &Ast) -> Result<Op, XPathError> {
        let r_op = self.compile(r)?;
        let indexable = |s: &StepOp| s.axis == Axis::Child && s.unpositional;
        let r_op = match r_op {
            Op::Step(mut s) if indexable(&s) => {
                s.axis = Axis::Descendant;
                return Ok(Op::Path(Box::new(l), Box::new(Op::Step(s))));
            }
            // l//(a | b) = l//a | l//b for child steps
            Op::Union(a, b) => match (*a, *b) {
                (Op::Step(mut x), Op::Step(mut y)) if indexable(&x) && indexable(&y) => {
                    x.axis = Axis::Descendant;
                    y.axis = Axis::Descendant;
                    return Ok(Op::Union(
                        Box::new(Op::Path(Box::new(l.clone()), Box::new(Op::Step(x)))),
                        Box::new(Op::Path(Box::new(l), Box::new(Op::Step(y)))),
                    ));
                }
                (a, b) => Op::Union(Box::new(a), Box::new(b)),
            },
            other => other,
        };
        let dos = Op::Step(StepOp::new(Axis::DescendantOrSelf, NodeTest::AnyNode, vec![]));
        Ok(Op::Path(Box::new(Op::Path(Box::new(l), Box::new(dos))), Box::new(r_op)))
    }

    fn call(&mut self, name: &str, args: &[Ast], a: &Ast) -> Result<Op, XPathError> {
        let (ns, local) = self.sc.resolve(name, &a.span, Some(FN_NS))?;
        let ns = ns.unwrap_or_default();
        if ns == XS_NS {
            let t = AtomicType::from_local(&local).ok_or_else(|| {
                XPathError::at(
                    ErrorCode::XPST0017,
                    a.span.clone(),
                    format!("unknown constructor function {name}"),
                )
            })?;
            if args.len() != 1 {
                return Err(XPathError::at(
                    ErrorCode::XPST0017,
                    a.span.clone(),
                    format!("{name} takes one argument"),
                ));
            }
            return Ok(Op::Cast(self.boxed(&args[0])?, t, true));
        }
        if ns == FN_NS {
            let b = Builtin::lookup(&local, args.len()).ok_or_else(|| {
                XPathError::at(
                    ErrorCode::XPST0017,
                    a.span.clone(),
                    format!(
                        "unknown function {local}#{} (not in the supported XPath 2.0 library)",
                        args.len()
                    ),
                )
            })?;
            let ops: Vec<Op> = args.iter().map(|x| self.compile(x)).collect::<Result<_, _>>()?;
            let token_idiom = b == Builtin::Contains
                && matches!(ops.as_slice(), [Op::Const(Const::String(_)), Op::Call(Builtin::Concat, parts)]
                    if matches!(parts.as_slice(), [Op::Const(Const::String(l)), _, Op::Const(Const::String(r))]
                        if &**l == " " && &**r == " "));
            if token_idiom {
                let mut ops = ops;
                if let (Some(Op::Call(_, mut parts)), Some(Op::Const(Const::String(hay)))) = (ops.pop(), ops.pop()) {
                    let x = parts.swap_remove(1);
                    return Ok(Op::TokenIn(Box::new(x), Arc::new(TokenSet::new(&hay)), false));
                }
                return Err(XPathError::at(
                    ErrorCode::XPST0017,
                    a.span.clone(),
                    "internal: code-list idiom",
                ));
            }
            if b == Builtin::Matches && ops.len() == 2 {
                if let Some(pat) = const_string(&ops[1]) {
                    let re = compile_regex(&pat, "").map_err(|mut e| {
                        e.span = Some(args[1].span.clone());
                        e
                    })?;
                    let mut ops = ops;
                    ops.truncate(1);
                    let input = ops.pop().unwrap_or(Op::Empty);
                    return Ok(Op::MatchesConst(Box::new(input), Arc::new(re)));
                }
            }
            // `ends-with(name(), 'c')` with no colon in c: a match cannot
            // reach into the prefix (it would have to contain the colon), so
            // it is `ends-with(local-name(), 'c')`, which the prefix does not
            // decide (and which a name's number can then answer)
            let mut ops = ops;
            if let (Builtin::EndsWith, [Op::Call(accessor @ Builtin::Name, none), Op::Const(Const::String(c))]) =
                (b, ops.as_mut_slice())
            {
                if none.is_empty() && !c.contains(':') {
                    *accessor = Builtin::LocalName;
                }
            }
            return Ok(Op::Call(b, ops));
        }
        let idx = self
            .sc
            .functions
            .get(&(ns.clone(), local.clone(), args.len()))
            .ok_or_else(|| {
                XPathError::at(
                    ErrorCode::XPST0017,
                    a.span.clone(),
                    format!("unknown function {name}#{}", args.len()),
                )
            })?;
        let ops = args.iter().map(|x| self.compile(x)).collect::<Result<_, _>>()?;
        Ok(Op::UserCall(*idx, ops))
    }
}

/// The string value of a constant expression (literals, `concat` and
/// `codepoints-to-string` of literals), if it is one.
fn const_string(op: &Op) -> Option<String> {
    match op {
        Op::Const(Const::String(s)) => Some(s.to_string()),
        Op::Call(Builtin::Concat, args) => args.iter().map(const_string).collect(),
        Op::Call(Builtin::CodepointsToString, args) => match args.as_slice() {
            [Op::Const(Const::Integer(i))] => u32::try_from(*i).ok().and_then(char::from_u32).map(String::from),
            _ => None,
        },
        _ => None,
    }
}

/// `l and r`, or the one-lookup form of the code-list test when `l` is
/// `not(contains(x, ' '))` and `r` the code-list idiom on the same `x`,
/// a `normalize-space(…)` (always one `xs:string`, or an error that `l`
/// would raise first): a space in `x` makes `l` false, and without one `r`
/// is the token lookup.
fn spaceless_token(l: Box<Op>, r: Op) -> Op {
    let normalized = |x: &Op| matches!(x, Op::Call(Builtin::NormalizeSpace, _));
    let space_in = |op: &Op| match op {
        Op::Call(Builtin::Not, not_args) => match not_args.as_slice() {
            [Op::Call(Builtin::Contains, args)] => match args.as_slice() {
                [x, Op::Const(Const::String(space))] if &**space == " " && normalized(x) => Some(format!("{x:?}")),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    match (space_in(&l), r) {
        (Some(y), Op::TokenIn(x, set, false)) if normalized(&x) && format!("{x:?}") == y => Op::TokenIn(x, set, true),
        (_, r) => Op::And(l, Box::new(r)),
    }
}

/// Whether a predicate can never evaluate to a number (so it is not positional
/// and does not depend on `position()`/`last()`).
pub fn never_numeric(op: &Op) -> bool {
    match op {
        Op::Or(..)
        | Op::And(..)
        | Op::General(..)
        | Op::Value(..)
        | Op::NodeCmp(..)
        | Op::Castable(..)
        | Op::InstanceOf(..) => !uses_position(op),
        Op::MatchesConst(..) | Op::TokenIn(..) => !uses_position(op),
        // nodes are never numbers; a path is what its last step yields
        Op::Step(_) | Op::Union(..) => !uses_position(op),
        Op::Path(_, r) => never_numeric(r) && !uses_position(op),
        Op::PerDocument(inner, ..) => never_numeric(inner),
        Op::NameOnly(..) => true,
        Op::Shared(inner, _) | Op::Kept(inner, _) => never_numeric(inner),
        Op::Filter(base, _) => never_numeric(base) && !uses_position(op),
        Op::Call(b, _) => b.returns_non_numeric() && !uses_position(op),
        _ => false,
    }
}

/// `descendant::X[P]/Y[Q]` as the official processor runs it: it reads a
/// relative path that starts with a filtered descendant step followed by a
/// child element step as `descendant::Y[parent::X[P]][Q]`, so `P` is never
/// asked of an `X` without a child `Y` (`descendant::cbc:ID[. > 1]/cac:Item`
/// raises no error on an identifier that is not a number). The same
/// values come from `descendant::X[Y][P]/Y[Q]`, which this returns; other
/// paths come back unchanged. It holds when no predicate of either step
/// looks at positions (one that does keeps the path as written there; a
/// lone `Y[last()]` is the exception), `X`
/// is not `node()`, and the path starts at the context item (`descendant::`
/// or `./descendant::`, not `/descendant::`, `$v/…` or `a/descendant::…`).
fn parent_guarded(op: Op) -> Op {
    let Op::Path(mut l, r) = op else { return op };
    let applies = |x: &StepOp, y: &Op| {
        let Op::Step(y) = y else { return false };
        let element_test = matches!(
            y.test,
            NodeTest::Name { .. } | NodeTest::Element | NodeTest::ElementNamed { .. }
        );
        x.axis == Axis::Descendant
            && x.test != NodeTest::AnyNode
            && !x.preds.is_empty()
            && x.unpositional
            && y.axis == Axis::Child
            && element_test
            // `Y[last()]` too, which it reads as the `Y` with no later sibling `Y`
            && (y.unpositional || matches!(&y.preds[..], [Op::Call(Builtin::Last, a)] if a.is_empty()))
    };
    let x = match &mut *l {
        Op::Step(x) => x,
        Op::Path(c, x) if matches!(**c, Op::Context) => match &mut **x {
            Op::Step(x) => x,
            _ => return Op::Path(l, r),
        },
        _ => return Op::Path(l, r),
    };
    if applies(x, &r) {
        if let Op::Step(y) = &*r {
            let guard = Op::Step(StepOp::new(Axis::Child, y.test.clone(), vec![]));
            x.preds.insert(0, guard);
        }
    }
    Op::Path(l, r)
}

/// Whether an expression asks for `last()` of its own focus (not of a
/// nested step's or predicate's).
pub(crate) fn uses_last(op: &Op) -> bool {
    calls_in_focus(op, |b| b == Builtin::Last)
}

/// Whether an expression asks for `position()` or `last()` of its own focus.
fn uses_position(op: &Op) -> bool {
    calls_in_focus(op, |b| matches!(b, Builtin::Position | Builtin::Last))
}

/// Whether an expression calls a function `wanted` picks, in its own focus.
fn calls_in_focus(op: &Op, wanted: impl Fn(Builtin) -> bool) -> bool {
    let mut found = false;
    visit(op, false, &mut |o| {
        if matches!(o, Op::Call(b, _) if wanted(*b)) {
            found = true;
        }
    });
    found
}

/// Whether the value of an expression depends on nothing but the context
/// node's name (namespace URI, local name and prefix) and constants.
fn name_only(op: &Op) -> bool {
    use Builtin::*;
    match op {
        Op::Const(_) => true,
        Op::Call(LocalName | Name | NamespaceUri | True | False, args) if args.is_empty() => true,
        Op::Call(
            Not | Boolean | EndsWith | StartsWith | Contains | Concat | UpperCase | LowerCase | Substring
            | SubstringBefore | SubstringAfter | StringLength | NormalizeSpace | Translate,
            args,
        ) if !args.is_empty() => args.iter().all(name_only),
        Op::MatchesConst(a, _) | Op::TokenIn(a, ..) => name_only(a),
        Op::Or(a, b) | Op::And(a, b) | Op::General(_, a, b, _) | Op::Value(_, a, b) => name_only(a) && name_only(b),
        _ => false,
    }
}

/// Whether a name-only predicate is made of tests the evaluator answers in
/// place (`ends-with(local-name(), 'Time')`, `namespace-uri() = '…'`, and
/// `and`/`or`/`not` of those), which are cheaper than remembering them.
fn direct_name_test(op: &Op) -> bool {
    use Builtin::*;
    match op {
        Op::And(a, b) | Op::Or(a, b) => direct_name_test(a) && direct_name_test(b),
        Op::Call(Not, a) => a.len() == 1 && direct_name_test(&a[0]),
        Op::Call(EndsWith | StartsWith | Contains, a) => {
            matches!(a.as_slice(), [l, r] if accessor_vs_const(l, r).is_some())
        }
        Op::General(CmpOp::Eq | CmpOp::Ne, l, r, _) => accessor_vs_const(l, r).is_some(),
        _ => false,
    }
}

/// Whether a predicate's truth on an element is decided by the element's
/// expanded name alone (namespace and local name, not the prefix it was
/// written with), so that it may be answered once per name.
pub(crate) fn decided_by_expanded_name(op: &Op) -> bool {
    let inner = match op {
        Op::NameOnly(inner, _) => inner,
        other => other,
    };
    let mut reads_prefix = false;
    visit(inner, true, &mut |o| {
        if let Op::Call(Builtin::Name, args) = o {
            reads_prefix |= args.is_empty();
        }
    });
    never_numeric(inner) && name_only(inner) && !reads_prefix
}

/// For `local-name()`, `name()` or `namespace-uri()` of the context and a
/// string literal: the accessor and the literal. The evaluator answers
/// these pairs in place; the compiler does not remember them.
#[inline]
pub(crate) fn accessor_vs_const<'o>(l: &'o Op, r: &'o Op) -> Option<(Builtin, &'o str)> {
    match (l, r) {
        (
            Op::Call(b @ (Builtin::LocalName | Builtin::Name | Builtin::NamespaceUri), none),
            Op::Const(Const::String(c)),
        ) if none.is_empty() => Some((*b, c)),
        _ => None,
    }
}

/// Whether an expression calls `local-name()`, `name()` or `namespace-uri()`.
fn reads_name(op: &Op) -> bool {
    let mut found = false;
    visit(op, true, &mut |o| {
        if let Op::Call(Builtin::LocalName | Builtin::Name | Builtin::NamespaceUri, args) = o {
            found |= args.is_empty();
        }
    });
    found
}

/// The operands of a truth test that are truth tests themselves, with its
/// focus and variables: those of `and` and `or`, and the argument of
/// `not()` and `boolean()`.
fn truth_operands(op: &mut Op) -> Vec<&mut Op> {
    match op {
        Op::And(l, r) | Op::Or(l, r) => vec![&mut **l, &mut **r],
        Op::Call(Builtin::Not | Builtin::Boolean, args) => match args.as_mut_slice() {
            [a] => vec![a],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Whether a truth test is worth sharing: not an `and` or `or` (its
/// operands are shared when they repeat, so it costs little again), a
/// constant, or a call without arguments (`true()`, `position()`).
fn worth_sharing(op: &Op) -> bool {
    match op {
        Op::And(..) | Op::Or(..) | Op::Const(_) | Op::Empty => false,
        Op::Call(_, args) => !args.is_empty(),
        _ => true,
    }
}

/// Marks the truth tests that occur more than once in `tests` (the tests
/// of one rule, evaluated to their effective boolean values with the same
/// focus, the rule's context element, and the same variables) as
/// [`Op::Shared`], equal ones under one slot, so that one firing of the
/// rule computes each once: the official rules often say `not(A) or A and
/// B`, repeat a condition in both halves of an `or`, or ask the same
/// question in several asserts of a rule. Only the tests and their truth
/// operands (`truth_operands`) are shared, so a kept truth is the one the
/// repeated test would have had. Returns the number of slots used.
pub fn share_repeated_tests(tests: &mut [&mut Op]) -> u32 {
    mark_repeated(
        tests,
        &Repeats {
            operands: truth_operands,
            worth: worth_sharing,
            mark: Op::Shared,
        },
    )
}

/// What [`mark_repeated`] looks at and how it marks what repeats.
struct Repeats {
    /// The operands to look into, all with the focus and variables of the
    /// expression they belong to.
    operands: fn(&mut Op) -> Vec<&mut Op>,
    /// Whether an expression is worth computing only once.
    worth: fn(&Op) -> bool,
    /// The marked form of an expression, under a slot.
    mark: fn(Box<Op>, u32) -> Op,
}

/// Marks the expressions `r.worth` accepts that occur more than once in
/// `tests` (found from each test through `r.operands`), equal ones (by
/// structure) under one slot. Returns the number of slots used.
fn mark_repeated(tests: &mut [&mut Op], r: &Repeats) -> u32 {
    fn count(op: &mut Op, r: &Repeats, seen: &mut HashMap<String, u32>) {
        if (r.worth)(op) {
            *seen.entry(format!("{op:?}")).or_default() += 1;
        }
        for x in (r.operands)(op) {
            count(x, r, seen);
        }
    }
    // the key is taken before the operands are marked: equal expressions
    // are recognised by their unmarked structure, as they were counted
    fn mark(op: &mut Op, r: &Repeats, seen: &HashMap<String, u32>, slots: &mut HashMap<String, u32>) {
        let key = (r.worth)(op)
            .then(|| format!("{op:?}"))
            .filter(|k| seen.get(k).is_some_and(|n| *n > 1));
        for x in (r.operands)(op) {
            mark(x, r, seen, slots);
        }
        if let Some(key) = key {
            let next = slots.len() as u32;
            let slot = *slots.entry(key).or_insert(next);
            let inner = std::mem::replace(op, Op::Empty);
            *op = (r.mark)(Box::new(inner), slot);
        }
    }
    let mut seen = HashMap::new();
    for test in tests.iter_mut() {
        count(test, r, &mut seen);
    }
    let mut slots = HashMap::new();
    if seen.values().any(|n| *n > 1) {
        for test in tests.iter_mut() {
            mark(test, r, &seen, &mut slots);
        }
    }
    slots.len() as u32
}

/// The operands of `op` that are evaluated with its own focus and
/// variables: not predicates, the right side of a path, the body of a `for`
/// or a quantifier, or what a per-document or name-only expression holds.
fn same_focus_operands(op: &mut Op) -> Vec<&mut Op> {
    match op {
        Op::Seq(v) | Op::Call(_, v) | Op::UserCall(_, v) => v.iter_mut().collect(),
        Op::Path(l, _) | Op::Filter(l, _) | Op::For(_, l, _) | Op::Quant(_, _, l, _) => vec![&mut **l],
        Op::MatchesConst(a, _)
        | Op::TokenIn(a, ..)
        | Op::Neg(a)
        | Op::Cast(a, ..)
        | Op::Castable(a, ..)
        | Op::InstanceOf(a, _)
        | Op::Treat(a, _)
        | Op::Direct(_, a)
        | Op::Shared(a, _) => vec![&mut **a],
        Op::Or(a, b)
        | Op::And(a, b)
        | Op::General(_, a, b, _)
        | Op::Value(_, a, b)
        | Op::NodeCmp(_, a, b)
        | Op::Range(a, b)
        | Op::Arith(_, a, b)
        | Op::Union(a, b)
        | Op::Intersect(a, b)
        | Op::Except(a, b) => vec![&mut **a, &mut **b],
        Op::If(a, b, c) => vec![&mut **a, &mut **b, &mut **c],
        _ => Vec::new(),
    }
}

/// Whether `op` only moves along child, attribute, parent and self axes
/// without predicates (`../cbc:X`, `cac:A/cbc:B/@c`, `../(cbc:X | cbc:Y)`):
/// a few nodes, found without an error.
fn plain_short_path(op: &Op) -> bool {
    match op {
        Op::Step(s) => {
            s.preds.is_empty() && matches!(s.axis, Axis::Child | Axis::Attribute | Axis::Parent | Axis::SelfAxis)
        }
        Op::Path(l, r) | Op::Union(l, r) => plain_short_path(l) && plain_short_path(r),
        _ => false,
    }
}

/// Whether a value is worth keeping for the other tests of a rule: a plain
/// short path of more than one step (one step is read in place anyway), or
/// a cast of a plain short path (`xs:decimal(cbc:Percent)`).
fn worth_keeping(op: &Op) -> bool {
    match op {
        Op::Path(..) => plain_short_path(op),
        Op::Cast(a, ..) => plain_short_path(a),
        _ => false,
    }
}

/// Marks the values that the tests of one rule compute more than once with
/// the rule's focus (`cac:Item/cac:ClassifiedTaxCategory/cbc:ID`, compared
/// with `'E'` in one assert and `'S'` in the next; `xs:decimal(cbc:Percent)`)
/// as [`Op::Kept`], equal ones under one slot, so that one firing of the
/// rule computes each once. Only values `worth_keeping` accepts are kept: they
/// are the same however they are asked for (whole or lazily), and an error
/// (a failed cast) is not kept but raised again each time. Run after
/// [`share_repeated_tests`]. Returns the number of slots used.
pub fn keep_repeated_values(tests: &mut [&mut Op]) -> u32 {
    mark_repeated(
        tests,
        &Repeats {
            operands: same_focus_operands,
            worth: worth_keeping,
            mark: Op::Kept,
        },
    )
}

/// Visits an expression tree. With `all`, every sub-expression is visited;
/// without, only those evaluated with the same focus (not predicates, the
/// right side of a path, or a per-document expression), so that `position()`
/// found there belongs to the expression itself.
fn visit(op: &Op, all: bool, f: &mut dyn FnMut(&Op)) {
    f(op);
    let mut go = |x: &Op| visit(x, all, f);
    match op {
        Op::Seq(v) | Op::Call(_, v) | Op::UserCall(_, v) => v.iter().for_each(go),
        Op::Path(l, r) => {
            go(l);
            if all {
                go(r);
            }
        }
        Op::Filter(b, preds) => {
            go(b);
            if all {
                preds.iter().for_each(go);
            }
        }
        Op::Step(s) if all => s.preds.iter().for_each(go),
        Op::PerDocument(a, ..) if all => go(a),
        Op::NameOnly(a, _) if all => go(a),
        Op::Shared(a, _) | Op::Kept(a, _) => go(a),
        Op::MatchesConst(a, _)
        | Op::TokenIn(a, ..)
        | Op::Neg(a)
        | Op::Cast(a, ..)
        | Op::Castable(a, ..)
        | Op::InstanceOf(a, _)
        | Op::Direct(_, a)
        | Op::Treat(a, _) => go(a),
        Op::Or(a, b)
        | Op::And(a, b)
        | Op::General(_, a, b, _)
        | Op::Value(_, a, b)
        | Op::NodeCmp(_, a, b)
        | Op::Range(a, b)
        | Op::Arith(_, a, b)
        | Op::Union(a, b)
        | Op::Intersect(a, b)
        | Op::Except(a, b)
        | Op::For(_, a, b)
        | Op::Quant(_, _, a, b) => {
            go(a);
            go(b);
        }
        Op::If(a, b, c) => {
            go(a);
            go(b);
            go(c);
        }
        _ => {}
    }
}

/// Static cardinality: can the expression yield at most one item?
/// (Conservative, mirroring the inference of the official processor for the
/// forms the rule files use.)
pub fn at_most_one(op: &Op) -> bool {
    match op {
        Op::Const(_) | Op::Empty | Op::Context | Op::Root => true,
        Op::Or(..) | Op::And(..) | Op::General(..) | Op::Value(..) | Op::NodeCmp(..) => true,
        Op::Arith(..) | Op::Neg(_) | Op::Cast(..) | Op::Castable(..) | Op::InstanceOf(..) | Op::MatchesConst(..) => {
            true
        }
        Op::Call(b, _) => !matches!(
            b,
            Builtin::Reverse
                | Builtin::DistinctValues
                | Builtin::Data
                | Builtin::Tokenize
                | Builtin::StringToCodepoints
                | Builtin::Subsequence
                | Builtin::IndexOf
                | Builtin::InsertBefore
                | Builtin::Remove
                | Builtin::OneOrMore
                | Builtin::Unordered
                | Builtin::Trace
        ),
        Op::Filter(base, preds) => at_most_one(base) || preds.iter().any(|p| matches!(p, Op::Const(Const::Integer(_)))),
        Op::Step(s) => {
            matches!(s.axis, Axis::SelfAxis | Axis::Parent)
                || s.preds.iter().any(|p| matches!(p, Op::Const(Const::Integer(_))))
        }
        Op::Path(l, r) => at_most_one(l) && at_most_one(r),
        Op::If(_, t, e) => at_most_one(t) && at_most_one(e),
        Op::Shared(..) => true,
        Op::Kept(inner, _) => at_most_one(inner),
        _ => false,
    }
}

/// Whether an expression is a constant the official processor computes when
/// it compiles it: literals, and sequences, ranges, arithmetic and casts of
/// them (not function calls but `true()` and `false()`).
pub(crate) fn constant(op: &Op) -> bool {
    match op {
        Op::Const(_) | Op::Empty => true,
        Op::Call(Builtin::True | Builtin::False, args) => args.is_empty(),
        Op::Seq(items) => items.iter().all(constant),
        Op::Range(a, b) | Op::Arith(_, a, b) => constant(a) && constant(b),
        Op::Neg(a) | Op::Cast(a, ..) => constant(a),
        _ => false,
    }
}

/// The numeric type the official processor gives an expression when it
/// compiles it, as far as it decides how `div` divides two integers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StaticNum {
    Integer,
    Decimal,
    Double,
    /// A constant that is an integer or a decimal: the processor computes
    /// it when it compiles the expression, so its type is that of its
    /// value, and pintae's values have the same types at run time.
    Exact,
}

/// The numeric type the official processor infers for `op` ([`StaticNum`]);
/// `None` where pintae does not follow its inference (the operator then
/// goes by the values' own types, as the processor does for an operand of
/// unknown type).
fn static_numeric(op: &Op) -> Option<StaticNum> {
    use StaticNum::*;
    if constant(op) {
        return match op {
            Op::Const(Const::Integer(_)) => Some(Integer),
            Op::Const(Const::Decimal(_) | Const::BigDecimal(_)) => Some(Decimal),
            Op::Const(Const::Double(_)) | Op::Cast(_, AtomicType::Double, _) => Some(Double),
            Op::Cast(_, AtomicType::Integer, _) => Some(Integer),
            Op::Cast(_, AtomicType::Decimal, _) => Some(Exact),
            Op::Neg(x) => static_numeric(x),
            Op::Arith(_, a, b) => match (static_numeric(a)?, static_numeric(b)?) {
                (Double, _) | (_, Double) => Some(Double),
                _ => Some(Exact),
            },
            _ => None,
        };
    }
    match op {
        Op::Cast(_, AtomicType::Decimal, _) => Some(Decimal),
        Op::Cast(_, AtomicType::Integer, _) | Op::Call(Builtin::Count | Builtin::StringLength, _) => Some(Integer),
        Op::Cast(_, AtomicType::Double, _) | Op::Call(Builtin::Number, _) => Some(Double),
        Op::Neg(x) => static_numeric(x),
        Op::Call(
            Builtin::Abs | Builtin::Floor | Builtin::Ceiling | Builtin::Round | Builtin::RoundHalfToEven,
            args,
        ) => args.first().and_then(static_numeric),
        Op::Arith(ArithOp::IDiv, ..) => Some(Integer),
        Op::Arith(op, a, b) => match (op, static_numeric(a)?, static_numeric(b)?) {
            (_, Double, _) | (_, _, Double) => Some(Double),
            (ArithOp::Div | ArithOp::DecimalDiv, ..) | (_, Decimal, _) | (_, _, Decimal) => Some(Decimal),
            (_, Integer, Integer) => Some(Integer),
            // an integer and a constant of either type
            _ => None,
        },
        _ => None,
    }
}

/// Whether the official processor divides `l div r` with its decimal
/// division: the operands' static types are both integer or decimal, at
/// least one decimal, and not both computed when it compiles.
fn decimal_division(l: &Op, r: &Op) -> bool {
    use StaticNum::*;
    match (static_numeric(l), static_numeric(r)) {
        (Some(x), Some(y)) => {
            x != Double && y != Double && (x == Decimal || y == Decimal) && !(constant(l) && constant(r))
        }
        _ => false,
    }
}

/// Whether an expression refers to any variable.
fn uses_vars(op: &Op) -> bool {
    let mut found = false;
    visit(op, true, &mut |o| {
        if matches!(o, Op::Var(_)) {
            found = true;
        }
    });
    found
}

/// Whether `op`, the last part of a path, gives at most one atomic value
/// for each node it is evaluated on, without looking at the focus's
/// position or size: a function that returns one atomic value, or a cast,
/// over operands that are paths, literals, variables or such functions.
pub(crate) fn one_atomic_per_node(op: &Op) -> bool {
    fn focus_free(op: &Op) -> bool {
        match op {
            Op::Const(_) | Op::Var(_) | Op::Context | Op::Root | Op::Step(_) => true,
            // a step's right side has a focus of its own
            Op::Path(l, _) => focus_free(l),
            Op::Cast(inner, ..) => focus_free(inner),
            Op::Call(b, args) => !matches!(b, Builtin::Position | Builtin::Last) && args.iter().all(focus_free),
            _ => false,
        }
    }
    match op {
        Op::Call(b, args) => b.single_atomic() && args.iter().all(focus_free),
        Op::Cast(inner, ..) => focus_free(inner),
        _ => false,
    }
}

/// Whether the value of an expression depends only on the document: a path
/// from the root whose later steps use no variables (they only see the focus
/// the path itself gives them).
fn document_invariant(op: &Op) -> bool {
    match op {
        Op::Root | Op::PerDocument(..) => true,
        Op::Path(l, r) => document_invariant(l) && !uses_vars(r),
        Op::Filter(b, preds) => document_invariant(b) && !preds.iter().any(uses_vars),
        Op::Union(a, b) => document_invariant(a) && document_invariant(b),
        _ => false,
    }
}

#[cfg(test)]
mod name_table {
    use super::{NameTable, MAX_DOCUMENT_NAMES, MAX_NAMES, NO_SYM};

    #[test]
    fn numbers_each_name_once_and_stops_when_full() {
        let mut t = NameTable::default();
        let a = t.intern(Some("urn:a"), "ID");
        assert_eq!(t.intern(Some("urn:a"), "ID"), a, "the same name keeps its number");
        assert_ne!(t.intern(Some("urn:b"), "ID"), a, "another namespace is another name");
        assert_ne!(t.intern(None, "ID"), a, "no namespace is another name");
        for i in t.len()..MAX_NAMES {
            assert_ne!(t.intern(None, &format!("n{i}")), NO_SYM);
        }
        assert_eq!(t.len(), MAX_NAMES);
        assert_eq!(
            t.intern(None, "one-too-many"),
            NO_SYM,
            "a full table numbers no new name"
        );
        assert_eq!(t.lookup(None, "one-too-many"), NO_SYM);
        assert_eq!(t.intern(Some("urn:a"), "ID"), a, "names already in keep their numbers");
        assert_eq!(t.lookup(Some("urn:a"), "ID"), a);
        let ns = t
            .namespace_id(Some("urn:a"))
            .expect("a numbered name's namespace has an id");
        assert_eq!(t.lookup_in(ns, "ID"), a);
        assert_eq!(t.namespace_id(Some("urn:never")), None);
        assert_ne!(t.namespace_id(None), Some(ns), "no namespace is another namespace");
    }

    #[test]
    fn takes_a_bounded_number_of_names_from_documents() {
        let mut t = NameTable::default();
        let a = t.intern(Some("urn:a"), "ID");
        assert!(!t.learn(Some("urn:a"), "ID"), "a known name is not learned again");
        assert_eq!(t.lookup(Some("urn:a"), "ID"), a);
        assert!(t.learn(Some("urn:a"), "Telephone"));
        let learned = t.lookup(Some("urn:a"), "Telephone");
        assert!(learned != NO_SYM && learned != a);
        assert!(t.learn(Some("urn:unknown"), "Telephone"), "a name in a new namespace");
        assert_ne!(t.lookup(Some("urn:unknown"), "Telephone"), learned);
        for i in 2..MAX_DOCUMENT_NAMES {
            assert!(t.learn(None, &format!("n{i}")), "name {i} of {MAX_DOCUMENT_NAMES}");
        }
        assert!(!t.learns());
        assert!(!t.learn(None, "one-too-many"), "documents add no more names");
        assert_eq!(t.lookup(None, "one-too-many"), NO_SYM);
        // compiled expressions still do
        assert_ne!(t.intern(None, "one-too-many"), NO_SYM);
        assert_eq!(
            t.lookup(Some("urn:a"), "Telephone"),
            learned,
            "learned names keep their numbers"
        );
    }
}

#[cfg(test)]
mod keyed_paths {
    use super::{Compiler, Op, StaticContext};

    /// The key index of each keyed per-document path in `exprs`, compiled
    /// with one context (`None` for a path without a keyed form).
    fn indexes(exprs: &[&str]) -> Vec<Option<u32>> {
        let mut sc = StaticContext::new();
        sc.namespaces.insert("a".into(), "urn:a".into());
        let mut c = Compiler::new(&sc);
        c.scope.push("v".into());
        exprs
            .iter()
            .map(|e| {
                let ast = crate::xpath::parser::parse(e).expect("parses");
                match c.compile(&ast).expect("compiles") {
                    Op::PerDocument(_, _, k, _) => k.map(|k| k.index),
                    _ => None,
                }
            })
            .collect()
    }

    #[test]
    fn same_base_and_key_share_an_index_across_literals() {
        let got = indexes(&[
            "//a:L[a:ID = 'S']",
            "//a:L['E' = a:ID]",
            "//a:L[normalize-space(a:ID) = 'S']",
            "//a:L/a:T[a:ID = 'S']",
        ]);
        assert!(got.iter().all(Option::is_some), "{got:?}");
        assert_eq!(got[0], got[1], "another literal, the same index");
        assert_ne!(got[0], got[2], "another key");
        assert_ne!(got[0], got[3], "another base");
    }

    #[test]
    fn positional_numeric_and_variable_predicates_are_not_keyed() {
        assert_eq!(
            indexes(&[
                "//a:L[a:ID = 'S'][1]",
                "//a:L[a:ID = 1]",
                "//a:L[a:ID = $v]",
                "//a:L[position() = 1 and a:ID = 'S']",
                "//a:L[a:ID != 'S']",
            ]),
            vec![None; 5]
        );
    }
}

#[cfg(test)]
mod code_lists {
    use super::{Compiler, Op, StaticContext};

    /// For each expression: `None` when it is not a code-list lookup, else
    /// whether it is the one-lookup form of the whole code-list test.
    fn forms(exprs: &[&str]) -> Vec<Option<bool>> {
        let sc = StaticContext::new();
        exprs
            .iter()
            .map(|e| {
                let ast = crate::xpath::parser::parse(e).expect("parses");
                match Compiler::new(&sc).compile(&ast).expect("compiles") {
                    Op::TokenIn(_, _, spaceless) => Some(spaceless),
                    _ => None,
                }
            })
            .collect()
    }

    #[test]
    fn the_whole_code_list_test_is_one_lookup_only_on_one_normalized_value() {
        assert_eq!(
            forms(&[
                "contains(' A B ', concat(' ', @c, ' '))",
                "not(contains(normalize-space(@c), ' ')) and contains(' A B ', concat(' ', normalize-space(@c), ' '))",
                // another value on each side, no normalize-space, another
                // separator, the conjuncts the other way round
                "not(contains(normalize-space(@c), ' ')) and contains(' A B ', concat(' ', normalize-space(@d), ' '))",
                "not(contains(@c, ' ')) and contains(' A B ', concat(' ', @c, ' '))",
                "not(contains(normalize-space(@c), ',')) and contains(' A B ', concat(' ', normalize-space(@c), ' '))",
                "contains(' A B ', concat(' ', normalize-space(@c), ' ')) and not(contains(normalize-space(@c), ' '))",
            ]),
            vec![Some(false), Some(true), None, None, None, None]
        );
    }
}

#[cfg(test)]
mod shared_tests {
    use super::{keep_repeated_values, share_repeated_tests, Compiler, Op, StaticContext};
    use crate::xpath::{Evaluator, Focus, Library, XNode};

    fn compiled(e: &str) -> Op {
        let ast = crate::xpath::parser::parse(e).expect("parses");
        Compiler::new(&StaticContext::new()).compile(&ast).expect("compiles")
    }

    /// The slots of each shared test, in the order they are met (left to
    /// right, inner before outer), and how many slots there are.
    fn shared(e: &str) -> (Vec<u32>, u32) {
        fn walk(op: &Op, out: &mut Vec<u32>) {
            match op {
                Op::Shared(inner, slot) => {
                    walk(inner, out);
                    out.push(*slot);
                }
                Op::And(l, r) | Op::Or(l, r) => {
                    walk(l, out);
                    walk(r, out);
                }
                Op::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
                _ => {}
            }
        }
        let mut op = compiled(e);
        let n = share_repeated_tests(&mut [&mut op]);
        let mut slots = Vec::new();
        walk(&op, &mut slots);
        (slots, n)
    }

    #[test]
    fn truth_tests_repeated_with_the_same_focus_share_a_slot() {
        assert_eq!(shared("not(a) or a and b"), (vec![0, 0], 1));
        // an `or` of shared tests is not shared itself: its operands are
        assert_eq!(
            shared("(a = 'x' or c) and d or not(a = 'x' or c)"),
            (vec![0, 1, 0, 1], 2)
        );
        assert_eq!(shared("boolean(a) and not(b) or b"), (vec![0, 0], 1));
        // a test that occurs once, or only as the whole test, is left alone
        assert_eq!(shared("not(a) or b"), (vec![], 0));
        assert_eq!(shared("a"), (vec![], 0));
        // constants and calls without arguments are not worth a slot
        assert_eq!(shared("true() or a and true()"), (vec![], 0));
        assert_eq!(shared("1 or a and 1"), (vec![], 0));
    }

    #[test]
    fn the_tests_of_a_rule_share_slots() {
        let (mut a, mut b, mut c) = (compiled("x = 1 or y"), compiled("not(x = 1) or z"), compiled("y and w"));
        assert_eq!(share_repeated_tests(&mut [&mut a, &mut b, &mut c]), 2);
        let slot = |op: &Op| match op {
            Op::Or(l, _) | Op::And(l, _) => match &**l {
                Op::Shared(_, s) => Some(*s),
                Op::Call(_, args) => match args.first() {
                    Some(Op::Shared(_, s)) => Some(*s),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        assert_eq!((slot(&a), slot(&b), slot(&c)), (Some(0), Some(0), Some(1)));
    }

    /// How many values each test of a rule keeps, and how many slots.
    fn kept(exprs: &[&str]) -> (Vec<usize>, u32) {
        fn count(op: &Op) -> usize {
            let mut n = 0;
            super::visit(op, true, &mut |o| n += usize::from(matches!(o, Op::Kept(..))));
            n
        }
        let mut ops: Vec<Op> = exprs.iter().map(|e| compiled(e)).collect();
        let mut refs: Vec<&mut Op> = ops.iter_mut().collect();
        let slots = keep_repeated_values(&mut refs);
        (ops.iter().map(count).collect(), slots)
    }

    #[test]
    fn values_a_rule_computes_twice_with_its_focus_are_kept() {
        assert_eq!(kept(&["a/b = 'E'", "a/b = 'S' or c"]), (vec![1, 1], 1));
        assert_eq!(
            kept(&["xs:decimal(p) > 0", "xs:decimal(p) = 5 and ../x/@y"]),
            (vec![1, 1], 1)
        );
        assert_eq!(kept(&["../(x | y) = '81' or ../(x | y) = '480'"]), (vec![2], 1));
        // once only, a single step (read in place), a path with a predicate
        // or a descendant step (walked lazily), under a predicate, in a
        // quantifier's body
        for exprs in [
            &["a/b = 'E'", "a/c = 'E'"][..],
            &["b = 'E'", "b = 'S'"],
            &["a[1]/b = 'E'", "a[1]/b = 'S'"],
            &["a//b = 'E'", "a//b = 'S'"],
            &["x[a/b = 'E']", "x[a/b = 'S']"],
            &["every $v in x satisfies a/b = $v", "a/b"],
        ] {
            let (per_test, slots) = kept(exprs);
            assert_eq!(slots, 0, "{exprs:?}");
            assert!(per_test.iter().all(|n| *n == 0), "{exprs:?}");
        }
    }

    #[test]
    fn kept_values_give_the_plain_tests_answers_and_errors_on_every_node() {
        let xml = "<r><e><a><b>E</b></a><p>5</p></e><e><a><b>S</b><b>E</b></a><p>x</p></e><e><p>0.0</p></e><e/></r>";
        let doc = roxmltree::Document::parse(xml).expect("parses");
        let lib = Library::default();
        let exprs = [
            "a/b = 'E'",
            "a/b = 'S' or xs:decimal(p) > 1",
            "xs:decimal(p) = 5 or not(a/b)",
        ];
        let plain: Vec<Op> = exprs.iter().map(|e| compiled(e)).collect();
        let mut kept: Vec<Op> = exprs.iter().map(|e| compiled(e)).collect();
        let slots = {
            let mut refs: Vec<&mut Op> = kept.iter_mut().collect();
            keep_repeated_values(&mut refs)
        };
        assert_eq!(slots, 2);
        let mut ev = Evaluator::new(&lib);
        for n in doc.root_element().children().filter(|n| n.is_element()) {
            let focus = Focus::node(XNode::new(n));
            ev.begin_rule(0, slots);
            for (p, k) in plain.iter().zip(&kept) {
                let want = ev.ebv(p, &focus).map_err(|e| e.code);
                let got = ev.ebv(k, &focus).map_err(|e| e.code);
                assert_eq!(got, want, "{p:?} on node {}", n.id().get());
            }
        }
    }

    #[test]
    fn tests_under_another_focus_or_variable_are_not_shared() {
        // in a predicate, a quantifier's body, a function argument other
        // than not() and boolean(), and an if's branches the focus or the
        // variables differ, or the test is not a truth test
        for e in [
            "x[a] and a",
            "(every $v in x satisfies a) and a",
            "count(a) = 1 and a",
            "(if (c) then a else b) and a and b",
        ] {
            assert_eq!(shared(e), (vec![], 0), "{e}");
        }
    }

    #[test]
    fn shared_truths_are_those_of_the_plain_test_on_every_node() {
        let xml = "<r><e><a>1</a></e><e><b>2</b></e><e><a>x</a><b/></e><e/></r>";
        let doc = roxmltree::Document::parse(xml).expect("parses");
        let lib = Library::default();
        for e in [
            "not(a) or a and b",
            "(a = 1 or b) and b or not(a = 1 or b)",
            "not(a > 0) or a > 0 and exists(b)",
        ] {
            let plain = compiled(e);
            let mut shared = compiled(e);
            let slots = share_repeated_tests(&mut [&mut shared]);
            assert!(slots > 0, "{e}");
            let mut ev = Evaluator::new(&lib);
            for n in doc.root_element().children().filter(|n| n.is_element()) {
                let focus = Focus::node(XNode::new(n));
                let want = ev.ebv(&plain, &focus).map_err(|e| e.code);
                ev.begin_rule(slots, 0);
                let got = ev.ebv(&shared, &focus).map_err(|e| e.code);
                assert_eq!(
                    got,
                    want,
                    "{e} on {:?}",
                    n.children().map(|c| c.tag_name().name()).collect::<Vec<_>>()
                );
            }
        }
    }
}
