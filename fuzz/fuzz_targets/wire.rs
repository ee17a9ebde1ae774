//! Fuzzes the data-channel decoder and the reassembler together.
//!
//! The input is a stream of data-channel messages, each prefixed by one length byte and one
//! "peer" byte. Every message goes through `decode_frame`, then `ActionChunk::decode`, then
//! `Reassembler::push` with small limits so that the limit paths are reached often. Besides "no
//! panic", the target checks the reassembler's accounting and bounds after every step.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_core::PeerId;
use trystero_core::wire::{ActionChunk, Frame, Reassembler, ReassemblyLimits, decode_frame};

const PEERS: [&str; 3] = [
    "00000000000000000000",
    "aaaaaaaaaaaaaaaaaaaa",
    "ZZZZZZZZZZZZZZZZZZZZ",
];

fuzz_target!(|input: &[u8]| {
    let limits = ReassemblyLimits {
        max_message_bytes: 4096,
        max_transfers_per_peer: 8,
        max_buffered_bytes_per_peer: 8192,
        max_buffered_bytes_total: 12_288,
    };
    let mut reassembler = Reassembler::with_limits(limits);
    let peers: Vec<PeerId> = PEERS.iter().map(|p| PeerId::parse(p).unwrap()).collect();
    let mut rest = input;
    while let [len, who, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (message, next) = tail.split_at(len);
        rest = next;
        let peer = peers[usize::from(*who) % peers.len()];
        if *who == 0xff {
            reassembler.forget_peer(&peer);
        }
        let Ok(Frame::Room { chunk, .. }) = decode_frame(message) else {
            continue;
        };
        let Ok(chunk) = ActionChunk::decode(chunk) else {
            continue;
        };
        let _ = reassembler.push(peer, chunk);
        assert!(reassembler.accounting_is_consistent());
        assert!(reassembler.total_buffered_bytes() <= limits.max_buffered_bytes_total);
    }
});
