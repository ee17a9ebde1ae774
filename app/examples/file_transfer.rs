//! A file transfer: binary data with metadata, and progress on both sides.
//!
//! Alice sends Bob an 8 MiB file (generated here) as one `Vec<u8>` message, with its name,
//! size and SHA-256 in the message's metadata, and prints her send progress. Bob prints his
//! receive progress, checks the size and checksum, and answers "ok" on a second action; Alice
//! waits for that answer, so "delivered" means verified by the receiver. Large messages are
//! split into chunks and reassembled by the library; progress counts those chunks.
//! Offline: an embedded Nostr relay and WebRTC on the loopback interface.
//!
//! Run it with `cargo run -p trystero --example file_transfer`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ring::digest::{SHA256, digest};
use serde_json::json;
use trystero::relay::EmbeddedRelay;
use trystero::{Action, JoinOptions, PeerId, Room, RoomConfig, RoomEvent, WebRtcConfig};

type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

/// How long to wait for anything before giving up.
const WAIT: Duration = Duration::from_secs(30);
/// The file's size.
const SIZE: usize = 8 << 20;

/// The metadata that travels with the file.
#[derive(Debug, serde::Deserialize)]
struct FileMeta {
    name: String,
    size: usize,
    sha256: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let relay = EmbeddedRelay::start(0).await?;
    let config = RoomConfig::builder("trystero-example-file-transfer")
        .relay_urls([relay.url()])
        .ice_servers(Vec::new())
        .build()?;
    let options = |peer_id| JoinOptions {
        webrtc: WebRtcConfig::loopback(),
        peer_id,
        ..JoinOptions::default()
    };
    let (alice_id, bob_id) = (PeerId::random()?, PeerId::random()?);
    let mut alice =
        trystero::join_room_with(config.clone(), "files", &options(Some(alice_id))).await?;
    let mut bob = trystero::join_room_with(config, "files", &options(Some(bob_id))).await?;
    // Binary data is a `Vec<u8>` action; the answer a `String` one.
    let alice_files = alice.make_action::<Vec<u8>>("file").await?;
    let mut alice_acks = alice.make_action::<String>("file-ack").await?;
    let bob_files = bob.make_action::<Vec<u8>>("file").await?;
    let bob_acks = bob.make_action::<String>("file-ack").await?;
    until(
        &mut alice,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == bob_id),
    )
    .await?;
    until(
        &mut bob,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == alice_id),
    )
    .await?;

    // Bob receives in a task of his own, while Alice sends.
    let receiver = tokio::spawn(receive(bob, bob_files, bob_acks));

    // A file: 8 MiB of a repeating pattern, and its SHA-256.
    let file: Vec<u8> = (0..=250u8).cycle().take(SIZE).collect();
    let sha256 = hex(digest(&SHA256, &file).as_ref());
    let started = Instant::now();
    // The send resolves once every chunk is handed to the connection; `.progress` is called
    // after each chunk (about 500 here), so print only every quarter.
    let printed = Arc::new(AtomicUsize::new(0));
    alice_files
        .send(&file)
        .to(bob_id)
        .meta(json!({"name": "example.bin", "size": file.len(), "sha256": sha256}))
        .progress(move |_peer, fraction| {
            let reached = quarter(fraction);
            if printed.fetch_max(reached, Ordering::Relaxed) < reached {
                println!("alice: sent {:3.0} %", fraction * 100.0);
            }
        })
        .await?;

    // Delivered means Bob has it and the checksum matched: wait for his answer.
    let answer = tokio::time::timeout(WAIT, alice_acks.recv())
        .await?
        .ok_or("the room closed")?;
    if answer.value != "ok" {
        return Err(format!("bob refused the file: {}", answer.value).into());
    }
    let elapsed = started.elapsed();
    let rate = SIZE as f64 / elapsed.as_secs_f64() / f64::from(1 << 20);
    println!(
        "alice: delivered example.bin, {SIZE} bytes in {} ms ({rate:.1} MiB/s)",
        elapsed.as_millis()
    );
    println!("alice: bob verified sha256 {sha256}");
    alice.leave().await?;
    tokio::time::timeout(WAIT, receiver).await???;
    Ok(())
}

/// Bob's side: receive one file, check it, answer, and leave once Alice has left.
async fn receive(mut room: Room, mut files: Action<Vec<u8>>, acks: Action<String>) -> Result<()> {
    // Receive progress: the fraction, and the metadata once it is known.
    let mut printed = 0;
    files.on_progress(move |_peer, fraction, metadata| {
        let reached = quarter(fraction);
        if reached > printed {
            printed = reached;
            let name = metadata
                .and_then(|meta| meta.deserialize::<FileMeta>().ok())
                .map_or_else(|| "?".to_owned(), |meta| meta.name);
            println!("bob:   received {:3.0} % of {name}", fraction * 100.0);
        }
    });
    // `recv` runs the progress callback while the message arrives, and returns it whole.
    let message = tokio::time::timeout(WAIT, files.recv())
        .await?
        .ok_or("the room closed")?;
    let meta: FileMeta = message
        .metadata
        .ok_or("a file without metadata")?
        .deserialize()?;
    let sha256 = hex(digest(&SHA256, &message.value).as_ref());
    let verdict = if message.value.len() != meta.size {
        format!("expected {} bytes, got {}", meta.size, message.value.len())
    } else if sha256 != meta.sha256 {
        format!("SHA-256 mismatch: expected {}, got {sha256}", meta.sha256)
    } else {
        "ok".to_owned()
    };
    println!(
        "bob:   {} ({} bytes) from {}: {verdict}",
        meta.name,
        message.value.len(),
        message.peer
    );
    acks.send(&verdict).to(message.peer).await?;
    if verdict != "ok" {
        return Err(verdict.into());
    }
    // Leave once Alice has gone (she leaves when she has the answer).
    let sender = message.peer;
    until(
        &mut room,
        |event| matches!(event, RoomEvent::PeerLeft(peer) if *peer == sender),
    )
    .await?;
    room.leave().await?;
    Ok(())
}

/// How many quarters `fraction` reached (0 to 4).
fn quarter(fraction: f32) -> usize {
    [0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .filter(|&mark| fraction >= mark)
        .count()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Waits (at most [`WAIT`]) for a room event that `wanted` accepts.
async fn until(room: &mut Room, wanted: impl Fn(&RoomEvent) -> bool) -> Result<()> {
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
