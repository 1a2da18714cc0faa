//! `peerlab serve`: the Scaleway-compatible API (InterLink, IPAM) and the OVH-compatible API
//! (`/1.0`: OVHcloud Connect, vRack), with the BGP engine behind them.
//!
//! Without `--config`, the built-in demo catalogue, owned by the project `serve` acts as:
//! `--project-id P` gives the demo project's connections, VPC and token to P
//! ([`demo::owned_by`]), so a user who copies their own profile (their project ID, a token of
//! their own) sees the demo; the `other` project stays apart. `--token` / `--project-id` add an
//! API token (for the given project, else the demo project); what was not given is chosen and
//! printed on stdout as `token: …` / `project_id: …` lines, followed by `listening: http://…`.
//! With `--config`, the file's projects own what it declares, and `--project-id` only adds a
//! token.
//!
//! `--tls` serves HTTPS on a certificate it makes (its CA printed as `ca_certificate: PATH`),
//! `--tls-cert FILE --tls-key FILE` on the user's own; `listening: https://…` then
//! ([`api::tls`]).
//!
//! `--state FILE` makes every acknowledged write durable in `FILE`, and a restart on the same
//! file comes back with every resource and their BGP sessions (see [`world::persistence`] and
//! [`world::store`]: the file, a SQLite database, wins for resources; the catalogue only gives
//! projects and tokens). A JSON state of an earlier version is migrated; a corrupt, foreign or
//! unreadable file is an error. So the demo's resources keep the owner they had when the file
//! was created: restart with the same `--project-id` to see them again.
//!
//! OVH's API (`/1.0/…`) takes signed requests: `--ovh-application-key`,
//! `--ovh-application-secret` and `--ovh-consumer-key` give the credentials to accept (beside
//! the catalogue's); what is not given is generated and printed as `ovh_application_key: …`,
//! `ovh_application_secret: …`, `ovh_consumer_key: …`. `--ovh-task-secs` sets how long OVH
//! tasks take.
//!
//! The config file may also bind provider ports to local interfaces (`[[bindings]]`, see
//! [`world::bindings`]): the world's kernel renderer then puts the provider's side on them.
//! `bindings` is taken out before the rest is read as the catalogue.
//!
//! `GET /peerlab/v1/trace?from=…&to=…` (admin token) answers `peerlab trace --server`.

use anyhow::{Context, Result};
use provider::catalogue::ovh::OvhCredentialSpec;
use provider::catalogue::{Catalogue, ProjectSpec, demo};
use std::net::SocketAddr;
use std::path::PathBuf;
use uuid::Uuid;
use world::bindings::{self, BindingSpec};

/// `peerlab serve` arguments.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// An API token (`X-Auth-Token`, the SDK's secret key) to accept; chosen if absent.
    #[arg(long)]
    pub token: Option<String>,
    /// The project the token acts as; the demo project if absent. Without `--config`, the demo
    /// catalogue belongs to it.
    #[arg(long)]
    pub project_id: Option<Uuid>,
    /// A catalogue file (TOML, or JSON when it ends in `.json`); the demo catalogue if absent.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A state file (SQLite): every write is saved there before it is answered, and it is loaded
    /// on start (created from the catalogue if missing; a JSON state of an earlier version is
    /// migrated, and kept as FILE.v1.json).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The OVH application key (`X-Ovh-Application`) to accept; generated if absent.
    #[arg(long)]
    pub ovh_application_key: Option<String>,
    /// The OVH application secret signatures are made with; generated if absent.
    #[arg(long)]
    pub ovh_application_secret: Option<String>,
    /// The OVH consumer key (`X-Ovh-Consumer`) to accept; generated if absent.
    #[arg(long)]
    pub ovh_consumer_key: Option<String>,
    /// How long an OVHcloud Connect task takes from `todo` to `done`, in seconds (default: the
    /// catalogue's `settings.ovh_task_secs`, 2).
    #[arg(long, value_name = "SECS")]
    pub ovh_task_secs: Option<u64>,
    /// Listen with TLS (HTTPS) on a certificate serve makes for `localhost` and the listen
    /// address; the CA certificate to trust is written to the file printed as
    /// `ca_certificate: …`.
    #[arg(long)]
    pub tls: bool,
    /// Listen with TLS on this certificate chain (PEM) instead (with `--tls-key`).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// Reads the catalogue (resolved: the demo entries included unless it says otherwise).
#[cfg(test)]
fn load_catalogue(config: Option<&PathBuf>) -> Result<Catalogue> {
    load_config(config, None).map(|(catalogue, _)| catalogue)
}

/// Reads the catalogue (resolved: the demo entries included unless it says otherwise) and the
/// bindings of the config file. Without a file, the demo catalogue, owned by `owner` when given.
fn load_config(
    config: Option<&PathBuf>,
    owner: Option<Uuid>,
) -> Result<(Catalogue, Vec<BindingSpec>)> {
    let Some(path) = config else {
        let catalogue = owner.map_or_else(demo::catalogue, demo::owned_by);
        return Ok((catalogue.resolved(), Vec::new()));
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let at = || format!("{}", path.display());
    let (catalogue, bindings): (Catalogue, Option<Vec<BindingSpec>>) =
        if path.extension().is_some_and(|e| e == "json") {
            let mut value: serde_json::Value = serde_json::from_str(&text).with_context(at)?;
            let bindings = value.as_object_mut().and_then(|o| o.remove("bindings"));
            let bindings = bindings
                .map(serde_json::from_value)
                .transpose()
                .with_context(|| format!("{}: bindings", path.display()))?;
            (serde_json::from_value(value).with_context(at)?, bindings)
        } else {
            let mut table: toml::Table = toml::from_str(&text).with_context(at)?;
            let bindings = table
                .remove("bindings")
                .map(toml::Value::try_into)
                .transpose()
                .with_context(|| format!("{}: bindings", path.display()))?;
            (table.try_into().with_context(at)?, bindings)
        };
    Ok((catalogue.resolved(), bindings.unwrap_or_default()))
}

/// Adds `token` to `project_id` (a new project of the first organization if unknown).
fn add_token(catalogue: &mut Catalogue, project_id: Uuid, token: &str) {
    if let Some(p) = catalogue.projects.iter_mut().find(|p| p.id == project_id) {
        if !p.tokens.iter().any(|t| t == token) {
            p.tokens.push(token.to_string());
        }
        return;
    }
    let organization_id = catalogue
        .projects
        .first()
        .map_or(demo::DEMO_ORGANIZATION_ID, |p| p.organization_id);
    catalogue.projects.push(ProjectSpec {
        id: project_id,
        organization_id,
        name: format!("project-{project_id}"),
        tokens: vec![token.to_string()],
    });
}

/// A fresh token (a UUID, as the SDKs require), from the clock and the process ID.
fn fresh_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    provider::ids::stable_uuid("peerlab-token", &format!("{nanos}-{}", std::process::id()))
        .to_string()
}

/// The token and project to print, after adding them to the catalogue.
fn choose_credentials(catalogue: &mut Catalogue, args: &ServeArgs) -> (String, Uuid) {
    let project_id = args
        .project_id
        .or_else(|| catalogue.projects.first().map(|p| p.id))
        .unwrap_or(demo::DEMO_PROJECT_ID);
    let token = match &args.token {
        Some(t) => t.clone(),
        None => catalogue
            .projects
            .iter()
            .find(|p| p.id == project_id)
            .and_then(|p| p.tokens.first().cloned())
            .unwrap_or_else(fresh_token),
    };
    add_token(catalogue, project_id, &token);
    (token, project_id)
}

/// A fresh secret of `len` hex digits (at most 32), from the clock, the process ID and `what`.
fn fresh_secret(what: &str, len: usize) -> String {
    let mut hex = fresh_token().replace('-', "");
    hex = provider::ids::stable_uuid(what, &hex).simple().to_string();
    hex.truncate(len);
    hex
}

/// The OVH credentials to print, after adding them to the catalogue: those given, the missing
/// ones generated.
fn choose_ovh_credentials(catalogue: &mut Catalogue, args: &ServeArgs) -> OvhCredentialSpec {
    let spec = OvhCredentialSpec {
        application_key: args
            .ovh_application_key
            .clone()
            .unwrap_or_else(|| fresh_secret("ovh-application-key", 16)),
        application_secret: args
            .ovh_application_secret
            .clone()
            .unwrap_or_else(|| fresh_secret("ovh-application-secret", 32)),
        consumer_key: args
            .ovh_consumer_key
            .clone()
            .unwrap_or_else(|| fresh_secret("ovh-consumer-key", 32)),
    };
    catalogue.ovh_connect.credentials.push(spec.clone());
    spec
}

/// Runs the server until Ctrl-C.
pub fn serve(args: &ServeArgs) -> Result<bool> {
    let (mut catalogue, binding_specs) = load_config(args.config.as_ref(), args.project_id)?;
    let bindings = bindings::resolve(&catalogue, &binding_specs)?;
    let (token, project_id) = choose_credentials(&mut catalogue, args);
    let ovh = choose_ovh_credentials(&mut catalogue, args);
    if let Some(secs) = args.ovh_task_secs {
        catalogue.settings.ovh_task_secs = secs;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        let persistence: Option<Box<dyn world::Persistence>> = args
            .state
            .as_ref()
            .map(|path| Box::new(world::persistence::StateFile::new(path)) as _);
        let world = world::World::start(world::Config {
            catalogue: catalogue.clone(),
            engine: engine::Engine::spawn(),
            clock: std::sync::Arc::new(world::now),
            persistence,
        })
        .context("cannot start")?;
        let app = api::App::new(world.clone(), &catalogue);
        let _ticker = world.spawn_ticker(std::time::Duration::from_secs(1));
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        let tls = tls_of(args, addr)?;
        // Bindings: the provider's side rendered into this namespace's kernel.
        let mut kept = Vec::new();
        if !bindings.is_empty() {
            let here = linux::Netns::current();
            world.set_renderer(std::sync::Arc::new(linux::render::Kernels::new(here)));
            let attached = bindings.clone();
            world
                .attach(move |a| a.plugged.extend(attached))
                .await
                .context("attaching the bindings")?;
            kept.push(world.spawn_renderer(std::time::Duration::from_secs(1)));
            kept.push(linux::render::lights::spawn(world.clone(), &bindings));
            kept.push(report_render_errors(world.clone()));
        }
        println!("token: {token}");
        println!("project_id: {project_id}");
        println!("ovh_application_key: {}", ovh.application_key);
        println!("ovh_application_secret: {}", ovh.application_secret);
        println!("ovh_consumer_key: {}", ovh.consumer_key);
        if let Some(ca) = tls.as_ref().and_then(|t| t.ca_file.as_ref()) {
            println!("ca_certificate: {}", ca.display());
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("listening: {scheme}://{addr}");
        let router = api::router(app);
        let failed = world.clone();
        let stop = async move {
            tokio::select! {
                () = shutdown_signal() => {}
                why = failed.failed() => eprintln!("peerlab: {why}"),
            }
        };
        let served = match &tls {
            Some(tls) => api::tls::serve(listener.into_std()?, tls, router, stop)
                .await
                .map_err(anyhow::Error::from),
            None => axum::serve(listener, router)
                .with_graceful_shutdown(stop)
                .await
                .context("server failed"),
        };
        if let Some(dir) = tls
            .and_then(|t| t.ca_file)
            .and_then(|f| f.parent().map(Into::into))
        {
            let _ = std::fs::remove_dir_all::<PathBuf>(dir);
        }
        // Stopping the renderer and dropping the world deletes the interfaces it made.
        for task in kept {
            task.abort();
            let _ = task.await;
        }
        world.clear_renderer();
        served?;
        Ok(true)
    })
}

/// The TLS configuration `serve` listens with on `addr`, if any (see [`crate::tls`]): the
/// user's `--tls-cert`/`--tls-key`, or with `--tls` one it makes, its CA written in a directory
/// of its own under the temporary directory (removed on the way out).
fn tls_of(args: &ServeArgs, addr: SocketAddr) -> Result<Option<api::tls::Tls>> {
    let own = args.tls_cert.as_deref().zip(args.tls_key.as_deref());
    if !args.tls && own.is_none() {
        return Ok(None);
    }
    let dir = std::env::temp_dir().join(format!("peerlab-serve-{}", std::process::id()));
    Ok(Some(api::tls::configure(own, addr, &dir)?))
}

/// Says on stderr when rendering into the kernel starts failing (the binding cannot be made:
/// no such interface, a name too long…) and when it works again; the world retries meanwhile.
fn report_render_errors(world: world::World) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last: Option<String> = None;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let Ok(now) = world.read(|s| s.live.render_error.clone()).await else {
                return;
            };
            if now != last {
                match &now {
                    Some(e) => eprintln!("peerlab: bindings: {e} (retrying)"),
                    None => eprintln!("peerlab: bindings: rendered"),
                }
                last = now;
            }
        }
    })
}

/// Resolves at Ctrl-C (SIGINT) or SIGTERM, so that `kill`, systemd and container runtimes stop
/// `serve` as cleanly as Ctrl-C does: bound interfaces are deleted on the way out. A signal that
/// cannot be watched never fires.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::catalogue::Principal;

    fn args(token: Option<&str>, project_id: Option<Uuid>) -> ServeArgs {
        ServeArgs {
            listen: "127.0.0.1:0".parse().unwrap(),
            token: token.map(str::to_string),
            project_id,
            config: None,
            state: None,
            ovh_application_key: None,
            ovh_application_secret: None,
            ovh_consumer_key: None,
            ovh_task_secs: None,
            tls: false,
            tls_cert: None,
            tls_key: None,
        }
    }

    #[test]
    fn ovh_credentials_are_those_given_or_generated() {
        let mut c = load_catalogue(None).unwrap();
        let mut a = args(None, None);
        a.ovh_application_key = Some("app".into());
        let given = choose_ovh_credentials(&mut c, &a);
        assert_eq!(given.application_key, "app");
        assert_eq!(given.application_secret.len(), 32);
        assert_eq!(given.consumer_key.len(), 32);
        assert_ne!(given.application_secret, given.consumer_key);
        assert_eq!(
            c.ovh_connect.secret("app", &given.consumer_key),
            Some(given.application_secret.as_str())
        );
        // The demo credentials still work.
        assert!(
            c.ovh_connect
                .knows_application(provider::catalogue::ovh::DEMO_APPLICATION_KEY)
        );
    }

    #[test]
    fn defaults_to_the_demo_project_and_its_token() {
        let mut c = load_catalogue(None).unwrap();
        let (token, project) = choose_credentials(&mut c, &args(None, None));
        assert_eq!(project, demo::DEMO_PROJECT_ID);
        assert_eq!(token, demo::DEMO_SECRET_KEY);
    }

    #[test]
    fn a_given_token_acts_as_the_given_project() {
        let mut c = load_catalogue(None).unwrap();
        let p = Uuid::from_u128(42);
        let (token, project) = choose_credentials(&mut c, &args(Some("t-1"), Some(p)));
        assert_eq!((token.as_str(), project), ("t-1", p));
        assert!(matches!(c.principal("t-1"), Some(Principal::Project(me)) if me.project_id == p));
        // The demo tokens still work.
        assert!(c.principal(demo::DEMO_SECRET_KEY).is_some());
        assert!(provider::interlink::InterLink::new(&c, world::now()).is_ok());
    }

    #[test]
    fn without_config_the_demo_belongs_to_the_given_project() {
        let mine = Uuid::from_u128(0x5eed);
        let (mut c, _) = load_config(None, Some(mine)).unwrap();
        let (token, project) = choose_credentials(&mut c, &args(Some("my-own"), Some(mine)));
        assert_eq!((token.as_str(), project), ("my-own", mine));
        let me = match c.principal("my-own") {
            Some(Principal::Project(me)) => me,
            other => panic!("{other:?}"),
        };
        assert!(provider::interlink::InterLink::new(&c, world::now()).is_ok());
        let model = provider::interlink::InterLink::new(&c, api::now()).unwrap();
        let listed = model
            .list_dedicated_connections(provider::Region::FrPar, &me, &Default::default())
            .unwrap();
        assert_eq!(listed.total_count, 2);
        // `other` still sees nothing of it.
        let Some(Principal::Project(other)) = c.principal(demo::OTHER_SECRET_KEY) else {
            panic!("no other project");
        };
        let listed = model
            .list_dedicated_connections(provider::Region::FrPar, &other, &Default::default())
            .unwrap();
        assert_eq!(listed.total_count, 0);
    }

    #[test]
    fn a_new_project_without_token_gets_a_fresh_one() {
        let mut c = load_catalogue(None).unwrap();
        let p = Uuid::from_u128(43);
        let (token, _) = choose_credentials(&mut c, &args(None, Some(p)));
        assert!(token.parse::<Uuid>().is_ok());
        assert!(c.principal(&token).is_some());
    }

    #[test]
    fn config_files_in_json_and_toml_add_to_the_demo() {
        let dir = std::env::temp_dir().join(format!("peerlab-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("c.json");
        std::fs::write(
            &json,
            r#"{"dedicated_connections": [{"name": "x1", "pop": "DC2", "bandwidth_mbps": 10000}]}"#,
        )
        .unwrap();
        let toml_file = dir.join("c.toml");
        std::fs::write(
            &toml_file,
            "[[dedicated_connections]]\nname = \"x2\"\npop = \"TH2\"\nbandwidth_mbps = 1000\n",
        )
        .unwrap();
        for (path, name) in [(json, "x1"), (toml_file, "x2")] {
            let c = load_catalogue(Some(&path)).unwrap();
            assert!(c.dedicated_connections.iter().any(|d| d.name == name));
            assert!(c.principal(demo::DEMO_SECRET_KEY).is_some());
            assert!(provider::interlink::InterLink::new(&c, world::now()).is_ok());
        }
        assert!(load_catalogue(Some(&dir.join("missing.toml"))).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bindings_are_read_from_toml_and_json_and_checked() {
        let dir = std::env::temp_dir().join(format!("peerlab-bind-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml_file = dir.join("b.toml");
        std::fs::write(
            &toml_file,
            "[[bindings]]\nconnection = \"demo-dc2-10g\"\ninterface = \"veth0\"\n",
        )
        .unwrap();
        let json = dir.join("b.json");
        std::fs::write(
            &json,
            r#"{"bindings": [{"connection": "demo-dc2-10g", "interface": "veth0"}]}"#,
        )
        .unwrap();
        for path in [&toml_file, &json] {
            let (c, specs) = load_config(Some(path), None).unwrap();
            assert_eq!(specs.len(), 1);
            let attached = bindings::resolve(&c, &specs).unwrap();
            assert_eq!(attached.len(), 1);
            assert_eq!(attached[0].device.as_deref(), Some("veth0"));
        }
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[[bindings]]\nconnection = \"x\"\nport = \"veth0\"\n").unwrap();
        assert!(load_config(Some(&bad), None).is_err());
        let unknown = dir.join("unknown.toml");
        std::fs::write(
            &unknown,
            "[[bindings]]\nconnection = \"x\"\ninterface = \"a\"\n",
        )
        .unwrap();
        let (c, specs) = load_config(Some(&unknown), None).unwrap();
        assert!(bindings::resolve(&c, &specs).is_err());
        let ovh = dir.join("ovh.toml");
        std::fs::write(
            &ovh,
            "[[bindings]]\novh_service = \"0c0c0000-0000-4000-8000-0000000000a1\"\n\
             ovh_interface = 9001\ninterface = \"veth1\"\n",
        )
        .unwrap();
        let (c, specs) = load_config(Some(&ovh), None).unwrap();
        let attached = bindings::resolve(&c, &specs).unwrap();
        assert!(matches!(
            attached.as_slice(),
            [a] if matches!(a.plug, world::attachment::Plug::OvhInterface { interface_id: 9001 })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
