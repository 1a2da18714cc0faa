//! `peerlab trace TOPOLOGY FROM TO`: a packet's path through the model of a topology, hop by
//! hop, and why it stops, in a network engineer's words.
//!
//! If the topology is kept (`peerlab up --keep`), the running process is asked
//! (`GET /peerlab/v1/trace?from=…&to=…` on its API). Otherwise the topology is brought up, its
//! `[[expect]]`s are waited for (they let it settle; `--after-steps` plays the steps too), the
//! packet is traced and everything is torn down.
//!
//! FROM is a host, a router or `scaleway`; TO is a host (both directions are traced, as a ping
//! needs) or an address.
//!
//! In namespace mode (real daemons), the model is first rendered into the kernels, and when
//! FROM and TO are both hosts a real `ping -c1 -W1` from FROM's namespace to TO's address is
//! sent too: the answer says what it did, and whether it agrees with the model. In memory
//! there is nothing to ping (`"ping": null`).
//!
//! Exit status: 0 when the packet (and its answer) gets there and the ping, if any, agrees;
//! 1 when it does not get there, or the kernel and the model disagree; 2 for bad input.

use super::runner::{self, World};
use super::{Progress, model, on_runtime, report, rundir};
use anyhow::{Context, anyhow};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::PathBuf;

/// `peerlab trace` arguments.
#[derive(clap::Args)]
pub struct TraceArgs {
    /// The topology file.
    pub topology: PathBuf,
    /// Where the packet starts: a host, a router, or `scaleway`.
    pub from: String,
    /// Where it goes: a host (both ways are traced) or an address.
    pub to: String,
    /// Play the topology's steps before tracing (by default only its expectations are waited
    /// for).
    #[arg(long)]
    pub after_steps: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One traced direction.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TracedPacket {
    /// Its source address.
    pub source: IpAddr,
    /// Its destination address.
    pub destination: IpAddr,
    /// Whether it got there.
    pub delivered: bool,
    /// Why not (`no_route`, `filtered_by_policy`, `vlan_mismatch` …).
    pub reason: Option<String>,
    /// Its hops and verdict, as text.
    pub text: String,
}

/// The answer to "why can't FROM reach TO".
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceAnswer {
    /// The source node.
    pub from: String,
    /// The destination, as given.
    pub to: String,
    /// Whether every traced direction got there.
    pub reachable: bool,
    /// The directions traced.
    pub packets: Vec<TracedPacket>,
    /// What a real `ping -c1 -W1` from FROM to TO did: in namespace mode, when both are
    /// hosts; `None` (`null`) otherwise, and always in memory.
    #[serde(default)]
    pub ping: Option<PingAnswer>,
}

/// What a real `ping -c1 -W1` did, next to the model's verdict.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PingAnswer {
    /// The host it was sent from.
    pub from: String,
    /// The address pinged (TO's).
    pub address: IpAddr,
    /// Whether an echo reply came back.
    pub answered: bool,
    /// Whether that is what the model says (`answered` exactly when `reachable`).
    pub agrees: bool,
}

impl PingAnswer {
    /// `ping from laptop to 172.16.4.10: answered` (or `no answer`), and, when the kernel
    /// and the model disagree, a second line that says so.
    fn lines(&self) -> String {
        let (what, past) = match self.answered {
            true => ("answered", "answered"),
            false => ("no answer", "got no answer"),
        };
        let (from, address) = (&self.from, self.address);
        let mut text = format!("ping from {from} to {address}: {what}");
        if !self.agrees {
            let model = match self.answered {
                true => "the model drops it",
                false => "the model delivers both ways",
            };
            text.push_str(&format!(
                "\nthe kernel and the model disagree: ping from {from} to {address} {past}; but {model}"
            ));
        }
        text
    }
}

impl TraceAnswer {
    /// Whether the packet got there and the ping, if any, agrees with the model: the exit
    /// status 0.
    pub fn passed(&self) -> bool {
        self.reachable && self.ping.as_ref().is_none_or(|p| p.agrees)
    }

    /// The text (the hops, then what ping did) or the JSON.
    fn render(&self, json: bool) -> String {
        if json {
            return serde_json::to_string(self).unwrap_or_default();
        }
        let mut lines: Vec<String> = self.packets.iter().map(|p| p.text.clone()).collect();
        lines.extend(self.ping.as_ref().map(PingAnswer::lines));
        lines.join("\n")
    }
}

fn packet(trace: &dataplane::Trace) -> TracedPacket {
    TracedPacket {
        source: trace.source,
        destination: trace.destination,
        delivered: trace.is_delivered(),
        reason: trace.drop_reason().map(|r| r.kind().to_string()),
        text: format!("{trace:#}"),
    }
}

/// How many looks (render, trace, ping) a disagreement between the kernel and the model gets
/// before it is the answer: a kept topology may change between the model and the ping, and on
/// a busy machine the userspace VLAN tagging can hold an echo past ping's one second.
const LOOKS: usize = 3;

/// Traces from node `from` to host `to` (both ways) or address `to`, in the running world; in
/// namespace mode, pings too when both are hosts. A ping that disagrees with the model is sent
/// again, after the model is rendered again, up to [`LOOKS`] times: the last look is the
/// answer.
pub async fn answer(world: &World, from: &str, to: &str) -> Result<TraceAnswer, String> {
    let pinged = world
        .linux
        .as_ref()
        .is_some_and(|l| l.is_host(from) && l.is_host(to));
    let mut answer = look(world, from, to, pinged).await?;
    for _ in 1..LOOKS {
        if answer.ping.as_ref().is_none_or(|p| p.agrees) {
            break;
        }
        answer = look(world, from, to, pinged).await?;
    }
    Ok(answer)
}

/// One look: the model (as rendered into the kernels, in namespace mode), the trace, and the
/// ping when `pinged`.
async fn look(world: &World, from: &str, to: &str, pinged: bool) -> Result<TraceAnswer, String> {
    let model = match world.render_linux().await? {
        Some(rendered) => rendered,
        None => model::build(world).await?,
    };
    let names = || {
        let mut names: Vec<&str> = model.nodes.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.join(", ")
    };
    let &source = model
        .nodes
        .get(from)
        .ok_or_else(|| format!("no node {from:?} (the nodes are {})", names()))?;
    let packets = if let Ok(address) = to.parse::<IpAddr>() {
        vec![packet(
            &model
                .net
                .trace(source, address)
                .map_err(|e| e.to_string())?,
        )]
    } else {
        let &target = model
            .nodes
            .get(to)
            .ok_or_else(|| format!("{to:?} is neither an address nor a node ({})", names()))?;
        let reach = model.net.reach(source, target).map_err(|e| e.to_string())?;
        vec![packet(&reach.forward), packet(&reach.reverse)]
    };
    let reachable = packets.iter().all(|p| p.delivered);
    let ping = match pinged {
        true => {
            let ping = world.ping(from, to).await?;
            Some(PingAnswer {
                from: from.to_string(),
                address: ping.address,
                answered: ping.answered,
                agrees: ping.answered == reachable,
            })
        }
        false => None,
    };
    Ok(TraceAnswer {
        from: from.to_string(),
        to: to.to_string(),
        reachable,
        packets,
        ping,
    })
}

/// Runs `peerlab trace`.
pub fn trace(args: &TraceArgs) -> anyhow::Result<bool> {
    let topology = topology::format::load(&args.topology)?;
    let name = topology.name.get_ref().clone();
    let answer = match rundir::read(&name)? {
        Some(state) => ask_kept(&state, &args.from, &args.to)?,
        None => {
            let path = args.topology.display().to_string();
            let real = runner::Mode::needed(&topology).map_err(|e| anyhow!("{path}: {e}"))?;
            let (from, to, after_steps) = (args.from.clone(), args.to.clone(), args.after_steps);
            on_runtime(real, move |mode| async move {
                let world = runner::bring_up(topology, &path, mode).await?;
                let mut report = report::Report::new(&name, "");
                let progress = Progress::new(0);
                super::steps::play_settle(&world, &mut report, &progress, after_steps).await;
                progress.finish();
                let answer = answer(&world, &from, &to).await;
                let _ = tokio::task::spawn_blocking(move || drop(world)).await;
                answer.map_err(|e| anyhow!(e))
            })?
        }
    };
    println!("{}", answer.render(args.json));
    Ok(answer.passed())
}

/// Asks a kept topology's process.
fn ask_kept(state: &rundir::RunState, from: &str, to: &str) -> anyhow::Result<TraceAnswer> {
    use std::io::{Read, Write};
    let addr = state.api.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)
        .with_context(|| format!("connecting to the kept topology at {}", state.api))?;
    let query = format!("from={}&to={}", encode(from), encode(to));
    write!(
        stream,
        "GET /peerlab/v1/trace?{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("a malformed answer from {}", state.api))?;
    if !head.starts_with("HTTP/1.1 200") {
        let message: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let text = message
            .get("message")
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
            a.render(false).lines().last(),
            Some("ping from laptop to 172.16.4.10: answered")
        );
        let a = answer(false, Some((false, true)));
        assert!(!a.passed());
        assert_eq!(
            a.render(false).lines().last(),
            Some("ping from laptop to 172.16.4.10: no answer")
        );
    }

    #[test]
    fn a_disagreement_is_said_plainly_and_fails() {
        let a = answer(true, Some((false, false)));
        assert!(!a.passed());
        let text = a.render(false);
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
            a.render(false)
                .ends_with("ping from laptop to 172.16.4.10 answered; but the model drops it")
        );
    }

    #[test]
    fn in_memory_the_answer_says_nothing_of_ping() {
        let a = answer(true, None);
        assert!(a.passed());
        assert!(!a.render(false).contains("ping"));
        let json: serde_json::Value = serde_json::from_str(&a.render(true)).unwrap();
        assert_eq!(json.get("ping"), Some(&serde_json::Value::Null));
        // An answer without the key (an older kept process) reads as no ping.
        let mut old = json;
        old.as_object_mut().unwrap().remove("ping");
        let read: TraceAnswer = serde_json::from_value(old).unwrap();
        assert!(read.ping.is_none());
    }
}
