//! One run: a fresh receiver, the source connected, the clock started at Established.
//!
//! 1. The receiver starts and answers; after [`IDLE_WAIT`] its RSS and CPU time are read: the
//!    idle baseline.
//! 2. The source is connected; the receiver is polled every [`FAST_POLL`] until its session is
//!    Established: time zero.
//! 3. It is polled every `poll` (100 ms) until it holds all routes: the convergence time.
//! 4. Then only /proc is read, every `poll`, until the process has used less than
//!    [`QUIET_CPU`] in [`QUIET_WINDOW`] (work left after the count, such as FRR's best-path
//!    runs, is done): the settle time, the CPU time and the peak RSS.

use crate::receivers::{Progress, Receiver};
use crate::usage::{self, Usage};
use crate::{interrupt, poll};
use anyhow::{Context as _, Result, bail};
use std::collections::VecDeque;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a fresh receiver is left alone before the idle reading.
const IDLE_WAIT: Duration = Duration::from_secs(1);
/// The poll interval while waiting for Established.
const FAST_POLL: Duration = Duration::from_millis(10);
/// How long the session may take to come up.
const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the whole table may take.
const ROUTES_TIMEOUT: Duration = Duration::from_secs(300);
/// The receiver is settled once it used less CPU than this …
const QUIET_CPU: Duration = Duration::from_millis(20);
/// … over this long.
const QUIET_WINDOW: Duration = Duration::from_secs(1);
/// How long to wait for it to settle.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How often progress is printed on stderr.
const REPORT_EVERY: Duration = Duration::from_secs(5);

/// What one run measured.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// From Established to the receiver holding all routes.
    pub converged: Duration,
    /// From Established to the receiver's CPU going quiet (at least `converged`).
    pub settled: Duration,
    /// CPU time from the idle reading to the settle point.
    pub cpu: Duration,
    /// RSS just before the session came up, in bytes.
    pub idle_rss: u64,
    /// Peak RSS (VmHWM) at the settle point, in bytes.
    pub peak_rss: u64,
    /// RSS at the settle point, in bytes: what the table keeps once transient buffers are gone
    /// (or kept by the allocator).
    pub settled_rss: u64,
}

impl Sample {
    /// Several runs of one receiver in one figure each: the minimum of the times and of the
    /// CPU time (load from other processes on the machine only ever adds to them), the median
    /// of the memory figures (the upper one of an even count). `None` for no runs.
    pub fn aggregate(samples: &[Sample]) -> Option<Sample> {
        fn median<T: Ord + Copy>(samples: &[Sample], field: impl Fn(&Sample) -> T) -> T {
            let mut values: Vec<T> = samples.iter().map(field).collect();
            values.sort_unstable();
            values[values.len() / 2]
        }
        let least = |field: fn(&Sample) -> Duration| samples.iter().map(field).min();
        Some(Sample {
            converged: least(|s| s.converged)?,
            settled: least(|s| s.settled)?,
            cpu: least(|s| s.cpu)?,
            idle_rss: median(samples, |s| s.idle_rss),
            peak_rss: median(samples, |s| s.peak_rss),
            settled_rss: median(samples, |s| s.settled_rss),
        })
    }
}

/// Measures `receiver` taking `routes` routes from a source that `connect` starts sending.
pub fn run(
    receiver: &mut dyn Receiver,
    routes: u64,
    poll: Duration,
    connect: impl FnOnce() -> Result<()>,
) -> Result<Sample> {
    let pid = receiver.pid();
    let idle = idle_reading(receiver)?;
    connect()?;
    let established = wait_established(receiver)?;
    eprintln!("  established");
    let all = wait_routes(receiver, routes, poll, established)?;
    let (settled, end) = wait_settled(pid, poll, all)?;
    Ok(Sample {
        converged: all - established,
        settled: settled - established,
        cpu: end.cpu.saturating_sub(idle.cpu),
        idle_rss: idle.rss,
        peak_rss: end.peak_rss,
        settled_rss: end.rss,
    })
}

/// The usage of a receiver that is up, idle and not yet peered.
fn idle_reading(receiver: &mut dyn Receiver) -> Result<Usage> {
    sleep(IDLE_WAIT);
    let progress = receiver.progress()?;
    if progress.established {
        bail!("the session came up before the source was connected");
    }
    usage::read(receiver.pid())
}

fn wait_established(receiver: &mut dyn Receiver) -> Result<Instant> {
    let up = poll::until(
        "the session to come up",
        ESTABLISH_TIMEOUT,
        FAST_POLL,
        || Ok(receiver.progress()?.established.then(Instant::now)),
    );
    up.with_context(|| format!("receiver log:\n{}", receiver.log_tail()))
}

fn wait_routes(
    receiver: &mut dyn Receiver,
    routes: u64,
    poll: Duration,
    established: Instant,
) -> Result<Instant> {
    let mut last_report = Instant::now();
    loop {
        interrupt::check()?;
        let Progress {
            established: up,
            routes: held,
        } = receiver.progress()?;
        let now = Instant::now();
        if held >= routes {
            return Ok(now);
        }
        if !up {
            bail!(
                "the session went down at {held} routes; log:\n{}",
                receiver.log_tail()
            );
        }
        if now - established > ROUTES_TIMEOUT {
            bail!("only {held} of {routes} routes after {ROUTES_TIMEOUT:?}");
        }
        if now - last_report >= REPORT_EVERY {
            let elapsed = (now - established).as_secs_f64();
            eprintln!("  {held} routes after {elapsed:.1} s");
            last_report = now;
        }
        sleep(poll);
    }
}

/// Waits for `pid` to go quiet; returns when it went quiet (not before `all`) and the usage
/// at the end of the quiet window.
fn wait_settled(pid: u32, poll: Duration, all: Instant) -> Result<(Instant, Usage)> {
    let window = usize::try_from(QUIET_WINDOW.as_millis() / poll.as_millis().max(1))
        .unwrap_or(10)
        .max(1);
    let mut readings: VecDeque<(Instant, Usage)> = VecDeque::new();
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        interrupt::check()?;
        let now = Instant::now();
        let usage = usage::read(pid).context("the receiver died after taking the table")?;
        readings.push_back((now, usage));
        if readings.len() > window + 1 {
            readings.pop_front();
        }
        if readings.len() == window + 1 {
            let (start, first) = readings[0];
            if usage.cpu.saturating_sub(first.cpu) < QUIET_CPU {
                return Ok((start.max(all), usage));
            }
        }
        if now > deadline {
            bail!("the receiver was still busy {SETTLE_TIMEOUT:?} after taking the table");
        }
        sleep(poll);
    }
}
