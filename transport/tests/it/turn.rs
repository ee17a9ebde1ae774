//! TURN: Debian's coturn started on 127.0.0.1 with a static user; peers restricted to relayed
//! candidates still connect, both as bare links and as a room.

use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use trystero_core::config::IceServer;
use trystero_core::room::RoomEvent;
use trystero_core::signaler::MemoryHub;
use trystero_core::transport::{LinkEvent, LinkOptions, PeerLink, PeerTransport};
use trystero_core::wire::Payload;
use trystero_core::{AppId, RoomConfig, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_webrtc::{WebRtcConfig, WebRtcTransport};

const USER: &str = "trystero";
const PASSWORD: &str = "relay-secret";

/// A coturn process on loopback, killed on drop.
struct Coturn {
    child: Child,
    port: u16,
}

impl Coturn {
    fn start() -> Self {
        let port = free_udp_port();
        let relay_low = relay_range_start();
        let child = Command::new("turnserver")
            .args([
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                &format!("--listening-port={port}"),
                &format!("--min-port={relay_low}"),
                &format!("--max-port={}", relay_low.saturating_add(200)),
                "--allow-loopback-peers",
                "--lt-cred-mech",
                &format!("--user={USER}:{PASSWORD}"),
                "--realm=trystero",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--log-file=stdout",
                "--simple-log",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("coturn's turnserver must be installed (.ci/run installs it)");
        let coturn = Self { child, port };
        coturn.wait_ready();
        coturn
    }

    /// Sends STUN binding requests until the server answers.
    fn wait_ready(&self) {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut request = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        request.extend_from_slice(b"trystero-rs!");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            socket.send_to(&request, ("127.0.0.1", self.port)).unwrap();
            let mut answer = [0u8; 512];
            if let Ok((len, _)) = socket.recv_from(&mut answer)
                && len >= 20
                && answer[..2] == [0x01, 0x01]
            {
                return;
            }
        }
        panic!("coturn did not answer on 127.0.0.1:{}", self.port);
    }

    fn ice_server(&self) -> IceServer {
        IceServer::turn(
            format!("turn:127.0.0.1:{}?transport=udp", self.port),
            USER,
            PASSWORD,
        )
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A block of 200 relay ports below the kernel's ephemeral range (32768 and up), so the relay
/// never competes for ports with the WebRTC sockets of tests running beside it.
fn relay_range_start() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let slot = NEXT.fetch_add(1, Ordering::SeqCst);
    let spread = u16::try_from(std::process::id() % 50).unwrap_or(0);
    20_000 + ((spread + slot * 7) % 55) * 200
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn next_open(link: &impl PeerLink) -> LinkEvent {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), link.next_event())
            .await
            .expect("an event within 20 s")
        {
            LinkEvent::LocalCandidate(_) => {}
            event => return event,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_links_connect_through_coturn() {
    let _heavy = super::heavy();
    let coturn = Coturn::start();
    let transport = WebRtcTransport::new(WebRtcConfig::loopback());
    let options = LinkOptions {
        ice_servers: vec![coturn.ice_server()],
        trickle: false,
        relay_only: true,
    };
    let (offerer, offer) = transport.create_offer(&options).await.unwrap();
    assert!(
        offer.contains("typ relay"),
        "relay candidates in the offer:\n{offer}"
    );
    assert!(
        !offer.contains("typ host"),
        "no host candidates when relay-only"
    );
    let (answerer, answer) = transport.accept_offer(&offer, &options).await.unwrap();
    offerer.apply_answer(&answer).await.unwrap();
    assert_eq!(next_open(&offerer).await, LinkEvent::Open);
    assert_eq!(next_open(&answerer).await, LinkEvent::Open);
    offerer.send(b"through the relay".to_vec()).await.unwrap();
    assert_eq!(
        next_open(&answerer).await,
        LinkEvent::Message(b"through the relay".to_vec())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_only_room_joins_and_exchanges() {
    let _heavy = super::heavy();
    let coturn = Coturn::start();
    let hub = MemoryHub::new();
    let config = RoomConfig::builder("trystero-rust-test")
        .ice_servers(vec![coturn.ice_server()])
        .relay_only(true)
        .build()
        .unwrap();
    let keys = Arc::new(TrysteroKeys::new(
        &AppId::new("trystero-rust-test").unwrap(),
        &RoomId::new("turn").unwrap(),
        "",
    ));
    let mut rooms = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let instance = super::room::instance(&hub);
        ids.push(instance.self_id());
        rooms.push((
            instance.join(config.clone(), keys.clone()).await.unwrap(),
            instance,
        ));
    }
    for (room, _) in &mut rooms {
        loop {
            match tokio::time::timeout(Duration::from_secs(30), room.next_event())
                .await
                .expect("joined through the relay within 30 s")
                .unwrap()
            {
                RoomEvent::PeerJoined(_) => break,
                RoomEvent::JoinError { error, .. } => panic!("{error}"),
                _ => {}
            }
        }
    }
    rooms[0]
        .0
        .send("chat", Payload::Text("relayed".into()))
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rooms[1].0.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            RoomEvent::Message(message) => {
                assert_eq!(message.payload, Payload::Text("relayed".into()));
                assert_eq!(message.peer, ids[0]);
                break;
            }
            RoomEvent::Progress { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Relay-only: the peers see their connection go through the TURN relay.
    let peers = rooms[1].0.peers().await;
    assert_eq!(peers.len(), 1);
    assert_eq!(
        peers[0].candidate,
        Some(trystero_core::transport::CandidateType::Relay),
        "{peers:?}"
    );
}
