//! The recorder: a passive BGP endpoint on an address of this host that lets a daemon
//! connect, answers its OPEN and KEEPALIVEs, and keeps every message the
//! daemon sends, in order and byte for byte.
//!
//! One thread owns the TCP connection; the test thread waits on what it has
//! recorded with [`Recorder::wait_for`], always with a deadline.

use super::wire::{self, OpenParams};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a blocked read wakes up to check the stop flag and timers.
const POLL: Duration = Duration::from_millis(100);

/// What the connection thread has seen so far.
#[derive(Debug, Default)]
pub struct Recording {
    /// Every message received, whole (marker included), in arrival order.
    pub messages: Vec<Vec<u8>>,
    /// The connection is over: NOTIFICATION received, EOF or error.
    pub closed: bool,
    /// Why the connection ended, if not by a NOTIFICATION or a clean EOF.
    pub error: Option<String>,
}

struct Shared {
    recording: Mutex<Recording>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Recording> {
        self.recording.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut Recording)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }
}

/// A listening recorder; see the module documentation.
pub struct Recorder {
    /// Dropped once the daemon connected: one session per recorder.
    listener: Option<TcpListener>,
    addr: SocketAddr,
    params: OpenParams,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    /// Listens on `address` on a port chosen by the kernel.
    pub fn bind(address: Ipv4Addr, params: OpenParams) -> std::io::Result<Self> {
        let listener = TcpListener::bind((address, 0))?;
        listener.set_nonblocking(true)?;
        Ok(Recorder {
            addr: listener.local_addr()?,
            listener: Some(listener),
            params,
            shared: Arc::new(Shared {
                recording: Mutex::new(Recording::default()),
                changed: Condvar::new(),
                stop: AtomicBool::new(false),
            }),
            thread: None,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the daemon to connect, then hands the connection to the
    /// recording thread. `check` is polled meanwhile, so that a daemon that
    /// died is reported at once instead of at the deadline. Stops
    /// listening afterwards.
    pub fn accept(
        &mut self,
        timeout: Duration,
        mut check: impl FnMut() -> Result<(), String>,
    ) -> Result<SocketAddr, String> {
        let listener = self.listener.take().ok_or("the recorder accepts once")?;
        let deadline = Instant::now() + timeout;
        let (stream, peer) = loop {
            match listener.accept() {
                Ok(conn) => break conn,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(format!("accept failed: {e}")),
            }
            check()?;
            if Instant::now() >= deadline {
                return Err(format!("no connection to {} within {timeout:?}", self.addr));
            }
            thread::sleep(Duration::from_millis(20));
        };
        stream.set_nonblocking(false).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(POLL))
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let shared = Arc::clone(&self.shared);
        let params = self.params;
        self.thread = Some(thread::spawn(move || {
            Connection::new(stream, params, shared).run()
        }));
        Ok(peer)
    }

    /// Waits until `done` holds for the messages recorded so far. Fails at
    /// the deadline, or when the connection ends without `done` holding.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&[Vec<u8>]) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut rec = self.shared.lock();
        loop {
            if done(&rec.messages) {
                return Ok(());
            }
            if rec.closed {
                return Err(format!(
                    "connection ended while waiting for {what} ({}); {} messages recorded",
                    rec.error.as_deref().unwrap_or("closed by the daemon"),
                    rec.messages.len()
                ));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "timed out after {timeout:?} waiting for {what}; {} messages recorded",
                    rec.messages.len()
                ));
            }
            rec = self
                .shared
                .changed
                .wait_timeout(rec, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until the daemon sent a NOTIFICATION or closed the connection.
    pub fn wait_closed(&self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut rec = self.shared.lock();
        while !rec.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("connection still open after {timeout:?}"));
            }
            rec = self
                .shared
                .changed
                .wait_timeout(rec, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Ok(())
    }

    /// A copy of the messages recorded so far.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.shared.lock().messages.clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The recording thread's side of one accepted connection.
struct Connection {
    stream: TcpStream,
    params: OpenParams,
    shared: Arc<Shared>,
    buf: Vec<u8>,
    /// When we last sent a KEEPALIVE; `None` until our OPEN went out.
    last_keepalive: Option<Instant>,
}

impl Connection {
    fn new(stream: TcpStream, params: OpenParams, shared: Arc<Shared>) -> Self {
        Connection {
            stream,
            params,
            shared,
            buf: Vec::new(),
            last_keepalive: None,
        }
    }

    fn run(mut self) {
        let result = self.serve();
        self.shared.update(|rec| {
            rec.closed = true;
            rec.error = result.err();
        });
    }

    /// Reads until a NOTIFICATION, EOF, an error or the stop flag.
    fn serve(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 4096];
        while !self.shared.stop.load(Ordering::SeqCst) {
            self.keepalive_if_due()?;
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    continue;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read failed: {e}")),
            }
            while let Some(msg) = self.next_message()? {
                let kind = wire::kind(&msg);
                self.shared.update(|rec| rec.messages.push(msg));
                match kind {
                    wire::OPEN => self.answer_open()?,
                    wire::KEEPALIVE => self.send(&wire::keepalive())?,
                    wire::NOTIFICATION => return Ok(()),
                    _ => {}
                }
            }
        }
        Err("recorder stopped".into())
    }

    /// Cuts one whole message off the front of the buffer, if there is one.
    fn next_message(&mut self) -> Result<Option<Vec<u8>>, String> {
        if wire::announced_len(&self.buf).is_none() {
            return Ok(None);
        }
        let len = wire::check_header(&self.buf)?;
        if self.buf.len() < len {
            return Ok(None);
        }
        Ok(Some(self.buf.drain(..len).collect()))
    }

    fn answer_open(&mut self) -> Result<(), String> {
        if self.last_keepalive.is_some() {
            return Err("second OPEN on one connection".into());
        }
        self.send(&wire::open(&self.params))?;
        self.send(&wire::keepalive())
    }

    /// Keeps the daemon's hold timer happy even if it sends no KEEPALIVE.
    fn keepalive_if_due(&mut self) -> Result<(), String> {
        let interval = Duration::from_secs(u64::from(self.params.hold_time / 3).max(1));
        match self.last_keepalive {
            Some(at) if at.elapsed() >= interval => self.send(&wire::keepalive()),
            _ => Ok(()),
        }
    }

    fn send(&mut self, msg: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(msg)
            .map_err(|e| format!("write failed: {e}"))?;
        if wire::kind(msg) == wire::KEEPALIVE {
            self.last_keepalive = Some(Instant::now());
        }
        Ok(())
    }
}
