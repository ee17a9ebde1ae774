//! # Trystero for Rust
//!
//! Serverless peer-to-peer rooms: peers of the same app and room find each other through public
//! networks that already exist (Nostr relays by default), then talk directly over WebRTC data
//! channels. Relays only ever see encrypted session descriptions. Wire-compatible with
//! [Trystero](https://github.com/dmotz/trystero) JS 0.25: a Rust peer and a browser or Node peer
//! can share a room.
//!
//! ```no_run
//! use trystero::{RoomConfig, RoomEvent, Json};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RoomConfig::builder("my-app").build()?;
//! let mut room = trystero::join_room(config, "lobby").await?;
//!
//! // Typed actions: serde types travel as JSON, `String` as text, `Vec<u8>` as bytes.
//! let mut chat = room.make_action::<String>("chat").await?;
//! chat.send(&"hello".to_owned(), None, None).await?;
//!
//! loop {
//!     tokio::select! {
//!         Some(event) = room.next_event() => match event {
//!             RoomEvent::PeerJoined(peer) => println!("{peer} joined"),
//!             RoomEvent::PeerLeft(peer) => println!("{peer} left"),
//!             _ => {}
//!         },
//!         Some(message) = chat.recv() => println!("{message:?}"),
//!     }
//! }
//! # }
//! ```
//!
//! - [`join_room`] joins with the default strategy (Nostr) and transport (WebRTC);
//!   [`nostr::join_room`] is the explicit form, and [`join_room_with`] takes transport options
//!   (e.g. loopback-only for offline use).
//! - Joining the same room twice returns another handle on it; every room of one process shares
//!   one peer id ([`self_id`]), and rooms of one app on the same relays share one connection per
//!   remote peer.
//! - [`relay`] hosts an embedded Nostr relay on 127.0.0.1, for offline and LAN use.
//!
//! This crate is the composition root: the only one that names concrete adapters
//! (`trystero-nostr`, `trystero-webrtc`). The protocol lives in `trystero-core`.

pub mod relay;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

pub use trystero_core::config::{IceServer, RelayConfig, RoomConfig, RoomConfigBuilder};
pub use trystero_core::id::{AppId, IdError, PeerId, RoomId};
pub use trystero_core::room::action::{
    Action, ActionData, ActionError, ActionEvent, IncomingRequest, Json, RequestAction,
};
pub use trystero_core::room::driver::{Room, RoomError, RoomSender, SendProgress};
pub use trystero_core::room::request::RequestError;
pub use trystero_core::room::{EngineConfig, RoomEvent};
pub use trystero_core::wire::{ActionType, JsonText, Payload, ReceivedMessage};
pub use trystero_webrtc::WebRtcConfig;

use trystero_core::room::driver::Instance;
use trystero_crypto::TrysteroKeys;
use trystero_nostr::NostrSignaler;
use trystero_webrtc::{TokioClock, WebRtcTransport};

/// Joining failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The room id is invalid (empty).
    #[error(transparent)]
    Id(#[from] IdError),
    /// The room could not be joined.
    #[error(transparent)]
    Room(#[from] RoomError),
}

/// How to reach peers, beyond the room configuration.
#[derive(Debug, Clone, Default)]
pub struct JoinOptions {
    /// WebRTC settings: use [`WebRtcConfig::loopback`] for peers on this machine only.
    pub webrtc: WebRtcConfig,
}

/// This process's peer id, shared by every room (Trystero's `selfId`).
///
/// # Panics
/// If the operating system provides no random bytes at all (no usable CSPRNG).
pub fn self_id() -> PeerId {
    static SELF_ID: OnceLock<PeerId> = OnceLock::new();
    *SELF_ID.get_or_init(|| PeerId::random().expect("the operating system provides random bytes"))
}

/// Joins `room` with Nostr signalling and WebRTC (the defaults). Must run inside a tokio
/// runtime.
pub async fn join_room(config: RoomConfig, room: &str) -> Result<Room, JoinError> {
    nostr::join_room(config, room).await
}

/// [`join_room`] with transport options.
pub async fn join_room_with(
    config: RoomConfig,
    room: &str,
    options: &JoinOptions,
) -> Result<Room, JoinError> {
    nostr::join_room_with(config, room, options).await
}

/// The Nostr strategy, by name.
pub mod nostr {
    use super::*;

    pub use trystero_nostr::{DEFAULT_REDUNDANCY, DEFAULT_RELAYS, relay_urls};

    /// Joins `room` through Nostr relays (`trystero/nostr`'s `joinRoom`).
    pub async fn join_room(config: RoomConfig, room: &str) -> Result<Room, JoinError> {
        join_room_with(config, room, &JoinOptions::default()).await
    }

    /// [`join_room`] with transport options.
    pub async fn join_room_with(
        config: RoomConfig,
        room: &str,
        options: &JoinOptions,
    ) -> Result<Room, JoinError> {
        let room_id = RoomId::new(room)?;
        let instance = instance_for(&config, options);
        let keys = TrysteroKeys::new(config.app_id(), &room_id, config.password());
        Ok(instance.join(config, Arc::new(keys)).await?)
    }

    /// One instance (relay connections, shared peer connections) per app id, relay list and
    /// WebRTC settings. Rooms of one app on the same relays share connections, as in JS; a
    /// room on other relays gets its own instance, so it announces where it was told to. An
    /// instance whose driver stopped (its tokio runtime was dropped) is replaced.
    fn instance_for(config: &RoomConfig, options: &JoinOptions) -> Instance {
        static INSTANCES: OnceLock<Mutex<HashMap<InstanceKey, Instance>>> = OnceLock::new();
        let mut relays = relay_urls(config);
        relays.sort();
        let key = InstanceKey {
            app: config.app_id().as_str().to_owned(),
            relays,
            webrtc: options.webrtc.clone(),
        };
        let mut instances = INSTANCES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        instances.retain(|_, instance| instance.is_running());
        instances
            .entry(key)
            .or_insert_with_key(|key| {
                let (instance, driver) = Instance::new(
                    self_id(),
                    NostrSignaler::connect(&key.relays),
                    WebRtcTransport::new(key.webrtc.clone()),
                    TokioClock::new(),
                    EngineConfig::default(),
                );
                tokio::spawn(driver);
                instance
            })
            .clone()
    }

    #[derive(PartialEq, Eq, Hash)]
    struct InstanceKey {
        app: String,
        relays: Vec<String>,
        webrtc: WebRtcConfig,
    }
}
