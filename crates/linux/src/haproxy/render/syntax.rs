//! How values are written in `haproxy.cfg`: durations in milliseconds, `address:port` (with
//! `[v6]`), and configuration words, quoted and escaped when they need it.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// A duration as HAProxy reads it.
pub(super) fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

/// An address and port as HAProxy reads them (`[v6]:port`).
pub(super) fn address(ip: IpAddr, port: u16) -> String {
    SocketAddr::new(ip, port).to_string()
}

/// A configuration word: bare if it is made of safe characters, else in double quotes with
/// `\`, `"` and `$` escaped (HAProxy expands `$VAR` inside double quotes).
pub fn quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "._/:+@=,~^-*".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_owned();
    }
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$') {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}
