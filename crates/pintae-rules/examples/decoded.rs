//! Prints, for each file, the characters pintae reads in its elements'
//! text once the bytes are decoded (as hexadecimal code points), or why it
//! refuses the file: what `scripts/encoding-differential.py` compares with
//! the official processor.
//!
//!     cargo run --release -p pintae-rules --example decoded -- FILE.xml…

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    for file in std::env::args().skip(1) {
        let bytes = std::fs::read(&file)?;
        let read = match pintae_rules::input::decode(&bytes) {
            Err(e) => format!("ERR {e}"),
            Ok(text) => match roxmltree::Document::parse(&text) {
                Err(e) => format!("PARSE {e}"),
                Ok(doc) => doc
                    .descendants()
                    .filter(|n| n.is_text())
                    .flat_map(|n| n.text().unwrap_or("").chars())
                    .map(|c| format!("{:x}", u32::from(c)))
                    .collect::<Vec<_>>()
                    .join(" "),
            },
        };
        // one line a file, whatever the message quotes
        println!("{file}\t{}", read.replace(['\n', '\t'], " "));
    }
    Ok(())
}
