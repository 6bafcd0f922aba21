//! Reads a Schematron file (and the `xsl:function` definitions embedded in
//! it) into a compiled [`Schema`].

use super::pattern::Matcher;
use super::runner::{CompiledCheck, MsgPart};
use super::{CheckKind, Pattern, Rule, Schema, SchemaStats};
use crate::xpath::compile::{Compiler, Op, StaticContext};
use crate::xpath::eval::{BodyOp, UserFn, VarValue};
use crate::xpath::{parser, Library, XPathError};

const SCH_NS: &str = "http://purl.oclc.org/dsdl/schematron";
const XSL_NS: &str = "http://www.w3.org/1999/XSL/Transform";

/// A schema that cannot be read or compiled.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The file is not well-formed XML.
    #[error("{name}: not well-formed XML: {source}")]
    Xml {
        /// Schema name.
        name: String,
        /// Parser error.
        source: roxmltree::Error,
    },
    /// The root is not an ISO Schematron `schema`.
    #[error("{name}: the root element is not an ISO Schematron <schema>")]
    NotSchematron {
        /// Schema name.
        name: String,
    },
    /// Something the engine does not support, or an invalid construct.
    #[error("{name}:{line}:{column}: {message}")]
    Invalid {
        /// Schema name.
        name: String,
        /// Line in the schema file.
        line: u32,
        /// Column in the schema file.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// An XPath expression that does not compile.
    #[error("{name}:{line}:{column}: in {attr}=\"{expr}\": {error}")]
    XPath {
        /// Schema name.
        name: String,
        /// Line of the element carrying the expression.
        line: u32,
        /// Column of that element.
        column: u32,
        /// The attribute (`test`, `context`, …).
        attr: String,
        /// The expression text.
        expr: String,
        /// The XPath error, with its code and offset.
        error: Box<XPathError>,
    },
}

struct Reader<'d, 'i> {
    name: String,
    doc: &'d roxmltree::Document<'i>,
    sc: StaticContext,
    stats: SchemaStats,
}

impl<'d, 'i> Reader<'d, 'i> {
    fn invalid(&self, n: roxmltree::Node, message: impl Into<String>) -> SchemaError {
        let p = self.doc.text_pos_at(n.range().start);
        SchemaError::Invalid {
            name: self.name.clone(),
            line: p.row,
            column: p.col,
            message: message.into(),
        }
    }

    fn attr<'n>(&self, n: roxmltree::Node<'n, 'i>, a: &str) -> Result<&'n str, SchemaError> {
        n.attribute(a)
            .ok_or_else(|| self.invalid(n, format!("<{}> needs a {a}=\"…\" attribute", n.tag_name().name())))
    }

    fn compile(&self, c: &mut Compiler, n: roxmltree::Node, attr: &str, expr: &str) -> Result<Op, SchemaError> {
        let wrap = |error: XPathError| {
            let p = self.doc.text_pos_at(n.range().start);
            SchemaError::XPath {
                name: self.name.clone(),
                line: p.row,
                column: p.col,
                attr: attr.to_string(),
                expr: expr.to_string(),
                error: Box::new(error),
            }
        };
        let ast = parser::parse(expr).map_err(wrap)?;
        c.compile(&ast).map_err(wrap)
    }
}

fn sch_children<'a, 'i>(
    n: roxmltree::Node<'a, 'i>,
    local: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().namespace() == Some(SCH_NS) && c.tag_name().name() == local)
}

impl Schema {
    /// Reads and compiles a Schematron schema from its text. `name` is used
    /// in messages (typically the file name).
    pub fn parse(name: &str, text: &str) -> Result<Schema, SchemaError> {
        // the XML parser recurses per nesting level: refuse hostile depth first
        if let Some(at) = crate::input::too_deep(text, crate::input::MAX_DEPTH) {
            let (line, column) = crate::input::line_col(text, at);
            return Err(SchemaError::Invalid {
                name: name.to_string(),
                line,
                column,
                message: format!("elements nest deeper than {} levels", crate::input::MAX_DEPTH),
            });
        }
        let opts = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|source| SchemaError::Xml {
            name: name.to_string(),
            source,
        })?;
        let root = doc.root_element();
        if root.tag_name().namespace() != Some(SCH_NS) || root.tag_name().name() != "schema" {
            return Err(SchemaError::NotSchematron { name: name.to_string() });
        }
        let mut r = Reader {
            name: name.to_string(),
            doc: &doc,
            sc: StaticContext::new(),
            stats: SchemaStats::default(),
        };
        if let Some(qb) = root.attribute("queryBinding") {
            if !matches!(
                qb.to_ascii_lowercase().as_str(),
                "xslt2" | "xpath2" | "xslt3" | "xpath3"
            ) {
                return Err(r.invalid(root, format!("queryBinding \"{qb}\" is not supported (xslt2 is)")));
            }
        }
        for ns in sch_children(root, "ns") {
            r.sc.namespaces
                .insert(r.attr(ns, "prefix")?.to_string(), r.attr(ns, "uri")?.to_string());
        }
        let lib = r.functions(root)?;

        let sc = r.sc.clone();
        let mut c = Compiler::new(&sc);
        let mut globals = Vec::new();
        for l in sch_children(root, "let") {
            r.stats.lets += 1;
            let value = r.attr(l, "value")?;
            let op = r.compile(&mut c, l, "value", value)?;
            let slot = c
                .bind(r.attr(l, "name")?, &(0..0))
                .map_err(|e| r.invalid(l, e.to_string()))?;
            globals.push((slot, op));
        }
        for unsupported in ["include", "extends"] {
            if let Some(n) = root
                .descendants()
                .find(|d| d.tag_name().namespace() == Some(SCH_NS) && d.tag_name().name() == unsupported)
            {
                return Err(r.invalid(
                    n,
                    format!("<{unsupported}> is not supported: use a preprocessed schema"),
                ));
            }
        }
        let mut patterns = Vec::new();
        for p in sch_children(root, "pattern") {
            patterns.push(r.pattern(&mut c, p)?);
        }
        let name = root
            .children()
            .find(|t| t.has_tag_name((SCH_NS, "title")))
            .and_then(|t| t.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.to_string());
        Ok(Schema {
            name,
            lib,
            globals,
            patterns,
            stats: r.stats,
        })
    }
}

impl<'d, 'i> Reader<'d, 'i> {
    fn functions(&mut self, root: roxmltree::Node) -> Result<Library, SchemaError> {
        let defs: Vec<_> = root
            .children()
            .filter(|c| c.has_tag_name((XSL_NS, "function")))
            .collect();
        // register every signature first: bodies may call each other or recurse
        for (i, f) in defs.iter().enumerate() {
            let qn = self.attr(*f, "name")?;
            let (ns, local) = self
                .sc
                .resolve(qn, &(0..0), None)
                .map_err(|e| self.invalid(*f, e.to_string()))?;
            let arity = f.children().filter(|c| c.has_tag_name((XSL_NS, "param"))).count();
            self.sc.functions.insert((ns.unwrap_or_default(), local, arity), i);
        }
        let mut lib = Library::default();
        for f in defs {
            self.stats.functions += 1;
            let name = self.attr(f, "name")?.to_string();
            let mut c = Compiler::new(&self.sc);
            let mut params = Vec::new();
            let mut body = Vec::new();
            for st in f.children().filter(|c| c.is_element()) {
                let tag = st.tag_name();
                if tag.namespace() != Some(XSL_NS) {
                    return Err(self.invalid(st, format!("unsupported element <{}> in xsl:function", tag.name())));
                }
                match tag.name() {
                    "param" => {
                        let t = match st.attribute("as") {
                            Some(a) => Some(self.seq_type(st, a)?),
                            None => None,
                        };
                        c.bind(self.attr(st, "name")?, &(0..0))
                            .map_err(|e| self.invalid(st, e.to_string()))?;
                        params.push(t);
                    }
                    "variable" => {
                        let value = match st.attribute("select") {
                            Some(sel) => VarValue::Select(self.compile(&mut c, st, "select", sel)?),
                            None => {
                                if st.children().any(|c| c.is_element()) {
                                    return Err(self.invalid(st, "xsl:variable with element content is not supported"));
                                }
                                let text: String = st.children().filter_map(|c| c.text()).collect();
                                VarValue::Text(text.into())
                            }
                        };
                        let slot = c
                            .bind(self.attr(st, "name")?, &(0..0))
                            .map_err(|e| self.invalid(st, e.to_string()))?;
                        body.push(BodyOp::Variable(slot, value));
                    }
                    "value-of" => body.push(BodyOp::ValueOf(self.compile(
                        &mut c,
                        st,
                        "select",
                        self.attr(st, "select")?,
                    )?)),
                    "sequence" => body.push(BodyOp::Sequence(self.compile(
                        &mut c,
                        st,
                        "select",
                        self.attr(st, "select")?,
                    )?)),
                    other => return Err(self.invalid(st, format!("unsupported xsl:{other} in xsl:function"))),
                }
            }
            let ret = match f.attribute("as") {
                Some(a) => Some(self.seq_type(f, a)?),
                None => None,
            };
            lib.functions.push(UserFn {
                name,
                params,
                body,
                ret,
                slots: c.max_slots,
            });
        }
        Ok(lib)
    }

    fn seq_type(&self, n: roxmltree::Node, text: &str) -> Result<crate::xpath::compile::SeqType, SchemaError> {
        let t = text.trim();
        let (name, occ) = match t.chars().last() {
            Some(c @ ('?' | '*' | '+')) => (&t[..t.len() - 1], c),
            _ => (t, ' '),
        };
        let name = if name == "item()" { None } else { Some(name) };
        self.sc
            .seq_type(name, occ, &(0..0))
            .map_err(|e| self.invalid(n, e.to_string()))
    }

    fn lets(&mut self, c: &mut Compiler, n: roxmltree::Node) -> Result<Vec<(usize, Op)>, SchemaError> {
        let mut out = Vec::new();
        for l in sch_children(n, "let") {
            self.stats.lets += 1;
            let op = self.compile(c, l, "value", self.attr(l, "value")?)?;
            let slot = c
                .bind(self.attr(l, "name")?, &(0..0))
                .map_err(|e| self.invalid(l, e.to_string()))?;
            out.push((slot, op));
        }
        Ok(out)
    }

    fn pattern(&mut self, c: &mut Compiler, p: roxmltree::Node) -> Result<Pattern, SchemaError> {
        self.stats.patterns += 1;
        if p.attribute("abstract") == Some("true") || p.attribute("is-a").is_some() {
            return Err(self.invalid(p, "abstract patterns are not supported: use a preprocessed schema"));
        }
        let depth = c.scope.len();
        let lets = self.lets(c, p)?;
        let mut rules = Vec::new();
        let mut by_name: rustc_hash::FxHashMap<Box<str>, Vec<usize>> = Default::default();
        let mut wildcard = Vec::new();
        for r in sch_children(p, "rule") {
            self.stats.rules += 1;
            if r.attribute("abstract") == Some("true") {
                return Err(self.invalid(r, "abstract rules are not supported: use a preprocessed schema"));
            }
            let context = self.attr(r, "context")?;
            let op = self.compile(c, r, "context", context)?;
            let matcher = Matcher::from_op(op).ok_or_else(|| {
                self.invalid(
                    r,
                    format!("rule context \"{context}\" is not a valid XSLT 2.0 match pattern"),
                )
            })?;
            let idx = rules.len();
            let mut names = matcher.final_names();
            names.dedup();
            for n in names {
                match n {
                    Some(l) => by_name.entry(l.into()).or_default().push(idx),
                    None => wildcard.push(idx),
                }
            }
            let rdepth = c.scope.len();
            let rlets = self.lets(c, r)?;
            let mut checks = Vec::new();
            for a in r
                .children()
                .filter(|x| x.is_element() && x.tag_name().namespace() == Some(SCH_NS))
            {
                let kind = match a.tag_name().name() {
                    "assert" => CheckKind::Assert,
                    "report" => CheckKind::Report,
                    "let" => continue,
                    other => return Err(self.invalid(a, format!("unexpected <{other}> in a rule"))),
                };
                match kind {
                    CheckKind::Assert => self.stats.asserts += 1,
                    CheckKind::Report => self.stats.reports += 1,
                }
                let test_src = self.attr(a, "test")?;
                let test = self.compile(c, a, "test", test_src)?;
                let message = self.message(c, a)?;
                checks.push(CompiledCheck {
                    kind,
                    id: a.attribute("id").map(str::to_string),
                    flag: a.attribute("flag").or_else(|| a.attribute("role")).map(str::to_string),
                    test,
                    test_src: test_src.to_string(),
                    message,
                });
            }
            c.scope.truncate(rdepth);
            rules.push(Rule {
                context: context.to_string(),
                matcher,
                lets: rlets,
                checks,
            });
        }
        c.scope.truncate(depth);
        for v in by_name.values_mut() {
            v.dedup();
        }
        Ok(Pattern {
            id: p.attribute("id").map(str::to_string),
            lets,
            rules,
            by_name,
            wildcard,
        })
    }

    fn message(&self, c: &mut Compiler, a: roxmltree::Node) -> Result<Vec<MsgPart>, SchemaError> {
        let mut parts = Vec::new();
        self.message_into(c, a, &mut parts)?;
        Ok(parts)
    }

    fn message_into(&self, c: &mut Compiler, a: roxmltree::Node, parts: &mut Vec<MsgPart>) -> Result<(), SchemaError> {
        for ch in a.children() {
            if let Some(t) = ch.text().filter(|_| ch.is_text()) {
                parts.push(MsgPart::Text(t.to_string()));
            } else if ch.is_element() && ch.tag_name().namespace() == Some(SCH_NS) {
                match ch.tag_name().name() {
                    "value-of" => parts.push(MsgPart::ValueOf(self.compile(
                        c,
                        ch,
                        "select",
                        self.attr(ch, "select")?,
                    )?)),
                    "name" => parts.push(MsgPart::Name(match ch.attribute("path") {
                        Some(p) => Some(self.compile(c, ch, "path", p)?),
                        None => None,
                    })),
                    _ => self.message_into(c, ch, parts)?,
                }
            }
        }
        Ok(())
    }
}
