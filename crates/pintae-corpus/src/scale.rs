//! Scales an invoice to many lines while keeping it valid: the lines are
//! repeated `k` times with fresh line ids, and every document-level amount is
//! multiplied by `k` with exact decimal string arithmetic.

use anyhow::{bail, Result};

fn times(v: &str, k: i128) -> Option<String> {
    let t = v.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    let scaled = digits.checked_mul(k)?;
    let s = scaled.to_string();
    let out = if frac.is_empty() {
        s
    } else {
        let padded = format!("{:0>width$}", s, width = frac.len() + 1);
        let (i, f) = padded.split_at(padded.len() - frac.len());
        format!("{i}.{f}")
    };
    Some(if neg { format!("-{out}") } else { out })
}

fn is_line(n: roxmltree::Node) -> bool {
    matches!(n.tag_name().name(), "InvoiceLine" | "CreditNoteLine")
}

/// Repeats the lines of `text` `k` times; returns the scaled document.
pub fn scale(text: &str, k: usize) -> Result<String> {
    let doc = roxmltree::Document::parse(text)?;
    let spans = pintae_model::position::Spans::new(&doc);
    let root = doc.root_element();
    let lines: Vec<_> = root.children().filter(|c| c.is_element() && is_line(*c)).collect();
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        bail!("the document has no lines")
    };
    let block = spans.element(*first).start..spans.element(*last).end;
    let k128 = k as i128;

    // document-level amounts, scaled
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for n in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name().ends_with("Amount"))
    {
        if n.ancestors().any(is_line) {
            continue;
        }
        if let Some(t) = n.first_child().filter(|c| c.is_text() && n.children().count() == 1) {
            if let (Some(v), Some(range)) = (times(t.text().unwrap_or(""), k128), spans.first_text(n)) {
                edits.push((range, v));
            }
        }
    }
    edits.sort_by_key(|e| e.0.start);

    let mut out = String::with_capacity(text.len() + (block.end - block.start) * k);
    let mut pos = 0;
    let emit_until = |out: &mut String, end: usize, pos: &mut usize, edits: &[(std::ops::Range<usize>, String)]| {
        let from = *pos;
        for (r, v) in edits.iter().filter(|(r, _)| r.start >= from && r.end <= end) {
            out.push_str(&text[*pos..r.start]);
            out.push_str(v);
            *pos = r.end;
        }
        out.push_str(&text[*pos..end]);
        *pos = end;
    };
    emit_until(&mut out, block.start, &mut pos, &edits);

    // the line block, with each line's own cbc:ID made unique per copy
    let line_ids: Vec<std::ops::Range<usize>> = lines
        .iter()
        .filter_map(|l| l.children().find(|c| c.tag_name().name() == "ID"))
        .filter_map(|id| spans.first_text(id))
        .collect();
    for copy in 0..k {
        let mut p = block.start;
        for r in &line_ids {
            out.push_str(&text[p..r.start]);
            out.push_str(&format!("{}-{}", copy + 1, text[r.clone()].trim()));
            p = r.end;
        }
        out.push_str(&text[p..block.end]);
    }
    pos = block.end;
    emit_until(&mut out, text.len(), &mut pos, &edits);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_scaling() {
        assert_eq!(times("12.34", 1000).as_deref(), Some("12340.00"));
        assert_eq!(times("0.05", 3).as_deref(), Some("0.15"));
        assert_eq!(times("-7", 4).as_deref(), Some("-28"));
        assert_eq!(times("abc", 4), None);
    }
}
