//! The embedded Nostr relay: rust-nostr's `LocalRelay` on 127.0.0.1, so rooms work with no
//! internet (two terminals, a LAN, tests).
//!
//! We accept its connections ourselves, to turn Nagle's algorithm off on each (`LocalRelay`'s
//! own listener leaves it on): a relay forwards small messages, and with Nagle each event to a
//! subscriber waited for the subscriber's delayed ACK of the last one, about 40 ms a hop, most
//! of a join. The WebSocket upgrade is tungstenite's (`create_response`, `write_response`);
//! `LocalRelay::take_connection` then serves the upgraded stream.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use nostr_relay_builder::prelude::{LocalRelay, RelayBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::handshake::server::{create_response, write_response};
use tokio_tungstenite::tungstenite::http;

/// The longest upgrade request accepted (headers included).
const MAX_UPGRADE_REQUEST: usize = 16 << 10;
/// A client must send its upgrade request within this.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);
/// Open WebSocket connections at once; past that, `LocalRelay` refuses the next.
const MAX_CONNECTIONS: usize = 512;
/// Connections being upgraded at once; past that, the next waits in the listen backlog.
const MAX_UPGRADING: usize = 256;

/// The port `trystero --local` uses unless told otherwise.
pub const DEFAULT_LOCAL_PORT: u16 = 7777;

/// The relay could not be started.
#[derive(Debug, thiserror::Error)]
#[error("could not start the embedded relay on 127.0.0.1:{port}: {reason}")]
pub struct RelayError {
    /// The port asked for.
    pub port: u16,
    /// Why.
    pub reason: String,
}

/// A running embedded relay; it stops when dropped.
#[derive(Debug)]
pub struct EmbeddedRelay {
    relay: LocalRelay,
    url: String,
    accepting: tokio::task::JoinHandle<()>,
}

/// Reads a WebSocket upgrade request from `stream` and answers it (101); the stream is then a
/// WebSocket. The client sends no frame before our answer, so nothing past the request is read.
async fn upgrade(stream: &mut TcpStream) -> Result<(), String> {
    let mut request = Vec::with_capacity(1024);
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") {
        if request.len() >= MAX_UPGRADE_REQUEST {
            return Err("upgrade request too long".into());
        }
        // Byte by byte: a handful of small reads per connection, and never one byte too many.
        if stream.read(&mut byte).await.map_err(|e| e.to_string())? == 0 {
            return Err("closed before the upgrade request ended".into());
        }
        request.push(byte[0]);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    parsed.parse(&request).map_err(|e| e.to_string())?;
    let mut builder = http::Request::builder()
        .method(parsed.method.unwrap_or_default())
        .uri(parsed.path.unwrap_or_default())
        .version(if parsed.version == Some(1) {
            http::Version::HTTP_11
        } else {
            http::Version::HTTP_10 // refused by `create_response`
        });
    for header in parsed.headers.iter() {
        builder = builder.header(header.name, header.value);
    }
    let request = builder.body(()).map_err(|e| e.to_string())?;
    let response = create_response(&request).map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    write_response(&mut answer, &response).map_err(|e| e.to_string())?;
    stream.write_all(&answer).await.map_err(|e| e.to_string())
}

/// Accepts connections for `relay` until aborted: Nagle off, upgraded, then handed over.
async fn accept(listener: TcpListener, relay: LocalRelay) {
    let upgrading = Arc::new(Semaphore::new(MAX_UPGRADING));
    loop {
        let Ok(permit) = upgrading.clone().acquire_owned().await else {
            return;
        };
        let Ok((mut stream, peer)) = listener.accept().await else {
            // Out of file descriptors, say: try again shortly.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let relay = relay.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let upgraded = tokio::time::timeout(UPGRADE_TIMEOUT, upgrade(&mut stream)).await;
            drop(permit);
            match upgraded {
                Ok(Ok(())) => {
                    // At most `MAX_CONNECTIONS`: `LocalRelay` counts them.
                    if let Err(error) = relay.take_connection(stream, peer).await {
                        tracing::debug!(%peer, %error, "relay connection ended");
                    }
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "not a WebSocket upgrade"),
                Err(_) => tracing::debug!(%peer, "no upgrade request in time"),
            }
        });
    }
}

impl EmbeddedRelay {
    /// Starts a relay on 127.0.0.1 and `port` (0: any free port).
    pub async fn start(port: u16) -> Result<Self, RelayError> {
        Self::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST), port).await
    }

    /// Starts a relay on `address` and `port` (0: any free port): another address than
    /// loopback serves other hosts, as in the fault tests' simulated networks.
    pub async fn start_on(address: IpAddr, port: u16) -> Result<Self, RelayError> {
        let failed = |error: std::io::Error| RelayError {
            port,
            reason: error.to_string(),
        };
        let listener = TcpListener::bind((address, port)).await.map_err(failed)?;
        let bound = listener.local_addr().map_err(failed)?;
        // Not `run`: our listener accepts (see the module docs).
        let relay = LocalRelay::new(RelayBuilder::default().max_connections(MAX_CONNECTIONS));
        let accepting = tokio::spawn(accept(listener, relay.clone()));
        Ok(Self {
            relay,
            url: format!("ws://{bound}"),
            accepting,
        })
    }

    /// The relay's `ws://ADDRESS:PORT` URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the relay.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for EmbeddedRelay {
    fn drop(&mut self) {
        self.accepting.abort();
        self.relay.shutdown();
    }
}

/// The local relay on `port`: the one already running there, or a new embedded one. Returns the
/// URL and, if this call started it, the relay (keep it alive as long as it is needed).
pub async fn local_relay(port: u16) -> Result<(String, Option<EmbeddedRelay>), RelayError> {
    let url = format!("ws://127.0.0.1:{port}");
    if listening(port).await {
        return Ok((url, None));
    }
    match EmbeddedRelay::start(port).await {
        Ok(relay) => Ok((relay.url().to_owned(), Some(relay))),
        // Another process may have started one between our probe and our start (two terminals
        // launched together): use theirs.
        Err(error) => {
            for _ in 0..20 {
                if listening(port).await {
                    return Ok((url, None));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error)
        }
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
async fn listening(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let probe = tokio::time::timeout(Duration::from_millis(500), TcpStream::connect(address)).await;
    matches!(probe, Ok(Ok(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    #[tokio::test]
    async fn a_client_upgrades_and_subscribes() {
        let relay = EmbeddedRelay::start(0).await.unwrap();
        let (mut socket, response) = tokio_tungstenite::connect_async(relay.url()).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::SWITCHING_PROTOCOLS);
        socket
            .send(Message::text(r#"["REQ","s",{"kinds":[1]}]"#))
            .await
            .unwrap();
        let reply = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the relay answers")
            .unwrap()
            .unwrap();
        assert_eq!(reply.to_text().unwrap(), r#"["EOSE","s"]"#);
    }

    #[tokio::test]
    async fn what_is_not_an_upgrade_is_closed_unanswered() {
        let relay = EmbeddedRelay::start(0).await.unwrap();
        let address = relay.url().trim_start_matches("ws://").to_owned();
        let flood = format!(
            "GET / HTTP/1.1\r\n{}",
            "X-Pad: 0123456789\r\n".repeat(1_000)
        );
        for request in [
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
            "not http at all\r\n\r\n".to_owned(),
            // A whole upgrade, but HTTP/1.0.
            "GET / HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                .to_owned(),
            flood,
        ] {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            // The flood may be cut off by the close: what matters is the answer.
            let _ = stream.write_all(request.as_bytes()).await;
            let mut reply = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut reply))
                    .await
                    .expect("the relay closes the connection");
            assert!(
                read.is_err() || reply.is_empty(),
                "{:?} got {:?}",
                &request[..20],
                String::from_utf8_lossy(&reply)
            );
        }
        // The relay still serves.
        let (_socket, response) = tokio_tungstenite::connect_async(relay.url()).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::SWITCHING_PROTOCOLS);
    }
}
