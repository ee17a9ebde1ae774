//! Game inputs: a fixed-size binary encoding, per-frame status, and the predictor that guesses
//! remote inputs not yet received.

use std::fmt::Debug;

/// One player's input for one frame. Inputs travel in a fixed layout of [`Input::SIZE`] bytes,
/// so a message never depends on a serializer's choices.
pub trait Input: Copy + PartialEq + Default + Debug {
    /// Encoded size in bytes.
    const SIZE: usize;
    /// Writes exactly [`Input::SIZE`] bytes.
    fn encode(&self, out: &mut [u8]);
    /// Reads [`Input::SIZE`] bytes; `None` if they are not a valid input.
    fn decode(bytes: &[u8]) -> Option<Self>;
}

macro_rules! integer_input {
    ($($int:ty),*) => {$(
        impl Input for $int {
            const SIZE: usize = std::mem::size_of::<$int>();

            fn encode(&self, out: &mut [u8]) {
                out[..Self::SIZE].copy_from_slice(&self.to_le_bytes());
            }

            fn decode(bytes: &[u8]) -> Option<Self> {
                Some(<$int>::from_le_bytes(bytes.get(..Self::SIZE)?.try_into().ok()?))
            }
        }
    )*};
}

integer_input!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<const N: usize> Input for [u8; N]
where
    [u8; N]: Default,
{
    const SIZE: usize = N;

    fn encode(&self, out: &mut [u8]) {
        out[..N].copy_from_slice(self);
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        bytes.get(..N)?.try_into().ok()
    }
}

/// How sure the session is of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputStatus {
    /// The player's real input.
    Confirmed,
    /// A guess (the predictor's); a rollback replaces it if the real one differs.
    Predicted,
    /// The player is gone; the input is the default.
    Disconnected,
}

/// An input with its status, as handed to the game.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayerInput<I> {
    /// The input.
    pub input: I,
    /// Whether it is real, guessed, or a disconnected player's default.
    pub status: InputStatus,
}

/// Guesses a remote player's input from their last confirmed one.
pub trait Predictor<I>: Debug {
    /// The guess for a frame after `last` (`None`: nothing confirmed yet).
    fn predict(&self, last: Option<I>) -> I;
}

/// The default predictor: players keep doing what they did (GGPO's choice).
#[derive(Debug, Clone, Copy, Default)]
pub struct RepeatLast;

impl<I: Input> Predictor<I> for RepeatLast {
    fn predict(&self, last: Option<I>) -> I {
        last.unwrap_or_default()
    }
}

/// Predicts the default input ("nothing pressed").
#[derive(Debug, Clone, Copy, Default)]
pub struct Neutral;

impl<I: Input> Predictor<I> for Neutral {
    fn predict(&self, _: Option<I>) -> I {
        I::default()
    }
}
