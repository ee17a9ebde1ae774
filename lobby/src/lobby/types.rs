//! What goes in and out of a [`super::Lobby`]: inputs, outputs, events, errors and settings.

use trystero_core::PeerId;
use trystero_core::identity::PublicKey;

use crate::chat::{ChatDrop, ChatLimits};
use crate::game::GameId;
use crate::matchmaking::MatchmakingConfig;
use crate::message::{MessageError, Profile, RejectReason};
use crate::rating::ResultError;
/// Which room a message travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// The app's lobby room.
    Lobby,
    /// The current game's room.
    Game,
}

/// What the lobby is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A message from `from` (the room's authenticated sender).
    Received {
        /// The room.
        channel: Channel,
        /// Who sent it.
        from: PeerId,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A peer is in the room now.
    PeerJoined {
        /// The room.
        channel: Channel,
        /// The peer.
        peer: PeerId,
    },
    /// A peer left the room.
    PeerLeft {
        /// The room.
        channel: Channel,
        /// The peer.
        peer: PeerId,
    },
    /// Time passed (adverts repeat and expire).
    Tick,
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send `bytes` in `channel`, to one peer or (`None`) to everyone there.
    Send {
        /// The room.
        channel: Channel,
        /// One peer, or all.
        to: Option<PeerId>,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Join the room of this game ([`GameId::room_name`]) as the game channel.
    EnterGame(GameId),
    /// Leave the game's room.
    ExitGame(GameId),
    /// Tell the user.
    Event(LobbyEvent),
}

/// What the user hears.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LobbyEvent {
    /// We are in the game (the host's state lists us).
    Entered {
        /// The game.
        game: GameId,
    },
    /// A player joined the current game.
    PlayerJoined {
        /// The player.
        player: PeerId,
        /// Name and rating.
        profile: Profile,
    },
    /// A player or spectator left the current game.
    PlayerLeft {
        /// Who.
        player: PeerId,
    },
    /// A spectator joined the current game.
    SpectatorJoined {
        /// Who.
        spectator: PeerId,
        /// Name and rating.
        profile: Profile,
    },
    /// A player's readiness changed.
    ReadyChanged {
        /// Who.
        player: PeerId,
        /// Ready or not.
        ready: bool,
    },
    /// Another member hosts the game now.
    HostChanged {
        /// The new host.
        host: PeerId,
    },
    /// The game starts: what the netcode session needs, the same on every member.
    GameStarting {
        /// The game.
        game: GameId,
        /// The match's seed.
        seed: u64,
        /// The frame to start at.
        start_frame: u32,
        /// The players, in session order.
        roster: Vec<PeerId>,
    },
    /// A chat line.
    Message {
        /// Lobby or game.
        channel: Channel,
        /// Who wrote it.
        from: PeerId,
        /// What.
        text: String,
    },
    /// The tournament's bracket changed (a result, a walkover): see [`Lobby::game`](super::Lobby::game).
    BracketChanged {
        /// The bracket's revision.
        revision: u64,
    },
    /// The tournament has its champion.
    TournamentOver {
        /// The champion.
        champion: PeerId,
    },
    /// A match result every player signed was counted: the players' new ratings (rounded).
    RatingsChanged {
        /// The game.
        game: GameId,
        /// Each player's identity key and new rating.
        ratings: Vec<(PublicKey, i32)>,
    },
    /// A chat line was dropped.
    ChatDropped {
        /// Who sent it.
        from: PeerId,
        /// Why.
        reason: ChatDrop,
    },
    /// The host refused us; we left the game.
    JoinRejected {
        /// The game.
        game: GameId,
        /// Why.
        reason: RejectReason,
    },
    /// We are out of the game: we left, or the last player went.
    Left {
        /// The game.
        game: GameId,
    },
    /// A message was refused and dropped.
    Refused {
        /// Its sender.
        from: PeerId,
        /// Why.
        error: Refusal,
    },
}

/// Why a received message was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Not a valid lobby message.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A game state from someone who is not its host.
    #[error("a game state from a peer that is not its host")]
    NotHost,
    /// An advert for a game hosted by someone else.
    #[error("an advert for a game the sender does not host")]
    ForgedAdvert,
    /// A message that does not belong in that room.
    #[error("a message out of place")]
    OutOfPlace,
    /// A match result signature that does not hold.
    #[error(transparent)]
    Result(#[from] ResultError),
}

/// A call the local player made was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LobbyError {
    /// Already in a game: leave it first.
    #[error("already in a game")]
    AlreadyInGame,
    /// Not in a game.
    #[error("not in a game")]
    NotInGame,
    /// Only the host may do that.
    #[error("only the host can do that")]
    NotHost,
    /// Some players are not ready.
    #[error("not every player is ready")]
    NotAllReady,
    /// The game has started.
    #[error("the game has started")]
    AlreadyStarted,
    /// Bad settings or name.
    #[error(transparent)]
    Invalid(#[from] MessageError),
    /// A chat line that would be dropped.
    #[error(transparent)]
    Chat(#[from] ChatDrop),
    /// No randomness for the match seed.
    #[error("no randomness for the seed: {0}")]
    Random(String),
    /// The lobby's driver has stopped (its client outlived it).
    #[error("the lobby has stopped")]
    Stopped,
    /// A quick match is already under way (one open ticket per player).
    #[error("a quick match is already under way")]
    TicketOpen,
    /// The game has not started.
    #[error("the game has not started")]
    NotStarted,
    /// This lobby rates nothing: it was made without an identity ([`Lobby::with_ratings`](super::Lobby::with_ratings)).
    #[error("no identity to sign results with")]
    NoIdentity,
    /// A player of the game has no identity key, so the game cannot be rated.
    #[error("player {0} has no identity key")]
    Unrated(PeerId),
    /// A result that cannot be counted.
    #[error(transparent)]
    Result(#[from] ResultError),
}

/// A lobby's settings (the seed's `LobbySystem` options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LobbyConfig {
    /// Players a game takes by default (4).
    pub max_players: u8,
    /// The game mode (`"default"`).
    pub game_mode: String,
    /// Whether quick match weighs ratings.
    pub skill_matching: bool,
    /// The preferred region.
    pub region: Option<String>,
    /// The app's version: only games of the same version are listed.
    pub app_version: String,
    /// Chat limits.
    pub chat: ChatLimits,
    /// How quick match widens its rating window.
    pub matchmaking: MatchmakingConfig,
}

impl Default for LobbyConfig {
    fn default() -> Self {
        Self {
            max_players: 4,
            game_mode: "default".into(),
            skill_matching: false,
            region: None,
            app_version: "1".into(),
            chat: ChatLimits::default(),
            matchmaking: MatchmakingConfig::default(),
        }
    }
}
