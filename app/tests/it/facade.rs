//! The facade's instances: rooms of one app go to the relays their own config names, and an
//! instance whose tokio runtime is gone is replaced rather than reused.

use std::process::Command;
use std::time::Duration;

use trystero::{JoinOptions, PeerId, Room, RoomConfig, WebRtcConfig};
use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::peer::Peer;
use trystero_testkit::rooms::joined;

use super::relays::relay;

const APP: &str = "facade-test";

fn config(relay: &str) -> RoomConfig {
    RoomConfig::builder(APP)
        .relay_urls([relay])
        .ice_servers(Vec::new())
        .build()
        .unwrap()
}

fn options() -> JoinOptions {
    JoinOptions {
        webrtc: WebRtcConfig::loopback(),
        ..JoinOptions::default()
    }
}

fn cli_peer(relay: &str, room: &str) -> Peer {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
    command.args([
        "peer", "--local", "--app", APP, "--relay", relay, "--room", room,
    ]);
    Peer::spawn(command)
}

#[test]
fn rooms_of_one_app_use_their_own_relays() {
    let (first, second) = (relay(), relay());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _lonely = runtime
        .block_on(trystero::join_room_with(
            config(&first.url),
            "on-first",
            &options(),
        ))
        .unwrap();
    let mut room = runtime
        .block_on(trystero::join_room_with(
            config(&second.url),
            "on-second",
            &options(),
        ))
        .unwrap();
    let peer = cli_peer(&second.url, "on-second");
    runtime.block_on(joined(&mut room, peer.id.parse().unwrap()));
}

/// The first runtime is dropped without leaving, so the other peer only notices through the
/// connection's loss (5 s disconnected, then 5 s grace): the second instance, with the same
/// peer id, must get in once it does, whichever side leads.
#[test]
fn a_new_runtime_gets_a_working_instance() {
    let relay = relay();
    let peer = cli_peer(&relay.url, "runtimes");
    let id: PeerId = peer.id.parse().unwrap();
    for _ in 0..2 {
        // Each runtime is dropped at the end of its turn, and the driver task with it.
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut room = runtime
            .block_on(trystero::join_room_with(
                config(&relay.url),
                "runtimes",
                &options(),
            ))
            .unwrap();
        runtime.block_on(joined(&mut room, id));
    }
}

/// Trystero's `pauseRelayReconnection`/`resumeRelayReconnection` on the room: while paused, a
/// broker that restarts is not reconnected to; once resumed, it is.
#[test]
fn relay_reconnection_pauses_and_resumes_through_the_room() {
    use trystero::{RelayState, Strategy};

    let mut broker = Mosquitto::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = RoomConfig::builder(APP)
        .relay_urls([broker.url()])
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    let options = JoinOptions {
        strategy: Strategy::Mqtt,
        peer_id: Some(PeerId::random().unwrap()),
        ..options()
    };
    let room = runtime
        .block_on(trystero::join_room_with(config, "pause", &options))
        .unwrap();
    let state = |room: &Room| runtime.block_on(room.relay_sockets())[0].1.clone();
    let wait_for = |room: &Room, wanted: RelayState| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while state(room) != wanted {
            assert!(std::time::Instant::now() < deadline, "never {wanted:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for(&room, RelayState::Open);

    room.pause_relay_reconnection();
    broker.restart();
    wait_for(&room, RelayState::Connecting);
    // Well past the one-second reconnect period: still away.
    std::thread::sleep(Duration::from_millis(2_500));
    assert_eq!(state(&room), RelayState::Connecting, "paused");

    room.resume_relay_reconnection();
    wait_for(&room, RelayState::Open);
}
