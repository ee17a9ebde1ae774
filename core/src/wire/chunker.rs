//! Splitting one transmission into action chunks (protocol §6.2, "chunking algorithm").
//!
//! `total = ceil(len / 16 348) + (metadata ? 1 : 0)`, at least 1. With metadata, chunk 0 carries
//! the metadata JSON and the `0x02` flag; data chunks follow. Only the final chunk has `0x01`.
//! Every chunk carries the payload kind's flags and its progress byte.

use std::collections::BTreeMap;

use super::CHUNK_PAYLOAD_LEN;
use super::chunk::{ActionChunk, ActionType, ChunkFlags, ChunkHeader, progress_byte};
use super::frame::encode_room_frame_chunk;
use super::payload::{JsonText, PayloadKind};
use crate::id::RoomToken;

/// The chunks of one transmission, borrowing the payload: nothing is copied until a chunk is
/// encoded (see [`super::frame::encode_room_frame_chunk`]).
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    action: ActionType,
    nonce: u16,
    kind_flags: ChunkFlags,
    data: &'a [u8],
    metadata: Option<&'a [u8]>,
    next_index: usize,
    total: usize,
}

/// Chunks `data` of `kind` for `action` with `nonce`, metadata first if any.
///
/// `metadata` is JSON text; pass `None` for no metadata (JS `undefined`). JSON `null`, `0` and
/// `false` are metadata like any other value.
pub fn chunks<'a>(
    action: ActionType,
    nonce: u16,
    kind: PayloadKind,
    data: &'a [u8],
    metadata: Option<&'a JsonText>,
) -> Chunks<'a> {
    let data_chunks = data.len().div_ceil(CHUNK_PAYLOAD_LEN);
    let total = (data_chunks + usize::from(metadata.is_some())).max(1);
    Chunks {
        action,
        nonce,
        kind_flags: kind.flags(),
        data,
        metadata: metadata.map(|json| json.get().as_bytes()),
        next_index: 0,
        total,
    }
}

impl Chunks<'_> {
    /// The number of chunks of the whole transmission.
    pub fn total(&self) -> usize {
        self.total
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = ActionChunk<'a>;

    fn next(&mut self) -> Option<ActionChunk<'a>> {
        let index = self.next_index;
        if index >= self.total {
            return None;
        }
        self.next_index += 1;
        let mut flags = self.kind_flags;
        if index + 1 == self.total {
            flags = flags | ChunkFlags::LAST;
        }
        let payload = match (self.metadata, index) {
            (Some(metadata), 0) => {
                flags = flags | ChunkFlags::META;
                metadata
            }
            _ => {
                let data_index = index - usize::from(self.metadata.is_some());
                let start = (data_index * CHUNK_PAYLOAD_LEN).min(self.data.len());
                let end = (start + CHUNK_PAYLOAD_LEN).min(self.data.len());
                &self.data[start..end]
            }
        };
        Some(ActionChunk {
            header: ChunkHeader {
                action: self.action,
                nonce: self.nonce,
                flags,
                progress: progress_byte(index, self.total),
            },
            payload,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.total - self.next_index;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Chunks<'_> {}

/// The chunks of one transmission as complete room frames, ready for the data channel.
#[derive(Debug, Clone)]
pub struct RoomFrames<'a> {
    token: RoomToken,
    chunks: Chunks<'a>,
}

impl<'a> Chunks<'a> {
    /// Wraps every chunk in a room frame for `token`; each frame is one data-channel message.
    pub fn into_room_frames(self, token: RoomToken) -> RoomFrames<'a> {
        RoomFrames {
            token,
            chunks: self,
        }
    }
}

impl Iterator for RoomFrames<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        let chunk = self.chunks.next()?;
        let mut frame = Vec::new();
        encode_room_frame_chunk(&self.token, &chunk, &mut frame);
        Some(frame)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for RoomFrames<'_> {}

/// The sender's nonce counters: one per action type (per room), starting at 0, incremented
/// (mod 65 536) after each send, shared by every target of that send.
#[derive(Debug, Clone, Default)]
pub struct NonceCounter {
    next: BTreeMap<ActionType, u16>,
}

impl NonceCounter {
    /// An empty set of counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nonce for the next transmission of `action`; advances its counter.
    pub fn next(&mut self, action: ActionType) -> u16 {
        let counter = self.next.entry(action).or_insert(0);
        let nonce = *counter;
        *counter = counter.wrapping_add(1);
        nonce
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat() -> ActionType {
        ActionType::new("chat").unwrap()
    }

    #[test]
    fn empty_payload_is_one_last_chunk() {
        let all: Vec<_> = chunks(chat(), 0, PayloadKind::Text, b"", None).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].header.flags, ChunkFlags::LAST);
        assert_eq!(all[0].header.progress, 255);
        assert!(all[0].payload.is_empty());
    }

    #[test]
    fn empty_payload_with_metadata_is_one_meta_last_chunk() {
        let meta = JsonText::parse("null").unwrap();
        let all: Vec<_> = chunks(chat(), 0, PayloadKind::Json, b"", Some(&meta)).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].header.flags,
            ChunkFlags::LAST | ChunkFlags::META | ChunkFlags::JSON
        );
        assert_eq!(all[0].payload, b"null");
    }

    #[test]
    fn boundaries_split_at_16348_bytes() {
        for (len, expected) in [(1, 1), (16_348, 1), (16_349, 2), (32_696, 2), (32_697, 3)] {
            let data = vec![7u8; len];
            let all: Vec<_> = chunks(chat(), 3, PayloadKind::Binary, &data, None).collect();
            assert_eq!(all.len(), expected, "len {len}");
            assert_eq!(all.iter().map(|c| c.payload.len()).sum::<usize>(), len);
            assert!(
                all[..expected - 1]
                    .iter()
                    .all(|c| c.payload.len() == 16_348)
            );
            assert!(all.iter().all(|c| c.header.nonce == 3));
            assert!(
                all[..expected - 1]
                    .iter()
                    .all(|c| !c.header.flags.is_last())
            );
            assert!(all[expected - 1].header.flags.is_last());
        }
    }

    #[test]
    fn metadata_comes_first_and_counts_in_the_total() {
        let meta = JsonText::parse(r#"{"m":1}"#).unwrap();
        let data = vec![1u8; 16_348];
        let iter = chunks(chat(), 1, PayloadKind::Text, &data, Some(&meta));
        assert_eq!(iter.len(), 2);
        let all: Vec<_> = iter.collect();
        assert_eq!(all[0].header.flags, ChunkFlags::META);
        assert_eq!(all[0].header.progress, 128);
        assert_eq!(all[0].payload, br#"{"m":1}"#);
        assert_eq!(all[1].header.flags, ChunkFlags::LAST);
        assert_eq!(all[1].payload.len(), 16_348);
    }

    #[test]
    fn nonces_count_per_action_and_wrap() {
        let mut nonces = NonceCounter::new();
        let ping = ActionType::new("@_ping").unwrap();
        assert_eq!(nonces.next(chat()), 0);
        assert_eq!(nonces.next(chat()), 1);
        assert_eq!(nonces.next(ping), 0);
        for _ in 2..65_536 {
            nonces.next(chat());
        }
        assert_eq!(nonces.next(chat()), 0, "wraps mod 65 536");
    }
}
