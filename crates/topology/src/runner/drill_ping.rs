//! A drill in namespace mode: the probe stream is a real `ping -D -n -i 0.01` from the source
//! host's namespace to the destination host's address, read as it runs; a probe is dropped
//! when its echo reply never comes. Probe k is taken to leave at the first reply's time plus
//! (k − its sequence number) × 10 ms (ping's schedule), so the numbers are at ping's 10 ms
//! resolution on the wall clock.

use super::drill::{Measured, PROBE_EVERY};
use super::error::Why;
use super::lab::Lab;
use super::steps::act_settled;
use crate::format::Drill;
use linux::render::Kernels;
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

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

/// When probe `seq` left, from the first reply (ping sends one every 10 ms).
fn sent(first: (f64, u32), seq: u32) -> f64 {
    first.0 + (f64::from(seq) - f64::from(first.1)) * PROBE_EVERY.as_secs_f64()
}

/// The numbers of a ping run: replies seen, the failure's wall time, the last probe's number.
pub fn count(replies: &[(f64, u32)], failed_at: f64, last: u32, m: &mut Measured) {
    let Some(&first) = replies.first() else {
        return;
    };
    let answered: std::collections::BTreeSet<u32> = replies.iter().map(|r| r.1).collect();
    let after = |seq: u32| sent(first, seq) >= failed_at;
    let mut first_drop = None;
    for seq in (first.1..=last).filter(|s| after(*s)) {
        m.probes += 1;
        if !answered.contains(&seq) {
            m.probes_dropped += 1;
            first_drop.get_or_insert(seq);
        } else if first_drop.is_some() && m.traffic_back_after_ms.is_none() {
            let t = (sent(first, seq) - failed_at).max(0.0);
            m.traffic_back_after_ms = Some((t * 1000.0) as u64);
        }
    }
    m.dropped_ms = u64::from(m.probes_dropped) * 10;
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
    let last = replies.last().map_or(0, |r| r.1);
    let back = m.traffic_back_after_ms;
    count(&replies, failed_at, last, &mut m);
    m.traffic_back_after_ms = m.traffic_back_after_ms.or(back);
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
    let master = super::drill::vrrp_master(lab, d).await?;
    let failed_at = now();
    let began = tokio::time::Instant::now();
    let step = super::drill::step_of(d, false, master).ok_or("nothing to fail")?;
    act_settled(lab, &step).await?;
    let restore_after = d.restore_after.map(|r| r.0);
    let mut answered_before = seen();
    let mut dropped_since: Option<Duration> = None;
    loop {
        let t = began.elapsed();
        if m.restored_after_ms.is_none() && restore_after.is_some_and(|r| t >= r) {
            if let Some(undo) = super::drill::step_of(d, true, master) {
                act_settled(lab, &undo).await?;
            }
            m.restored_after_ms = Some(ms(began.elapsed()));
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
        let restored = restore_after.is_none() || m.restored_after_ms.is_some();
        if (withdrawn && through && restored) || t >= d.window() {
            break;
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
    if restore_after.is_some() && m.restored_after_ms.is_none() {
        if let Some(undo) = super::drill::step_of(d, true, master) {
            act_settled(lab, &undo).await?;
        }
        m.restored_after_ms = Some(ms(began.elapsed()));
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
    fn the_outage_is_counted_from_the_sequence_numbers() {
        // Replies for 1..=10, a failure at probe 11, nothing until 31, then 31..=40.
        let t0 = 1000.0;
        let mut replies: Vec<(f64, u32)> = (1..=10)
            .map(|s| (t0 + f64::from(s - 1) * 0.01, s))
            .collect();
        replies.extend((31..=40).map(|s| (t0 + f64::from(s - 1) * 0.01 + 0.0005, s)));
        let mut m = Measured::default();
        count(&replies, t0 + 0.0999, 40, &mut m);
        assert_eq!(m.probes, 30);
        assert_eq!(m.probes_dropped, 20);
        assert_eq!(m.dropped_ms, 200);
        assert_eq!(m.traffic_back_after_ms, Some(200));
    }
}
