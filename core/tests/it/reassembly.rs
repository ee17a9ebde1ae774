//! Reassembly: progress, interleaving, malformed input and counters.

use trystero_core::wire::{
    ActionChunk, ChunkError, ChunkFlags, ChunkHeader, JsonText, Payload, PayloadError, Reassembler,
    ReassemblyError, Received, chunks,
};

use super::{action, encode, peer, receive, receive_all};

fn chunk<'a>(name: &str, nonce: u16, flags: ChunkFlags, payload: &'a [u8]) -> ActionChunk<'a> {
    ActionChunk {
        header: ChunkHeader {
            action: action(name),
            nonce,
            flags,
            progress: 0,
        },
        payload,
    }
}

#[test]
fn progress_is_reported_per_chunk_with_metadata() {
    let data = vec![5u8; 3 * 16_348];
    let meta = JsonText::parse(r#"{"file":"a"}"#).unwrap();
    let frames = encode(
        action("file"),
        0,
        &Payload::Binary(data.clone()),
        Some(&meta),
    );
    assert_eq!(frames.len(), 4);
    let mut reassembler = Reassembler::new();
    let mut seen = Vec::new();
    for frame in &frames[..3] {
        match receive(&mut reassembler, peer(1), frame).unwrap() {
            Received::Progress(progress) => {
                assert_eq!(progress.metadata, Some(&meta));
                seen.push(progress.progress);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, [64, 128, 191]);
    match receive(&mut reassembler, peer(1), &frames[3]).unwrap() {
        Received::Message(message) => {
            assert_eq!(message.payload, Payload::Binary(data));
            assert_eq!(message.metadata, Some(meta));
            assert_eq!(message.peer, peer(1));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(reassembler.total_buffered_bytes(), 0);
}

#[test]
fn transfers_interleave_across_peers_nonces_and_actions() {
    let a = Payload::Binary(vec![1; 40_000]);
    let b = Payload::Text("β".repeat(20_000));
    let frames_a = encode(action("x"), 0, &a, None);
    let frames_b = encode(action("x"), 1, &b, None);
    let frames_c = encode(action("y"), 0, &a, None);
    let mut reassembler = Reassembler::new();
    let mut done = Vec::new();
    for i in 0..3 {
        for (from, frames) in [
            (peer(1), &frames_a),
            (peer(1), &frames_b),
            (peer(2), &frames_c),
        ] {
            if let Some(frame) = frames.get(i)
                && let Received::Message(message) = receive(&mut reassembler, from, frame).unwrap()
            {
                done.push(message);
            }
        }
    }
    let keys: Vec<_> = done
        .iter()
        .map(|m| (m.peer, m.action.to_string(), m.nonce))
        .collect();
    assert_eq!(
        keys,
        [
            (peer(1), "x".into(), 0),
            (peer(1), "x".into(), 1),
            (peer(2), "y".into(), 0)
        ]
    );
    assert!(done[0].payload == a && done[1].payload == b && done[2].payload == a);
    assert_eq!(reassembler.stats().messages, 3);
}

#[test]
fn same_key_from_two_peers_does_not_mix() {
    let one = Payload::Binary(vec![1; 20_000]);
    let two = Payload::Binary(vec![2; 20_000]);
    let frames_one = encode(action("x"), 0, &one, None);
    let frames_two = encode(action("x"), 0, &two, None);
    let mut reassembler = Reassembler::new();
    receive(&mut reassembler, peer(1), &frames_one[0]).unwrap();
    receive(&mut reassembler, peer(2), &frames_two[0]).unwrap();
    let Received::Message(m2) = receive(&mut reassembler, peer(2), &frames_two[1]).unwrap() else {
        panic!()
    };
    assert_eq!(m2.payload, two);
    let Received::Message(m1) = receive(&mut reassembler, peer(1), &frames_one[1]).unwrap() else {
        panic!()
    };
    assert_eq!(m1.payload, one);
}

#[test]
fn a_nonce_is_reused_after_its_transfer_completes() {
    let mut reassembler = Reassembler::new();
    for round in 0..3u8 {
        let payload = Payload::Binary(vec![round; 17_000]);
        let frames = encode(action("x"), 9, &payload, None);
        assert_eq!(
            receive_all(&mut reassembler, peer(1), &frames).payload,
            payload
        );
    }
}

#[test]
fn short_chunks_are_typed_errors() {
    assert_eq!(
        ActionChunk::decode(&[0; 35]),
        Err(ChunkError::TooShort { len: 35 })
    );
    assert!(matches!(
        ActionChunk::decode(&[0; 36]),
        Err(ChunkError::ActionType(_))
    ));
}

#[test]
fn bad_metadata_json_aborts_the_transfer_only() {
    let mut reassembler = Reassembler::new();
    let error = reassembler
        .push(peer(1), chunk("x", 0, ChunkFlags::META, b"{nope"))
        .unwrap_err();
    assert!(matches!(
        error,
        ReassemblyError::Metadata {
            source: PayloadError::InvalidJson(_),
            ..
        }
    ));
    // The rest of that transfer is discarded, not delivered without its metadata.
    assert!(matches!(
        reassembler.push(peer(1), chunk("x", 0, ChunkFlags::LAST, b"data")),
        Ok(Received::Discarded { nonce: 0, .. })
    ));
    // Other transfers are unaffected.
    let frames = encode(action("x"), 1, &Payload::Text("ok".into()), None);
    assert_eq!(
        receive_all(&mut reassembler, peer(1), &frames).payload,
        Payload::Text("ok".into())
    );
    let stats = reassembler.stats();
    assert_eq!(
        (
            stats.rejected_chunks,
            stats.discarded_chunks,
            stats.aborted_transfers,
            stats.messages
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(reassembler.transfers_in_progress(&peer(1)), 0);
}

#[test]
fn metadata_that_is_not_utf8_is_a_typed_error() {
    let mut reassembler = Reassembler::new();
    assert!(matches!(
        reassembler.push(
            peer(1),
            chunk("x", 0, ChunkFlags::META | ChunkFlags::LAST, &[0xff])
        ),
        Err(ReassemblyError::Metadata {
            source: PayloadError::InvalidUtf8(_),
            ..
        })
    ));
}

#[test]
fn invalid_text_and_json_payloads_are_typed_errors() {
    let mut reassembler = Reassembler::new();
    assert!(matches!(
        reassembler.push(peer(1), chunk("x", 0, ChunkFlags::LAST, &[0xc3, 0x28])),
        Err(ReassemblyError::Payload {
            source: PayloadError::InvalidUtf8(_),
            ..
        })
    ));
    // Split across chunks: the error surfaces on the last one, and nothing stays buffered.
    reassembler
        .push(peer(1), chunk("x", 1, ChunkFlags::JSON, b"{\"a\":"))
        .unwrap();
    assert!(matches!(
        reassembler.push(
            peer(1),
            chunk("x", 1, ChunkFlags::JSON | ChunkFlags::LAST, b"}")
        ),
        Err(ReassemblyError::Payload {
            source: PayloadError::InvalidJson(_),
            ..
        })
    ));
    assert_eq!(reassembler.total_buffered_bytes(), 0);
    assert!(reassembler.accounting_is_consistent());
}

#[test]
fn metadata_in_the_middle_of_a_transfer_is_refused() {
    let mut reassembler = Reassembler::new();
    reassembler
        .push(peer(1), chunk("x", 0, ChunkFlags::BINARY, b"data"))
        .unwrap();
    assert!(matches!(
        reassembler.push(peer(1), chunk("x", 0, ChunkFlags::META, b"1")),
        Err(ReassemblyError::UnexpectedMetadata { nonce: 0, .. })
    ));
    assert_eq!(reassembler.total_buffered_bytes(), 0);
}

#[test]
fn forgetting_a_peer_frees_its_buffers() {
    let mut reassembler = Reassembler::new();
    let payload = Payload::Binary(vec![0; 100_000]);
    let frames = encode(action("x"), 0, &payload, None);
    for frame in &frames[..3] {
        receive(&mut reassembler, peer(1), frame).unwrap();
    }
    assert!(reassembler.buffered_bytes(&peer(1)) >= 3 * 16_348);
    reassembler.forget_peer(&peer(1));
    assert_eq!(reassembler.buffered_bytes(&peer(1)), 0);
    assert_eq!(reassembler.transfers_in_progress(&peer(1)), 0);
}

#[test]
fn a_json_null_metadata_is_kept() {
    let meta = JsonText::parse("null").unwrap();
    let frames = encode(action("x"), 0, &Payload::Text(String::new()), Some(&meta));
    assert_eq!(frames.len(), 1, "metadata-only transmission");
    let message = receive_all(&mut Reassembler::new(), peer(1), &frames);
    assert_eq!(message.metadata, Some(meta));
    assert_eq!(message.payload, Payload::Text(String::new()));
}

#[test]
fn chunk_iterators_report_exact_sizes() {
    let data = vec![0u8; 100_000];
    let iter = chunks(
        action("x"),
        0,
        trystero_core::wire::PayloadKind::Binary,
        &data,
        None,
    );
    assert_eq!(iter.len(), 7);
    assert_eq!(iter.total(), 7);
}

#[test]
fn recycled_buffers_are_reused_and_right_sized() {
    let mut reassembler = Reassembler::new();
    let big = Payload::Binary(vec![3; 1_000_000]);
    let frames = encode(action("x"), 0, &big, None);
    let message = receive_all(&mut reassembler, peer(1), &frames);
    let buffer = message.payload.into_bytes();
    let capacity = buffer.capacity();
    reassembler.recycle(buffer);
    assert_eq!(reassembler.spare_bytes(), capacity);

    // The next multi-chunk transfer takes it: no allocation, same result.
    let frames = encode(action("x"), 1, &big, None);
    receive(&mut reassembler, peer(2), &frames[0]).unwrap();
    assert_eq!(reassembler.spare_bytes(), 0);
    assert_eq!(
        reassembler.buffered_bytes(&peer(2)),
        capacity,
        "counted against the peer"
    );
    assert!(reassembler.accounting_is_consistent());
    for frame in &frames[1..frames.len() - 1] {
        receive(&mut reassembler, peer(2), frame).unwrap();
    }
    let Received::Message(message) =
        receive(&mut reassembler, peer(2), frames.last().unwrap()).unwrap()
    else {
        panic!("expected the message");
    };
    assert!(message.payload == big);

    // A small message that got a large recycled buffer does not carry the excess to the user.
    reassembler.recycle(message.payload.into_bytes());
    let small = Payload::Text("s".repeat(20_000));
    let frames = encode(action("x"), 2, &small, None);
    let message = receive_all(&mut reassembler, peer(1), &frames);
    assert!(message.payload == small);
    let bytes = message.payload.into_bytes();
    assert!(
        bytes.capacity() <= 2 * bytes.len() + 4096,
        "{}",
        bytes.capacity()
    );
    assert_eq!(reassembler.total_buffered_bytes(), 0);
}

#[test]
fn recycling_is_bounded() {
    let limits = trystero_core::wire::ReassemblyLimits {
        max_message_bytes: 100_000,
        max_transfers_per_peer: 4,
        max_buffered_bytes_per_peer: 60_000,
        max_buffered_bytes_total: 1 << 30,
    };
    let mut reassembler = Reassembler::with_limits(limits);
    reassembler.recycle(Vec::with_capacity(200_000));
    assert_eq!(
        reassembler.spare_bytes(),
        0,
        "larger than a message: dropped"
    );
    reassembler.recycle(Vec::with_capacity(80_000));
    reassembler.recycle(Vec::with_capacity(30_000));
    assert_eq!(
        reassembler.spare_bytes(),
        80_000,
        "total bounded by the message limit"
    );
    // The 80 000-byte spare exceeds the 60 000-byte peer budget, so it is not used.
    let frames = encode(action("x"), 0, &Payload::Binary(vec![1; 20_000]), None);
    receive(&mut reassembler, peer(1), &frames[0]).unwrap();
    assert_eq!(reassembler.spare_bytes(), 80_000);
    assert!(reassembler.buffered_bytes(&peer(1)) <= 60_000);
    assert!(reassembler.accounting_is_consistent());
}
