//! Times XPath expressions on a document: a quick way to find which rule
//! expression is slow. Each expression is compiled once and evaluated many
//! times by one evaluator with the root element as the context item (as in a
//! schema run, per-document values are computed on the first evaluation), so
//! the figure is the evaluation alone. With `--at PATH` the context item is
//! the first node `PATH` selects and each expression is evaluated to its
//! effective boolean value, as a rule's test is (`--at
//! 'cac:InvoiceLine[1]'` times a line rule on a line).
//!
//!     cargo run --release -p pintae-rules --example xpath_time -- FILE.xml [--at PATH] 'EXPR' ['EXPR' …]

use std::error::Error;
use std::time::Instant;

use pintae_rules::xpath::compile::Compiler;
use pintae_rules::xpath::{parser, ubl_namespaces, Evaluator, Focus, Item, Library, StaticContext, XNode};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: xpath_time FILE.xml [--at PATH] EXPR…")?;
    let text = std::fs::read_to_string(&file)?;
    let doc = roxmltree::Document::parse(&text)?;
    let mut sc = StaticContext::new();
    for (p, u) in ubl_namespaces() {
        sc.namespaces.insert(p.to_string(), u.to_string());
    }
    let compile = |e: &str| -> Result<_, Box<dyn Error>> { Ok(Compiler::new(&sc).compile(&parser::parse(e)?)?) };
    let lib = Library::default();
    let runs: u32 = std::env::var("XPATH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200_000);
    let mut args = args.peekable();
    let at = match args.peek().map(String::as_str) {
        Some("--at") => {
            let path = args.nth(1).ok_or("--at needs a path")?;
            Some((compile(&path)?, path))
        }
        _ => None,
    };
    let ebv = at.is_some();
    let mut context = XNode::new(doc.root_element());
    if let Some((op, path)) = &at {
        let mut ev = Evaluator::new(&lib);
        ev.number_elements(&doc);
        let found = ev.eval(op, &Focus::node(context)).map_err(|e| *e)?;
        match found.first() {
            Some(Item::Node(n)) => context = *n,
            _ => return Err(format!("{path} selects no node").into()),
        }
    }
    let focus = Focus::node(context);
    for e in args {
        let mut op = compile(&e)?;
        if ebv {
            // as a rule's test is
            pintae_rules::xpath::direct::lower(&mut op);
        }
        let mut ev = Evaluator::new(&lib);
        ev.number_elements(&doc);
        let t = if ebv {
            let b = ev.ebv(&op, &focus).map_err(|e| *e)?;
            let t = Instant::now();
            for _ in 0..runs {
                std::hint::black_box(ev.ebv(&op, &focus).map_err(|e| *e)?);
            }
            format!(
                "{:>9.1} ns  {e}  => {b}",
                t.elapsed().as_secs_f64() * 1e9 / f64::from(runs)
            )
        } else {
            let mut items = ev.eval(&op, &focus).map_err(|e| *e)?.len();
            let t = Instant::now();
            for _ in 0..runs {
                items = std::hint::black_box(ev.eval(&op, &focus).map_err(|e| *e)?).len();
            }
            format!(
                "{:>9.1} ns  {e}  => {items} item(s)",
                t.elapsed().as_secs_f64() * 1e9 / f64::from(runs)
            )
        };
        println!("{t}");
    }
    let t = Instant::now();
    for _ in 0..2000 {
        std::hint::black_box(roxmltree::Document::parse(&text)?);
    }
    println!(
        "{:>9.3} µs  (roxmltree parse)",
        t.elapsed().as_secs_f64() * 1e6 / 2000.0
    );
    Ok(())
}
