//! Reads a Schematron file (and the `xsl:function` definitions embedded in
//! it) into a [`SchemaDef`], which [`SchemaDef::compile`] turns into a
//! runnable [`Schema`](super::Schema).

use super::def::{BodyDef, CheckDef, FunctionDef, LetDef, MessageDef, PatternDef, RuleDef, SchemaDef};
use super::{CheckKind, Schema};
use crate::xpath::XPathError;
use pintae_model::position::ElementStarts;
use pintae_model::unqualified_attribute;

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
    #[error("{name}:{at}: {message}")]
    Invalid {
        /// Schema name.
        name: String,
        /// Where: `line:column` in a `.sch` file, or the bundled rule.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// An XPath expression that does not compile.
    #[error("{name}:{at}: in {attr}=\"{expr}\": {error}")]
    XPath {
        /// Schema name.
        name: String,
        /// Where: `line:column` in a `.sch` file, or the bundled rule.
        at: String,
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
    starts: ElementStarts,
}

fn sch_children<'a, 'i>(
    n: roxmltree::Node<'a, 'i>,
    local: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().namespace() == Some(SCH_NS) && c.tag_name().name() == local)
}

impl<'d, 'i> Reader<'d, 'i> {
    fn at(&self, n: roxmltree::Node) -> String {
        let p = self.doc.text_pos_at(self.starts.of(n));
        format!("{}:{}", p.row, p.col)
    }

    fn invalid(&self, n: roxmltree::Node, message: impl Into<String>) -> SchemaError {
        SchemaError::Invalid {
            name: self.name.clone(),
            at: self.at(n),
            message: message.into(),
        }
    }

    fn attr<'n>(&self, n: roxmltree::Node<'n, 'i>, a: &str) -> Result<&'n str, SchemaError> {
        unqualified_attribute(n, a)
            .ok_or_else(|| self.invalid(n, format!("<{}> needs a {a}=\"…\" attribute", n.tag_name().name())))
    }

    fn lets(&self, n: roxmltree::Node) -> Result<Vec<LetDef>, SchemaError> {
        sch_children(n, "let")
            .map(|l| {
                Ok(LetDef {
                    name: self.attr(l, "name")?.to_string(),
                    value: self.attr(l, "value")?.to_string(),
                    at: self.at(l),
                })
            })
            .collect()
    }

    fn functions(&self, root: roxmltree::Node) -> Result<Vec<FunctionDef>, SchemaError> {
        let mut out = Vec::new();
        for f in root.children().filter(|c| c.has_tag_name((XSL_NS, "function"))) {
            let mut params = Vec::new();
            let mut body = Vec::new();
            for st in f.children().filter(|c| c.is_element()) {
                let tag = st.tag_name();
                if tag.namespace() != Some(XSL_NS) {
                    return Err(self.invalid(st, format!("unsupported element <{}> in xsl:function", tag.name())));
                }
                match tag.name() {
                    "param" => params.push((
                        self.attr(st, "name")?.to_string(),
                        unqualified_attribute(st, "as").map(str::to_string),
                    )),
                    "variable" => {
                        if unqualified_attribute(st, "select").is_none() && st.children().any(|c| c.is_element()) {
                            return Err(self.invalid(st, "xsl:variable with element content is not supported"));
                        }
                        body.push(BodyDef::Variable {
                            name: self.attr(st, "name")?.to_string(),
                            select: unqualified_attribute(st, "select").map(str::to_string),
                            text: st.children().filter_map(|c| c.text()).collect(),
                        });
                    }
                    "value-of" => body.push(BodyDef::ValueOf(self.attr(st, "select")?.to_string())),
                    "sequence" => body.push(BodyDef::Sequence(self.attr(st, "select")?.to_string())),
                    other => return Err(self.invalid(st, format!("unsupported xsl:{other} in xsl:function"))),
                }
            }
            out.push(FunctionDef {
                name: self.attr(f, "name")?.to_string(),
                params,
                returns: unqualified_attribute(f, "as").map(str::to_string),
                body,
                at: self.at(f),
            });
        }
        Ok(out)
    }

    fn pattern(&self, p: roxmltree::Node) -> Result<PatternDef, SchemaError> {
        if unqualified_attribute(p, "abstract") == Some("true") || unqualified_attribute(p, "is-a").is_some() {
            return Err(self.invalid(p, "abstract patterns are not supported: use a preprocessed schema"));
        }
        let mut rules = Vec::new();
        for r in sch_children(p, "rule") {
            if unqualified_attribute(r, "abstract") == Some("true") {
                return Err(self.invalid(r, "abstract rules are not supported: use a preprocessed schema"));
            }
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
                let mut message = Vec::new();
                self.message_into(a, &mut message)?;
                checks.push(CheckDef {
                    kind,
                    id: unqualified_attribute(a, "id").map(str::to_string),
                    flag: unqualified_attribute(a, "flag")
                        .or_else(|| unqualified_attribute(a, "role"))
                        .map(str::to_string),
                    test: self.attr(a, "test")?.to_string(),
                    message,
                    doc: None,
                    at: self.at(a),
                });
            }
            rules.push(RuleDef {
                context: self.attr(r, "context")?.to_string(),
                lets: self.lets(r)?,
                checks,
                at: self.at(r),
            });
        }
        Ok(PatternDef {
            id: unqualified_attribute(p, "id").map(str::to_string),
            lets: self.lets(p)?,
            rules,
            at: self.at(p),
        })
    }

    fn message_into(&self, a: roxmltree::Node, parts: &mut Vec<MessageDef>) -> Result<(), SchemaError> {
        for ch in a.children() {
            if let Some(t) = ch.text().filter(|_| ch.is_text()) {
                parts.push(MessageDef::Text(t.to_string()));
            } else if ch.is_element() && ch.tag_name().namespace() == Some(SCH_NS) {
                match ch.tag_name().name() {
                    "value-of" => parts.push(MessageDef::ValueOf(self.attr(ch, "select")?.to_string())),
                    "name" => parts.push(MessageDef::Name(unqualified_attribute(ch, "path").map(str::to_string))),
                    _ => self.message_into(ch, parts)?,
                }
            }
        }
        Ok(())
    }
}

impl SchemaDef {
    /// Reads a Schematron schema from its text. `name` is used in messages
    /// (typically the file name); the schema's `title` replaces it when
    /// present.
    pub fn from_schematron(name: &str, text: &str) -> Result<SchemaDef, SchemaError> {
        // refuse hostile depth and width before parsing, as `input::parse`
        // does for documents
        if let Err(e) = crate::input::refuse_hostile_shape(text) {
            let (at, message) = match &e {
                crate::input::InputError::TooDeep { line, column, limit } => (
                    format!("{line}:{column}"),
                    format!("elements nest deeper than {limit} levels"),
                ),
                crate::input::InputError::TooManyAttributes { line, column, .. }
                | crate::input::InputError::TooManyNamespaces { line, column, .. } => {
                    (format!("{line}:{column}"), e.to_string())
                }
                other => ("1:1".to_string(), other.to_string()),
            };
            return Err(SchemaError::Invalid {
                name: name.to_string(),
                at,
                message,
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
        let r = Reader {
            name: name.to_string(),
            doc: &doc,
            starts: ElementStarts::new(&doc),
        };
        if let Some(qb) = unqualified_attribute(root, "queryBinding") {
            if !matches!(
                qb.to_ascii_lowercase().as_str(),
                "xslt2" | "xpath2" | "xslt3" | "xpath3"
            ) {
                return Err(r.invalid(root, format!("queryBinding \"{qb}\" is not supported (xslt2 is)")));
            }
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
        let namespaces = sch_children(root, "ns")
            .map(|ns| Ok((r.attr(ns, "prefix")?.to_string(), r.attr(ns, "uri")?.to_string())))
            .collect::<Result<_, SchemaError>>()?;
        let title = root
            .children()
            .find(|t| t.has_tag_name((SCH_NS, "title")))
            .and_then(|t| t.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        Ok(SchemaDef {
            name: title.unwrap_or_else(|| name.to_string()),
            namespaces,
            functions: r.functions(root)?,
            lets: r.lets(root)?,
            patterns: sch_children(root, "pattern")
                .map(|p| r.pattern(p))
                .collect::<Result<_, _>>()?,
        })
    }
}

impl Schema {
    /// Reads and compiles a Schematron schema from its text. `name` is used
    /// in messages (typically the file name).
    pub fn parse(name: &str, text: &str) -> Result<Schema, SchemaError> {
        SchemaDef::from_schematron(name, text)?.compile()
    }
}
