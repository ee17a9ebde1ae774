//! The torrent strategy against a real WebTorrent tracker on loopback (npm bittorrent-tracker,
//! started per test): the tracker forwards offers and answers between signalers, refusals
//! become relay notices, then whole rooms over real WebRTC meet through trackers that are
//! down or restart.

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod rooms;

use std::time::Duration;

use serde_json::{Value, json};
use trystero_core::signaler::{RelayState, Signaler, SignalingStyle};
use trystero_testkit::tracker::Tracker;
use trystero_testkit::{WAIT, free_port};
use trystero_torrent::{TorrentSignaler, info_hash};

const TOPIC: &str = "222j6441452ns4d05p4305d3w1f5g5g3sc36";

async fn wait_open(signaler: &TorrentSignaler, index: usize) {
    for _ in 0..1000 {
        if signaler.relay_sockets()[index].1 == RelayState::Open {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("tracker {index} not open: {:?}", signaler.relay_sockets());
}

async fn next_with(signaler: &TorrentSignaler, key: &str) -> (usize, Value) {
    loop {
        let message = tokio::time::timeout(WAIT, signaler.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(message.topic, TOPIC);
        let value: Value = serde_json::from_str(&message.payload).unwrap();
        if value.get(key).is_some() {
            return (message.relay, value);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tracker_carries_offers_and_answers_between_peers() {
    let tracker = Tracker::start();
    let urls = vec![tracker.url()];
    let (a, b) = (
        TorrentSignaler::connect(&urls),
        TorrentSignaler::connect(&urls),
    );
    assert_eq!(a.style(), SignalingStyle::Tracker);
    wait_open(&a, 0).await;
    wait_open(&b, 0).await;
    a.subscribe(TOPIC).await.unwrap();
    b.subscribe(TOPIC).await.unwrap();
    // B joins the swarm, then A announces with an offer, which the tracker hands to B.
    b.publish(
        None,
        TOPIC,
        r#"{"peer_id":"bbbbbbbbbbbbbbbbbbbb","numwant":3,"offers":[]}"#,
    )
    .await
    .unwrap();
    let (_, interval) = next_with(&b, "interval").await;
    assert_eq!(interval["info_hash"], info_hash(TOPIC));
    let offer =
        json!({"offer_id": "oooooooooooooooooooo", "offer": {"type": "offer", "sdp": "ENC"}});
    let announce = json!({"peer_id": "aaaaaaaaaaaaaaaaaaaa", "numwant": 3, "offers": [offer]});
    a.publish(None, TOPIC, &announce.to_string()).await.unwrap();
    let (relay, forwarded) = next_with(&b, "offer").await;
    assert_eq!(relay, 0);
    assert_eq!(forwarded["peer_id"], "aaaaaaaaaaaaaaaaaaaa");
    assert_eq!(forwarded["offer_id"], "oooooooooooooooooooo");
    assert_eq!(forwarded["offer"]["sdp"], "ENC");

    // B answers to A by peer id; the tracker delivers it.
    let answer = json!({
        "peer_id": "bbbbbbbbbbbbbbbbbbbb",
        "answer": {"type": "answer", "sdp": "ANSWER"},
        "offer_id": "oooooooooooooooooooo",
        "to_peer_id": "aaaaaaaaaaaaaaaaaaaa",
    });
    b.publish(Some(0), TOPIC, &answer.to_string())
        .await
        .unwrap();
    let (_, answered) = next_with(&a, "answer").await;
    assert_eq!(answered["peer_id"], "bbbbbbbbbbbbbbbbbbbb");
    assert_eq!(answered["answer"]["sdp"], "ANSWER");
    assert!(
        a.publish(Some(3), TOPIC, "{}").await.is_err(),
        "no tracker 3"
    );
    assert!(a.publish(None, TOPIC, "[]").await.is_err(), "not an object");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_reaches_the_room_and_a_dead_tracker_blocks_nobody() {
    let refusing = Tracker::start_with(&["--reject", &info_hash(TOPIC)[..5]]);
    let dead = format!("ws://127.0.0.1:{}", free_port());
    let urls = vec![dead.clone(), refusing.url()];
    let a = TorrentSignaler::connect(&urls);
    wait_open(&a, 1).await;
    a.subscribe(TOPIC).await.unwrap();
    a.publish(
        None,
        TOPIC,
        r#"{"peer_id":"aaaaaaaaaaaaaaaaaaaa","numwant":3,"offers":[]}"#,
    )
    .await
    .unwrap();
    let (relay, refusal) = next_with(&a, "failure reason").await;
    assert_eq!(relay, 1);
    assert_eq!(refusal["failure reason"], "torrent not allowed here");
    assert_eq!(a.relay_sockets()[0], (dead, RelayState::Connecting));
}

/// A tracker that restarts forgets its swarms; on reconnect the signaler announces every room
/// again, so a peer that arrives later is still introduced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_tracker_hears_every_room_again() {
    let mut tracker = Tracker::start();
    let urls = vec![tracker.url()];
    let a = TorrentSignaler::connect(&urls);
    wait_open(&a, 0).await;
    a.subscribe(TOPIC).await.unwrap();
    let offer =
        json!({"offer_id": "oooooooooooooooooooo", "offer": {"type": "offer", "sdp": "ENC"}});
    let announce = json!({"peer_id": "aaaaaaaaaaaaaaaaaaaa", "numwant": 3, "offers": [offer]});
    a.publish(None, TOPIC, &announce.to_string()).await.unwrap();
    next_with(&a, "interval").await;

    // A stays away until B is in the new swarm: a tracker forwards an offer only to peers
    // already there, and under load A's reconnect (3.3 s) could beat B's announce.
    a.pause_reconnection();
    tracker.restart();
    let b = TorrentSignaler::connect(&urls);
    wait_open(&b, 0).await;
    b.subscribe(TOPIC).await.unwrap();
    b.publish(
        None,
        TOPIC,
        r#"{"peer_id":"bbbbbbbbbbbbbbbbbbbb","numwant":3,"offers":[]}"#,
    )
    .await
    .unwrap();
    next_with(&b, "interval").await;
    a.resume_reconnection();
    // A reconnects and re-announces its offer on its own.
    let (_, forwarded) = next_with(&b, "offer").await;
    assert_eq!(forwarded["peer_id"], "aaaaaaaaaaaaaaaaaaaa");
}
