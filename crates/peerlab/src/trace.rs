//! `peerlab trace TOPOLOGY FROM TO` and `peerlab trace --server URL FROM TO`: a packet's path
//! through the model of a running world, hop by hop, and why it stops, in a network engineer's
//! words ([`world::trace`]).
//!
//! - `--server URL` asks a running `serve` or kept topology (`GET /peerlab/v1/trace`, with an
//!   admin token: `--token`, the demo's by default).
//! - Otherwise, if the topology is kept (`peerlab up --keep`), the running process is asked.
//!   Otherwise the topology is brought up, its `[[expect]]`s are waited for (they let it
//!   settle; `--after-steps` plays the steps too), the packet is traced and everything is torn
//!   down.
//!
//! FROM is a node (a host, a router, `scaleway`) or an address; TO is a node (both directions
//! are traced, as a ping needs) or an address. In namespace mode, when FROM and TO are both
//! hosts, a real `ping -c1 -W1` is sent too: the answer says whether it agrees with the model.
//!
//! Exit status: 0 when the packet (and its answer) gets there and the ping, if any, agrees;
//! 1 when it does not get there, or the kernel and the model disagree; 2 for bad input.

use crate::rundir;
use crate::up::Progress;
use anyhow::{Context, anyhow};
use std::path::PathBuf;
use topology::runner::report::Report;
use topology::runner::{Mode, bring_up, on_runtime, steps};
use world::trace::TraceAnswer;

/// `peerlab trace` arguments.
#[derive(clap::Args)]
pub struct TraceArgs {
    /// `TOPOLOGY FROM TO`, or `FROM TO` with `--server`: the topology file, where the packet
    /// starts (a node — host, router, `scaleway` — or an address) and where it goes (a node,
    /// traced both ways, or an address).
    #[arg(num_args = 2..=3, required = true, value_names = ["TOPOLOGY", "FROM", "TO"])]
    pub args: Vec<String>,
    /// Ask a running `serve` or kept topology at this URL instead of a topology file.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The admin token `--server` is asked with (default: the demo catalogue's).
    #[arg(long)]
    pub token: Option<String>,
    /// Play the topology's steps before tracing (by default only its expectations are waited
    /// for).
    #[arg(long)]
    pub after_steps: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The text (the hops, then what ping did) or the JSON.
fn render(answer: &TraceAnswer, json: bool) -> String {
    if json {
        return serde_json::to_string(answer).unwrap_or_default();
    }
    answer.text()
}

/// Runs `peerlab trace`.
pub fn trace(args: &TraceArgs) -> anyhow::Result<bool> {
    let token = args
        .token
        .clone()
        .unwrap_or_else(|| provider::catalogue::demo::ADMIN_SECRET_KEY.to_string());
    let (file, from, to) = match (&args.server, args.args.as_slice()) {
        (Some(url), [from, to]) => {
            let answer = ask(url, &token, from, to)?;
            println!("{}", render(&answer, args.json));
            return Ok(answer.passed());
        }
        (Some(_), _) => anyhow::bail!("with --server, give FROM TO (no topology file)"),
        (None, [file, from, to]) => (PathBuf::from(file), from.clone(), to.clone()),
        (None, _) => anyhow::bail!("give TOPOLOGY FROM TO, or --server URL FROM TO"),
    };
    let topology = topology::format::load(&file)?;
    let name = topology.name.get_ref().clone();
    let answer = match rundir::read(&name)? {
        Some(state) => ask(&state.api, &token, &from, &to)?,
        None => {
            let path = file.display().to_string();
            let real = Mode::needed(&topology);
            let after_steps = args.after_steps;
            on_runtime(real, move |mode| async move {
                let lab = bring_up(topology, &path, mode).await?;
                let mut report = Report::new(&name, "");
                let progress = Progress::new(0);
                let item = |what: &str| progress.item(what);
                steps::play_settle(&lab, &mut report, &item, after_steps).await;
                progress.finish();
                let answer = lab.world.trace(&from, &to).await;
                let _ = tokio::task::spawn_blocking(move || drop(lab)).await;
                answer.map_err(|e| anyhow!(e))
            })?
        }
    };
    println!("{}", render(&answer, args.json));
    Ok(answer.passed())
}

/// Asks a running `serve` or kept topology (plain HTTP).
fn ask(url: &str, token: &str, from: &str, to: &str) -> anyhow::Result<TraceAnswer> {
    use std::io::{Read, Write};
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    if addr.starts_with("https://") {
        anyhow::bail!("{url}: peerlab trace speaks plain HTTP to the server");
    }
    let mut stream =
        std::net::TcpStream::connect(&addr).with_context(|| format!("connecting to {url}"))?;
    let query = format!("from={}&to={}", encode(from), encode(to));
    write!(
        stream,
        "GET /peerlab/v1/trace?{query} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: {token}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("a malformed answer from {url}"))?;
    if !head.starts_with("HTTP/1.1 200") {
        let message: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let text = message
            .get("details")
            .and_then(|d| d.get(0))
            .and_then(|d| d.get("help_message"))
            .or_else(|| message.get("message"))
            .and_then(|m| m.as_str())
            .unwrap_or(body);
        anyhow::bail!("{text}");
    }
    serde_json::from_str(body).context("the kept topology's answer")
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use world::trace::{PingAnswer, TracedPacket};

    fn answer(reachable: bool, ping: Option<(bool, bool)>) -> TraceAnswer {
        TraceAnswer {
            from: "laptop".to_string(),
            to: "app1".to_string(),
            reachable,
            packets: vec![TracedPacket {
                source: "10.1.0.10".parse().unwrap(),
                destination: "172.16.4.10".parse().unwrap(),
                delivered: reachable,
                reason: None,
                text: "10.1.0.10 → 172.16.4.10: …".to_string(),
            }],
            ping: ping.map(|(answered, agrees)| PingAnswer {
                from: "laptop".to_string(),
                address: "172.16.4.10".parse().unwrap(),
                answered,
                agrees,
            }),
        }
    }

    #[test]
    fn the_text_ends_with_what_ping_did() {
        let a = answer(true, Some((true, true)));
        assert!(a.passed());
        assert_eq!(
            render(&a, false).lines().last(),
            Some("ping from laptop to 172.16.4.10: answered")
        );
        let a = answer(false, Some((false, true)));
        assert!(!a.passed());
        assert_eq!(
            render(&a, false).lines().last(),
            Some("ping from laptop to 172.16.4.10: no answer")
        );
    }

    #[test]
    fn a_disagreement_is_said_plainly_and_fails() {
        let a = answer(true, Some((false, false)));
        assert!(!a.passed());
        let text = render(&a, false);
        assert_eq!(
            text.lines().last(),
            Some(
                "the kernel and the model disagree: ping from laptop to 172.16.4.10 got no \
                 answer; but the model delivers both ways"
            ),
            "{text}"
        );
        let a = answer(false, Some((true, false)));
        assert!(
            render(&a, false)
                .ends_with("ping from laptop to 172.16.4.10 answered; but the model drops it")
        );
    }

    #[test]
    fn in_memory_the_answer_says_nothing_of_ping() {
        let a = answer(true, None);
        assert!(a.passed());
        assert!(!render(&a, false).contains("ping"));
        let json: serde_json::Value = serde_json::from_str(&render(&a, true)).unwrap();
        assert_eq!(json.get("ping"), Some(&serde_json::Value::Null));
        // An answer without the key (an older kept process) reads as no ping.
        let mut old = json;
        old.as_object_mut().unwrap().remove("ping");
        let read: TraceAnswer = serde_json::from_value(old).unwrap();
        assert!(read.ping.is_none());
    }
}
