//! What the signalling half asks of the driver ([`SignalingOutput`]) and the link numbering it
//! shares with the engine ([`LinkIds`]).

use super::message::IceCandidate;
use crate::id::PeerId;
use crate::room::LinkId;

/// Allocates link ids shared by both halves of the engine.
#[derive(Debug, Default)]
pub struct LinkIds {
    next: u64,
}

impl LinkIds {
    /// The next unused id.
    pub fn allocate(&mut self) -> LinkId {
        self.next += 1;
        LinkId(self.next)
    }
}

/// What the driver must do for the signalling half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalingOutput {
    /// Subscribe to a topic on every relay.
    Subscribe(String),
    /// Publish `payload` on `topic`, on one relay or (`None`) on all of them.
    Publish {
        /// The relay index, or all.
        relay: Option<usize>,
        /// The topic.
        topic: String,
        /// The §3.1 JSON.
        payload: String,
    },
    /// Create an offering connection for `peer` with id `link` (it creates the `data` channel);
    /// report the local SDP with [`TopicSignaling::offer_created`](super::TopicSignaling::offer_created).
    CreateOffer {
        /// The new link.
        link: LinkId,
        /// The remote peer.
        peer: PeerId,
    },
    /// Create an answering connection for `peer` from this offer SDP; report the answer with
    /// [`TopicSignaling::answer_created`](super::TopicSignaling::answer_created).
    AcceptOffer {
        /// The new link.
        link: LinkId,
        /// The remote peer.
        peer: PeerId,
        /// The decrypted offer SDP.
        sdp: String,
    },
    /// Apply the decrypted answer SDP to our offering connection.
    ApplyAnswer {
        /// The link.
        link: LinkId,
        /// The answer SDP.
        sdp: String,
    },
    /// Add a remote ICE candidate to a connection.
    AddCandidate {
        /// The link.
        link: LinkId,
        /// The candidate.
        candidate: IceCandidate,
    },
    /// Abandon a connection that never opened.
    CloseLink {
        /// The link.
        link: LinkId,
    },
    /// Create an offering connection for no peer yet (the tracker strategy's outstanding
    /// offers, §4.3); report the local SDP with `offer_created`, and expect a
    /// [`SignalingOutput::BindPeer`] once an answer claims it.
    CreatePoolOffer {
        /// The new link.
        link: LinkId,
    },
    /// A pool offer's link now belongs to `peer` (its answer claimed the offer).
    BindPeer {
        /// The link.
        link: LinkId,
        /// The peer that answered.
        peer: PeerId,
    },
    /// A relay's warning or failure message (a torrent tracker's `warning message` or
    /// `failure reason`), for the room's users.
    RelayNotice {
        /// The relay index.
        relay: usize,
        /// The relay's words.
        message: String,
    },
    /// Tell the user (Trystero's `onJoinError` wording).
    JoinError {
        /// The peer.
        peer: PeerId,
        /// Why.
        error: String,
    },
}

pub(crate) fn connect_failure_message(peer: PeerId, has_turn: bool) -> String {
    let hint = if has_turn {
        "check that your TURN server URLs and credentials are reachable by both peers"
    } else {
        "configure TURN servers with turnConfig or rtcConfig.iceServers"
    };
    format!("could not connect to peer {peer} after exchanging SDP; {hint}")
}
