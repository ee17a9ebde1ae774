//! The determinism harness: every frame it rolls back and simulates the last frames again,
//! and the checksums of the second pass must equal the first.

use crate::input::{Input, InputStatus, PlayerInput};
use crate::message::Checksum;
use crate::{Frame, Inputs, MAX_PLAYERS, Request};

/// A frame's state differed between its first simulation and a resimulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("desync at frame {frame}: checksum part {part} was {first:#x}, then {again:#x}")]
pub struct Mismatch {
    /// The frame (its state at the start).
    pub frame: Frame,
    /// The first differing part.
    pub part: usize,
    /// The first simulation's value.
    pub first: u64,
    /// The resimulation's.
    pub again: u64,
}

/// A session with no network that forces a rollback of `distance` frames every frame.
#[derive(Debug)]
pub struct SyncTestSession<I> {
    players: usize,
    distance: Frame,
    current: Frame,
    inputs: Vec<Vec<I>>,
    checksums: Vec<Option<Checksum>>,
    mismatch: Option<Mismatch>,
}

impl<I: Input> SyncTestSession<I> {
    /// `players` players (1 to 8), rolling back `distance` frames (1 or more) every frame.
    ///
    /// # Panics
    /// If `players` or `distance` is out of range.
    pub fn new(players: usize, distance: Frame) -> Self {
        assert!((1..=MAX_PLAYERS).contains(&players), "1 to 8 players");
        assert!((1..=60).contains(&distance), "a distance of 1 to 60 frames");
        let ring = usize::try_from(distance).unwrap_or(60) + 2;
        Self {
            players,
            distance,
            current: 0,
            inputs: vec![vec![I::default(); players]; ring],
            checksums: vec![None; ring],
            mismatch: None,
        }
    }

    /// The state slots the game keeps.
    pub fn slots(&self) -> usize {
        self.checksums.len()
    }

    fn slot(&self, frame: Frame) -> usize {
        usize::try_from(frame).unwrap_or(0) % self.slots()
    }

    /// The frame the next call simulates.
    pub fn current_frame(&self) -> Frame {
        self.current
    }

    /// The game's checksum of a state it saved with `checksum: true`. The first report of a
    /// frame is remembered; a later one that differs is the mismatch the next
    /// [`SyncTestSession::advance_frame`] returns.
    pub fn report_checksum(&mut self, frame: Frame, parts: &[u64]) {
        let report = Checksum::new(frame, parts);
        let slot = self.slot(frame);
        match self.checksums[slot] {
            Some(first) if first.frame == frame => {
                let differs = first
                    .parts()
                    .iter()
                    .zip(report.parts())
                    .enumerate()
                    .find(|(_, (a, b))| a != b);
                if let Some((part, (first, again))) = differs
                    && self.mismatch.is_none()
                {
                    self.mismatch = Some(Mismatch {
                        frame,
                        part,
                        first: *first,
                        again: *again,
                    });
                }
            }
            _ => self.checksums[slot] = Some(report),
        }
    }

    /// Rolls back `distance` frames and simulates them again, then simulates the next frame
    /// with these inputs (one per player): per frame 1 load, `distance` saves and
    /// `distance + 1` advances. Every frame's state is saved `distance` times over the
    /// following calls, and its checksums must agree. Fails with the first mismatch reported
    /// so far.
    pub fn advance_frame(
        &mut self,
        inputs: &[I],
        requests: &mut Vec<Request<I>>,
    ) -> Result<(), Mismatch> {
        requests.clear();
        if let Some(mismatch) = self.mismatch {
            return Err(mismatch);
        }
        let frame = self.current;
        if frame == 0 {
            requests.push(Request::Save {
                frame: 0,
                slot: 0,
                checksum: true,
            });
        }
        let slot = self.slot(frame);
        for (player, input) in self.inputs[slot].iter_mut().enumerate() {
            *input = inputs.get(player).copied().unwrap_or_default();
        }
        // Roll back `distance` frames and simulate them again (saving each), then this frame.
        // Its own state is saved by the next call's resimulation, where it is compared too.
        let back = frame.saturating_sub(self.distance);
        if back < frame {
            requests.push(Request::Load {
                frame: back,
                slot: self.slot(back),
            });
            for again in back..frame {
                self.push_advance(again, requests);
                requests.push(Request::Save {
                    frame: again + 1,
                    slot: self.slot(again + 1),
                    checksum: true,
                });
            }
        }
        self.push_advance(frame, requests);
        self.current += 1;
        Ok(())
    }

    fn push_advance(&self, frame: Frame, requests: &mut Vec<Request<I>>) {
        let mut inputs = Inputs::default();
        for input in &self.inputs[self.slot(frame)][..self.players] {
            inputs.push(PlayerInput {
                input: *input,
                status: InputStatus::Confirmed,
            });
        }
        requests.push(Request::Advance { frame, inputs });
    }
}
