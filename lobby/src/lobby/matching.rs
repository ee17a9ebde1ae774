//! Quick match: the ticket, its window, and one search step per tick.

use std::collections::BTreeSet;

use trystero_core::time::Millis;

use super::{ADVERT_INTERVAL, JOIN_TIMEOUT, Lobby, LobbyError, QUICK_HOST_DELAY};
use crate::game::GameSettings;
use crate::matchmaking::{Ticket, best_game};
impl Lobby {
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
    pub(super) fn window(&self, ticket: &Ticket) -> u32 {
        if self.config.skill_matching {
            self.config.matchmaking.window_at(ticket.opened, self.now)
        } else {
            u32::MAX
        }
    }

    /// One quick-match step.
    pub(super) fn seek(&mut self) {
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
}
