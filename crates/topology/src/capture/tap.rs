//! The BGP message tap of `--capture` in memory: a [`Transport`] wrapped around the engine's
//! own, whose connections copy every whole BGP message they carry, with its direction and the
//! time, to the [`Recorder`]. The engine is not changed: its sessions open every connection
//! through the transport it was started with ([`engine::Engine::spawn_with`]), so wrapping that
//! transport sees exactly the octets the provider's side sent and received.
//!
//! Messages are framed by their header (marker, length) as they pass; a stream that stops
//! looking like BGP (a wrong marker, a length below 19) is no longer recorded, and a frame is
//! never longer than 65 535 octets (RFC 8654), so the tap's memory is bounded.

use super::Recorder;
use bgp_session::driver::{BoxStream, Connecting, Connector};
use engine::{Family, Transport};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Which way a message went, seen from the provider's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// The provider received it.
    Received,
    /// The provider sent it.
    Sent,
}

/// The engine's transport, with every connection tapped.
#[derive(Debug)]
pub struct Tapped {
    /// The transport the engine would have used.
    pub inner: Arc<dyn Transport>,
    /// Where the messages go.
    pub recorder: Arc<Recorder>,
}

impl Transport for Tapped {
    fn connector(&self, link: &str, family: Family) -> Arc<dyn Connector> {
        Arc::new(TappedConnector {
            inner: self.inner.connector(link, family),
            session: Arc::new((link.to_string(), family)),
            recorder: Arc::clone(&self.recorder),
        })
    }
}

#[derive(Debug)]
struct TappedConnector {
    inner: Arc<dyn Connector>,
    session: Arc<(String, Family)>,
    recorder: Arc<Recorder>,
}

impl Connector for TappedConnector {
    fn connect(&self) -> Connecting {
        let connecting = self.inner.connect();
        let (session, recorder) = (Arc::clone(&self.session), Arc::clone(&self.recorder));
        Box::pin(async move {
            let stream = connecting.await?;
            let tapped: BoxStream = Box::new(TapStream {
                inner: stream,
                received: Framer::default(),
                sent: Framer::default(),
                session,
                recorder,
            });
            Ok(tapped)
        })
    }
}

/// The longest BGP message (RFC 8654).
const MAX_MESSAGE: usize = 65_535;
/// A BGP header's length.
const HEADER: usize = 19;

/// Cuts a byte stream into whole BGP messages.
#[derive(Debug, Default)]
pub struct Framer {
    buffer: Vec<u8>,
    broken: bool,
}

impl Framer {
    /// Whether the stream stopped looking like BGP (nothing more comes out of it).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Takes the next octets; calls `emit` with each whole message they complete.
    pub fn feed(&mut self, octets: &[u8], mut emit: impl FnMut(&[u8])) {
        if self.broken {
            return;
        }
        self.buffer.extend_from_slice(octets);
        loop {
            let Some(header) = self.buffer.get(..HEADER) else {
                return;
            };
            let length = usize::from(u16::from_be_bytes([header[16], header[17]]));
            if header[..16] != [0xff; 16] || !(HEADER..=MAX_MESSAGE).contains(&length) {
                self.broken = true;
                self.buffer = Vec::new();
                return;
            }
            let Some(message) = self.buffer.get(..length) else {
                return;
            };
            emit(message);
            self.buffer.drain(..length);
        }
    }
}

struct TapStream {
    inner: BoxStream,
    received: Framer,
    sent: Framer,
    session: Arc<(String, Family)>,
    recorder: Arc<Recorder>,
}

impl AsyncRead for TapStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll
            && let Some(new) = buf.filled().get(before..)
        {
            let (session, recorder) = (&this.session, &this.recorder);
            this.received
                .feed(new, |m| recorder.message(session, Way::Received, m));
        }
        poll
    }
}

impl AsyncWrite for TapStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll
            && let Some(written) = buf.get(..*n)
        {
            let (session, recorder) = (&this.session, &this.recorder);
            this.sent
                .feed(written, |m| recorder.message(session, Way::Sent, m));
        }
        poll
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keepalive() -> Vec<u8> {
        [[0xff; 16].as_slice(), &[0, 19, 4]].concat()
    }

    #[test]
    fn messages_split_anywhere_come_out_whole() {
        let stream = [keepalive(), keepalive()].concat();
        for cut in 0..stream.len() {
            let mut f = Framer::default();
            let mut out = Vec::new();
            f.feed(&stream[..cut], |m| out.push(m.to_vec()));
            f.feed(&stream[cut..], |m| out.push(m.to_vec()));
            assert_eq!(out, [keepalive(), keepalive()], "cut at {cut}");
        }
    }

    #[test]
    fn a_stream_that_is_not_bgp_stops_being_recorded() {
        let mut f = Framer::default();
        let mut out = 0;
        f.feed(&[0u8; 40], |_| out += 1);
        f.feed(&keepalive(), |_| out += 1);
        assert_eq!(out, 0);
        let mut f = Framer::default();
        f.feed(&[[0xff; 16].as_slice(), &[0, 3, 4]].concat(), |_| out += 1);
        assert_eq!(out, 0);
        assert!(f.buffer.is_empty());
    }
}
