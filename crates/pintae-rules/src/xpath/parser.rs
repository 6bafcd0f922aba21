//! Recursive-descent parser for XPath 2.0 (the grammar of the W3C
//! recommendation, less what no rule file needs: no schema types beyond the
//! built-in atomic ones).

use super::ast::*;
use super::error::{ErrorCode, XPathError};
use super::lexer::{tokenize, Tok, Token};
use super::value::{ArithOp, CmpOp};

/// Deepest nesting the parser accepts (protects the stack from hostile input).
const MAX_DEPTH: usize = 200;

/// Parses a sequence type alone (an `as` attribute: `xs:decimal?`,
/// `element()*`).
pub fn parse_seq_type(src: &str) -> Result<SeqTypeAst, XPathError> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let t = p.seq_type()?;
    if p.peek() != &Tok::Eof {
        return Err(p.unexpected("the end of the type"));
    }
    Ok(t)
}

/// Parses an expression into an [`Ast`].
pub fn parse(src: &str) -> Result<Ast, XPathError> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        let t = p.tok();
        return Err(XPathError::at(
            ErrorCode::XPST0003,
            t.span.clone(),
            format!("unexpected {}", describe(&t.tok)),
        ));
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => format!("name '{n}'"),
        Tok::Star => "'*'".into(),
        Tok::Str(_) => "string literal".into(),
        Tok::Int(s) | Tok::Dec(s) | Tok::Dbl(s) => format!("number {s}"),
        Tok::Sym(s) => format!("'{s}'"),
        Tok::Eof => "end of expression".into(),
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

const KIND_TESTS: [&str; 9] = [
    "node",
    "text",
    "comment",
    "processing-instruction",
    "element",
    "attribute",
    "document-node",
    "schema-element",
    "schema-attribute",
];

impl Parser {
    fn tok(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn peek(&self) -> &Tok {
        &self.tok().tok
    }
    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].tok
    }
    fn start(&self) -> usize {
        self.tok().span.start
    }
    fn end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].span.end
        }
    }
    fn bump(&mut self) -> Token {
        let t = self.tok().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }
    fn is_kw(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Name(x) if x == s)
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        if self.is_sym(s) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn expect_sym(&mut self, s: &str) -> Result<(), XPathError> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{s}'")))
        }
    }
    fn unexpected(&self, wanted: &str) -> XPathError {
        let t = self.tok();
        XPathError::at(
            ErrorCode::XPST0003,
            t.span.clone(),
            format!("expected {wanted}, found {}", describe(&t.tok)),
        )
    }
    fn mk(&self, kind: AstKind, start: usize) -> Ast {
        Ast {
            kind,
            span: start..self.end().max(start),
        }
    }
    fn enter(&mut self) -> Result<(), XPathError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(XPathError::at(
                ErrorCode::XPST0003,
                self.tok().span.clone(),
                "expression nested too deeply",
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let first = self.expr_single()?;
        if !self.is_sym(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_sym(",") {
            items.push(self.expr_single()?);
        }
        Ok(self.mk(AstKind::Sequence(items), start))
    }

    fn expr_single(&mut self) -> Result<Ast, XPathError> {
        self.enter()?;
        let r = self.expr_single_inner();
        self.depth -= 1;
        r
    }

    fn expr_single_inner(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let next_is_var = matches!(self.peek_at(1), Tok::Sym("$"));
        if next_is_var && (self.is_kw("for") || self.is_kw("some") || self.is_kw("every")) {
            let Tok::Name(kw) = self.bump().tok else {
                return Err(self.unexpected("'for', 'some' or 'every'"));
            };
            let mut binds = Vec::new();
            loop {
                self.expect_sym("$")?;
                let name = self.qname()?;
                if !self.is_kw("in") {
                    return Err(self.unexpected("'in'"));
                }
                self.bump();
                let e = self.expr_single()?;
                binds.push((name, e));
                if !self.eat_sym(",") {
                    break;
                }
            }
            let (word, kind): (&str, Option<Quant>) = match kw.as_str() {
                "for" => ("return", None),
                "some" => ("satisfies", Some(Quant::Some)),
                _ => ("satisfies", Some(Quant::Every)),
            };
            if !self.is_kw(word) {
                return Err(self.unexpected(&format!("'{word}'")));
            }
            self.bump();
            let body = Box::new(self.expr_single()?);
            let k = match kind {
                None => AstKind::For(binds, body),
                Some(q) => AstKind::Quantified(q, binds, body),
            };
            return Ok(self.mk(k, start));
        }
        if self.is_kw("if") && matches!(self.peek_at(1), Tok::Sym("(")) {
            self.bump();
            self.bump();
            let c = self.expr()?;
            self.expect_sym(")")?;
            if !self.is_kw("then") {
                return Err(self.unexpected("'then'"));
            }
            self.bump();
            let t = self.expr_single()?;
            if !self.is_kw("else") {
                return Err(self.unexpected("'else'"));
            }
            self.bump();
            let e = self.expr_single()?;
            return Ok(self.mk(AstKind::If(Box::new(c), Box::new(t), Box::new(e)), start));
        }
        self.or_expr()
    }

    fn or_expr(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.and_expr()?;
        while self.is_kw("or") {
            self.bump();
            let r = self.and_expr()?;
            l = self.mk(AstKind::Or(Box::new(l), Box::new(r)), start);
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.comparison()?;
        while self.is_kw("and") {
            self.bump();
            let r = self.comparison()?;
            l = self.mk(AstKind::And(Box::new(l), Box::new(r)), start);
        }
        Ok(l)
    }

    fn comparison(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let l = self.range()?;
        let general = match self.peek() {
            Tok::Sym("=") => Some(CmpOp::Eq),
            Tok::Sym("!=") => Some(CmpOp::Ne),
            Tok::Sym("<") => Some(CmpOp::Lt),
            Tok::Sym("<=") => Some(CmpOp::Le),
            Tok::Sym(">") => Some(CmpOp::Gt),
            Tok::Sym(">=") => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = general {
            self.bump();
            let r = self.range()?;
            return Ok(self.mk(AstKind::General(op, Box::new(l), Box::new(r)), start));
        }
        let value = match self.peek() {
            Tok::Name(n) => match n.as_str() {
                "eq" => Some(CmpOp::Eq),
                "ne" => Some(CmpOp::Ne),
                "lt" => Some(CmpOp::Lt),
                "le" => Some(CmpOp::Le),
                "gt" => Some(CmpOp::Gt),
                "ge" => Some(CmpOp::Ge),
                _ => None,
            },
            _ => None,
        };
        if let Some(op) = value {
            self.bump();
            let r = self.range()?;
            return Ok(self.mk(AstKind::Value(op, Box::new(l), Box::new(r)), start));
        }
        let node = match self.peek() {
            Tok::Name(n) if n == "is" => Some("is"),
            Tok::Sym("<<") => Some("<<"),
            Tok::Sym(">>") => Some(">>"),
            _ => None,
        };
        if let Some(op) = node {
            self.bump();
            let r = self.range()?;
            return Ok(self.mk(AstKind::NodeCmp(op, Box::new(l), Box::new(r)), start));
        }
        Ok(l)
    }

    fn range(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let l = self.additive()?;
        if self.is_kw("to") {
            self.bump();
            let r = self.additive()?;
            return Ok(self.mk(AstKind::Range(Box::new(l), Box::new(r)), start));
        }
        Ok(l)
    }

    fn additive(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.multiplicative()?;
        loop {
            let op = if self.is_sym("+") {
                ArithOp::Add
            } else if self.is_sym("-") {
                ArithOp::Sub
            } else {
                break;
            };
            self.bump();
            let r = self.multiplicative()?;
            l = self.mk(AstKind::Arith(op, Box::new(l), Box::new(r)), start);
        }
        Ok(l)
    }

    fn multiplicative(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.union()?;
        loop {
            let op = match self.peek() {
                Tok::Star => ArithOp::Mul,
                Tok::Name(n) if n == "div" => ArithOp::Div,
                Tok::Name(n) if n == "idiv" => ArithOp::IDiv,
                Tok::Name(n) if n == "mod" => ArithOp::Mod,
                _ => break,
            };
            self.bump();
            let r = self.union()?;
            l = self.mk(AstKind::Arith(op, Box::new(l), Box::new(r)), start);
        }
        Ok(l)
    }

    fn union(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.intersect()?;
        while self.is_sym("|") || self.is_kw("union") {
            self.bump();
            let r = self.intersect()?;
            l = self.mk(AstKind::Union(Box::new(l), Box::new(r)), start);
        }
        Ok(l)
    }

    fn intersect(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.instance_of()?;
        loop {
            let inter = if self.is_kw("intersect") {
                true
            } else if self.is_kw("except") {
                false
            } else {
                break;
            };
            self.bump();
            let r = self.instance_of()?;
            let k = if inter {
                AstKind::Intersect(Box::new(l), Box::new(r))
            } else {
                AstKind::Except(Box::new(l), Box::new(r))
            };
            l = self.mk(k, start);
        }
        Ok(l)
    }

    // (`a instance of T instance of U` and `treat as` chains: the official
    // processor takes them, though XPath 2.0's grammar has one of each)
    fn instance_of(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let (mut l, mut after_castable) = self.treat()?;
        loop {
            let second_is = |p: &Self, w: &str| matches!(p.peek_at(1), Tok::Name(n) if n == w);
            let instance = self.is_kw("instance") && second_is(self, "of");
            let treat = self.is_kw("treat") && second_is(self, "as");
            // (`… instance of T castable as U` too)
            let castable = self.is_kw("castable") && second_is(self, "as");
            if !instance && !treat && !castable {
                return Ok(l);
            }
            // but not `a castable as T castable as U`: the left operand of a
            // `castable as` cannot be one, unparenthesised
            if castable && after_castable {
                return Err(self.unexpected("an operator"));
            }
            after_castable = castable;
            self.bump();
            self.bump();
            let k = if castable {
                let (t, opt) = self.single_type()?;
                AstKind::Castable(Box::new(l), t, opt)
            } else {
                let t = self.seq_type()?;
                if instance {
                    AstKind::InstanceOf(Box::new(l), t)
                } else {
                    AstKind::Treat(Box::new(l), t)
                }
            };
            l = self.mk(k, start);
        }
    }

    /// A `treat as` chain; the flag is set when it is a bare `castable as`.
    fn treat(&mut self) -> Result<(Ast, bool), XPathError> {
        let start = self.start();
        let (mut l, mut castable) = self.castable()?;
        while self.is_kw("treat") && matches!(self.peek_at(1), Tok::Name(n) if n == "as") {
            self.bump();
            self.bump();
            let t = self.seq_type()?;
            l = self.mk(AstKind::Treat(Box::new(l), t), start);
            castable = false;
        }
        Ok((l, castable))
    }

    fn single_type(&mut self) -> Result<(String, bool), XPathError> {
        let name = self.qname()?;
        let opt = self.eat_sym("?");
        Ok((name, opt))
    }

    fn seq_type(&mut self) -> Result<SeqTypeAst, XPathError> {
        if self.is_kw("empty-sequence") && matches!(self.peek_at(1), Tok::Sym("(")) {
            self.bump();
            self.bump();
            self.expect_sym(")")?;
            return Ok(SeqTypeAst {
                name: None,
                kind: None,
                occ: '0',
            });
        }
        let kind_test = matches!(self.peek(), Tok::Name(n) if KIND_TESTS.contains(&n.as_str()))
            && matches!(self.peek_at(1), Tok::Sym("("));
        let (name, kind) = if self.is_kw("item") && matches!(self.peek_at(1), Tok::Sym("(")) {
            self.bump();
            self.bump();
            self.expect_sym(")")?;
            (None, None)
        } else if kind_test {
            (None, Some(self.node_test()?))
        } else {
            (Some(self.qname()?), None)
        };
        let occ = if self.eat_sym("?") {
            '?'
        } else if self.eat_sym("+") {
            '+'
        } else if matches!(self.peek(), Tok::Star) {
            self.bump();
            '*'
        } else {
            ' '
        };
        Ok(SeqTypeAst { name, kind, occ })
    }

    /// A cast, and whether a `castable as` followed it.
    fn castable(&mut self) -> Result<(Ast, bool), XPathError> {
        let start = self.start();
        let l = self.cast()?;
        if self.is_kw("castable") && matches!(self.peek_at(1), Tok::Name(n) if n == "as") {
            self.bump();
            self.bump();
            let (t, opt) = self.single_type()?;
            return Ok((self.mk(AstKind::Castable(Box::new(l), t, opt), start), true));
        }
        Ok((l, false))
    }

    fn cast(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let l = self.unary()?;
        if self.is_kw("cast") && matches!(self.peek_at(1), Tok::Name(n) if n == "as") {
            self.bump();
            self.bump();
            let (t, opt) = self.single_type()?;
            return Ok(self.mk(AstKind::Cast(Box::new(l), t, opt), start));
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut neg = false;
        let mut any = false;
        loop {
            if self.eat_sym("-") {
                neg = !neg;
                any = true;
            } else if self.eat_sym("+") {
                any = true;
            } else {
                break;
            }
        }
        self.enter()?;
        let e = self.path();
        self.depth -= 1;
        let e = e?;
        if any && neg {
            Ok(self.mk(AstKind::Neg(Box::new(e)), start))
        } else if any {
            // unary plus: still atomizes to a number; model as 0 + e is wrong for
            // untyped (it would be double anyway) – keep e (XPath: +e converts untyped to double).
            Ok(self.mk(
                AstKind::Arith(
                    ArithOp::Add,
                    Box::new(Ast {
                        kind: AstKind::Integer("0".into()),
                        span: start..start,
                    }),
                    Box::new(e),
                ),
                start,
            ))
        } else {
            Ok(e)
        }
    }

    fn path(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        if self.is_sym("/") {
            self.bump();
            if self.starts_step() {
                let rel = self.relative_path()?;
                return Ok(self.mk(AstKind::FromRoot(Box::new(rel)), start));
            }
            return Ok(self.mk(AstKind::Root, start));
        }
        if self.is_sym("//") {
            self.bump();
            let rel = self.relative_path()?;
            return Ok(self.mk(AstKind::FromRootDesc(Box::new(rel)), start));
        }
        self.relative_path()
    }

    fn starts_step(&self) -> bool {
        match self.peek() {
            Tok::Name(_) | Tok::Star | Tok::Str(_) | Tok::Int(_) | Tok::Dec(_) | Tok::Dbl(_) => true,
            Tok::Sym(s) => matches!(*s, "@" | "." | ".." | "(" | "$"),
            Tok::Eof => false,
        }
    }

    fn relative_path(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let mut l = self.step()?;
        loop {
            if self.is_sym("/") {
                self.bump();
                let r = self.step()?;
                l = self.mk(AstKind::Path(Box::new(l), Box::new(r)), start);
            } else if self.is_sym("//") {
                self.bump();
                let r = self.step()?;
                l = self.mk(AstKind::PathDesc(Box::new(l), Box::new(r)), start);
            } else {
                break;
            }
        }
        Ok(l)
    }

    fn predicates(&mut self) -> Result<Vec<Ast>, XPathError> {
        let mut preds = Vec::new();
        while self.eat_sym("[") {
            self.enter()?;
            let p = self.expr();
            self.depth -= 1;
            preds.push(p?);
            self.expect_sym("]")?;
        }
        Ok(preds)
    }

    fn step(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        // abbreviated steps
        if self.eat_sym("..") {
            // `..` is a reverse step, and takes predicates like any step
            let preds = self.predicates()?;
            return Ok(self.mk(
                AstKind::Step {
                    axis: Axis::Parent,
                    test: NodeTestAst::AnyNode,
                    preds,
                },
                start,
            ));
        }
        if self.eat_sym("@") {
            let test = self.node_test()?;
            let preds = self.predicates()?;
            return Ok(self.mk(
                AstKind::Step {
                    axis: Axis::Attribute,
                    test,
                    preds,
                },
                start,
            ));
        }
        if let Tok::Name(n) = self.peek().clone() {
            if matches!(self.peek_at(1), Tok::Sym("::")) {
                let axis = Axis::from_name(&n).ok_or_else(|| {
                    XPathError::at(
                        ErrorCode::XPST0003,
                        self.tok().span.clone(),
                        format!("unknown axis '{n}'"),
                    )
                })?;
                self.bump();
                self.bump();
                let test = self.node_test()?;
                let preds = self.predicates()?;
                return Ok(self.mk(AstKind::Step { axis, test, preds }, start));
            }
            let is_call = matches!(self.peek_at(1), Tok::Sym("("));
            if !is_call || KIND_TESTS.contains(&n.as_str()) {
                let test = self.node_test()?;
                let axis = if matches!(test, NodeTestAst::AttributeKind | NodeTestAst::AttributeNamed(_)) {
                    Axis::Attribute
                } else {
                    Axis::Child
                };
                let preds = self.predicates()?;
                return Ok(self.mk(AstKind::Step { axis, test, preds }, start));
            }
        }
        if matches!(self.peek(), Tok::Star) {
            let test = self.node_test()?;
            let preds = self.predicates()?;
            return Ok(self.mk(
                AstKind::Step {
                    axis: Axis::Child,
                    test,
                    preds,
                },
                start,
            ));
        }
        let base = self.primary()?;
        let preds = self.predicates()?;
        if preds.is_empty() {
            Ok(base)
        } else {
            Ok(self.mk(
                AstKind::Filter {
                    base: Box::new(base),
                    preds,
                },
                start,
            ))
        }
    }

    fn node_test(&mut self) -> Result<NodeTestAst, XPathError> {
        match self.peek().clone() {
            Tok::Star => {
                self.bump();
                Ok(NodeTestAst::Name("*".into()))
            }
            Tok::Name(n) => {
                if matches!(self.peek_at(1), Tok::Sym("(")) && KIND_TESTS.contains(&n.as_str()) {
                    self.bump();
                    self.bump();
                    // `element(name)` and `attribute(name)` (a type name after
                    // it is skipped: every node of an untyped document has one
                    // of the types it could name)
                    if matches!(n.as_str(), "element" | "attribute") {
                        if let Tok::Name(arg) = self.peek().clone() {
                            if arg.contains('*') {
                                return Err(self.unexpected("a name without wildcards"));
                            }
                            if matches!(self.peek_at(1), Tok::Sym(")") | Tok::Sym(",")) {
                                self.bump();
                                self.skip_to_close()?;
                                return Ok(if n == "element" {
                                    NodeTestAst::ElementNamed(arg)
                                } else {
                                    NodeTestAst::AttributeNamed(arg)
                                });
                            }
                        }
                    }
                    self.skip_to_close()?;
                    return Ok(match n.as_str() {
                        "node" => NodeTestAst::AnyNode,
                        "text" => NodeTestAst::Text,
                        "comment" => NodeTestAst::Comment,
                        "processing-instruction" => NodeTestAst::Pi,
                        "element" | "schema-element" => NodeTestAst::Element,
                        "attribute" | "schema-attribute" => NodeTestAst::AttributeKind,
                        _ => NodeTestAst::Document,
                    });
                }
                self.bump();
                Ok(NodeTestAst::Name(n))
            }
            _ => Err(self.unexpected("a node test")),
        }
    }

    /// Skips to the `)` that closes a kind test's argument list.
    fn skip_to_close(&mut self) -> Result<(), XPathError> {
        let mut depth = 1;
        while depth > 0 {
            match self.peek() {
                Tok::Sym("(") => depth += 1,
                Tok::Sym(")") => depth -= 1,
                Tok::Eof => return Err(self.unexpected("')'")),
                _ => {}
            }
            self.bump();
        }
        Ok(())
    }

    fn qname(&mut self) -> Result<String, XPathError> {
        match self.peek().clone() {
            Tok::Name(n) => {
                self.bump();
                Ok(n)
            }
            _ => Err(self.unexpected("a name")),
        }
    }

    fn primary(&mut self) -> Result<Ast, XPathError> {
        let start = self.start();
        let t = self.bump();
        let k = match t.tok {
            Tok::Str(s) => AstKind::String(s),
            Tok::Int(s) => AstKind::Integer(s),
            Tok::Dec(s) => AstKind::Decimal(s),
            Tok::Dbl(s) => AstKind::Double(s),
            Tok::Sym("$") => AstKind::Var(self.qname()?),
            Tok::Sym(".") => AstKind::ContextItem,
            Tok::Sym("(") => {
                if self.eat_sym(")") {
                    AstKind::Sequence(vec![])
                } else {
                    let e = self.expr()?;
                    self.expect_sym(")")?;
                    return Ok(Ast {
                        kind: e.kind,
                        span: start..self.end(),
                    });
                }
            }
            Tok::Name(name) => {
                self.expect_sym("(")?;
                let mut args = Vec::new();
                if !self.eat_sym(")") {
                    loop {
                        args.push(self.expr_single()?);
                        if self.eat_sym(")") {
                            break;
                        }
                        self.expect_sym(",")?;
                    }
                }
                AstKind::Call { name, args }
            }
            other => {
                return Err(XPathError::at(
                    ErrorCode::XPST0003,
                    t.span,
                    format!("expected an expression, found {}", describe(&other)),
                ))
            }
        };
        Ok(self.mk(k, start))
    }
}
