//! The socket side of one connection: connecting, and a task that frames what it reads and
//! writes what it is given.
//!
//! It does not decode: the session task decodes each frame with the context the FSM has at that
//! moment, so a message that follows the OPEN is read under what the OPEN negotiated.

use crate::ConnectionId;
use bgp_wire::{Context, Notification, header};
use bytes::BytesMut;
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;

/// What the socket tasks report to the session task.
#[derive(Debug)]
pub(crate) enum Io {
    /// An outgoing attempt completed.
    Connected(ConnectionId, TcpStream),
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
    stream: TcpStream,
    io: mpsc::UnboundedSender<Io>,
    mut outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let (mut reader, mut writer) = stream.into_split();
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
