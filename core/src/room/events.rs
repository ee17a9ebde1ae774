//! What the user of a room hears: [`RoomEvent`].

use std::sync::Arc;
use std::time::Duration;

use crate::id::PeerId;
use crate::wire::{ActionType, JsonText, ReassemblyError, ReceivedMessage};

/// What happened in a room, for the user.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RoomEvent {
    /// The peer completed the handshake: it is in the room.
    PeerJoined(PeerId),
    /// An active peer left (its `@_leave`, or its link closed).
    PeerLeft(PeerId),
    /// We cut the peer off for misbehaving; [`RoomEvent::PeerLeft`] follows.
    PeerDropped {
        /// The peer.
        peer: PeerId,
        /// What it did.
        reason: DropReason,
    },
    /// A peer could not join: handshake failure or timeout (Trystero's wording).
    JoinError {
        /// The peer.
        peer: PeerId,
        /// Why.
        error: String,
    },
    /// A complete user message (including `@_response` for the request layer).
    Message(ReceivedMessage),
    /// Receive progress of a user message.
    Progress {
        /// The sender.
        peer: PeerId,
        /// The action.
        action: ActionType,
        /// The transmission's nonce.
        nonce: u16,
        /// `round((i + 1) / total · 255)`.
        progress: u8,
        /// The transmission's metadata, once known.
        metadata: Option<JsonText>,
    },
    /// The answer to our ping.
    Pong {
        /// The peer.
        peer: PeerId,
        /// The round trip.
        rtt: Duration,
    },
    /// A message from the peer could not be reassembled (it is dropped).
    ReceiveError {
        /// The sender.
        peer: PeerId,
        /// What was wrong.
        error: Arc<ReassemblyError>,
    },
    /// A relay's warning or failure for this room (a torrent tracker's `warning message` or
    /// `failure reason`); Trystero JS logs these.
    RelayNotice {
        /// The relay's index in the signaler (see `relay_sockets`).
        relay: usize,
        /// What it said.
        message: String,
    },
}

/// Why a peer was cut off ([`RoomEvent::PeerDropped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// It kept sending `@_ping`s far beyond the budget
    /// ([`PING_FLOOD`](super::PING_FLOOD) went unanswered).
    PingFlood,
    /// It stopped reading: [`WRITE_QUEUE`](super::WRITE_QUEUE) of our handshake, pong and
    /// leave frames waited for it.
    Unresponsive,
    /// It had more transfers in progress at once than the reassembler allows
    /// (`max_transfers_per_peer`), after which none of its chunks could be read.
    TooManyTransfers,
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PingFlood => "it sent pings far beyond the budget",
            Self::Unresponsive => "it stopped reading what we send",
            Self::TooManyTransfers => "it had too many transfers in progress at once",
        })
    }
}
