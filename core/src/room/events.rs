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
