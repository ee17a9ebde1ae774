//! Matchmaking: which open game suits a player, and a batch pass that groups many waiting
//! players at once.
//!
//! Like Nakama's matchmaker, a player's acceptable rating distance (its **window**) starts narrow
//! and widens every `interval` for at most `max_intervals` steps, and a match needs both sides to
//! accept each other (the **reverse check**): the player's rating must be inside the game's
//! window as well as the game's mean rating inside the player's. Games and tickets only meet in
//! the same queue (mode, region when both name one, app version).

use std::time::Duration;

use trystero_core::time::Millis;

use crate::message::Advert;

/// How windows widen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchmakingConfig {
    /// The rating distance accepted at first.
    pub window: u32,
    /// How much it widens per interval.
    pub step: u32,
    /// How often it widens.
    pub interval: Duration,
    /// After this many widenings it stays (Nakama's `max_intervals`).
    pub max_intervals: u32,
}

impl Default for MatchmakingConfig {
    fn default() -> Self {
        Self {
            window: 100,
            step: 100,
            interval: Duration::from_secs(5),
            max_intervals: 5,
        }
    }
}

impl MatchmakingConfig {
    /// The window of a ticket opened at `opened`, at `now`.
    pub fn window_at(&self, opened: Millis, now: Millis) -> u32 {
        let interval = self.interval.as_millis().max(1);
        let steps = now.since(opened).as_millis() / interval;
        let steps = u32::try_from(steps)
            .unwrap_or(u32::MAX)
            .min(self.max_intervals);
        self.window.saturating_add(self.step.saturating_mul(steps))
    }
}

/// One player looking for a game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The player's rating.
    pub rating: i32,
    /// The game mode wanted.
    pub mode: String,
    /// The preferred region, if any.
    pub region: Option<String>,
    /// The app's version.
    pub app_version: String,
    /// When the ticket opened.
    pub opened: Millis,
}

/// Whether `rating` and `other` are within `window` of each other.
pub fn within(rating: i32, other: i32, window: u32) -> bool {
    rating.abs_diff(other) <= window
}

/// Whether a ticket (with its current `window`) and an open game accept each other.
pub fn compatible(ticket: &Ticket, window: u32, advert: &Advert) -> bool {
    let region_ok = match (&ticket.region, &advert.region) {
        (Some(mine), Some(theirs)) => mine == theirs,
        _ => true,
    };
    !advert.started
        && advert.players < advert.max_players
        && advert.mode == ticket.mode
        && advert.app_version == ticket.app_version
        && region_ok
        && within(ticket.rating, advert.mean_rating, window)
        && within(ticket.rating, advert.mean_rating, advert.window)
}

/// The best game for a ticket among `adverts`: the closest mean rating, then the fuller game,
/// then the lower game id (so everyone breaks ties alike).
pub fn best_game<'a>(
    ticket: &Ticket,
    window: u32,
    adverts: impl IntoIterator<Item = &'a Advert>,
) -> Option<&'a Advert> {
    adverts
        .into_iter()
        .filter(|advert| compatible(ticket, window, advert))
        .min_by_key(|advert| {
            (
                ticket.rating.abs_diff(advert.mean_rating),
                std::cmp::Reverse(advert.players),
                advert.game,
            )
        })
}

/// A waiting player in a batch pass, in compact form: the caller interns mode, region and
/// version into one `queue` number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolTicket {
    /// The caller's id for it.
    pub id: u32,
    /// Mode, region and version, interned: only equal queues meet.
    pub queue: u32,
    /// The player's rating.
    pub rating: i32,
    /// Its current window.
    pub window: u32,
}

/// One batch pass: groups `size` tickets of one queue whose ratings all lie within every
/// member's window (each accepts each: the reverse check, group-wide). Returns the groups as
/// ticket ids; tickets left over wait for the next pass (their windows wider by then).
///
/// Sorting by (queue, rating) makes every group a run of neighbours, so one scan finds them:
/// O(n log n) for the sort, O(n) after.
pub fn match_pass(tickets: &mut [PoolTicket], size: usize) -> Vec<Vec<u32>> {
    let mut groups = Vec::new();
    if size == 0 {
        return groups;
    }
    tickets.sort_unstable_by_key(|ticket| {
        // The queue in the high bits, the rating (offset to unsigned) in the low ones.
        (u64::from(ticket.queue) << 32) | u64::from(ticket.rating.cast_unsigned() ^ 0x8000_0000)
    });
    let mut start = 0;
    while start + size <= tickets.len() {
        let run = &tickets[start..start + size];
        let first = run[0];
        let last = run[size - 1];
        let spread = last.rating.abs_diff(first.rating);
        let narrowest = run.iter().map(|ticket| ticket.window).min().unwrap_or(0);
        if first.queue == last.queue && spread <= narrowest {
            groups.push(run.iter().map(|ticket| ticket.id).collect());
            start += size;
        } else {
            start += 1;
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use trystero_core::PeerId;

    use super::*;
    use crate::game::GameId;

    fn advert(n: u8, mean_rating: i32, players: u8, window: u32) -> Advert {
        let mut id = *b"peer0000000000000000";
        id[19] = b'0' + n;
        let host = PeerId::from_bytes(&id).unwrap();
        Advert {
            game: GameId::new(host, 1),
            host,
            name: "g".into(),
            mode: "survival".into(),
            region: Some("eu".into()),
            players,
            max_players: 4,
            mean_rating,
            spectators: true,
            started: false,
            app_version: "1".into(),
            window,
        }
    }

    fn ticket(rating: i32) -> Ticket {
        Ticket {
            rating,
            mode: "survival".into(),
            region: Some("eu".into()),
            app_version: "1".into(),
            opened: Millis(0),
        }
    }

    #[test]
    fn windows_widen_per_interval_up_to_the_cap() {
        let config = MatchmakingConfig::default();
        assert_eq!(config.window_at(Millis(0), Millis(4_999)), 100);
        assert_eq!(config.window_at(Millis(0), Millis(5_000)), 200);
        assert_eq!(config.window_at(Millis(0), Millis(3_600_000)), 600);
    }

    #[test]
    fn both_sides_must_accept_and_the_closest_fuller_game_wins() {
        let games = [
            advert(1, 1700, 1, 1000),
            advert(2, 1550, 1, 1000),
            advert(3, 1540, 3, 30),
            advert(4, 1560, 3, 1000),
        ];
        // Game 3 is closest but its window (30) does not take a 1500 player: reverse check.
        let best = best_game(&ticket(1500), 100, &games).unwrap();
        assert_eq!(best.game, games[1].game);
        // Games 2 and 4 are both 5 away from 1555: the fuller one wins.
        assert_eq!(
            best_game(&ticket(1555), 100, &games).unwrap().game,
            games[3].game
        );
        assert!(best_game(&ticket(1000), 100, &games).is_none());
        let mut other_region = ticket(1550);
        other_region.region = Some("us".into());
        assert!(best_game(&other_region, 1000, &games).is_none());
        other_region.region = None;
        assert!(best_game(&other_region, 1000, &games).is_some());
    }

    #[test]
    fn a_pass_groups_neighbours_of_one_queue_within_every_window() {
        let mut tickets = [
            PoolTicket {
                id: 1,
                queue: 0,
                rating: 1500,
                window: 100,
            },
            PoolTicket {
                id: 2,
                queue: 1,
                rating: 1510,
                window: 100,
            },
            PoolTicket {
                id: 3,
                queue: 0,
                rating: 1580,
                window: 100,
            },
            PoolTicket {
                id: 4,
                queue: 0,
                rating: 1900,
                window: 100,
            },
            PoolTicket {
                id: 5,
                queue: 0,
                rating: 1950,
                window: 30,
            },
            PoolTicket {
                id: 6,
                queue: 1,
                rating: 1400,
                window: 200,
            },
        ];
        let groups = match_pass(&mut tickets, 2);
        // 1 and 3 (queue 0, 80 apart); 4 and 5 are 50 apart but 5 takes only 30; 2 and 6
        // (queue 1, 110 apart) exceed 2's window.
        assert_eq!(groups, [vec![1, 3]]);
    }
}
