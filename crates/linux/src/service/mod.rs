//! A host's HTTP service, served for real inside the host's network namespace.
//!
//! `services = [{ port, http = { body, paths } }]` on a host: every path answers 200 with
//! `body`, the paths listed answer their status (with the same body) — exactly what the model
//! answers ([`HttpService`], shared with `dataplane::lb`).
//!
//! How: each [`HttpServer`] is one OS thread that enters the namespace
//! ([`Netns::enter_this_thread`], so its sockets live there), runs a single-threaded tokio runtime and serves HTTP/1.1 with hyper
//! on `[::]:port` (dual stack). [`HttpServer::stop`] drops the runtime: the listener and every
//! connection close, so the port refuses connections at once — what a stopped process does,
//! and what a health check must notice. Starting again is a new [`HttpServer`].
//!
//! A connection may begin with a PROXY protocol header (v1 or v2), as an LB backend with
//! `proxy_protocol` or `check_send_proxy` sends: it is read and dropped, like nginx's
//! `listen … proxy_protocol` would (a guess at what users put behind such a backend).
//!
//! ```no_run
//! use dataplane::lb::HttpService;
//! use linux::service::HttpServer;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = linux::Netns::create("app1")?;
//! let app = HttpServer::start(Some(&host), 8080, HttpService::new("app1").with_path("/health", 200))?;
//! app.stop();   // connections to :8080 are now refused
//! # Ok(()) }
//! ```

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::thread;

use bytes::Bytes;
use dataplane::lb::HttpService;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use thiserror::Error;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::Netns;

mod proxy;

/// What starting a service can fail with.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The namespace could not be entered.
    #[error("entering network namespace {netns:?}: {source}")]
    Netns {
        /// Its name.
        netns: String,
        /// The error.
        #[source]
        source: crate::Error,
    },
    /// The port could not be bound (in use …).
    #[error("binding TCP port {port}: {source}")]
    Bind {
        /// The port.
        port: u16,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The thread or its runtime could not be started.
    #[error("starting the service thread: {0}")]
    Thread(#[source] io::Error),
}

/// An HTTP service listening on a port; stopped when dropped.
#[derive(Debug)]
pub struct HttpServer {
    port: u16,
    /// Keeps the namespace alive while the service runs.
    _netns: Option<Netns>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// Connections the listener queues.
const BACKLOG: i32 = 1024;

impl HttpServer {
    /// Serves `service` on TCP `port` of namespace `netns` (the caller's if `None`); returns
    /// once the port is open.
    pub fn start(
        netns: Option<&Netns>,
        port: u16,
        service: HttpService,
    ) -> Result<Self, ServiceError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown, stop_rx) = oneshot::channel();
        let netns = netns.cloned();
        let inside = netns.clone();
        let thread = thread::Builder::new()
            .name(format!("http-{port}"))
            .spawn(move || serve_thread(inside, port, service, ready_tx, stop_rx))
            .map_err(ServiceError::Thread)?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(ServiceError::Thread(io::ErrorKind::BrokenPipe.into())));
        if let Err(e) = ready {
            let _ = thread.join();
            return Err(e);
        }
        tracing::debug!(port, "http service started");
        Ok(HttpServer {
            port,
            _netns: netns,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the service: once this returns, the port refuses connections.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
            tracing::debug!(port = self.port, "http service stopped");
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.halt();
    }
}

fn serve_thread(
    netns: Option<Netns>,
    port: u16,
    service: HttpService,
    ready: std::sync::mpsc::Sender<Result<(), ServiceError>>,
    stop: oneshot::Receiver<()>,
) {
    if let Some(netns) = &netns
        && let Err(source) = netns.enter_this_thread()
    {
        let _ = ready.send(Err(ServiceError::Netns {
            netns: netns.name().to_owned(),
            source,
        }));
        return;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(ServiceError::Thread(e)));
            return;
        }
    };
    runtime.block_on(async move {
        let listener = match bind(port) {
            Ok(listener) => listener,
            Err(source) => {
                let _ = ready.send(Err(ServiceError::Bind { port, source }));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        accept_until(listener, service, stop).await;
    });
    // Dropping the runtime drops every connection task: all sockets close here.
}

/// `[::]:port` accepting IPv4 too; IPv4 only where IPv6 is not available.
fn bind(port: u16) -> io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let v6 = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP)).and_then(|s| {
        s.set_only_v6(false)?;
        Ok(s)
    });
    let (socket, address) = match v6 {
        Ok(socket) => (socket, SocketAddr::from((Ipv6Addr::UNSPECIFIED, port))),
        Err(_) => (
            Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?,
            SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
        ),
    };
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    TcpListener::from_std(socket.into())
}

async fn accept_until(
    listener: TcpListener,
    service: HttpService,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(connection(stream, service.clone()));
                }
                Err(e) => tracing::debug!(error = %e, "accept"),
            },
        }
    }
}

async fn connection(stream: TcpStream, service: HttpService) {
    let stream = match proxy::strip_header(stream).await {
        Ok(stream) => stream,
        Err(e) => {
            tracing::debug!(error = %e, "PROXY header");
            return;
        }
    };
    let answer = move |request: Request<Incoming>| {
        let target = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let answer = service.answer(&target);
        let status =
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let response = Response::builder()
            .status(status)
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from(answer.body)));
        async move { response }
    };
    let io = hyper_util::rt::TokioIo::new(stream);
    if let Err(e) = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, hyper::service::service_fn(answer))
        .await
    {
        tracing::debug!(error = %e, "http connection");
    }
}
