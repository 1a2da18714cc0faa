//! A drill in namespace mode: the probe stream is a real `ping -D -n -i 0.01` from the source
//! host's namespace to the destination host's address, read as it runs; the outage is the gap
//! between the echo replies around the failure ([`count`]), at ping's 10 ms resolution on the
//! wall clock.

use super::drill::{Measured, PROBE_EVERY};
use super::error::Why;
use super::lab::Lab;
use super::steps::act_settled;
use crate::format::Drill;
use linux::render::Kernels;
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How often the model is rendered into the kernels during a drill.
const RENDER_EVERY: Duration = Duration::from_millis(100);

/// The echo replies seen so far: (wall time in seconds, icmp_seq).
type Replies = Arc<Mutex<Vec<(f64, u32)>>>;

/// `[1700000000.123456] 64 bytes from 172.16.4.10: icmp_seq=5 ttl=62 time=0.1 ms` → the
/// time and sequence number of a reply; anything else is not one.
pub fn reply(line: &str) -> Option<(f64, u32)> {
    let rest = line.strip_prefix('[')?;
    let (time, rest) = rest.split_once(']')?;
    if !rest.contains(" bytes from ") {
        return None;
    }
    let seq = rest
        .split_whitespace()
        .find_map(|w| w.strip_prefix("icmp_seq="))?;
    Some((time.parse().ok()?, seq.parse().ok()?))
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The outage a ping run shows: the first gap between two replies after the failure (wall
/// time `failed_at`) longer than three probe intervals. Ping may slow down while it gets
/// errors back, so the gap is measured between replies' times, not counted in sequence
/// numbers: dropped = the gap less one interval, probes dropped = that over 10 ms.
/// An outage still going on at `until` (the last probe whose reply could have come) counts up
/// to then, with no way back.
pub fn count(replies: &[(f64, u32)], failed_at: f64, until: f64, m: &mut Measured) {
    let interval = PROBE_EVERY.as_secs_f64();
    let before = replies
        .iter()
        .rev()
        .find(|r| r.0 <= failed_at)
        .map_or(failed_at, |r| r.0);
    let after: Vec<f64> = replies
        .iter()
        .map(|r| r.0)
        .filter(|t| *t > failed_at)
        .collect();
    let mut previous = before;
    for &t in &after {
        let gap = t - previous;
        if gap > 3.0 * interval {
            let dropped = ((gap - interval) * 1000.0).round() as u64;
            m.dropped_ms = dropped / 10 * 10;
            m.probes_dropped = u32::try_from(dropped / 10).unwrap_or(u32::MAX);
            m.traffic_back_after_ms = Some((((t - failed_at).max(0.0)) * 1000.0).round() as u64);
            break;
        }
        previous = t;
    }
    if m.traffic_back_after_ms.is_none() && until - previous > 3.0 * interval {
        let dropped = ((until - previous - interval) * 1000.0).round() as u64;
        m.dropped_ms = dropped / 10 * 10;
        m.probes_dropped = u32::try_from(dropped / 10).unwrap_or(u32::MAX);
    }
    let answered = u32::try_from(after.len()).unwrap_or(u32::MAX);
    m.probes = answered.saturating_add(m.probes_dropped);
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Runs the drill with a real ping stream.
pub async fn measure(lab: &Lab, d: &Drill, kernels: Arc<Kernels>) -> Result<Measured, Why> {
    let (from, to) = (d.probe.from.get_ref(), d.probe.to.get_ref());
    let ns = kernels
        .hosts()
        .into_iter()
        .find(|(n, _)| n == from)
        .map(|(_, ns)| ns)
        .ok_or_else(|| Why(format!("{from} is not a host in Linux")))?;
    let address = lab
        .topology
        .hosts
        .iter()
        .find(|h| h.name.get_ref() == to)
        .and_then(|h| h.ip())
        .ok_or_else(|| Why(format!("{to} has no address")))?;
    let mut child = ns
        .command("ping")
        .args(["-D", "-n", "-i", "0.01", "-W", "1", &address.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| Why(format!("starting ping in {from}'s namespace: {e}")))?;
    let replies: Replies = Arc::default();
    let reader = child.stdout.take().map(|out| {
        let replies = Arc::clone(&replies);
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some(r) = reply(&line) {
                    replies.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                }
            }
        })
    });
    let result = drive(lab, d, &replies).await;
    // Probes sent in the last second may still be answered (ping waits a second for each).
    let until = now() - 1.0;
    // SIGINT, as a person stops ping; then it is reaped.
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on our own child's pid, which it has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGINT) };
    }
    let _ = tokio::task::spawn_blocking(move || {
        let _ = child.wait();
        reader.map(std::thread::JoinHandle::join)
    })
    .await;
    let (failed_at, mut m) = result?;
    let replies = replies.lock().unwrap_or_else(|e| e.into_inner()).clone();
    // The replies' times decide; the live watch only said when to stop.
    m.traffic_back_after_ms = None;
    count(&replies, failed_at, until, &mut m);
    Ok(m)
}

/// Waits for the stream to get through, fails, watches, restores; the failure's wall time.
async fn drive(lab: &Lab, d: &Drill, replies: &Replies) -> Result<(f64, Measured), Why> {
    let seen = || replies.lock().unwrap_or_else(|e| e.into_inner()).len();
    let start = tokio::time::Instant::now();
    while seen() < 10 {
        if start.elapsed() > Duration::from_secs(5) {
            return Err(Why(format!(
                "before the drill {} does not reach {}: ping got no answer",
                d.probe.from.get_ref(),
                d.probe.to.get_ref()
            )));
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
    let mut m = Measured {
        failure: d.failure(),
        probe: (d.probe.from.get_ref().clone(), d.probe.to.get_ref().clone()),
        ..Default::default()
    };
    let session = super::drill::session_with_routes(lab, d).await?;
    m.withdrawable = session.is_some();
    let master = super::drill::vrrp_master(lab, d).await?;
    let failed_at = now();
    let began = tokio::time::Instant::now();
    let step = super::drill::step_of(d, false, master).ok_or("nothing to fail")?;
    act_settled(lab, &step).await?;
    let restore_after = d.restore_after.map(|r| r.0);
    let mut answered_before = seen();
    let mut dropped_since: Option<Duration> = None;
    let mut rendered = began;
    loop {
        let t = began.elapsed();
        // The kernels follow the model as the sessions change (as the expectations' polling
        // makes them do).
        if rendered.elapsed() >= RENDER_EVERY {
            lab.model().await?;
            rendered = tokio::time::Instant::now();
        }
        if m.restored_after_ms.is_none() && restore_after.is_some_and(|r| t >= r) {
            m.restored_after_ms = Some(ms(began.elapsed()));
            if let Some(undo) = super::drill::step_of(d, true, master) {
                act_settled(lab, &undo).await?;
            }
        }
        if let Some(id) = &session
            && m.withdrawn_after_ms.is_none()
            && super::drill::installed(lab, id).await == 0
        {
            m.withdrawn_after_ms = Some(ms(began.elapsed()));
        }
        // A second without a reply is an outage; replies after it are the way back.
        let now_seen = seen();
        if now_seen == answered_before {
            dropped_since.get_or_insert(t);
        } else if dropped_since.is_some() && m.traffic_back_after_ms.is_none() {
            m.traffic_back_after_ms = Some(ms(t));
        } else {
            dropped_since = None;
        }
        answered_before = now_seen;
        let withdrawn = session.is_none() || m.withdrawn_after_ms.is_some();
        let through = m.traffic_back_after_ms.is_some()
            || (dropped_since.is_none() && t >= Duration::from_secs(2));
        if super::drill::done(withdrawn, through, restore_after, m.restored_after_ms)
            || t >= d.window()
        {
            break;
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
    if restore_after.is_some() && m.restored_after_ms.is_none() {
        m.restored_after_ms = Some(ms(began.elapsed()));
        if let Some(undo) = super::drill::step_of(d, true, master) {
            act_settled(lab, &undo).await?;
        }
    }
    // Let the last probes' replies arrive (ping waits a second for each).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    Ok((failed_at, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_and_everything_else_is_not() {
        assert_eq!(
            reply("[1700000000.500000] 64 bytes from 172.16.4.10: icmp_seq=5 ttl=62 time=0.1 ms"),
            Some((1_700_000_000.5, 5))
        );
        assert_eq!(
            reply("[1700000000.5] From 10.1.0.1 icmp_seq=6 Destination Net Unreachable"),
            None
        );
        assert_eq!(
            reply("PING 172.16.4.10 (172.16.4.10) 56(84) bytes of data."),
            None
        );
        assert_eq!(reply("[x] 64 bytes from a: icmp_seq=1"), None);
    }

    #[test]
    fn the_outage_is_the_gap_between_replies() {
        // Replies every 10 ms for 0.1 s, a failure at 0.095 s, nothing until 0.3 s, then
        // replies again (ping slowed down meanwhile: its sequence numbers do not count).
        let t0 = 1000.0;
        let mut replies: Vec<(f64, u32)> =
            (0..10).map(|i| (t0 + f64::from(i) * 0.01, i + 1)).collect();
        replies.extend((0..10).map(|i| (t0 + 0.3 + f64::from(i) * 0.01, i + 12)));
        let mut m = Measured::default();
        count(&replies, t0 + 0.095, t0 + 0.39, &mut m);
        // The gap from 0.09 s to 0.3 s, less one interval.
        assert_eq!(m.dropped_ms, 200);
        assert_eq!(m.probes_dropped, 20);
        assert_eq!(m.traffic_back_after_ms, Some(205));
        assert_eq!(m.probes, 30);
        // No gap: nothing dropped.
        let mut m = Measured::default();
        count(&replies[..10], t0 + 0.035, t0 + 0.09, &mut m);
        assert_eq!(
            (m.probes_dropped, m.traffic_back_after_ms, m.probes),
            (0, None, 6)
        );
        // Replies stop for good at 0.09 s: dropped until the end, and no way back.
        let mut m = Measured::default();
        count(&replies[..10], t0 + 0.035, t0 + 1.0, &mut m);
        assert_eq!((m.dropped_ms, m.traffic_back_after_ms), (900, None));
    }
}
