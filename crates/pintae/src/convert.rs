//! `pintae convert`: platform JSON → PINT-AE UBL XML, checked with the
//! bundled rules, in parallel, written atomically.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use pintae_convert::{check, evatra, taxstar, Checked, Converted, Entities, FieldIssue, MappedFailure, Status};
use rayon::prelude::*;
use serde::Serialize;

use crate::style::Style;
use crate::{expand, read_input, Format};

/// The platform whose JSON the inputs are.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// Taxstar `POST /oauth/invoices` bodies, or bulk bodies `{"invoices": [...]}`.
    Taxstar,
    /// Evatra `send-document-async-json` requests, or a bare `ublDto`.
    Evatra,
}

#[derive(clap::Args)]
pub struct ConvertArgs {
    /// Input format.
    #[arg(long, value_enum)]
    from: Platform,
    /// The seller entity (JSON, see README) every Taxstar invoice is issued by.
    #[arg(long, value_name = "FILE", conflicts_with = "entities")]
    entity: Option<PathBuf>,
    /// Seller entities by `entity_id` (JSON array or object, see README).
    #[arg(long, value_name = "FILE")]
    entities: Option<PathBuf>,
    /// Where the XML goes: a directory (files named after the invoice
    /// numbers) or, for a single invoice, a file. Without it a single
    /// invoice's XML goes to standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Write only invoices that pass the rules.
    #[arg(long)]
    valid_only: bool,
    /// Output format of the report: `text` for people, `json` for one JSON
    /// object per invoice and line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// JSON files, directories (every *.json inside, recursively) or `-`
    /// for standard input.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<String>,
}

/// One invoice of one input file.
struct Item {
    file: usize,
    converted: Converted,
    checked: Option<Checked>,
    output: Option<PathBuf>,
    write_error: Option<String>,
}

impl Item {
    fn valid(&self) -> bool {
        self.converted.status == Status::Converted
            && self.checked.as_ref().is_some_and(Checked::valid)
            && self.write_error.is_none()
    }
}

struct Unreadable {
    file: usize,
    error: String,
}

/// Set by Ctrl-C or SIGTERM: convert no more inputs, start no more writes,
/// and exit once the writes under way are whole.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Exit status after an interruption (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

pub fn run(a: ConvertArgs) -> Result<ExitCode> {
    // a second signal while the first is being honoured ends the process at
    // once; temporary files it leaves are removed by the next run
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    let entities = load_entities(&a)?;
    let files = expand(&a.inputs, "json")?;
    if files.is_empty() {
        bail!("no JSON inputs found in {}", a.inputs.join(", "));
    }
    let bar = progress(files.len());
    let per_file: Vec<std::result::Result<Vec<Item>, Unreadable>> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            if interrupted() {
                return Ok(Vec::new());
            }
            let r = convert_file(i, f, a.from, &entities);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    if interrupted() {
        eprintln!("pintae: interrupted before any XML was written");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let mut items = Vec::new();
    let mut unreadable = Vec::new();
    for r in per_file {
        match r {
            Ok(v) => items.extend(v),
            Err(u) => unreadable.push(u),
        }
    }
    if a.from == Platform::Taxstar {
        mark_cross_file_duplicates(&mut items, &files);
    }
    let to_write: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.converted.written.is_some() && (!a.valid_only || it.valid()))
        .map(|(i, _)| i)
        .collect();
    let to_stdout = a.output.is_none();
    if to_stdout && to_write.len() > 1 {
        bail!("{} invoices to write: give a directory with -o OUT", to_write.len());
    }
    let xml_out = match &a.output {
        None => None,
        Some(out) => Some(plan_outputs(out, &mut items, &to_write, &files)?),
    };
    if let Some(dir) = &xml_out {
        remove_stale_temps(dir);
        let errors: Vec<(usize, String)> = to_write
            .par_iter()
            .filter_map(|&i| {
                if interrupted() {
                    return Some((i, "interrupted before this file was written".to_string()));
                }
                let it = &items[i];
                let (path, w) = (it.output.as_ref()?, it.converted.written.as_ref()?);
                write_atomic(path, &w.xml)
                    .err()
                    .map(|e| (i, format!("cannot write {}: {e:#}", path.display())))
            })
            .collect();
        for (i, e) in errors {
            items[i].write_error = Some(e);
            items[i].output = None;
        }
        if interrupted() {
            let written = items.iter().filter(|i| i.output.is_some()).count();
            eprintln!(
                "pintae: interrupted: {written} of {} XML files written to {}, each complete",
                to_write.len(),
                dir.display()
            );
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        }
    }
    // the report goes to stdout, unless the XML does
    let style = if to_stdout {
        Style::for_stderr()
    } else {
        Style::for_stdout()
    };
    let report: Box<dyn Write> = if to_stdout {
        Box::new(io::stderr().lock())
    } else {
        Box::new(io::stdout().lock())
    };
    let mut report = io::BufWriter::new(report);
    if to_stdout {
        if let Some(&i) = to_write.first() {
            if let Some(w) = &items[i].converted.written {
                let mut so = io::stdout().lock();
                so.write_all(&w.xml)?;
                so.flush()?;
            }
        }
    }
    let mut order: Vec<(usize, Option<usize>)> = items.iter().enumerate().map(|(i, it)| (it.file, Some(i))).collect();
    order.extend(unreadable.iter().map(|u| (u.file, None)));
    order.sort_by_key(|&(f, i)| (f, i));
    let mut ui = unreadable.iter();
    for (f, i) in order {
        match i {
            Some(i) => match a.format {
                Format::Json => write_json(&mut report, &files[f], &items[i])?,
                Format::Text => write_text(&mut report, &files[f], &items[i], &style)?,
            },
            None => {
                let u = ui
                    .find(|u| u.file == f)
                    .map(|u| u.error.as_str())
                    .unwrap_or("unreadable");
                match a.format {
                    Format::Json => writeln!(
                        report,
                        "{}",
                        serde_json::to_string(&serde_json::json!({"file": files[f], "valid": false, "error": u}))?
                    )?,
                    Format::Text => writeln!(report, "{}: {} {u}", style.bold(&files[f]), style.bad("error:"))?,
                }
            }
        }
    }
    let n_valid = items.iter().filter(|i| i.valid()).count();
    let count = |s: Status| items.iter().filter(|i| i.converted.status == s).count();
    let (refused, dups) = (count(Status::Invalid), count(Status::Duplicate));
    let written = items.iter().filter(|i| i.output.is_some()).count();
    if a.format == Format::Text && (items.len() + unreadable.len() > 1 || xml_out.is_some()) {
        let invalid = items.len() - n_valid - refused - dups;
        let mut line = format!(
            "{} invoices from {} inputs: {} valid, {} invalid, {} refused (field errors), {} duplicates",
            items.len(),
            files.len(),
            style.good(&n_valid.to_string()),
            invalid,
            refused,
            dups
        );
        if !unreadable.is_empty() {
            line.push_str(&format!(", {} unreadable inputs", unreadable.len()));
        }
        if let Some(d) = &xml_out {
            line.push_str(&format!("; {written} XML files written to {}", d.display()));
        }
        writeln!(report, "{line}")?;
    }
    report.flush()?;
    let all_ok = unreadable.is_empty() && items.iter().all(Item::valid);
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn load_entities(a: &ConvertArgs) -> Result<Entities> {
    let load = |p: &Path, one: bool| -> Result<Entities> {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let r = if one {
            Entities::from_entity_json(&bytes)
        } else {
            Entities::from_entities_json(&bytes)
        };
        r.with_context(|| format!("{}: not a valid entity file", p.display()))
    };
    Ok(match (&a.entity, &a.entities) {
        (Some(p), _) => load(p, true)?,
        (None, Some(p)) => load(p, false)?,
        (None, None) => Entities::none(),
    })
}

fn progress(n: usize) -> indicatif::ProgressBar {
    if n < 2 || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} inputs  {per_sec}  eta {eta}") {
        bar.set_style(style);
    }
    bar
}

fn convert_file(
    file: usize,
    path: &str,
    from: Platform,
    entities: &Entities,
) -> std::result::Result<Vec<Item>, Unreadable> {
    let bytes = read_input(path).map_err(|e| Unreadable {
        file,
        error: format!("cannot read {path}: {e}"),
    })?;
    let converted = match from {
        Platform::Taxstar => taxstar::convert(&bytes, entities),
        Platform::Evatra => vec![evatra::convert(&bytes)],
    };
    Ok(converted
        .into_iter()
        .map(|c| {
            let checked = check(&c);
            Item {
                file,
                converted: c,
                checked,
                output: None,
                write_error: None,
            }
        })
        .collect())
}

/// The same entity and invoice number in two inputs: the later one is a
/// duplicate (409), as the platform would answer.
fn mark_cross_file_duplicates(items: &mut [Item], files: &[String]) {
    let mut seen: std::collections::HashMap<(Option<String>, String), usize> = std::collections::HashMap::new();
    for i in 0..items.len() {
        let c = &items[i].converted;
        let Some(n) = c.invoice_number.clone() else { continue };
        if c.status != Status::Converted {
            continue;
        }
        let key = (c.entity_id.clone(), n.clone());
        match seen.get(&key) {
            Some(&first) if items[first].file != items[i].file => {
                let first_file = files[items[first].file].clone();
                let c = &mut items[i].converted;
                c.status = Status::Duplicate;
                c.written = None;
                let path = if c.json_prefix.is_empty() {
                    "invoice_number".to_string()
                } else {
                    format!("{}.invoice_number", c.json_prefix)
                };
                c.errors.push(FieldIssue::new(
                    &path,
                    format!("duplicate invoice number '{n}' (first in {first_file})"),
                ));
                items[i].checked = None;
            }
            Some(_) => {}
            None => {
                seen.insert(key, i);
            }
        }
    }
}

/// A file name from an invoice number: letters, digits, `.`, `_`, `-`.
fn file_name(number: &str) -> String {
    let s: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.');
    if s.is_empty() {
        "invoice".into()
    } else {
        s.chars().take(120).collect()
    }
}

/// Decides every output path (in input order, so names are deterministic)
/// and returns the directory the files go to.
fn plan_outputs(out: &Path, items: &mut [Item], to_write: &[usize], files: &[String]) -> Result<PathBuf> {
    let file_target = !out.is_dir() && out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if file_target && to_write.len() > 1 {
        bail!(
            "{} invoices to write but {} names a file: give a directory with -o OUT",
            to_write.len(),
            out.display()
        );
    }
    if file_target {
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        if let Some(&i) = to_write.first() {
            items[i].output = Some(out.to_path_buf());
        }
        return Ok(dir);
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut used: HashSet<String> = HashSet::new();
    for &i in to_write {
        let it = &items[i];
        let stem = match &it.converted.invoice_number {
            Some(n) => file_name(n),
            None => {
                let f = Path::new(&files[it.file])
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                file_name(&format!("{f}-{}", it.converted.index.unwrap_or(0)))
            }
        };
        let mut name = format!("{stem}.xml");
        let mut k = 2;
        while !used.insert(name.to_ascii_lowercase()) {
            name = format!("{stem}-{k}.xml");
            k += 1;
        }
        items[i].output = Some(out.join(name));
    }
    Ok(out.to_path_buf())
}

const TEMP_PREFIX: &str = ".pintae-";
const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`: readers see the old file or the whole new one, never a part.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_data()?;
    tmp.persist(path)?;
    Ok(())
}

/// Temporary files an interrupted earlier run left behind.
fn remove_stale_temps(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let n = e.file_name();
        let n = n.to_string_lossy();
        if n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[derive(Serialize)]
struct JsonItem<'r> {
    file: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    invoice_number: Option<&'r str>,
    status: u16,
    output: Option<String>,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ruleset: Option<&'r str>,
    failed: &'r [MappedFailure],
    errors: Vec<&'r FieldIssue>,
    #[serde(skip_serializing_if = "<[FieldIssue]>::is_empty")]
    warnings: &'r [FieldIssue],
    #[serde(skip_serializing_if = "Option::is_none")]
    write_error: Option<&'r str>,
}

fn write_json(out: &mut impl Write, file: &str, it: &Item) -> Result<()> {
    let c = &it.converted;
    let v = JsonItem {
        file,
        index: c.index,
        invoice_number: c.invoice_number.as_deref(),
        status: c.status.code(),
        output: it.output.as_ref().map(|p| p.display().to_string()),
        valid: it.valid(),
        ruleset: it.checked.as_ref().and_then(|k| k.report.ruleset.as_deref()),
        failed: it.checked.as_ref().map_or(&[], |k| k.failed.as_slice()),
        errors: c.errors.iter().collect(),
        warnings: &c.warnings,
        write_error: it.write_error.as_deref(),
    };
    let line = serde_json::to_string(&v)?;
    writeln!(out, "{line}")?;
    Ok(())
}

fn write_text(out: &mut impl Write, file: &str, it: &Item, st: &Style) -> Result<()> {
    let c = &it.converted;
    let mut head = st.bold(file);
    if let Some(i) = c.index {
        head.push_str(&format!(" [invoices[{i}]]"));
    }
    if let Some(n) = &c.invoice_number {
        head.push_str(&format!(" {n}"));
    }
    let verdict = match c.status {
        Status::Duplicate => st.bad("409 duplicate"),
        Status::Invalid => st.bad("400 not converted"),
        Status::Converted if it.valid() => st.good("valid"),
        Status::Converted => st.bad("INVALID"),
    };
    write!(out, "{head}: {verdict}")?;
    if let Some(k) = &it.checked {
        let fatal = k.failed.iter().filter(|f| f.failure.flag == "fatal").count();
        if !k.failed.is_empty() {
            write!(out, " ({fatal} fatal, {} warning)", k.failed.len() - fatal)?;
        }
        if let Some(rs) = &k.report.ruleset {
            write!(out, " {}", st.dim(&format!("[{rs}]")))?;
        }
    }
    if let Some(p) = &it.output {
        write!(out, " → {}", p.display())?;
    }
    writeln!(out)?;
    for e in &c.errors {
        let term = e.term.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
        let at = match (e.line, e.column) {
            (Some(l), Some(col)) => format!(" (line {l}, column {col})"),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {} {}: {}{term}{at}",
            st.bad("error  "),
            st.bold(&e.path),
            e.message
        )?;
    }
    if let Some(e) = &it.write_error {
        writeln!(out, "  {} {e}", st.bad("error  "))?;
    }
    if let Some(k) = &it.checked {
        if let Some(e) = &k.report.input_error {
            writeln!(out, "  {} {e}", st.bad("error  "))?;
        }
        for m in &k.failed {
            let f = &m.failure;
            let flag = format!("{:<7}", f.flag);
            let flag = if f.flag == "fatal" {
                st.bad(&flag)
            } else {
                st.warn(&flag)
            };
            writeln!(
                out,
                "  {flag} {} {}: {}",
                st.bold(&m.json_path),
                st.dim(&format!("[{}]", f.id)),
                f.message
            )?;
            if !f.terms.is_empty() {
                writeln!(out, "          terms: {}", f.terms.join(", "))?;
            }
            if let Some(fix) = &f.fix {
                writeln!(out, "          {} {fix}", st.good("fix:"))?;
            }
        }
    }
    for w in &c.warnings {
        writeln!(out, "  {} {}: {}", st.warn("warning"), st.bold(&w.path), w.message)?;
    }
    Ok(())
}
