//! `haproxy.cfg` from a [`LbConfig`]: the facts file's table (§4a), one line per API field.
//!
//! HAProxy names are positional — frontend `fe{i}`, backend `be{i}`, server `s{j}` (the
//! model's [`server_name`](dataplane::lb::server_name)) — so any API name renders safely; each
//! section starts with a comment giving the API's names. Strings that reach HAProxy (ACL
//! values, URIs, hosts) are quoted and escaped ([`quote`]); [`LbConfig::validate`] has already
//! refused control characters. Certificates become files beside the configuration.
//!
//! Choices where the sources are silent are said where they are made: the start-up interval,
//! the TCP content stage for TCP ACLs (the facts file's pitfall), the SNI wait rule, the
//! failover host as a backup server.

use std::fmt::Write as _;
use std::path::PathBuf;

use dataplane::lb::{ConfigError, LbConfig, SslCompatibilityLevel};

mod backend;
mod frontend;
mod syntax;

pub use syntax::quote;

/// A rendered LB: the configuration and the files it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// `haproxy.cfg`.
    pub config: String,
    /// Other files to write beside it (certificates), by absolute path.
    pub files: Vec<(PathBuf, String)>,
}

/// Where the rendered configuration lives and what it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The directory of this configuration's files (certificates).
    pub dir: PathBuf,
    /// The stats socket (admin level, `expose-fd listeners` for seamless reloads).
    pub stats_socket: PathBuf,
}

/// Renders `config` (validated first) for files under `layout`.
pub fn render(config: &LbConfig, layout: &Layout) -> Result<Rendered, ConfigError> {
    config.validate()?;
    let mut out = String::new();
    let mut files = Vec::new();
    // Writing into a String cannot fail; the `let _` keep clippy quiet about it.
    let _ = writeln!(
        out,
        "# peerlab: LB {:?}, rendered by linux::haproxy; do not edit.",
        config.name
    );
    global(&mut out, config, layout);
    for (i, fe) in config.frontends.iter().enumerate() {
        let mut certs = Vec::new();
        for cert in &fe.certificates {
            let path = layout.dir.join(format!("cert-{}.pem", files.len()));
            files.push((path.clone(), cert.pem.clone()));
            certs.push(path);
        }
        frontend::render(&mut out, config, i, fe, &certs);
    }
    for (i, be) in config.backends.iter().enumerate() {
        backend::render(&mut out, i, be);
    }
    Ok(Rendered { config: out, files })
}

fn global(out: &mut String, config: &LbConfig, layout: &Layout) {
    let min = match config.ssl_compatibility_level {
        SslCompatibilityLevel::Old => "TLSv1.0",
        SslCompatibilityLevel::Intermediate => "TLSv1.2",
        SslCompatibilityLevel::Modern => "TLSv1.3",
    };
    let _ = write!(
        out,
        "global\n    \
         stats socket {} mode 600 level admin expose-fd listeners\n    \
         # One thread: the LB's balancing order is global and deterministic.\n    \
         nbthread 1\n    \
         # Health-check events and access logs go to HAProxy's stderr, which peerlab keeps.\n    \
         log stderr format iso local0\n    \
         # ssl_compatibility_level\n    \
         ssl-default-bind-options ssl-min-ver {min}\n\
         defaults\n    \
         timeout client 30s\n    \
         timeout connect 5s\n    \
         timeout server 300s\n",
        quote(&layout.stats_socket.to_string_lossy()),
    );
}
