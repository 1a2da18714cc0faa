//! Why the world cannot do what it was asked.

/// A request the world could not carry out.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// The world has stopped (its actor ended): the process is shutting down.
    #[error("the running world has stopped")]
    Stopped,
    /// The catalogue is not valid.
    #[error("invalid catalogue: {0}")]
    Catalogue(#[from] provider::catalogue::CatalogueError),
    /// The state cannot be loaded or saved.
    #[error(transparent)]
    Persistence(#[from] crate::persistence::PersistenceError),
    /// The model could not be built.
    #[error("data-plane model: {0}")]
    Model(#[from] dataplane::Error),
    /// A trace names something the model does not have.
    #[error("{0}")]
    Trace(String),
}
