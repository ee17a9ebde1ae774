//! Room helpers shared by the strategies' integration tests, which include this file with
//! `#[path]`: Rust peers on any signaler with loopback WebRTC, joining, waiting for joins and
//! messages, and waiting for a relay to open.

use std::sync::Arc;
use std::time::Duration;

use trystero_core::room::driver::{Instance, Room};
use trystero_core::room::{EngineConfig, RoomEvent};
use trystero_core::signaler::{RelayState, Signaler};
use trystero_core::wire::{ActionType, Payload};
use trystero_core::{AppId, PeerId, RoomConfig, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_webrtc::{TokioClock, WebRtcConfig, WebRtcTransport};

/// The app of every test room.
pub(crate) const APP: &str = "trystero-rust-test";
/// How long a test waits for anything.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// A Rust peer on `signaler`, its driver spawned on the test's runtime.
pub(crate) fn instance<S: Signaler>(signaler: S) -> Instance {
    let (instance, driver) = Instance::new(
        PeerId::random().unwrap(),
        signaler,
        WebRtcTransport::new(WebRtcConfig::loopback()),
        TokioClock::new(),
        EngineConfig::default(),
    );
    tokio::spawn(driver);
    instance
}

/// The config of a room on these relays, loopback only.
pub(crate) fn config(urls: &[String]) -> RoomConfig {
    RoomConfig::builder(APP)
        .relay_urls(urls.iter().map(String::as_str))
        .ice_servers(Vec::new())
        .build()
        .unwrap()
}

/// Joins `room` of the test app on these relays.
pub(crate) async fn join(instance: &Instance, urls: &[String], room: &str) -> Room {
    let config = config(urls);
    let keys = TrysteroKeys::new(&AppId::new(APP).unwrap(), &RoomId::new(room).unwrap(), "");
    instance.join(config, Arc::new(keys)).await.unwrap()
}

pub(crate) async fn joined(room: &mut Room, peer: PeerId) {
    joined_all(room, &[peer]).await;
}

pub(crate) async fn joined_all(room: &mut Room, peers: &[PeerId]) {
    let mut missing = peers.to_vec();
    tokio::time::timeout(WAIT, async {
        while let Some(event) = room.next_event().await {
            if let RoomEvent::PeerJoined(joined) = event {
                missing.retain(|peer| *peer != joined);
                if missing.is_empty() {
                    return;
                }
            }
        }
    })
    .await
    .expect("the peers join");
}

pub(crate) async fn text(room: &mut Room) -> Payload {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(RoomEvent::Message(message)) = room.next_event().await {
                return message.payload;
            }
        }
    })
    .await
    .unwrap()
}

pub(crate) async fn say(room: &Room, text: &str) {
    room.send(
        ActionType::new("chat").unwrap(),
        Payload::Text(text.into()),
        None,
        None,
    )
    .await
    .unwrap();
}

pub(crate) async fn wait_open(room: &Room, index: usize) {
    for _ in 0..1000 {
        if room.relay_sockets().await[index].1 == RelayState::Open {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("relay {index} not open: {:?}", room.relay_sockets().await);
}
