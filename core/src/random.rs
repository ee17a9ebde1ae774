//! The randomness port.
//!
//! Ids, offer ids, password challenges and AES-GCM IVs all need random bytes. Production code
//! uses [`OsRandom`], the operating system's CSPRNG (the browser's `crypto.getRandomValues` on
//! wasm32). Tests that need reproducible ids use [`SeededRandom`], which is deterministic and
//! **not** cryptographically secure.

use std::sync::{Arc, Mutex, PoisonError};

/// The operating system could not provide random bytes.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed: {reason}")]
pub struct RandomError {
    reason: String,
}

impl RandomError {
    /// An error with a human-readable reason, for adapters outside this crate.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// A source of random bytes.
///
/// Contract: `fill_bytes` either fills all of `dest` or returns an error; it never returns
/// partially filled output as success. Implementations used outside tests MUST be
/// cryptographically secure: peer ids and AES-GCM IVs come from them.
pub trait RandomSource {
    /// Fills `dest` with random bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandomError>;
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        (**self).fill_bytes(dest)
    }
}

/// The operating system's CSPRNG (`getrandom`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(dest).map_err(|error| RandomError::new(error.to_string()))
    }
}

/// One random source with several owners: clones draw from the same stream, so a room driver and
/// its engine share one (seeded, in tests) generator.
#[derive(Clone)]
pub struct SharedRandom(Arc<Mutex<dyn RandomSource + Send>>);

impl SharedRandom {
    /// Shares `source`.
    pub fn new(source: impl RandomSource + Send + 'static) -> Self {
        Self(Arc::new(Mutex::new(source)))
    }
}

impl RandomSource for SharedRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fill_bytes(dest)
    }
}

impl std::fmt::Debug for SharedRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedRandom(..)")
    }
}

/// A uniformly random delay in `[0, period)` (reconnect jitter); half the period if `random`
/// fails.
pub fn delay_below(
    random: &mut dyn RandomSource,
    period: std::time::Duration,
) -> std::time::Duration {
    let mut bytes = [0u8; 8];
    if random.fill_bytes(&mut bytes).is_err() {
        return period / 2;
    }
    let millis = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
    std::time::Duration::from_millis(u64::from_le_bytes(bytes) % millis)
}

/// A deterministic generator (SplitMix64) for tests and simulations: the workspace's one copy
/// (the AI, the network simulator, particles and tests all draw from it).
///
/// The same seed always yields the same bytes on every platform (integer arithmetic only). Its
/// whole state is one `u64` ([`SeededRandom::state`]), so a simulation can keep it in its saved
/// state and replay the same draws after a rollback. It is **not** secure: never use it for ids
/// or IVs that face real peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeededRandom {
    state: u64,
}

impl SeededRandom {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The state: the seed advanced once per draw (for checksums of a saved state).
    pub fn state(&self) -> u64 {
        self.state
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl RandomSource for SeededRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_random_is_reproducible_and_seed_dependent() {
        let mut a = [0u8; 19];
        let mut b = [0u8; 19];
        SeededRandom::new(7).fill_bytes(&mut a).unwrap();
        SeededRandom::new(7).fill_bytes(&mut b).unwrap();
        assert_eq!(a, b);
        SeededRandom::new(8).fill_bytes(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn os_random_fills_the_whole_buffer() {
        // 64 zero bytes from a working CSPRNG has probability 2^-512.
        let mut buffer = [0u8; 64];
        OsRandom.fill_bytes(&mut buffer).unwrap();
        assert!(buffer.iter().any(|&byte| byte != 0));
    }

    #[test]
    fn delays_stay_below_the_period_and_spread() {
        let period = std::time::Duration::from_millis(3_333);
        let mut random = SeededRandom::new(1);
        let delays: Vec<_> = (0..200).map(|_| delay_below(&mut random, period)).collect();
        assert!(delays.iter().all(|delay| *delay < period));
        assert!(delays.iter().any(|delay| *delay < period / 4));
        assert!(delays.iter().any(|delay| *delay > period * 3 / 4));
        struct Broken;
        impl RandomSource for Broken {
            fn fill_bytes(&mut self, _: &mut [u8]) -> Result<(), RandomError> {
                Err(RandomError::new("no entropy"))
            }
        }
        assert_eq!(delay_below(&mut Broken, period), period / 2);
    }
}
