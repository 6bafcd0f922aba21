//! Plain-English descriptions of rule tests, written from the parsed
//! expression: what must hold ("requirement") and when ("condition").
//! Returns `None` for shapes it cannot put into words; callers fall back to
//! a generic sentence.

use pintae_rules::xpath::ast::{Ast, AstKind, Axis, NodeTestAst};
use pintae_rules::xpath::print;
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
                Axis::Ancestor => format!("an enclosing {name}"),
                _ => return None,
            };
            if preds.is_empty() {
                base
            } else {
                let conds: Option<Vec<String>> = preds.iter().map(cond_in_pred).collect();
                format!("{base} (where {})", conds?.join(" and "))
            }
        }
        AstKind::Path(l, r) => match call(r, "xs:decimal").or_else(|| call(r, "number")) {
            Some([x]) => format!("{}/{}", path(l)?, path(x)?),
            _ => format!("{}/{}", path(l)?, path(r)?),
        },
        AstKind::PathDesc(l, r) => format!("{}//{}", path(l)?, path(r)?),
        AstKind::FromRoot(r) => format!("/{}", path(r)?),
        AstKind::FromRootDesc(r) => format!("every {}", path(r)?),
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
                ArithOp::Div | ArithOp::DecimalDiv => "÷",
                ArithOp::IDiv => "integer-divided by",
                ArithOp::Mod => "modulo",
            };
            format!("({} {sym} {})", value(l)?, value(r)?)
        }
        AstKind::Call { name, args } => {
            let f = name.strip_prefix("fn:").unwrap_or(name);
            match (f, args.as_slice()) {
                (
                    "normalize-space" | "string" | "number" | "xs:decimal" | "xs:double" | "xs:date" | "upper-case",
                    [x],
                ) => value(x)?,
                ("normalize-space" | "string", []) => "the value".into(),
                ("true", []) => "true".into(),
                ("false", []) => "false".into(),
                ("substring-after", [x, d]) if matches!(&d.kind, AstKind::String(s) if s == ".") => {
                    format!("the decimals of {}", value(x)?)
                }
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
    if let Some(p) = presence(e, must, neg) {
        return Some(p);
    }
    if let Some([x]) = call(e, "xs:decimal").or_else(|| call(e, "number")) {
        let v = value(x)?;
        return Some(if neg {
            format!("{v} is zero or absent")
        } else {
            format!("{v} is given and not zero")
        });
    }
    if let Some([x]) = call(e, "exists").or_else(|| call(e, "boolean")) {
        if let Some(p) = presence(x, must, neg) {
            return Some(p);
        }
    }
    if let Some([x]) = call(e, "not") {
        return phrase(x, lists, must, !neg);
    }
    if let Some([x]) = call(e, "empty") {
        return presence(x, must, !neg);
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
            parts.retain(|p| !is_space_guard(p));
            let v: Option<Vec<String>> = parts.iter().map(|p| phrase(p, lists, must, false)).collect();
            Some(v?.join(", and "))
        }
        AstKind::And(..) if neg => {
            // not(A and B and C): when A and B, not C
            let mut parts = Vec::new();
            conjuncts(e, &mut parts);
            let (last, first) = parts.split_last()?;
            let c: Option<Vec<String>> = first.iter().map(|p| phrase(p, lists, false, false)).collect();
            Some(format!(
                "when {}, {}",
                c?.join(" and "),
                phrase(last, lists, must, true)?
            ))
        }
        AstKind::Castable(x, t, _) if t == "xs:decimal" || t == "xs:date" => {
            let what = if t == "xs:date" {
                "a valid date (YYYY-MM-DD)"
            } else {
                "a valid number"
            };
            Some(format!("{} {} {what}", value(x)?, by_mode(must, neg, BE)))
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
                let inner: Vec<&Ast> = conds
                    .iter()
                    .filter_map(|p| call(p, "not").and_then(|a| a.first()))
                    .collect();
                let c: Option<Vec<String>> = inner.iter().map(|x| phrase(x, lists, false, false)).collect();
                let printed: Vec<String> = inner.iter().map(|x| print::to_xpath(x)).collect();
                let a: Option<Vec<String>> = alts
                    .iter()
                    .map(|p| {
                        // "when A, A and B" says "when A, B"
                        let mut parts = Vec::new();
                        conjuncts(p, &mut parts);
                        parts.retain(|x| !printed.contains(&print::to_xpath(x)));
                        if parts.is_empty() {
                            return phrase(p, lists, true, false);
                        }
                        let v: Option<Vec<String>> = parts.iter().map(|x| phrase(x, lists, true, false)).collect();
                        Some(v?.join(", and "))
                    })
                    .collect();
                return Some(format!("when {}, {}", c?.join(" and "), a?.join(", or ")));
            }
            let v: Option<Vec<String>> = parts.iter().map(|p| phrase(p, lists, must, false)).collect();
            Some(v?.join(", or "))
        }
        AstKind::Call { name, args } => {
            let f = name.strip_prefix("fn:").unwrap_or(name);
            match (f, args.as_slice()) {
                ("matches", [x, re]) => {
                    let verb = by_mode(must, neg, ["must match", "must not match", "matches", "does not match"]);
                    let re = match &re.kind {
                        AstKind::String(s) => s.clone(),
                        _ => return None,
                    };
                    if let Some(title) = lists.title(&re) {
                        let verb = verb
                            .replace("matches", "is a code from")
                            .replace("match", "be a code from");
                        return Some(format!("{} {verb} {title}", value(x)?));
                    }
                    Some(format!("{} {verb} the pattern {re}", value(x)?))
                }
                ("starts-with" | "ends-with", [x, t]) => {
                    let AstKind::String(t) = &t.kind else { return None };
                    let how = if f == "starts-with" { "start" } else { "end" };
                    let verb = match (must, neg) {
                        (true, false) => format!("must {how} with"),
                        (true, true) => format!("must not {how} with"),
                        (false, false) => format!("{how}s with"),
                        (false, true) => format!("does not {how} with"),
                    };
                    Some(format!("{} {verb} \"{t}\"", value(x)?))
                }
                ("u:slack", [exp, val, slack]) => {
                    let verb = if must { "must equal" } else { "equals" };
                    Some(format!(
                        "{} {verb} {} (within {})",
                        value(val)?,
                        value(exp)?,
                        value(slack)?
                    ))
                }
                (f, [x]) if check_digit(f).is_some() => {
                    let what = check_digit(f)?;
                    Some(format!("{} {} {what}", value(x)?, by_mode(must, neg, BE)))
                }
                ("contains", [list, probe]) => {
                    let AstKind::String(s) = &list.kind else { return None };
                    let title = lists.title(s)?;
                    let inner = call(probe, "concat").and_then(|a| a.get(1))?;
                    Some(format!(
                        "{} {} a code from {title}",
                        value(inner)?,
                        by_mode(must, neg, BE)
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `not(contains(normalize-space(X), " "))`: the official code-list idiom's
/// guard, implied by "is a code from".
fn is_space_guard(e: &Ast) -> bool {
    call(e, "not")
        .and_then(|a| a.first())
        .and_then(|x| call(x, "contains"))
        .is_some_and(|a| matches!(a.get(1).map(|x| &x.kind), Some(AstKind::String(s)) if s == " "))
}

/// What the check-digit functions of the official files verify.
fn check_digit(f: &str) -> Option<&'static str> {
    Some(match f {
        "u:gln" => "a GLN with a valid check digit",
        "u:mod11" => "a number with a valid modulo-11 check digit",
        "u:mod97-0208" => "a Belgian enterprise number with a valid modulo-97 check",
        "u:abn" => "an Australian Business Number with a valid checksum",
        "u:checkCF" | "u:checkCF16" => "a valid Italian fiscal code (codice fiscale)",
        "u:checkPIVAseIT" | "u:checkPIVA" => "a valid Italian VAT number (partita IVA)",
        "u:checkCodiceIPA" => "a valid Italian public administration (IPA) code",
        _ => return None,
    })
}

/// `self::cbc:X` → "a X"; `ancestor::cac:A | ancestor::cac:B` → "inside A or B".
fn where_am_i(e: &Ast) -> Option<String> {
    match &e.kind {
        AstKind::Step {
            axis: Axis::SelfAxis,
            test: NodeTestAst::Name(n),
            preds,
        } if preds.is_empty() => Some(format!("a {}", strip(n))),
        AstKind::Step {
            axis: Axis::Ancestor,
            test: NodeTestAst::Name(n),
            preds,
        } if preds.is_empty() => Some(format!("inside {}", strip(n))),
        AstKind::Union(l, r) => {
            let (a, b) = (where_am_i(l)?, where_am_i(r)?);
            Some(format!(
                "{a} or {}",
                b.trim_start_matches("inside ").trim_start_matches("a ")
            ))
        }
        _ => None,
    }
}

/// "X is present" / "X must not be present" for a path, "the element is
/// inside A" for an ancestor or self test; `None` for anything else.
fn presence(x: &Ast, must: bool, neg: bool) -> Option<String> {
    if let Some(w) = where_am_i(x) {
        return Some(if neg {
            format!("the element is not {w}")
        } else {
            format!("the element is {w}")
        });
    }
    if !is_pathish(x) {
        return None;
    }
    let state = by_mode(
        must,
        neg,
        ["must be present", "must not be present", "is present", "is absent"],
    );
    Some(format!("{} {state}", path(x)?))
}

/// The form of a verb for a requirement (`must`) or a fact, affirmed or
/// negated: `[must, must not, is, is not]`.
fn by_mode(must: bool, neg: bool, forms: [&'static str; 4]) -> &'static str {
    match (must, neg) {
        (true, false) => forms[0],
        (true, true) => forms[1],
        (false, false) => forms[2],
        (false, true) => forms[3],
    }
}

const BE: [&str; 4] = ["must be", "must not be", "is", "is not"];

/// "{fix} If it is wrong that {conditions}, correct that instead."
fn or_correct_conditions(fix: &str, conds: &[String]) -> String {
    format!(
        "{}. If it is wrong that {}, correct that instead.",
        fix.trim_end_matches('.'),
        conds.join(" and ")
    )
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

/// What to do about a failure, from the shape of the test.
pub fn fix(e: &Ast, lists: &dyn Lists) -> Option<String> {
    if is_pathish(e) {
        return Some(format!("Add {}.", path(e)?));
    }
    if let Some([x]) = call(e, "exists").or_else(|| call(e, "boolean")) {
        if is_pathish(x) {
            return Some(format!("Add {}.", path(x)?));
        }
    }
    if let Some([x]) = call(e, "not") {
        if is_pathish(x) {
            return Some(format!("Remove {}.", path(x)?));
        }
        if let Some([y]) = call(x, "exists") {
            return Some(format!("Remove {}.", path(y)?));
        }
        if let AstKind::And(..) = &x.kind {
            // not(A and not(B)): when A, B is needed
            let mut parts = Vec::new();
            conjuncts(x, &mut parts);
            let (last, first) = parts.split_last()?;
            let needed = match call(last, "not").and_then(|a| a.first()) {
                Some(inner) => fix(inner, lists)?,
                None => return None,
            };
            let c: Option<Vec<String>> = first.iter().map(|p| phrase(p, lists, false, false)).collect();
            return Some(or_correct_conditions(&needed, &c?));
        }
        if let AstKind::General(op, l, r) | AstKind::Value(op, l, r) = &x.kind {
            return Some(format!(
                "Change {}: it {} {}.",
                value(l)?,
                cmp_words(negate(*op), true),
                value(r)?
            ));
        }
        return None;
    }
    match &e.kind {
        AstKind::General(op, l, r) | AstKind::Value(op, l, r) => {
            if let (Some(args), AstKind::Integer(n)) = (call(l, "count"), &r.kind) {
                let what = value(args.first()?)?;
                return Some(match op {
                    CmpOp::Le => format!("Keep at most {n} of {what} and remove the rest."),
                    CmpOp::Eq => format!("Give exactly {n} of {what}."),
                    CmpOp::Ge | CmpOp::Gt => format!("Add {what}."),
                    _ => return None,
                });
            }
            match op {
                CmpOp::Eq => Some(format!("Make {} equal to {}.", value(l)?, value(r)?)),
                _ => Some(format!(
                    "Change {} so that it {} {}.",
                    value(l)?,
                    cmp_words(*op, true),
                    value(r)?
                )),
            }
        }
        AstKind::And(..) => {
            let mut parts = Vec::new();
            conjuncts(e, &mut parts);
            parts.retain(|p| !is_space_guard(p));
            let v: Option<Vec<String>> = parts.iter().map(|p| fix(p, lists)).collect();
            Some(v?.join(" "))
        }
        AstKind::Or(..) => {
            let mut parts = Vec::new();
            disjuncts(e, &mut parts);
            let (conds, alts): (Vec<&Ast>, Vec<&Ast>) = parts.iter().partition(|p| call(p, "not").is_some());
            let printed: Vec<String> = conds
                .iter()
                .filter_map(|p| call(p, "not").and_then(|a| a.first()))
                .map(print::to_xpath)
                .collect();
            let first = alts.first().and_then(|a| {
                let mut parts = Vec::new();
                conjuncts(a, &mut parts);
                parts.retain(|x| !printed.contains(&print::to_xpath(x)) && !is_space_guard(x));
                let v: Option<Vec<String>> = parts.iter().map(|p| fix(p, lists)).collect();
                v.map(|v| v.join(" "))
            })?;
            if conds.is_empty() {
                return Some(format!(
                    "{} (or satisfy one of the other alternatives of the rule).",
                    first.trim_end_matches('.')
                ));
            }
            let inner: Option<Vec<String>> = conds
                .iter()
                .filter_map(|p| call(p, "not").and_then(|a| a.first()))
                .map(|x| phrase(x, lists, false, false))
                .collect();
            Some(or_correct_conditions(&first, &inner?))
        }
        AstKind::Call { name, args } => {
            let f = name.strip_prefix("fn:").unwrap_or(name);
            match (f, args.as_slice()) {
                ("matches", [x, re]) => {
                    let AstKind::String(re) = &re.kind else { return None };
                    match lists.title(re) {
                        Some(t) => Some(format!("Use a code from {t} in {}.", value(x)?)),
                        None => Some(format!("Change {} so that it matches {re}.", value(x)?)),
                    }
                }
                ("contains", [list, probe]) => {
                    let AstKind::String(s) = &list.kind else { return None };
                    let inner = call(probe, "concat").and_then(|a| a.get(1))?;
                    Some(format!("Use a code from {} in {}.", lists.title(s)?, value(inner)?))
                }
                ("u:slack", [exp, val, slack]) => Some(format!(
                    "Recompute {} so that it equals {} (differences up to {} are tolerated).",
                    value(val)?,
                    value(exp)?,
                    value(slack)?
                )),
                (f, [x]) if check_digit(f).is_some() => {
                    Some(format!("Check {}: it must be {}.", value(x)?, check_digit(f)?))
                }
                _ => None,
            }
        }
        _ => None,
    }
}
