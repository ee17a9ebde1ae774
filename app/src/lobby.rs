//! The lobby on real rooms: [`join_lobby`] joins the app's lobby room with a strategy and
//! starts a [`trystero_lobby::Lobby`] over it, on the current tokio runtime. Game rooms are
//! joined with the same configuration and options.

use trystero_core::random::OsRandom;
use trystero_crypto::{Ed25519Identity, Ed25519Verifier};
use trystero_lobby::Lobby;
use trystero_lobby::client::{self, RoomJoiner};
use trystero_webrtc::TokioClock;

use crate::memory::Network;
use crate::{JoinError, JoinOptions, PeerId, Room, RoomConfig};

pub use trystero_lobby::{
    Advert, Channel, GameId, GameSettings, GameState, LobbyClient, LobbyConfig, LobbyError,
    LobbyEvent, MatchmakingConfig, Phase, Player, Profile, Rating, RatingSystem, Ratings,
    SavedRatings, Spectator,
};

/// The room every player of an app meets in to find games.
pub const LOBBY_ROOM: &str = "trystero-lobby";

/// Why the lobby could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LobbyStartError {
    /// The lobby room could not be joined.
    #[error(transparent)]
    Join(#[from] JoinError),
    /// The profile was refused (an empty or over-long name).
    #[error(transparent)]
    Lobby(#[from] LobbyError),
}

/// Joins rooms over the network, with one configuration and strategy.
struct NetworkJoiner {
    config: RoomConfig,
    options: JoinOptions,
}

impl RoomJoiner for NetworkJoiner {
    async fn join(&self, room: &str) -> Result<Room, String> {
        crate::join_room_with(self.config.clone(), room, &self.options)
            .await
            .map_err(|error| error.to_string())
    }
}

/// Joins the lobby in room `lobby_room` ([`LOBBY_ROOM`] for the app's one lobby) of `config`'s
/// app, with the strategy of `options`, as `profile`.
pub async fn join_lobby(
    config: RoomConfig,
    lobby_room: &str,
    options: &JoinOptions,
    profile: Profile,
    lobby_config: LobbyConfig,
) -> Result<LobbyClient, LobbyStartError> {
    let self_id = options.peer_id.unwrap_or_else(crate::self_id);
    let lobby = Lobby::new(self_id, profile, lobby_config, OsRandom)?;
    start_over_network(lobby, config, lobby_room, options).await
}

/// Joins the lobby room and runs `lobby` over it on the current tokio runtime.
async fn start_over_network(
    lobby: Lobby,
    config: RoomConfig,
    lobby_room: &str,
    options: &JoinOptions,
) -> Result<LobbyClient, LobbyStartError> {
    let room = crate::join_room_with(config.clone(), lobby_room, options).await?;
    let joiner = NetworkJoiner {
        config,
        options: options.clone(),
    };
    let (client, driver) = client::start(lobby, room, joiner, TokioClock::new());
    tokio::spawn(driver);
    Ok(client)
}

/// [`join_lobby`] with rated games: results are signed with `identity` (an Ed25519 key the
/// player keeps; its public key goes into the profile) and counted into `ratings` once every
/// player signed the same one.
pub async fn join_rated_lobby(
    config: RoomConfig,
    lobby_room: &str,
    options: &JoinOptions,
    profile: Profile,
    lobby_config: LobbyConfig,
    identity: Ed25519Identity,
    ratings: Ratings,
) -> Result<LobbyClient, LobbyStartError> {
    let self_id = options.peer_id.unwrap_or_else(crate::self_id);
    let lobby = Lobby::new(self_id, profile, lobby_config, OsRandom)?.with_ratings(
        identity,
        Ed25519Verifier,
        ratings,
    );
    start_over_network(lobby, config, lobby_room, options).await
}

/// Joins rooms of an in-process [`Network`] as one peer.
struct MemoryJoiner {
    network: Network,
    config: RoomConfig,
    peer: PeerId,
}

impl RoomJoiner for MemoryJoiner {
    async fn join(&self, room: &str) -> Result<Room, String> {
        self.network
            .join_room(self.config.clone(), room, self.peer)
            .await
            .map_err(|error| error.to_string())
    }
}

/// [`join_lobby`] on an in-process [`Network`], as peer `peer`.
pub async fn join_memory_lobby(
    network: &Network,
    config: RoomConfig,
    peer: PeerId,
    profile: Profile,
    lobby_config: LobbyConfig,
) -> Result<LobbyClient, LobbyStartError> {
    let room = network.join_room(config.clone(), LOBBY_ROOM, peer).await?;
    let lobby = Lobby::new(peer, profile, lobby_config, OsRandom)?;
    let joiner = MemoryJoiner {
        network: network.clone(),
        config,
        peer,
    };
    let (client, driver) = client::start(lobby, room, joiner, TokioClock::new());
    tokio::spawn(driver);
    Ok(client)
}
