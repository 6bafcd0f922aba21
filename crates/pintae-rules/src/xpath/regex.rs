//! Translation of XML Schema / XPath regular expressions to the `regex`
//! crate's syntax.
//!
//! Differences handled: `\i` and `\c` (XML name characters), `\s` (only
//! the four XML whitespace characters, not a no-break space), `\w` (every
//! character but punctuation, separators and others: `$` and `€` are word
//! characters, `_` is not), `.` (neither `\n` nor `\r` unless `s` is given),
//! character class subtraction `[a-z-[aeiou]]`, and the `s m i x` flags.
//! Both dialects match unanchored for `matches()`.

use super::error::{ErrorCode, XPathError};

const NAME_START: &str = r"\p{L}_:";
const NAME_CHAR: &str = r"\p{L}\p{N}_:.\-\x{B7}";

/// Compiles an XPath regular expression with XPath flags: `s m i x`, and
/// `q` (the pattern is literal text; only `i` keeps its effect), which the
/// official processor accepts in XSLT 2.0 mode too.
pub fn compile_regex(pattern: &str, flags: &str) -> Result<regex::Regex, XPathError> {
    if let Some(f) = flags.chars().find(|f| !matches!(f, 's' | 'm' | 'i' | 'x' | 'q')) {
        return Err(XPathError::dynamic(
            ErrorCode::FORX0001,
            format!("invalid regular expression flag '{f}'"),
        ));
    }
    let literal = flags.contains('q');
    let kept: &[char] = if literal { &['i'] } else { &['s', 'm', 'i'] };
    let prefix: String = kept.iter().filter(|f| flags.contains(**f)).collect();
    let translated = if literal {
        regex::escape(pattern)
    } else if flags.contains('x') {
        translate(&without_whitespace(pattern), flags.contains('s'))?
    } else {
        translate(pattern, flags.contains('s'))?
    };
    let full = if prefix.is_empty() {
        translated
    } else {
        format!("(?{prefix}){translated}")
    };
    regex::RegexBuilder::new(&full)
        .size_limit(1 << 22)
        .dfa_size_limit(1 << 22)
        .build()
        .map_err(|e| {
            XPathError::dynamic(
                ErrorCode::FORX0002,
                format!("invalid regular expression '{pattern}': {e}"),
            )
        })
}

/// The pattern with the `x` flag applied: white space is dropped except
/// inside character classes (`a[ ]b` keeps its space). Rust's own `x` flag
/// would also drop it there and read `#` as the start of a comment.
fn without_whitespace(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut depth = 0usize;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
                continue;
            }
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '\t' | '\n' | '\r' | ' ' if depth == 0 => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// XML whitespace (`\s`).
const SPACE: &str = r"\x20\t\n\r";
/// What `\w` excludes: punctuation, separators and other characters.
const NOT_WORD: &str = r"\p{P}\p{Z}\p{C}";

fn translate(p: &str, dot_all: bool) -> Result<String, XPathError> {
    let mut out = String::with_capacity(p.len() + 8);
    let mut chars = p.chars().peekable();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next().ok_or_else(|| {
                    XPathError::dynamic(
                        ErrorCode::FORX0002,
                        format!("regular expression '{p}' ends with a backslash"),
                    )
                })?;
                match n {
                    'i' | 'c' | 'I' | 'C' => {
                        let set = if n.eq_ignore_ascii_case(&'i') {
                            NAME_START
                        } else {
                            NAME_CHAR
                        };
                        let neg = n.is_ascii_uppercase();
                        if class_depth > 0 {
                            if neg {
                                return Err(XPathError::dynamic(
                                    ErrorCode::FORX0002,
                                    "negated name escape inside a character class is not supported",
                                ));
                            }
                            out.push_str(set);
                        } else {
                            out.push_str(if neg { "[^" } else { "[" });
                            out.push_str(set);
                            out.push(']');
                        }
                    }
                    // a negated set nests as a class of its own, inside a
                    // class too
                    's' if class_depth > 0 => out.push_str(SPACE),
                    'W' if class_depth > 0 => out.push_str(NOT_WORD),
                    's' | 'S' | 'w' | 'W' => {
                        let (set, neg) = match n {
                            's' => (SPACE, false),
                            'S' => (SPACE, true),
                            'w' => (NOT_WORD, true),
                            _ => (NOT_WORD, false),
                        };
                        out.push_str(if neg { "[^" } else { "[" });
                        out.push_str(set);
                        out.push(']');
                    }
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            }
            '.' if class_depth == 0 && !dot_all => out.push_str(r"[^\n\r]"),
            '[' => {
                class_depth += 1;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '-' if class_depth > 0 && chars.peek() == Some(&'[') => {
                // subtraction: [a-z-[aeiou]] → [a-z--[aeiou]]
                out.push_str("--");
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_regex_dialect() {
        assert!(compile_regex("^[0-9]{9}$", "").is_ok_and(|r| r.is_match("123456789")));
        assert!(compile_regex("[a-z-[aeiou]]+", "").is_ok_and(|r| r.is_match("bcd") && !r.is_match("a")));
        assert!(compile_regex(r"^\i\c*$", "").is_ok_and(|r| r.is_match("cbc:ID")));
        assert!(compile_regex("abc", "i").is_ok_and(|r| r.is_match("ABC")));
        assert!(compile_regex("(", "").is_err());
        assert!(compile_regex("a", "z").is_err());
        // Saxon takes XPath 3.0's `q` flag in XSLT 2.0 mode too
        assert!(compile_regex("a.", "q").is_ok_and(|r| r.is_match("xa.") && !r.is_match("ab")));
        assert!(compile_regex("a # b", "x").is_ok_and(|r| r.is_match("a#b") && !r.is_match("a")));
        // XML Schema's classes, not Unicode's
        assert!(compile_regex(r"^\s$", "").is_ok_and(|r| r.is_match("\r") && !r.is_match("\u{a0}")));
        assert!(compile_regex(r"^[\S ]+$", "").is_ok_and(|r| r.is_match("a b\u{a0}") && !r.is_match("a\tb")));
        assert!(compile_regex(r"^\w+$", "").is_ok_and(|r| r.is_match("a$€+") && !r.is_match("_") && !r.is_match("-")));
        assert!(compile_regex(r"^[\W]$", "").is_ok_and(|r| r.is_match("_") && !r.is_match("+")));
        assert!(compile_regex("^.$", "").is_ok_and(|r| !r.is_match("\r") && r.is_match("[")));
        assert!(compile_regex("^.$", "s").is_ok_and(|r| r.is_match("\r")));
        assert!(compile_regex("^[.]$", "").is_ok_and(|r| r.is_match(".") && !r.is_match("a")));
    }
}
