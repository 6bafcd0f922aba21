//! `pintae`: the command-line front end. It parses flags, reads files, calls
//! the library and maps verdicts to output and exit codes (0 all valid,
//! 1 any invalid or unreadable, 2 usage or configuration error).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use pintae_rules::schematron::Schema;
use pintae_rules::{Report, Validator};
use serde::Serialize;

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
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Schematron file to run (repeat to run several in order, e.g. the
    /// PINT core file then the PINT-AE jurisdiction file).
    #[arg(long = "schematron", value_name = "FILE.sch", required = true)]
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

/// Expands the PATH arguments: files as given, directories to their `*.xml`
/// files (sorted, recursively).
fn expand(paths: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found).with_context(|| format!("cannot list {p}"))?;
            found.sort();
            out.extend(found.into_iter().map(|f| f.to_string_lossy().into_owned()));
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
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
}

#[derive(Serialize)]
struct JsonVerdict<'r> {
    file: &'r str,
    valid: bool,
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

fn read_input(p: &str) -> io::Result<Vec<u8>> {
    if p == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(p)
    }
}

fn validate(a: ValidateArgs) -> Result<ExitCode> {
    let validator = load_schemas(&a.schematron)?;
    let files = expand(&a.paths)?;
    if files.is_empty() {
        bail!("no documents found in {}", a.paths.join(", "));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut all_valid = true;
    let (mut n_valid, mut n_invalid) = (0usize, 0usize);
    for f in &files {
        let (report, unreadable) = match read_input(f) {
            Ok(bytes) => (validator.validate(&bytes), None),
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
            Format::Text => write_text(&mut out, f, &v)?,
        }
    }
    if a.format == Format::Text && files.len() > 1 {
        writeln!(
            out,
            "{} documents: {} valid, {} invalid",
            files.len(),
            n_valid,
            n_invalid
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

fn write_text(out: &mut impl Write, file: &str, verdict: &Verdict) -> Result<()> {
    let r = &verdict.report;
    let fatal = r.failed.iter().filter(|f| f.flag == "fatal").count();
    let other = r.failed.len() - fatal;
    let word = if verdict.valid() { "valid" } else { "INVALID" };
    write!(out, "{file}: {word}")?;
    if !r.failed.is_empty() {
        write!(out, " ({fatal} fatal, {other} other)")?;
    }
    if let Some(w) = &r.wrapped {
        write!(out, " [unwrapped from an {} envelope]", w.kind.to_uppercase())?;
    }
    writeln!(out)?;
    if let Some(e) = error_text(verdict) {
        writeln!(out, "  error: {e}")?;
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
        writeln!(out, "  {flag:<7} {id}{times}: {}", fs[0].message)?;
        for f in fs {
            writeln!(out, "          at {}:{}  {}", f.line, f.column, f.location)?;
        }
    }
    Ok(())
}
