//! The socket side of one connection: connecting, and a task that frames what it reads and
//! writes what it is given.
//!
//! It does not decode: the session task decodes each frame with the context the FSM has at that
//! moment, so a message that follows the OPEN is read under what the OPEN negotiated.

use super::BoxStream;
use crate::ConnectionId;
use bgp_wire::{Context, Notification, header};
use bytes::BytesMut;
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;

/// An open connection: TCP, or another stream (an in-memory pipe).
pub(crate) enum Socket {
    /// A TCP connection.
    Tcp(TcpStream),
    /// Any other byte stream.
    Other(BoxStream),
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Socket::Tcp(stream) => stream.fmt(f),
            Socket::Other(_) => f.write_str("Socket::Other"),
        }
    }
}

impl Socket {
    /// The peer's address, for logs (TCP only).
    pub(crate) fn peer_addr(&self) -> Option<SocketAddr> {
        match self {
            Socket::Tcp(stream) => stream.peer_addr().ok(),
            Socket::Other(_) => None,
        }
    }
}

/// What the socket tasks report to the session task.
#[derive(Debug)]
pub(crate) enum Io {
    /// An outgoing attempt completed.
    Connected(ConnectionId, Socket),
    /// An outgoing attempt failed.
    ConnectFailed(ConnectionId, io::Error),
    /// One whole message, header included.
    Frame(ConnectionId, Vec<u8>),
    /// The byte stream cannot be framed (bad marker, length or type): the NOTIFICATION to send.
    HeaderError(ConnectionId, Notification),
    /// The peer closed the connection or it failed.
    Closed(ConnectionId),
}

/// Framing accepts any length up to 65535: whether this session allows more than 4096 octets is
/// decided when the frame is decoded with the negotiated context (1/2 Bad Message Length).
const FRAMING: Context = Context {
    four_octet_as: true,
    add_path: bgp_wire::AddPath {
        ipv4: false,
        ipv6: false,
    },
    extended_message: true,
};

/// Connects to `peer`, from `local` when given.
pub(crate) async fn connect(peer: SocketAddr, local: Option<SocketAddr>) -> io::Result<TcpStream> {
    let socket = if peer.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(local) = local {
        socket.bind(local)?;
    }
    let stream = socket.connect(peer).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Runs one connection until the session drops `outgoing`: then writes what is still queued,
/// shuts the connection down and ends.
pub(crate) async fn run(
    id: ConnectionId,
    socket: Socket,
    io: mpsc::UnboundedSender<Io>,
    outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    match socket {
        Socket::Tcp(stream) => {
            let (reader, writer) = stream.into_split();
            run_halves(id, reader, writer, io, outgoing).await
        }
        Socket::Other(stream) => {
            let (reader, writer) = tokio::io::split(stream);
            run_halves(id, reader, writer, io, outgoing).await
        }
    }
}

async fn run_halves(
    id: ConnectionId,
    mut reader: impl AsyncRead + Unpin,
    mut writer: impl AsyncWrite + Unpin,
    io: mpsc::UnboundedSender<Io>,
    mut outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let mut buf = BytesMut::with_capacity(2 * header::MAX_LEN);
    let mut reading = true;
    let mut writing = true;
    loop {
        tokio::select! {
            message = outgoing.recv() => match message {
                Some(bytes) if writing => {
                    if writer.write_all(&bytes).await.is_err() {
                        writing = false;
                        if std::mem::take(&mut reading) {
                            let _ = io.send(Io::Closed(id));
                        }
                    }
                }
                Some(_) => {}
                None => {
                    if writing {
                        let _ = writer.shutdown().await;
                    }
                    return;
                }
            },
            read = reader.read_buf(&mut buf), if reading => match read {
                Ok(0) | Err(_) => {
                    reading = false;
                    let _ = io.send(Io::Closed(id));
                }
                Ok(_) => reading = deliver_frames(id, &mut buf, &io),
            },
        }
    }
}

/// Sends every whole message in `buf` on; false once the stream cannot be framed any more.
fn deliver_frames(id: ConnectionId, buf: &mut BytesMut, io: &mpsc::UnboundedSender<Io>) -> bool {
    loop {
        match header::frame(buf, &FRAMING) {
            Ok(Some(len)) => {
                let frame = buf.split_to(len);
                let _ = io.send(Io::Frame(id, frame.to_vec()));
            }
            Ok(None) => return true,
            Err(notification) => {
                let _ = io.send(Io::HeaderError(id, notification));
                buf.clear();
                return false;
            }
        }
    }
}
