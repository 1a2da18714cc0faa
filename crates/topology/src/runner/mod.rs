//! The topology runner: brings a topology up in a running world ([`lab::bring_up`]), checks
//! its expectations and plays its steps ([`steps`]), and writes the report ([`report`]).
//!
//! - [`lab`]: the engine, the world, the API, the routers; [`resources`] and [`ovh`]: the
//!   provider resources, through the API in process ([`provision`]); [`customer`]: the
//!   customer's side (routers configured from what lands on their plug, hosts);
//! - [`expect`]: the checks; [`vrrp`]: OVH's VRRP step and expectation;
//! - [`on_runtime`]: the runtime a topology needs — embedded routers on a paused (virtual)
//!   clock in this thread; real daemons on a thread that has entered a fresh provider
//!   namespace, on the real clock.
//!
//! With embedded routers everything runs in this process on tokio's paused clock: the whole
//! quickstart takes a fraction of a second of real time, whatever its `within`s say.

pub mod customer;
pub mod error;
pub mod expect;
pub mod lab;
pub mod ovh;
pub mod provision;
pub mod report;
pub mod resources;
pub mod steps;
pub mod vrrp;

pub use error::{Result, RunError, Verdict, Why};
pub use lab::{Lab, Mode, bring_up};

/// Runs `job` on the runtime the topology needs: embedded routers on a paused (virtual) clock
/// on this thread; real daemons on a thread dedicated to this run that has entered a fresh
/// provider namespace (its sockets, and the threads it starts, live there), on the real clock.
/// Dropping the runtime at the end ends every session, router and relay task.
pub fn on_runtime<T, E, F>(
    real: bool,
    job: impl FnOnce(Mode) -> F + Send + 'static,
) -> std::result::Result<T, E>
where
    T: Send + 'static,
    E: From<RunError> + Send + 'static,
    F: std::future::Future<Output = std::result::Result<T, E>>,
{
    let refused =
        |what: &str, e: std::io::Error| E::from(RunError::Refused(format!("{what}: {e}")));
    if !real {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .map_err(|e| refused("starting the runtime", e))?;
        let result = runtime.block_on(job(Mode::Virtual));
        drop(runtime);
        return result;
    }
    let provider = linux::Netns::create("provider").map_err(|e| {
        E::from(RunError::Refused(format!(
            "creating the provider's network namespace (real daemons need root): {e}"
        )))
    })?;
    let thread = std::thread::Builder::new()
        .name("peerlab-up".to_string())
        .spawn(move || {
            provider
                .enter_this_thread()
                .map_err(|e| E::from(RunError::from(e)))?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| refused("starting the runtime", e))?;
            let result = runtime.block_on(job(Mode::Real { provider }));
            drop(runtime);
            result
        })
        .map_err(|e| refused("starting the runner's thread", e))?;
    thread
        .join()
        .map_err(|_| E::from(RunError::Refused("the runner's thread panicked".into())))?
}
