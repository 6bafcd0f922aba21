//! Plain-English descriptions of rule tests, written from the parsed
//! expression: what must hold ("requirement") and when ("condition").
//! Returns `None` for shapes it cannot put into words; callers fall back to
//! a generic sentence.

use pintae_rules::xpath::ast::{Ast, AstKind, Axis, NodeTestAst};
use pintae_rules::xpath::value::{ArithOp, CmpOp};

/// Knows which string literals are code lists, and their titles.
pub trait Lists {
    /// The title of the code list this literal is, if any.
    fn title(&self, literal: &str) -> Option<String>;
}

fn strip(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// A path as a reader sees it: prefixes dropped (`PayeeFinancialAccount/ID`).
pub fn path(e: &Ast) -> Option<String> {
    Some(match &e.kind {
        AstKind::Step { axis, test, preds } => {
            let name = match test {
                NodeTestAst::Name(n) => strip(n).to_string(),
                NodeTestAst::AnyNode if *axis == Axis::Parent => "..".into(),
                NodeTestAst::Text => "text".into(),
                _ => return None,
            };
            let base = match axis {
                Axis::Child => name,
                Axis::Attribute => format!("@{name}"),
                Axis::Parent => name,
                Axis::SelfAxis => format!("this {name}"),
                _ => return None,
            };
            if preds.is_empty() {
                base
            } else {
                let conds: Option<Vec<String>> = preds.iter().map(cond_in_pred).collect();
                format!("{base} (where {})", conds?.join(" and "))
            }
        }
        AstKind::Path(l, r) => format!("{}/{}", path(l)?, path(r)?),
        AstKind::PathDesc(l, r) => format!("{}//{}", path(l)?, path(r)?),
        AstKind::FromRoot(r) => format!("/{}", path(r)?),
        AstKind::FromRootDesc(r) => format!("any {}", path(r)?),
        AstKind::ContextItem => "the value".into(),
        AstKind::Union(l, r) => format!("{} or {}", path(l)?, path(r)?),
        _ => return None,
    })
}

fn cond_in_pred(p: &Ast) -> Option<String> {
    match &p.kind {
        AstKind::Integer(n) => Some(format!("position {n}")),
        _ => cond(p, &NoLists),
    }
}

struct NoLists;
impl Lists for NoLists {
    fn title(&self, _: &str) -> Option<String> {
        None
    }
}

fn is_pathish(e: &Ast) -> bool {
    matches!(
        e.kind,
        AstKind::Step { .. } | AstKind::Path(..) | AstKind::PathDesc(..) | AstKind::FromRoot(..)
    )
}

fn call<'a>(e: &'a Ast, name: &str) -> Option<&'a [Ast]> {
    match &e.kind {
        AstKind::Call { name: n, args } if n == name || n.strip_prefix("fn:") == Some(name) => Some(args),
        _ => None,
    }
}

/// A value (an operand of a comparison) in words.
pub fn value(e: &Ast) -> Option<String> {
    Some(match &e.kind {
        AstKind::String(s) => format!("\"{s}\""),
        AstKind::Integer(n) | AstKind::Decimal(n) | AstKind::Double(n) => n.clone(),
        AstKind::Sequence(items) if !items.is_empty() => {
            let v: Option<Vec<String>> = items.iter().map(value).collect();
            format!("one of {}", v?.join(", "))
        }
        AstKind::Var(v) => format!("${v}"),
        AstKind::Neg(x) => format!("-{}", value(x)?),
        AstKind::Arith(op, l, r) => {
            let sym = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "−",
                ArithOp::Mul => "×",
                ArithOp::Div => "÷",
                ArithOp::IDiv => "integer-divided by",
                ArithOp::Mod => "modulo",
            };
            format!("({} {sym} {})", value(l)?, value(r)?)
        }
        AstKind::Call { name, args } => {
            let f = name.strip_prefix("fn:").unwrap_or(name);
            match (f, args.as_slice()) {
                ("normalize-space" | "string" | "number" | "xs:decimal" | "xs:double" | "upper-case", [x]) => value(x)?,
                ("sum", [x]) => format!("the sum of {}", value(x)?),
                ("count", [x]) => format!("the number of {}", value(x)?),
                ("string-length", [x]) => format!("the length of {}", value(x)?),
                ("round", [x]) => format!("{} rounded", value(x)?),
                ("round", [x, d]) => format!("{} rounded to {} decimals", value(x)?, value(d)?),
                ("abs", [x]) => format!("the absolute value of {}", value(x)?),
                ("substring", [x, a, b]) => format!("{} characters of {} from {}", value(b)?, value(x)?, value(a)?),
                ("substring", [x, a]) => format!("{} from character {}", value(x)?, value(a)?),
                _ => return None,
            }
        }
        _ if is_pathish(e) || matches!(e.kind, AstKind::ContextItem) => path(e)?,
        AstKind::Filter { base, preds } if preds.len() == 1 => match &preds[0].kind {
            AstKind::Integer(n) if n == "1" => format!("the first {}", value(base)?),
            _ => return None,
        },
        _ => return None,
    })
}

fn cmp_words(op: CmpOp, must: bool) -> &'static str {
    match (op, must) {
        (CmpOp::Eq, false) => "is",
        (CmpOp::Ne, false) => "is not",
        (CmpOp::Lt, false) => "is less than",
        (CmpOp::Le, false) => "is at most",
        (CmpOp::Gt, false) => "is greater than",
        (CmpOp::Ge, false) => "is at least",
        (CmpOp::Eq, true) => "must be",
        (CmpOp::Ne, true) => "must not be",
        (CmpOp::Lt, true) => "must be less than",
        (CmpOp::Le, true) => "must be at most",
        (CmpOp::Gt, true) => "must be greater than",
        (CmpOp::Ge, true) => "must be at least",
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// A test phrased as a fact ("X is present"), or its negation.
fn phrase(e: &Ast, lists: &dyn Lists, must: bool, neg: bool) -> Option<String> {
    let (present, absent) = if must {
        ("must be present", "must not be present")
    } else {
        ("is present", "is absent")
    };
    if is_pathish(e) {
        return Some(format!("{} {}", path(e)?, if neg { absent } else { present }));
    }
    if let Some([x]) = call(e, "exists").or_else(|| call(e, "boolean")) {
        if is_pathish(x) {
            return Some(format!("{} {}", path(x)?, if neg { absent } else { present }));
        }
    }
    if let Some([x]) = call(e, "not") {
        return phrase(x, lists, must, !neg);
    }
    if let Some([x]) = call(e, "empty") {
        return phrase_exists(x, must, !neg);
    }
    match &e.kind {
        AstKind::General(op, l, r) | AstKind::Value(op, l, r) => {
            if let (Some(args), AstKind::Integer(n)) = (call(l, "count"), &r.kind) {
                let what = value(args.first()?)?;
                let op = if neg { negate(*op) } else { *op };
                let times = match op {
                    CmpOp::Eq => format!("exactly {n}"),
                    CmpOp::Le => format!("at most {n}"),
                    CmpOp::Lt => format!("fewer than {n}"),
                    CmpOp::Ge => format!("at least {n}"),
                    CmpOp::Gt => format!("more than {n}"),
                    CmpOp::Ne => format!("other than {n}"),
                };
                let verb = if must { "must occur" } else { "occurs" };
                let unit = if n == "1" { "time" } else { "times" };
                return Some(format!("{what} {verb} {times} {unit}"));
            }
            let op = if neg { negate(*op) } else { *op };
            Some(format!("{} {} {}", value(l)?, cmp_words(op, must), value(r)?))
        }
        AstKind::And(..) if !neg => {
            let mut parts = Vec::new();
            conjuncts(e, &mut parts);
            let v: Option<Vec<String>> = parts.iter().map(|p| phrase(p, lists, must, false)).collect();
            Some(v?.join(", and "))
        }
        AstKind::Or(..) if neg => {
            let mut parts = Vec::new();
            disjuncts(e, &mut parts);
            let v: Option<Vec<String>> = parts.iter().map(|p| phrase(p, lists, must, true)).collect();
            Some(v?.join(", and "))
        }
        AstKind::Or(..) if !neg => {
            let mut parts = Vec::new();
            disjuncts(e, &mut parts);
            let (conds, alts): (Vec<&Ast>, Vec<&Ast>) = parts.iter().partition(|p| call(p, "not").is_some());
            if must && !conds.is_empty() && !alts.is_empty() {
                let c: Option<Vec<String>> = conds
                    .iter()
                    .map(|p| {
                        call(p, "not")
                            .and_then(|a| a.first())
                            .and_then(|x| phrase(x, lists, false, false))
                    })
                    .collect();
                let a: Option<Vec<String>> = alts.iter().map(|p| phrase(p, lists, true, false)).collect();
                return Some(format!("when {}, {}", c?.join(" and "), a?.join(", or ")));
            }
            let v: Option<Vec<String>> = parts.iter().map(|p| phrase(p, lists, must, false)).collect();
            Some(v?.join(", or "))
        }
        AstKind::Call { name, args } => {
            let f = name.strip_prefix("fn:").unwrap_or(name);
            match (f, args.as_slice()) {
                ("matches", [x, re]) => {
                    let verb = match (must, neg) {
                        (true, false) => "must match",
                        (true, true) => "must not match",
                        (false, false) => "matches",
                        (false, true) => "does not match",
                    };
                    let re = match &re.kind {
                        AstKind::String(s) => s.clone(),
                        _ => return None,
                    };
                    Some(format!("{} {verb} the pattern {re}", value(x)?))
                }
                ("contains", [list, probe]) => {
                    let AstKind::String(s) = &list.kind else { return None };
                    let title = lists.title(s)?;
                    let inner = call(probe, "concat").and_then(|a| a.get(1))?;
                    let verb = match (must, neg) {
                        (true, false) => "must be a code from",
                        (true, true) => "must not be a code from",
                        (false, false) => "is a code from",
                        (false, true) => "is not a code from",
                    };
                    Some(format!("{} {verb} {title}", value(inner)?))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn phrase_exists(x: &Ast, must: bool, neg: bool) -> Option<String> {
    let (present, absent) = if must {
        ("must be present", "must not be present")
    } else {
        ("is present", "is absent")
    };
    Some(format!("{} {}", path(x)?, if neg { absent } else { present }))
}

fn conjuncts<'a>(e: &'a Ast, out: &mut Vec<&'a Ast>) {
    match &e.kind {
        AstKind::And(l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        _ => out.push(e),
    }
}

fn disjuncts<'a>(e: &'a Ast, out: &mut Vec<&'a Ast>) {
    match &e.kind {
        AstKind::Or(l, r) => {
            disjuncts(l, out);
            disjuncts(r, out);
        }
        _ => out.push(e),
    }
}

/// What the test requires, as a sentence fragment ("X must be present").
pub fn requirement(test: &Ast, lists: &dyn Lists) -> Option<String> {
    phrase(test, lists, true, false)
}

/// What the test says, as a fact ("X is present").
pub fn cond(test: &Ast, lists: &dyn Lists) -> Option<String> {
    phrase(test, lists, false, false)
}

/// The elements a test reads (readable paths), for fix hints.
pub fn paths_in(e: &Ast, out: &mut Vec<String>) {
    if is_pathish(e) {
        if let Some(p) = path(e) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        return;
    }
    let mut visit = |x: &Ast| paths_in(x, out);
    match &e.kind {
        AstKind::Call { args, .. } => args.iter().for_each(&mut visit),
        AstKind::Sequence(items) => items.iter().for_each(&mut visit),
        AstKind::Or(l, r)
        | AstKind::And(l, r)
        | AstKind::General(_, l, r)
        | AstKind::Value(_, l, r)
        | AstKind::Arith(_, l, r)
        | AstKind::Union(l, r) => {
            visit(l);
            visit(r);
        }
        AstKind::Neg(x) | AstKind::Cast(x, ..) | AstKind::Castable(x, ..) => visit(x),
        AstKind::If(c, t, f) => {
            visit(c);
            visit(t);
            visit(f);
        }
        AstKind::Filter { base, .. } => visit(base),
        _ => {}
    }
}

/// A rule context in words: `cac:InvoiceLine | cac:CreditNoteLine` →
/// "InvoiceLine or CreditNoteLine".
pub fn context(ctx: &Ast) -> String {
    match &ctx.kind {
        AstKind::FromRoot(r) if matches!(r.kind, AstKind::Step { .. }) => {
            format!("document ({})", path(r).unwrap_or_default())
        }
        AstKind::Union(l, r) => {
            let (a, b) = (context(l), context(r));
            if a.starts_with("document (") && b.starts_with("document (") {
                "document (Invoice or CreditNote)".into()
            } else {
                format!("{a} or {b}")
            }
        }
        _ => path(ctx).unwrap_or_else(|| pintae_rules::xpath::print::to_xpath(ctx)),
    }
}
