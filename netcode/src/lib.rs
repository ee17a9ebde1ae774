//! `trystero-netcode`: deterministic rollback netcode (GGPO-style), pure and wasm32-clean.
//!
//! A session never calls the game. Each frame it returns [`Request`]s — save the state into a
//! slot, load a slot, advance one frame with these inputs — and the game carries them out in
//! order. Remote inputs that have not arrived are predicted (repeat-last by default); when the
//! real ones differ, the next frame's requests start with a rollback: load the last correct
//! state and simulate the frames since then again.
//!
//! - [`P2PSession`]: one local player and 1 to 7 remote ones over any [`Socket`]: input delay
//!   (default 2 frames), a rollback window (default 7), every unacknowledged input in every
//!   message (a lost datagram costs no round trip), checksums of confirmed frames compared
//!   every 60 frames ([`Event::Desync`] names the frame and part), time sync
//!   ([`Event::WaitRecommendation`]), and network interruption, resumption and disconnection.
//! - [`SpectatorSession`]: replays a match from a host's stream of confirmed inputs (a host
//!   streams with [`P2PSession::add_spectator`]).
//! - [`SyncTestSession`]: the determinism harness — it rolls back every frame and compares the
//!   checksums of both passes.
//! - Sockets: [`MemoryNetwork`] (perfect, in-process) and [`SimNetwork`] (seeded latency,
//!   jitter, loss, duplication, blackouts, in virtual time).
//!
//! Two players on a simulated network with 50 ms latency and 5 % loss; the game is a counter
//! driven by the inputs, its state a single `u64`:
//!
//! ```
//! use trystero_netcode::{Config, P2PSession, SimConfig, SimNetwork, Slots};
//!
//! let net = SimNetwork::new(7, SimConfig { latency_ms: 50, loss: 0.05, ..SimConfig::default() });
//! let mut sockets = [net.socket(), net.socket()];
//! let mut sessions: Vec<P2PSession<u8, usize>> = (0..2)
//!     .map(|me| {
//!         let mut session = P2PSession::new(Config::default(), me).unwrap();
//!         session.add_remote(1 - me, 1 - me).unwrap(); // the other player, at address 1 - me
//!         session
//!     })
//!     .collect();
//! // Each peer's game: its state and the saved copies (one per slot).
//! let mut games = [(0u64, Slots::new(&0u64, sessions[0].slots())), (0u64, Slots::new(&0u64, sessions[1].slots()))];
//! let mut requests = Vec::new();
//!
//! for frame in 0..600u64 {
//!     let now = frame * 16; // 60 Hz in virtual time
//!     net.advance_to(now);
//!     for me in 0..2 {
//!         let session = &mut sessions[me];
//!         session.poll(now, &mut sockets[me]);
//!         while session.next_event().is_some() {}
//!         let input = (frame % 7) as u8 + me as u8; // what this player presses
//!         if session.advance_frame(input, &mut requests).is_err() {
//!             continue; // too far ahead of the other: skip this frame
//!         }
//!         let (state, slots) = &mut games[me];
//!         slots.carry_out(
//!             &requests,
//!             state,
//!             |state, inputs| {
//!                 for player in inputs {
//!                     *state = state.wrapping_mul(31).wrapping_add(u64::from(player.input));
//!                 }
//!             },
//!             |frame, state, checksum| {
//!                 if checksum {
//!                     session.report_checksum(frame, &[*state]);
//!                 }
//!             },
//!         );
//!     }
//! }
//! // Both simulated the same confirmed history.
//! let confirmed = sessions[0].confirmed_frame().min(sessions[1].confirmed_frame());
//! assert!(confirmed > 550);
//! assert_eq!(sessions[0].stats().dropped, 0);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod checksum;
mod driver;
mod input;
mod message;
mod queue;
mod session;
mod sim;
mod slots;
mod socket;
mod spectator;
mod sync_test;

pub use checksum::{checksum_bytes, checksum_words};
pub use driver::{Desync, Driver, FPS};
pub use input::{Input, InputStatus, Neutral, PlayerInput, Predictor, RepeatLast};
pub use message::{Checksum, MAX_INPUTS, MAX_PARTS, Message, MessageError};
pub use session::{Config, Event, P2PSession, SessionError, Stats};
pub use sim::{SimConfig, SimNetwork, SimSocket};
pub use slots::Slots;
pub use socket::{MemoryNetwork, MemorySocket, Socket};
pub use spectator::{NotReady, SpectatorSession};
pub use sync_test::{Mismatch, SyncTestSession};

/// A frame number; frame 0 is the first simulated frame.
pub type Frame = u32;

/// The most players in a session.
pub const MAX_PLAYERS: usize = 8;

/// Every player's input for one frame, in player order (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs<I> {
    len: usize,
    items: [PlayerInput<I>; MAX_PLAYERS],
}

impl<I: Input> Default for Inputs<I> {
    fn default() -> Self {
        Self {
            len: 0,
            items: [PlayerInput {
                input: I::default(),
                status: InputStatus::Confirmed,
            }; MAX_PLAYERS],
        }
    }
}

impl<I: Input> Inputs<I> {
    pub(crate) fn push(&mut self, input: PlayerInput<I>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = input;
            self.len += 1;
        }
    }

    /// The inputs, player 0 first.
    pub fn as_slice(&self) -> &[PlayerInput<I>] {
        &self.items[..self.len]
    }
}

/// What the game must do for the session, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<I> {
    /// Save the current state (the state at the start of `frame`) into `slot`; if `checksum`,
    /// report its checksum with the session's `report_checksum`.
    Save {
        /// The frame the state starts.
        frame: Frame,
        /// Where to keep it (`0..slots()`).
        slot: usize,
        /// Whether the session wants the checksum.
        checksum: bool,
    },
    /// Replace the current state with the one saved in `slot` (the start of `frame`).
    Load {
        /// The frame whose start the slot holds: the next `Advance` simulates this frame
        /// again.
        frame: Frame,
        /// The slot it was saved in.
        slot: usize,
    },
    /// Simulate `frame` with these inputs.
    Advance {
        /// The frame simulated: the state goes from the start of `frame` to the start of
        /// `frame + 1`.
        frame: Frame,
        /// One per player.
        inputs: Inputs<I>,
    },
}
