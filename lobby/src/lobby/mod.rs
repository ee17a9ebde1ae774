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
//!
//! This file holds the lobby, its public calls and the routing of inputs; `types.rs` the inputs,
//! outputs, events, errors and settings; `replication.rs` the game room (the host's state,
//! joins and leaves, host migration, the events a change means); `matching.rs` quick match;
//! `results.rs` rated results and tournament reports.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use trystero_core::PeerId;
use trystero_core::random::RandomSource;
use trystero_core::time::Millis;

use crate::analytics::{Analytics, Recorder};
use crate::chat::{ChatLimiter, check_line};
use crate::game::{Applied, GameId, GameSettings, GameState};
use crate::matchmaking::Ticket;
use crate::message::{Advert, Body, MAX_MEMBERS, Message, MessageError, Profile, check_name};

mod matching;
mod replication;
mod results;
mod types;

use results::Rater;
pub use types::{Channel, Input, LobbyConfig, LobbyError, LobbyEvent, Output, Refusal};

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
