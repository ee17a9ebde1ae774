//! Tournament brackets: single and double elimination for 2 to 64 players, seeded by rating.
//!
//! The bracket is a graph of [`Match`]es: each match's winner (and, in double elimination, its
//! loser) moves to a slot of a later match. Seeds follow the standard order (1 meets the lowest
//! seed, and the top two can only meet in the final); a field that is not a power of two is
//! filled with byes, which the top seeds get. A bye, or a player who left ([`Bracket::withdraw`]),
//! is a walkover: the opponent advances without playing, so the bracket always runs to a
//! champion. Double elimination ends in a grand final between the winners' and losers' bracket
//! champions; if the losers' champion wins it, a reset match decides.
//!
//! Plain data (serde), so a host can replicate it like a game's state.

use serde::{Deserialize, Serialize};

/// The most players a bracket takes.
pub const MAX_ENTRANTS: usize = 64;

/// A player's index in [`Bracket::entrants`] (0 is the top seed).
pub type Entrant = u8;
/// A match's index in [`Bracket::matches`].
pub type MatchId = u16;

/// Single or double elimination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// One loss and out.
    SingleElimination,
    /// Two losses and out: a losers' bracket, then a grand final (and its reset).
    DoubleElimination,
}

/// Which part of the bracket a match belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// The winners' bracket (all of single elimination).
    Winners,
    /// The losers' bracket.
    Losers,
    /// The grand final.
    GrandFinal,
    /// The grand final's reset, played only if the losers' champion won the first.
    Reset,
}

/// What fills one side of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Slot {
    /// Not decided yet.
    Open,
    /// A player.
    Player(Entrant),
    /// Nobody (a bye): the other side walks over.
    Bye,
}

/// One match of the bracket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// Its part of the bracket.
    pub side: Side,
    /// Its round within that part (1-based).
    pub round: u8,
    /// Its two sides.
    pub slots: [Slot; 2],
    /// Where the winner goes: (match, slot).
    pub winner_to: Option<(MatchId, u8)>,
    /// Where the loser goes (double elimination's winners' bracket).
    pub loser_to: Option<(MatchId, u8)>,
    /// The winner's slot once decided: 0 or 1.
    pub winner: Option<u8>,
}

/// A report was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TournamentError {
    /// 2 to 64 players.
    #[error("a bracket takes 2 to {MAX_ENTRANTS} players")]
    Size,
    /// No such match.
    #[error("no match {0}")]
    NoSuchMatch(MatchId),
    /// The match cannot be played yet, or is decided.
    #[error("match {0} is not waiting for a result")]
    NotReady(MatchId),
    /// The winner is not in the match.
    #[error("player {0} is not in that match")]
    NotInMatch(Entrant),
}

/// A whole bracket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bracket {
    /// Single or double elimination.
    pub format: Format,
    /// The players' ratings, by seed (index 0 is the top seed).
    pub entrants: Vec<i32>,
    /// Players who left: they lose every match still to come.
    pub withdrawn: Vec<Entrant>,
    /// Every match.
    pub matches: Vec<Match>,
    /// Changes so far (for replication: a higher revision wins).
    pub revision: u64,
}

/// The standard seeding order for `size` (a power of two): the seed in each first-round slot.
fn seed_order(size: usize) -> Vec<usize> {
    let mut order = vec![0];
    while order.len() < size {
        let next = order.len() * 2;
        order = order
            .iter()
            .flat_map(|&seed| [seed, next - 1 - seed])
            .collect();
    }
    order
}

impl Bracket {
    /// A bracket for players with these `ratings` (any order; they are seeded by rating, the
    /// highest first, ties by their order here). Returns the bracket and, for each given player,
    /// its [`Entrant`] number.
    pub fn new(format: Format, ratings: &[i32]) -> Result<(Self, Vec<Entrant>), TournamentError> {
        let count = ratings.len();
        if !(2..=MAX_ENTRANTS).contains(&count) {
            return Err(TournamentError::Size);
        }
        let mut by_seed: Vec<usize> = (0..count).collect();
        by_seed.sort_by_key(|&index| (std::cmp::Reverse(ratings[index]), index));
        let mut entrant_of = vec![0; count];
        for (seed, &index) in by_seed.iter().enumerate() {
            entrant_of[index] = u8::try_from(seed).map_err(|_| TournamentError::Size)?;
        }
        let entrants = by_seed.iter().map(|&index| ratings[index]).collect();
        let size = count.next_power_of_two();
        let mut bracket = Self {
            format,
            entrants,
            withdrawn: Vec::new(),
            matches: Vec::new(),
            revision: 0,
        };
        let winners = bracket.build_winners(size, count);
        let last_winners = *winners.last().and_then(|round| round.last()).unwrap_or(&0);
        if format == Format::DoubleElimination {
            bracket.build_losers(&winners, last_winners);
        }
        bracket.settle();
        Ok((bracket, entrant_of))
    }

    fn push(&mut self, side: Side, round: usize, slots: [Slot; 2]) -> MatchId {
        let id = MatchId::try_from(self.matches.len()).unwrap_or(MatchId::MAX);
        self.matches.push(Match {
            side,
            round: u8::try_from(round).unwrap_or(u8::MAX),
            slots,
            winner_to: None,
            loser_to: None,
            winner: None,
        });
        id
    }

    /// The winners' bracket; returns its matches round by round.
    fn build_winners(&mut self, size: usize, count: usize) -> Vec<Vec<MatchId>> {
        let order = seed_order(size);
        let slot = |seed: usize| match u8::try_from(seed) {
            Ok(entrant) if seed < count => Slot::Player(entrant),
            _ => Slot::Bye,
        };
        let mut rounds = vec![
            order
                .chunks(2)
                .map(|pair| (slot(pair[0]), slot(pair[1])))
                .collect::<Vec<_>>()
                .into_iter()
                .map(|(a, b)| self.push(Side::Winners, 1, [a, b]))
                .collect::<Vec<_>>(),
        ];
        while rounds.last().is_some_and(|round| round.len() > 1) {
            let previous = rounds.last().cloned().unwrap_or_default();
            let round = rounds.len() + 1;
            let next: Vec<MatchId> = previous
                .chunks(2)
                .map(|_| self.push(Side::Winners, round, [Slot::Open, Slot::Open]))
                .collect();
            for (index, id) in previous.iter().enumerate() {
                self.matches[usize::from(*id)].winner_to =
                    Some((next[index / 2], u8::try_from(index % 2).unwrap_or(0)));
            }
            rounds.push(next);
        }
        rounds
    }

    /// The losers' bracket and the grand final, fed by the winners' bracket `winners`.
    fn build_losers(&mut self, winners: &[Vec<MatchId>], winners_final: MatchId) {
        // Losers' round 1: the first round's losers, in pairs.
        let mut carried: Vec<MatchId> = Vec::new();
        let mut round = 0;
        if let Some(first) = winners.first() {
            round += 1;
            let pairs: Vec<MatchId> = first
                .chunks(2)
                .map(|_| self.push(Side::Losers, round, [Slot::Open, Slot::Open]))
                .collect();
            for (index, id) in first.iter().enumerate() {
                self.matches[usize::from(*id)].loser_to =
                    Some((pairs[index / 2], u8::try_from(index % 2).unwrap_or(0)));
            }
            carried = pairs;
        }
        // Each later winners' round: its losers meet the losers' bracket survivors (a "drop"
        // round, in reverse order against rematches), then the survivors pair up.
        for (depth, dropped) in winners.iter().enumerate().skip(1) {
            round += 1;
            let drop: Vec<MatchId> = carried
                .iter()
                .map(|_| self.push(Side::Losers, round, [Slot::Open, Slot::Open]))
                .collect();
            for (index, id) in carried.iter().enumerate() {
                self.matches[usize::from(*id)].winner_to = Some((drop[index], 0));
            }
            let reversed = depth % 2 == 1;
            for (index, id) in dropped.iter().enumerate() {
                let target = if reversed {
                    drop.len() - 1 - index
                } else {
                    index
                };
                self.matches[usize::from(*id)].loser_to = Some((drop[target], 1));
            }
            carried = drop;
            if carried.len() > 1 {
                round += 1;
                let halves: Vec<MatchId> = carried
                    .chunks(2)
                    .map(|_| self.push(Side::Losers, round, [Slot::Open, Slot::Open]))
                    .collect();
                for (index, id) in carried.iter().enumerate() {
                    self.matches[usize::from(*id)].winner_to =
                        Some((halves[index / 2], u8::try_from(index % 2).unwrap_or(0)));
                }
                carried = halves;
            }
        }
        let final_match = self.push(Side::GrandFinal, 1, [Slot::Open, Slot::Open]);
        self.matches[usize::from(winners_final)].winner_to = Some((final_match, 0));
        if let Some(losers_champion) = carried.first() {
            self.matches[usize::from(*losers_champion)].winner_to = Some((final_match, 1));
        }
        // Filled only if the losers' champion wins the grand final.
        self.push(Side::Reset, 1, [Slot::Open, Slot::Open]);
    }

    /// Whether every reference inside is in bounds (a bracket read from a peer is checked before
    /// use, so no method can index out of range).
    pub fn is_consistent(&self) -> bool {
        let count = self.matches.len();
        let entrants = self.entrants.len();
        let slot_ok = |slot: &Slot| match slot {
            Slot::Player(entrant) => usize::from(*entrant) < entrants,
            Slot::Open | Slot::Bye => true,
        };
        let target_ok = |target: &Option<(MatchId, u8)>| {
            target.is_none_or(|(id, slot)| usize::from(id) < count && slot < 2)
        };
        (2..=MAX_ENTRANTS).contains(&entrants)
            && self
                .withdrawn
                .iter()
                .all(|entrant| usize::from(*entrant) < entrants)
            && self.matches.iter().all(|game| {
                game.slots.iter().all(slot_ok)
                    && target_ok(&game.winner_to)
                    && target_ok(&game.loser_to)
                    && game.winner.is_none_or(|slot| slot < 2)
            })
    }

    /// Matches waiting for a result: both players known, neither withdrawn, no winner yet.
    pub fn ready(&self) -> Vec<MatchId> {
        (0..self.matches.len())
            .filter_map(|index| MatchId::try_from(index).ok())
            .filter(|id| {
                let game = &self.matches[usize::from(*id)];
                game.winner.is_none()
                    && matches!(game.slots, [Slot::Player(_), Slot::Player(_)])
                    && !self.is_reset_skipped(game)
            })
            .collect()
    }

    fn is_reset_skipped(&self, game: &Match) -> bool {
        game.side == Side::Reset && self.reset_not_needed()
    }

    /// Whether the grand final was won by the winners' champion (no reset then).
    fn reset_not_needed(&self) -> bool {
        self.matches
            .iter()
            .find(|game| game.side == Side::GrandFinal)
            .is_some_and(|game| game.winner == Some(0))
    }

    /// Reports `winner` as the winner of `id`.
    pub fn report(&mut self, id: MatchId, winner: Entrant) -> Result<(), TournamentError> {
        let game = self
            .matches
            .get(usize::from(id))
            .ok_or(TournamentError::NoSuchMatch(id))?;
        if !self.ready().contains(&id) {
            return Err(TournamentError::NotReady(id));
        }
        let slot = game
            .slots
            .iter()
            .position(|slot| *slot == Slot::Player(winner))
            .ok_or(TournamentError::NotInMatch(winner))?;
        self.decide(id, u8::try_from(slot).unwrap_or(0));
        self.settle();
        self.revision += 1;
        Ok(())
    }

    /// `entrant` left: every match it still has to play is a walkover for its opponent.
    pub fn withdraw(&mut self, entrant: Entrant) {
        if !self.withdrawn.contains(&entrant) {
            self.withdrawn.push(entrant);
            self.settle();
            self.revision += 1;
        }
    }

    /// Records the winner of a match and moves both players on.
    fn decide(&mut self, id: MatchId, winner_slot: u8) {
        let index = usize::from(id);
        let game = self.matches[index].clone();
        self.matches[index].winner = Some(winner_slot);
        let won = game.slots[usize::from(winner_slot)];
        let lost = game.slots[usize::from(1 - winner_slot)];
        if game.side == Side::GrandFinal {
            if winner_slot == 0 {
                return;
            }
            // The losers' champion won: both meet again in the reset.
            if let Some(reset) = self.matches.iter().position(|m| m.side == Side::Reset) {
                self.matches[reset].slots = [lost, won];
            }
            return;
        }
        if let Some((next, slot)) = game.winner_to {
            self.matches[usize::from(next)].slots[usize::from(slot)] = won;
        }
        if let Some((next, slot)) = game.loser_to {
            self.matches[usize::from(next)].slots[usize::from(slot)] = lost;
        }
    }

    /// Walkovers: decides every open match that has a bye or a withdrawn player, until none.
    fn settle(&mut self) {
        loop {
            let mut changed = false;
            for index in 0..self.matches.len() {
                let game = &self.matches[index];
                if game.winner.is_some() || self.is_reset_skipped(game) {
                    continue;
                }
                let out = |slot: &Slot| match slot {
                    Slot::Bye => true,
                    Slot::Player(entrant) => self.withdrawn.contains(entrant),
                    Slot::Open => false,
                };
                let [a, b] = game.slots;
                if a == Slot::Open || b == Slot::Open {
                    continue;
                }
                let winner = match (out(&a), out(&b)) {
                    (false, true) => 0,
                    (true, false) => 1,
                    // Two byes or two withdrawn: nobody advances (a bye moves on).
                    (true, true) => {
                        if let Ok(id) = MatchId::try_from(index) {
                            self.matches[index].winner = Some(0);
                            let game = self.matches[usize::from(id)].clone();
                            if let Some((next, slot)) = game.winner_to {
                                self.matches[usize::from(next)].slots[usize::from(slot)] =
                                    Slot::Bye;
                            }
                            if let Some((next, slot)) = game.loser_to {
                                self.matches[usize::from(next)].slots[usize::from(slot)] =
                                    Slot::Bye;
                            }
                        }
                        changed = true;
                        continue;
                    }
                    (false, false) => continue,
                };
                if let Ok(id) = MatchId::try_from(index) {
                    self.decide(id, winner);
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// The champion, once decided.
    pub fn champion(&self) -> Option<Entrant> {
        let final_match = match self.format {
            Format::SingleElimination => self.matches.iter().rfind(|m| m.side == Side::Winners),
            Format::DoubleElimination => {
                let grand = self.matches.iter().find(|m| m.side == Side::GrandFinal)?;
                if grand.winner == Some(1) {
                    self.matches.iter().find(|m| m.side == Side::Reset)
                } else {
                    Some(grand)
                }
            }
        }?;
        match final_match.slots[usize::from(final_match.winner?)] {
            Slot::Player(entrant) => Some(entrant),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays every ready match, the better seed winning unless `upset` says otherwise.
    fn play_out(bracket: &mut Bracket, upset: impl Fn(&Match) -> bool) -> usize {
        let mut played = 0;
        while let Some(&id) = bracket.ready().first() {
            let game = bracket.matches[usize::from(id)].clone();
            let [Slot::Player(a), Slot::Player(b)] = game.slots else {
                unreachable!()
            };
            let (better, worse) = (a.min(b), a.max(b));
            bracket
                .report(id, if upset(&game) { worse } else { better })
                .unwrap();
            played += 1;
            assert!(played < 1000);
        }
        played
    }

    #[test]
    fn seeds_meet_in_the_standard_order() {
        assert_eq!(seed_order(8), [0, 7, 3, 4, 1, 6, 2, 5]);
    }

    #[test]
    fn single_elimination_with_byes_runs_to_the_top_seed() {
        for players in [2, 3, 5, 8, 13, 64] {
            let ratings: Vec<i32> = (0..players).map(|n| 1000 + n * 10).collect();
            let (mut bracket, entrant_of) =
                Bracket::new(Format::SingleElimination, &ratings).unwrap();
            // The highest rating is the top seed.
            assert_eq!(entrant_of[usize::try_from(players - 1).unwrap()], 0);
            let played = play_out(&mut bracket, |_| false);
            assert_eq!(
                played,
                usize::try_from(players - 1).unwrap(),
                "{players} players"
            );
            assert_eq!(bracket.champion(), Some(0));
        }
    }

    #[test]
    fn double_elimination_of_sixteen_with_a_walkover_runs_to_a_champion() {
        let ratings: Vec<i32> = (0..16).map(|n| 1500 + n).collect();
        let (mut bracket, _) = Bracket::new(Format::DoubleElimination, &ratings).unwrap();
        // Seed 3 leaves after the first round.
        let first_round: Vec<MatchId> = bracket.ready();
        for id in first_round {
            let [Slot::Player(a), Slot::Player(b)] = bracket.matches[usize::from(id)].slots else {
                unreachable!()
            };
            bracket.report(id, a.min(b)).unwrap();
        }
        bracket.withdraw(3);
        // The top seed loses once (an upset in its second match) and comes back through the
        // losers' bracket.
        let played = play_out(&mut bracket, |game| {
            game.side == Side::Winners && game.round == 2 && game.slots.contains(&Slot::Player(0))
        });
        // 30 matches in a 16-player double elimination (31 with a reset), less the first
        // round (8) and the withdrawn player's walkovers.
        assert!((15..=23).contains(&played), "{played}");
        // The top seed lost once, came back through the losers' bracket and won it all,
        // through the grand final and its reset.
        assert_eq!(bracket.champion(), Some(0));
        assert!(bracket.ready().is_empty());
        let reset = bracket
            .matches
            .iter()
            .find(|m| m.side == Side::Reset)
            .unwrap();
        assert!(
            reset.winner.is_some(),
            "the losers' champion forced a reset"
        );
    }

    #[test]
    fn reports_are_checked() {
        let (mut bracket, _) = Bracket::new(Format::SingleElimination, &[1, 2, 3, 4]).unwrap();
        assert_eq!(bracket.report(99, 0), Err(TournamentError::NoSuchMatch(99)));
        // Round one: seed 0 meets seed 3, seed 1 meets seed 2.
        let ready = bracket.ready();
        assert_eq!(
            bracket.report(ready[0], 1),
            Err(TournamentError::NotInMatch(1))
        );
        let last = MatchId::try_from(bracket.matches.len() - 1).unwrap();
        assert_eq!(
            bracket.report(last, 0),
            Err(TournamentError::NotReady(last))
        );
        assert!(Bracket::new(Format::SingleElimination, &[1]).is_err());
        assert!(Bracket::new(Format::SingleElimination, &[1; 65]).is_err());
    }
}
