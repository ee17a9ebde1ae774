//! Rooms in process: the in-memory adapters of every port (an in-process relay, in-memory links
//! with bounded queues) behind the same [`Room`] API, for tests and for trying code without a
//! network. Everything else (the engine, the handshake, actions, requests, leaving) is the real
//! thing; only the relay and the transport are swapped.
//!
//! ```
//! use trystero::memory::Network;
//! use trystero::{PeerId, RoomConfig, RoomEvent};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let network = Network::new();
//! let config = RoomConfig::builder("doc-memory").build()?;
//! let (a, b) = (PeerId::random()?, PeerId::random()?);
//! let mut room_a = network.join_room(config.clone(), "lobby", a).await?;
//! let mut room_b = network.join_room(config, "lobby", b).await?;
//! let mut chat = room_a.make_action::<String>("chat").await?;
//! let chat_b = room_b.make_action::<String>("chat").await?;
//! // Each side sees the other once its half of the handshake is done; only then can it send
//! // to that peer.
//! for room in [&mut room_a, &mut room_b] {
//!     while !matches!(room.next_event().await, Some(RoomEvent::PeerJoined(_))) {}
//! }
//! chat_b.send(&"hi".to_owned()).to(a).await?;
//! assert_eq!(chat.recv().await.map(|m| m.value), Some("hi".to_owned()));
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use trystero_core::room::Instance;
use trystero_core::signaler::MemoryHub;
use trystero_core::transport::MemoryTransport;

use crate::{JoinError, PeerId, Room, RoomConfig, RoomId};

/// An in-process network: one relay and one transport that every peer joined through it shares.
/// Clone it to share it; peers of different networks never meet.
#[derive(Debug, Clone, Default)]
pub struct Network {
    hub: MemoryHub,
    transport: MemoryTransport,
    peers: Arc<Mutex<HashMap<PeerId, Instance>>>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Joins `room` as the local peer `peer` (its first join starts it, on the current tokio
    /// runtime). Rooms of one peer share its connections, as over the real network.
    pub async fn join_room(
        &self,
        config: RoomConfig,
        room: &str,
        peer: PeerId,
    ) -> Result<Room, JoinError> {
        let room_id = RoomId::new(room)?;
        let instance = {
            let mut peers = self.peers.lock().unwrap_or_else(PoisonError::into_inner);
            peers.retain(|_, instance| instance.is_running());
            peers
                .entry(peer)
                .or_insert_with(|| crate::spawn(peer, self.hub.connect(), self.transport.clone()))
                .clone()
        };
        let keys = crate::room_keys(&config, &room_id).await?;
        Ok(instance.join(config, Arc::new(keys)).await?)
    }
}
