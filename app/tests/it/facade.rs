//! The facade's instances: rooms of one app go to the relays their own config names, and an
//! instance whose tokio runtime is gone is replaced rather than reused.

use std::process::Command;
use std::time::Duration;

use trystero::{JoinOptions, PeerId, Room, RoomConfig, RoomEvent, WebRtcConfig};

use super::peer::Peer;
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

async fn joined(room: &mut Room, peer: PeerId) {
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = room.next_event().await {
            if matches!(event, RoomEvent::PeerJoined(joined) if joined == peer) {
                return;
            }
        }
        panic!("the room stopped");
    })
    .await
    .expect("the peer joins");
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
