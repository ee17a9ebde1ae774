//! Rust peers in rooms: an [`Instance`] on any signaler with loopback WebRTC, joining, waiting
//! for joins, messages and open relays, and two relay-fault scenarios every strategy runs
//! against its real servers ([`Server`]).
//!
//! The helpers spawn the instance's driver with `tokio::spawn`, so they run inside a tokio
//! runtime (the tests' `#[tokio::test]`).

use std::sync::Arc;
use std::time::Duration;

use trystero_core::room::{EngineConfig, Instance, Room, RoomEvent};
use trystero_core::signaler::{RelayState, Signaler};
use trystero_core::wire::Payload;
use trystero_core::{AppId, PeerId, RoomConfig, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_webrtc::{TokioClock, WebRtcConfig, WebRtcTransport};

use crate::mosquitto::Mosquitto;
use crate::tracker::Tracker;
use crate::{APP, WAIT};

/// A Rust peer with a random id on `signaler`, its driver spawned on the test's runtime.
pub fn instance<S: Signaler>(signaler: S) -> Instance {
    instance_with_id(PeerId::random().unwrap(), signaler)
}

/// A Rust peer with the id `id` on `signaler` (real WebRTC on loopback, the default engine
/// config), its driver spawned on the test's runtime.
pub fn instance_with_id<S: Signaler>(id: PeerId, signaler: S) -> Instance {
    let (instance, driver) = Instance::new(
        id,
        signaler,
        WebRtcTransport::new(WebRtcConfig::loopback()),
        TokioClock::new(),
        EngineConfig::default(),
    );
    tokio::spawn(driver);
    instance
}

/// The config of a room of [`APP`] on these relays, loopback only (no ICE servers). No URLs
/// leaves the strategy's default relays (the in-memory hub has none).
pub fn config(urls: &[String]) -> RoomConfig {
    config_with_password(urls, "")
}

/// [`config`] with a room password (`""` for none).
pub fn config_with_password(urls: &[String], password: &str) -> RoomConfig {
    RoomConfig::builder(APP)
        .relay_urls(urls.iter().map(String::as_str))
        .password(password)
        .ice_servers(Vec::new())
        .build()
        .unwrap()
}

/// Joins `room` of [`APP`] on these relays.
pub async fn join(instance: &Instance, urls: &[String], room: &str) -> Room {
    join_with_password(instance, urls, room, "").await
}

/// Joins `room` of [`APP`] on these relays with a password (`""` for none).
pub async fn join_with_password(
    instance: &Instance,
    urls: &[String],
    room: &str,
    password: &str,
) -> Room {
    let config = config_with_password(urls, password);
    let keys = TrysteroKeys::new(
        &AppId::new(APP).unwrap(),
        &RoomId::new(room).unwrap(),
        password,
    );
    instance.join(config, Arc::new(keys)).await.unwrap()
}

/// Waits (up to [`WAIT`]) until `peer` joins `room`; other events are skipped.
pub async fn joined(room: &mut Room, peer: PeerId) {
    joined_all(room, &[peer]).await;
}

/// Waits (up to [`WAIT`]) until every one of `peers` joined `room`; other events are skipped.
pub async fn joined_all(room: &mut Room, peers: &[PeerId]) {
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
        panic!("the room stopped before {missing:?} joined");
    })
    .await
    .expect("the peers join");
}

/// Waits (up to [`WAIT`]) until every room of `rooms` saw every other one join: the full
/// mesh. Other events are skipped.
pub async fn full_mesh(rooms: &mut [Room]) {
    let ids: Vec<PeerId> = rooms.iter().map(Room::self_id).collect();
    futures_util::future::join_all(rooms.iter_mut().map(|room| {
        let others: Vec<PeerId> = ids
            .iter()
            .copied()
            .filter(|id| *id != room.self_id())
            .collect();
        async move { joined_all(room, &others).await }
    }))
    .await;
}

/// The next event of `room` that is not progress, within [`WAIT`].
pub async fn next_event(room: &mut Room) -> RoomEvent {
    loop {
        match tokio::time::timeout(WAIT, room.next_event()).await {
            Ok(Some(RoomEvent::Progress { .. })) => {}
            Ok(Some(event)) => return event,
            Ok(None) => panic!("the driver stopped"),
            Err(_) => panic!("no event within {WAIT:?}"),
        }
    }
}

/// The payload of the next message `room` receives, within [`WAIT`]; other events are skipped.
pub async fn text(room: &mut Room) -> Payload {
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

/// Sends `text` on the `chat` action to everyone in `room`.
pub async fn say(room: &Room, text: &str) {
    room.send("chat", Payload::Text(text.into())).await.unwrap();
}

/// Waits (up to 10 s) until relay `index` of `room` is open.
pub async fn wait_open(room: &Room, index: usize) {
    for _ in 0..1000 {
        if room.relay_sockets().await[index].1 == RelayState::Open {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("relay {index} not open: {:?}", room.relay_sockets().await);
}

/// A real relay server a test can start, stop and restart on the same address.
pub trait Server {
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

impl Server for Mosquitto {
    fn start() -> Self {
        Mosquitto::start()
    }

    fn url(&self) -> String {
        Mosquitto::url(self)
    }

    fn stop(&mut self) {
        Mosquitto::stop(self);
    }

    fn restart(&mut self) {
        Mosquitto::restart(self);
    }
}

impl Server for Tracker {
    fn start() -> Self {
        Tracker::start()
    }

    fn url(&self) -> String {
        Tracker::url(self)
    }

    fn stop(&mut self) {
        Tracker::stop(self);
    }

    fn restart(&mut self) {
        Tracker::restart(self);
    }
}

/// Two peers meet through one relay and `line` goes from the first to the second; returns the
/// relay, the URLs and both peers with their rooms, for scenarios that go on.
pub async fn two_peers_meet_and_talk<S: Server>(
    instance: impl Fn(&[String]) -> Instance,
    line: &str,
) -> (S, Vec<String>, [(Instance, Room); 2]) {
    let server = S::start();
    let urls = vec![server.url()];
    let (a, b) = (instance(&urls), instance(&urls));
    let mut room_a = join(&a, &urls, "room1").await;
    let mut room_b = join(&b, &urls, "room1").await;
    joined(&mut room_a, b.self_id()).await;
    joined(&mut room_b, a.self_id()).await;
    say(&room_a, line).await;
    assert_eq!(text(&mut room_b).await, Payload::Text(line.into()));
    (server, urls, [(a, room_a), (b, room_b)])
}

/// Three relays: one stopped while the first peer is already in the room, one never started
/// (`never`). The peers meet through the third, and the relay sockets say which are down.
pub async fn peers_meet_with_two_of_three_down<S: Server>(
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
pub async fn a_restart_keeps_the_room_and_lets_new_peers_in<S: Server>(
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
