//! The lobby's wire messages: versioned JSON, bounded in size, checked on the way in.
//!
//! Every message is one JSON object `{"v":1,"t":"<kind>",…}`. A message of another version, an
//! unknown kind, a malformed or oversized one, or one whose fields break a bound is refused with
//! a [`MessageError`] before it touches any state.

use serde::{Deserialize, Serialize};
use trystero_core::PeerId;
use trystero_core::identity::{PublicKey, Signature};

use crate::game::{GameId, GameState};
use crate::rating::MatchResult;

/// The protocol version this crate speaks.
pub const VERSION: u32 = 1;
/// The largest message accepted or sent (a 64-member game's state fits with room to spare).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;
/// The longest player or game name, in characters.
pub const MAX_NAME_CHARS: usize = 32;
/// The longest game mode or region, in characters.
pub const MAX_TAG_CHARS: usize = 24;
/// The most members (players and spectators) a game's state may list.
pub const MAX_MEMBERS: usize = 64;

/// A message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Over [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes is over the {MAX_MESSAGE_BYTES}-byte limit")]
    TooLarge(usize),
    /// Not JSON, or not a known message.
    #[error("malformed lobby message: {0}")]
    Malformed(String),
    /// A version this crate does not speak.
    #[error("lobby protocol version {0} is not supported (this peer speaks {VERSION})")]
    Version(u32),
    /// A field is out of bounds.
    #[error("field {field} is out of bounds")]
    OutOfBounds {
        /// Which field.
        field: &'static str,
    },
}

/// A player as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The display name (1 to [`MAX_NAME_CHARS`] characters).
    pub name: String,
    /// The player's rating, for matchmaking (Elo-like scale).
    pub rating: i32,
    /// The player's identity key, which signs match results (none: the player's games are not
    /// rated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PublicKey>,
}

impl Profile {
    /// A profile without an identity key.
    pub fn new(name: impl Into<String>, rating: i32) -> Self {
        Self {
            name: name.into(),
            rating,
            key: None,
        }
    }
}

/// One open (or started, for spectators) game, as its host advertises it in the lobby room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advert {
    /// The game.
    pub game: GameId,
    /// Its host (must be the advert's sender).
    pub host: PeerId,
    /// The game's name.
    pub name: String,
    /// The game mode.
    pub mode: String,
    /// The host's region, if any.
    pub region: Option<String>,
    /// Players in it now.
    pub players: u8,
    /// Players it takes.
    pub max_players: u8,
    /// The players' mean rating.
    pub mean_rating: i32,
    /// Whether spectators may join.
    pub spectators: bool,
    /// Whether it has started (only spectators may still join).
    pub started: bool,
    /// The app's own version string: players only see games of their version.
    pub app_version: String,
    /// The rating distance from `mean_rating` the game accepts (the host's matchmaking window;
    /// `u32::MAX` for a game that takes anyone).
    pub window: u32,
}

/// Every lobby message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Body {
    /// Lobby room: a host's game, repeated while it is listed.
    Advert(Advert),
    /// Lobby room: a host withdraws its game (started without spectators, or gone).
    Withdraw {
        /// The game.
        game: GameId,
    },
    /// Lobby or game room: a chat line.
    Chat {
        /// The text (at most the receiver's length limit).
        text: String,
    },
    /// Game room, to everyone: a player or spectator asks the host to take them in.
    Join {
        /// The game asked for.
        game: GameId,
        /// Who they are.
        profile: Profile,
        /// Whether they only watch.
        spectator: bool,
    },
    /// Game room, to everyone: a member's readiness (the host applies it).
    Ready {
        /// The game.
        game: GameId,
        /// Ready or not.
        ready: bool,
    },
    /// Game room, to everyone: a member leaves (the host applies it).
    Leave {
        /// The game.
        game: GameId,
    },
    /// Game room, from the host: the whole state of the game.
    State(Box<GameState>),
    /// Game room, to everyone: a tournament player's account of one of its matches (the host
    /// applies it once both players agree).
    MatchReport {
        /// The game (the tournament).
        game: GameId,
        /// The bracket's match.
        match_id: u16,
        /// Who won it.
        winner: PeerId,
    },
    /// Game room, to everyone: a player's signature over a match result.
    ResultSignature {
        /// The result signed.
        result: MatchResult,
        /// The sender's signature over [`MatchResult::signing_bytes`].
        signature: Signature,
    },
    /// Game room, from the host to one peer: its join was refused.
    Rejected {
        /// The game.
        game: GameId,
        /// Why.
        reason: RejectReason,
    },
}

/// Why a host refused a join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// No free player slot.
    #[error("the game is full")]
    Full,
    /// It has started and only takes spectators (or none).
    #[error("the game has started")]
    Started,
    /// The join named another game.
    #[error("no such game here")]
    UnknownGame,
}

/// A message with its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The protocol version, [`VERSION`].
    pub v: u32,
    /// What it says.
    #[serde(flatten)]
    pub body: Body,
}

impl Message {
    /// A message of this version.
    pub fn new(body: Body) -> Self {
        Self { v: VERSION, body }
    }

    /// The JSON bytes.
    pub fn encode(&self) -> Vec<u8> {
        // Serializing plain data to a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads and checks one message.
    pub fn decode(bytes: &[u8]) -> Result<Self, MessageError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(MessageError::TooLarge(bytes.len()));
        }
        #[derive(Deserialize)]
        struct Versioned {
            v: u32,
        }
        let versioned: Versioned = serde_json::from_slice(bytes)
            .map_err(|error| MessageError::Malformed(error.to_string()))?;
        if versioned.v != VERSION {
            return Err(MessageError::Version(versioned.v));
        }
        let message: Self = serde_json::from_slice(bytes)
            .map_err(|error| MessageError::Malformed(error.to_string()))?;
        message.body.check()?;
        Ok(message)
    }
}

fn bounded(text: &str, max: usize, field: &'static str) -> Result<(), MessageError> {
    if text.chars().count() > max {
        return Err(MessageError::OutOfBounds { field });
    }
    Ok(())
}

pub(crate) fn check_name(name: &str, field: &'static str) -> Result<(), MessageError> {
    if name.trim().is_empty() {
        return Err(MessageError::OutOfBounds { field });
    }
    bounded(name, MAX_NAME_CHARS, field)
}

impl Body {
    fn check(&self) -> Result<(), MessageError> {
        match self {
            Self::Advert(advert) => {
                check_name(&advert.name, "name")?;
                bounded(&advert.mode, MAX_TAG_CHARS, "mode")?;
                bounded(&advert.app_version, MAX_TAG_CHARS, "app_version")?;
                if let Some(region) = &advert.region {
                    bounded(region, MAX_TAG_CHARS, "region")?;
                }
                if advert.max_players == 0 || usize::from(advert.max_players) > MAX_MEMBERS {
                    return Err(MessageError::OutOfBounds {
                        field: "max_players",
                    });
                }
                if advert.players > advert.max_players {
                    return Err(MessageError::OutOfBounds { field: "players" });
                }
                Ok(())
            }
            Self::Join { profile, .. } => check_name(&profile.name, "profile.name"),
            // Game ids are checked as they are read.
            Self::Withdraw { .. }
            | Self::MatchReport { .. }
            | Self::Ready { .. }
            | Self::Leave { .. }
            | Self::Rejected { .. } => Ok(()),
            // The receiver applies its own chat length limit (and reports what it drops).
            Self::Chat { .. } => Ok(()),
            Self::ResultSignature { result, .. } => {
                if result.standings.len() > MAX_MEMBERS {
                    return Err(MessageError::OutOfBounds { field: "standings" });
                }
                Ok(())
            }
            Self::State(state) => state.check(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(n: u8) -> PeerId {
        let mut id = *b"peer0000000000000000";
        id[19] = b'0' + n;
        PeerId::from_bytes(&id).unwrap()
    }

    #[test]
    fn messages_round_trip_with_their_version_and_kind() {
        let message = Message::new(Body::Ready {
            game: GameId::new(peer(1), 3),
            ready: true,
        });
        let bytes = message.encode();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"v":1,"t":"ready","game":"peer0000000000000001-3","ready":true}"#
        );
        assert_eq!(Message::decode(&bytes).unwrap(), message);
    }

    #[test]
    fn bad_messages_get_typed_errors() {
        assert!(matches!(
            Message::decode(b"not json"),
            Err(MessageError::Malformed(_))
        ));
        assert_eq!(
            Message::decode(br#"{"v":2,"t":"chat","text":"hi"}"#),
            Err(MessageError::Version(2))
        );
        assert!(matches!(
            Message::decode(br#"{"v":1,"t":"launch_missiles"}"#),
            Err(MessageError::Malformed(_))
        ));
        let long = format!(
            r#"{{"v":1,"t":"join","game":"peer0000000000000001-1","profile":{{"name":"{}","rating":1}},"spectator":false}}"#,
            "x".repeat(MAX_NAME_CHARS + 1)
        );
        assert_eq!(
            Message::decode(long.as_bytes()),
            Err(MessageError::OutOfBounds {
                field: "profile.name"
            })
        );
        let huge = vec![b' '; MAX_MESSAGE_BYTES + 1];
        assert_eq!(
            Message::decode(&huge),
            Err(MessageError::TooLarge(MAX_MESSAGE_BYTES + 1))
        );
        assert!(matches!(
            Message::decode(br#"{"v":1,"t":"leave","game":"nobody-1"}"#),
            Err(MessageError::Malformed(_))
        ));
    }
}
