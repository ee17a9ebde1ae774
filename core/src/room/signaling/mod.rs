//! The signalling half of a room (protocol §3, §4, §5.2): finding the room's other peers
//! through relays and exchanging the encrypted session descriptions that connect us.
//!
//! Sans-IO like the [engine](super::engine): the driver feeds relay messages, transport results
//! and the time, and carries out the [`SignalingOutput`]s. Every call that may create a link,
//! draw an offer id or emit outputs takes a [`Step`]; each room's signalling owns its keys.
//!
//! - [`limits`]: the flood limits (peer state, connections being set up, nudges);
//! - [`message`]: the relay messages (offers, answers, candidates, announcements), written and
//!   validated exactly as Trystero JS does;
//! - [`topics`]: [`TopicSignaling`], for topic strategies (Nostr, MQTT);
//! - [`tracker`]: [`TrackerSignaling`], for the WebTorrent tracker strategy;
//! - [`SignalingOutput`] and [`LinkIds`] (`output.rs`): what both ask of the driver, and the
//!   link numbering they share with the engine;
//! - `RoomSignaling`: one room's signalling, whichever style its signaler speaks; the driver
//!   talks to this and never to either directly.

use std::sync::Arc;
use std::time::Duration;

use crate::PeerId;
use crate::keys::RoomKeys;
use crate::random::RandomSource;
use crate::room::LinkId;
use crate::signaler::SignalingStyle;
use crate::time::Millis;

pub mod limits;
pub mod message;
mod output;
pub mod topics;
pub mod tracker;

pub use message::IceCandidate;
pub(crate) use output::connect_failure_message;
pub use output::{LinkIds, SignalingOutput};
pub use topics::TopicSignaling;
pub use tracker::TrackerSignaling;

/// Warm-up delays between the first announces (233, 533, 1333 ms), then the steady interval.
pub const ANNOUNCE_WARMUP: [Duration; 3] = [
    Duration::from_millis(233),
    Duration::from_millis(533),
    Duration::from_millis(1_333),
];
/// After the answer (or our answer), the connection must open within this.
pub const CONNECT_TTL: Duration = Duration::from_millis(23_333);

/// A room's keys as its signalling holds them; `Debug` shows nothing of them.
#[derive(Clone)]
struct Keys(Arc<dyn RoomKeys>);

impl std::ops::Deref for Keys {
    type Target = dyn RoomKeys;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// One call's working set, besides its own inputs: the time, the link numbering shared with the
/// engine, randomness (offer ids) and where the outputs go.
pub struct Step<'a> {
    /// The current time.
    pub now: Millis,
    /// Numbers new links.
    pub links: &'a mut LinkIds,
    /// Draws offer ids.
    pub random: &'a mut dyn RandomSource,
    /// Receives what the driver must do.
    pub out: &'a mut Vec<SignalingOutput>,
}

impl std::fmt::Debug for Step<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("now", &self.now)
            .field("out", &self.out)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub(crate) enum RoomSignaling {
    Topics(TopicSignaling),
    Tracker(TrackerSignaling),
}

impl RoomSignaling {
    /// Starts a room's signalling in the style its signaler speaks.
    pub(crate) fn start(
        style: SignalingStyle,
        step: &mut Step<'_>,
        self_id: PeerId,
        keys: Arc<dyn RoomKeys>,
        passive: bool,
        has_turn: bool,
    ) -> Self {
        match style {
            SignalingStyle::Topics => Self::Topics(TopicSignaling::start(
                step, self_id, keys, passive, has_turn,
            )),
            SignalingStyle::Tracker => {
                Self::Tracker(TrackerSignaling::start(step, self_id, keys, has_turn))
            }
        }
    }

    /// The topics to unsubscribe from on leave.
    pub(crate) fn topics(&self) -> Vec<String> {
        match self {
            Self::Topics(signaling) => signaling.topics(),
            Self::Tracker(signaling) => vec![signaling.root_topic().to_owned()],
        }
    }

    pub(crate) fn next_deadline(&self) -> Option<Millis> {
        match self {
            Self::Topics(signaling) => signaling.next_deadline(),
            Self::Tracker(signaling) => signaling.next_deadline(),
        }
    }

    pub(crate) fn tick(&mut self, step: &mut Step<'_>) {
        match self {
            Self::Topics(signaling) => signaling.tick(step),
            Self::Tracker(signaling) => signaling.tick(step),
        }
    }

    pub(crate) fn on_relay_message(
        &mut self,
        step: &mut Step<'_>,
        relay: usize,
        topic: &str,
        payload: &str,
    ) {
        match self {
            Self::Topics(signaling) => signaling.on_relay_message(step, relay, topic, payload),
            Self::Tracker(signaling) => signaling.on_relay_message(step, relay, topic, payload),
        }
    }

    pub(crate) fn offer_created(
        &mut self,
        now: Millis,
        link: LinkId,
        sdp: &str,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.offer_created(now, link, sdp, out),
            Self::Tracker(signaling) => signaling.offer_created(now, link, sdp, out),
        }
    }

    /// The transport could not make an offer.
    pub(crate) fn offer_failed(&mut self, link: LinkId, out: &mut Vec<SignalingOutput>) {
        match self {
            // The offer expires on its own.
            Self::Topics(_) => {}
            Self::Tracker(signaling) => signaling.offer_failed(link, out),
        }
    }

    pub(crate) fn answer_created(
        &mut self,
        link: LinkId,
        sdp: &str,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.answer_created(link, sdp, out),
            Self::Tracker(signaling) => signaling.answer_created(link, sdp, out),
        }
    }

    pub(crate) fn local_candidate(
        &mut self,
        link: LinkId,
        candidate: IceCandidate,
        out: &mut Vec<SignalingOutput>,
    ) {
        match self {
            Self::Topics(signaling) => signaling.local_candidate(link, candidate, out),
            Self::Tracker(signaling) => signaling.local_candidate(link),
        }
    }

    pub(crate) fn connected(&mut self, peer: PeerId, link: LinkId) -> bool {
        match self {
            Self::Topics(signaling) => signaling.connected(peer, link),
            Self::Tracker(signaling) => signaling.connected(peer, link),
        }
    }

    pub(crate) fn use_shared_connection(&mut self, peer: PeerId, out: &mut Vec<SignalingOutput>) {
        match self {
            Self::Topics(signaling) => signaling.use_shared_connection(peer),
            Self::Tracker(signaling) => signaling.use_shared_connection(peer, out),
        }
    }

    pub(crate) fn disconnected(&mut self, now: Millis, peer: PeerId) {
        match self {
            Self::Topics(signaling) => signaling.disconnected(now, peer),
            Self::Tracker(signaling) => signaling.disconnected(now, peer),
        }
    }

    /// Links this room made that belong to nobody yet (the tracker's outstanding offers).
    pub(crate) fn unbound_links(&self) -> Vec<LinkId> {
        match self {
            Self::Topics(_) => Vec::new(),
            Self::Tracker(signaling) => signaling.pool_links(),
        }
    }
}
