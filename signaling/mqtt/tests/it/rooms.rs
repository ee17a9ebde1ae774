//! Whole rooms over real WebRTC, found through real brokers: two peers meet, peers still meet
//! with two of three brokers down, and a broker restart neither breaks a room nor keeps new
//! peers out.

use std::sync::Arc;
use std::time::Duration;

use trystero_core::room::driver::{Instance, Room};
use trystero_core::room::{EngineConfig, RoomEvent};
use trystero_core::signaler::RelayState;
use trystero_core::wire::{ActionType, Payload};
use trystero_core::{AppId, PeerId, RoomConfig, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_mqtt::{MqttSignaler, broker_urls};
use trystero_webrtc::{TokioClock, WebRtcConfig, WebRtcTransport};

use super::WAIT;
use super::broker::Mosquitto;

const APP: &str = "trystero-rust-test";

fn instance(urls: &[String]) -> Instance {
    let (instance, driver) = Instance::new(
        PeerId::random().unwrap(),
        MqttSignaler::connect(urls),
        WebRtcTransport::new(WebRtcConfig::loopback()),
        TokioClock::new(),
        EngineConfig::default(),
    );
    tokio::spawn(driver);
    instance
}

async fn join(instance: &Instance, urls: &[String], room: &str) -> Room {
    let config = RoomConfig::builder(APP)
        .relay_urls(urls.iter().map(String::as_str))
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    assert_eq!(broker_urls(&config), urls);
    let keys = TrysteroKeys::new(&AppId::new(APP).unwrap(), &RoomId::new(room).unwrap(), "");
    instance.join(config, Arc::new(keys)).await.unwrap()
}

async fn joined(room: &mut Room, peer: PeerId) {
    joined_all(room, &[peer]).await;
}

async fn joined_all(room: &mut Room, peers: &[PeerId]) {
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

async fn text(room: &mut Room) -> Payload {
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

async fn say(room: &Room, text: &str) {
    room.send(
        ActionType::new("chat").unwrap(),
        Payload::Text(text.into()),
        None,
        None,
    )
    .await
    .unwrap();
}

async fn wait_open(room: &Room, index: usize) {
    for _ in 0..1000 {
        if room.relay_sockets().await[index].1 == RelayState::Open {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("broker {index} not open: {:?}", room.relay_sockets().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rust_peers_meet_through_a_broker() {
    let broker = Mosquitto::start();
    let urls = vec![broker.url()];
    let (a, b) = (instance(&urls), instance(&urls));
    let mut room_a = join(&a, &urls, "room1").await;
    let mut room_b = join(&b, &urls, "room1").await;
    joined(&mut room_a, b.self_id()).await;
    joined(&mut room_b, a.self_id()).await;
    say(&room_a, "over mqtt").await;
    assert_eq!(text(&mut room_b).await, Payload::Text("over mqtt".into()));
}

/// Three brokers: one killed while the first peer is already in the room, one never started.
/// The peers meet through the third, and the relay sockets say which are down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_meet_with_two_of_three_brokers_down() {
    let mut doomed = Mosquitto::start();
    let live = Mosquitto::start();
    let never = format!("ws://127.0.0.1:{}/mqtt", super::broker::free_port());
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
}

/// The broker restarts mid-room: the peers stay connected (WebRTC does not need it), and
/// once it is back a new peer still finds both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_keeps_the_room_and_lets_new_peers_in() {
    let mut broker = Mosquitto::start();
    let urls = vec![broker.url()];
    let (a, b) = (instance(&urls), instance(&urls));
    let mut room_a = join(&a, &urls, "restart").await;
    let mut room_b = join(&b, &urls, "restart").await;
    joined(&mut room_a, b.self_id()).await;
    joined(&mut room_b, a.self_id()).await;

    broker.restart();
    wait_open(&room_a, 0).await;
    wait_open(&room_b, 0).await;
    assert_eq!(room_a.peers().await, [b.self_id()]);
    say(&room_a, "still here").await;
    assert_eq!(text(&mut room_b).await, Payload::Text("still here".into()));

    let c = instance(&urls);
    let mut room_c = join(&c, &urls, "restart").await;
    joined(&mut room_a, c.self_id()).await;
    joined(&mut room_b, c.self_id()).await;
    joined_all(&mut room_c, &[a.self_id(), b.self_id()]).await;
}
