//! `show stat` from HAProxy's stats socket: the CSV typed ([`StatRow`]), and mapped onto the
//! model's [`BackendStats`] through the rendering's positional names (`be{i}`, `s{j}`).
//!
//! Statuses keep HAProxy's words ([`ServerStatus`]); the API's `server_state` and
//! `last_health_check_status` follow from them (the facts file's mapping, in
//! `dataplane::lb::stats`).

use std::collections::HashMap;
use std::time::Duration;

use dataplane::lb::{BackendStats, CheckStatus, LbConfig, ServerStats, ServerStatus};

use super::Error;

/// One line of `show stat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatRow {
    /// `pxname`: `fe{i}`, `be{i}` or HAProxy's own.
    pub pxname: String,
    /// `svname`: `FRONTEND`, `BACKEND` or a server (`s{j}`, `failover`).
    pub svname: String,
    /// `status`, verbatim (`UP`, `UP 1/3`, `DOWN`, `OPEN` …).
    pub status: String,
    /// `check_status` (`L7OK` …), if the server is checked.
    pub check_status: Option<CheckStatus>,
    /// `check_code`: the last HTTP check's status.
    pub check_code: Option<u16>,
    /// `check_duration`: how long the last check took.
    pub check_duration: Option<Duration>,
    /// `chkfail`: failed checks.
    pub chkfail: u64,
    /// `chkdown`: UP → DOWN transitions.
    pub chkdown: u64,
    /// `lastchg`: time since the last UP/DOWN change (whole seconds).
    pub lastchg: Option<Duration>,
    /// `lbtot`: times the server was picked by the balancer.
    pub lbtot: u64,
    /// `stot`: sessions in total.
    pub stot: u64,
    /// `addr`: the server's `address:port`.
    pub addr: Option<String>,
}

/// Parses `show stat`'s CSV (the `# pxname,svname,…` header then one line per proxy or
/// server); columns are found by name.
pub fn parse_show_stat(csv: &str) -> Result<Vec<StatRow>, Error> {
    let mut lines = csv.lines();
    let header = lines
        .next()
        .and_then(|h| h.strip_prefix("# "))
        .ok_or_else(|| Error::Stats(csv.chars().take(200).collect()))?;
    let columns: HashMap<&str, usize> =
        header.split(',').enumerate().map(|(i, c)| (c, i)).collect();
    let index = |name: &str| {
        columns
            .get(name)
            .copied()
            .ok_or_else(|| Error::Stats(format!("no {name} column")))
    };
    let (px, sv, st) = (index("pxname")?, index("svname")?, index("status")?);
    let mut rows = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let field = |name: &str| {
            columns
                .get(name)
                .and_then(|i| fields.get(*i))
                .copied()
                .unwrap_or("")
        };
        let number = |name: &str| field(name).parse::<u64>().ok();
        rows.push(StatRow {
            pxname: fields.get(px).copied().unwrap_or("").to_owned(),
            svname: fields.get(sv).copied().unwrap_or("").to_owned(),
            status: fields.get(st).copied().unwrap_or("").to_owned(),
            check_status: CheckStatus::parse(field("check_status")),
            check_code: field("check_code").parse().ok(),
            check_duration: number("check_duration").map(Duration::from_millis),
            chkfail: number("chkfail").unwrap_or(0),
            chkdown: number("chkdown").unwrap_or(0),
            lastchg: number("lastchg").map(Duration::from_secs),
            lbtot: number("lbtot").unwrap_or(0),
            stot: number("stot").unwrap_or(0),
            addr: Some(field("addr"))
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
        });
    }
    Ok(rows)
}

/// The index `i` in a positional name `prefix{i}`.
fn position(name: &str, prefix: &str) -> Option<usize> {
    name.strip_prefix(prefix)?.parse().ok()
}

/// The backends' statistics from `rows`, for the configuration HAProxy runs. `now` is the
/// caller's clock: `last_change` is `now − lastchg`.
pub fn backend_stats(rows: &[StatRow], config: &LbConfig, now: Duration) -> Vec<BackendStats> {
    config
        .backends
        .iter()
        .enumerate()
        .map(|(i, backend)| {
            let pxname = format!("be{i}");
            let mut servers: Vec<(usize, ServerStats)> = rows
                .iter()
                .filter(|r| r.pxname == pxname)
                .filter_map(|r| {
                    let j = position(&r.svname, "s")?;
                    let address = *backend.servers.get(j)?;
                    Some((
                        j,
                        ServerStats {
                            address,
                            port: backend.forward_port,
                            status: ServerStatus::parse(&r.status)?,
                            check_status: r.check_status.unwrap_or(CheckStatus::Ini),
                            check_code: r.check_code,
                            failed_checks: r.chkfail,
                            down_transitions: r.chkdown,
                            last_change: now.saturating_sub(r.lastchg.unwrap_or_default()),
                        },
                    ))
                })
                .collect();
            servers.sort_by_key(|(j, _)| *j);
            BackendStats {
                backend: backend.name.clone(),
                servers: servers.into_iter().map(|(_, s)| s).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns 1-38 and 74 of a real HAProxy 2.6.12 `show stat` (the rest elided).
    const SAMPLE: &str = "# pxname,svname,status,chkfail,chkdown,lastchg,check_status,check_code,check_duration,lbtot,stot,addr\n\
        fe0,FRONTEND,OPEN,,,,,,,,3,\n\
        be0,s0,UP,0,0,12,L7OK,200,1,2,2,10.9.0.2:80\n\
        be0,s1,DOWN,2,1,3,L4CON,,0,1,1,10.9.0.3:80\n\
        be0,failover,MAINT (resolution),0,0,12,,,,0,0,\n\
        be0,BACKEND,UP,,0,12,,,,3,3,\n";

    #[test]
    fn rows_and_backend_stats() {
        let rows = parse_show_stat(SAMPLE).unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[1].check_status, Some(CheckStatus::L7Ok));
        assert_eq!(rows[2].lastchg, Some(Duration::from_secs(3)));
        let mut config = LbConfig::new("x", vec![]);
        config.backends.push(dataplane::lb::Backend::new(
            "apps",
            dataplane::lb::Protocol::Http,
            80,
            vec!["10.9.0.2".parse().unwrap(), "10.9.0.3".parse().unwrap()],
        ));
        let stats = backend_stats(&rows, &config, Duration::from_secs(100));
        assert_eq!(
            stats[0].up(),
            vec!["10.9.0.2".parse::<std::net::IpAddr>().unwrap()]
        );
        let s1 = &stats[0].servers[1];
        assert_eq!(
            (s1.status, s1.failed_checks, s1.down_transitions),
            (ServerStatus::Down, 2, 1)
        );
        assert_eq!(s1.last_change, Duration::from_secs(97));
        assert_eq!(s1.server_state().as_str(), "stopped");
        assert!(parse_show_stat("Unknown command\n").is_err());
    }
}
