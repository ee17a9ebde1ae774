//! The flood limits of a room's signalling. Anyone who knows an app's and room's ids can
//! publish signals with made-up peer ids; these bounds keep what that costs us — peer state,
//! WebRTC connections being set up, and what we publish in return — small and fixed.

use std::time::Duration;

use crate::time::Millis;

/// Peers a room keeps signalling state for (connected ones included). Anyone who knows the
/// app and room ids can make up peer ids: a signal from a new one beyond this is ignored.
pub const MAX_PEERS: usize = 256;
/// Connections being set up at once (our offers not yet connected, offers we answer): each
/// holds a WebRTC connection for up to [`OFFER_TTL`](super::topics::OFFER_TTL). Beyond it,
/// announcements and offers from new peers wait (an honest peer announces again and gets its
/// turn).
pub const MAX_HALF_OPEN: usize = 32;
/// Of [`MAX_HALF_OPEN`], how many one relay may start, so one flooding relay cannot take them
/// all.
pub const MAX_HALF_OPEN_PER_RELAY: usize = 16;
/// Nudges (an announce to a higher peer's topic) sent to one peer at most this often.
pub const NUDGE_INTERVAL: Duration = Duration::from_secs(1);
/// Nudges a room sends in a burst, refilled at [`NUDGES_PER_SECOND`]: a flood of forged
/// announcements must not make us flood the relays.
pub const NUDGE_BURST: u32 = 20;
/// The nudge budget's refill rate.
pub const NUDGES_PER_SECOND: u32 = 10;

/// What the flood limits turned away (see [`TopicSignaling::refused`](super::TopicSignaling::refused)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refused {
    /// Signals from new peer ids while [`MAX_PEERS`] were tracked.
    pub peers: u64,
    /// Announcements and offers that would have started a connection beyond
    /// [`MAX_HALF_OPEN`] (or [`MAX_HALF_OPEN_PER_RELAY`]).
    pub connections: u64,
    /// Nudges not sent (too soon for that peer, or the room's budget spent).
    pub nudges: u64,
}

/// The limits' running state: the nudge budget and the counts of what was refused.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Nudge tokens, and when they were last refilled.
    nudges: (u32, Millis),
    pub(crate) refused: Refused,
}

impl Limits {
    pub(crate) fn new(now: Millis) -> Self {
        Self {
            nudges: (NUDGE_BURST, now),
            refused: Refused::default(),
        }
    }

    /// Whether a connection may start through `relay`, given the relays that started the
    /// connections being set up now.
    pub(crate) fn may_open(&mut self, started: impl Iterator<Item = usize>, relay: usize) -> bool {
        let (mut all, mut theirs) = (0, 0);
        for origin in started {
            all += 1;
            theirs += usize::from(origin == relay);
        }
        let room = all < MAX_HALF_OPEN && theirs < MAX_HALF_OPEN_PER_RELAY;
        if !room {
            self.refused.connections += 1;
        }
        room
    }

    /// Whether a nudge may go now to a peer last nudged at `last` (and takes it from the
    /// budget if so).
    pub(crate) fn may_nudge(&mut self, now: Millis, last: Option<Millis>) -> bool {
        let (tokens, since) = self.nudges;
        let elapsed = u32::try_from(now.0.saturating_sub(since.0)).unwrap_or(u32::MAX);
        let refill = elapsed.saturating_mul(NUDGES_PER_SECOND) / 1_000;
        if refill > 0 {
            self.nudges = (tokens.saturating_add(refill).min(NUDGE_BURST), now);
        }
        let recent = last.is_some_and(|at| now < at.after(NUDGE_INTERVAL));
        if recent || self.nudges.0 == 0 {
            self.refused.nudges += 1;
            return false;
        }
        self.nudges.0 -= 1;
        true
    }
}
