//! One room API over every way of finding peers: the same code runs in process, over Nostr,
//! over MQTT and over WebTorrent trackers.
//!
//! `ping_pong` takes two joined [`Room`]s and knows nothing of how they were joined. It runs
//! over the in-memory network ([`trystero::memory`], no sockets at all) and over Nostr (a relay
//! embedded in this process); given a local MQTT broker (`--mqtt ws://127.0.0.1:PORT/mqtt`,
//! e.g. mosquitto with a WebSocket listener) or WebTorrent tracker (`--tracker
//! ws://127.0.0.1:PORT`, e.g. npm's `bittorrent-tracker`), over those too. Only the join
//! differs: [`Strategy`] picks the signalling, and the config's relay URLs are then broker or
//! tracker URLs. Peers always talk over WebRTC (here on the loopback interface) except on the
//! in-memory network.
//!
//! Run it with `cargo run -p trystero --example swap_strategy`, or with
//! `cargo run -p trystero --example swap_strategy -- --mqtt URL --tracker URL`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::time::{Duration, Instant};

use trystero::memory::Network;
use trystero::relay::EmbeddedRelay;
use trystero::{JoinOptions, PeerId, Room, RoomConfig, RoomEvent, Strategy, WebRtcConfig};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// How long to wait for anything before giving up.
const WAIT: Duration = Duration::from_secs(30);
const APP: &str = "trystero-example-swap-strategy";

#[tokio::main]
async fn main() -> Result<()> {
    // Trivial argument parsing: `--mqtt URL` and `--tracker URL`, both optional.
    let (mut mqtt, mut tracker) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--mqtt" => &mut mqtt,
            "--tracker" => &mut tracker,
            _ => {
                return Err(format!(
                    "unknown argument {flag:?} (usage: [--mqtt URL] [--tracker URL])"
                )
                .into());
            }
        };
        *slot = Some(args.next().ok_or(format!("{flag} needs a URL"))?);
    }

    // In process: the memory network's relay and links, no sockets.
    let network = Network::new();
    let config = RoomConfig::builder(APP).build()?;
    let (a, b) = (PeerId::random()?, PeerId::random()?);
    let room_a = network.join_room(config.clone(), "ping", a).await?;
    let room_b = network.join_room(config, "ping", b).await?;
    ping_pong("memory", room_a, room_b, a, b).await?;

    // Nostr, through a relay embedded in this process.
    let relay = EmbeddedRelay::start(0).await?;
    over(Strategy::Nostr, relay.url()).await?;

    // MQTT and WebTorrent, through the servers given on the command line.
    match &mqtt {
        Some(broker) => over(Strategy::Mqtt, broker).await?,
        None => println!(
            "mqtt: skipped (add --mqtt ws://127.0.0.1:PORT/mqtt, a broker's WebSocket listener)"
        ),
    }
    match &tracker {
        Some(tracker) => over(Strategy::Torrent, tracker).await?,
        None => {
            println!("torrent: skipped (add --tracker ws://127.0.0.1:PORT, a WebTorrent tracker)")
        }
    }
    Ok(())
}

/// Joins two local peers through `strategy`'s server at `url`, then plays ping-pong.
async fn over(strategy: Strategy, url: &str) -> Result<()> {
    // The config is the same for every strategy: its relay URLs are Nostr relays, MQTT
    // brokers or trackers, as the strategy says.
    let config = RoomConfig::builder(APP)
        .relay_urls([url])
        .ice_servers(Vec::new())
        .build()?;
    let (a, b) = (PeerId::random()?, PeerId::random()?);
    let options = |peer_id| JoinOptions {
        strategy,
        webrtc: WebRtcConfig::loopback(),
        peer_id: Some(peer_id),
    };
    let room_a = trystero::join_room_with(config.clone(), "ping", &options(a)).await?;
    let room_b = trystero::join_room_with(config, "ping", &options(b)).await?;
    ping_pong(strategy.name(), room_a, room_b, a, b).await
}

/// The same for every strategy: wait until `a` and `b` meet, send "ping" from `a` and
/// "pong" back from `b`, print how long it took, and leave.
async fn ping_pong(
    strategy: &str,
    mut a: Room,
    mut b: Room,
    a_id: PeerId,
    b_id: PeerId,
) -> Result<()> {
    let started = Instant::now();
    let mut a_ball = a.make_action::<String>("ball").await?;
    let mut b_ball = b.make_action::<String>("ball").await?;
    until(
        &mut a,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == b_id),
    )
    .await?;
    until(
        &mut b,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == a_id),
    )
    .await?;
    let met = started.elapsed();

    let started = Instant::now();
    a_ball.send(&"ping".to_owned()).to(b_id).await?;
    let ping = tokio::time::timeout(WAIT, b_ball.recv())
        .await?
        .ok_or("the room closed")?;
    b_ball.send(&"pong".to_owned()).to(ping.peer).await?;
    let pong = tokio::time::timeout(WAIT, a_ball.recv())
        .await?
        .ok_or("the room closed")?;
    println!(
        "{strategy}: met in {} ms, {} -> {} in {} µs",
        met.as_millis(),
        ping.value,
        pong.value,
        started.elapsed().as_micros()
    );

    a.leave().await?;
    until(
        &mut b,
        |event| matches!(event, RoomEvent::PeerLeft(peer) if *peer == a_id),
    )
    .await?;
    b.leave().await?;
    Ok(())
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
