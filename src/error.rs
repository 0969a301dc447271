//! The two kinds of failure cobro tells apart by exit code: a usage error
//! (a flag or flag combination that cannot work: exit 2) and everything
//! else (bad data, I/O: exit 1). Errors are `anyhow` values; a usage error
//! is recognized by downcasting to [`UsageError`].

use std::fmt;

#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Builds a usage error (exit code 2) from a message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// At most `max_chars` characters of `text` for an error message, with
/// `...` when cut: a message quotes a value, never a whole file.
pub fn excerpt(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}...", &text[..end]).into(),
        None => text.into(),
    }
}
