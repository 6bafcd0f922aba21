//! Times XPath expressions on a document: a quick way to find which rule
//! expression is slow.
//!
//!     cargo run --release -p pintae-rules --example xpath_time -- FILE.xml 'EXPR' ['EXPR' …]

use std::error::Error;
use std::time::Instant;

use pintae_rules::xpath::{ubl_namespaces, XPath};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: xpath_time FILE.xml EXPR…")?;
    let text = std::fs::read_to_string(&file)?;
    let doc = roxmltree::Document::parse(&text)?;
    let ns: Vec<(&str, &str)> = ubl_namespaces().into_iter().collect();
    let runs = 20_000;
    for e in args {
        let x = XPath::compile(&e, &ns)?;
        let t = Instant::now();
        let mut result = Vec::new();
        for _ in 0..runs {
            result = x.evaluate_strings(doc.root_element())?;
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
        println!("{us:>9.3} µs  {e}  => {} item(s)", result.len());
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
