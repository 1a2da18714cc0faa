//! The runner's errors: why a topology cannot be brought up (one line: `file:line: what:
//! why`), and why an expectation does not hold or a step failed ([`Why`]).

/// Why a topology cannot be brought up or a step cannot be carried out.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The topology asks for something the runner refuses.
    #[error("{0}")]
    Refused(String),
    /// The in-process API answered with an error (its status and body).
    #[error("{0}")]
    Api(String),
    /// The Linux side failed.
    #[error(transparent)]
    Linux(#[from] linux::Error),
    /// The running world failed.
    #[error(transparent)]
    World(#[from] world::WorldError),
    /// What was being done when it failed.
    #[error("{what}: {source}")]
    Context {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: Box<RunError>,
    },
}

/// The runner's result.
pub type Result<T, E = RunError> = std::result::Result<T, E>;

/// Adds what was being done to an error.
pub trait Context<T> {
    /// `what: error`.
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: Into<RunError>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| RunError::Context {
            what: what(),
            source: Box::new(e.into()),
        })
    }
}

/// Why an expectation does not hold or a step failed, in a network engineer's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Why(pub String);

impl From<String> for Why {
    fn from(s: String) -> Self {
        Why(s)
    }
}

impl From<&str> for Why {
    fn from(s: &str) -> Self {
        Why(s.to_string())
    }
}

impl From<RunError> for Why {
    fn from(e: RunError) -> Self {
        Why(e.to_string())
    }
}

impl From<linux::Error> for Why {
    fn from(e: linux::Error) -> Self {
        Why(e.to_string())
    }
}

impl From<world::WorldError> for Why {
    fn from(e: world::WorldError) -> Self {
        Why(e.to_string())
    }
}

/// What a check or an action says: the detail when it holds, or why not.
pub type Verdict = std::result::Result<String, Why>;
