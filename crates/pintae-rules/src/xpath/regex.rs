//! Translation of XML Schema / XPath regular expressions to the `regex`
//! crate's syntax.
//!
//! The pattern is read by its own grammar, so what the official processor
//! refuses is refused here too (FORX0002), even where the `regex` crate
//! would take it (`\b`, `(?i)`, `a++`, `[[:alpha:]]`, `\p{Greek}`).
//! Differences handled: `\i` and `\c` (XML name characters), `\s` (only
//! the four XML whitespace characters, not a no-break space), `\w` (every
//! character but punctuation, separators and others: `$` and `€` are word
//! characters, `_` is not), `.` (neither `\n` nor `\r` unless `s` is given),
//! character class subtraction `[a-z-[aeiou]]` (after a negation:
//! `[^a-[b]]`), `&`, `~` and `-` as plain characters in classes, categories
//! that ignore the `i` flag, and the `s m i x q` flags. Back-references and
//! Unicode blocks (`\p{IsBasicLatin}`), which the official processor takes,
//! are refused: the `regex` crate has neither. Both dialects match
//! unanchored for `matches()`.

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
        translate(&without_whitespace(pattern), flags)?
    } else {
        translate(pattern, flags)?
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

fn translate(p: &str, flags: &str) -> Result<String, XPathError> {
    let mut t = Translator {
        src: p,
        chars: p.chars().peekable(),
        out: String::with_capacity(p.len() + 8),
        dot_all: flags.contains('s'),
        case_insensitive: flags.contains('i'),
    };
    t.branches()?;
    match t.chars.next() {
        None => Ok(t.out),
        Some(c) => Err(t.bad(&format!("unexpected '{c}'"))),
    }
}

/// The categories `\p{…}` may name (XML Schema Part 2, appendix F).
const CATEGORIES: &[&str] = &[
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi",
    "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn",
];

/// Reads an XPath pattern by its grammar (XML Schema's regular expressions
/// with XPath's anchors, reluctant quantifiers and `(?:…)`) and writes the
/// same pattern in the `regex` crate's syntax. What the grammar does not
/// allow is refused as the official processor refuses it (FORX0002), even
/// where the `regex` crate would take it (`\b`, `(?i)`, `a++`, `[[:alpha:]]`,
/// `\p{Greek}`), and characters the `regex` crate reads as operators inside
/// classes (`[a&&b]` is `a`, `&` and `b`) are escaped.
struct Translator<'p> {
    src: &'p str,
    chars: std::iter::Peekable<std::str::Chars<'p>>,
    out: String,
    dot_all: bool,
    case_insensitive: bool,
}

impl Translator<'_> {
    fn bad(&self, what: &str) -> XPathError {
        XPathError::dynamic(
            ErrorCode::FORX0002,
            format!("invalid regular expression '{}': {what}", self.src),
        )
    }

    fn next_or(&mut self, what: &str) -> Result<char, XPathError> {
        self.chars.next().ok_or_else(|| self.bad(what))
    }

    /// `branch ('|' branch)*`, up to a `)` or the end.
    fn branches(&mut self) -> Result<(), XPathError> {
        loop {
            while let Some(&c) = self.chars.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                self.atom()?;
                self.quantifier()?;
            }
            if self.chars.peek() != Some(&'|') {
                return Ok(());
            }
            self.chars.next();
            self.out.push('|');
        }
    }

    fn atom(&mut self) -> Result<(), XPathError> {
        let c = self.next_or("unexpected end")?;
        match c {
            '(' => {
                if self.chars.peek() == Some(&'?') {
                    self.chars.next();
                    if self.chars.next() != Some(':') {
                        return Err(self.bad("only (?:…) groups are allowed"));
                    }
                    self.out.push_str("(?:");
                } else {
                    self.out.push('(');
                }
                self.branches()?;
                if self.chars.next() != Some(')') {
                    return Err(self.bad("unclosed group"));
                }
                self.out.push(')');
            }
            '[' => self.class()?,
            '\\' => {
                self.escape(false)?;
            }
            '.' if !self.dot_all => self.out.push_str(r"[^\n\r]"),
            '.' | '^' | '$' => self.out.push(c),
            '?' | '*' | '+' | '{' | '}' | ']' => return Err(self.bad(&format!("unexpected '{c}'"))),
            c => push_literal(&mut self.out, c),
        }
        Ok(())
    }

    /// `?`, `*`, `+` or `{n}`, `{n,}`, `{n,m}`, each optionally reluctant.
    fn quantifier(&mut self) -> Result<(), XPathError> {
        match self.chars.peek() {
            Some(&c @ ('?' | '*' | '+')) => {
                self.chars.next();
                self.out.push(c);
            }
            Some('{') => {
                self.chars.next();
                let min = self.number();
                let max = if self.chars.peek() == Some(&',') {
                    self.chars.next();
                    Some(self.number())
                } else {
                    None
                };
                if self.chars.next() != Some('}') {
                    return Err(self.bad("malformed quantifier"));
                }
                let min = min.ok_or_else(|| self.bad("a quantifier needs its minimum"))?;
                match max {
                    None => self.out.push_str(&format!("{{{min}}}")),
                    Some(None) => self.out.push_str(&format!("{{{min},}}")),
                    Some(Some(max)) if max >= min => self.out.push_str(&format!("{{{min},{max}}}")),
                    Some(Some(_)) => return Err(self.bad("a quantifier's maximum is below its minimum")),
                }
            }
            _ => return Ok(()),
        }
        if self.chars.peek() == Some(&'?') {
            self.chars.next();
            self.out.push('?');
        }
        Ok(())
    }

    fn number(&mut self) -> Option<u32> {
        let mut n: Option<u32> = None;
        while let Some(d) = self.chars.peek().and_then(|c| c.to_digit(10)) {
            self.chars.next();
            n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d));
        }
        n
    }

    /// After `[`: `^`? then characters, ranges and escapes, then an
    /// optional subtraction `-[…]`, then `]`. A negation applies before the
    /// subtraction (`[^a-[b]]` is neither `a` nor `b`), so a negated class
    /// with one is written as a class in a class (`[[^a]--[b]]`).
    fn class(&mut self) -> Result<(), XPathError> {
        let outer = std::mem::take(&mut self.out);
        let negated = self.chars.peek() == Some(&'^');
        if negated {
            self.chars.next();
        }
        let mut subtracted = None;
        let mut first = true;
        let closed = loop {
            let c = match self.chars.next() {
                Some(c) => c,
                None => break Err(self.bad("unclosed character class")),
            };
            let step = match c {
                ']' if !first => break Ok(()),
                '-' if self.chars.peek() == Some(&'[') && !first => {
                    self.chars.next();
                    let body = std::mem::take(&mut self.out);
                    let sub = self.class();
                    subtracted = Some(std::mem::replace(&mut self.out, body));
                    match sub {
                        Ok(()) if self.chars.next() == Some(']') => break Ok(()),
                        Ok(()) => break Err(self.bad("a subtraction must end its class")),
                        Err(e) => break Err(e),
                    }
                }
                '-' if first || self.chars.peek() == Some(&']') => {
                    push_literal(&mut self.out, '-');
                    Ok(())
                }
                '[' | ']' | '-' => Err(self.bad(&format!("unexpected '{c}' in a character class"))),
                '\\' => match self.escape(true) {
                    Ok(Some(lit)) => self.range_from(lit),
                    Ok(None) => Ok(()),
                    Err(e) => Err(e),
                },
                c => self.range_from(c),
            };
            if let Err(e) = step {
                break Err(e);
            }
            first = false;
        };
        let body = std::mem::replace(&mut self.out, outer);
        closed?;
        match (negated, subtracted) {
            (false, None) => self.out.push_str(&format!("[{body}]")),
            (true, None) => self.out.push_str(&format!("[^{body}]")),
            (false, Some(sub)) => self.out.push_str(&format!("[{body}--{sub}]")),
            (true, Some(sub)) => self.out.push_str(&format!("[[^{body}]--{sub}]")),
        }
        Ok(())
    }

    /// A class character `from`, and `-to` after it if a range follows.
    fn range_from(&mut self, from: char) -> Result<(), XPathError> {
        let mut ahead = self.chars.clone();
        if ahead.next() != Some('-') || matches!(ahead.next(), None | Some(']' | '[')) {
            push_literal(&mut self.out, from);
            return Ok(());
        }
        self.chars.next();
        let to = match self.next_or("unclosed range")? {
            '\\' => match self.escape(true)? {
                Some(c) => c,
                None => return Err(self.bad("a range cannot end in a class escape")),
            },
            c => c,
        };
        if to < from {
            return Err(self.bad("a range ends before it starts"));
        }
        push_literal(&mut self.out, from);
        self.out.push('-');
        push_literal(&mut self.out, to);
        Ok(())
    }

    /// After `\`. A single-character escape is written out, or, in a class,
    /// returned (it may start a range); class escapes are written out.
    fn escape(&mut self, in_class: bool) -> Result<Option<char>, XPathError> {
        let n = self.next_or("ends with a backslash")?;
        let single = match n {
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' | '$' => Some(n),
            _ => None,
        };
        if let Some(c) = single {
            if in_class {
                return Ok(Some(c));
            }
            push_literal(&mut self.out, c);
            return Ok(None);
        }
        match n {
            'i' | 'c' | 'I' | 'C' => {
                let set = if n.eq_ignore_ascii_case(&'i') {
                    NAME_START
                } else {
                    NAME_CHAR
                };
                let neg = n.is_ascii_uppercase();
                if in_class && !neg {
                    self.out.push_str(set);
                } else {
                    self.out.push_str(if neg { "[^" } else { "[" });
                    self.out.push_str(set);
                    self.out.push(']');
                }
            }
            // a negated set nests as a class of its own, inside a class too
            's' if in_class => self.out.push_str(SPACE),
            'W' if in_class => self.out.push_str(NOT_WORD),
            's' | 'S' | 'w' | 'W' => {
                let (set, neg) = match n {
                    's' => (SPACE, false),
                    'S' => (SPACE, true),
                    'w' => (NOT_WORD, true),
                    _ => (NOT_WORD, false),
                };
                self.out.push_str(if neg { "[^" } else { "[" });
                self.out.push_str(set);
                self.out.push(']');
            }
            'd' | 'D' => {
                self.out.push('\\');
                self.out.push(n);
            }
            'p' | 'P' => {
                if self.chars.next() != Some('{') {
                    return Err(self.bad("\\p needs {…}"));
                }
                let mut name = String::new();
                loop {
                    match self.next_or("unclosed \\p{…}")? {
                        '}' => break,
                        c => name.push(c),
                    }
                }
                let block = name
                    .strip_prefix("Is")
                    .is_some_and(|b| !b.is_empty() && b.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                if !CATEGORIES.contains(&name.as_str()) && !block {
                    return Err(self.bad(&format!("unknown category '{name}'")));
                }
                // blocks (`IsBasicLatin`) are left to the regex crate, which
                // refuses them; a category ignores the `i` flag (`\p{Lu}` does
                // not match `a`), which a class in a class cannot say
                if self.case_insensitive && !in_class {
                    self.out.push_str(&format!("(?-i:\\{n}{{{name}}})"));
                } else {
                    self.out.push_str(&format!("\\{n}{{{name}}}"));
                }
            }
            '1'..='9' if !in_class => return Err(self.bad("back-references are not supported")),
            _ => return Err(self.bad(&format!("unknown escape '\\{n}'"))),
        }
        Ok(None)
    }
}

/// Writes `c` to match itself, escaped where the `regex` crate would read
/// it as syntax (inside classes, `&`, `~` and `-` too): `regex::escape`
/// escapes every such character.
fn push_literal(out: &mut String, c: char) {
    out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of patterns, well-formed or not, for the translator.
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "0",
        " ",
        "é",
        "😀",
        ".",
        "^",
        "$",
        "|",
        "(",
        ")",
        "(?:",
        "(?",
        "[",
        "]",
        "[^",
        "-",
        "-[",
        "{",
        "}",
        "{2}",
        "{1,3}",
        "{,",
        "?",
        "*",
        "+",
        "\\",
        "\\d",
        "\\s",
        "\\W",
        "\\i",
        "\\C",
        "\\p{Lu}",
        "\\P{L}",
        "\\p{IsBasicLatin}",
        "\\p{",
        "\\n",
        "\\1",
        "\\b",
        "&&",
        "~~",
        "--",
        "#",
    ];

    proptest! {
        /// Any pattern and flags give a regex or an XPath regex error (a
        /// bad flag or a bad pattern), never a panic.
        #[test]
        fn any_pattern_compiles_or_is_refused(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..24),
            flags in "[smixqz]{0,3}",
        ) {
            let pattern: String = pieces.iter().map(|&i| PIECES[i]).collect();
            if let Err(e) = compile_regex(&pattern, &flags) {
                prop_assert!(matches!(e.code, ErrorCode::FORX0001 | ErrorCode::FORX0002), "{e:?}");
            }
        }

        /// With `q` any text is a pattern that finds itself.
        #[test]
        fn literal_patterns_find_themselves(text in "\\PC{0,20}", i in any::<bool>()) {
            let re = compile_regex(&text, if i { "qi" } else { "q" });
            prop_assert!(re.is_ok_and(|r| r.is_match(&text)));
        }

        /// A character escaped in a class matches itself alone.
        #[test]
        fn escaped_class_characters_match_themselves(c in proptest::sample::select(&[
            '\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '-', '[', ']', '^', '$',
        ][..])) {
            let re = compile_regex(&format!("^[\\{c}]$"), "");
            prop_assert!(re.is_ok_and(|r| r.is_match(&c.to_string()) && !r.is_match("a")));
        }
    }

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
