//! Terminal colours: only when standard output is a terminal and `NO_COLOR`
//! is not set (<https://no-color.org>).

use std::io::IsTerminal;

/// Whether to colour, and how.
pub struct Style {
    on: bool,
}

impl Style {
    /// Colours on a terminal, unless `NO_COLOR` is set to anything non-empty.
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            on: !no_color && std::io::stdout().is_terminal(),
        }
    }

    /// Colours on a terminal standard error, unless `NO_COLOR` is set.
    pub fn for_stderr() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            on: !no_color && std::io::stderr().is_terminal(),
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Red, bold.
    pub fn bad(&self, s: &str) -> String {
        self.paint("1;31", s)
    }

    /// Yellow.
    pub fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }

    /// Green.
    pub fn good(&self, s: &str) -> String {
        self.paint("32", s)
    }

    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    /// Dim.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}
