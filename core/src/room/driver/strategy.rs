//! The signalling half of one room, whichever style the signaler speaks: topics (Nostr, MQTT)
//! or a tracker (torrent). The driver talks to this and never to either directly.

use super::super::LinkId;
use super::super::signaling::{LinkIds, Signaling, SignalingOutput};
use super::super::tracker::TrackerSignaling;
use crate::PeerId;
use crate::keys::RoomKeys;
use crate::random::RandomSource;
use crate::signal::IceCandidate;
use crate::signaler::SignalingStyle;
use crate::time::Millis;

#[derive(Debug)]
pub(super) enum RoomSignaling {
    Topics(Signaling),
    Tracker(TrackerSignaling),
}

/// Where a room's signalling stands, for [`RoomSignaling::start`].
pub(super) struct Start<'a> {
    pub(super) now: Millis,
    pub(super) self_id: PeerId,
    pub(super) keys: &'a dyn RoomKeys,
    pub(super) passive: bool,
    pub(super) has_turn: bool,
}

impl RoomSignaling {
    pub(super) fn start(
        style: SignalingStyle,
        start: &Start<'_>,
        links: &mut LinkIds,
        random: &mut dyn RandomSource,
        out: &mut Vec<SignalingOutput>,
    ) -> Self {
        match style {
            SignalingStyle::Topics => Self::Topics(Signaling::start(
                start.now,
                start.self_id,
                start.keys,
                start.passive,
                start.has_turn,
                out,
            )),
            SignalingStyle::Tracker => Self::Tracker(TrackerSignaling::start(
                start.now,
                start.self_id,
                start.keys,
                start.has_turn,
                links,
                random,
                out,
            )),
        }
    }

    /// The topics to unsubscribe from on leave.
    pub(super) fn topics(&self, keys: &dyn RoomKeys, self_id: &PeerId) -> Vec<String> {
        match self {
            Self::Topics(_) => vec![keys.peer_topic(self_id), keys.root_topic()],
            Self::Tracker(_) => vec![keys.root_topic()],
        }
    }

    pub(super) fn next_deadline(&self) -> Option<Millis> {
        match self {
            Self::Topics(signaling) => signaling.next_deadline(),
            Self::Tracker(signaling) => signaling.next_deadline(),
        }
    }

    pub(super) fn tick(
        &mut self,
        now: Millis,
        links: &mut LinkIds,
        random: &mut dyn RandomSource,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.tick(now, out),
            Self::Tracker(signaling) => signaling.tick(now, links, random, out),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_relay_message(
        &mut self,
        now: Millis,
        relay: usize,
        topic: &str,
        payload: &str,
        keys: &dyn RoomKeys,
        links: &mut LinkIds,
        random: &mut dyn RandomSource,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => {
                signaling.on_relay_message(now, relay, topic, payload, keys, links, random, out);
            }
            Self::Tracker(signaling) => {
                signaling.on_relay_message(now, relay, topic, payload, keys, links, random, out);
            }
        }
    }

    pub(super) fn offer_created(
        &mut self,
        now: Millis,
        link: LinkId,
        sdp: &str,
        keys: &dyn RoomKeys,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.offer_created(now, link, sdp, keys, out),
            Self::Tracker(signaling) => signaling.offer_created(now, link, sdp, keys, out),
        }
    }

    /// The transport could not make an offer.
    pub(super) fn offer_failed(&mut self, link: LinkId, out: &mut Vec<SignalingOutput>) {
        match self {
            // The offer expires on its own.
            Self::Topics(_) => {}
            Self::Tracker(signaling) => signaling.offer_failed(link, out),
        }
    }

    pub(super) fn answer_created(
        &mut self,
        link: LinkId,
        sdp: &str,
        keys: &dyn RoomKeys,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.answer_created(link, sdp, keys, out),
            Self::Tracker(signaling) => signaling.answer_created(link, sdp, keys, out),
        }
    }

    pub(super) fn local_candidate(
        &mut self,
        link: LinkId,
        candidate: IceCandidate,
        keys: &dyn RoomKeys,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.local_candidate(link, candidate, keys, out),
            Self::Tracker(signaling) => signaling.local_candidate(link),
        }
    }

    pub(super) fn connected(&mut self, peer: PeerId, link: LinkId) -> bool {
        match self {
            Self::Topics(signaling) => signaling.connected(peer, link),
            Self::Tracker(signaling) => signaling.connected(peer, link),
        }
    }

    pub(super) fn use_shared_connection(&mut self, peer: PeerId, out: &mut Vec<SignalingOutput>) {
        match self {
            Self::Topics(signaling) => signaling.use_shared_connection(peer),
            Self::Tracker(signaling) => signaling.use_shared_connection(peer, out),
        }
    }

    pub(super) fn disconnected(&mut self, now: Millis, peer: PeerId) {
        match self {
            Self::Topics(signaling) => signaling.disconnected(now, peer),
            Self::Tracker(signaling) => signaling.disconnected(now, peer),
        }
    }

    /// Links this room made that belong to nobody yet (the tracker's outstanding offers).
    pub(super) fn unbound_links(&self) -> Vec<LinkId> {
        match self {
            Self::Topics(_) => Vec::new(),
            Self::Tracker(signaling) => signaling.pool_links(),
        }
    }
}
