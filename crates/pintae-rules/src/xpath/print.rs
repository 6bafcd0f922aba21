//! Prints an AST back as XPath text in one canonical style: single spaces
//! around operators, double-quoted strings, parentheses only where the
//! grammar needs them. Parsing the output gives the same tree.

use super::ast::{Ast, AstKind, Axis, NodeTestAst, Quant, SeqTypeAst};
use super::value::{ArithOp, CmpOp};

/// Rewrites a string literal: return `Some(text)` to print `text` instead of
/// the quoted literal.
pub type LiteralHook<'h> = &'h mut dyn FnMut(&str) -> Option<String>;

/// The canonical text of `ast`.
pub fn to_xpath(ast: &Ast) -> String {
    to_xpath_with(ast, &mut |_| None)
}

/// The canonical text of `ast`, with string literals passed through `hook`.
pub fn to_xpath_with(ast: &Ast, hook: LiteralHook<'_>) -> String {
    let mut p = Printer {
        out: String::new(),
        hook,
    };
    p.expr(ast, 0);
    p.out
}

struct Printer<'h> {
    out: String,
    hook: LiteralHook<'h>,
}

const PRIMARY: u8 = 16;
const PATH: u8 = 15;

fn prec(k: &AstKind) -> u8 {
    match k {
        AstKind::For(..) | AstKind::Quantified(..) | AstKind::If(..) => 1,
        AstKind::Or(..) => 2,
        AstKind::And(..) => 3,
        AstKind::General(..) | AstKind::Value(..) | AstKind::NodeCmp(..) => 4,
        AstKind::Range(..) => 5,
        AstKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => 6,
        AstKind::Arith(..) => 7,
        AstKind::Union(..) => 8,
        AstKind::Intersect(..) | AstKind::Except(..) => 9,
        AstKind::InstanceOf(..) => 10,
        AstKind::Treat(..) => 11,
        AstKind::Castable(..) => 12,
        AstKind::Cast(..) => 13,
        AstKind::Neg(..) => 14,
        AstKind::Path(..) | AstKind::PathDesc(..) | AstKind::FromRoot(..) | AstKind::FromRootDesc(..) => PATH,
        AstKind::Step { .. } => PATH,
        _ => PRIMARY,
    }
}

fn cmp_sym(op: CmpOp, general: bool) -> &'static str {
    match (op, general) {
        (CmpOp::Eq, true) => "=",
        (CmpOp::Ne, true) => "!=",
        (CmpOp::Lt, true) => "<",
        (CmpOp::Le, true) => "<=",
        (CmpOp::Gt, true) => ">",
        (CmpOp::Ge, true) => ">=",
        (CmpOp::Eq, false) => "eq",
        (CmpOp::Ne, false) => "ne",
        (CmpOp::Lt, false) => "lt",
        (CmpOp::Le, false) => "le",
        (CmpOp::Gt, false) => "gt",
        (CmpOp::Ge, false) => "ge",
    }
}

fn arith_sym(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div | ArithOp::DecimalDiv => "div",
        ArithOp::IDiv => "idiv",
        ArithOp::Mod => "mod",
    }
}

fn axis_name(a: Axis) -> &'static str {
    match a {
        Axis::Child => "child",
        Axis::Descendant => "descendant",
        Axis::DescendantOrSelf => "descendant-or-self",
        Axis::Parent => "parent",
        Axis::Ancestor => "ancestor",
        Axis::AncestorOrSelf => "ancestor-or-self",
        Axis::SelfAxis => "self",
        Axis::Attribute => "attribute",
        Axis::FollowingSibling => "following-sibling",
        Axis::PrecedingSibling => "preceding-sibling",
        Axis::Following => "following",
        Axis::Preceding => "preceding",
    }
}

fn node_test(t: &NodeTestAst) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(match t {
        NodeTestAst::Name(n) => n,
        NodeTestAst::AnyNode => "node()",
        NodeTestAst::Text => "text()",
        NodeTestAst::Comment => "comment()",
        NodeTestAst::Pi => "processing-instruction()",
        NodeTestAst::Element => "element()",
        NodeTestAst::ElementNamed(n) => return format!("element({n})").into(),
        NodeTestAst::AttributeKind => "attribute()",
        NodeTestAst::AttributeNamed(n) => return format!("attribute({n})").into(),
        NodeTestAst::Document => "document-node()",
    })
}

/// A string literal in XPath 2.0 syntax (double quotes, so that the text
/// sits well in TOML literal strings).
pub fn quote(s: &str) -> String {
    if s.contains('"') && !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

impl Printer<'_> {
    fn s(&mut self, t: &str) {
        self.out.push_str(t);
    }

    /// Prints `e`, in parentheses when it binds less tightly than `min`.
    fn expr(&mut self, e: &Ast, min: u8) {
        let paren = prec(&e.kind) < min;
        if paren {
            self.s("(");
        }
        self.kind(&e.kind);
        if paren {
            self.s(")");
        }
    }

    fn binary(&mut self, l: &Ast, op: &str, r: &Ast, p: u8) {
        self.expr(l, p);
        self.s(" ");
        self.s(op);
        self.s(" ");
        self.expr(r, p + 1);
    }

    fn preds(&mut self, preds: &[Ast]) {
        for p in preds {
            self.s("[");
            self.expr(p, 0);
            self.s("]");
        }
    }

    fn seq_type(&mut self, t: &SeqTypeAst) {
        match (&t.name, &t.kind) {
            (Some(n), _) => self.s(n),
            (None, Some(k)) => {
                let k = node_test(k);
                self.s(&k);
            }
            (None, None) if t.occ == '0' => self.s("empty-sequence()"),
            (None, None) => self.s("item()"),
        }
        if t.occ == '0' {
            return;
        }
        if t.occ != ' ' {
            self.out.push(t.occ);
        }
    }

    fn bindings(&mut self, kw: &str, vars: &[(String, Ast)], sep: &str, body: &Ast) {
        self.s(kw);
        for (i, (v, e)) in vars.iter().enumerate() {
            if i > 0 {
                self.s(", ");
            }
            self.s("$");
            self.s(v);
            self.s(" in ");
            self.expr(e, 1);
        }
        self.s(sep);
        self.expr(body, 1);
    }

    fn kind(&mut self, k: &AstKind) {
        match k {
            AstKind::Integer(t) | AstKind::Decimal(t) | AstKind::Double(t) => self.s(t),
            AstKind::String(t) => match (self.hook)(t) {
                Some(r) => self.s(&r),
                None => self.s(&quote(t)),
            },
            AstKind::Var(v) => {
                self.s("$");
                self.s(v);
            }
            AstKind::ContextItem => self.s("."),
            AstKind::Sequence(items) => {
                self.s("(");
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        self.s(", ");
                    }
                    self.expr(x, 1);
                }
                self.s(")");
            }
            AstKind::Root => self.s("(/)"),
            AstKind::FromRoot(rel) => {
                self.s("/");
                self.expr(rel, PATH);
            }
            AstKind::FromRootDesc(rel) => {
                self.s("//");
                self.expr(rel, PATH);
            }
            AstKind::Path(l, r) | AstKind::PathDesc(l, r) => {
                self.expr(l, PATH);
                self.s(if matches!(k, AstKind::Path(..)) { "/" } else { "//" });
                // the parser nests paths to the left: a path on the right was parenthesised
                if matches!(
                    r.kind,
                    AstKind::Path(..) | AstKind::PathDesc(..) | AstKind::FromRoot(..) | AstKind::FromRootDesc(..)
                ) {
                    self.s("(");
                    self.kind(&r.kind);
                    self.s(")");
                } else {
                    self.expr(r, PATH);
                }
            }
            AstKind::Step { axis, test, preds } => {
                match (axis, test) {
                    (Axis::Parent, NodeTestAst::AnyNode) if preds.is_empty() => self.s(".."),
                    // (a bare `attribute(…)` takes the attribute axis)
                    (Axis::Child, t) if !matches!(t, NodeTestAst::AttributeKind | NodeTestAst::AttributeNamed(_)) => {
                        self.s(&node_test(t))
                    }
                    (Axis::Attribute, t) => {
                        self.s("@");
                        self.s(&node_test(t));
                    }
                    (a, t) => {
                        self.s(axis_name(*a));
                        self.s("::");
                        self.s(&node_test(t));
                    }
                }
                self.preds(preds);
            }
            AstKind::Filter { base, preds } => {
                let bare = matches!(
                    base.kind,
                    AstKind::String(_)
                        | AstKind::Integer(_)
                        | AstKind::Decimal(_)
                        | AstKind::Double(_)
                        | AstKind::Var(_)
                        | AstKind::ContextItem
                        | AstKind::Call { .. }
                        | AstKind::Sequence(_)
                );
                if bare {
                    self.kind(&base.kind);
                } else {
                    self.s("(");
                    self.kind(&base.kind);
                    self.s(")");
                }
                self.preds(preds);
            }
            AstKind::Call { name, args } => {
                self.s(name);
                self.s("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        self.s(", ");
                    }
                    self.expr(a, 1);
                }
                self.s(")");
            }
            AstKind::Or(l, r) => self.binary(l, "or", r, 2),
            AstKind::And(l, r) => self.binary(l, "and", r, 3),
            AstKind::General(op, l, r) => self.binary(l, cmp_sym(*op, true), r, 4),
            AstKind::Value(op, l, r) => self.binary(l, cmp_sym(*op, false), r, 4),
            AstKind::NodeCmp(op, l, r) => self.binary(l, op, r, 4),
            AstKind::Range(l, r) => self.binary(l, "to", r, 5),
            AstKind::Arith(op, l, r) => {
                let p = prec(k);
                self.binary(l, arith_sym(*op), r, p)
            }
            AstKind::Union(l, r) => self.binary(l, "|", r, 8),
            AstKind::Intersect(l, r) => self.binary(l, "intersect", r, 9),
            AstKind::Except(l, r) => self.binary(l, "except", r, 9),
            AstKind::Neg(e) => {
                self.s("-");
                self.expr(e, PATH);
            }
            AstKind::If(c, t, e) => {
                self.s("if (");
                self.expr(c, 0);
                self.s(") then ");
                self.expr(t, 1);
                self.s(" else ");
                self.expr(e, 1);
            }
            AstKind::For(vars, body) => self.bindings("for ", vars, " return ", body),
            AstKind::Quantified(q, vars, body) => {
                let kw = if *q == Quant::Some { "some " } else { "every " };
                self.bindings(kw, vars, " satisfies ", body)
            }
            AstKind::Cast(e, t, opt) | AstKind::Castable(e, t, opt) => {
                let castable = matches!(k, AstKind::Castable(..));
                self.expr(e, if castable { 13 } else { 14 });
                self.s(if castable { " castable as " } else { " cast as " });
                self.s(t);
                if *opt {
                    self.s("?");
                }
            }
            AstKind::InstanceOf(e, t) => {
                self.expr(e, 11);
                self.s(" instance of ");
                self.seq_type(t);
            }
            AstKind::Treat(e, t) => {
                self.expr(e, 12);
                self.s(" treat as ");
                self.seq_type(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_xpath;
    use crate::xpath::parser::parse;

    /// Printing keeps the meaning: the printed form parses back to itself.
    #[test]
    fn kind_tests_print_with_their_axis() {
        for (src, printed) in [
            ("child::attribute(currencyID)", "child::attribute(currencyID)"),
            ("child::attribute()", "child::attribute()"),
            ("attribute(currencyID)", "@attribute(currencyID)"),
            ("element(cbc:ID)", "element(cbc:ID)"),
        ] {
            let ast = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(to_xpath(&ast), printed, "{src}");
            let again = parse(printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
            assert_eq!(to_xpath(&again), printed, "{printed}");
        }
    }
}
