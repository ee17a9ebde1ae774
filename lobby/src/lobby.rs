//! [`Lobby`]: the sans-IO lobby of one local player.
//!
//! Two channels carry its messages: the app's well-known **lobby room**, where hosts advertise
//! their games and everyone chats, and the current **game room** (one per game), where the host
//! replicates the game's state. The lobby performs no IO and reads no clock: the caller feeds it
//! [`Input`]s with the time and carries out its [`Output`]s (send, enter or leave the game room,
//! tell the user).
//!
//! A member that is not yet in the host's state repeats its `Join` to every game-room peer it
//! meets, so a join survives arriving before the host, and a host change.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use trystero_core::PeerId;
use trystero_core::identity::{Identity, PublicKey, Signature, Verifier};
use trystero_core::random::RandomSource;
use trystero_core::time::Millis;

use crate::analytics::{Analytics, Recorder};
use crate::chat::{ChatDrop, ChatLimiter, ChatLimits, check_line};
use crate::game::{Applied, GameId, GameSettings, GameState, Phase};
use crate::matchmaking::{MatchmakingConfig, Ticket, best_game};
use crate::message::{
    Advert, Body, MAX_MEMBERS, Message, MessageError, Profile, RejectReason, check_name,
};
use crate::rating::{MatchResult, Ratings, ResultError, SignedResult, Standing};

/// A host repeats its advert this often while its game is listed.
pub const ADVERT_INTERVAL: Duration = Duration::from_secs(2);
/// An advert not repeated for this long is dropped from the listing.
pub const ADVERT_TTL: Duration = Duration::from_secs(7);
/// The most games the listing keeps.
pub const MAX_LISTED_GAMES: usize = 256;
/// The most different results of one game waiting for signatures at once.
pub const MAX_PENDING_RESULTS: usize = 8;
/// How long quick match looks at the listing before it hosts a game itself (hosts repeat their
/// adverts every [`ADVERT_INTERVAL`], so a newcomer sees every open game by then).
pub const QUICK_HOST_DELAY: Duration = Duration::from_millis(2_500);
/// How long quick match waits to be let into a game before trying another.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long members wait for the successor of a departed host to take over before passing it
/// over (it may have left too, or never have heard the state).
pub const TAKEOVER_TIMEOUT: Duration = Duration::from_secs(3);

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
    /// The tournament's bracket changed (a result, a walkover): see [`Lobby::game`].
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
    /// This lobby rates nothing: it was made without an identity ([`Lobby::with_ratings`]).
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

/// The game we are in (or joining).
#[derive(Debug)]
struct Current {
    game: GameId,
    spectator: bool,
    /// The host's last state, once we have one.
    state: Option<GameState>,
    /// Game-room peers seen leaving (for choosing a successor).
    departed: BTreeSet<PeerId>,
    /// Game-room peers present now.
    present: BTreeSet<PeerId>,
    /// Whether the host's state lists us.
    admitted: bool,
    /// When our advert last went out (hosts only).
    advertised: Option<Millis>,
    /// Since when we wait for a departed host's successor to take over.
    awaiting: Option<Millis>,
    /// Successors that did not take over in time, passed over.
    skipped: BTreeSet<PeerId>,
    /// When we entered the game's room.
    entered_at: Millis,
    /// A state from a new host that arrived while the old one was still here: held until the
    /// old host leaves (a member cannot seize the game from a host that is there).
    pending: Option<GameState>,
    /// The epoch whose host seat we saw fall vacant: competing takeovers of it may replace
    /// each other (the lower id wins).
    vacated: Option<u32>,
}

impl Current {
    /// Entering `game` at `now`; with our own `state`, as its host.
    fn new(game: GameId, spectator: bool, state: Option<GameState>, now: Millis) -> Self {
        Self {
            game,
            spectator,
            admitted: state.is_some(),
            state,
            departed: BTreeSet::new(),
            present: BTreeSet::new(),
            advertised: None,
            awaiting: None,
            skipped: BTreeSet::new(),
            entered_at: now,
            pending: None,
            vacated: None,
        }
    }
}

/// The lobby of one local player.
///
/// Two channels carry its messages: the app's well-known **lobby room**, where hosts advertise
/// their games and everyone chats, and the current **game room** (one per game, named by
/// [`GameId::room_name`]), where the host replicates the game's state. The lobby performs no IO
/// and reads no clock: the caller feeds it [`Input`]s with the time and carries out its
/// [`Output`]s in order. A member not yet in the host's state repeats its `Join` to every
/// game-room peer it meets, so a join survives arriving before the host, and a host change.
/// When the host leaves, members wait up to [`TAKEOVER_TIMEOUT`] for the expected successor
/// before passing it over (call [`Input::Tick`] regularly, say every 100 ms).
pub struct Lobby {
    self_id: PeerId,
    profile: Profile,
    config: LobbyConfig,
    random: Box<dyn RandomSource + Send>,
    now: Millis,
    games_made: u32,
    listing: BTreeMap<GameId, (Advert, Millis)>,
    current: Option<Current>,
    /// Our quick-match ticket, while one is open, and the games that refused it.
    ticket: Option<(Ticket, BTreeSet<GameId>)>,
    chat: ChatLimiter,
    figures: Recorder,
    rater: Option<Rater>,
    outputs: VecDeque<Output>,
}

/// What rates games: our identity, the scheme to check others', the table, and results waiting
/// for signatures (by their signed bytes).
struct Rater {
    identity: Box<dyn Identity>,
    verifier: Box<dyn Verifier>,
    ratings: Ratings,
    pending: BTreeMap<Vec<u8>, SignedResult>,
}

impl std::fmt::Debug for Lobby {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lobby")
            .field("self_id", &self.self_id)
            .field("current", &self.current)
            .field("listed", &self.listing.len())
            .finish_non_exhaustive()
    }
}

impl Lobby {
    /// The lobby of `self_id`, known to others as `profile`; match seeds come from `random`.
    pub fn new(
        self_id: PeerId,
        profile: Profile,
        config: LobbyConfig,
        random: impl RandomSource + Send + 'static,
    ) -> Result<Self, LobbyError> {
        check_name(&profile.name, "profile.name")?;
        Ok(Self {
            self_id,
            profile,
            config,
            random: Box::new(random),
            now: Millis(0),
            games_made: 0,
            listing: BTreeMap::new(),
            current: None,
            ticket: None,
            chat: ChatLimiter::default(),
            figures: Recorder::new(Millis(0)),
            rater: None,
            outputs: VecDeque::new(),
        })
    }

    /// Rates our games: results are signed with `identity` (its key goes into our profile),
    /// others' signatures checked with `verifier`, and counted results move `ratings`.
    pub fn with_ratings(
        mut self,
        identity: impl Identity + 'static,
        verifier: impl Verifier + 'static,
        ratings: Ratings,
    ) -> Self {
        self.profile.key = Some(identity.public_key());
        self.rater = Some(Rater {
            identity: Box::new(identity),
            verifier: Box::new(verifier),
            ratings,
            pending: BTreeMap::new(),
        });
        self
    }

    /// The ratings table, if this lobby rates games.
    pub fn ratings(&self) -> Option<&Ratings> {
        self.rater.as_ref().map(|rater| &rater.ratings)
    }

    /// Reports the winner of one of our tournament matches; the host applies it once both
    /// players named the same winner.
    pub fn report_match(
        &mut self,
        now: Millis,
        match_id: u16,
        winner: PeerId,
    ) -> Result<(), LobbyError> {
        self.now = now;
        let state = self.game().ok_or(LobbyError::NotInGame)?;
        if state.tournament.is_none() {
            return Err(LobbyError::NotStarted);
        }
        let game = state.game;
        if self.is_host() {
            let me = self.self_id;
            self.host_apply(|state, _| state.apply_match_report(me, match_id, winner));
        } else {
            self.send(
                Channel::Game,
                None,
                &Body::MatchReport {
                    game,
                    match_id,
                    winner,
                },
            );
        }
        Ok(())
    }

    /// Signs and sends our account of the current game's result: each player's place (1 is
    /// first). It counts once every player signed the same result.
    pub fn report_result(
        &mut self,
        now: Millis,
        places: &[(PeerId, u8)],
    ) -> Result<(), LobbyError> {
        self.now = now;
        let state = self.game().ok_or(LobbyError::NotInGame)?;
        let Phase::Started { seed, .. } = state.phase else {
            return Err(LobbyError::NotStarted);
        };
        let mut standings = Vec::with_capacity(places.len());
        for (peer, place) in places {
            let player = state
                .players
                .iter()
                .find(|player| player.id == *peer)
                .ok_or(LobbyError::NotInGame)?;
            let key = player.profile.key.ok_or(LobbyError::Unrated(*peer))?;
            standings.push(Standing {
                player: key,
                place: *place,
            });
        }
        let result = MatchResult {
            game: state.game,
            seed,
            standings,
        };
        let rater = self.rater.as_ref().ok_or(LobbyError::NoIdentity)?;
        let signature = rater.identity.sign(&result.signing_bytes());
        let mine = rater.identity.public_key();
        self.add_signature(result.clone(), mine, signature)?;
        self.send(
            Channel::Game,
            None,
            &Body::ResultSignature { result, signature },
        );
        Ok(())
    }

    /// Adds a verified signature to its pending result; counts the result once complete.
    fn add_signature(
        &mut self,
        result: MatchResult,
        key: PublicKey,
        signature: Signature,
    ) -> Result<(), ResultError> {
        let Some(rater) = self.rater.as_mut() else {
            return Ok(());
        };
        let bytes = result.signing_bytes();
        if !rater.pending.contains_key(&bytes) && rater.pending.len() >= MAX_PENDING_RESULTS {
            return Err(ResultError::TooManyPending);
        }
        let game = result.game;
        let pending = rater
            .pending
            .entry(bytes.clone())
            .or_insert_with(|| SignedResult::new(result));
        pending.add_signature(&*rater.verifier, key, signature)?;
        if pending.check(&*rater.verifier).is_err() {
            return Ok(());
        }
        let Some(complete) = rater.pending.remove(&bytes) else {
            return Ok(());
        };
        // Other accounts of the same game can no longer count.
        rater.pending.retain(|_, other| other.result.game != game);
        let after = rater.ratings.record(&complete, &*rater.verifier)?;
        let ratings = after
            .iter()
            .map(|(key, rating)| (*key, rating.whole()))
            .collect();
        self.event(LobbyEvent::RatingsChanged { game, ratings });
        Ok(())
    }

    /// A player's signature over a result arrived.
    fn on_result_signature(&mut self, from: PeerId, result: MatchResult, signature: Signature) {
        if self.rater.is_none() {
            return;
        }
        let Some(state) = self.game() else {
            return;
        };
        let Phase::Started { seed, .. } = state.phase else {
            self.refuse(from, Refusal::OutOfPlace);
            return;
        };
        // The result must be this match's, over exactly its players' keys, and signed by the
        // sender's own key.
        let keys: BTreeSet<Option<PublicKey>> = state
            .players
            .iter()
            .map(|player| player.profile.key)
            .collect();
        let listed: BTreeSet<Option<PublicKey>> =
            result.standings.iter().map(|s| Some(s.player)).collect();
        let sender = state
            .players
            .iter()
            .find(|player| player.id == from)
            .and_then(|player| player.profile.key);
        if result.game != state.game || result.seed != seed || keys != listed {
            self.refuse(from, Refusal::OutOfPlace);
            return;
        }
        let Some(sender) = sender else {
            self.refuse(from, Refusal::OutOfPlace);
            return;
        };
        if let Err(error) = self.add_signature(result, sender, signature) {
            self.refuse(from, Refusal::Result(error));
        }
    }

    /// Our peer id.
    pub fn self_id(&self) -> PeerId {
        self.self_id
    }

    /// The dashboard's figures now (the lobby-join time counts from the clock's zero).
    pub fn analytics(&mut self, now: Millis) -> Analytics {
        let listed = self.listing.len();
        self.figures.snapshot(now, listed)
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The listed games of our version, freshest first by name.
    pub fn games(&self) -> Vec<Advert> {
        self.listing
            .values()
            .map(|(advert, _)| advert.clone())
            .collect()
    }

    /// The state of the game we are in, as we last heard it.
    pub fn game(&self) -> Option<&GameState> {
        self.current.as_ref()?.state.as_ref()
    }

    /// Whether we host the current game.
    pub fn is_host(&self) -> bool {
        self.game().is_some_and(|state| state.host == self.self_id)
    }

    /// Creates a game hosted by us and lists it. `max_players` 0, an empty mode and no region
    /// take the config's.
    pub fn create_room(
        &mut self,
        now: Millis,
        mut settings: GameSettings,
    ) -> Result<GameId, LobbyError> {
        self.now = now;
        if self.current.is_some() {
            return Err(LobbyError::AlreadyInGame);
        }
        if settings.max_players == 0 {
            settings.max_players = self.config.max_players;
        }
        if settings.mode.is_empty() {
            settings.mode.clone_from(&self.config.game_mode);
        }
        if settings.region.is_none() {
            settings.region.clone_from(&self.config.region);
        }
        check_name(&settings.name, "name")?;
        if usize::from(settings.max_players) > MAX_MEMBERS {
            return Err(MessageError::OutOfBounds {
                field: "max_players",
            }
            .into());
        }
        self.games_made += 1;
        let game = GameId::new(self.self_id, self.games_made);
        let state = GameState::new(game, settings, self.self_id, self.profile.clone());
        self.current = Some(Current::new(game, false, Some(state), now));
        self.outputs.push_back(Output::EnterGame(game));
        self.event(LobbyEvent::Entered { game });
        self.advertise();
        Ok(game)
    }

    /// Quick match: joins the best open game for our rating, mode and region, or else hosts one
    /// and keeps looking. Until the game is full or starts, a lone host or a player moves to a
    /// suitable game with more players (or as many and a lower id), so racing hosts and partial
    /// games merge. The rating window widens with time. One ticket at a time.
    pub fn quick_match(&mut self, now: Millis) -> Result<(), LobbyError> {
        self.now = now;
        if self.ticket.is_some() {
            return Err(LobbyError::TicketOpen);
        }
        if self.current.is_some() {
            return Err(LobbyError::AlreadyInGame);
        }
        let ticket = Ticket {
            rating: self.profile.rating,
            mode: self.config.game_mode.clone(),
            region: self.config.region.clone(),
            app_version: self.config.app_version.clone(),
            opened: now,
        };
        self.ticket = Some((ticket, BTreeSet::new()));
        self.seek();
        Ok(())
    }

    /// Closes the quick-match ticket (a game we host or joined stays).
    pub fn cancel_quick_match(&mut self) {
        self.ticket = None;
    }

    /// Whether a quick match is under way.
    pub fn matching(&self) -> bool {
        self.ticket.is_some()
    }

    /// Our ticket's window now (unlimited without skill matching).
    fn window(&self, ticket: &Ticket) -> u32 {
        if self.config.skill_matching {
            self.config.matchmaking.window_at(ticket.opened, self.now)
        } else {
            u32::MAX
        }
    }

    /// One quick-match step.
    fn seek(&mut self) {
        let Some((ticket, refused)) = self.ticket.clone() else {
            return;
        };
        let window = self.window(&ticket);
        let current = self.current.as_ref().map(|current| current.game);
        let ours = self
            .game()
            .filter(|state| state.host == self.self_id)
            .cloned();
        match (current, ours) {
            (None, _) => {
                let best = best_game(
                    &ticket,
                    window,
                    self.listing
                        .values()
                        .map(|(advert, _)| advert)
                        .filter(|advert| !refused.contains(&advert.game)),
                )
                .map(|advert| advert.game);
                match best {
                    Some(game) => {
                        let _ = self.join_room(self.now, game, false);
                    }
                    // Not yet: the listing may still be filling.
                    None if self.now.since(ticket.opened) < QUICK_HOST_DELAY => {}
                    None => {
                        let settings = GameSettings {
                            name: format!("{} quick match", self.config.game_mode),
                            mode: self.config.game_mode.clone(),
                            region: self.config.region.clone(),
                            max_players: self.config.max_players,
                            spectators: true,
                            tournament: None,
                        };
                        if self.create_room(self.now, settings).is_err() {
                            self.ticket = None;
                        }
                    }
                }
            }
            (Some(game), hosted) => {
                let Some(state) = self.game().cloned() else {
                    // Not let in yet: a host that does not answer is given up.
                    let entered = self.current.as_ref().map(|current| current.entered_at);
                    if entered.is_some_and(|at| self.now.since(at) >= JOIN_TIMEOUT) {
                        if let Some((_, refused)) = self.ticket.as_mut() {
                            refused.insert(game);
                        }
                        let _ = self.exit_game();
                    }
                    return;
                };
                let players = state.players.len();
                if state.started() || players >= usize::from(state.settings.max_players) {
                    // A full or started game: the ticket is done.
                    self.figures.matched(self.now.since(ticket.opened));
                    self.ticket = None;
                    return;
                }
                // Move to a better game (more players, or as many and a lower id) with room, so
                // partial games merge; a host with players stays (its players may move).
                let movable = hosted.is_none() || players == 1;
                let better = movable
                    .then(|| {
                        best_game(
                            &ticket,
                            window,
                            self.listing
                                .values()
                                .map(|(advert, _)| advert)
                                .filter(|advert| {
                                    let more = usize::from(advert.players) > players
                                        || (usize::from(advert.players) == players
                                            && advert.game < game);
                                    advert.game != game && more && !refused.contains(&advert.game)
                                }),
                        )
                        .map(|advert| advert.game)
                    })
                    .flatten();
                if let Some(better) = better {
                    let _ = self.exit_game();
                    let _ = self.join_room(self.now, better, false);
                } else if hosted.is_some()
                    && self.current.as_ref().is_some_and(|current| {
                        current
                            .advertised
                            .is_none_or(|at| self.now.since(at) >= ADVERT_INTERVAL)
                    })
                {
                    // The window widened: say so in the advert.
                    self.advertise();
                }
            }
        }
    }

    /// Joins a game as a player (or `spectator`).
    pub fn join_room(
        &mut self,
        now: Millis,
        game: GameId,
        spectator: bool,
    ) -> Result<(), LobbyError> {
        self.now = now;
        if self.current.is_some() {
            return Err(LobbyError::AlreadyInGame);
        }
        self.current = Some(Current::new(game, spectator, None, now));
        self.outputs.push_back(Output::EnterGame(game));
        self.send(Channel::Game, None, &self.join_body());
        Ok(())
    }

    /// Leaves the current game (a host hands it to its successor) and ends a quick match.
    pub fn leave_room(&mut self, now: Millis) -> Result<(), LobbyError> {
        self.now = now;
        // Leaving by choice ends the quick match too (quick match moving between games does not).
        self.ticket = None;
        self.exit_game()
    }

    /// Leaves the current game's room (a host hands it to its successor).
    fn exit_game(&mut self) -> Result<(), LobbyError> {
        let current = self.current.take().ok_or(LobbyError::NotInGame)?;
        let game = current.game;
        self.send(Channel::Game, None, &Body::Leave { game });
        if current
            .state
            .as_ref()
            .is_some_and(|state| state.host == self.self_id)
        {
            self.send(Channel::Lobby, None, &Body::Withdraw { game });
        }
        self.outputs.push_back(Output::ExitGame(game));
        self.event(LobbyEvent::Left { game });
        Ok(())
    }

    /// Sets our readiness.
    pub fn set_ready(&mut self, now: Millis, ready: bool) -> Result<(), LobbyError> {
        self.now = now;
        let current = self.current.as_ref().ok_or(LobbyError::NotInGame)?;
        let game = current.game;
        if self.is_host() {
            self.host_apply(|state, me| state.apply_ready(me, ready));
        } else {
            self.send(Channel::Game, None, &Body::Ready { game, ready });
        }
        Ok(())
    }

    /// Starts the game (host only; every other player must be ready).
    pub fn start_game(&mut self, now: Millis) -> Result<(), LobbyError> {
        self.now = now;
        let state = self.game().ok_or(LobbyError::NotInGame)?;
        if state.host != self.self_id {
            return Err(LobbyError::NotHost);
        }
        if state.started() {
            return Err(LobbyError::AlreadyStarted);
        }
        if !state.can_start() {
            return Err(LobbyError::NotAllReady);
        }
        let mut bytes = [0u8; 8];
        self.random
            .fill_bytes(&mut bytes)
            .map_err(|error| LobbyError::Random(error.to_string()))?;
        let seed = u64::from_le_bytes(bytes);
        self.host_apply(|state, _| {
            state.start(seed);
            Applied::Changed
        });
        Ok(())
    }

    /// Sends a chat line to the current game, or to the lobby when in none.
    pub fn send_message(&mut self, now: Millis, text: &str) -> Result<(), LobbyError> {
        self.now = now;
        check_line(&self.config.chat, text)?;
        let channel = if self.current.is_some() {
            Channel::Game
        } else {
            Channel::Lobby
        };
        self.send(
            channel,
            None,
            &Body::Chat {
                text: text.to_owned(),
            },
        );
        self.event(LobbyEvent::Message {
            channel,
            from: self.self_id,
            text: text.to_owned(),
        });
        Ok(())
    }

    /// Feeds one input at `now`.
    pub fn handle(&mut self, now: Millis, input: Input) {
        self.now = now;
        match input {
            Input::Received {
                channel,
                from,
                bytes,
            } => match Message::decode(&bytes) {
                Ok(message) => self.on_message(channel, from, message.body),
                Err(error) => self.refuse(from, error.into()),
            },
            Input::PeerJoined { channel, peer } => self.on_peer_joined(channel, peer),
            Input::PeerLeft { channel, peer } => self.on_peer_left(channel, peer),
            Input::Tick => self.tick(),
        }
    }

    fn tick(&mut self) {
        let now = self.now;
        self.listing
            .retain(|_, (_, seen)| now.since(*seen) < ADVERT_TTL);
        let due = self.current.as_ref().is_some_and(|current| {
            current
                .advertised
                .is_none_or(|at| now.since(at) >= ADVERT_INTERVAL)
        });
        if due && self.is_host() {
            self.advertise();
        }
        self.pass_over_a_silent_successor();
        self.seek();
    }

    /// The successor we wait for did not take over in time: pass it over and elect again.
    fn pass_over_a_silent_successor(&mut self) {
        let now = self.now;
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let Some(since) = current.awaiting else {
            return;
        };
        if now.since(since) < TAKEOVER_TIMEOUT {
            return;
        }
        let Some(state) = current.state.as_ref() else {
            return;
        };
        let host = state.host;
        let gone = gone_players(state, current, self.self_id);
        if let Some(silent) = state.successor(&gone) {
            current.skipped.insert(silent);
        }
        current.awaiting = None;
        self.member_departed(host);
    }

    fn on_peer_joined(&mut self, channel: Channel, peer: PeerId) {
        if channel == Channel::Lobby {
            self.figures.peer_joined(self.now, peer);
            return;
        }
        let Some(current) = self.current.as_mut() else {
            return;
        };
        current.present.insert(peer);
        current.departed.remove(&peer);
        if !current.admitted {
            let body = self.join_body();
            self.send(Channel::Game, Some(peer), &body);
        } else if self.is_host()
            && let Some(state) = self.game().cloned()
        {
            // A newcomer learns the state (and who hosts) at once.
            self.send(Channel::Game, Some(peer), &Body::State(Box::new(state)));
        }
    }

    fn on_peer_left(&mut self, channel: Channel, peer: PeerId) {
        self.chat.forget(&peer);
        if channel == Channel::Lobby {
            self.figures.peer_left(&peer);
            return;
        }
        let Some(current) = self.current.as_mut() else {
            return;
        };
        current.present.remove(&peer);
        current.departed.insert(peer);
        self.member_departed(peer);
    }

    /// A game member is gone (left the room or said `Leave`).
    fn member_departed(&mut self, peer: PeerId) {
        let me = self.self_id;
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let Some(state) = current.state.as_ref() else {
            return;
        };
        if state.host == me {
            self.host_apply(|state, _| state.apply_leave(peer));
            return;
        }
        if state.host != peer && !current.departed.contains(&state.host) {
            return;
        }
        // The host is gone: the lowest player still in the room takes over. Members who see the
        // room alike pick the same one; if two take over, the lower id's state wins.
        let gone = gone_players(state, current, me);
        let successor = state.successor(&gone);
        // A new host's state held while the old one was here stands now, if it comes from the
        // rightful successor (anyone else tried to seize the game early).
        // (Held otherwise: once a silent successor is passed over, its host may be the one.)
        let rightful = current.pending.as_ref().is_some_and(|held| {
            held.supersedes(state) && Some(held.host) == successor && held.host != me
        });
        if rightful && let Some(held) = current.pending.take() {
            let from = held.host;
            self.adopt(from, held);
            return;
        }
        match successor {
            Some(successor) if successor == me => {
                let mut next = state.clone();
                next.take_over(me, &gone);
                current.vacated = Some(next.epoch);
                self.accept(next);
                self.broadcast_state();
                self.advertise();
            }
            Some(_) => {
                current.awaiting.get_or_insert(self.now);
            }
            // No player is left: the game is over for its spectators too.
            None => {
                let game = current.game;
                self.current = None;
                self.outputs.push_back(Output::ExitGame(game));
                self.event(LobbyEvent::Left { game });
            }
        }
    }

    fn on_message(&mut self, channel: Channel, from: PeerId, body: Body) {
        // A game message from a peer not in our game room is a leftover of an earlier visit
        // (sent before one of us left): it speaks of a game we are no longer in.
        if channel == Channel::Game
            && !self
                .current
                .as_ref()
                .is_some_and(|current| current.present.contains(&from))
        {
            return;
        }
        match (channel, body) {
            (_, Body::Chat { text }) => {
                match self.chat.admit(&self.config.chat, self.now, from, &text) {
                    Ok(()) => {
                        self.figures.chat(self.now);
                        self.event(LobbyEvent::Message {
                            channel,
                            from,
                            text,
                        });
                    }
                    Err(reason) => {
                        self.figures.chat_dropped();
                        self.event(LobbyEvent::ChatDropped { from, reason });
                    }
                }
            }
            (Channel::Lobby, Body::Advert(advert)) => self.on_advert(from, advert),
            (Channel::Lobby, Body::Withdraw { game }) => {
                if self
                    .listing
                    .get(&game)
                    .is_some_and(|(advert, _)| advert.host == from)
                {
                    self.listing.remove(&game);
                }
            }
            (
                Channel::Game,
                Body::Join {
                    game,
                    profile,
                    spectator,
                },
            ) => self.on_join(from, game, profile, spectator),
            (Channel::Game, Body::Ready { game, ready }) => {
                if self.in_game(game) && self.is_host() {
                    self.host_apply(|state, _| state.apply_ready(from, ready));
                }
            }
            (Channel::Game, Body::Leave { game }) => {
                if self.in_game(game) {
                    if let Some(current) = self.current.as_mut() {
                        current.departed.insert(from);
                    }
                    self.member_departed(from);
                }
            }
            (Channel::Game, Body::State(state)) => self.on_state(from, *state),
            (
                Channel::Game,
                Body::MatchReport {
                    game,
                    match_id,
                    winner,
                },
            ) => {
                if self.in_game(game) && self.is_host() {
                    self.host_apply(|state, _| state.apply_match_report(from, match_id, winner));
                }
            }
            (Channel::Game, Body::ResultSignature { result, signature }) => {
                self.on_result_signature(from, result, signature);
            }
            (Channel::Game, Body::Rejected { game, reason }) => {
                self.on_rejected(from, game, reason)
            }
            _ => self.refuse(from, Refusal::OutOfPlace),
        }
    }

    fn on_advert(&mut self, from: PeerId, advert: Advert) {
        if advert.host != from {
            self.refuse(from, Refusal::ForgedAdvert);
            return;
        }
        if advert.app_version != self.config.app_version {
            return;
        }
        if !self.listing.contains_key(&advert.game) && self.listing.len() >= MAX_LISTED_GAMES {
            return;
        }
        self.listing.insert(advert.game, (advert, self.now));
    }

    fn on_join(&mut self, from: PeerId, game: GameId, profile: Profile, spectator: bool) {
        if !self.is_host() {
            return;
        }
        if !self.in_game(game) {
            let body = Body::Rejected {
                game,
                reason: RejectReason::UnknownGame,
            };
            self.send(Channel::Game, Some(from), &body);
            return;
        }
        if let Some(current) = self.current.as_mut() {
            current.departed.remove(&from);
        }
        let outcome = self.host_apply(|state, _| state.apply_join(from, profile, spectator));
        match outcome {
            Applied::Rejected(reason) => {
                self.send(Channel::Game, Some(from), &Body::Rejected { game, reason });
            }
            // Already in: it may have missed the state.
            Applied::Unchanged => {
                if let Some(state) = self.game().cloned() {
                    self.send(Channel::Game, Some(from), &Body::State(Box::new(state)));
                }
            }
            Applied::Changed => {}
        }
    }

    fn on_state(&mut self, from: PeerId, state: GameState) {
        if from != state.host {
            self.refuse(from, Refusal::NotHost);
            return;
        }
        let me = self.self_id;
        let Some(current) = self.current.as_mut() else {
            return;
        };
        if current.game != state.game {
            return;
        }
        if current
            .state
            .as_ref()
            .is_some_and(|mine| !state.supersedes(mine))
        {
            return;
        }
        if let Some(mine) = current.state.as_ref()
            && mine.host != state.host
        {
            let old_gone = mine.host != me
                && (current.departed.contains(&mine.host) || !current.present.contains(&mine.host));
            let competing = state.epoch == mine.epoch && current.vacated == Some(mine.epoch);
            if !old_gone && !competing {
                if current
                    .pending
                    .as_ref()
                    .is_none_or(|held| state.supersedes(held))
                {
                    current.pending = Some(state);
                }
                return;
            }
        }
        self.adopt(from, state);
    }

    /// Takes a host's state that passed the checks, and asks to join if it does not list us.
    fn adopt(&mut self, from: PeerId, state: GameState) {
        let me = self.self_id;
        let Some(current) = self.current.as_mut() else {
            return;
        };
        if current
            .state
            .as_ref()
            .is_some_and(|mine| mine.host != state.host)
        {
            current.vacated = Some(state.epoch);
        }
        if current
            .pending
            .as_ref()
            .is_some_and(|held| !held.supersedes(&state))
        {
            current.pending = None;
        }
        let was_admitted = current.admitted;
        let host_changed = current
            .state
            .as_ref()
            .is_some_and(|mine| mine.host != state.host);
        let listed = state.is_member(me);
        self.accept(state);
        if was_admitted && !listed {
            // Dropped from the game (a takeover that thought we had gone): ask again.
            if let Some(current) = self.current.as_mut() {
                current.admitted = false;
            }
        }
        if !listed && (host_changed || !was_admitted) {
            let body = self.join_body();
            self.send(Channel::Game, Some(from), &body);
        }
    }

    fn on_rejected(&mut self, from: PeerId, game: GameId, reason: RejectReason) {
        let Some(current) = self.current.as_ref() else {
            return;
        };
        let from_host = current
            .state
            .as_ref()
            .is_none_or(|state| state.host == from);
        if current.game != game || current.admitted || !from_host {
            return;
        }
        self.current = None;
        if let Some((_, refused)) = self.ticket.as_mut() {
            refused.insert(game);
        }
        self.outputs.push_back(Output::ExitGame(game));
        self.event(LobbyEvent::JoinRejected { game, reason });
    }

    /// Takes `next` as the game's state and tells the user what changed.
    fn accept(&mut self, next: GameState) {
        let me = self.self_id;
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let previous = current.state.replace(next.clone());
        if previous
            .as_ref()
            .is_none_or(|previous| previous.host != next.host)
        {
            current.awaiting = None;
            current.skipped.clear();
        }
        let mut events = Vec::new();
        if next.is_member(me) && !current.admitted {
            current.admitted = true;
            events.push(LobbyEvent::Entered { game: next.game });
        }
        events.extend(changes(previous.as_ref(), &next, me));
        for player in &next.players {
            self.figures.rated(player.id, player.profile.rating);
        }
        if events
            .iter()
            .any(|event| matches!(event, LobbyEvent::GameStarting { .. }))
        {
            self.figures.game_started();
        }
        for event in events {
            self.event(event);
        }
    }

    /// Host: applies a rule to our state; on a change, sends the state and re-advertises.
    fn host_apply(&mut self, rule: impl FnOnce(&mut GameState, PeerId) -> Applied) -> Applied {
        let me = self.self_id;
        let Some(mut next) = self.game().cloned() else {
            return Applied::Unchanged;
        };
        let outcome = rule(&mut next, me);
        if outcome == Applied::Changed {
            self.accept(next);
            self.broadcast_state();
            self.advertise();
        }
        outcome
    }

    fn broadcast_state(&mut self) {
        if let Some(state) = self.game().cloned() {
            self.send(Channel::Game, None, &Body::State(Box::new(state)));
        }
    }

    /// Host: lists the game in the lobby room (or withdraws it once it takes nobody).
    fn advertise(&mut self) {
        let now = self.now;
        let Some(state) = self.game().filter(|state| state.host == self.self_id) else {
            return;
        };
        let body = if state.started() && !state.settings.spectators {
            Body::Withdraw { game: state.game }
        } else {
            Body::Advert(Advert {
                game: state.game,
                host: state.host,
                name: state.settings.name.clone(),
                mode: state.settings.mode.clone(),
                region: state.settings.region.clone(),
                players: u8::try_from(state.players.len()).unwrap_or(u8::MAX),
                max_players: state.settings.max_players,
                mean_rating: state.mean_rating(),
                spectators: state.settings.spectators,
                started: state.started(),
                app_version: self.config.app_version.clone(),
                window: match &self.ticket {
                    Some((ticket, _)) => self.window(ticket),
                    None => u32::MAX,
                },
            })
        };
        if let Some(current) = self.current.as_mut() {
            current.advertised = Some(now);
        }
        self.send(Channel::Lobby, None, &body);
    }

    fn in_game(&self, game: GameId) -> bool {
        self.current
            .as_ref()
            .is_some_and(|current| current.game == game)
    }

    fn join_body(&self) -> Body {
        let current = self.current.as_ref();
        Body::Join {
            game: current.map_or(GameId::new(self.self_id, 0), |current| current.game),
            profile: self.profile.clone(),
            spectator: current.is_some_and(|current| current.spectator),
        }
    }

    fn send(&mut self, channel: Channel, to: Option<PeerId>, body: &Body) {
        let bytes = Message::new(body.clone()).encode();
        self.outputs.push_back(Output::Send { channel, to, bytes });
    }

    fn event(&mut self, event: LobbyEvent) {
        self.outputs.push_back(Output::Event(event));
    }

    fn refuse(&mut self, from: PeerId, error: Refusal) {
        self.event(LobbyEvent::Refused { from, error });
    }
}

/// Players of `state` that `me` counts as gone when choosing a successor: not in the room, seen
/// leaving, or passed over.
fn gone_players(state: &GameState, current: &Current, me: PeerId) -> BTreeSet<PeerId> {
    state
        .players
        .iter()
        .map(|player| player.id)
        .filter(|id| *id != me && !current.present.contains(id))
        .chain(current.departed.iter().copied())
        .chain(current.skipped.iter().copied())
        .collect()
}

/// The events between two states of one game, as member `me` sees them.
fn changes(previous: Option<&GameState>, next: &GameState, me: PeerId) -> Vec<LobbyEvent> {
    let mut events = Vec::new();
    let Some(previous) = previous else {
        events.extend(starting(next));
        return events;
    };
    for player in &next.players {
        match previous.players.iter().find(|old| old.id == player.id) {
            None if player.id != me => events.push(LobbyEvent::PlayerJoined {
                player: player.id,
                profile: player.profile.clone(),
            }),
            Some(old) if old.ready != player.ready => events.push(LobbyEvent::ReadyChanged {
                player: player.id,
                ready: player.ready,
            }),
            _ => {}
        }
    }
    for spectator in &next.spectators {
        if spectator.id != me && !previous.is_member(spectator.id) {
            events.push(LobbyEvent::SpectatorJoined {
                spectator: spectator.id,
                profile: spectator.profile.clone(),
            });
        }
    }
    let members = previous
        .players
        .iter()
        .map(|player| player.id)
        .chain(previous.spectators.iter().map(|spectator| spectator.id));
    for id in members {
        if !next.is_member(id) {
            events.push(LobbyEvent::PlayerLeft { player: id });
        }
    }
    if previous.host != next.host {
        events.push(LobbyEvent::HostChanged { host: next.host });
    }
    if !previous.started() {
        events.extend(starting(next));
    }
    if let Some(tournament) = &next.tournament {
        let before = previous.tournament.as_ref();
        if before.is_none_or(|before| before.bracket.revision != tournament.bracket.revision) {
            events.push(LobbyEvent::BracketChanged {
                revision: tournament.bracket.revision,
            });
        }
        if let Some(champion) = tournament.champion()
            && before.and_then(|before| before.champion()).is_none()
        {
            events.push(LobbyEvent::TournamentOver { champion });
        }
    }
    events
}

/// `GameStarting` for a started game.
fn starting(state: &GameState) -> Option<LobbyEvent> {
    match &state.phase {
        Phase::Started {
            seed,
            start_frame,
            roster,
        } => Some(LobbyEvent::GameStarting {
            game: state.game,
            seed: *seed,
            start_frame: *start_frame,
            roster: roster.clone(),
        }),
        Phase::Open => None,
    }
}
