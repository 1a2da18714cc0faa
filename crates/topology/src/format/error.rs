//! Errors of a topology file: where (file and line) and what, in one line.

use std::fmt;

/// Where in a topology file something is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
}

impl Location {
    /// A place in `file`.
    pub fn new(file: &str, line: Option<usize>) -> Self {
        Self {
            file: file.to_string(),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// A topology file that cannot be used: `file:line: what` (the table, the entry's name and
/// the key are part of `what`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct FormatError {
    /// Where.
    pub location: Location,
    /// What, e.g. `[[interlink.links]] "prod": unknown routing_policy_v4 "v9"`.
    pub message: String,
}

impl FormatError {
    /// An error at `location`.
    pub fn new(location: Location, message: String) -> Self {
        Self { location, message }
    }
}
