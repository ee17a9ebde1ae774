//! Hostile peers: a real peer process that joins the room through the relay like any peer (its
//! own WebRTC connection, the real handshake), then speaks the wire protocol badly: pings at
//! thousands a second, endless chunks of transfers that never end, the largest metadata a
//! channel carries on transfer after transfer (100 MB of metadata would be one 100 MB message,
//! which no data channel carries), presence frames for a million rooms, garbage frames with
//! forged lengths, and announcements from forged peer ids. Beside it, a `trystero peer` victim and an honest peer: the victim's memory
//! stays under a stated bound, a flooding peer is dropped with a clear event, and the victim and
//! the honest peer keep talking.
//!
//! The hostile process is this test binary run again (`hostile_peer_process`, selected by an
//! environment variable), so the attack code stays in the tests and never ships; run as a plain
//! test, that function checks the attacks' frames with the wire decoders.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::json;
use trystero_core::room::{EngineConfig, Instance, RoomEvent};
use trystero_core::signaler::Signaler;
use trystero_core::transport::TransportError;
use trystero_core::transport::{LinkEvent, LinkOptions, LinkStats, PeerLink, PeerTransport};
use trystero_core::wire::{ActionType, Payload, chunks, encode_presence_frame};
use trystero_core::{AppId, PeerId, RoomConfig, RoomId, RoomToken};
use trystero_crypto::TrysteroKeys;
use trystero_nostr::NostrSignaler;
use trystero_testkit::free_port;
use trystero_webrtc::{TokioClock, WebRtcConfig, WebRtcLink, WebRtcTransport};

const ATTACK: &str = "TRYSTERO_HOSTILE_ATTACK";
const RELAY: &str = "TRYSTERO_HOSTILE_RELAY";
const ROOM: &str = "TRYSTERO_HOSTILE_ROOM";
/// The app id `trystero peer` uses by default.
const APP: &str = "trystero-cli";
/// How long each attack lasts.
const ATTACK_FOR: Duration = Duration::from_secs(6);
/// The victim's resident memory must stay under this (its limits: 256 MiB buffered per peer, at
/// most 64 MiB per message, 1 024 unread events; a quiet `trystero peer` holds ~20 MiB).
const MEMORY_BOUND_MIB: u64 = 400;

/// `WebRtcTransport`, with every link it makes also kept where the attack can reach it.
#[derive(Clone)]
struct Hostile {
    inner: WebRtcTransport,
    links: Arc<std::sync::Mutex<Vec<Arc<WebRtcLink>>>>,
}

struct HostileLink(Arc<WebRtcLink>);

impl PeerTransport for Hostile {
    type Link = HostileLink;

    async fn create_offer(
        &self,
        options: &LinkOptions,
    ) -> Result<(HostileLink, String), TransportError> {
        let (link, sdp) = self.inner.create_offer(options).await?;
        let link = Arc::new(link);
        self.links.lock().unwrap().push(link.clone());
        Ok((HostileLink(link), sdp))
    }

    async fn accept_offer(
        &self,
        offer: &str,
        options: &LinkOptions,
    ) -> Result<(HostileLink, String), TransportError> {
        let (link, sdp) = self.inner.accept_offer(offer, options).await?;
        let link = Arc::new(link);
        self.links.lock().unwrap().push(link.clone());
        Ok((HostileLink(link), sdp))
    }
}

impl PeerLink for HostileLink {
    async fn apply_answer(&self, answer: &str) -> Result<(), TransportError> {
        self.0.apply_answer(answer).await
    }

    async fn add_candidate(
        &self,
        candidate: &trystero_core::room::signaling::IceCandidate,
    ) -> Result<(), TransportError> {
        self.0.add_candidate(candidate).await
    }

    async fn next_event(&self) -> LinkEvent {
        self.0.next_event().await
    }

    async fn send(&self, frame: Vec<u8>) -> Result<(), TransportError> {
        self.0.send(frame).await
    }

    async fn flush(&self) -> Result<(), TransportError> {
        self.0.flush().await
    }

    async fn open_unordered(&self) -> Result<(), TransportError> {
        self.0.open_unordered().await
    }

    async fn send_unordered(&self, frame: Vec<u8>) -> Result<(), TransportError> {
        self.0.send_unordered(frame).await
    }

    async fn stats(&self) -> LinkStats {
        self.0.stats().await
    }

    fn close(&self) {
        self.0.close();
    }
}

/// One attack's frames, endlessly: what the hostile peer sends once it is in the room.
fn attack_frames(attack: &str, token: RoomToken) -> Box<dyn Iterator<Item = Vec<u8>> + Send> {
    let action = |name: &str| ActionType::new(name).unwrap();
    match attack {
        // `@_ping`s as fast as the connection takes them.
        "pings" => Box::new((0u16..).map(move |nonce| {
            chunks(
                action(ActionType::PING),
                nonce,
                Payload::Text(String::new()).kind(),
                b"",
                None,
            )
            .into_room_frames(token)
            .next()
            .unwrap()
        })),
        // Transfers that never end: the first (not last) chunk of a transfer, again and
        // again, 5 000 times per nonce (82 MB, past the 64 MiB message limit), then the next.
        "chunks" => Box::new((0u16..).flat_map(move |nonce| {
            let data = vec![7u8; 2 * 16_348];
            let first = chunks(
                action("flood"),
                nonce,
                Payload::Binary(Vec::new()).kind(),
                &data,
                None,
            )
            .into_room_frames(token)
            .next()
            .unwrap();
            std::iter::repeat_n(first, 5_000)
        })),
        // Metadata as large as the channel carries (the whole metadata is one chunk, so 100 MB
        // of it cannot cross a data channel), on transfer after transfer that never ends.
        "metadata" => Box::new((0u16..).map(move |nonce| {
            let metadata =
                trystero_core::wire::JsonText::parse(format!("\"{}\"", "m".repeat(60_000)))
                    .unwrap();
            chunks(
                action("meta"),
                nonce,
                Payload::Binary(Vec::new()).kind(),
                b"x",
                Some(&metadata),
            )
            .into_room_frames(token)
            .next()
            .unwrap()
        })),
        // Presence in a million rooms.
        "rooms" => Box::new((0u32..1_000_000).map(|n| {
            let mut digest = [0u8; 32];
            digest[..4].copy_from_slice(&n.to_be_bytes());
            let mut frame = Vec::new();
            encode_presence_frame(&RoomToken::from_digest(&digest), true, &mut frame);
            frame
        })),
        // Garbage: unknown versions, token lengths pointing past the end, random chunk headers.
        _ => Box::new((0u32..).map(|n| {
            let mut frame = vec![(n % 4) as u8, 0xff, 0xff];
            frame.extend((0..(n % 300)).map(|i| (i * 131 + n) as u8));
            frame
        })),
    }
}

/// Run as a test, it checks that each attack sends what it claims (the frames are judged by the
/// wire decoders the victim uses). Re-run by the other tests with [`ATTACK`] set, it is the
/// hostile peer's process.
#[test]
fn hostile_peer_process() {
    let Ok(attack) = std::env::var(ATTACK) else {
        the_attacks_send_what_they_claim();
        return;
    };
    let relay = std::env::var(RELAY).unwrap();
    let room = std::env::var(ROOM).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let signaler = NostrSignaler::connect(std::slice::from_ref(&relay));
        let keys = TrysteroKeys::new(&AppId::new(APP).unwrap(), &RoomId::new(&room).unwrap(), "");
        let token = trystero_core::keys::RoomKeys::token(&keys);
        if attack == "announces" {
            // Announcements from made-up peer ids, as fast as the relay takes them.
            let topic = trystero_core::keys::RoomKeys::root_topic(&keys);
            signaler.subscribe(&topic).await.unwrap();
            println!("hostile: attacking");
            let start = Instant::now();
            let mut sent = 0u64;
            while start.elapsed() < ATTACK_FOR {
                let forged = PeerId::random().unwrap();
                let _ = signaler
                    .publish(
                        None,
                        &topic,
                        &json!({"peerId": forged.as_str()}).to_string(),
                    )
                    .await;
                sent += 1;
            }
            println!("hostile: done {sent}");
            return;
        }
        let transport = Hostile {
            inner: WebRtcTransport::new(WebRtcConfig::loopback()),
            links: Arc::default(),
        };
        let links = transport.links.clone();
        let (instance, driver) = Instance::new(
            PeerId::random().unwrap(),
            signaler,
            transport,
            TokioClock::new(),
            EngineConfig::default(),
        );
        tokio::spawn(driver);
        let config = RoomConfig::builder(APP)
            .relay_urls([relay.as_str()])
            .ice_servers(Vec::new())
            .build()
            .unwrap();
        let mut joined = instance.join(config, Arc::new(keys)).await.unwrap();
        // Both the victim and the honest peer, so the attack reaches both connections.
        let mut peers = 0;
        while peers < 2 {
            if let Some(RoomEvent::PeerJoined(_)) = joined.next_event().await {
                peers += 1;
            }
        }
        println!("hostile: attacking");
        let start = Instant::now();
        let mut sent = 0u64;
        // Every connection made; those that closed (offers that lost a glare) drop out.
        let mut targets: Vec<Arc<WebRtcLink>> = links.lock().unwrap().clone();
        let mut frames = attack_frames(&attack, token);
        while start.elapsed() < ATTACK_FOR && !targets.is_empty() {
            let Some(frame) = frames.next() else { break };
            let mut open = Vec::new();
            for link in targets {
                if link.send(frame.clone()).await.is_ok() {
                    open.push(link);
                }
            }
            targets = open;
            sent += 1;
        }
        println!("hostile: done {sent} to {} connection(s)", targets.len());
        // Keep reading events until told to stop, so the victim's view is the attack's only.
        let _ = tokio::time::timeout(Duration::from_secs(30), async {
            while joined.next_event().await.is_some() {}
        })
        .await;
    });
}

fn the_attacks_send_what_they_claim() {
    use trystero_core::wire::{ActionChunk, Frame, decode_frame};
    let token = RoomToken::from_digest(&[9; 32]);
    let chunk_of = |frame: &[u8]| match decode_frame(frame) {
        Ok(Frame::Room { token: got, chunk }) => {
            assert_eq!(got, token.as_bytes());
            let chunk = ActionChunk::decode(chunk).unwrap();
            (chunk.header.action, chunk.header.nonce, chunk.header.flags)
        }
        other => panic!("a room frame expected: {other:?}"),
    };
    // Pings: whole one-chunk `@_ping`s, a new nonce each.
    let pings: Vec<_> = attack_frames("pings", token)
        .take(3)
        .map(|f| chunk_of(&f))
        .collect();
    for (n, (action, nonce, flags)) in pings.into_iter().enumerate() {
        assert_eq!((action.as_str(), usize::from(nonce)), (ActionType::PING, n));
        assert!(flags.is_last());
    }
    // Chunks: 5 000 first chunks of one transfer (never the last), then the next nonce.
    let chunks: Vec<_> = attack_frames("chunks", token)
        .take(5_001)
        .map(|f| chunk_of(&f))
        .collect();
    assert!(
        chunks[..5_000]
            .iter()
            .all(|(a, n, f)| a.as_str() == "flood" && *n == 0 && !f.is_last())
    );
    assert_eq!(chunks[5_000].1, 1);
    // Metadata: a 60 KB metadata chunk opening transfer after transfer.
    let metadata = attack_frames("metadata", token).next().unwrap();
    assert!(metadata.len() > 60_000);
    let (action, _, flags) = chunk_of(&metadata);
    assert!(action.as_str() == "meta" && flags.is_meta() && !flags.is_last());
    // Rooms: presence in distinct rooms.
    let rooms: Vec<Vec<u8>> = attack_frames("rooms", token).take(2).collect();
    for frame in &rooms {
        assert!(matches!(
            decode_frame(frame),
            Ok(Frame::Presence { present: true, .. })
        ));
    }
    assert_ne!(rooms[0], rooms[1]);
    // Garbage: none of it is a valid frame with a valid chunk.
    let valid = attack_frames("garbage", token).take(1_000).filter(|frame| {
        matches!(decode_frame(frame), Ok(Frame::Room { chunk, .. }) if ActionChunk::decode(chunk).is_ok())
    });
    assert_eq!(valid.count(), 0);
}

/// This test binary again, as the hostile peer.
struct HostileProcess {
    child: Child,
    lines: Receiver<String>,
}

impl HostileProcess {
    fn start(attack: &str, relay: &str, room: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "hostile::hostile_peer_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ATTACK, attack)
            .env(RELAY, relay)
            .env(ROOM, room)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = trystero_testkit::read_lines(child.stdout.take().unwrap());
        Self { child, lines }
    }

    fn wait_for(&self, prefix: &str, within: Duration) -> String {
        let line = trystero_testkit::line_containing(&self.lines, prefix, within)
            .unwrap_or_else(|| panic!("the hostile peer did not say {prefix:?} in time"));
        // libtest's "test … ... " may come first on the line.
        let at = line.find(prefix).unwrap_or_default();
        line[at..].to_owned()
    }
}

impl Drop for HostileProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's resident memory in MiB (`VmRSS` of `/proc/PID/status`).
fn resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// Runs `attack` against a victim with an honest peer beside it; returns the victim's events
/// seen during the attack and its peak resident memory.
fn under_attack(attack: &str) -> (Vec<serde_json::Value>, u64) {
    let _turn = super::heavy();
    let port = free_port();
    let room = format!("hostile-{attack}");
    let mut victim = super::peer::start(port, &room, &[]);
    let honest = super::peer::start(port, &room, &[]);
    assert_eq!(victim.next("join")["peer"], honest.id.as_str());
    let relay = format!("ws://127.0.0.1:{port}");
    let hostile = HostileProcess::start(attack, &relay, &room);
    hostile.wait_for("hostile: attacking", Duration::from_secs(30));
    let start = Instant::now();
    let mut peak = 0;
    let mut events = Vec::new();
    // During the attack: sample the victim's memory, and have it talk to the honest peer.
    let mut round = 0;
    while start.elapsed() < ATTACK_FOR + Duration::from_secs(2) {
        peak = peak.max(resident_mib(victim.pid()));
        round += 1;
        let text = format!("still here {round}");
        trystero_testkit::peer::talk(&mut victim, &honest, &text, Duration::from_secs(10));
        while let Ok(event) = victim.lines.try_recv() {
            events.push(event);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let done = hostile.wait_for("hostile: done", Duration::from_secs(30));
    eprintln!("hostile: {attack}: {done}, victim peak {peak} MiB, {round} chat round trips");
    assert!(
        peak < MEMORY_BOUND_MIB,
        "{attack}: the victim grew to {peak} MiB (bound {MEMORY_BOUND_MIB} MiB)"
    );
    (events, peak)
}

fn kinds(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .map(|event| event["event"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_ping_flood_is_dropped_with_a_clear_event() {
    let (events, _) = under_attack("pings");
    let dropped = events
        .iter()
        .find(|event| event["event"] == "dropped")
        .unwrap_or_else(|| panic!("no dropped event: {events:?}"));
    assert!(
        dropped["reason"].as_str().unwrap().contains("ping"),
        "{dropped}"
    );
}

#[test]
fn endless_chunks_stay_within_the_reassembly_bounds() {
    let (events, _) = under_attack("chunks");
    assert!(
        events
            .iter()
            .any(|event| event["event"] == "error" && event["kind"] == "receive"),
        "the refused transfers are reported: {:?}",
        kinds(&events)
    );
}

#[test]
fn the_largest_metadata_on_endless_transfers_is_bounded() {
    let (events, _) = under_attack("metadata");
    // Past 256 transfers at once the peer is cut off.
    let dropped = events
        .iter()
        .find(|event| event["event"] == "dropped")
        .unwrap_or_else(|| panic!("no dropped event: {:?}", kinds(&events)));
    assert!(
        dropped["reason"].as_str().unwrap().contains("transfers"),
        "{dropped}"
    );
}

#[test]
fn presence_in_a_million_rooms_is_bounded() {
    under_attack("rooms");
}

#[test]
fn garbage_frames_are_dropped() {
    under_attack("garbage");
}

#[test]
fn forged_announcements_are_bounded() {
    under_attack("announces");
}
