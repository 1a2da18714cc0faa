//! A small lab for the HAProxy tests: network namespaces on one bridged segment, always
//! deleted (also when a test fails), and an HTTP client that runs inside a namespace.
//!
//! Needs root, iproute2 and Debian's haproxy; a missing binary fails the test.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const IP: &str = "/usr/sbin/ip";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn ip(args: &[&str]) {
    let out = Command::new(IP).args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Namespaces on one segment (a bridge in its own namespace), deleted on drop.
pub struct Lab {
    prefix: String,
    segment: String,
    hosts: Vec<String>,
}

impl Lab {
    /// A lab with an empty segment. `label`: a few lowercase letters.
    pub fn new(label: &str) -> Lab {
        assert!(
            std::path::Path::new("/usr/sbin/haproxy").is_file(),
            "/usr/sbin/haproxy is missing: install it with `apt-get install -y haproxy`"
        );
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let prefix = format!("lbt{}-{n}-{label}", std::process::id());
        let segment = format!("{prefix}-seg");
        let lab = Lab {
            prefix,
            segment: segment.clone(),
            hosts: Vec::new(),
        };
        ip(&["netns", "add", &segment]);
        ip(&["-n", &segment, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &segment, "link", "set", "br0", "up"]);
        lab
    }

    /// A namespace `name` on the segment with `addresses` (CIDR) on its `eth0`; returns the
    /// namespace's name.
    pub fn host(&mut self, name: &str, addresses: &[&str]) -> String {
        let ns = format!("{}-{name}", self.prefix);
        ip(&["netns", "add", &ns]);
        self.hosts.push(ns.clone());
        let port = format!("p{}", self.hosts.len());
        ip(&[
            "-n",
            &ns,
            "link",
            "add",
            "eth0",
            "type",
            "veth",
            "peer",
            "name",
            &port,
            "netns",
            &self.segment,
        ]);
        ip(&[
            "-n",
            &self.segment,
            "link",
            "set",
            &port,
            "master",
            "br0",
            "up",
        ]);
        ip(&["-n", &ns, "link", "set", "lo", "up"]);
        for address in addresses {
            ip(&["-n", &ns, "addr", "add", address, "dev", "eth0"]);
        }
        ip(&["-n", &ns, "link", "set", "eth0", "up"]);
        ns
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.hosts.iter().chain([&self.segment]) {
            if let Ok(out) = Command::new(IP).args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    if let Ok(pid) = pid.parse::<i32>()
                        && pid > 0
                    {
                        // SAFETY: kill(2) has no memory-safety preconditions.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                }
            }
            let _ = Command::new(IP).args(["netns", "del", ns]).status();
        }
    }
}

/// Runs `f` on a thread inside namespace `ns`.
pub fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).expect("open netns");
        use std::os::fd::AsRawFd;
        // SAFETY: setns(2) on an open namespace file; it affects this thread only.
        let entered = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(entered, 0, "setns {path}");
        f()
    })
    .join()
    .expect("namespace thread")
}

/// An HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`), from namespace `ns`.
pub fn http(
    ns: &str,
    to: SocketAddr,
    target: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Answer> {
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\n");
    for (n, v) in headers {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str("\r\n");
    in_netns(ns, move || {
        let mut stream = TcpStream::connect_timeout(&to, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(request.as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        parse(&raw)
    })
}

/// Parses a whole HTTP/1.1 response (Content-Length or read to the end).
pub fn parse(raw: &[u8]) -> std::io::Result<Answer> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no header end in {text:?}")))?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Answer {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// Polls `f` every 20 ms until it returns `Some`, for at most `limit`.
pub async fn eventually<T>(limit: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(t) = f().await {
            return t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn addr(s: &str) -> IpAddr {
    s.parse().unwrap()
}
