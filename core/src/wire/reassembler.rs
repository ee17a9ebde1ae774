//! Reassembling chunks into messages, with bounded memory (protocol §6.2, "reassembly").
//!
//! Transfers are keyed by (sender peer, action type, nonce). The channel is ordered, so payload
//! chunks are appended in arrival order; the metadata chunk, when present, comes first. Every
//! chunk yields receive progress; the final chunk yields the [`ReceivedMessage`].
//!
//! # Limits
//!
//! A hostile peer must not grow our memory without bound, so [`ReassemblyLimits`] caps the size of
//! one message, the number of concurrent transfers per peer, the bytes buffered per peer and the
//! bytes buffered for all peers together (counted as allocated capacity). Going past a limit is a
//! typed [`ReassemblyError`] and frees the partial buffers:
//!
//! - a message that grows past `max_message_bytes`, or a peer that would buffer more than
//!   `max_buffered_bytes_per_peer` (or than what `max_buffered_bytes_total` leaves it beside the
//!   other peers): that transfer's buffer is freed and its remaining chunks are discarded
//!   (answered with [`Received::Discarded`]) until its final chunk;
//! - a peer that opens more than `max_transfers_per_peer` transfers: all of its partial buffers
//!   are freed and the peer is *desynchronized*: its chunks are rejected until
//!   [`Reassembler::forget_peer`]. A later chunk of a dropped transfer could otherwise be taken
//!   for the start of a new one and deliver a corrupt message.
//!
//! No error ever delivers a partial or corrupted message.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::chunk::{ActionChunk, ActionType};
use super::payload::{JsonText, Payload, PayloadError, PayloadKind};
use crate::id::PeerId;

/// The reassembler's bounds. See the [module docs](self) for what happens at each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblyLimits {
    /// The largest message (payload plus metadata), in bytes. Default 64 MiB.
    pub max_message_bytes: usize,
    /// The most transfers one peer may have in progress at once. Default 256.
    pub max_transfers_per_peer: usize,
    /// The most bytes buffered for one peer's transfers in progress. Default 256 MiB.
    pub max_buffered_bytes_per_peer: usize,
    /// The most bytes buffered for all peers' transfers together. Default 512 MiB: without it,
    /// 256 peers could hold 256 MiB each. A peer's budget is the smaller of its own limit and
    /// what this leaves beside the others; going past it is [`ReassemblyError::PeerBufferFull`]
    /// with that budget as the limit.
    pub max_buffered_bytes_total: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 << 20,
            max_transfers_per_peer: 256,
            max_buffered_bytes_per_peer: 256 << 20,
            max_buffered_bytes_total: 512 << 20,
        }
    }
}

/// A chunk could not be reassembled. The transfer it belonged to is dropped and its buffer freed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReassemblyError {
    /// The metadata chunk is not valid UTF-8 JSON.
    #[error("metadata of {action} #{nonce} is not valid JSON: {source}")]
    Metadata {
        /// The transfer's action.
        action: ActionType,
        /// The transfer's nonce.
        nonce: u16,
        /// Why it failed to parse.
        source: PayloadError,
    },
    /// A metadata chunk arrived after metadata or data of the same transfer.
    #[error("unexpected metadata chunk in the middle of {action} #{nonce}")]
    UnexpectedMetadata {
        /// The transfer's action.
        action: ActionType,
        /// The transfer's nonce.
        nonce: u16,
    },
    /// The message grew past the size limit.
    #[error("message {action} #{nonce} exceeds the {limit}-byte message limit")]
    MessageTooLarge {
        /// The transfer's action.
        action: ActionType,
        /// The transfer's nonce.
        nonce: u16,
        /// The limit in force.
        limit: usize,
    },
    /// The peer's transfers would buffer more than the per-peer limit.
    #[error("transfer {action} #{nonce} would buffer more than {limit} bytes for its peer")]
    PeerBufferFull {
        /// The transfer's action.
        action: ActionType,
        /// The transfer's nonce.
        nonce: u16,
        /// The limit in force.
        limit: usize,
    },
    /// The peer opened more concurrent transfers than allowed; it is now desynchronized.
    #[error("peer opened more than {limit} concurrent transfers; its transfers were dropped")]
    TooManyTransfers {
        /// The limit in force.
        limit: usize,
    },
    /// The peer is desynchronized after [`ReassemblyError::TooManyTransfers`]; its chunks are
    /// rejected until [`Reassembler::forget_peer`].
    #[error("peer is desynchronized after exceeding the transfer limit")]
    PeerDesynchronized,
    /// The completed payload does not match its kind (bad UTF-8 text, bad JSON).
    #[error("payload of {action} #{nonce} is invalid: {source}")]
    Payload {
        /// The transfer's action.
        action: ActionType,
        /// The transfer's nonce.
        nonce: u16,
        /// What was wrong.
        source: PayloadError,
    },
}

/// Counters of what the reassembler saw; the room engine exposes them for diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Chunks pushed.
    pub chunks: u64,
    /// Messages completed.
    pub messages: u64,
    /// Chunks that produced an error.
    pub rejected_chunks: u64,
    /// Chunks ignored because their transfer had been aborted.
    pub discarded_chunks: u64,
    /// Transfers dropped because of an error.
    pub aborted_transfers: u64,
}

/// Progress of a transfer, after one of its chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveProgress<'a> {
    /// The transfer's action.
    pub action: ActionType,
    /// The transfer's nonce.
    pub nonce: u16,
    /// The chunk's progress byte: `round((i + 1) / total · 255)`.
    pub progress: u8,
    /// The transfer's metadata, once its metadata chunk has arrived.
    pub metadata: Option<&'a JsonText>,
}

impl ReceiveProgress<'_> {
    /// Progress as a fraction from 0 to 1, as JS reports it (`progressByte / 255`).
    pub fn fraction(&self) -> f32 {
        f32::from(self.progress) / 255.0
    }
}

/// A complete message.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedMessage {
    /// The sender.
    pub peer: PeerId,
    /// The action it was sent on.
    pub action: ActionType,
    /// The transmission's nonce.
    pub nonce: u16,
    /// The payload, validated against its kind.
    pub payload: Payload,
    /// The metadata, if the sender attached any.
    pub metadata: Option<JsonText>,
}

/// What one chunk produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Received<'a> {
    /// The transfer is not complete yet.
    Progress(ReceiveProgress<'a>),
    /// The transfer is complete (the final chunk's progress is 255 from conforming senders).
    Message(ReceivedMessage),
    /// The chunk belongs to a transfer aborted earlier, and was dropped.
    Discarded {
        /// The transfer's action.
        action: ActionType,
        /// The transfer's nonce.
        nonce: u16,
    },
}

type TransferKey = (ActionType, u16);

#[derive(Debug)]
enum Transfer {
    Receiving {
        data: Vec<u8>,
        metadata: Option<JsonText>,
    },
    /// Aborted: the buffer is freed, later chunks are dropped until the final one.
    Discarding,
}

impl Transfer {
    fn buffered(&self) -> usize {
        match self {
            Self::Receiving { data, metadata } => {
                data.capacity() + metadata.as_ref().map_or(0, |json| json.len())
            }
            Self::Discarding => 0,
        }
    }
}

#[derive(Debug, Default)]
struct PeerTransfers {
    transfers: BTreeMap<TransferKey, Transfer>,
    /// The sum of `Transfer::buffered` over `transfers`.
    buffered: usize,
    desynchronized: bool,
}

/// Reassembles chunks from many peers into messages. One per room.
#[derive(Debug, Default)]
pub struct Reassembler {
    limits: ReassemblyLimits,
    peers: BTreeMap<PeerId, PeerTransfers>,
    /// The sum of every peer's `buffered`, kept as they change (read on every chunk).
    total: usize,
    stats: ReassemblyStats,
    /// Buffers handed back with [`Reassembler::recycle`], reused for new transfers.
    spare: Vec<Vec<u8>>,
}

/// How many recycled buffers are kept at most.
const MAX_SPARE_BUFFERS: usize = 4;

/// What `push` decided, before borrowing anything for the result.
enum Step {
    /// More chunks to come; whether the transfer carries metadata (looked up only then).
    Progress {
        has_metadata: bool,
    },
    Complete(ReceivedMessage),
    Discarded,
}

impl Reassembler {
    /// A reassembler with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// A reassembler with custom limits.
    pub fn with_limits(limits: ReassemblyLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> ReassemblyLimits {
        self.limits
    }

    /// The counters so far.
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Bytes buffered for `peer`'s transfers in progress (allocated capacity).
    pub fn buffered_bytes(&self, peer: &PeerId) -> usize {
        self.peers.get(peer).map_or(0, |state| state.buffered)
    }

    /// Bytes buffered for all peers.
    pub fn total_buffered_bytes(&self) -> usize {
        self.total
    }

    /// Transfers in progress (or being discarded), all peers together.
    pub fn total_transfers(&self) -> usize {
        self.peers.values().map(|state| state.transfers.len()).sum()
    }

    /// Transfers in progress (or being discarded) for `peer`.
    pub fn transfers_in_progress(&self, peer: &PeerId) -> usize {
        self.peers
            .get(peer)
            .map_or(0, |state| state.transfers.len())
    }

    /// Whether the per-peer byte counts equal what the buffers really hold, and every count is
    /// within its limit. Always true; exposed for property tests and fuzzing.
    #[doc(hidden)]
    pub fn accounting_is_consistent(&self) -> bool {
        let total: usize = self.peers.values().map(|state| state.buffered).sum();
        total == self.total
            && total <= self.limits.max_buffered_bytes_total
            && self.peers.values().all(|state| {
                let held: usize = state.transfers.values().map(Transfer::buffered).sum();
                held == state.buffered
                    && state.buffered <= self.limits.max_buffered_bytes_per_peer
                    && state.transfers.len() <= self.limits.max_transfers_per_peer
                    && state
                        .transfers
                        .values()
                        .all(|transfer| transfer.buffered() <= self.limits.max_message_bytes)
            })
    }

    /// Hands a message's buffer back (see [`Payload::into_bytes`]) so that a later transfer
    /// reuses it instead of allocating: a steady stream of large messages then runs without
    /// allocating or page-faulting. At most a few buffers, of at most `max_message_bytes` in
    /// total, are kept; others are dropped.
    pub fn recycle(&mut self, mut buffer: Vec<u8>) {
        let held: usize = self.spare.iter().map(Vec::capacity).sum();
        if buffer.capacity() == 0
            || self.spare.len() >= MAX_SPARE_BUFFERS
            || held + buffer.capacity() > self.limits.max_message_bytes
        {
            return;
        }
        buffer.clear();
        self.spare.push(buffer);
    }

    /// Bytes held in recycled buffers waiting for reuse.
    pub fn spare_bytes(&self) -> usize {
        self.spare.iter().map(Vec::capacity).sum()
    }

    /// Drops everything known about `peer` (it left, or was disconnected), freeing its buffers
    /// and clearing a desynchronized state.
    pub fn forget_peer(&mut self, peer: &PeerId) {
        if let Some(state) = self.peers.remove(peer) {
            self.total -= state.buffered;
        }
    }

    /// Feeds one chunk received from `peer`.
    pub fn push(
        &mut self,
        peer: PeerId,
        chunk: ActionChunk<'_>,
    ) -> Result<Received<'_>, ReassemblyError> {
        self.stats.chunks += 1;
        let key = (chunk.header.action, chunk.header.nonce);
        let before = self.buffered_bytes(&peer);
        let stepped = self.step(peer, key, chunk);
        self.total = self.total - before + self.buffered_bytes(&peer);
        let step = match stepped {
            Ok(step) => step,
            Err(error) => {
                self.stats.rejected_chunks += 1;
                self.drop_peer_if_idle(&peer);
                return Err(error);
            }
        };
        Ok(match step {
            Step::Complete(message) => {
                self.stats.messages += 1;
                self.drop_peer_if_idle(&peer);
                Received::Message(message)
            }
            Step::Discarded => {
                self.stats.discarded_chunks += 1;
                self.drop_peer_if_idle(&peer);
                Received::Discarded {
                    action: key.0,
                    nonce: key.1,
                }
            }
            Step::Progress { has_metadata } => {
                let metadata = match has_metadata
                    .then(|| self.peers.get(&peer).and_then(|p| p.transfers.get(&key)))
                    .flatten()
                {
                    Some(Transfer::Receiving { metadata, .. }) => metadata.as_ref(),
                    _ => None,
                };
                Received::Progress(ReceiveProgress {
                    action: key.0,
                    nonce: key.1,
                    progress: chunk.header.progress,
                    metadata,
                })
            }
        })
    }

    fn drop_peer_if_idle(&mut self, peer: &PeerId) {
        if self
            .peers
            .get(peer)
            .is_some_and(|state| state.transfers.is_empty() && !state.desynchronized)
        {
            self.peers.remove(peer);
        }
    }

    fn step(
        &mut self,
        peer: PeerId,
        key: TransferKey,
        chunk: ActionChunk<'_>,
    ) -> Result<Step, ReassemblyError> {
        // This peer's budget: its own limit, or what the total leaves beside the others.
        let elsewhere = self.total - self.buffered_bytes(&peer);
        let mut limits = self.limits;
        limits.max_buffered_bytes_per_peer = limits
            .max_buffered_bytes_per_peer
            .min(limits.max_buffered_bytes_total.saturating_sub(elsewhere));
        let state = self.peers.entry(peer).or_default();
        if state.desynchronized {
            return Err(ReassemblyError::PeerDesynchronized);
        }
        let flags = chunk.header.flags;

        let in_progress = state.transfers.len();
        let transfer = match state.transfers.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            // A single-chunk transmission: nothing to buffer.
            Entry::Vacant(_) if flags.is_last() => {
                return complete_single(peer, key, chunk, &limits);
            }
            Entry::Vacant(entry) if in_progress < limits.max_transfers_per_peer => {
                let budget = limits
                    .max_buffered_bytes_per_peer
                    .saturating_sub(state.buffered);
                let data = take_spare(&mut self.spare, budget);
                state.buffered += data.capacity();
                entry.insert(Transfer::Receiving {
                    data,
                    metadata: None,
                })
            }
            Entry::Vacant(_) => {
                state.transfers.clear();
                state.buffered = 0;
                state.desynchronized = true;
                self.stats.aborted_transfers += in_progress as u64;
                return Err(ReassemblyError::TooManyTransfers {
                    limit: limits.max_transfers_per_peer,
                });
            }
        };

        let Transfer::Receiving { data, metadata } = transfer else {
            if flags.is_last() {
                state.transfers.remove(&key);
            }
            return Ok(Step::Discarded);
        };

        let before = data.capacity() + metadata.as_ref().map_or(0, |json| json.len());
        let others = state.buffered - before;
        let appended = if flags.is_meta() {
            append_metadata(metadata, data, chunk.payload, others, &limits, key)
        } else {
            let metadata_len = metadata.as_ref().map_or(0, |json| json.len());
            append_data(data, metadata_len, chunk.payload, others, &limits, key)
        };
        if let Err(error) = appended {
            // Free the partial buffer; keep a marker so the rest of the transfer is discarded.
            state.buffered = others;
            self.stats.aborted_transfers += 1;
            if flags.is_last() {
                state.transfers.remove(&key);
            } else {
                state.transfers.insert(key, Transfer::Discarding);
            }
            return Err(error);
        }
        if !flags.is_last() {
            state.buffered =
                others + data.capacity() + metadata.as_ref().map_or(0, |json| json.len());
            return Ok(Step::Progress {
                has_metadata: metadata.is_some(),
            });
        }
        let mut data = std::mem::take(data);
        if data.capacity() > 2 * data.len() + 4096 {
            // A recycled buffer much larger than this message: don't hand the excess to the user.
            data.shrink_to_fit();
        }
        let metadata = metadata.take();
        state.transfers.remove(&key);
        state.buffered = others;
        complete(peer, key, PayloadKind::from_flags(flags), data, metadata)
    }
}

/// Validates the assembled bytes against their kind and builds the message.
fn complete(
    peer: PeerId,
    (action, nonce): TransferKey,
    kind: PayloadKind,
    data: Vec<u8>,
    metadata: Option<JsonText>,
) -> Result<Step, ReassemblyError> {
    let payload = Payload::decode(kind, data).map_err(|source| ReassemblyError::Payload {
        action,
        nonce,
        source,
    })?;
    Ok(Step::Complete(ReceivedMessage {
        peer,
        action,
        nonce,
        payload,
        metadata,
    }))
}

/// The largest recycled buffer that fits in `budget`, or an empty one.
fn take_spare(spare: &mut Vec<Vec<u8>>, budget: usize) -> Vec<u8> {
    spare
        .iter()
        .enumerate()
        .filter(|(_, buffer)| buffer.capacity() <= budget)
        .max_by_key(|(_, buffer)| buffer.capacity())
        .map(|(index, _)| index)
        .map_or_else(Vec::new, |index| spare.swap_remove(index))
}

/// Stores a metadata chunk: only as the first chunk of a transfer, within both limits.
fn append_metadata(
    metadata: &mut Option<JsonText>,
    data: &[u8],
    payload: &[u8],
    others: usize,
    limits: &ReassemblyLimits,
    (action, nonce): TransferKey,
) -> Result<(), ReassemblyError> {
    if metadata.is_some() || !data.is_empty() {
        return Err(ReassemblyError::UnexpectedMetadata { action, nonce });
    }
    if payload.len() > limits.max_message_bytes {
        return Err(ReassemblyError::MessageTooLarge {
            action,
            nonce,
            limit: limits.max_message_bytes,
        });
    }
    if others + payload.len() > limits.max_buffered_bytes_per_peer {
        return Err(ReassemblyError::PeerBufferFull {
            action,
            nonce,
            limit: limits.max_buffered_bytes_per_peer,
        });
    }
    *metadata = Some(parse_metadata(payload, (action, nonce))?);
    Ok(())
}

fn parse_metadata(bytes: &[u8], (action, nonce): TransferKey) -> Result<JsonText, ReassemblyError> {
    JsonText::from_bytes(bytes.to_vec()).map_err(|source| ReassemblyError::Metadata {
        action,
        nonce,
        source,
    })
}

/// Appends `payload` to `data`, growing it geometrically but never past the message limit or the
/// peer's buffer budget (`others` is what the peer's other transfers hold).
fn append_data(
    data: &mut Vec<u8>,
    metadata_len: usize,
    payload: &[u8],
    others: usize,
    limits: &ReassemblyLimits,
    (action, nonce): TransferKey,
) -> Result<(), ReassemblyError> {
    let needed = data.len() + payload.len();
    if needed + metadata_len > limits.max_message_bytes {
        return Err(ReassemblyError::MessageTooLarge {
            action,
            nonce,
            limit: limits.max_message_bytes,
        });
    }
    if needed > data.capacity() {
        let budget = limits
            .max_buffered_bytes_per_peer
            .saturating_sub(others + metadata_len);
        if needed > budget {
            return Err(ReassemblyError::PeerBufferFull {
                action,
                nonce,
                limit: limits.max_buffered_bytes_per_peer,
            });
        }
        let target = (data.capacity() * 2)
            .max(needed)
            .min(limits.max_message_bytes - metadata_len)
            .min(budget);
        data.reserve_exact(target - data.len());
        if data.capacity() > budget {
            // The allocator rounded up past the budget: give the excess back.
            data.shrink_to(target);
        }
    }
    data.extend_from_slice(payload);
    Ok(())
}

/// A transmission that fits in one chunk (possibly a metadata-only one).
fn complete_single(
    peer: PeerId,
    (action, nonce): TransferKey,
    chunk: ActionChunk<'_>,
    limits: &ReassemblyLimits,
) -> Result<Step, ReassemblyError> {
    if chunk.payload.len() > limits.max_message_bytes {
        return Err(ReassemblyError::MessageTooLarge {
            action,
            nonce,
            limit: limits.max_message_bytes,
        });
    }
    let flags = chunk.header.flags;
    let (data, metadata) = if flags.is_meta() {
        (
            Vec::new(),
            Some(parse_metadata(chunk.payload, (action, nonce))?),
        )
    } else {
        (chunk.payload.to_vec(), None)
    };
    complete(
        peer,
        (action, nonce),
        PayloadKind::from_flags(flags),
        data,
        metadata,
    )
}
