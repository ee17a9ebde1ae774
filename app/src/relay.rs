//! The embedded Nostr relay: rust-nostr's `LocalRelay` on 127.0.0.1, so rooms work with no
//! internet (two terminals, a LAN, tests).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use nostr_relay_builder::prelude::{LocalRelay, RelayBuilder};

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
}

impl EmbeddedRelay {
    /// Starts a relay on 127.0.0.1 and `port` (0: any free port).
    pub async fn start(port: u16) -> Result<Self, RelayError> {
        Self::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST), port).await
    }

    /// Starts a relay on `address` and `port` (0: any free port): another address than
    /// loopback serves other hosts, as in the fault tests' simulated networks.
    pub async fn start_on(address: IpAddr, port: u16) -> Result<Self, RelayError> {
        let mut builder = RelayBuilder::default().addr(address);
        if port != 0 {
            builder = builder.port(port);
        }
        let relay = LocalRelay::new(builder);
        relay.run().await.map_err(|error| RelayError {
            port,
            reason: error.to_string(),
        })?;
        let url = relay
            .url()
            .await
            .to_string()
            .trim_end_matches('/')
            .to_owned();
        Ok(Self { relay, url })
    }

    /// The relay's `ws://ADDRESS:PORT` URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the relay.
    pub fn shutdown(self) {
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
    let probe = tokio::time::timeout(
        Duration::from_millis(500),
        tokio::net::TcpStream::connect(address),
    )
    .await;
    matches!(probe, Ok(Ok(_)))
}
