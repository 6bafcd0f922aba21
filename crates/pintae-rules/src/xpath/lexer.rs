//! XPath 2.0 tokenizer. Keywords are returned as names; the parser decides
//! from position whether `div` is an operator or an element name.

use super::error::{ErrorCode, XPathError};
use std::ops::Range;

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A QName or wildcard name test (`cbc:ID`, `p:*`, `*:x`, `div`).
    Name(String),
    /// `*` (wildcard or multiplication).
    Star,
    /// A string literal, unescaped.
    Str(String),
    /// An integer literal.
    Int(String),
    /// A decimal literal.
    Dec(String),
    /// A double literal.
    Dbl(String),
    /// Punctuation or an operator symbol.
    Sym(&'static str),
    /// End of input.
    Eof,
}

/// A token with its byte span.
#[derive(Clone, Debug)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Byte range in the source.
    pub span: Range<usize>,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}')
}

/// Splits an expression into tokens.
pub fn tokenize(src: &str) -> Result<Vec<Token>, XPathError> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    let chars_at = |i: usize| src[i..].chars().next();
    while i < b.len() {
        let c = match chars_at(i) {
            Some(c) => c,
            None => break,
        };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        // comments (: ... :), nested
        if src[i..].starts_with("(:") {
            let mut depth = 0;
            let mut j = i;
            loop {
                if src[j..].starts_with("(:") {
                    depth += 1;
                    j += 2;
                } else if src[j..].starts_with(":)") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else if j >= b.len() {
                    return Err(XPathError::at(ErrorCode::XPST0003, start..j, "unterminated comment"));
                } else {
                    j += chars_at(j).map_or(1, char::len_utf8);
                }
            }
            i = j;
            continue;
        }
        if c == '"' || c == '\'' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match chars_at(j) {
                    None => {
                        return Err(XPathError::at(
                            ErrorCode::XPST0003,
                            start..j,
                            "unterminated string literal",
                        ))
                    }
                    Some(q) if q == c => {
                        if chars_at(j + 1) == Some(c) {
                            s.push(c);
                            j += 2;
                        } else {
                            j += 1;
                            break;
                        }
                    }
                    Some(o) => {
                        s.push(o);
                        j += o.len_utf8();
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                span: start..j,
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let mut kind = 0; // 0 int, 1 dec, 2 dbl
            if j < b.len() && b[j] == b'.' {
                kind = 1;
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
                let mut k = j + 1;
                if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
                    k += 1;
                }
                if k < b.len() && b[k].is_ascii_digit() {
                    while k < b.len() && b[k].is_ascii_digit() {
                        k += 1;
                    }
                    kind = 2;
                    j = k;
                }
            }
            let text = src[i..j].to_string();
            let tok = match kind {
                0 => Tok::Int(text),
                1 => Tok::Dec(text),
                _ => Tok::Dbl(text),
            };
            out.push(Token { tok, span: start..j });
            i = j;
            continue;
        }
        if is_name_start(c)
            || (c == '*' && src[i + 1..].starts_with(':') && src[i + 2..].chars().next().is_some_and(is_name_start))
        {
            let mut j = i;
            if c == '*' {
                j += 2;
            }
            let scan = |mut j: usize| {
                while let Some(ch) = chars_at(j) {
                    if is_name_char(ch) {
                        j += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                j
            };
            j = scan(j);
            // prefix:local or prefix:*
            if c != '*' && src[j..].starts_with(':') && !src[j..].starts_with("::") {
                match chars_at(j + 1) {
                    Some(n) if is_name_start(n) => j = scan(j + 1),
                    Some('*') => j += 2,
                    _ => {}
                }
            }
            out.push(Token {
                tok: Tok::Name(src[i..j].to_string()),
                span: start..j,
            });
            i = j;
            continue;
        }
        const SYMS: [&str; 24] = [
            "//", "::", "..", "!=", "<=", ">=", "<<", ">>", "(", ")", "[", "]", ",", "/", "@", ".", "=", "<", ">", "+",
            "-", "|", "$", "?",
        ];
        if c == '*' {
            out.push(Token {
                tok: Tok::Star,
                span: start..i + 1,
            });
            i += 1;
            continue;
        }
        match SYMS.iter().find(|s| src[i..].starts_with(**s)) {
            Some(s) => {
                out.push(Token {
                    tok: Tok::Sym(s),
                    span: start..i + s.len(),
                });
                i += s.len();
            }
            None => {
                return Err(XPathError::at(
                    ErrorCode::XPST0003,
                    start..start + c.len_utf8(),
                    format!("unexpected character '{c}'"),
                ))
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        span: b.len()..b.len(),
    });
    Ok(out)
}
