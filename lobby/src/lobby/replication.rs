//! The game room: the host's replicated state, members joining and leaving, host migration
//! (with held takeovers and silent successors passed over), and the events a state change means.

use std::collections::BTreeSet;

use trystero_core::PeerId;

use super::{Channel, Current, Lobby, LobbyEvent, Output, Refusal, TAKEOVER_TIMEOUT};
use crate::game::{Applied, GameId, GameState, Phase};
use crate::message::{Advert, Body, Profile, RejectReason};
impl Lobby {
    /// The successor we wait for did not take over in time: pass it over and elect again.
    pub(super) fn pass_over_a_silent_successor(&mut self) {
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

    pub(super) fn on_peer_joined(&mut self, channel: Channel, peer: PeerId) {
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

    pub(super) fn on_peer_left(&mut self, channel: Channel, peer: PeerId) {
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
    pub(super) fn member_departed(&mut self, peer: PeerId) {
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

    pub(super) fn on_join(
        &mut self,
        from: PeerId,
        game: GameId,
        profile: Profile,
        spectator: bool,
    ) {
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

    pub(super) fn on_state(&mut self, from: PeerId, state: GameState) {
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
    pub(super) fn adopt(&mut self, from: PeerId, state: GameState) {
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

    pub(super) fn on_rejected(&mut self, from: PeerId, game: GameId, reason: RejectReason) {
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
    pub(super) fn accept(&mut self, next: GameState) {
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
    pub(super) fn host_apply(
        &mut self,
        rule: impl FnOnce(&mut GameState, PeerId) -> Applied,
    ) -> Applied {
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

    pub(super) fn broadcast_state(&mut self) {
        if let Some(state) = self.game().cloned() {
            self.send(Channel::Game, None, &Body::State(Box::new(state)));
        }
    }

    /// Host: lists the game in the lobby room (or withdraws it once it takes nobody).
    pub(super) fn advertise(&mut self) {
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
