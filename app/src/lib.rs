//! # Trystero for Rust
//!
//! Serverless peer-to-peer rooms: peers of the same app and room find each other through public
//! networks that already exist (Nostr relays by default), then talk directly over WebRTC data
//! channels. Relays only ever see encrypted session descriptions. Wire-compatible with
//! [Trystero](https://github.com/dmotz/trystero) JS 0.25: a Rust peer and a browser or Node peer
//! can share a room.
//!
//! ```no_run
//! use trystero::{RoomConfig, RoomEvent};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RoomConfig::builder("my-app").build()?;
//! let mut room = trystero::join_room(config, "lobby").await?;
//!
//! // Typed actions: serde types travel as JSON (`Json<T>`), `String` as text, `Vec<u8>` as
//! // bytes. Sends are builders that are awaited.
//! let mut chat = room.make_action::<String>("chat").await?;
//! chat.send(&"hello".to_owned()).await?;
//!
//! loop {
//!     tokio::select! {
//!         Some(event) = room.next_event() => match event {
//!             RoomEvent::PeerJoined(peer) => {
//!                 chat.send(&"welcome".to_owned()).to(peer).await?;
//!             }
//!             RoomEvent::PeerLeft(peer) => println!("{peer} left"),
//!             _ => {}
//!         },
//!         Some(message) = chat.recv() => println!("{}: {}", message.peer, message.value),
//!     }
//! }
//! # }
//! ```
//!
//! - [`join_room`] joins with the default strategy (Nostr) and transport (WebRTC);
//!   [`nostr::join_room`], [`mqtt::join_room`] and [`torrent::join_room`] name the strategy, and
//!   [`join_room_with`] takes [`JoinOptions`] (strategy, loopback-only WebRTC for offline use, a
//!   local peer id of its own). [`memory`] runs rooms in process, for tests.
//! - Sending: `action.send(&value)` with `.to(peer)`, `.meta(json)` and
//!   `.progress(|peer, fraction| ..)`, then `.await` ([`Sending`] says exactly when it
//!   resolves). Receiving: `while let Some(message) = action.recv().await`.
//! - Request/response: [`Room::make_request_action`]; `ask.request(&value, peer).await` and
//!   `serve.recv()` then [`IncomingRequest::respond`].
//! - [`Room::leave`] resolves once every peer has what was sent to it.
//! - Joining the same room twice returns another handle on it; every room of one process shares
//!   one peer id ([`self_id`]), and rooms of one app on the same relays share one connection per
//!   remote peer.
//! - [`relay`] hosts an embedded Nostr relay on 127.0.0.1, for offline and LAN use.
//!
//! ## Actions
//!
//! A typed action per kind of message; sends are awaited builders, receiving is a loop. Here
//! on the in-process [`memory`] network, so it runs anywhere; over the real network only the
//! join differs.
//!
//! ```
//! use trystero::memory::Network;
//! use trystero::{Json, PeerId, RoomConfig};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Move { x: i32, y: i32 }
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let network = Network::new();
//! let config = RoomConfig::builder("doc-actions").build()?;
//! let (a, b) = (PeerId::random()?, PeerId::random()?);
//! let room_a = network.join_room(config.clone(), "arena", a).await?;
//! let room_b = network.join_room(config, "arena", b).await?;
//! let moves = room_a.make_action::<Json<Move>>("move").await?;
//! let mut moves_b = room_b.make_action::<Json<Move>>("move").await?;
//! # let (mut room_a, mut room_b) = (room_a, room_b);
//! # for room in [&mut room_a, &mut room_b] {
//! #     while !matches!(room.next_event().await, Some(trystero::RoomEvent::PeerJoined(_))) {}
//! # }
//!
//! moves
//!     .send(&Json(Move { x: 1, y: 2 }))
//!     .to(b)
//!     .meta(serde_json::json!({"turn": 7}))
//!     .progress(|peer, fraction| println!("{peer}: {:.0} %", fraction * 100.0))
//!     .await?;
//!
//! let message = moves_b.recv().await.expect("the room is joined");
//! assert_eq!(message.value, Json(Move { x: 1, y: 2 }));
//! assert_eq!(message.peer, a);
//! assert_eq!(message.metadata.map(|m| m.get().to_owned()), Some(r#"{"turn":7}"#.to_owned()));
//! # Ok(())
//! # }
//! ```
//!
//! ## Request/response
//!
//! ```
//! use trystero::memory::Network;
//! use trystero::{Json, PeerId, RequestError, RoomConfig};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let network = Network::new();
//! let config = RoomConfig::builder("doc-requests").build()?;
//! let (a, b) = (PeerId::random()?, PeerId::random()?);
//! let mut room_a = network.join_room(config.clone(), "rpc", a).await?;
//! let room_b = network.join_room(config, "rpc", b).await?;
//! let ask = room_a.make_request_action::<Json<u32>, Json<u32>>("double").await?;
//! let mut serve = room_b.make_request_action::<Json<u32>, Json<u32>>("double").await?;
//! # let mut room_b = room_b;
//! # for room in [&mut room_a, &mut room_b] {
//! #     while !matches!(room.next_event().await, Some(trystero::RoomEvent::PeerJoined(_))) {}
//! # }
//!
//! // B doubles even numbers and rejects odd ones.
//! tokio::spawn(async move {
//!     while let Some(request) = serve.recv().await {
//!         match request.value {
//!             Ok(Json(n)) if n % 2 == 0 => request.respond(&Json(n * 2)).await?,
//!             _ => request.reject("even numbers only").await?,
//!         }
//!     }
//!     Ok::<_, trystero::ActionError>(())
//! });
//!
//! assert_eq!(ask.request(&Json(20), b).await?, Json(40));
//! assert_eq!(
//!     ask.request(&Json(3), b).timeout(std::time::Duration::from_secs(5)).await,
//!     Err(RequestError::Rejected("even numbers only".into()))
//! );
//! # Ok(())
//! # }
//! ```
//!
//! This crate is the composition root: the only one that names concrete adapters
//! (`trystero-nostr`, `trystero-mqtt`, `trystero-torrent`, `trystero-webrtc`). The protocol lives
//! in `trystero-core`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod lobby;
pub mod memory;
pub mod relay;
pub mod rollback;

/// The wolf-survival game's world, bot, match driver and replays (`trystero-game`).
pub use trystero_game as game;
/// Rollback netcode (`trystero-netcode`); [`rollback::RoomSocket`] runs it over a room.
pub use trystero_netcode as netcode;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

pub use trystero_core::config::{
    IceServer, PasswordMode, RelayConfig, RoomConfig, RoomConfigBuilder,
};
pub use trystero_core::id::{AppId, IdError, PeerId, RoomId};
pub use trystero_core::room::action::{
    Action, ActionData, ActionError, IncomingRequest, Json, Message, RequestAction,
};
pub use trystero_core::room::request::RequestError;
pub use trystero_core::room::send::{DEFAULT_REQUEST_TIMEOUT, IntoTargets, Requesting, Sending};
pub use trystero_core::room::{EngineConfig, RoomEvent};
pub use trystero_core::room::{PeerInfo, Room, RoomError, RoomSender, RoomStats};
pub use trystero_core::signaler::RelayState;
pub use trystero_core::transport::CandidateType;
pub use trystero_core::wire::{ActionType, JsonText, Payload, ReceivedMessage};
pub use trystero_webrtc::WebRtcConfig;

use tracing::Instrument;
use trystero_core::room::Instance;
use trystero_core::signaler::Signaler;
use trystero_core::transport::PeerTransport;
use trystero_crypto::TrysteroKeys;
use trystero_mqtt::MqttSignaler;
use trystero_nostr::NostrSignaler;
use trystero_torrent::TorrentSignaler;
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
    /// The hardened password could not be derived.
    #[error(transparent)]
    Password(#[from] trystero_crypto::HardenError),
}

/// The keys of `room` under `config`'s password, stretched first in the hardened mode (on a
/// blocking thread: Argon2id takes tens of milliseconds).
pub(crate) async fn room_keys(
    config: &RoomConfig,
    room: &RoomId,
) -> Result<TrysteroKeys, JoinError> {
    let password = match config.password_mode() {
        PasswordMode::Hardened if config.has_password() => {
            let config = config.clone();
            tokio::task::spawn_blocking(move || {
                trystero_crypto::room_password(&config).map(std::borrow::Cow::into_owned)
            })
            .await
            .map_err(|error| trystero_crypto::HardenError(error.to_string()))??
        }
        _ => config.password().to_owned(),
    };
    Ok(TrysteroKeys::new(config.app_id(), room, &password))
}

/// How peers find each other: which public networks carry the signalling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Nostr relays (Trystero's default).
    #[default]
    Nostr,
    /// MQTT brokers over WebSocket.
    Mqtt,
    /// WebTorrent trackers.
    Torrent,
}

impl Strategy {
    /// The strategy's name, as the CLI and Trystero's packages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Nostr => "nostr",
            Self::Mqtt => "mqtt",
            Self::Torrent => "torrent",
        }
    }

    /// The relays (or brokers) a room with this configuration uses.
    pub fn relay_urls(self, config: &RoomConfig) -> Vec<String> {
        match self {
            Self::Nostr => trystero_nostr::relay_urls(config),
            Self::Mqtt => trystero_mqtt::broker_urls(config),
            Self::Torrent => trystero_torrent::tracker_urls(config),
        }
    }
}

impl std::str::FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "nostr" => Ok(Self::Nostr),
            "mqtt" => Ok(Self::Mqtt),
            "torrent" => Ok(Self::Torrent),
            _ => Err(UnknownStrategy(name.to_owned())),
        }
    }
}

/// A strategy name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown strategy {0:?} (available: nostr, mqtt, torrent)")]
pub struct UnknownStrategy(pub String);

/// How to reach peers, beyond the room configuration.
#[derive(Debug, Clone, Default)]
pub struct JoinOptions {
    /// The signalling strategy (Nostr by default).
    pub strategy: Strategy,
    /// WebRTC settings: use [`WebRtcConfig::loopback`] for peers on this machine only.
    pub webrtc: WebRtcConfig,
    /// Join as this local peer instead of the process's [`self_id`]: another id is another
    /// peer, with relay connections of its own (several players or bots in one process).
    pub peer_id: Option<PeerId>,
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
/// runtime. Resolves once the room is joined locally (announcing has started); peers arrive as
/// [`RoomEvent::PeerJoined`].
///
/// Offline, two peers on this machine, through the embedded relay:
///
/// ```
/// use trystero::relay::EmbeddedRelay;
/// use trystero::{JoinOptions, PeerId, RoomConfig, RoomEvent, WebRtcConfig};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let relay = EmbeddedRelay::start(0).await?;
/// let config = RoomConfig::builder("doc-join")
///     .relay_urls([relay.url()])
///     .ice_servers(Vec::new())
///     .build()?;
/// // Two local peers: the second joins under an id of its own.
/// let options = |peer_id| JoinOptions {
///     webrtc: WebRtcConfig::loopback(),
///     peer_id,
///     ..JoinOptions::default()
/// };
/// let mut alice = trystero::join_room_with(config.clone(), "lobby", &options(None)).await?;
/// let bob_id = PeerId::random()?;
/// let mut bob = trystero::join_room_with(config, "lobby", &options(Some(bob_id))).await?;
///
/// while let Some(event) = alice.next_event().await {
///     if let RoomEvent::PeerJoined(peer) = event {
///         assert_eq!(peer, bob_id);
///         break;
///     }
/// }
/// while !matches!(bob.next_event().await, Some(RoomEvent::PeerJoined(_))) {}
/// alice.leave().await?;
/// # Ok(())
/// # }
/// ```
pub async fn join_room(config: RoomConfig, room: &str) -> Result<Room, JoinError> {
    nostr::join_room(config, room).await
}

/// [`join_room`] with a strategy and transport options.
pub async fn join_room_with(
    config: RoomConfig,
    room: &str,
    options: &JoinOptions,
) -> Result<Room, JoinError> {
    let room_id = RoomId::new(room)?;
    let peer = options.peer_id.unwrap_or_else(self_id);
    // The room's logs (signalling, links, peers) go under this span.
    let span = tracing::info_span!(
        "room",
        app = %config.app_id(),
        room = %room_id,
        strategy = options.strategy.name(),
        %peer,
    );
    let instance = instance_for(&config, options);
    let keys = room_keys(&config, &room_id).await?;
    Ok(instance
        .join(config, Arc::new(keys))
        .instrument(span)
        .await?)
}

/// A strategy's module: `join_room` and `join_room_with` fixed to that strategy, plus its
/// defaults.
macro_rules! strategy_module {
    (
        $(#[$module_doc:meta])*
        mod $module:ident = $strategy:ident, joins $what:literal;
        pub use $($reexport:tt)*
    ) => {
        $(#[$module_doc])*
        pub mod $module {
            use super::{JoinError, JoinOptions, Room, RoomConfig, Strategy};

            pub use $($reexport)*

            #[doc = concat!("Joins `room` through ", $what, ".")]
            pub async fn join_room(config: RoomConfig, room: &str) -> Result<Room, JoinError> {
                join_room_with(config, room, &JoinOptions::default()).await
            }

            /// [`join_room`] with transport options (the strategy stays this module's).
            pub async fn join_room_with(
                config: RoomConfig,
                room: &str,
                options: &JoinOptions,
            ) -> Result<Room, JoinError> {
                let options = JoinOptions {
                    strategy: Strategy::$strategy,
                    ..options.clone()
                };
                super::join_room_with(config, room, &options).await
            }
        }
    };
}

strategy_module! {
    /// The Nostr strategy, by name (`trystero/nostr`).
    mod nostr = Nostr, joins "Nostr relays (`trystero/nostr`'s `joinRoom`)";
    pub use trystero_nostr::{DEFAULT_REDUNDANCY, DEFAULT_RELAYS, relay_urls};
}

strategy_module! {
    /// The MQTT strategy (`@trystero-p2p/mqtt`): the config's relay URLs are broker URLs
    /// (`ws://`, `wss://`, credentials as user info).
    mod mqtt = Mqtt, joins "MQTT brokers (`@trystero-p2p/mqtt`'s `joinRoom`)";
    pub use trystero_mqtt::{DEFAULT_BROKERS, DEFAULT_REDUNDANCY, broker_urls};
}

strategy_module! {
    /// The BitTorrent strategy (`@trystero-p2p/torrent`): the config's relay URLs are
    /// WebTorrent tracker URLs; SDPs carry every candidate (no trickle ICE).
    mod torrent = Torrent, joins "WebTorrent trackers (`@trystero-p2p/torrent`'s `joinRoom`)";
    pub use trystero_torrent::{DEFAULT_REDUNDANCY, DEFAULT_TRACKERS, tracker_urls};
}

/// The README's examples, compiled as doctests (this crate sees the whole facade).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// One instance (relay connections, shared peer connections) per strategy, app id, relay list
/// and WebRTC settings. Rooms of one app on the same relays share connections, as in JS; a
/// room on other relays gets its own instance, so it announces where it was told to. An
/// instance whose driver stopped (its tokio runtime was dropped) is replaced.
fn instance_for(config: &RoomConfig, options: &JoinOptions) -> Instance {
    static INSTANCES: OnceLock<Mutex<HashMap<InstanceKey, Instance>>> = OnceLock::new();
    let mut relays = options.strategy.relay_urls(config);
    relays.sort();
    let key = InstanceKey {
        peer: options.peer_id.unwrap_or_else(self_id),
        strategy: options.strategy,
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
            let transport = WebRtcTransport::new(key.webrtc.clone());
            match key.strategy {
                Strategy::Nostr => spawn(key.peer, NostrSignaler::connect(&key.relays), transport),
                Strategy::Mqtt => spawn(key.peer, MqttSignaler::connect(&key.relays), transport),
                Strategy::Torrent => {
                    spawn(key.peer, TorrentSignaler::connect(&key.relays), transport)
                }
            }
        })
        .clone()
}

/// Starts an instance's driver on the current tokio runtime.
fn spawn<S: Signaler, T: PeerTransport>(peer: PeerId, signaler: S, transport: T) -> Instance {
    let (instance, driver) = Instance::new(
        peer,
        signaler,
        transport,
        TokioClock::new(),
        EngineConfig::default(),
    );
    tokio::spawn(driver);
    instance
}

#[derive(PartialEq, Eq, Hash)]
struct InstanceKey {
    peer: PeerId,
    strategy: Strategy,
    app: String,
    relays: Vec<String>,
    webrtc: WebRtcConfig,
}
