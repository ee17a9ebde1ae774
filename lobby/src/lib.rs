//! `trystero-lobby`: a lobby without a server — games listed in a well-known room, each game
//! replicated by its host in a room of its own, with host migration, ready/start and chat.
//!
//! - [`Lobby`] is the sans-IO state machine of one local player: it reads no clock, opens no
//!   socket and spawns nothing. The caller feeds [`Input`]s (messages, peers coming and going,
//!   ticks) with the time and carries out [`Output`]s (send on the lobby or the game channel,
//!   enter or leave a game's room, tell the user). It compiles for `wasm32-unknown-unknown`.
//! - [`game`]: one game's replicated [`GameState`] and the host's rules — seats, readiness,
//!   start (seed, start frame and roster, the same on every member), and who takes over when the
//!   host leaves (the lowest remaining peer id; the state with the higher epoch wins).
//! - [`message`]: the versioned, bounded JSON messages; anything malformed, oversized or forged
//!   (a state from a non-host, an advert for someone else's game) is refused with a typed error.
//! - [`client`]: the thin async layer over core's rooms — [`client::start`] runs a lobby over
//!   the lobby room and game rooms it joins, and returns a [`LobbyClient`] handle.
//! - [`chat`]: the length limit and the per-peer rate limit (excess is dropped with an event).
//! - [`matchmaking`]: quick match's choice of game (rating windows that widen with time, the
//!   reverse check, one queue per mode, region and version) and a batch pass that groups many
//!   waiting players at once.
//! - [`tournament`]: single and double elimination brackets for 2–64 players, seeded by
//!   rating, with byes and walkovers.
//! - [`analytics`]: the dashboard's figures (players online, games, time to match, chat rate,
//!   rating distribution) as one snapshot.
//! - [`rating`]: Elo and Glicko-2 ratings (the `skillratings` crate) in a local table, moved only
//!   by results every player of the match signed (core's identity port).
//!
//! The API follows Trystero's `LobbySystem`: [`Lobby::create_room`], [`Lobby::join_room`],
//! [`Lobby::leave_room`], [`Lobby::set_ready`], [`Lobby::start_game`] (host only),
//! [`Lobby::send_message`], and [`LobbyEvent`]s for players joining and leaving, host changes,
//! the start and chat.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod analytics;
pub mod chat;
pub mod client;
pub mod game;
mod lobby;
pub mod matchmaking;
pub mod message;
pub mod rating;
pub mod tournament;

pub use analytics::{Analytics, Histogram};
pub use chat::{ChatDrop, ChatLimits};
pub use client::{LobbyClient, RoomJoiner};
pub use game::{GameId, GameSettings, GameState, Phase, Player, Spectator, Tournament};
pub use lobby::{
    ADVERT_INTERVAL, ADVERT_TTL, Channel, Input, JOIN_TIMEOUT, Lobby, LobbyConfig, LobbyError,
    LobbyEvent, MAX_LISTED_GAMES, MAX_PENDING_RESULTS, Output, QUICK_HOST_DELAY, Refusal,
    TAKEOVER_TIMEOUT,
};
pub use matchmaking::{MatchmakingConfig, PoolTicket, Ticket, match_pass};
pub use message::{Advert, MessageError, Profile, RejectReason};
pub use rating::{
    MatchResult, Rating, RatingSystem, Ratings, ResultError, SavedRatings, SignedResult, Standing,
};
