//! SVG through Graphviz: `dot -Tsvg` (Debian's `graphviz`) lays the DOT text out.
//!
//! Graphviz rather than a Rust layout crate: its layout of clusters and labelled edges is what
//! network diagrams are drawn with, and none of the Rust crates lays out nested clusters.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// The Graphviz program.
pub const DOT: &str = "dot";

/// Why no SVG came out.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// `dot` is not installed.
    #[error("Graphviz's `dot` is not installed: install it with `apt-get install -y graphviz`")]
    DotMissing,
    /// `dot` could not be run or fed.
    #[error("cannot run Graphviz's `dot`: {0}")]
    Io(#[from] std::io::Error),
    /// `dot` refused the text.
    #[error("Graphviz's `dot` failed ({status}): {stderr}")]
    DotFailed {
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The first line it wrote on stderr.
        stderr: String,
    },
}

/// Lays `dot` (a DOT text, e.g. [`super::Graph::to_dot`]) out as an SVG document.
pub fn svg(dot: &str) -> Result<String, GraphError> {
    let mut child = match Command::new(DOT)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(GraphError::DotMissing),
        Err(e) => return Err(GraphError::Io(e)),
    };
    // Written from another thread: `dot` may fill its stdout pipe before reading all of stdin.
    let stdin = child.stdin.take();
    let text = dot.to_string();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        if let Some(mut stdin) = stdin {
            stdin.write_all(text.as_bytes())?;
        }
        Ok(())
    });
    let output = child.wait_with_output()?;
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("writer thread panicked")));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(GraphError::DotFailed {
            status: output.status,
            stderr: stderr.lines().next().unwrap_or_default().to_string(),
        });
    }
    written?;
    String::from_utf8(output.stdout)
        .map_err(|e| GraphError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}
