//! The saved copies of a game state, and the loop every game writes to carry out a session's
//! requests.

use crate::input::{Input, PlayerInput};
use crate::{Frame, Request};

/// One saved copy of the state per session slot. Saving uses `clone_from`, so a state whose
/// `Clone` reuses its buffers (a `Vec`, say) is saved without allocating.
#[derive(Debug, Clone)]
pub struct Slots<S> {
    saved: Vec<S>,
}

impl<S: Clone> Slots<S> {
    /// `count` copies of `state` (a session's `slots()`).
    pub fn new(state: &S, count: usize) -> Self {
        Self {
            saved: vec![state.clone(); count],
        }
    }

    /// The copy in `slot`.
    pub fn get(&self, slot: usize) -> Option<&S> {
        self.saved.get(slot)
    }

    /// Carries out `requests` in order on `state`: saves into slots, loads from them, and
    /// calls `step` for every frame to simulate. `saved` is called after every save with the
    /// frame, the state, and whether the session wants its checksum (report it there).
    pub fn carry_out<I: Input>(
        &mut self,
        requests: &[Request<I>],
        state: &mut S,
        mut step: impl FnMut(&mut S, &[PlayerInput<I>]),
        mut saved: impl FnMut(Frame, &S, bool),
    ) {
        for request in requests {
            match request {
                Request::Save {
                    frame,
                    slot,
                    checksum: wanted,
                } => {
                    if let Some(copy) = self.saved.get_mut(*slot) {
                        copy.clone_from(state);
                    }
                    saved(*frame, state, *wanted);
                }
                Request::Load { slot, .. } => {
                    if let Some(copy) = self.saved.get(*slot) {
                        state.clone_from(copy);
                    }
                }
                Request::Advance { inputs, .. } => step(state, inputs.as_slice()),
            }
        }
    }
}
