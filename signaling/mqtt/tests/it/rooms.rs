//! Whole rooms over real WebRTC, found through real brokers: two peers meet, peers still meet
//! with two of three brokers down, and a broker restart neither breaks a room nor keeps new
//! peers out.

use trystero_core::room::Instance;
use trystero_mqtt::{MqttSignaler, broker_urls};
use trystero_testkit::free_port;
use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::rooms;

/// A Rust peer on these brokers, which the room config names as the strategy does.
fn instance(urls: &[String]) -> Instance {
    assert_eq!(broker_urls(&rooms::config(urls)), urls);
    rooms::instance(MqttSignaler::connect(urls))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rust_peers_meet_through_a_broker() {
    rooms::two_peers_meet_and_talk::<Mosquitto>(instance, "over mqtt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_meet_with_two_of_three_brokers_down() {
    rooms::peers_meet_with_two_of_three_down::<Mosquitto>(
        instance,
        format!("ws://127.0.0.1:{}/mqtt", free_port()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_keeps_the_room_and_lets_new_peers_in() {
    rooms::a_restart_keeps_the_room_and_lets_new_peers_in::<Mosquitto>(instance).await;
}
