//! Room helpers shared by the strategies' integration tests, which include this file with
//! `#[path]`: Rust peers on any signaler with loopback WebRTC, joining, waiting for joins and
//! messages, and waiting for a relay to open.

use std::sync::Arc;
use std::time::Duration;

use trystero_core::room::{EngineConfig, RoomEvent};
use trystero_core::room::{Instance, Room};
use trystero_core::signaler::{RelayState, Signaler};
use trystero_core::wire::Payload;
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
    room.send("chat", Payload::Text(text.into())).await.unwrap();
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

/// A real relay server a test can start, stop and restart on the same address.
pub(crate) trait Server {
    /// Starts one on 127.0.0.1.
    fn start() -> Self;
    /// Its URL.
    fn url(&self) -> String;
    /// Stops it.
    fn stop(&mut self);
    /// Stops it and starts a fresh one (every session and subscription forgotten) on the
    /// same address.
    fn restart(&mut self);
}

/// Three relays: one stopped while the first peer is already in the room, one never started
/// (`never`). The peers meet through the third, and the relay sockets say which are down.
pub(crate) async fn peers_meet_with_two_of_three_down<S: Server>(
    instance: impl Fn(&[String]) -> Instance,
    never: String,
) {
    let mut doomed = S::start();
    let live = S::start();
    let urls = vec![doomed.url(), never.clone(), live.url()];
    let a = instance(&urls);
    let mut room_a = join(&a, &urls, "faults").await;
    wait_open(&room_a, 0).await;
    doomed.stop();
    let b = instance(&urls);
    let mut room_b = join(&b, &urls, "faults").await;
    joined(&mut room_a, b.self_id()).await;
    joined(&mut room_b, a.self_id()).await;
    let states: Vec<RelayState> = room_b
        .relay_sockets()
        .await
        .into_iter()
        .map(|(_, state)| state)
        .collect();
    assert_eq!(
        states,
        [
            RelayState::Connecting,
            RelayState::Connecting,
            RelayState::Open
        ]
    );
    let sockets = room_a.relay_sockets().await;
    assert_eq!(sockets[0], (doomed.url(), RelayState::Connecting));
    assert_eq!(sockets[1], (never, RelayState::Connecting));
    assert_eq!(sockets[2].1, RelayState::Open);
}

/// The relay restarts mid-room: the peers stay connected (WebRTC does not need it), and once
/// it is back a new peer still finds both, and both see it join.
pub(crate) async fn a_restart_keeps_the_room_and_lets_new_peers_in<S: Server>(
    instance: impl Fn(&[String]) -> Instance,
) {
    let mut server = S::start();
    let urls = vec![server.url()];
    let (a, b) = (instance(&urls), instance(&urls));
    let mut room_a = join(&a, &urls, "restart").await;
    let mut room_b = join(&b, &urls, "restart").await;
    joined(&mut room_a, b.self_id()).await;
    joined(&mut room_b, a.self_id()).await;

    server.restart();
    wait_open(&room_a, 0).await;
    wait_open(&room_b, 0).await;
    let peers = room_a.peers().await;
    assert_eq!(
        peers.iter().map(|peer| peer.id).collect::<Vec<_>>(),
        [b.self_id()]
    );
    say(&room_a, "still here").await;
    assert_eq!(text(&mut room_b).await, Payload::Text("still here".into()));

    let c = instance(&urls);
    let mut room_c = join(&c, &urls, "restart").await;
    joined(&mut room_a, c.self_id()).await;
    joined(&mut room_b, c.self_id()).await;
    joined_all(&mut room_c, &[a.self_id(), b.self_id()]).await;
}
