//! Dropping a PROXY protocol header (HAProxy's proxy-protocol.txt, v1 and v2) at the start of
//! a connection, and handing the rest of the bytes on.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The v1 header's start.
const V1: &[u8] = b"PROXY ";
/// The longest v1 header (the spec's 107 bytes, CRLF included).
const V1_MAX: usize = 107;
/// The v2 header's 12-byte signature.
const V2: &[u8] = b"\r\n\r\n\0\r\nQUIT\n";
/// The fixed part of a v2 header: signature, version/command, family, length.
const V2_FIXED: usize = 16;

/// A stream whose first bytes were already read: they are replayed before the rest.
pub(super) struct Prefixed {
    prefix: Vec<u8>,
    at: usize,
    inner: TcpStream,
}

/// Reads the start of `stream`; if it is a PROXY header, drops it. Returns the stream with
/// the bytes read past the header still to come.
pub(super) async fn strip_header(mut stream: TcpStream) -> io::Result<Prefixed> {
    let mut buf = Vec::with_capacity(256);
    loop {
        match header_len(&buf) {
            Decision::NeedMore => {}
            Decision::NoHeader => return Ok(Prefixed::new(buf, 0, stream)),
            Decision::Header(len) => return Ok(Prefixed::new(buf, len, stream)),
            Decision::Invalid => return Err(io::ErrorKind::InvalidData.into()),
        }
        let mut chunk = [0u8; 512];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Prefixed::new(buf, 0, stream));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Decision {
    NeedMore,
    NoHeader,
    Header(usize),
    Invalid,
}

/// Whether `buf` starts with a complete PROXY header, and how long it is.
fn header_len(buf: &[u8]) -> Decision {
    let could_be = |sig: &[u8]| {
        let n = buf.len().min(sig.len());
        buf.get(..n) == sig.get(..n)
    };
    if buf.is_empty() {
        return Decision::NeedMore;
    }
    if could_be(V1) {
        if buf.len() < V1.len() {
            return Decision::NeedMore;
        }
        return match buf.windows(2).position(|w| w == b"\r\n") {
            Some(end) if end + 2 <= V1_MAX => Decision::Header(end + 2),
            Some(_) => Decision::Invalid,
            None if buf.len() >= V1_MAX => Decision::Invalid,
            None => Decision::NeedMore,
        };
    }
    if could_be(V2) {
        let Some(fixed) = buf.get(..V2_FIXED) else {
            return Decision::NeedMore;
        };
        let len = usize::from(u16::from_be_bytes([fixed[14], fixed[15]]));
        return if buf.len() >= V2_FIXED + len {
            Decision::Header(V2_FIXED + len)
        } else {
            Decision::NeedMore
        };
    }
    Decision::NoHeader
}

impl Prefixed {
    fn new(prefix: Vec<u8>, at: usize, inner: TcpStream) -> Self {
        Prefixed { prefix, at, inner }
    }
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.prefix.get(this.at..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.at += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision, header_len};

    #[test]
    fn v1_v2_and_plain_http() {
        assert_eq!(header_len(b"GET / HTTP/1.1\r\n"), Decision::NoHeader);
        assert_eq!(header_len(b"PRO"), Decision::NeedMore);
        assert_eq!(
            header_len(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2"),
            Decision::NeedMore
        );
        let v1 = b"PROXY TCP4 10.1.0.5 172.16.4.10 40000 8080\r\nGET /";
        assert_eq!(header_len(v1), Decision::Header(v1.len() - 5));
        assert_eq!(header_len(&[b'P'; 200][..]), Decision::NoHeader);
        let mut long = b"PROXY ".to_vec();
        long.extend([b'x'; 120]);
        assert_eq!(header_len(&long), Decision::Invalid);
        // v2, PROXY command, TCP over IPv4, 12 bytes of addresses.
        let mut v2 = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c".to_vec();
        assert_eq!(header_len(&v2), Decision::NeedMore);
        v2.extend([10, 1, 0, 5, 172, 16, 4, 10, 0x9c, 0x40, 0x1f, 0x90]);
        v2.extend(b"GET");
        assert_eq!(header_len(&v2), Decision::Header(28));
    }
}
