//! The reassembler's memory bounds: a hostile peer cannot grow our memory without limit, and
//! going past a limit is a typed error that frees the partial buffers.

use trystero_core::wire::{
    ActionChunk, ChunkFlags, ChunkHeader, Payload, Reassembler, ReassemblyError, ReassemblyLimits,
    Received,
};

use super::{action, encode, peer, receive, receive_all};

const SMALL: ReassemblyLimits = ReassemblyLimits {
    max_message_bytes: 100_000,
    max_transfers_per_peer: 4,
    max_buffered_bytes_per_peer: 150_000,
    max_buffered_bytes_total: 1 << 30,
};

fn data_chunk(nonce: u16, last: bool, payload: &[u8]) -> ActionChunk<'_> {
    let mut flags = ChunkFlags::BINARY | ChunkFlags::JSON;
    if last {
        flags = flags | ChunkFlags::LAST;
    }
    ActionChunk {
        header: ChunkHeader {
            action: action("x"),
            nonce,
            flags,
            progress: 0,
        },
        payload,
    }
}

#[test]
fn defaults_are_sane() {
    let limits = ReassemblyLimits::default();
    assert_eq!(limits.max_message_bytes, 64 << 20);
    assert!(limits.max_buffered_bytes_per_peer >= limits.max_message_bytes);
    assert!(limits.max_transfers_per_peer >= 16);
    assert!(limits.max_buffered_bytes_total >= limits.max_buffered_bytes_per_peer);
}

/// Many peers each within their own limit cannot together pass the total: the peer that would
/// is refused (its transfer freed), the others complete, and the room's buffers stay bounded.
#[test]
fn the_total_across_peers_is_bounded() {
    let limits = ReassemblyLimits {
        max_buffered_bytes_total: 200_000,
        ..SMALL
    };
    let mut reassembler = Reassembler::with_limits(limits);
    let payload = Payload::Binary(vec![7; 90_000]);
    let frames = encode(action("x"), 0, &payload, None);
    let (last, partial) = frames.split_last().expect("several chunks");
    // Three peers start a 90 kB message each (each alone within its 150 kB budget).
    let mut refused = Vec::new();
    for sender in 1..=3 {
        for frame in partial {
            match receive(&mut reassembler, peer(sender), frame) {
                Ok(Received::Progress(_) | Received::Discarded { .. }) => {}
                Err(ReassemblyError::PeerBufferFull { .. }) => refused.push(sender),
                other => panic!("unexpected {other:?}"),
            }
            assert!(reassembler.total_buffered_bytes() <= 200_000);
            assert!(reassembler.accounting_is_consistent());
        }
    }
    assert_eq!(refused, [3], "the third peer would pass the total");
    assert_eq!(reassembler.buffered_bytes(&peer(3)), 0);
    // The first two complete intact; the third's last chunk is discarded, not delivered.
    for sender in 1..=2 {
        match receive(&mut reassembler, peer(sender), last) {
            Ok(Received::Message(message)) => assert_eq!(message.payload, payload),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(matches!(
        receive(&mut reassembler, peer(3), last),
        Ok(Received::Discarded { .. })
    ));
    assert_eq!(reassembler.total_buffered_bytes(), 0);
    // Once the others are done, the third peer fits again.
    assert_eq!(
        receive_all(
            &mut reassembler,
            peer(3),
            &encode(action("x"), 1, &payload, None)
        )
        .payload,
        payload
    );
}

#[test]
fn a_message_over_the_size_limit_is_refused_and_freed() {
    let mut reassembler = Reassembler::with_limits(SMALL);
    let frames = encode(action("x"), 0, &Payload::Binary(vec![1; 150_000]), None);
    let mut outcomes = Vec::new();
    for frame in &frames {
        outcomes.push(match receive(&mut reassembler, peer(1), frame) {
            Ok(Received::Progress(_)) => "progress",
            Ok(Received::Discarded { .. }) => "discarded",
            Ok(Received::Message(_)) => "message",
            Err(ReassemblyError::MessageTooLarge { limit: 100_000, .. }) => "too large",
            Err(other) => panic!("unexpected {other}"),
        });
        assert!(reassembler.buffered_bytes(&peer(1)) <= SMALL.max_message_bytes);
        assert!(reassembler.accounting_is_consistent());
    }
    // 16 348 * 6 = 98 088 fits; the 7th chunk would reach 114 436.
    assert_eq!(
        outcomes,
        [
            "progress",
            "progress",
            "progress",
            "progress",
            "progress",
            "progress",
            "too large",
            "discarded",
            "discarded",
            "discarded"
        ]
    );
    assert_eq!(reassembler.buffered_bytes(&peer(1)), 0);
    assert_eq!(reassembler.transfers_in_progress(&peer(1)), 0);
    // The peer can go on sending messages within the limit.
    let small = Payload::Binary(vec![2; 50_000]);
    let frames = encode(action("x"), 1, &small, None);
    assert_eq!(
        receive_all(&mut reassembler, peer(1), &frames).payload,
        small
    );
}

#[test]
fn a_single_chunk_over_the_limit_is_refused() {
    let limits = ReassemblyLimits {
        max_message_bytes: 10,
        ..SMALL
    };
    let mut reassembler = Reassembler::with_limits(limits);
    assert!(matches!(
        reassembler.push(peer(1), data_chunk(0, true, &[0; 11])),
        Err(ReassemblyError::MessageTooLarge { limit: 10, .. })
    ));
    assert!(matches!(
        reassembler.push(peer(1), data_chunk(0, true, &[0; 10])),
        Ok(Received::Message(_))
    ));
}

#[test]
fn the_per_peer_buffer_budget_spans_transfers() {
    let mut reassembler = Reassembler::with_limits(SMALL);
    let block = vec![0u8; 16_348];
    // Transfer 0 buffers 80 000+ bytes, transfer 1 then hits the 150 000 budget.
    for _ in 0..5 {
        reassembler
            .push(peer(1), data_chunk(0, false, &block))
            .unwrap();
    }
    let mut refused = None;
    for round in 0..6 {
        match reassembler.push(peer(1), data_chunk(1, false, &block)) {
            Ok(_) => {}
            Err(ReassemblyError::PeerBufferFull {
                limit, nonce: 1, ..
            }) => {
                refused = Some((round, limit));
                break;
            }
            Err(other) => panic!("unexpected {other}"),
        }
        assert!(reassembler.buffered_bytes(&peer(1)) <= SMALL.max_buffered_bytes_per_peer);
    }
    assert!(
        refused.is_some_and(|(_, limit)| limit == 150_000),
        "{refused:?}"
    );
    assert!(reassembler.accounting_is_consistent());
    // Transfer 0 is intact and completes; another peer has its own budget.
    reassembler
        .push(peer(1), data_chunk(0, true, &block))
        .unwrap();
    reassembler
        .push(peer(2), data_chunk(1, false, &block))
        .unwrap();
    assert!(reassembler.buffered_bytes(&peer(2)) > 0);
}

#[test]
fn too_many_transfers_desynchronize_the_peer_and_free_everything() {
    let mut reassembler = Reassembler::with_limits(SMALL);
    for nonce in 0..4 {
        reassembler
            .push(peer(1), data_chunk(nonce, false, &[1; 1000]))
            .unwrap();
    }
    assert_eq!(reassembler.transfers_in_progress(&peer(1)), 4);
    assert!(matches!(
        reassembler.push(peer(1), data_chunk(4, false, &[1; 1000])),
        Err(ReassemblyError::TooManyTransfers { limit: 4 })
    ));
    assert_eq!(reassembler.buffered_bytes(&peer(1)), 0);
    assert_eq!(reassembler.transfers_in_progress(&peer(1)), 0);
    // Later chunks of the dropped transfers must not restart them mid-stream.
    assert!(matches!(
        reassembler.push(peer(1), data_chunk(0, true, &[1; 10])),
        Err(ReassemblyError::PeerDesynchronized)
    ));
    // Other peers are unaffected.
    assert!(matches!(
        reassembler.push(peer(2), data_chunk(0, true, &[1; 10])),
        Ok(Received::Message(_))
    ));
    // Once the engine forgets the peer (on reconnect), it starts clean.
    reassembler.forget_peer(&peer(1));
    assert!(matches!(
        reassembler.push(peer(1), data_chunk(0, true, &[1; 10])),
        Ok(Received::Message(_))
    ));
    assert_eq!(reassembler.stats().aborted_transfers, 4);
}

#[test]
fn huge_metadata_counts_against_the_limits() {
    let mut reassembler = Reassembler::with_limits(SMALL);
    let meta = format!("\"{}\"", "m".repeat(99_998));
    let meta_chunk = ActionChunk {
        header: ChunkHeader {
            action: action("x"),
            nonce: 0,
            flags: ChunkFlags::META,
            progress: 0,
        },
        payload: meta.as_bytes(),
    };
    reassembler.push(peer(1), meta_chunk).unwrap();
    assert_eq!(reassembler.buffered_bytes(&peer(1)), 100_000);
    // One more byte of data makes the message too large.
    assert!(matches!(
        reassembler.push(peer(1), data_chunk(0, false, &[0])),
        Err(ReassemblyError::MessageTooLarge { .. })
    ));
    assert_eq!(reassembler.buffered_bytes(&peer(1)), 0);
}

/// A hostile peer streams never-ending transfers: memory stays within the budget throughout.
#[test]
fn an_endless_hostile_stream_stays_bounded() {
    let mut reassembler = Reassembler::with_limits(SMALL);
    let block = vec![0u8; 16_348];
    let mut errors = 0;
    for i in 0..2_000u32 {
        let nonce = (i % 7) as u16;
        if reassembler
            .push(peer(1), data_chunk(nonce, false, &block))
            .is_err()
        {
            errors += 1;
            reassembler.forget_peer(&peer(1));
        }
        assert!(reassembler.buffered_bytes(&peer(1)) <= SMALL.max_buffered_bytes_per_peer);
        assert!(reassembler.transfers_in_progress(&peer(1)) <= SMALL.max_transfers_per_peer);
    }
    assert!(errors > 0);
    assert!(reassembler.accounting_is_consistent());
}
