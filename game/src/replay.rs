//! Replays: the seed, the roster and every player's input of every frame, enough to play a
//! match again bit for bit. Stored as JSON with a hash of the inputs, so a corrupt file or one
//! from another version of the format or the rules is refused with a clear error instead of
//! replaying into a different match.

use serde::{Deserialize, Serialize};
use trystero_netcode::{InputStatus, PlayerInput, checksum_words};

use crate::rules::{MAX_PLAYERS, Rules};
use crate::world::World;

/// What a replay file says it is.
pub const REPLAY_FORMAT: &str = "trystero-replay";
/// The replay format's version.
pub const REPLAY_VERSION: u32 = 1;
/// The rules' version: bump it whenever the same inputs would give another match.
pub const RULES_VERSION: u32 = 1;
/// The input stored for a player who has left (inputs use bits 0–10 only).
pub const GONE: u16 = u16::MAX;
/// The most frames a replay holds (four hours at 60 Hz).
pub const MAX_REPLAY_FRAMES: u32 = 4 * 60 * 60 * 60;

/// Why a replay cannot be played.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// Not JSON, or not a replay's fields.
    #[error("not a replay file: {0}")]
    Malformed(String),
    /// Another format, or another version of ours.
    #[error(
        "replay format {found:?} version {version} is not supported (this build reads {REPLAY_FORMAT:?} version {REPLAY_VERSION})"
    )]
    Version {
        /// The file's format name.
        found: String,
        /// The file's format version.
        version: u32,
    },
    /// Recorded under other rules: it would replay into another match.
    #[error(
        "the replay was recorded under rules version {found}; this build plays version {RULES_VERSION}"
    )]
    Rules {
        /// The file's rules version.
        found: u32,
    },
    /// The inputs do not match their hash or their count: the file was damaged.
    #[error("the replay is corrupt: {0}")]
    Corrupt(String),
    /// Too long to record or play.
    #[error("the replay is longer than {MAX_REPLAY_FRAMES} frames")]
    TooLong,
    /// Played back, it ends in another state than the recorded one.
    #[error("the replay ends in checksum {replayed:#018x}, not the recorded {recorded:#018x}")]
    Mismatch {
        /// The checksum written when the match was recorded.
        recorded: u64,
        /// The checksum the playback reached.
        replayed: u64,
    },
}

/// One recorded match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    /// Always [`REPLAY_FORMAT`].
    pub format: String,
    /// [`REPLAY_VERSION`] when written.
    pub version: u32,
    /// [`RULES_VERSION`] when written.
    pub rules: u32,
    /// The match's seed.
    pub seed: u64,
    /// The players' names or peer ids, in seat order.
    pub roster: Vec<String>,
    /// Frames recorded.
    pub frames: u32,
    /// Every frame's inputs, seat after seat ([`GONE`] for a player who left).
    pub inputs: Vec<u16>,
    /// A hash of `frames`, the seed, the roster size and the inputs.
    pub inputs_hash: u64,
    /// The checksum of the world after the last frame.
    pub final_checksum: u64,
}

impl Replay {
    /// A replay of `frames` frames whose inputs are `inputs` (seat after seat), ending in a
    /// world whose checksum is `final_checksum`.
    pub fn new(
        seed: u64,
        roster: Vec<String>,
        frames: u32,
        inputs: Vec<u16>,
        final_checksum: u64,
    ) -> Result<Self, ReplayError> {
        if frames > MAX_REPLAY_FRAMES {
            return Err(ReplayError::TooLong);
        }
        let inputs_hash = hash(seed, roster.len(), frames, &inputs);
        let replay = Self {
            format: REPLAY_FORMAT.to_owned(),
            version: REPLAY_VERSION,
            rules: RULES_VERSION,
            seed,
            roster,
            frames,
            inputs,
            inputs_hash,
            final_checksum,
        };
        replay.check()?;
        Ok(replay)
    }

    /// The replay as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and checks a replay: the format and versions, the size, the inputs' hash.
    pub fn from_json(text: &str) -> Result<Self, ReplayError> {
        // The header first, so another version's file gets the version error, not a field's.
        #[derive(Deserialize)]
        struct Header {
            format: String,
            version: u32,
            rules: u32,
        }
        let header: Header = serde_json::from_str(text)
            .map_err(|error| ReplayError::Malformed(error.to_string()))?;
        if header.format != REPLAY_FORMAT || header.version != REPLAY_VERSION {
            return Err(ReplayError::Version {
                found: header.format,
                version: header.version,
            });
        }
        if header.rules != RULES_VERSION {
            return Err(ReplayError::Rules {
                found: header.rules,
            });
        }
        let replay: Self = serde_json::from_str(text)
            .map_err(|error| ReplayError::Malformed(error.to_string()))?;
        replay.check()?;
        Ok(replay)
    }

    fn check(&self) -> Result<(), ReplayError> {
        let players = self.roster.len();
        if !(1..=MAX_PLAYERS).contains(&players) {
            return Err(ReplayError::Corrupt(format!(
                "{players} players (1 to {MAX_PLAYERS})"
            )));
        }
        if self.frames > MAX_REPLAY_FRAMES {
            return Err(ReplayError::TooLong);
        }
        let expected = usize::try_from(self.frames)
            .unwrap_or(usize::MAX)
            .saturating_mul(players);
        if self.inputs.len() != expected {
            return Err(ReplayError::Corrupt(format!(
                "{} inputs for {} frames of {players} players",
                self.inputs.len(),
                self.frames
            )));
        }
        if hash(self.seed, players, self.frames, &self.inputs) != self.inputs_hash {
            return Err(ReplayError::Corrupt(
                "the inputs do not match their hash".into(),
            ));
        }
        Ok(())
    }

    /// Plays the match again from its seed and inputs; the world after the last frame. Fails
    /// if it does not end in the recorded checksum.
    pub fn play(&self) -> Result<World, ReplayError> {
        self.check()?;
        let rules = Rules::new(self.seed);
        let players = self.roster.len();
        let mut world = World::new(self.seed, players, &rules);
        let mut events = Vec::new();
        let mut frame = [PlayerInput {
            input: 0,
            status: InputStatus::Confirmed,
        }; MAX_PLAYERS];
        for inputs in self.inputs.chunks_exact(players) {
            for (slot, input) in frame.iter_mut().zip(inputs) {
                *slot = if *input == GONE {
                    PlayerInput {
                        input: 0,
                        status: InputStatus::Disconnected,
                    }
                } else {
                    PlayerInput {
                        input: *input,
                        status: InputStatus::Confirmed,
                    }
                };
            }
            events.clear();
            world.step(&rules, &frame[..players], &mut events);
        }
        let replayed = world.checksum();
        if replayed != self.final_checksum {
            return Err(ReplayError::Mismatch {
                recorded: self.final_checksum,
                replayed,
            });
        }
        Ok(world)
    }
}

fn hash(seed: u64, players: usize, frames: u32, inputs: &[u16]) -> u64 {
    let mut hash = checksum_words(&[seed, players as u64, u64::from(frames)]);
    for chunk in inputs.chunks(4) {
        let word = chunk
            .iter()
            .fold(0u64, |word, input| word << 16 | u64::from(*input));
        hash = checksum_words(&[hash, word]);
    }
    hash
}
