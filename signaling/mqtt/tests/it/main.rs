//! The MQTT strategy against real brokers on loopback (Debian's mosquitto with a WebSocket
//! listener, started per test): topic routing, reference-counted subscriptions, credentials,
//! brokers that are down or restart, then whole rooms over real WebRTC found through them.

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod rooms;

use std::time::Duration;

use trystero_core::signaler::{RelayState, Signaler};
use trystero_mqtt::MqttSignaler;
use trystero_testkit::WAIT;
use trystero_testkit::mosquitto::Mosquitto;

async fn wait_state(signaler: &MqttSignaler, index: usize, want: &RelayState) {
    for _ in 0..1000 {
        if signaler.relay_sockets()[index].1 == *want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "broker {index} not {want:?}: {:?}",
        signaler.relay_sockets()
    );
}

/// Lets the broker apply SUBSCRIBEs sent a moment ago (QoS 0 messages are not stored).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}

async fn nothing_for(signaler: &MqttSignaler, wait: Duration) {
    if let Ok(message) = tokio::time::timeout(wait, signaler.recv()).await {
        panic!("unexpected {message:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_subscribers_of_their_topic_only() {
    let broker = Mosquitto::start();
    let urls = vec![broker.url()];
    let (a, b) = (MqttSignaler::connect(&urls), MqttSignaler::connect(&urls));
    wait_state(&a, 0, &RelayState::Open).await;
    wait_state(&b, 0, &RelayState::Open).await;
    b.subscribe("topic-b").await.unwrap();
    settle().await;
    a.publish(None, "elsewhere", r#"{"peerId":"y"}"#)
        .await
        .unwrap();
    a.publish(Some(0), "topic-b", r#"{"peerId":"x"}"#)
        .await
        .unwrap();
    let message = tokio::time::timeout(WAIT, b.recv()).await.unwrap().unwrap();
    assert_eq!(
        (
            message.relay,
            message.topic.as_str(),
            message.payload.as_str()
        ),
        (0, "topic-b", r#"{"peerId":"x"}"#)
    );
    nothing_for(&b, Duration::from_millis(300)).await;
    nothing_for(&a, Duration::from_millis(100)).await;
    assert!(a.publish(Some(1), "t", "{}").await.is_err(), "no broker 1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_reference_counted() {
    let broker = Mosquitto::start();
    let urls = vec![broker.url()];
    let (a, b) = (MqttSignaler::connect(&urls), MqttSignaler::connect(&urls));
    wait_state(&a, 0, &RelayState::Open).await;
    wait_state(&b, 0, &RelayState::Open).await;
    b.subscribe("shared").await.unwrap();
    b.subscribe("shared").await.unwrap();
    b.unsubscribe("shared").await.unwrap();
    settle().await;
    a.publish(None, "shared", "one").await.unwrap();
    let message = tokio::time::timeout(WAIT, b.recv()).await.unwrap().unwrap();
    assert_eq!(message.payload, "one", "one user left, one remains");
    b.unsubscribe("shared").await.unwrap();
    settle().await;
    a.publish(None, "shared", "two").await.unwrap();
    nothing_for(&b, Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_url() {
    let broker = Mosquitto::start_with_password("alice", "s3cret");
    let good = MqttSignaler::connect(&[broker.url_with("alice:s3cret@")]);
    let bad = MqttSignaler::connect(&[broker.url_with("alice:wrong@")]);
    wait_state(&good, 0, &RelayState::Open).await;
    // The broker refuses the wrong password: never open, retried like a broker that is down.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bad.relay_sockets()[0].1, RelayState::Connecting);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_broker_does_not_block_a_live_one() {
    let broker = Mosquitto::start();
    let dead = "ws://127.0.0.1:9/mqtt".to_owned();
    let urls = vec![dead.clone(), broker.url(), "carrier-pigeon://x".to_owned()];
    let (a, b) = (MqttSignaler::connect(&urls), MqttSignaler::connect(&urls));
    b.subscribe("t").await.unwrap();
    wait_state(&a, 1, &RelayState::Open).await;
    wait_state(&b, 1, &RelayState::Open).await;
    settle().await;
    a.publish(None, "t", r#"{"peerId":"x"}"#).await.unwrap();
    let message = tokio::time::timeout(WAIT, b.recv()).await.unwrap().unwrap();
    assert_eq!(message.relay, 1);
    let sockets = a.relay_sockets();
    assert_eq!(sockets[0], (dead, RelayState::Connecting));
    assert!(
        matches!(&sockets[2].1, RelayState::Retired(reason) if reason.contains("ws://, wss:// or mqtt://")),
        "{sockets:?}"
    );
}

/// After a broker restart the client subscribes again and republishes its last announcement
/// (clean sessions forget both), so a peer that arrives later still hears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_broker_gets_subscriptions_and_the_announcement_back() {
    let mut broker = Mosquitto::start();
    let urls = vec![broker.url()];
    let a = MqttSignaler::connect(&urls);
    wait_state(&a, 0, &RelayState::Open).await;
    a.subscribe("root").await.unwrap();
    a.publish(None, "root", r#"{"peerId":"a"}"#).await.unwrap();
    // Our own announcement comes back (the broker echoes to subscribers, us included).
    let echo = tokio::time::timeout(WAIT, a.recv()).await.unwrap().unwrap();
    assert_eq!(echo.payload, r#"{"peerId":"a"}"#);

    // a stays away until b listens (pausing reconnection), then comes back.
    a.pause_reconnection();
    broker.restart();
    wait_state(&a, 0, &RelayState::Connecting).await;
    let b = MqttSignaler::connect(&urls);
    wait_state(&b, 0, &RelayState::Open).await;
    b.subscribe("root").await.unwrap();
    settle().await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(a.relay_sockets()[0].1, RelayState::Connecting, "paused");
    a.resume_reconnection();
    wait_state(&a, 0, &RelayState::Open).await;
    // a republished on reconnect: b hears it without a new publish from a.
    let message = tokio::time::timeout(WAIT, b.recv()).await.unwrap().unwrap();
    assert_eq!(message.payload, r#"{"peerId":"a"}"#);
    // And a is subscribed again.
    b.publish(None, "root", r#"{"peerId":"b"}"#).await.unwrap();
    loop {
        let message = tokio::time::timeout(WAIT, a.recv()).await.unwrap().unwrap();
        if message.payload == r#"{"peerId":"b"}"# {
            break;
        }
    }
}
