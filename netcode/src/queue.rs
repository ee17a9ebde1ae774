//! One player's inputs by frame: the confirmed ones in order, and what the session guessed for
//! frames it simulated before the real input came.

use crate::Frame;
use crate::input::Input;

/// Frames of history kept per player (far more than any rollback window).
pub(crate) const RING: usize = 128;

fn slot(frame: Frame) -> usize {
    usize::try_from(frame).unwrap_or(0) % RING
}

#[derive(Debug, Clone)]
pub(crate) struct Queue<I> {
    confirmed: Vec<(Frame, I)>,
    guessed: Vec<Option<(Frame, I)>>,
    /// Every frame below this is confirmed.
    next: Frame,
    last: Option<I>,
    /// From this frame on the player is gone (inputs are the default).
    disconnected_at: Option<Frame>,
}

impl<I: Input> Queue<I> {
    /// A queue whose first `delay` frames are the default input (nobody can press anything
    /// before the input delay has passed), the same on every peer.
    pub(crate) fn new(delay: Frame) -> Self {
        let mut queue = Self {
            confirmed: vec![(Frame::MAX, I::default()); RING],
            guessed: vec![None; RING],
            next: 0,
            last: None,
            disconnected_at: None,
        };
        for frame in 0..delay {
            queue.confirm(frame, I::default());
        }
        queue
    }

    pub(crate) fn next(&self) -> Frame {
        self.next
    }

    pub(crate) fn last(&self) -> Option<I> {
        self.last
    }

    pub(crate) fn disconnected_at(&self) -> Option<Frame> {
        self.disconnected_at
    }

    /// The confirmed input of `frame`, if it is still kept and the player was not dropped by
    /// then.
    pub(crate) fn get(&self, frame: Frame) -> Option<I> {
        let (at, input) = self.confirmed[slot(frame)];
        let present = self.disconnected_at.is_none_or(|dropped| frame < dropped);
        (frame < self.next && at == frame && present).then_some(input)
    }

    /// Confirms the next frame's input. Returns `Some(frame)` when the session had simulated
    /// that frame with a different guess (a rollback is due), `None` otherwise. Frames other
    /// than the next one are ignored (duplicates, or a gap the sender will fill).
    pub(crate) fn confirm(&mut self, frame: Frame, input: I) -> Option<Frame> {
        if frame != self.next {
            return None;
        }
        self.confirmed[slot(frame)] = (frame, input);
        self.next += 1;
        self.last = Some(input);
        match self.guessed[slot(frame)].take() {
            Some((at, guess)) if at == frame && guess != input => Some(frame),
            _ => None,
        }
    }

    /// Records the guess used for a frame the session simulates before its input arrived.
    pub(crate) fn guess(&mut self, frame: Frame, input: I) {
        self.guessed[slot(frame)] = Some((frame, input));
    }

    /// The player left: frames from `frame` on (never later than an earlier drop, never
    /// beyond what was received) use the default input. Returns the frame it now stops at if
    /// that moved (frames from there on must be simulated again).
    pub(crate) fn disconnect(&mut self, frame: Frame) -> Option<Frame> {
        let frame = frame.min(self.next);
        if self.disconnected_at.is_some_and(|dropped| dropped <= frame) {
            return None;
        }
        self.disconnected_at = Some(frame);
        for entry in &mut self.guessed {
            if entry.is_some_and(|(at, _)| at >= frame) {
                *entry = None;
            }
        }
        Some(frame)
    }
}
