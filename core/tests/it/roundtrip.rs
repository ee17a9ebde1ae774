//! Property: chunk → frame → decode → reassemble is the identity, for any payload kind, any size
//! (0 to several MiB), any metadata, and any interleaving of concurrent transfers.

use proptest::prelude::*;
use trystero_core::SeededRandom;
use trystero_core::wire::{JsonText, Payload, Reassembler, Received};

use super::{action, encode, peer, receive};

/// Sizes that matter: tiny, around the 16 348-byte chunk boundary, medium, and several MiB.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 0usize..64,
        3 => 16_300usize..16_400,
        2 => 32_680usize..32_720,
        3 => 0usize..200_000,
        1 => (1usize << 20)..(4usize << 20),
    ]
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Json,
    Binary,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Text), Just(Kind::Json), Just(Kind::Binary)]
}

/// A payload of about `len` bytes, filled from `seed`.
fn payload(kind: Kind, len: usize, seed: u64) -> Payload {
    let mut random = SeededRandom::new(seed);
    match kind {
        Kind::Binary => {
            let mut bytes = vec![0u8; len];
            trystero_core::RandomSource::fill_bytes(&mut random, &mut bytes).unwrap();
            Payload::Binary(bytes)
        }
        Kind::Text => Payload::Text(text(&mut random, len)),
        Kind::Json => {
            Payload::json(&serde_json::json!({ "text": text(&mut random, len), "n": seed }))
                .unwrap()
        }
    }
}

/// Text with multi-byte characters, so chunk boundaries split UTF-8 sequences.
fn text(random: &mut SeededRandom, len: usize) -> String {
    const PIECES: [&str; 6] = ["a", "Z", " ", "é", "€", "😀"];
    let mut out = String::with_capacity(len + 4);
    while out.len() < len {
        let pick = random.next_u64();
        out.push_str(PIECES[(pick % 6) as usize]);
    }
    out
}

fn metadata() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some("null".to_owned())),
        1 => Just(Some("false".to_owned())),
        1 => Just(Some("0".to_owned())),
        2 => "[a-z]{0,40}".prop_map(|s| Some(format!(r#"{{"name":"{s}","size":1}}"#))),
    ]
}

#[derive(Debug, Clone)]
struct Transfer {
    peer: u8,
    action: &'static str,
    kind: Kind,
    len: usize,
    seed: u64,
    metadata: Option<String>,
}

fn transfer() -> impl Strategy<Value = Transfer> {
    (
        0u8..3,
        prop_oneof![Just("chat"), Just("file"), Just("@_hsdata")],
        kind(),
        size(),
        any::<u64>(),
        metadata(),
    )
        .prop_map(|(peer, action, kind, len, seed, metadata)| Transfer {
            peer,
            action,
            kind,
            len,
            seed,
            metadata,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn chunk_then_reassemble_is_the_identity(
        transfers in prop::collection::vec(transfer(), 1..5),
        schedule in prop::collection::vec(any::<u16>(), 0..64),
    ) {
        // Every transfer gets its own nonce, so keys never collide while in flight.
        let sent: Vec<(Payload, Option<JsonText>, Vec<Vec<u8>>)> = transfers
            .iter()
            .enumerate()
            .map(|(nonce, t)| {
                let payload = payload(t.kind, t.len, t.seed);
                let meta = t.metadata.as_deref().map(|m| JsonText::parse(m).unwrap());
                let frames = encode(action(t.action), nonce as u16, &payload, meta.as_ref());
                (payload, meta, frames)
            })
            .collect();

        let mut next = vec![0usize; sent.len()];
        let mut last_progress = vec![0u8; sent.len()];
        let mut delivered = vec![false; sent.len()];
        let mut reassembler = Reassembler::new();
        let mut step = 0;
        loop {
            let open: Vec<usize> = (0..sent.len()).filter(|&i| next[i] < sent[i].2.len()).collect();
            if open.is_empty() {
                break;
            }
            let pick = schedule.get(step % schedule.len().max(1)).copied().unwrap_or(0);
            let i = open[usize::from(pick) % open.len()];
            step += 1;
            let frame = &sent[i].2[next[i]];
            next[i] += 1;
            let is_last = next[i] == sent[i].2.len();
            match receive(&mut reassembler, peer(transfers[i].peer), frame).unwrap() {
                Received::Progress(progress) => {
                    prop_assert!(!is_last);
                    prop_assert!(progress.progress >= last_progress[i]);
                    last_progress[i] = progress.progress;
                    prop_assert_eq!(progress.metadata, sent[i].1.as_ref());
                    prop_assert_eq!(progress.nonce, i as u16);
                }
                Received::Message(message) => {
                    prop_assert!(is_last);
                    prop_assert!(message.payload == sent[i].0, "payload {} differs", i);
                    prop_assert_eq!(&message.metadata, &sent[i].1);
                    prop_assert_eq!(message.action.as_str(), transfers[i].action);
                    prop_assert_eq!(message.peer, peer(transfers[i].peer));
                    delivered[i] = true;
                    if transfers[i].seed % 2 == 1 {
                        reassembler.recycle(message.payload.into_bytes());
                    }
                }
                Received::Discarded { .. } => prop_assert!(false, "nothing is discarded"),
            }
            prop_assert!(reassembler.accounting_is_consistent());
        }
        prop_assert!(delivered.iter().all(|&d| d));
        prop_assert_eq!(reassembler.total_buffered_bytes(), 0);
        prop_assert!(reassembler.spare_bytes() <= reassembler.limits().max_message_bytes);
        prop_assert_eq!(reassembler.stats().messages, sent.len() as u64);
    }
}
