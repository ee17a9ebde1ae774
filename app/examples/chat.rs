//! The smallest room: two peers in one process say a few lines to each other.
//!
//! Alice and Bob join the same room through a Nostr relay embedded in this process, connect
//! over WebRTC on the loopback interface, trade three lines on a `String` action and leave. It
//! needs no network. Between two machines only the configuration changes: without
//! `relay_urls`, `ice_servers` and the loopback WebRTC settings, the public Nostr relays and
//! STUN servers are used (and each machine runs one peer, under [`trystero::self_id`]).
//!
//! Run it with `cargo run -p trystero --example chat`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::time::Duration;

use trystero::relay::EmbeddedRelay;
use trystero::{Action, JoinOptions, PeerId, Room, RoomConfig, RoomEvent, WebRtcConfig};

/// How long to wait for anything before giving up.
const WAIT: Duration = Duration::from_secs(20);

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // An offline Nostr relay on 127.0.0.1 (port 0: any free port). Relays only carry the
    // encrypted WebRTC handshake; messages go directly from peer to peer.
    let relay = EmbeddedRelay::start(0).await?;
    let config = RoomConfig::builder("trystero-example-chat")
        .relay_urls([relay.url()])
        .ice_servers(Vec::new()) // no STUN: both peers are on this machine
        .build()?;

    // Alice is this process's own peer (`trystero::self_id()`); Bob joins under an id of his
    // own, which makes him a separate peer with connections of his own.
    let alice_id = trystero::self_id();
    let bob_id = PeerId::random()?;
    let options = |peer_id| JoinOptions {
        webrtc: WebRtcConfig::loopback(),
        peer_id,
        ..JoinOptions::default()
    };
    let mut alice_room = trystero::join_room_with(config.clone(), "lobby", &options(None)).await?;
    let mut bob_room = trystero::join_room_with(config, "lobby", &options(Some(bob_id))).await?;

    // One typed action per kind of message: a `String` travels as text, like a JS string.
    let mut alice = Person {
        name: "alice",
        id: alice_id,
        chat: alice_room.make_action::<String>("chat").await?,
    };
    let mut bob = Person {
        name: "bob",
        id: bob_id,
        chat: bob_room.make_action::<String>("chat").await?,
    };

    // Peers arrive as room events once their WebRTC connection is up.
    until(
        &mut alice_room,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == bob_id),
    )
    .await?;
    until(
        &mut bob_room,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == alice_id),
    )
    .await?;
    println!("alice and bob are in the room");

    say(&alice, &mut bob, "Hi Bob!").await?;
    say(&bob, &mut alice, "Hi Alice, loud and clear.").await?;
    say(&alice, &mut bob, "Great, see you.").await?;

    // `leave` resolves once the other peers have everything that was sent to them. Bob
    // sees Alice go (a room event), then leaves too.
    alice_room.leave().await?;
    until(
        &mut bob_room,
        |event| matches!(event, RoomEvent::PeerLeft(peer) if *peer == alice_id),
    )
    .await?;
    println!("bob saw alice leave");
    bob_room.leave().await?;
    println!("both left");
    Ok(())
}

/// A peer of the room, with its chat action.
struct Person {
    name: &'static str,
    id: PeerId,
    chat: Action<String>,
}

/// `from` sends `line` to `to`, who prints it once it arrives.
async fn say(from: &Person, to: &mut Person, line: &str) -> Result<(), Box<dyn Error>> {
    // Sends are builders: `.to(peer)` picks the targets (every peer without it).
    from.chat.send(&line.to_owned()).to(to.id).await?;
    let message = tokio::time::timeout(WAIT, to.chat.recv())
        .await?
        .ok_or("the room closed")?;
    assert_eq!(message.peer, from.id, "the message says who sent it");
    println!("{} -> {}: {}", from.name, to.name, message.value);
    Ok(())
}

/// Waits (at most [`WAIT`]) for a room event that `wanted` accepts.
async fn until(room: &mut Room, wanted: impl Fn(&RoomEvent) -> bool) -> Result<(), Box<dyn Error>> {
    let found = async {
        while let Some(event) = room.next_event().await {
            if wanted(&event) {
                return Ok(());
            }
        }
        Err("the room closed")
    };
    Ok(tokio::time::timeout(WAIT, found).await??)
}
