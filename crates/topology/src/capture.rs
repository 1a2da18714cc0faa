//! `--capture DIR`: the check made before a run starts, so a directory that cannot be written is
//! refused at once rather than when the run ends (the pcap and MRT files are written then).
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! topology::capture::check_dir(&dir.path().join("new/captures")).unwrap();
//! let e = topology::capture::check_dir(std::path::Path::new("/proc/version/x")).unwrap_err();
//! assert!(e.to_string().starts_with("--capture /proc/version/x: cannot write there: "));
//! ```
//!
//! Not here: the captures themselves (`dataplane::pcap`, `bgp_wire::mrt`) nor the file names
//! (`DIR/<cable>.pcap`, `DIR/<session>.mrt`), which the runner picks.

use std::path::{Path, PathBuf};

/// A capture directory that cannot be written, in one line.
#[derive(Debug, thiserror::Error)]
#[error("--capture {}: cannot write there: {source}", dir.display())]
pub struct CaptureDirError {
    /// The directory as given.
    pub dir: PathBuf,
    /// What the system said.
    #[source]
    pub source: std::io::Error,
}

/// Makes `dir` (and its parents) if missing and proves it can be written by creating and
/// removing a file in it. As root, permission bits do not stop a write; a read-only file
/// system, a path through a regular file or a full disk still do, and are refused here.
pub fn check_dir(dir: &Path) -> Result<(), CaptureDirError> {
    let error = |source| CaptureDirError {
        dir: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(error)?;
    let probe = tempfile::Builder::new()
        .prefix(".peerlab-capture-check-")
        .tempfile_in(dir)
        .map_err(error)?;
    probe.close().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_directory_is_made_and_left_empty() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        check_dir(&dir).unwrap();
        assert!(dir.is_dir());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        // Twice is fine.
        check_dir(&dir).unwrap();
    }

    #[test]
    fn a_path_through_a_file_is_refused_in_one_line() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        for dir in [file.clone(), file.join("captures")] {
            let e = check_dir(&dir).unwrap_err();
            let text = e.to_string();
            assert!(
                text.starts_with(&format!(
                    "--capture {}: cannot write there: ",
                    dir.display()
                )),
                "{text}"
            );
            assert!(!text.contains('\n'), "{text}");
        }
    }

    #[test]
    fn a_read_only_file_system_is_refused() {
        // /proc's directories take no new files, even from root.
        let e = check_dir(Path::new("/proc/self")).unwrap_err();
        assert!(e.to_string().starts_with("--capture /proc/self: "), "{e}");
    }
}
