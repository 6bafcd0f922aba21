//! Compiles a [`SchemaDef`] into a runnable [`Schema`](super::Schema).

use super::def::{BodyDef, LetDef, MessageDef, PatternDef, SchemaDef};
use super::pattern::{alternative_bit, Final, Matcher};
use super::runner::{CheckAbout, CompiledCheck, MsgPart};
use super::{Cand, CandGuard, CheckKind, Pattern, Rule, Schema, SchemaError, SchemaStats};
use crate::xpath::compile::{Compiler, Op, SeqType, StaticContext, NO_SYM};
use crate::xpath::eval::{BodyOp, UserFn, VarValue};
use crate::xpath::{parser, Library, XPathError};

struct Builder {
    name: String,
    sc: StaticContext,
    stats: SchemaStats,
}

impl Builder {
    fn invalid(&self, at: &str, message: impl Into<String>) -> SchemaError {
        SchemaError::Invalid {
            name: self.name.clone(),
            at: at.to_string(),
            message: message.into(),
        }
    }

    fn compile(&self, c: &mut Compiler, at: &str, attr: &str, expr: &str) -> Result<Op, SchemaError> {
        let wrap = |error: XPathError| SchemaError::XPath {
            name: self.name.clone(),
            at: at.to_string(),
            attr: attr.to_string(),
            expr: expr.to_string(),
            error: Box::new(error),
        };
        let ast = parser::parse(expr).map_err(wrap)?;
        c.compile(&ast).map_err(wrap)
    }

    fn bind(&self, c: &mut Compiler, at: &str, name: &str) -> Result<usize, SchemaError> {
        c.bind(name, &(0..0)).map_err(|e| self.invalid(at, e.to_string()))
    }

    fn seq_type(&self, at: &str, text: &str) -> Result<SeqType, SchemaError> {
        let t = crate::xpath::parser::parse_seq_type(text).map_err(|e| self.invalid(at, e.to_string()))?;
        self.sc
            .seq_type(&t, &(0..0))
            .map_err(|e| self.invalid(at, e.to_string()))
    }

    fn functions(&mut self, def: &SchemaDef) -> Result<Library, SchemaError> {
        // register every signature first: bodies may call each other or recurse
        for (i, f) in def.functions.iter().enumerate() {
            let (ns, local) = self
                .sc
                .resolve(&f.name, &(0..0), None)
                .map_err(|e| self.invalid(&f.at, e.to_string()))?;
            self.sc
                .functions
                .insert((ns.unwrap_or_default(), local, f.params.len()), i);
        }
        let mut lib = Library::default();
        for f in &def.functions {
            self.stats.functions += 1;
            let mut c = Compiler::new(&self.sc);
            let mut params = Vec::new();
            for (name, ty) in &f.params {
                params.push(match ty {
                    Some(t) => Some(self.seq_type(&f.at, t)?),
                    None => None,
                });
                self.bind(&mut c, &f.at, name)?;
            }
            let mut body = Vec::new();
            for st in &f.body {
                body.push(match st {
                    BodyDef::Variable { name, select, text } => {
                        let value = match select {
                            Some(sel) => VarValue::Select(self.compile(&mut c, &f.at, "select", sel)?),
                            None => VarValue::Text(text.as_str().into()),
                        };
                        BodyOp::Variable(self.bind(&mut c, &f.at, name)?, value)
                    }
                    BodyDef::ValueOf(e) => BodyOp::ValueOf(self.compile(&mut c, &f.at, "select", e)?),
                    BodyDef::Sequence(e) => BodyOp::Sequence(self.compile(&mut c, &f.at, "select", e)?),
                });
            }
            let ret = match &f.returns {
                Some(a) => Some(self.seq_type(&f.at, a)?),
                None => None,
            };
            lib.functions.push(UserFn {
                name: f.name.clone(),
                params,
                body,
                ret,
                slots: c.max_slots,
            });
        }
        Ok(lib)
    }

    fn lets(&mut self, c: &mut Compiler, lets: &[LetDef]) -> Result<Vec<(usize, Op)>, SchemaError> {
        let mut out = Vec::new();
        for l in lets {
            self.stats.lets += 1;
            let op = self.compile(c, &l.at, "value", &l.value)?;
            out.push((self.bind(c, &l.at, &l.name)?, op));
        }
        Ok(out)
    }

    fn pattern(&mut self, c: &mut Compiler, p: &PatternDef) -> Result<Pattern, SchemaError> {
        self.stats.patterns += 1;
        let depth = c.scope.len();
        let lets = self.lets(c, &p.lets)?;
        let mut rules = Vec::new();
        for r in &p.rules {
            self.stats.rules += 1;
            let op = self.compile(c, &r.at, "context", &r.context)?;
            let matcher = Matcher::from_op(op).ok_or_else(|| {
                self.invalid(
                    &r.at,
                    format!("rule context \"{}\" is not a valid XSLT 2.0 match pattern", r.context),
                )
            })?;
            let rdepth = c.scope.len();
            let rlets = self.lets(c, &r.lets)?;
            let mut checks = Vec::new();
            for a in &r.checks {
                match a.kind {
                    CheckKind::Assert => self.stats.asserts += 1,
                    CheckKind::Report => self.stats.reports += 1,
                }
                let test = self.compile(c, &a.at, "test", &a.test)?;
                let mut message = Vec::new();
                for part in &a.message {
                    message.push(match part {
                        MessageDef::Text(t) => MsgPart::Text(t.clone()),
                        MessageDef::ValueOf(e) => MsgPart::ValueOf(self.compile(c, &a.at, "select", e)?),
                        MessageDef::Name(None) => MsgPart::Name(None),
                        MessageDef::Name(Some(e)) => MsgPart::Name(Some(self.compile(c, &a.at, "path", e)?)),
                    });
                }
                let value = match a.doc.as_ref().and_then(|d| d.value.as_deref()) {
                    Some(e) => Some(self.compile(c, &a.at, "value", e)?),
                    None => None,
                };
                checks.push(CompiledCheck {
                    kind: a.kind,
                    test,
                    about: Box::new(CheckAbout {
                        id: a.id.clone(),
                        flag: a.flag.clone(),
                        test_src: a.test.clone(),
                        message,
                        doc: a.doc.clone().map(|d| (d, value)),
                    }),
                });
            }
            c.scope.truncate(rdepth);
            let (shared, kept) = {
                let mut tests: Vec<&mut Op> = checks.iter_mut().map(|c| &mut c.test).collect();
                let shared = crate::xpath::compile::share_repeated_tests(&mut tests);
                (shared, crate::xpath::compile::keep_repeated_values(&mut tests))
            };
            // last: the rewrites above look for the shapes of the tests
            for c in &mut checks {
                crate::xpath::direct::lower(&mut c.test);
            }
            rules.push(Rule {
                context: r.context.clone(),
                matcher,
                lets: rlets,
                checks,
                shared,
                kept,
            });
        }
        c.scope.truncate(depth);
        Ok(Pattern {
            id: p.id.clone(),
            lets,
            rules,
            candidates: Vec::new(),
            guards: Vec::new(),
        })
    }
}

impl SchemaDef {
    /// Compiles every expression of the schema once. Fails on the first
    /// expression that does not compile, naming where it came from.
    pub fn compile(&self) -> Result<Schema, SchemaError> {
        let mut b = Builder {
            name: self.name.clone(),
            sc: StaticContext::new(),
            stats: SchemaStats::default(),
        };
        for (prefix, uri) in &self.namespaces {
            b.sc.namespaces.insert(prefix.clone(), uri.clone());
        }
        let lib = b.functions(self)?;
        let sc = b.sc.clone();
        let mut c = Compiler::new(&sc);
        let globals = b.lets(&mut c, &self.lets)?;
        let mut patterns = Vec::new();
        for p in &self.patterns {
            patterns.push(b.pattern(&mut c, p)?);
        }
        let names = crate::xpath::compile::names().len();
        let mut unnumbered = Vec::new();
        for (i, p) in patterns.iter_mut().enumerate() {
            let (cands, guards) = u32::try_from(i)
                .ok()
                .and_then(|index| candidates(&p.rules, names, index))
                .ok_or_else(|| b.invalid("schema", "more patterns or rules than a run can number"))?;
            p.candidates = cands;
            p.guards = guards;
            unnumbered.extend_from_slice(p.candidates_for(crate::xpath::compile::NO_SYM));
        }
        relay(&mut patterns);
        Ok(Schema {
            name: self.name.clone(),
            lib,
            globals,
            patterns,
            settled: super::Settled::default(),
            unnumbered: unnumbered.into_boxed_slice(),
            stats: b.stats,
        })
    }
}

/// Copies every rule's lets and tests into fresh memory, in the order a
/// run visits them, and frees the originals. Compiling interleaves each
/// expression's operator nodes with the parser's and compiler's temporary
/// allocations, so the trees come out scattered over the heap; copied once
/// all of those are freed, each tree lies in fewer cache lines. A check
/// after other work (a conversion, in `pintae convert`) finds more of its
/// rules still in cache. Convert + validate of the 5-line Taxstar fixture
/// (`convert_time --check`, minimum of 10-12 interleaved rounds, lower at
/// nearly every rank) in three runs: 266.6 -> 262.5, 262.5 -> 257.7 and,
/// noisier, 278.0 -> 266.5 µs. A check alone is unchanged.
fn relay(patterns: &mut [Pattern]) {
    // every copy is made before any original is freed, so that the copies
    // do not fill the originals' holes
    let (mut lets, mut tests) = (Vec::new(), Vec::new());
    for r in patterns.iter().flat_map(|p| &p.rules) {
        lets.push(r.lets.clone());
        tests.push(r.checks.iter().map(|c| c.test.clone()).collect::<Vec<_>>());
    }
    let rules = patterns.iter_mut().flat_map(|p| &mut p.rules);
    for ((r, l), t) in rules.zip(lets).zip(tests) {
        r.lets = l;
        for (c, test) in r.checks.iter_mut().zip(t) {
            c.test = test;
        }
    }
}

/// A pattern's candidate lists by name number, and the guards they refer to.
type CandLists = (Vec<Box<[Cand]>>, Vec<CandGuard>);

/// The rules of a pattern that may match an element, by the number of the
/// element's name (the last list: names no test mentions), in rule order,
/// each with the alternatives of its context that end in that name or in
/// any element.
/// Candidates whose alternatives are all guarded by one attribute get that
/// guard (the second list).
/// `None` when the rules are too many to number.
fn candidates(rules: &[Rule], names: usize, pattern: u32) -> Option<CandLists> {
    let mut lists: Vec<Vec<Cand>> = vec![Vec::new(); names + 1];
    for (i, r) in rules.iter().enumerate() {
        let i = u32::try_from(i).ok()?;
        for (a, f) in r.matcher.finals().into_iter().enumerate() {
            let bit = alternative_bit(a);
            let mut add = |l: &mut Vec<Cand>| match l.last_mut() {
                Some(c) if c.rule == i => c.alts |= bit,
                _ => l.push(Cand {
                    pattern,
                    rule: i,
                    alts: bit,
                    parents: [NO_SYM; 2],
                    certain: false,
                    empty_leaf: false,
                    guard: None,
                }),
            };
            match f {
                Final::Sym(s) => {
                    if let Some(l) = lists.get_mut(s as usize) {
                        add(l);
                    }
                }
                Final::Any => lists.iter_mut().for_each(&mut add),
                Final::Never => {}
            }
        }
    }
    let mut guards = Vec::new();
    // (the same candidate recurs in the list of every name, for `*`)
    let mut known: std::collections::HashMap<(u32, u64), Option<u32>> = std::collections::HashMap::new();
    for c in lists.iter_mut().flatten() {
        if let Some(r) = rules.get(c.rule as usize) {
            c.parents = r.matcher.parents_for(c.alts);
            c.empty_leaf = r.matcher.empty_leaf_only(c.alts);
        }
        c.guard = *known.entry((c.rule, c.alts)).or_insert_with(|| {
            let (attr, literals) = rules.get(c.rule as usize)?.matcher.guard_for(c.alts)?;
            guards.push(CandGuard { attr, literals });
            u32::try_from(guards.len() - 1).ok()
        });
    }
    Some((lists.into_iter().map(Vec::into_boxed_slice).collect(), guards))
}
