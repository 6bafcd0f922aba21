//! `pintae`: the command-line front end. It parses flags, reads files, calls
//! the library and maps verdicts to output and exit codes (0 all valid,
//! 1 any invalid or unreadable, 2 usage or configuration error).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use pintae_rules::bundled::{self, Selection};
use pintae_rules::schematron::Schema;
use pintae_rules::{Report, Validator};

mod convert;
mod style;
use serde::Serialize;
use style::Style;

/// Validate UBL 2.1 e-invoices against PINT-AE and EN 16931 rules.
#[derive(Parser)]
#[command(name = "pintae", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check invoices and credit notes; prints one verdict per document.
    Validate(ValidateArgs),
    /// Convert platform JSON invoices (Taxstar, Evatra) to PINT-AE UBL XML,
    /// and check the result with the bundled rules.
    Convert(convert::ConvertArgs),
    /// List the bundled rules, or show one rule's documentation.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// One line per rule: id, severity, business terms, message.
    List {
        /// Only this rule set (default: all).
        #[arg(long, value_name = "ID")]
        ruleset: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Everything about one rule: message, explanation, fix, terms, test.
    Show {
        /// The rule id, e.g. ibr-128-ae.
        id: String,
        /// Look in this rule set only (default: the first that has the id).
        #[arg(long, value_name = "ID")]
        ruleset: Option<String>,
    },
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Judge every document with this bundled rule set (pint-ae-billing,
    /// pint-ae-selfbilling, en16931-ubl) instead of choosing by
    /// cbc:CustomizationID.
    #[arg(long, value_name = "ID", conflicts_with = "schematron")]
    ruleset: Option<String>,
    /// Run this Schematron file instead of the bundled rules (repeat to run
    /// several in order, e.g. the PINT core file then the PINT-AE
    /// jurisdiction file).
    #[arg(long = "schematron", value_name = "FILE.sch")]
    schematron: Vec<PathBuf>,
    /// Output format: `text` for people, `json` for one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Files, directories (every *.xml inside, recursively) or `-` for stdin.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("pintae: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate(a) => validate(a),
        Command::Rules(c) => rules(c),
        Command::Convert(a) => convert::run(a),
    }
}

/// Who judges the documents.
enum Judge {
    Schematron(Validator),
    Bundled(Selection<'static>),
}

impl Judge {
    fn validate(&self, bytes: &[u8]) -> Report {
        match self {
            Judge::Schematron(v) => v.validate(bytes),
            Judge::Bundled(sel) => bundled::validate(bytes, *sel),
        }
    }
}

fn load_schemas(files: &[PathBuf]) -> Result<Validator> {
    let mut schemas = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        let name = f
            .file_name()
            .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into_owned());
        schemas.push(Schema::parse(&name, &text)?);
    }
    Ok(Validator::new(schemas))
}

/// Expands the PATH arguments: files as given, directories to their `*.{ext}`
/// files (sorted, recursively).
pub(crate) fn expand(paths: &[String], ext: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, ext).with_context(|| format!("cannot list {p}"))?;
            found.sort();
            out.extend(found.into_iter().map(|f| f.to_string_lossy().into_owned()));
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, ext: &str) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            walk(&p, out, ext)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) {
            out.push(p);
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonFailure<'r> {
    id: &'r str,
    flag: &'r str,
    location: &'r str,
    line: u32,
    column: u32,
    message: &'r str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    terms: &'r [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'r str>,
}

#[derive(Serialize)]
struct JsonVerdict<'r> {
    file: &'r str,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ruleset: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed: Option<Vec<JsonFailure<'r>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rule_errors: Vec<&'r pintae_rules::schematron::RuleError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wrapped: Option<&'r pintae_rules::input::Envelope>,
}

/// What the CLI knows about one input: the library's report, or why the
/// file could not be read at all.
struct Verdict {
    report: Report,
    unreadable: Option<String>,
}

impl Verdict {
    fn valid(&self) -> bool {
        self.report.valid && self.unreadable.is_none()
    }

    /// Whether the document could be checked at all.
    fn checked(&self) -> bool {
        self.unreadable.is_none() && self.report.input_error.is_none()
    }
}

fn error_text(v: &Verdict) -> Option<String> {
    if let Some(u) = &v.unreadable {
        return Some(u.clone());
    }
    let r = &v.report;
    if let Some(e) = &r.input_error {
        return Some(e.to_string());
    }
    r.rule_errors.first().map(|e| {
        format!(
            "rule {} raised {} at {} (line {}, column {}): {}{}",
            e.id.as_deref().unwrap_or("(no id)"),
            e.code,
            e.location,
            e.line,
            e.column,
            e.message,
            if r.rule_errors.len() > 1 {
                format!(" (and {} more)", r.rule_errors.len() - 1)
            } else {
                String::new()
            }
        )
    })
}

pub(crate) fn read_input(p: &str) -> io::Result<Vec<u8>> {
    if p == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(p)
    }
}

fn validate(a: ValidateArgs) -> Result<ExitCode> {
    let judge = if !a.schematron.is_empty() {
        Judge::Schematron(load_schemas(&a.schematron)?)
    } else if let Some(id) = &a.ruleset {
        let set = bundled::ruleset(id)?;
        set.validator()?;
        Judge::Bundled(Selection::Fixed(set))
    } else {
        Judge::Bundled(Selection::Auto)
    };
    let style = Style::for_stdout();
    let files = expand(&a.paths, "xml")?;
    if files.is_empty() {
        bail!("no documents found in {}", a.paths.join(", "));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut all_valid = true;
    let (mut n_valid, mut n_invalid) = (0usize, 0usize);
    for f in &files {
        let (report, unreadable) = match read_input(f) {
            Ok(bytes) => (judge.validate(&bytes), None),
            Err(e) => (Report::default(), Some(format!("cannot read {f}: {e}"))),
        };
        let v = Verdict { report, unreadable };
        let report = &v.report;
        let valid = report.valid && v.unreadable.is_none();
        all_valid &= valid;
        if valid {
            n_valid += 1;
        } else {
            n_invalid += 1;
        }
        match a.format {
            Format::Json => write_json(&mut out, f, &v)?,
            Format::Text => write_text(&mut out, f, &v, &style)?,
        }
    }
    if a.format == Format::Text && files.len() > 1 {
        writeln!(
            out,
            "{} documents: {} valid, {} invalid",
            files.len(),
            style.good(&n_valid.to_string()),
            if n_invalid > 0 {
                style.bad(&n_invalid.to_string())
            } else {
                n_invalid.to_string()
            }
        )?;
    }
    out.flush()?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_json(out: &mut impl Write, file: &str, verdict: &Verdict) -> Result<()> {
    let r = &verdict.report;
    let v = JsonVerdict {
        file,
        valid: verdict.valid(),
        ruleset: r.ruleset.as_deref(),
        failed: verdict.checked().then(|| {
            r.failed
                .iter()
                .map(|f| JsonFailure {
                    id: &f.id,
                    flag: &f.flag,
                    location: &f.location,
                    line: f.line,
                    column: f.column,
                    message: &f.message,
                    terms: &f.terms,
                    value: f.value.as_deref(),
                    fix: f.fix.as_deref(),
                })
                .collect()
        }),
        error: error_text(verdict),
        rule_errors: r.rule_errors.iter().collect(),
        wrapped: r.wrapped.as_ref(),
    };
    // serialise first, so that a closed pipe surfaces as the io::Error it is
    let line = serde_json::to_string(&v)?;
    writeln!(out, "{line}")?;
    Ok(())
}

fn write_text(out: &mut impl Write, file: &str, verdict: &Verdict, st: &Style) -> Result<()> {
    let r = &verdict.report;
    let fatal = r.failed.iter().filter(|f| f.flag == "fatal").count();
    let other = r.failed.len() - fatal;
    let word = if verdict.valid() {
        st.good("valid")
    } else {
        st.bad("INVALID")
    };
    write!(out, "{}: {word}", st.bold(file))?;
    if !r.failed.is_empty() {
        write!(out, " ({fatal} fatal, {other} warning)")?;
    }
    if let Some(rs) = &r.ruleset {
        write!(out, " {}", st.dim(&format!("[{rs}]")))?;
    }
    if let Some(w) = &r.wrapped {
        write!(out, " [unwrapped from an {} envelope]", w.kind.to_uppercase())?;
    }
    writeln!(out)?;
    if let Some(e) = error_text(verdict) {
        writeln!(out, "  {} {e}", st.bad("error:"))?;
    }
    // one group per rule: fatal rules first, then the others, each in order
    // of first appearance; the message once, then every place it failed
    let mut groups: Vec<(&str, &str, Vec<&pintae_rules::Failure>)> = Vec::new();
    for f in &r.failed {
        match groups.iter_mut().find(|(id, flag, _)| *id == f.id && *flag == f.flag) {
            Some(g) => g.2.push(f),
            None => groups.push((&f.id, &f.flag, vec![f])),
        }
    }
    groups.sort_by_key(|(_, flag, _)| *flag != "fatal");
    for (id, flag, fs) in &groups {
        let times = if fs.len() > 1 {
            format!(" ({}×)", fs.len())
        } else {
            String::new()
        };
        let flag_text = format!("{flag:<7}");
        let flag_text = if *flag == "fatal" {
            st.bad(&flag_text)
        } else {
            st.warn(&flag_text)
        };
        writeln!(out, "  {flag_text} {}{times}: {}", st.bold(id), fs[0].message)?;
        if !fs[0].terms.is_empty() {
            writeln!(out, "          terms: {}", fs[0].terms.join(", "))?;
        }
        for f in fs {
            let value = match &f.value {
                Some(v) => format!("  value: {v:?}"),
                None => String::new(),
            };
            writeln!(
                out,
                "          at {}  {}{value}",
                st.bold(&format!("{}:{}", f.line, f.column)),
                st.dim(&f.location)
            )?;
        }
        if let Some(fix) = &fs[0].fix {
            writeln!(out, "          {} {fix}", st.good("fix:"))?;
        }
    }
    Ok(())
}

/// The rule set `--ruleset` names, or all of them.
fn selected(ruleset: Option<&str>) -> Result<Vec<&'static bundled::RuleSet>> {
    Ok(match ruleset {
        Some(id) => vec![bundled::ruleset(id)?],
        None => bundled::rulesets()?.iter().collect(),
    })
}

fn rules(c: RulesCommand) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let st = Style::for_stdout();
    match c {
        RulesCommand::List { ruleset, format } => {
            for set in selected(ruleset.as_deref())? {
                let set_rules = set.rules()?;
                if format == Format::Text {
                    writeln!(
                        out,
                        "{} — {} ({} rules)",
                        st.bold(set.label()),
                        set.title,
                        set_rules.len()
                    )?;
                }
                for r in set_rules {
                    match format {
                        Format::Json => {
                            let line = serde_json::to_string(&serde_json::json!({
                                "ruleset": set.label(), "id": r.id, "flag": r.flag,
                                "terms": r.terms, "message": r.message,
                            }))?;
                            writeln!(out, "{line}")?;
                        }
                        Format::Text => {
                            let terms = if r.terms.is_empty() {
                                String::new()
                            } else {
                                format!(" [{}]", r.terms.join(", "))
                            };
                            writeln!(out, "  {:<14} {:<7}{} {}", r.id, r.flag, st.dim(&terms), r.message)?;
                        }
                    }
                }
            }
        }
        RulesCommand::Show { id, ruleset } => {
            let sets = selected(ruleset.as_deref())?;
            let mut found: Vec<(&bundled::RuleSet, &bundled::RuleInfo)> = Vec::new();
            for s in &sets {
                if let Some(r) = s.rules()?.iter().find(|r| r.id.eq_ignore_ascii_case(&id)) {
                    found.push((*s, r));
                }
            }
            let Some((set, r)) = found.first() else {
                bail!(
                    "no rule {id} in {}",
                    sets.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                );
            };
            let lists = bundled::codelists()?;
            writeln!(out, "{} ({}) — {}", st.bold(&r.id), r.flag, set.label())?;
            writeln!(out)?;
            writeln!(out, "{}", r.message)?;
            writeln!(out)?;
            if !r.terms.is_empty() {
                writeln!(out, "Business terms: {}", r.terms.join(", "))?;
            }
            writeln!(
                out,
                "Checked on:     {} (pattern {}, part {})",
                r.context, r.pattern, r.part
            )?;
            writeln!(out)?;
            writeln!(out, "{}", r.explanation)?;
            writeln!(out)?;
            writeln!(out, "{} {}", st.good("Fix:"), r.fix)?;
            if let Some(n) = &r.note {
                writeln!(out, "\nNote: {n}")?;
            }
            writeln!(out, "\n{}:\n  {}", if r.report { "Fires when" } else { "Test" }, r.test)?;
            for l in &r.codelists {
                if let Some(cl) = lists.get(l) {
                    let sample: Vec<String> = cl
                        .codes
                        .iter()
                        .take(12)
                        .map(|(c, n)| if n.is_empty() { c.clone() } else { format!("{c} ({n})") })
                        .collect();
                    let more = cl.codes.len().saturating_sub(12);
                    writeln!(
                        out,
                        "\nCode list {} — {}, {} codes: {}{}",
                        cl.id,
                        cl.title,
                        cl.codes.len(),
                        sample.join(", "),
                        if more > 0 {
                            format!(", … and {more} more")
                        } else {
                            String::new()
                        }
                    )?;
                }
            }
            if found.len() > 1 {
                let others: Vec<&str> = found[1..].iter().map(|(s, _)| s.label()).collect();
                writeln!(out, "\nAlso in: {}", others.join(", "))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
