//! Rooms over real WebRTC on loopback (release build).
//!
//! - `connect/join_to_peer_joined`: two fresh instances join one room through the in-process
//!   relay; the time until both saw `PeerJoined` (signalling, ICE, DTLS, SCTP, the data channel
//!   and the `@_hsready` handshake).
//! - `throughput_64MiB/room_action`: one 64 MiB binary through `Room::send` and out of the
//!   receiver's event stream (codec, engine, driver, WebRTC).
//! - `throughput_64MiB/raw_channel`: the same bytes as 16 451-byte frames straight through a
//!   `WebRtcLink` (the webrtc-rs data channel with our back-pressure), the reference.
//!
//! Run: `cargo bench -p trystero-webrtc --bench room` (or `cargo xtask bench`).
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation, missing_docs)]

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trystero_core::room::{Instance, Room, RoomEvent};
use trystero_core::signaler::MemoryHub;
use trystero_core::transport::{LinkEvent, LinkOptions, PeerLink, PeerTransport};
use trystero_core::wire::Payload;
use trystero_core::{AppId, RoomConfig, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_webrtc::{WebRtcConfig, WebRtcTransport};

const SIZE: usize = 64 << 20;

fn instance(hub: &MemoryHub) -> Instance {
    trystero_testkit::rooms::instance(hub.connect())
}

async fn join(instance: &Instance, room: &str) -> Room {
    let config = RoomConfig::builder("bench")
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    let keys = TrysteroKeys::new(
        &AppId::new("bench").unwrap(),
        &RoomId::new(room).unwrap(),
        "",
    );
    instance.join(config, Arc::new(keys)).await.unwrap()
}

async fn until_joined(room: &mut Room) {
    loop {
        if let RoomEvent::PeerJoined(_) = room.next_event().await.unwrap() {
            return;
        }
    }
}

/// Two joined rooms, ready to send.
async fn pair(name: &str) -> (Instance, Instance, Room, Room) {
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, name).await;
    let mut room_b = join(&b, name).await;
    until_joined(&mut room_a).await;
    until_joined(&mut room_b).await;
    (a, b, room_a, room_b)
}

fn connect(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("connect");
    group.sample_size(20);
    group.bench_function("join_to_peer_joined", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let start = Instant::now();
                    let pair = pair("connect").await;
                    total += start.elapsed();
                    drop(pair);
                }
                total
            })
        });
    });
    group.finish();
}

fn throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = Payload::Binary((0..SIZE).map(|i| (i * 31 % 251) as u8).collect());
    let mut group = c.benchmark_group("throughput_64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(SIZE as u64));

    let (_a, _b, room_a, mut room_b) = runtime.block_on(pair("throughput"));
    group.bench_function("room_action", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    let receive = async {
                        loop {
                            if let RoomEvent::Message(message) = room_b.next_event().await.unwrap()
                            {
                                return message;
                            }
                        }
                    };
                    let (sent, message) =
                        tokio::join!(room_a.send("file", data.clone()).into_future(), receive);
                    sent.unwrap();
                    assert_eq!(message.payload.as_bytes().len(), SIZE);
                }
                start.elapsed()
            })
        });
    });

    let (offerer, answerer) = runtime.block_on(async {
        let transport = WebRtcTransport::new(WebRtcConfig::loopback());
        let options = LinkOptions::default();
        let (offerer, offer) = transport.create_offer(&options).await.unwrap();
        let (answerer, answer) = transport.accept_offer(&offer, &options).await.unwrap();
        offerer.apply_answer(&answer).await.unwrap();
        assert_eq!(offerer.next_event().await, LinkEvent::Open);
        assert_eq!(answerer.next_event().await, LinkEvent::Open);
        (Arc::new(offerer), answerer)
    });
    // Frames of the same size as the room's: 3 + 64 + 36 header bytes and 16 348 payload bytes.
    let frame_payload = 16_348;
    let frames = SIZE.div_ceil(frame_payload);
    group.bench_function("raw_channel", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    let sender = offerer.clone();
                    let bytes = data.as_bytes().to_vec();
                    let send = tokio::spawn(async move {
                        for chunk in bytes.chunks(frame_payload) {
                            let mut frame = Vec::with_capacity(103 + chunk.len());
                            frame.extend_from_slice(&[0u8; 103]);
                            frame.extend_from_slice(chunk);
                            sender.send(frame).await.unwrap();
                        }
                    });
                    let mut received = Vec::with_capacity(SIZE);
                    for _ in 0..frames {
                        match answerer.next_event().await {
                            LinkEvent::Message(frame) => received.extend_from_slice(&frame[103..]),
                            other => panic!("unexpected {other:?}"),
                        }
                    }
                    send.await.unwrap();
                    assert_eq!(received.len(), SIZE);
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

criterion_group!(benches, connect, throughput);
criterion_main!(benches);
