//! `haproxy -c -f FILE`: does HAProxy accept a configuration, and if not, why.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::{Error, Stage};

/// How long `haproxy -c` may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest reason kept from HAProxy's output.
const MAX_REASON: usize = 4096;

/// Checks `config` with `binary -c -f config`. A refusal is [`Error::Refused`] with HAProxy's
/// `[ALERT]` lines.
pub async fn check(binary: &Path, config: &Path) -> Result<(), Error> {
    if !binary.is_file() {
        return Err(Error::Missing(binary.to_path_buf()));
    }
    let run = tokio::process::Command::new(binary)
        .arg("-c")
        .arg("-f")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(CHECK_TIMEOUT, run)
        .await
        .map_err(|_| Error::Refused {
            stage: Stage::Check,
            reason: format!("`haproxy -c` did not finish within {CHECK_TIMEOUT:?}"),
        })?
        .map_err(|e| Error::io(format!("running {} -c", binary.display()), e))?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    Err(Error::Refused {
        stage: Stage::Check,
        reason: haproxy_reason(&text),
    })
}

/// HAProxy's reason in its output: the `[ALERT]` lines without their `(pid) :` prefix,
/// joined by `; ` (the whole output if there is none), at most 4 KiB.
pub fn haproxy_reason(output: &str) -> String {
    let alerts: Vec<&str> = output
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("[ALERT]"))
        .map(|rest| {
            let rest = rest.trim_start();
            // "(1234) : config : parsing …" → "config : parsing …"
            match rest.strip_prefix('(').and_then(|r| r.split_once(") : ")) {
                Some((_, after)) => after,
                None => rest,
            }
        })
        .collect();
    let mut reason = if alerts.is_empty() {
        output.trim().to_owned()
    } else {
        alerts.join("; ")
    };
    if reason.len() > MAX_REASON {
        let mut cut = MAX_REASON;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
        reason.push('…');
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::haproxy_reason;

    #[test]
    fn alerts_without_their_pid() {
        let out = "[NOTICE]   (12) : haproxy version is 2.6.12\n\
                   [ALERT]    (12) : config : parsing [/x.cfg:3] : unknown keyword 'bogus' in 'backend' section\n\
                   [ALERT]    (12) : config : Fatal errors found in configuration.\n";
        assert_eq!(
            haproxy_reason(out),
            "config : parsing [/x.cfg:3] : unknown keyword 'bogus' in 'backend' section; \
             config : Fatal errors found in configuration."
        );
        assert_eq!(haproxy_reason("  something else \n"), "something else");
    }
}
