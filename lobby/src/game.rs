//! One game's replicated state and the rules its host applies.
//!
//! The host is the authority: members ask (join, ready, leave), the host applies the request to
//! its [`GameState`] and sends everyone the whole state. Every state carries `(epoch, revision)`:
//! a host bumps `revision` on each change, and a new host (after the old one left) bumps `epoch`.
//! Which state wins ([`GameState::supersedes`]): the higher epoch; in the same epoch the lower host
//! id (two peers that both took over resolve to one); under one host the higher revision. Every
//! member takes the winning state as is, so all members converge once messages are delivered.
//!
//! Host migration: when the host leaves, the player with the lowest peer id among those still
//! there ([`GameState::successor`]) takes over — every member computes the same one — removes the
//! departed, bumps the epoch and sends the state on.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use trystero_core::PeerId;

use crate::message::{
    MAX_MEMBERS, MAX_NAME_CHARS, MAX_TAG_CHARS, MessageError, Profile, RejectReason, check_name,
};
use crate::tournament::{Bracket, Entrant, Format, MatchId, Slot};

/// A game's id: its creator's peer id and the creator's game number, `"<peer>-<n>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GameId {
    creator: PeerId,
    number: u32,
}

impl GameId {
    /// The `number`th game `creator` made.
    pub fn new(creator: PeerId, number: u32) -> Self {
        Self { creator, number }
    }

    /// Who made it.
    pub fn creator(&self) -> PeerId {
        self.creator
    }

    /// The name of the game's own room (joined by every member).
    pub fn room_name(&self) -> String {
        format!("lobby-game-{self}")
    }
}

impl fmt::Display for GameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.creator, self.number)
    }
}

impl FromStr for GameId {
    type Err = MessageError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || MessageError::OutOfBounds { field: "game" };
        let (creator, number) = text.rsplit_once('-').ok_or_else(bad)?;
        Ok(Self {
            creator: creator.parse().map_err(|_| bad())?,
            number: number.parse().map_err(|_| bad())?,
        })
    }
}

impl TryFrom<String> for GameId {
    type Error = MessageError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<GameId> for String {
    fn from(id: GameId) -> Self {
        id.to_string()
    }
}

/// What the creator chose for a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameSettings {
    /// The game's name.
    pub name: String,
    /// The game mode (players see only their mode in quick match).
    pub mode: String,
    /// The host's region, if any.
    pub region: Option<String>,
    /// Players it takes (spectators aside), 1 to 64.
    pub max_players: u8,
    /// Whether spectators may join (and watch after the start).
    pub spectators: bool,
    /// A tournament instead of one match: at the start, the players are seeded into a bracket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tournament: Option<Format>,
}

impl GameSettings {
    /// A game of this name with the lobby's defaults: its config's mode, region and player
    /// count (see [`crate::Lobby::create_room`]), spectators allowed, one match.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            mode: String::new(),
            region: None,
            max_players: 0,
            spectators: true,
            tournament: None,
        }
    }
}

/// A player of a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Player {
    /// The player's peer id.
    pub id: PeerId,
    /// Name and rating.
    pub profile: Profile,
    /// Whether they are ready (the host's readiness is its start).
    pub ready: bool,
}

/// A spectator of a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spectator {
    /// The spectator's peer id.
    pub id: PeerId,
    /// Name and rating.
    pub profile: Profile,
}

/// Where a game is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Taking players.
    Open,
    /// Started: what every member's netcode session starts from.
    Started {
        /// The match's random seed.
        seed: u64,
        /// The frame every peer starts at.
        start_frame: u32,
        /// The players, in the order the session numbers them.
        roster: Vec<PeerId>,
    },
}

/// One game's whole state, as its host replicates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameState {
    /// The game.
    pub game: GameId,
    /// Its settings.
    pub settings: GameSettings,
    /// The host now.
    pub host: PeerId,
    /// Bumped by each new host.
    pub epoch: u32,
    /// Bumped by each change under one host.
    pub revision: u64,
    /// Players, in the order they joined (the host among them).
    pub players: Vec<Player>,
    /// Spectators, in the order they joined.
    pub spectators: Vec<Spectator>,
    /// Open or started.
    pub phase: Phase,
    /// The bracket, once a tournament started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tournament: Option<Tournament>,
}

/// A started tournament: the bracket, who sits at each of its seats, and the results reported
/// so far for matches not decided yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tournament {
    /// The bracket.
    pub bracket: Bracket,
    /// The player of each entrant number (by seed).
    pub seats: Vec<PeerId>,
    /// Reports waiting for the other player's: (match, reporter, winner named).
    pub reports: Vec<(MatchId, PeerId, PeerId)>,
}

impl Tournament {
    /// The entrant number of `peer`.
    pub fn entrant(&self, peer: PeerId) -> Option<Entrant> {
        self.seats
            .iter()
            .position(|seat| *seat == peer)
            .and_then(|index| Entrant::try_from(index).ok())
    }

    /// The player of an entrant number.
    pub fn player(&self, entrant: Entrant) -> Option<PeerId> {
        self.seats.get(usize::from(entrant)).copied()
    }

    /// The champion, once decided.
    pub fn champion(&self) -> Option<PeerId> {
        self.player(self.bracket.champion()?)
    }

    /// The players of a match, if both are known.
    pub fn players_of(&self, id: MatchId) -> Option<[PeerId; 2]> {
        match self.bracket.matches.get(usize::from(id))?.slots {
            [Slot::Player(a), Slot::Player(b)] => Some([self.player(a)?, self.player(b)?]),
            _ => None,
        }
    }
}

/// What the host's rules said to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The state changed: send it.
    Changed,
    /// Nothing to do (a repeated request).
    Unchanged,
    /// Refused: tell the asker.
    Rejected(RejectReason),
}

impl GameState {
    /// A new game hosted by `host`, its first player.
    pub fn new(game: GameId, settings: GameSettings, host: PeerId, profile: Profile) -> Self {
        Self {
            game,
            settings,
            host,
            epoch: 0,
            revision: 0,
            players: vec![Player {
                id: host,
                profile,
                ready: false,
            }],
            spectators: Vec::new(),
            phase: Phase::Open,
            tournament: None,
        }
    }

    /// Whether `self` wins over `other` (see the module docs).
    pub fn supersedes(&self, other: &Self) -> bool {
        (self.epoch, std::cmp::Reverse(self.host), self.revision)
            > (other.epoch, std::cmp::Reverse(other.host), other.revision)
    }

    /// Whether `peer` plays in it.
    pub fn is_player(&self, peer: PeerId) -> bool {
        self.players.iter().any(|player| player.id == peer)
    }

    /// Whether `peer` plays or watches.
    pub fn is_member(&self, peer: PeerId) -> bool {
        self.is_player(peer) || self.spectators.iter().any(|spectator| spectator.id == peer)
    }

    /// Whether it has started.
    pub fn started(&self) -> bool {
        matches!(self.phase, Phase::Started { .. })
    }

    /// The players' mean rating (0 with none).
    pub fn mean_rating(&self) -> i32 {
        let count = i64::try_from(self.players.len()).unwrap_or(i64::MAX).max(1);
        let sum: i64 = self
            .players
            .iter()
            .map(|player| i64::from(player.profile.rating))
            .sum();
        i32::try_from(sum / count).unwrap_or(0)
    }

    /// Host rule: `peer` asks to join.
    pub fn apply_join(&mut self, peer: PeerId, profile: Profile, spectator: bool) -> Applied {
        if self.is_member(peer) {
            return Applied::Unchanged;
        }
        if self.players.len() + self.spectators.len() >= MAX_MEMBERS {
            return Applied::Rejected(RejectReason::Full);
        }
        if spectator {
            if !self.settings.spectators {
                return Applied::Rejected(RejectReason::Started);
            }
            self.spectators.push(Spectator { id: peer, profile });
        } else {
            if self.started() {
                return Applied::Rejected(RejectReason::Started);
            }
            if self.players.len() >= usize::from(self.settings.max_players) {
                return Applied::Rejected(RejectReason::Full);
            }
            self.players.push(Player {
                id: peer,
                profile,
                ready: false,
            });
        }
        self.revision += 1;
        Applied::Changed
    }

    /// Host rule: a player's readiness (ignored after the start and from non-players).
    pub fn apply_ready(&mut self, peer: PeerId, ready: bool) -> Applied {
        if self.started() {
            return Applied::Unchanged;
        }
        match self.players.iter_mut().find(|player| player.id == peer) {
            Some(player) if player.ready != ready => {
                player.ready = ready;
                self.revision += 1;
                Applied::Changed
            }
            _ => Applied::Unchanged,
        }
    }

    /// Host rule: `peer` left (players and spectators alike). Not for the host itself: a host
    /// that leaves is replaced ([`GameState::take_over`]).
    pub fn apply_leave(&mut self, peer: PeerId) -> Applied {
        if peer == self.host || !self.is_member(peer) {
            return Applied::Unchanged;
        }
        // A tournament player who leaves loses the rest of its matches (walkovers).
        if let Some(tournament) = self.tournament.as_mut()
            && let Some(entrant) = tournament.entrant(peer)
        {
            tournament.bracket.withdraw(entrant);
        }
        self.players.retain(|player| player.id != peer);
        self.spectators.retain(|spectator| spectator.id != peer);
        self.revision += 1;
        Applied::Changed
    }

    /// Whether the host may start: open, and every other player ready.
    pub fn can_start(&self) -> bool {
        !self.started()
            && self
                .players
                .iter()
                .all(|player| player.id == self.host || player.ready)
    }

    /// Host rule: the start, with `seed`. The roster is the players in join order.
    pub fn start(&mut self, seed: u64) {
        self.phase = Phase::Started {
            seed,
            start_frame: 0,
            roster: self.players.iter().map(|player| player.id).collect(),
        };
        if let Some(format) = self.settings.tournament {
            let ratings: Vec<i32> = self.players.iter().map(|p| p.profile.rating).collect();
            if let Ok((bracket, entrant_of)) = Bracket::new(format, &ratings) {
                let mut seats = vec![self.host; self.players.len()];
                for (player, entrant) in self.players.iter().zip(entrant_of) {
                    seats[usize::from(entrant)] = player.id;
                }
                self.tournament = Some(Tournament {
                    bracket,
                    seats,
                    reports: Vec::new(),
                });
            }
        }
        self.revision += 1;
    }

    /// Host rule: `from`, a player of match `id`, reports `winner` won it. The result stands
    /// once both players of the match named the same winner.
    pub fn apply_match_report(&mut self, from: PeerId, id: MatchId, winner: PeerId) -> Applied {
        let Some(tournament) = self.tournament.as_mut() else {
            return Applied::Unchanged;
        };
        let Some(players) = tournament.players_of(id) else {
            return Applied::Unchanged;
        };
        if !players.contains(&from) || !players.contains(&winner) {
            return Applied::Unchanged;
        }
        tournament
            .reports
            .retain(|(game, reporter, _)| !(*game == id && *reporter == from));
        tournament.reports.push((id, from, winner));
        let agreed = players.iter().all(|player| {
            tournament.reports.iter().any(|(game, reporter, named)| {
                *game == id && reporter == player && *named == winner
            })
        });
        if agreed
            && let Some(entrant) = tournament.entrant(winner)
            && tournament.bracket.report(id, entrant).is_ok()
        {
            tournament.reports.retain(|(game, _, _)| *game != id);
        }
        self.revision += 1;
        Applied::Changed
    }

    /// Who takes over if the host and every peer in `departed` are gone: the player with the
    /// lowest peer id among the rest. `None` if no player is left.
    pub fn successor(&self, departed: &BTreeSet<PeerId>) -> Option<PeerId> {
        self.players
            .iter()
            .map(|player| player.id)
            .filter(|id| *id != self.host && !departed.contains(id))
            .min()
    }

    /// `new_host` takes over: the old host and everyone in `departed` are removed, the epoch
    /// goes up. After the start, departed players stay in the roster (the session handles them).
    pub fn take_over(&mut self, new_host: PeerId, departed: &BTreeSet<PeerId>) {
        let old = self.host;
        self.players
            .retain(|player| player.id != old && !departed.contains(&player.id));
        self.spectators
            .retain(|spectator| spectator.id != old && !departed.contains(&spectator.id));
        if let Some(tournament) = self.tournament.as_mut() {
            for gone in departed.iter().chain([&old]) {
                if let Some(entrant) = tournament.entrant(*gone) {
                    tournament.bracket.withdraw(entrant);
                }
            }
        }
        self.host = new_host;
        self.epoch += 1;
        self.revision = 0;
    }

    /// Checks a received state's bounds and consistency.
    pub(crate) fn check(&self) -> Result<(), MessageError> {
        let bad = |field| Err(MessageError::OutOfBounds { field });
        check_name(&self.settings.name, "settings.name")?;
        if self.settings.mode.chars().count() > MAX_TAG_CHARS
            || self
                .settings
                .region
                .as_ref()
                .is_some_and(|region| region.chars().count() > MAX_TAG_CHARS)
        {
            return bad("settings");
        }
        let max = usize::from(self.settings.max_players);
        if max == 0 || max > MAX_MEMBERS || self.players.len() > max {
            return bad("players");
        }
        if self.players.len() + self.spectators.len() > MAX_MEMBERS {
            return bad("spectators");
        }
        let ids: BTreeSet<PeerId> = self
            .players
            .iter()
            .map(|player| player.id)
            .chain(self.spectators.iter().map(|spectator| spectator.id))
            .collect();
        if ids.len() != self.players.len() + self.spectators.len() {
            return bad("members");
        }
        let names = self
            .players
            .iter()
            .map(|player| &player.profile)
            .chain(self.spectators.iter().map(|spectator| &spectator.profile));
        for profile in names {
            if profile.name.trim().is_empty() || profile.name.chars().count() > MAX_NAME_CHARS {
                return bad("profile.name");
            }
        }
        if !self.is_player(self.host) {
            return bad("host");
        }
        if let Phase::Started { roster, .. } = &self.phase
            && roster.len() > MAX_MEMBERS
        {
            return bad("roster");
        }
        if let Some(tournament) = &self.tournament
            && (tournament.seats.len() > MAX_MEMBERS
                || tournament.bracket.entrants.len() != tournament.seats.len()
                || tournament.bracket.matches.len() > 4 * MAX_MEMBERS
                || tournament.reports.len() > 2 * MAX_MEMBERS
                || !tournament.bracket.is_consistent())
        {
            return bad("tournament");
        }
        Ok(())
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

    fn profile(name: &str) -> Profile {
        Profile {
            name: name.into(),
            rating: 1500,
            key: None,
        }
    }

    fn game(max_players: u8) -> GameState {
        let settings = GameSettings {
            name: "arena".into(),
            mode: "survival".into(),
            region: None,
            max_players,
            spectators: true,
            tournament: None,
        };
        GameState::new(GameId::new(peer(5), 1), settings, peer(5), profile("host"))
    }

    #[test]
    fn game_ids_read_back_and_refuse_garbage() {
        let id = GameId::new(peer(1), 42);
        assert_eq!(id.to_string().parse::<GameId>().unwrap(), id);
        assert!("peer0000000000000001".parse::<GameId>().is_err());
        assert!("short-1".parse::<GameId>().is_err());
        assert!("peer0000000000000001-x".parse::<GameId>().is_err());
    }

    #[test]
    fn the_host_fills_seats_then_refuses_and_starts_when_all_are_ready() {
        let mut state = game(2);
        assert_eq!(
            state.apply_join(peer(3), profile("a"), false),
            Applied::Changed
        );
        assert_eq!(
            state.apply_join(peer(3), profile("a"), false),
            Applied::Unchanged
        );
        assert_eq!(
            state.apply_join(peer(4), profile("b"), false),
            Applied::Rejected(RejectReason::Full)
        );
        assert_eq!(
            state.apply_join(peer(4), profile("b"), true),
            Applied::Changed
        );
        assert!(!state.can_start());
        assert_eq!(state.apply_ready(peer(3), true), Applied::Changed);
        assert!(state.can_start());
        state.start(7);
        assert_eq!(
            state.phase,
            Phase::Started {
                seed: 7,
                start_frame: 0,
                roster: vec![peer(5), peer(3)]
            }
        );
        assert_eq!(
            state.apply_join(peer(6), profile("c"), false),
            Applied::Rejected(RejectReason::Started)
        );
        assert_eq!(state.revision, 4);
    }

    #[test]
    fn a_tournament_match_counts_once_both_players_name_the_same_winner() {
        let mut state = game(4);
        state.settings.tournament = Some(Format::SingleElimination);
        for n in [1, 2, 3] {
            state.apply_join(peer(n), profile("p"), false);
        }
        state.start(1);
        let tournament = state.tournament.clone().unwrap();
        let id = tournament.bracket.ready()[0];
        let [a, b] = tournament.players_of(id).unwrap();
        let decided = |state: &GameState| {
            state.tournament.as_ref().unwrap().bracket.matches[usize::from(id)]
                .winner
                .is_some()
        };
        // A claim by one side, then a conflicting one: nothing is decided.
        state.apply_match_report(a, id, a);
        state.apply_match_report(b, id, b);
        assert!(!decided(&state));
        // Someone not in the match cannot report it.
        let outsider = tournament
            .seats
            .iter()
            .copied()
            .find(|p| *p != a && *p != b)
            .unwrap();
        assert_eq!(
            state.apply_match_report(outsider, id, outsider),
            Applied::Unchanged
        );
        // B concedes: both name A.
        state.apply_match_report(b, id, a);
        assert!(decided(&state));
        assert!(state.tournament.as_ref().unwrap().reports.is_empty());
    }

    #[test]
    fn a_full_64_player_tournament_state_fits_in_one_message() {
        use crate::message::{Body, MAX_MESSAGE_BYTES, Message};
        let mut state = game(64);
        state.settings.tournament = Some(Format::DoubleElimination);
        for n in 0..63u32 {
            let id = PeerId::parse(&format!("plyr{n:016}")).unwrap();
            let name = format!("{n:0>32}");
            state.apply_join(id, profile(&name), true);
            state.spectators.retain(|s| s.id != id);
            state.players.push(Player {
                id,
                profile: Profile::new(name, 1500),
                ready: true,
            });
        }
        state.start(9);
        let bytes = Message::new(Body::State(Box::new(state))).encode();
        assert!(bytes.len() <= MAX_MESSAGE_BYTES, "{} bytes", bytes.len());
        Message::decode(&bytes).unwrap();
    }

    #[test]
    fn the_lowest_remaining_player_succeeds_and_its_state_wins() {
        let mut state = game(4);
        for n in [7, 2, 3] {
            state.apply_join(peer(n), profile("p"), false);
        }
        let departed = BTreeSet::from([peer(2)]);
        assert_eq!(state.successor(&departed), Some(peer(3)));
        let old = state.clone();
        state.take_over(peer(3), &departed);
        assert_eq!(
            state.players.iter().map(|p| p.id).collect::<Vec<_>>(),
            [peer(7), peer(3)]
        );
        assert!(state.supersedes(&old));
        // Two takeovers in one epoch: the lower host wins.
        let mut rival = old.clone();
        rival.take_over(peer(7), &BTreeSet::new());
        assert!(state.supersedes(&rival) && !rival.supersedes(&state));
    }
}
