//! Translation of XML Schema / XPath regular expressions to the `regex`
//! crate's syntax.
//!
//! Differences handled: `\i` and `\c` (XML name characters), character class
//! subtraction `[a-z-[aeiou]]`, and the `s m i x` flags. Both dialects match
//! unanchored for `matches()`, and `.` excludes newlines unless `s` is given.

use super::error::{ErrorCode, XPathError};

const NAME_START: &str = r"\p{L}_:";
const NAME_CHAR: &str = r"\p{L}\p{N}_:.\-\x{B7}";

/// Compiles an XPath regular expression with XPath flags.
pub fn compile_regex(pattern: &str, flags: &str) -> Result<regex::Regex, XPathError> {
    let mut prefix = String::new();
    for f in flags.chars() {
        match f {
            's' | 'm' | 'i' | 'x' => prefix.push(f),
            _ => {
                return Err(XPathError::dynamic(
                    ErrorCode::FORX0001,
                    format!("invalid regular expression flag '{f}'"),
                ))
            }
        }
    }
    let translated = translate(pattern)?;
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

fn translate(p: &str) -> Result<String, XPathError> {
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
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            }
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
        assert!(compile_regex("a", "q").is_err());
    }
}
