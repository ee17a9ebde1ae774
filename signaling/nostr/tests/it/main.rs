//! The Nostr strategy against a real Nostr relay on loopback (rust-nostr's `LocalRelay`):
//! raw NIP-01 behaviour, then whole rooms over real WebRTC found through the relay.

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use nostr_relay_builder::prelude::{LocalRelay, RelayBuilder};
use trystero_core::RoomConfig;
use trystero_core::room::{Instance, Room, RoomEvent};
use trystero_core::signaler::{RelayState, Signaler};
use trystero_core::wire::Payload;
use trystero_nostr::{NostrSignaler, relay_urls};
use trystero_testkit::rooms::{self, join_with_password, next_event as next};
use trystero_testkit::{APP, WAIT};

/// An in-process Nostr relay on 127.0.0.1 and a free port.
async fn local_relay() -> (LocalRelay, String) {
    let builder = RelayBuilder::default().addr(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let relay = LocalRelay::new(builder);
    relay.run().await.unwrap();
    let url = relay.url().await.to_string();
    (relay, url)
}

async fn wait_open(signaler: &NostrSignaler) {
    for _ in 0..200 {
        if signaler
            .relay_sockets()
            .iter()
            .all(|(_, state)| *state == RelayState::Open)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("relays not open: {:?}", signaler.relay_sockets());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_subscribers_of_their_topic_only() {
    let (_relay, url) = local_relay().await;
    let urls = vec![url];
    let (a, b) = (NostrSignaler::connect(&urls), NostrSignaler::connect(&urls));
    wait_open(&a).await;
    wait_open(&b).await;
    b.subscribe("topic-b").await.unwrap();
    a.subscribe("topic-a").await.unwrap();
    // Give the relay the REQs before publishing (ephemeral events are not stored).
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.publish(None, "topic-b", r#"{"peerId":"x"}"#)
        .await
        .unwrap();
    a.publish(None, "elsewhere", r#"{"peerId":"y"}"#)
        .await
        .unwrap();
    let message = tokio::time::timeout(WAIT, b.recv()).await.unwrap().unwrap();
    assert_eq!(message.topic, "topic-b");
    assert_eq!(message.payload, r#"{"peerId":"x"}"#);
    assert_eq!(message.relay, 0);
    // Nothing else for b; a gets nothing (not subscribed to those topics).
    assert!(
        tokio::time::timeout(Duration::from_millis(300), b.recv())
            .await
            .is_err()
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(100), a.recv())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_relay_does_not_block_a_live_one() {
    let (_relay, url) = local_relay().await;
    let dead = "ws://127.0.0.1:9".to_owned();
    let urls = vec![dead.clone(), url];
    let (a, b) = (NostrSignaler::connect(&urls), NostrSignaler::connect(&urls));
    b.subscribe("t").await.unwrap();
    for _ in 0..200 {
        if b.relay_sockets()[1].1 == RelayState::Open && a.relay_sockets()[1].1 == RelayState::Open
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.publish(None, "t", r#"{"peerId":"x"}"#).await.unwrap();
    let message = tokio::time::timeout(WAIT, b.recv()).await.unwrap().unwrap();
    assert_eq!(message.relay, 1);
    let sockets = a.relay_sockets();
    assert_eq!(sockets[0].0, dead);
    assert_ne!(sockets[0].1, RelayState::Open);
}

/// A Rust peer on these relays.
fn instance(urls: &[String]) -> Instance {
    rooms::instance(NostrSignaler::connect(urls))
}

/// Joins `room` of the test app on the relay at `url`, with a password (`""` for none).
async fn join(instance: &Instance, url: &str, room: &str, password: &str) -> Room {
    join_with_password(instance, &[url.to_owned()], room, password).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rust_peers_meet_through_the_relay() {
    let (_relay, url) = local_relay().await;
    let urls = vec![url.clone()];
    let config = RoomConfig::builder(APP)
        .relay_urls([url.as_str()])
        .build()
        .unwrap();
    assert_eq!(relay_urls(&config), urls);
    let (a, b) = (instance(&urls), instance(&urls));
    let mut room_a = join(&a, &url, "room1", "").await;
    let mut room_b = join(&b, &url, "room1", "").await;
    assert!(matches!(next(&mut room_a).await, RoomEvent::PeerJoined(p) if p == b.self_id()));
    assert!(matches!(next(&mut room_b).await, RoomEvent::PeerJoined(p) if p == a.self_id()));
    room_a
        .send("chat", Payload::Text("over nostr".into()))
        .await
        .unwrap();
    assert!(
        matches!(next(&mut room_b).await, RoomEvent::Message(m) if m.payload == Payload::Text("over nostr".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_through_the_relay_is_a_join_error() {
    let (_relay, url) = local_relay().await;
    let urls = vec![url.clone()];
    let (a, b) = (instance(&urls), instance(&urls));
    let mut room_a = join(&a, &url, "locked", "one").await;
    let mut room_b = join(&b, &url, "locked", "two").await;
    let (event, _) =
        futures_util::future::select(Box::pin(next(&mut room_a)), Box::pin(next(&mut room_b)))
            .await
            .factor_first();
    assert!(
        matches!(&event, RoomEvent::JoinError { error, .. } if error.contains("incorrect room password")),
        "{event:?}"
    );
}
