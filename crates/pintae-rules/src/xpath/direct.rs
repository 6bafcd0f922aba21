//! Truth tests answered directly from the document's indexes.
//!
//! Most of a check's tests ask simple questions of the context element:
//! whether a path has a node (`cac:TaxCategory/cbc:ID`), how many
//! (`count(cac:TaxTotal) = 1`), whether some text equals a literal
//! (`cac:TaxCategory/normalize-space(cbc:ID) = 'S'`), joined by `and`, `or`
//! and `not`. The evaluator answers them through its general machinery
//! (sequences of items, atomization, the comparison rules of every type),
//! which costs several times what the question does. [`lower`] rewrites such
//! a test into a [`Direct`] form, and the evaluator answers that over the
//! node ids of its per-document indexes, comparing texts in place.
//!
//! A direct answer is only ever given when it is certain to be the
//! evaluator's: anything out of the ordinary (a text split over several
//! nodes, a very wide element, a string function given two nodes or a text
//! that is not a boolean, where the evaluator raises an error) makes the
//! direct evaluation give up, and the evaluator then evaluates the original
//! expression, which [`Op::Direct`] keeps beside its direct form. `and`,
//! `or` and predicates are taken left to right and stop where the
//! evaluator's stop. A walk over the nodes of a path stops at the first
//! node that decides only where nothing it skips could raise an error
//! ([`fallible`]); elsewhere it goes over every node, so that the answer
//! does not depend on the order in which the evaluator takes them.

use std::sync::Arc;

use super::ast::Axis;
use super::compile::{Const, NodeTest, NsTest, Op, StepOp, TokenSet, NO_SYM};
use super::functions::Builtin;
use super::value::{ArithOp, AtomicType, CmpOp};

/// A truth test in direct form.
#[derive(Debug, Clone)]
pub enum Direct {
    /// The path has a node.
    Exists(DPath),
    /// `count(path) ⋈ k`, the literal on the left when the flag is set.
    Count(DPath, CmpOp, i128, bool),
    /// A general comparison of texts with string literals (`= 'S'`,
    /// `= ('O', 'E')`): some text and some literal compare true.
    Text {
        /// The texts compared.
        values: Values,
        /// The operator.
        op: CmpOp,
        /// The literals.
        literals: Box<[Box<str>]>,
        /// Whether the literals are the left operand.
        literal_first: bool,
    },
    /// A general comparison of the texts of two paths of nodes (both
    /// untyped, so compared as strings), neither of which can raise an
    /// error.
    Pair(DPath, CmpOp, DPath),
    /// `path = true()` and the like: the nodes' texts read as booleans and
    /// compared (`=` when the flag is set, else `!=`) with the literal.
    Boolean(DPath, bool, bool),
    /// A text that is not empty: `normalize-space(x)` or `upper-case(x)`
    /// as a truth.
    NonEmpty(Single),
    /// `starts-with(x, 'lit')`, `ends-with` or `contains`.
    Affix(Single, Affix, Box<str>),
    /// `matches(x, 'pattern')` with the pattern compiled once.
    Matches(Single, Arc<regex::Regex>),
    /// The code-list test ([`Op::TokenIn`]).
    Token(Single, Arc<TokenSet>, bool),
    /// `string-length(x) ⋈ k`, the literal on the left when the flag is set.
    Length(Single, CmpOp, i128, bool),
    /// `x castable as T` (`T?` when the flag is set).
    Castable(Single, AtomicType, bool),
    /// A general comparison of the nodes' texts, or of the one node's text
    /// cast to a type (`xs:decimal(x) > 0`), with a literal that is not a
    /// string (a number): by the evaluator's rules for such a pair.
    Number(Numeric),
    /// `not(…)`.
    Not(Box<Direct>),
    /// `… and …`.
    And(Box<Direct>, Box<Direct>),
    /// `… or …`.
    Or(Box<Direct>, Box<Direct>),
    /// Either is true, both evaluated (the two sides of a union, which the
    /// evaluator computes whole).
    Both(Box<Direct>, Box<Direct>),
    /// A general comparison of two values of at most one item each
    /// (`xs:decimal(cbc:X) = round(sum(…) * 100) div 100`), with the
    /// compiler's flag that an operand is statically one item.
    Compare(CmpOp, DValue, DValue, bool),
    /// The effective boolean value of a value (`xs:decimal(cbc:X) and …`).
    Value(DValue),
    /// A test the rule's asserts share ([`Op::Shared`]), kept under the
    /// slot for the rest of the rule's firing, like the evaluator's.
    Shared(Box<Direct>, u32),
}

/// A value in direct form: the empty sequence or one atomic value. Two
/// items where one is allowed, a cast that fails, arithmetic that
/// overflows: every error of the evaluator's makes the direct evaluation
/// give up, and only values computed without one are ever used.
#[derive(Debug, Clone)]
pub enum DValue {
    /// A literal.
    Const(Const),
    /// The (at most one) node of a path, atomized.
    Node(DPath),
    /// The (at most one) node of a path cast to a type (the empty sequence
    /// allowed when the flag is set: `xs:decimal(…)`).
    Cast(DPath, AtomicType, bool),
    /// Arithmetic on two values.
    Arith(ArithOp, Box<DValue>, Box<DValue>),
    /// `abs`, `round`, `floor` or `ceiling` of a value.
    Rounded(Builtin, Box<DValue>),
    /// The casts from each node of a path (`A/xs:decimal(B)`), of which
    /// there must be at most one.
    Mapped(DPath, EachCast),
    /// `sum` of the atomized nodes of a path, or of a cast from each of them
    /// (`sum(A/xs:decimal(B))`).
    Sum(DPath, Option<EachCast>),
    /// `number()` of the (at most one) node of a path: its text as a
    /// double, NaN for none or for a text that is not a number.
    Number(DPath),
    /// Arithmetic (or `abs`, `round`, `floor`, `ceiling` of it) whose value,
    /// when there is one, is certainly an `xs:double` by its operands'
    /// static types (an untyped text or a double beside a number): computed
    /// on doubles throughout, as the evaluator's rules would.
    Double(Box<DValue>),
    /// A variable of at most one item, in its slot (`[… = $rate]` in a
    /// quantifier's body). A predicate with one is answered directly where
    /// the evaluator takes it, node by node, but is never part of a path's
    /// direct walk (see [`mentions_variable`]).
    Var(usize),
}

/// The cast `A/xs:decimal(B)` makes from each node of `A`: the path to the
/// one node cast (`B`), the type, and whether `B` may be absent.
pub type EachCast = (DPath, AtomicType, bool);

/// A comparison of node texts with a literal number ([`Direct::Number`]).
#[derive(Debug, Clone)]
pub struct Numeric {
    /// The nodes.
    pub path: DPath,
    /// The one node's text cast to this type (with whether the empty
    /// sequence is allowed), else each node's text as it is.
    pub cast: Option<(AtomicType, bool)>,
    /// The operator.
    pub op: CmpOp,
    /// The literal.
    pub literal: Const,
    /// Whether the literal is the left operand.
    pub literal_first: bool,
    /// The compiler's flag: an operand is statically one item.
    pub single: bool,
}

/// Which of `starts-with`, `ends-with` and `contains`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affix {
    /// `starts-with`
    Start,
    /// `ends-with`
    End,
    /// `contains`
    Within,
}

/// The texts a comparison looks at.
#[derive(Debug, Clone)]
pub enum Values {
    /// The string value of each node of the path.
    Nodes(DPath),
    /// One text (see [`Single`]).
    One(Single),
    /// `a/f(b)`: for each node of `a`, the text `f(b)` gives from it.
    Mapped(DPath, Single),
}

/// The one text a string function is given: the string value of the (at
/// most one) node of a path, `""` for none, through `normalize-space` and
/// `upper-case` when the flags say so (`upper-case` outside, but for the
/// ASCII texts it is answered for, the order does not matter).
#[derive(Debug, Clone)]
pub struct Single {
    /// The path.
    pub path: DPath,
    /// Through `normalize-space`.
    pub normalized: bool,
    /// Through `upper-case`.
    pub upper: bool,
    /// Through `string`.
    pub string: bool,
}

impl Single {
    /// The bare path, through no function: its absence is the empty
    /// sequence, not `""`.
    pub fn bare(&self) -> bool {
        !(self.normalized || self.upper || self.string)
    }
}

/// A path of steps from the context element or the document node.
#[derive(Debug, Clone)]
pub struct DPath {
    /// From the document node (`/…`) rather than the context node.
    pub from_document: bool,
    /// The element steps, in order.
    pub steps: Box<[DStep]>,
    /// A last step to an attribute: its namespace and local name.
    pub attribute: Option<(Option<Box<str>>, Box<str>)>,
    /// Some predicate may raise an error (see [`fallible`]): the path is
    /// then walked whole, never stopped at a node that decides.
    pub fallible: bool,
    /// Nested loops over the steps reach each node once (steps to one node
    /// come first, a descendant or ancestor step is last), which counting
    /// needs.
    pub distinct: bool,
}

impl DPath {
    fn context() -> DPath {
        DPath {
            from_document: false,
            steps: Box::new([]),
            attribute: None,
            fallible: false,
            distinct: true,
        }
    }

    /// Whether a walk reaches the path's nodes in document order, once
    /// each: nested loops over steps that go down, after those that go to
    /// one node (not up through the ancestors, which come nearest first).
    pub fn in_document_order(&self) -> bool {
        self.distinct && !self.steps.iter().any(|s| matches!(s.kind, DKind::Ancestor(_)))
    }

    /// Whether the path reaches at most one node: its steps go to the
    /// node itself or its parent, and an attribute is one of a name.
    fn at_most_one(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.kind, DKind::SelfNode | DKind::Parent | DKind::ParentNamed(_)))
    }
}

impl Single {
    /// Whether computing the text may raise an error: its path may have two
    /// nodes, or a predicate that may.
    pub fn fallible(&self) -> bool {
        self.path.fallible || !self.path.at_most_one()
    }
}

/// Whether evaluating `d` may raise an error in the evaluator (a string
/// function given two nodes, a text that is not a boolean): where it may,
/// walks that could stop at the first node that decides go on over every
/// node, so that the direct answer is given only when no node raises one,
/// whichever order the evaluator takes them in.
pub fn fallible(d: &Direct) -> bool {
    match d {
        Direct::Exists(p) | Direct::Count(p, ..) => p.fallible,
        Direct::Text { values, .. } => match values {
            Values::Nodes(p) => p.fallible,
            Values::One(one) => one.fallible(),
            Values::Mapped(a, one) => a.fallible || one.fallible(),
        },
        Direct::Pair(..) => false,
        Direct::Boolean(..) => true,
        Direct::NonEmpty(one)
        | Direct::Affix(one, ..)
        | Direct::Matches(one, _)
        | Direct::Token(one, ..)
        | Direct::Length(one, ..) => one.fallible(),
        // the first two nodes, or one text: an error only in a predicate
        Direct::Castable(one, ..) => one.path.fallible || (!one.bare() && one.fallible()),
        // a text that is not a number is an error
        Direct::Number(_) => true,
        // casts, arithmetic and comparisons of values of any type
        Direct::Compare(..) | Direct::Value(_) => true,
        Direct::Not(d) | Direct::Shared(d, _) => fallible(d),
        Direct::And(l, r) | Direct::Or(l, r) | Direct::Both(l, r) => fallible(l) || fallible(r),
    }
}

/// Whether a direct test reads a variable ([`DValue::Var`]). Paths never
/// hold such a test in their predicates, so only values compared at the top
/// are looked at.
pub fn mentions_variable(d: &Direct) -> bool {
    fn value(v: &DValue) -> bool {
        match v {
            DValue::Var(_) => true,
            DValue::Arith(_, l, r) => value(l) || value(r),
            DValue::Rounded(_, x) | DValue::Double(x) => value(x),
            _ => false,
        }
    }
    match d {
        Direct::Compare(_, a, b, _) => value(a) || value(b),
        Direct::Value(v) => value(v),
        Direct::Not(d) | Direct::Shared(d, _) => mentions_variable(d),
        Direct::And(l, r) | Direct::Or(l, r) | Direct::Both(l, r) => mentions_variable(l) || mentions_variable(r),
        _ => false,
    }
}

/// A step of a [`DPath`] with its predicates, each a [`Direct`] test.
#[derive(Debug, Clone)]
pub struct DStep {
    /// Where the step goes.
    pub kind: DKind,
    /// Predicates, all of which a node must pass.
    pub preds: Box<[Direct]>,
    /// Only the first node that passes them, from each node the step
    /// starts at (a last predicate `[1]` on a child step).
    pub first: bool,
}

/// Where a [`DStep`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DKind {
    /// `child::name`, by the name's number.
    Child(u32),
    /// `(a | b)` for two child names, in document order.
    ChildEither(u32, u32),
    /// `child::*`.
    AnyChild,
    /// `child::text()`: the text children, in document order.
    TextChild,
    /// `..`
    Parent,
    /// `parent::name`
    ParentNamed(u32),
    /// `self::node()`
    SelfNode,
    /// `descendant::name`, by the name's number.
    Descendant(u32),
    /// `(//a | //b)` from the document: the elements of either name, in
    /// document order (the compiler's form of `//(a | b)`).
    DescendantEither(u32, u32),
    /// `ancestor::name`, by the name's number.
    Ancestor(u32),
}

/// Rewrites `op`, a truth test, into [`Op::Direct`] when it has a direct
/// form, and otherwise every truth test nested in it: the operands of `and`,
/// `or` and `not` wherever they are, the tests shared among a rule's
/// asserts, and the predicates that are never numbers (each keeps or drops
/// a node by its truth), also inside paths that are not themselves truth
/// tests (`sum(../cac:AllowanceCharge[cbc:ChargeIndicator = true()]/…)`).
pub fn lower(op: &mut Op) {
    if matches!(op, Op::Direct(..)) {
        return;
    }
    if let Some(d) = truth(op) {
        let original = std::mem::replace(op, Op::Empty);
        *op = Op::Direct(Box::new(d), Box::new(original));
        return;
    }
    nested(op);
}

/// Lowers the truth tests below `op`, itself not a truth test.
fn nested(op: &mut Op) {
    match op {
        Op::And(l, r) | Op::Or(l, r) => {
            lower(l);
            lower(r);
        }
        Op::Call(Builtin::Not | Builtin::Boolean, args) => args.iter_mut().for_each(lower),
        Op::Shared(inner, _) => lower(inner),
        Op::Step(s) => s.preds.iter_mut().for_each(predicate),
        Op::Filter(base, preds) => {
            nested(base);
            preds.iter_mut().for_each(predicate);
        }
        Op::PerDocument(inner, _, keyed, walked) => {
            nested(inner);
            if let Some(k) = keyed {
                nested(&mut k.base);
                nested(&mut k.key);
                // in document order, as the evaluator gives them
                k.direct = values(&k.key).filter(|v| match v {
                    Values::Nodes(p) | Values::Mapped(p, _) => p.in_document_order(),
                    Values::One(_) => true,
                });
            }
            // computed once per document: walked directly, predicates and
            // all, where the evaluator's general machinery would take it
            *walked = path_with(inner, true).filter(|p| p.from_document).map(Box::new);
        }
        Op::NameOnly(inner, _) | Op::Kept(inner, _) | Op::Direct(_, inner) => nested(inner),
        Op::Seq(v) | Op::Call(_, v) | Op::UserCall(_, v) => v.iter_mut().for_each(nested),
        Op::Path(a, b)
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
            nested(a);
            nested(b);
        }
        Op::If(a, b, c) => {
            nested(a);
            nested(b);
            nested(c);
        }
        Op::MatchesConst(a, _)
        | Op::TokenIn(a, ..)
        | Op::Neg(a)
        | Op::Cast(a, ..)
        | Op::Castable(a, ..)
        | Op::InstanceOf(a, _)
        | Op::Treat(a, _) => nested(a),
        Op::Const(_) | Op::Empty | Op::Var(_) | Op::Context | Op::Root => {}
    }
}

/// A predicate: a truth test when it is never a number.
fn predicate(p: &mut Op) {
    if super::compile::never_numeric(p) {
        lower(p);
    } else {
        nested(p);
    }
}

/// The direct form of `op` taken as a truth (its effective boolean value).
fn truth(op: &Op) -> Option<Direct> {
    Some(match op {
        Op::And(l, r) => Direct::And(Box::new(truth(l)?), Box::new(truth(r)?)),
        Op::Or(l, r) => Direct::Or(Box::new(truth(l)?), Box::new(truth(r)?)),
        Op::Call(Builtin::Not, args) => Direct::Not(Box::new(truth(one(args)?)?)),
        Op::Call(Builtin::Boolean, args) => truth(one(args)?)?,
        // a value kept for the rule's other tests, taken as a truth here
        Op::Kept(inner, _) => truth(inner)?,
        // a truth shared among the rule's asserts: with the rule's focus,
        // only in the and/or/not of its tests, as the direct form takes it
        Op::Shared(inner, slot) => Direct::Shared(Box::new(truth(inner)?), *slot),
        // lowered already (a predicate of a per-document path)
        Op::Direct(d, _) => (**d).clone(),
        Op::Call(Builtin::Exists, args) => exists(one(args)?)?,
        Op::Call(Builtin::Empty, args) => Direct::Not(Box::new(exists(one(args)?)?)),
        Op::Call(Builtin::NormalizeSpace | Builtin::UpperCase, _) => Direct::NonEmpty(single(op)?),
        Op::Call(b @ (Builtin::StartsWith | Builtin::EndsWith | Builtin::Contains), args) => match args.as_slice() {
            [x, Op::Const(Const::String(lit))] => {
                let affix = match b {
                    Builtin::StartsWith => Affix::Start,
                    Builtin::EndsWith => Affix::End,
                    _ => Affix::Within,
                };
                Direct::Affix(single(x)?, affix, lit.clone())
            }
            _ => return None,
        },
        Op::MatchesConst(x, re) => Direct::Matches(single(x)?, re.clone()),
        Op::Castable(x, t, empty_ok) => {
            let one = single(x)?;
            // its first two values are taken in order, not walked whole
            if one.path.fallible {
                return None;
            }
            Direct::Castable(one, *t, *empty_ok)
        }
        Op::TokenIn(x, set, spaceless) => Direct::Token(single(x)?, set.clone(), *spaceless),
        Op::General(cmp, l, r, single) => {
            comparison(*cmp, l, r, *single).or_else(|| compare_values(*cmp, l, r, *single))?
        }
        Op::Cast(..)
        | Op::Arith(..)
        | Op::Call(Builtin::Sum | Builtin::Round | Builtin::Abs | Builtin::Floor | Builtin::Ceiling, _) => {
            Direct::Value(doubles(value(op)?))
        }
        _ => exists(op)?,
    })
}

fn one(args: &[Op]) -> Option<&Op> {
    match args {
        [a] => Some(a),
        _ => None,
    }
}

/// Whether a path (or a union of two) has a node.
fn exists(op: &Op) -> Option<Direct> {
    match op {
        Op::Union(a, b) => Some(Direct::Both(Box::new(exists(a)?), Box::new(exists(b)?))),
        _ => Some(Direct::Exists(path(op)?)),
    }
}

/// The one text `op` gives: a path of at most one node, through
/// `normalize-space` and `upper-case`.
fn single(op: &Op) -> Option<Single> {
    let arg = |args: &[Op]| -> Option<Single> {
        match args {
            [] => Some(Single {
                path: DPath::context(),
                normalized: false,
                upper: false,
                string: false,
            }),
            [a] => single(a),
            _ => None,
        }
    };
    match op {
        Op::Call(Builtin::NormalizeSpace, args) => Some(Single {
            normalized: true,
            ..arg(args)?
        }),
        Op::Call(Builtin::UpperCase, args) if args.len() == 1 => Some(Single {
            upper: true,
            ..arg(args)?
        }),
        Op::Call(Builtin::String, args) => Some(Single {
            string: true,
            ..arg(args)?
        }),
        _ => Some(Single {
            path: path(op)?,
            normalized: false,
            upper: false,
            string: false,
        }),
    }
}

/// A general comparison with literal strings, a boolean, or (for `count`
/// and `string-length`) an integer; or of two paths of nodes.
fn comparison(cmp: CmpOp, l: &Op, r: &Op, one_item: bool) -> Option<Direct> {
    let literal = |op: &Op| {
        matches!(
            op,
            Op::Const(_) | Op::Call(Builtin::True | Builtin::False, _) | Op::Seq(_)
        )
    };
    let (other, lit, literal_first) = match (l, r) {
        (x, y) if literal(y) => (x, y, false),
        (x, y) if literal(x) => (y, x, true),
        // the evaluator pulls the two sides in turns (`many_to_many`), an
        // order a nested walk does not follow: only where no node of either
        // can raise an error
        _ => {
            let (a, b) = (path(l)?, path(r)?);
            return (!a.fallible && !b.fallible).then_some(Direct::Pair(a, cmp, b));
        }
    };
    // `(a | b) = 'S'`: some node of either (both sides paths of nodes)
    if let Op::Union(a, b) = other {
        path(a)?;
        path(b)?;
        let side = |x: &Op| {
            if literal_first {
                comparison(cmp, lit, x, one_item)
            } else {
                comparison(cmp, x, lit, one_item)
            }
        };
        return Some(Direct::Both(Box::new(side(a)?), Box::new(side(b)?)));
    }
    match lit {
        Op::Const(Const::String(s)) => text(cmp, other, Box::new([s.clone()]), literal_first),
        Op::Seq(items) => {
            let literals = items
                .iter()
                .map(|i| match i {
                    Op::Const(Const::String(s)) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            text(cmp, other, literals.into_boxed_slice(), literal_first)
        }
        Op::Const(Const::Integer(k)) if matches!(other, Op::Call(..)) => match other {
            Op::Call(Builtin::Count, args) => {
                let p = path(one(args)?)?;
                p.distinct.then_some(Direct::Count(p, cmp, *k, literal_first))
            }
            Op::Call(Builtin::StringLength, args) => Some(Direct::Length(single(one(args)?)?, cmp, *k, literal_first)),
            _ => None,
        },
        Op::Const(c @ (Const::Integer(_) | Const::Decimal(_) | Const::Double(_))) => {
            let (p, cast) = match other {
                Op::Cast(x, t, empty_ok) => {
                    let p = path(x)?;
                    // its first two values are taken in order, not walked whole
                    if p.fallible {
                        return None;
                    }
                    (p, Some((*t, *empty_ok)))
                }
                _ => (path(other)?, None),
            };
            Some(Direct::Number(Numeric {
                path: p,
                cast,
                op: cmp,
                literal: c.clone(),
                literal_first,
                single: one_item,
            }))
        }
        Op::Call(b @ (Builtin::True | Builtin::False), args) if args.is_empty() => {
            let eq = match cmp {
                CmpOp::Eq => true,
                CmpOp::Ne => false,
                _ => return None,
            };
            // only untyped node texts are cast to booleans; a string
            // compared with a boolean is a type error
            Some(Direct::Boolean(path(other)?, *b == Builtin::True, eq))
        }
        _ => None,
    }
}

/// What arithmetic makes of a value, by its static type ([`doubles`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum InArith {
    /// A double wherever there is a value: a double literal, `number()`,
    /// an untyped node's text (which arithmetic casts to a double), double
    /// arithmetic.
    Double,
    /// An integer or decimal literal, which a double operand promotes.
    Exact,
    /// The `sum` of untyped texts: a double, or the integer 0 for none,
    /// which is a double only beside a double.
    SumOfTexts,
    /// Anything else.
    Other,
}

fn in_arith(v: &DValue) -> InArith {
    match v {
        DValue::Const(Const::Double(_)) | DValue::Number(_) | DValue::Node(_) | DValue::Double(_) => InArith::Double,
        DValue::Const(Const::Integer(_) | Const::Decimal(_)) => InArith::Exact,
        DValue::Sum(_, None) => InArith::SumOfTexts,
        DValue::Arith(op, l, r) if *op != ArithOp::IDiv => {
            let (a, b) = (in_arith(l), in_arith(r));
            let beside = |k| matches!(k, InArith::Double | InArith::Exact | InArith::SumOfTexts);
            if (a == InArith::Double && beside(b)) || (b == InArith::Double && beside(a)) {
                InArith::Double
            } else {
                InArith::Other
            }
        }
        DValue::Rounded(_, x) if in_arith(x) == InArith::Double => InArith::Double,
        _ => InArith::Other,
    }
}

/// Marks the largest parts of `v` that are arithmetic on doubles
/// ([`DValue::Double`]), so that they are computed without the general
/// arithmetic's typed values. A node's text alone is left as it is: it is a
/// double only where arithmetic takes it.
fn doubles(v: DValue) -> DValue {
    match v {
        DValue::Arith(..) | DValue::Rounded(..) if in_arith(&v) == InArith::Double => DValue::Double(Box::new(v)),
        DValue::Arith(op, l, r) => DValue::Arith(op, Box::new(doubles(*l)), Box::new(doubles(*r))),
        DValue::Rounded(b, x) => DValue::Rounded(b, Box::new(doubles(*x))),
        other => other,
    }
}

/// A general comparison of two values of at most one item each, one of
/// them computed (not a path or a literal, which the other forms take).
fn compare_values(cmp: CmpOp, l: &Op, r: &Op, one_item: bool) -> Option<Direct> {
    let (a, b) = (doubles(value(l)?), doubles(value(r)?));
    let plain = |v: &DValue| matches!(v, DValue::Const(_) | DValue::Node(_));
    if plain(&a) && plain(&b) {
        return None;
    }
    Some(Direct::Compare(cmp, a, b, one_item))
}

/// The direct form of a value of at most one item.
fn value(op: &Op) -> Option<DValue> {
    Some(match op {
        Op::Const(c) => DValue::Const(c.clone()),
        // a value kept for the rule's other tests is the same value computed
        // again here, where computing it directly costs less than looking it up
        Op::Kept(inner, _) => return value(inner),
        Op::Cast(x, t, empty_ok) => DValue::Cast(first_two(x)?, *t, *empty_ok),
        Op::Call(Builtin::Number, args) => DValue::Number(first_two(one(args)?)?),
        Op::Var(slot) => DValue::Var(*slot),
        Op::Arith(o, l, r) => DValue::Arith(*o, Box::new(value(l)?), Box::new(value(r)?)),
        Op::Call(b @ (Builtin::Round | Builtin::Abs | Builtin::Floor | Builtin::Ceiling), args) => {
            DValue::Rounded(*b, Box::new(value(one(args)?)?))
        }
        Op::Call(Builtin::Sum, args) => match one(args)? {
            Op::Path(start, last) if matches!(**last, Op::Cast(..)) => {
                let (start, each) = cast_each(start, last)?;
                DValue::Sum(start, Some(each))
            }
            nodes => DValue::Sum(path(nodes).filter(DPath::in_document_order)?, None),
        },
        Op::Path(start, last) if matches!(**last, Op::Cast(..)) => {
            let (start, each) = cast_each(start, last)?;
            DValue::Mapped(start, each)
        }
        _ => DValue::Node(first_two(op)?),
    })
}

/// `A/xs:decimal(B)` (`start`/`last`): the nodes of `A` in document order
/// (no attribute among them), and from each the cast of the one node of `B`.
fn cast_each(start: &Op, last: &Op) -> Option<(DPath, EachCast)> {
    let Op::Cast(x, t, empty_ok) = last else { return None };
    let (start, each) = (path(start)?, first_two(x)?);
    if !start.in_document_order() || start.attribute.is_some() || each.from_document {
        return None;
    }
    Some((start, (each, *t, *empty_ok)))
}

/// A path whose first two nodes are taken in order, lazily as the
/// evaluator takes them (a cast's operand): without predicates that may
/// raise an error, which a walk stopped at the second node would pass by.
fn first_two(op: &Op) -> Option<DPath> {
    path(op).filter(|p| !p.fallible && p.in_document_order())
}

fn text(cmp: CmpOp, other: &Op, literals: Box<[Box<str>]>, literal_first: bool) -> Option<Direct> {
    let values = values(other)?;
    Some(Direct::Text {
        values,
        op: cmp,
        literals,
        literal_first,
    })
}

/// The texts `op` gives: the nodes of a path, one text through string
/// functions, or such a text per node of a path.
fn values(op: &Op) -> Option<Values> {
    match op {
        Op::Call(..) => Some(Values::One(single(op)?)),
        Op::Path(a, last) if matches!(**last, Op::Call(..)) => {
            let a = path(a)?;
            let b = single(last)?;
            if a.attribute.is_some() || b.path.from_document {
                return None;
            }
            Some(Values::Mapped(a, b))
        }
        _ => Some(Values::Nodes(path(op)?)),
    }
}

/// The direct form of a path of nodes.
fn path(op: &Op) -> Option<DPath> {
    path_with(op, false)
}

/// [`path`]; with `whole`, per-document paths with predicates are walked
/// too (for computing a per-document value, not for each use of one).
fn path_with(op: &Op, whole: bool) -> Option<DPath> {
    let mut p = DPath::context();
    let mut steps = Vec::new();
    build(op, &mut p, &mut steps, whole)?;
    // nested loops reach each node once when the steps to one node come
    // before the others, and a descendant or ancestor step is the last
    let mut went_down = false;
    for (i, s) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        match s.kind {
            DKind::Parent | DKind::ParentNamed(_) if went_down => p.distinct = false,
            DKind::Descendant(_) | DKind::DescendantEither(..) | DKind::Ancestor(_) if !last => p.distinct = false,
            DKind::Ancestor(_) if went_down => p.distinct = false,
            DKind::Child(_)
            | DKind::ChildEither(..)
            | DKind::AnyChild
            | DKind::TextChild
            | DKind::Descendant(_)
            | DKind::DescendantEither(..) => went_down = true,
            _ => {}
        }
    }
    p.fallible = steps.iter().any(|s| s.preds.iter().any(fallible));
    p.steps = steps.into_boxed_slice();
    Some(p)
}

fn build(op: &Op, p: &mut DPath, steps: &mut Vec<DStep>, whole: bool) -> Option<()> {
    if p.attribute.is_some() {
        // nothing follows an attribute step
        return None;
    }
    match op {
        Op::Context => Some(()),
        Op::Root if steps.is_empty() => {
            p.from_document = true;
            Some(())
        }
        // a per-document path is walked rather than looked up only when
        // walking it costs no more: without predicates
        Op::PerDocument(inner, ..) if steps.is_empty() && (whole || !has_predicates(inner)) => {
            build(inner, p, steps, whole)
        }
        Op::Kept(inner, _) => build(inner, p, steps, whole),
        Op::Step(s) => step(s, p, steps),
        Op::Union(a, b) => {
            let kind = match from_root(a) {
                // `//(a | b)`, which the compiler writes `//a | //b`
                Some(first) if steps.is_empty() => {
                    p.from_document = true;
                    DKind::DescendantEither(first, from_root(b)?)
                }
                _ => either(a, b)?,
            };
            steps.push(DStep {
                kind,
                preds: Box::new([]),
                first: false,
            });
            Some(())
        }
        Op::Path(l, r) => {
            build(l, p, steps, whole)?;
            match &**r {
                Op::Step(_) | Op::Union(..) => build(r, p, steps, whole),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `(a | b)` for two child steps by name without predicates.
fn either(a: &Op, b: &Op) -> Option<DKind> {
    Some(DKind::ChildEither(
        named_step(a, Axis::Child)?,
        named_step(b, Axis::Child)?,
    ))
}

/// The name number of `//name` (from the document, no predicates).
fn from_root(op: &Op) -> Option<u32> {
    match op {
        Op::Path(root, step) if matches!(**root, Op::Root) => named_step(step, Axis::Descendant),
        _ => None,
    }
}

/// The name number of a step on `axis` to one exact, numbered name,
/// without predicates.
fn named_step(op: &Op, axis: Axis) -> Option<u32> {
    match op {
        Op::Step(StepOp {
            axis: a,
            test: NodeTest::Name { sym, .. },
            preds,
            ..
        }) if *a == axis && *sym != NO_SYM && preds.is_empty() => Some(*sym),
        _ => None,
    }
}

fn has_predicates(op: &Op) -> bool {
    match op {
        Op::Step(s) => !s.preds.is_empty(),
        Op::Path(l, r) | Op::Union(l, r) => has_predicates(l) || has_predicates(r),
        Op::PerDocument(inner, ..) | Op::Kept(inner, _) => has_predicates(inner),
        Op::Root | Op::Context => false,
        _ => true,
    }
}

fn step(s: &StepOp, p: &mut DPath, steps: &mut Vec<DStep>) -> Option<()> {
    // `X[…][1]`: the first of the children that pass the other predicates
    let (preds, first) = match s.preds.split_last() {
        _ if s.unpositional => (&s.preds[..], false),
        Some((Op::Const(Const::Integer(1)), rest))
            if s.axis == Axis::Child && rest.iter().all(super::compile::never_numeric) =>
        {
            (rest, true)
        }
        _ => return None,
    };
    let kind = match (s.axis, &s.test) {
        (
            Axis::Attribute,
            NodeTest::Name {
                ns, local: Some(local), ..
            },
        ) if s.preds.is_empty() => {
            let ns = match ns {
                NsTest::NoNs => None,
                NsTest::Uri(u) => Some(u.clone()),
                NsTest::Any => return None,
            };
            p.attribute = Some((ns, local.clone()));
            return Some(());
        }
        (Axis::Child, NodeTest::Name { sym, .. }) if *sym != NO_SYM => DKind::Child(*sym),
        (
            Axis::Child,
            NodeTest::Name {
                ns: NsTest::Any,
                local: None,
                ..
            },
        ) => DKind::AnyChild,
        (Axis::Child, NodeTest::Text) => DKind::TextChild,
        (Axis::Descendant, NodeTest::Name { sym, .. }) if *sym != NO_SYM => DKind::Descendant(*sym),
        (Axis::Ancestor, NodeTest::Name { sym, .. }) if *sym != NO_SYM => DKind::Ancestor(*sym),
        (Axis::Parent, NodeTest::AnyNode) => DKind::Parent,
        (Axis::Parent, NodeTest::Name { sym, .. }) if *sym != NO_SYM => DKind::ParentNamed(*sym),
        (Axis::SelfAxis, NodeTest::AnyNode) => DKind::SelfNode,
        _ => return None,
    };
    let preds = preds.iter().map(truth).collect::<Option<Vec<_>>>()?;
    // a walk over a path whose predicate reads a variable would go over
    // every node (the comparison may raise an error) where the evaluator
    // stops at the first that decides: the path is left to the evaluator,
    // which takes the predicate's direct form node by node
    if preds.iter().any(mentions_variable) {
        return None;
    }
    // the evaluator filters every child before it takes the first: a
    // predicate that may raise an error on a later one is left to it
    if first && preds.iter().any(fallible) {
        return None;
    }
    steps.push(DStep {
        kind,
        preds: preds.into_boxed_slice(),
        first,
    });
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xpath::XPath;

    fn lowered(expr: &str) -> Op {
        let ns: Vec<(&str, &str)> = crate::xpath::ubl_namespaces().into_iter().collect();
        let mut x = XPath::compile(expr, &ns).expect("compiles");
        lower(&mut x.op);
        x.op
    }

    /// The rounding checks of the totals (EN 16931's BR-CO rules) and the
    /// date comparisons are answered directly: value forms, whole.
    #[test]
    fn the_value_idioms_of_the_rules_lower_whole() {
        for expr in [
            "xs:decimal(cbc:AllowanceTotalAmount) = (round(sum(../cac:AllowanceCharge[cbc:ChargeIndicator=false()]/xs:decimal(cbc:Amount)) * 10 * 10) div 100)",
            "xs:decimal(../cbc:PriceAmount) = xs:decimal(cbc:BaseAmount) - xs:decimal(cbc:Amount)",
            "cbc:StartDate >= xs:date(../../cac:InvoicePeriod/cbc:StartDate)",
            "round(sum(cac:AllowanceCharge/cbc:Amount) * 100) div 100 = abs(xs:decimal(cbc:X))",
            // the allowance percentage rules (ibr-131-ae, ibr-146-ae)
            "number(cbc:Amount) = number(cbc:BaseAmount) * number(cbc:MultiplierFactorNumeric) div 100",
        ] {
            match lowered(expr) {
                Op::Direct(d, _) => assert!(matches!(*d, Direct::Compare(..)), "{expr}: {d:?}"),
                other => panic!("{expr} did not lower: {other:?}"),
            }
        }
        assert!(matches!(
            lowered("xs:decimal(cbc:PrepaidAmount)"),
            Op::Direct(d, _) if matches!(*d, Direct::Value(_))
        ));
        // a first child (`[1]`) and casts mapped over a path (BR-CO-15)
        let co15 = "cac:TaxTotal/cbc:TaxIncludedIndicator = true() or ((cac:LegalMonetaryTotal/xs:decimal(cbc:TaxInclusiveAmount) = round( (cac:LegalMonetaryTotal/xs:decimal(cbc:TaxExclusiveAmount) + cac:TaxTotal[1]/xs:decimal(cbc:TaxAmount[@currencyID=/*/cbc:DocumentCurrencyCode])) * 10 * 10) div 100))";
        match lowered(co15) {
            Op::Direct(d, _) => {
                let shown = format!("{d:?}");
                assert!(shown.contains("Mapped(") && shown.contains("first: true"), "{shown}");
            }
            other => panic!("BR-CO-15 did not lower whole: {other:?}"),
        }
    }

    /// The tests of one rule, compiled, marked by `mark` (which must give
    /// one slot), then lowered: each test's form once marked, and the
    /// direct form it lowered to whole.
    fn marked_and_lowered(exprs: &[&str], mark: fn(&mut [&mut Op]) -> u32) -> Vec<(String, String)> {
        let ns: Vec<(&str, &str)> = crate::xpath::ubl_namespaces().into_iter().collect();
        let mut ops: Vec<Op> = exprs
            .iter()
            .map(|e| XPath::compile(e, &ns).expect("compiles").op)
            .collect();
        let mut refs: Vec<&mut Op> = ops.iter_mut().collect();
        assert_eq!(mark(&mut refs), 1);
        ops.into_iter()
            .map(|mut op| {
                let marked = format!("{op:?}");
                lower(&mut op);
                match op {
                    Op::Direct(d, _) => (marked, format!("{d:?}")),
                    other => panic!("did not lower whole: {other:?}"),
                }
            })
            .collect()
    }

    /// A truth shared among a rule's asserts (`not(A) or A and B`) stays
    /// shared inside the direct form the whole test lowers to.
    #[test]
    fn shared_truths_lower_inside_direct_forms() {
        let tests = ["not(cbc:A) or cbc:A and xs:decimal(cbc:B) > 0", "cbc:A or cbc:C = 'x'"];
        for (_, d) in marked_and_lowered(&tests, super::super::compile::share_repeated_tests) {
            assert!(d.contains("Shared("), "{d}");
        }
    }

    /// Values a rule keeps for its other tests (`Op::Kept`, the monetary
    /// totals' `xs:decimal(cbc:AllowanceTotalAmount)` in BR-CO-11 and -13)
    /// lower as the values themselves, and so do the truths of such values.
    #[test]
    fn kept_values_lower_as_their_values() {
        let tests = [
            "xs:decimal(cbc:A) = round(sum(../cac:C[cbc:F = false()]/xs:decimal(cbc:V)) * 100) div 100",
            "xs:decimal(cbc:A) and xs:decimal(cbc:B) = xs:decimal(cbc:A) - 1",
        ];
        for (marked, d) in marked_and_lowered(&tests, super::super::compile::keep_repeated_values) {
            assert!(marked.contains("Kept("), "{marked}");
            assert!(!d.contains("Kept"), "{d}");
        }
    }

    /// `//(a | b)` (the lines of an invoice or a credit note) is walked as
    /// both names' elements in document order, and per-document paths with
    /// predicates get a direct walk for computing their value, with their
    /// key index's keys read directly.
    #[test]
    fn per_document_paths_get_direct_walks() {
        let d = lowered("sum(//(cac:InvoiceLine | cac:CreditNoteLine)/xs:decimal(cbc:LineExtensionAmount)) = 1");
        assert!(format!("{d:?}").contains("DescendantEither("), "{d:?}");
        // a union of other paths, or with a predicate, is not that form
        for expr in [
            "count(//(cac:InvoiceLine | cac:InvoiceLine[cbc:ID])) = 1",
            "count(//cac:InvoiceLine | cbc:ID) = 1",
        ] {
            assert!(!format!("{:?}", lowered(expr)).contains("DescendantEither("), "{expr}");
        }
        let e01 = "exists(//cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT']/cbc:ID[normalize-space(.) = 'E'])";
        let Op::Call(_, args) = lowered(e01) else {
            panic!("{e01}: the path stays with the evaluator, computed once per document")
        };
        let Some(Op::PerDocument(_, _, Some(keyed), Some(walked))) = args.first() else {
            panic!("{e01}: {args:?}")
        };
        assert!(walked.from_document && walked.steps.len() == 2, "{walked:?}");
        assert!(matches!(keyed.direct, Some(Values::One(_))), "{keyed:?}");
    }

    /// Text children (the date rules' `string-length(text()) = 10`).
    #[test]
    fn text_children_lower() {
        for expr in [
            "string-length(text()) = 10 and (string(.) castable as xs:date)",
            "starts-with(normalize-space(cbc:CustomizationID/text()), 'urn:peppol:pint:billing-1@ae-1')",
        ] {
            assert!(matches!(lowered(expr), Op::Direct(..)), "{expr}");
        }
    }

    /// Arithmetic is computed on doubles only where every value it can
    /// have is a double: beside an untyped text or a double, not between
    /// literals, casts or two sums (an empty sum is the integer 0, and
    /// `0 div 0` of integers is an error, not NaN).
    #[test]
    fn arithmetic_on_doubles_is_marked_where_it_is_certain() {
        let on_doubles = |expr: &str| {
            let shown = format!("{:?}", lowered(expr));
            shown.contains("Double(Arith(") || shown.contains("Double(Rounded(")
        };
        for expr in [
            // ibr-147-ae's two sides
            "round(cbc:LineExtensionAmount * 100) div 100 = round(((cbc:InvoicedQuantity * (cac:Price/cbc:PriceAmount div cac:Price/cbc:BaseQuantity)) + sum(cac:AllowanceCharge[cbc:ChargeIndicator='true']/cbc:Amount)) * 100) div 100",
            "number(cbc:Amount) = number(cbc:BaseAmount) * number(cbc:MultiplierFactorNumeric) div 100",
            "sum(cbc:A) * cbc:B = 1",
            "abs(cbc:A) = xs:decimal(cbc:B)",
        ] {
            assert!(on_doubles(expr), "{expr}");
        }
        for expr in [
            "sum(cbc:A) div sum(cbc:B) = 1",
            "round(sum(cbc:A)) = xs:decimal(cbc:B)",
            "xs:decimal(cbc:A) * 100 = xs:decimal(cbc:B)",
            "xs:decimal(cbc:A) = 10 * 10",
            "cbc:A idiv 2 = xs:decimal(cbc:B)",
        ] {
            assert!(!on_doubles(expr), "{expr}");
        }
    }

    /// A predicate that compares with a variable (`[… = $rate]`, as in
    /// aligned-ibrp-s-08) is answered directly, node by node, but the path
    /// that holds it stays with the evaluator, which stops at the first node
    /// that decides where a direct walk would go over every one.
    #[test]
    fn predicates_with_variables_lower_but_not_their_paths() {
        // as a rule's test with a variable (a `let`) in scope
        let mut sc = crate::xpath::StaticContext::new();
        for (p, u) in crate::xpath::ubl_namespaces() {
            sc.namespaces.insert(p.to_string(), u.to_string());
        }
        let mut c = crate::xpath::compile::Compiler::new(&sc);
        c.bind("rate", &(0..0)).expect("binds");
        let expr = "exists(//cac:InvoiceLine[cac:Item/cac:ClassifiedTaxCategory/normalize-space(cbc:ID) = 'S'][cac:Item/cac:ClassifiedTaxCategory/xs:decimal(cbc:Percent) = $rate])";
        let mut op = c
            .compile(&crate::xpath::parser::parse(expr).expect("parses"))
            .expect("compiles");
        lower(&mut op);
        assert!(!matches!(op, Op::Direct(..)), "the walk is the evaluator's: {op:?}");
        let shown = format!("{op:?}");
        assert!(shown.contains("Var("), "{shown}");
        assert_eq!(shown.matches("Direct(").count(), 2, "both predicates: {shown}");
        let plus_one = DValue::Arith(
            ArithOp::Add,
            Box::new(DValue::Var(0)),
            Box::new(DValue::Const(Const::Integer(1))),
        );
        let compared = Direct::Compare(CmpOp::Eq, DValue::Node(DPath::context()), plus_one, false);
        assert!(mentions_variable(&Direct::Not(Box::new(compared))));
        assert!(!mentions_variable(&Direct::Exists(DPath::context())));
    }

    /// Where the evaluator takes values lazily or positionally, or a path's
    /// walk is not in document order, no value form is made.
    #[test]
    fn values_that_are_not_certain_stay_with_the_evaluator() {
        for expr in [
            // a position other than the first, and a first after
            // predicates that may raise an error
            "xs:decimal(cac:TaxTotal[2]/cbc:TaxAmount) = xs:decimal(cbc:X) + 1",
            "xs:decimal(cac:TaxTotal[normalize-space(cbc:ID) = 'S'][1]/cbc:TaxAmount) = xs:decimal(cbc:X) + 1",
            // the ancestors, nearest first
            "sum(ancestor::*/xs:decimal(cbc:Amount)) = xs:decimal(cbc:X)",
            // a variable
            "some $rate in cbc:Percent satisfies xs:decimal(cbc:X) = $rate + 1",
            // two plain operands: the comparison forms for paths and literals
            "cbc:A = cbc:B",
        ] {
            let op = lowered(expr);
            assert!(!format!("{op:?}").contains("Compare("), "{expr}: {op:?}");
        }
    }
}
