//! The wire codec's throughput on a 64 MiB binary message, beside `memcpy` of the same bytes.
//!
//! - `memcpy_reused`: `copy_from_slice` into a warm 64 MiB buffer: the floor, one copy.
//! - `memcpy_fresh`: `to_vec()`: one copy into a freshly allocated buffer, as the receiver's
//!   message buffer is fresh too.
//! - `chunk_reassemble`: the full path of one message through the codec: chunk (4 106 chunks of
//!   16 348 bytes), wrap each in a room frame (written into one reused frame buffer, as a sender
//!   writes into the transport's buffer), decode the frame and chunk header, reassemble.
//! - `chunk_reassemble_recycled`: the same as `chunk_reassemble`, but the receiver hands each
//!   message's buffer back with `Reassembler::recycle`, so the next message lands in warm memory
//!   (a steady stream of large messages; compare with `memcpy_reused`).
//! - `chunk_reassemble_owned_frames`: the same, but every frame is its own `Vec<u8>`, as
//!   `RoomFrames` hands them to a transport that takes ownership.
//!
//! Run: `cargo xtask bench` or `cargo bench -p trystero-core --bench codec`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trystero_core::wire::{
    ActionChunk, ActionType, Frame, PayloadKind, Reassembler, Received, ReceivedMessage, chunks,
    decode_frame, encode_room_frame_chunk,
};
use trystero_core::{PeerId, RandomSource, RoomToken, SeededRandom};

const SIZE: usize = 64 << 20;

fn receive(reassembler: &mut Reassembler, peer: PeerId, frame: &[u8]) -> Option<ReceivedMessage> {
    let Ok(Frame::Room { chunk, .. }) = decode_frame(frame) else {
        panic!("room frame expected");
    };
    match reassembler
        .push(peer, ActionChunk::decode(chunk).unwrap())
        .unwrap()
    {
        Received::Message(message) => Some(message),
        _ => None,
    }
}

fn codec(c: &mut Criterion) {
    let mut data = vec![0u8; SIZE];
    SeededRandom::new(1).fill_bytes(&mut data).unwrap();
    let token = RoomToken::from_digest(&[7; 32]);
    let action = ActionType::new("file").unwrap();
    let peer = PeerId::parse("0123456789abcdefghij").unwrap();

    let mut group = c.benchmark_group("codec_64MiB");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(10);

    group.bench_function("memcpy_reused", |b| {
        let mut destination = vec![0u8; SIZE];
        b.iter(|| destination.copy_from_slice(black_box(&data)));
    });

    group.bench_function("memcpy_fresh", |b| {
        b.iter(|| black_box(black_box(&data).to_vec()));
    });

    group.bench_function("copy_through_frame_buffer", |b| {
        let mut frame = Vec::with_capacity(17 * 1024);
        let mut destination = Vec::with_capacity(SIZE);
        b.iter(|| {
            destination.clear();
            for piece in black_box(&data).chunks(16_348) {
                frame.clear();
                frame.extend_from_slice(&[0u8; 103]);
                frame.extend_from_slice(piece);
                destination.extend_from_slice(&black_box(&frame)[103..]);
            }
            black_box(&destination);
        });
    });

    group.bench_function("chunk_reassemble", |b| {
        let mut frame = Vec::with_capacity(17 * 1024);
        b.iter(|| {
            let mut reassembler = Reassembler::new();
            let mut message = None;
            for chunk in chunks(action, 0, PayloadKind::Binary, black_box(&data), None) {
                frame.clear();
                encode_room_frame_chunk(&token, &chunk, &mut frame);
                message = receive(&mut reassembler, peer, &frame);
            }
            let message = message.unwrap();
            assert_eq!(message.payload.as_bytes().len(), SIZE);
            black_box(message)
        });
    });

    group.bench_function("chunk_reassemble_recycled", |b| {
        let mut frame = Vec::with_capacity(17 * 1024);
        let mut reassembler = Reassembler::new();
        b.iter(|| {
            let mut message = None;
            for chunk in chunks(action, 0, PayloadKind::Binary, black_box(&data), None) {
                frame.clear();
                encode_room_frame_chunk(&token, &chunk, &mut frame);
                message = receive(&mut reassembler, peer, &frame);
            }
            let bytes = message.unwrap().payload.into_bytes();
            assert_eq!(bytes.len(), SIZE);
            reassembler.recycle(black_box(bytes));
        });
    });

    group.bench_function("chunk_reassemble_owned_frames", |b| {
        b.iter(|| {
            let mut reassembler = Reassembler::new();
            let mut message = None;
            let frames = chunks(action, 0, PayloadKind::Binary, black_box(&data), None)
                .into_room_frames(token);
            for frame in frames {
                message = receive(&mut reassembler, peer, &frame);
            }
            black_box(message.unwrap())
        });
    });

    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
