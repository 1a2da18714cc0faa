//! A small lab for the HAProxy tests: network namespaces on one bridged segment, always
//! deleted (also when a test fails), and an HTTP client that runs inside a namespace.
//!
//! Needs root, iproute2 and Debian's haproxy; a missing binary fails the test.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

use linux::Netns;

const IP: &str = "/usr/sbin/ip";

fn ip(args: &[&str]) {
    let out = Command::new(IP).args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Namespaces on one segment (a bridge in its own namespace); [`Netns`] deletes them, and
/// kills what runs inside, when the last handle goes — also when a test panics.
pub struct Lab {
    label: String,
    segment: Netns,
    hosts: Vec<Netns>,
}

impl Lab {
    /// A lab with an empty segment. `label`: a few lowercase letters.
    pub fn new(label: &str) -> Lab {
        assert!(
            std::path::Path::new("/usr/sbin/haproxy").is_file(),
            "/usr/sbin/haproxy is missing: install it with `apt-get install -y haproxy`"
        );
        let segment = Netns::create(&format!("{label}-seg")).expect("create the segment");
        ip(&["-n", segment.name(), "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", segment.name(), "link", "set", "br0", "up"]);
        Lab {
            label: label.to_owned(),
            segment,
            hosts: Vec::new(),
        }
    }

    /// A namespace `name` on the segment with `addresses` (CIDR) on its `eth0`.
    pub fn host(&mut self, name: &str, addresses: &[&str]) -> Netns {
        let ns = Netns::create(&format!("{}-{name}", self.label)).expect("create a host");
        self.hosts.push(ns.clone());
        let port = format!("p{}", self.hosts.len());
        ip(&[
            "-n",
            ns.name(),
            "link",
            "add",
            "eth0",
            "type",
            "veth",
            "peer",
            "name",
            &port,
            "netns",
            self.segment.name(),
        ]);
        ip(&[
            "-n",
            self.segment.name(),
            "link",
            "set",
            &port,
            "master",
            "br0",
            "up",
        ]);
        for address in addresses {
            ip(&["-n", ns.name(), "addr", "add", address, "dev", "eth0"]);
        }
        ip(&["-n", ns.name(), "link", "set", "eth0", "up"]);
        ns
    }
}

/// Runs `f` on a thread inside namespace `ns`.
pub fn in_netns<T: Send + 'static>(ns: &Netns, f: impl FnOnce() -> T + Send + 'static) -> T {
    let ns = ns.clone();
    std::thread::spawn(move || {
        ns.enter_this_thread().expect("enter the namespace");
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
    ns: &Netns,
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

/// The LB's address on the segment.
pub const VIP: &str = "172.16.4.100";
/// The client's address.
pub const CLIENT: &str = "172.16.4.50";

/// App server `i`'s address: 172.16.4.10, .11, …
pub fn app(i: usize) -> IpAddr {
    IpAddr::from([172, 16, 4, 10 + u8::try_from(i).unwrap()])
}

/// A lab with an LB namespace, `apps` app namespaces and a client, and a temporary run
/// directory for HAProxy.
pub struct WebLab {
    pub lab: Lab,
    pub lb: Netns,
    pub apps: Vec<Netns>,
    pub client: Netns,
    pub run_dir: tempfile::TempDir,
}

impl WebLab {
    pub fn new(label: &str, apps: usize) -> WebLab {
        let mut lab = Lab::new(label);
        let lb = lab.host("lb", &[&format!("{VIP}/24")]);
        let apps = (0..apps)
            .map(|i| lab.host(&format!("app{}", i + 1), &[&format!("{}/24", app(i))]))
            .collect();
        let client = lab.host("client", &[&format!("{CLIENT}/24")]);
        let run_dir = tempfile::Builder::new()
            .prefix("lb")
            .tempdir_in("/tmp")
            .unwrap();
        WebLab {
            lab,
            lb,
            apps,
            client,
            run_dir,
        }
    }

    /// Options for the LB's HAProxy.
    pub fn options(&self) -> linux::haproxy::Options {
        linux::haproxy::Options::new(self.run_dir.path()).netns(&self.lb)
    }

    /// `GET target` from the client to the LB's `port`.
    pub fn get(&self, port: u16, target: &str, headers: &[(&str, &str)]) -> Answer {
        let to = SocketAddr::new(addr(VIP), port);
        http(&self.client, to, target, headers).unwrap_or_else(|e| panic!("GET {to}{target}: {e}"))
    }
}

/// An HTTP LB on port 80 with backend "apps" of `n` servers on 8080, checked by `GET
/// /health` (expecting 200) every second, down after 2 failures.
pub fn web_config(n: usize) -> dataplane::lb::LbConfig {
    use dataplane::lb::*;
    let mut backend = Backend::new("apps", Protocol::Http, 8080, (0..n).map(app).collect());
    backend.health_check.check_delay = Duration::from_millis(1000);
    backend.health_check.check_timeout = Duration::from_millis(500);
    backend.health_check.check_max_retries = 2;
    backend.health_check.config = CheckConfig::Http(HttpCheck {
        code: Some(200),
        ..HttpCheck::get("/health")
    });
    let mut config = LbConfig::new("web", vec![format!("{VIP}/24").parse().unwrap()]);
    config.backends.push(backend);
    config.frontends.push(Frontend::new("http", 80, "apps"));
    config
}

/// What app `i` serves: `app{i+1}`, `/health` 200.
pub fn app_service(i: usize) -> dataplane::lb::HttpService {
    dataplane::lb::HttpService::new(format!("app{}", i + 1)).with_path("/health", 200)
}

/// The model's request for `GET target` from the client to the LB's `port`.
pub fn model_get(port: u16, target: &str, headers: &[(&str, &str)]) -> dataplane::lb::Request {
    let mut request =
        dataplane::lb::Request::http_get(addr(CLIENT), SocketAddr::new(addr(VIP), port), target);
    if let Some(http) = request.http.as_mut() {
        for (n, v) in headers {
            http.headers.push((n.to_string(), v.to_string()));
        }
    }
    request
}

/// Runs the model until `done` says so about the events of one poll; returns the time
/// reached and every event seen. Panics if nothing is due any more.
pub fn advance_until(
    lb: &mut dataplane::lb::Lb,
    now: &mut Duration,
    hosts: &impl dataplane::lb::Endpoints,
    mut done: impl FnMut(&dataplane::lb::Lb) -> bool,
) -> Vec<dataplane::lb::HealthEvent> {
    let mut events = Vec::new();
    for _ in 0..10_000 {
        if done(lb) {
            return events;
        }
        let at = lb.next_deadline().expect("a check is due");
        *now = at;
        events.extend(lb.poll(at, hosts));
    }
    panic!("the model never got there: {events:?}");
}

/// The time of day of an HAProxy `format iso` log line (`2026-…T12:34:56.789012+00:00 …`),
/// in microseconds since midnight.
pub fn log_time(line: &str) -> Option<u64> {
    let stamp = line.split_whitespace().next()?;
    let time = stamp.split_once('T')?.1;
    let time = time.get(..15)?; // HH:MM:SS.ffffff
    let (hms, micros) = time.split_once('.')?;
    let mut parts = hms.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(((h * 60 + m) * 60 + s) * 1_000_000 + micros.parse::<u64>().ok()?)
}
