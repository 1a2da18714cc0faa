//! A process's CPU time and memory, from /proc.
//!
//! CPU is `utime + stime` of `/proc/PID/stat` (every thread of the process, children
//! excluded); memory is `VmRSS` (now) and `VmHWM` (the peak) of `/proc/PID/status`.

use anyhow::{Context as _, Result, bail};
use std::fs;
use std::time::Duration;

/// One reading of a process's resource use.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// User plus system CPU time so far.
    pub cpu: Duration,
    /// Resident set size now, in bytes.
    pub rss: u64,
    /// Peak resident set size, in bytes.
    pub peak_rss: u64,
}

/// Reads the usage of process `pid`.
pub fn read(pid: u32) -> Result<Usage> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("process {pid} is gone"))?;
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("process {pid} is gone"))?;
    Ok(Usage {
        cpu: cpu_time(&stat).with_context(|| format!("/proc/{pid}/stat: {stat:?}"))?,
        rss: status_kib(&status, "VmRSS:")? * 1024,
        peak_rss: status_kib(&status, "VmHWM:")? * 1024,
    })
}

/// utime + stime: fields 14 and 15, counted after the command name, which may hold blanks and
/// parentheses, so from the last `)` (field 2's end).
fn cpu_time(stat: &str) -> Result<Duration> {
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    // After the name come field 3 (state) and on: utime is the 12th of those.
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks =
        |i: usize| -> Result<u64> { Ok(fields.get(i).context("short stat line")?.parse()?) };
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_secs_f64(
        total as f64 / clock_ticks_per_second(),
    ))
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as f64 } else { 100.0 }
}

/// A `Name:   1234 kB` line of /proc/PID/status, in KiB.
fn status_kib(status: &str, name: &str) -> Result<u64> {
    let Some(line) = status.lines().find(|l| l.starts_with(name)) else {
        bail!("no {name} line in /proc/PID/status (a kernel thread or a zombie?)");
    };
    let value = line[name.len()..].split_whitespace().next().unwrap_or("");
    value
        .parse()
        .with_context(|| format!("cannot read {line:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let usage = read(std::process::id()).unwrap();
        assert!(usage.rss > 0 && usage.peak_rss >= usage.rss);
    }

    #[test]
    fn name_with_blanks_and_parentheses() {
        let stat = "12 (a b) c)) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0";
        assert_eq!(cpu_time(stat).unwrap(), Duration::from_secs(3));
    }
}
