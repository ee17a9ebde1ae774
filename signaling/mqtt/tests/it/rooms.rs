//! Whole rooms over real WebRTC, found through real brokers: two peers meet, peers still meet
//! with two of three brokers down, and a broker restart neither breaks a room nor keeps new
//! peers out.

use trystero_core::signaler::RelayState;
use trystero_core::wire::Payload;
use trystero_mqtt::{MqttSignaler, broker_urls};

#[path = "../../../testing/rooms.rs"]
mod support;

use super::broker::Mosquitto;
use support::{join, joined, joined_all, say, text, wait_open};

/// A Rust peer on these brokers, which the room config names as the strategy does.
fn instance(urls: &[String]) -> trystero_core::room::driver::Instance {
    assert_eq!(broker_urls(&support::config(urls)), urls);
    support::instance(MqttSignaler::connect(urls))
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
