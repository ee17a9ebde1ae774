//! Adaptation to the player's attack rhythm and blocking.

use trystero_ai::{Config, PUNISH_WINDOW, Player, PlayerAction, Vec2, Wolves};

const CENTRE: Vec2 = Vec2::new(640 * 60, 360 * 60);

/// A standing player who attacks every `every` frames for `frames` frames (then stops), seen by
/// a pack that is told (`learns`) or not. Returns the frames at which strikes began, and the
/// frames of the player's attacks.
fn fight(learns: bool, every: u32, frames: u32, quiet_after: u32) -> (Vec<u32>, Vec<u32>) {
    let config = Config::default();
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    let mut wolves = Wolves::new(&[Vec2::new(640 * 60, 200 * 60)], 6, 9);
    let (mut strikes, mut attacks) = (Vec::new(), Vec::new());
    for frame in 1..=frames {
        // The player's attack this frame (from frame 7, so the rhythm is off the pack's own).
        if frame % every == 7 % every && frame < quiet_after {
            attacks.push(frame);
            if learns {
                wolves.observe(PlayerAction::Attack);
            }
        }
        wolves.update(&player, &[], &config);
        let began = wolves
            .wolves
            .iter()
            .filter(|w| w.striking == config.strike_frames)
            .count();
        strikes.extend(std::iter::repeat_n(frame, began));
    }
    (strikes, attacks)
}

/// Strikes that began within the window after one of the attacks.
fn punishing(strikes: &[u32], attacks: &[u32]) -> usize {
    strikes
        .iter()
        .filter(|s| {
            attacks
                .iter()
                .any(|a| **s >= *a && **s - *a <= PUNISH_WINDOW)
        })
        .count()
}

#[test]
fn the_pack_learns_to_strike_just_after_the_players_attacks() {
    let (naive, attacks) = fight(false, 50, 1_800, u32::MAX);
    let (learned, same) = fight(true, 50, 1_800, u32::MAX);
    assert_eq!(attacks, same);
    // Past the first attacks (the rhythm is learned from three).
    let late = |strikes: &[u32]| {
        strikes
            .iter()
            .copied()
            .filter(|s| *s > 300)
            .collect::<Vec<_>>()
    };
    let (naive, learned) = (late(&naive), late(&learned));
    let naive_share = punishing(&naive, &attacks) * 100 / naive.len();
    let learned_share = punishing(&learned, &attacks) * 100 / learned.len();
    assert!(
        learned_share >= 90 && naive_share <= 50,
        "strikes in the window: {learned_share} % of {} learned, {naive_share} % of {} naive",
        learned.len(),
        naive.len()
    );
    assert!(
        learned.len() * 2 >= naive.len(),
        "waiting does not stop the pack: {} strikes against {}",
        learned.len(),
        naive.len()
    );
}

#[test]
fn a_player_who_stops_attacking_does_not_freeze_the_pack() {
    // Rhythm learned for 10 s, then no attacks for 20 s.
    let (strikes, _) = fight(true, 50, 1_800, 600);
    let quiet = strikes.iter().filter(|s| **s > 700).count();
    assert!(quiet >= 10, "{quiet} strikes while the player was quiet");
}

#[test]
fn more_wolves_strike_together_against_a_player_who_blocks() {
    let config = Config::default();
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    let most_at_once = |blocks: bool| {
        let mut wolves = Wolves::new(&[Vec2::new(640 * 60, 200 * 60)], 6, 10);
        for _ in 0..6 {
            wolves.observe(if blocks {
                PlayerAction::Block
            } else {
                PlayerAction::Dodge(1)
            });
        }
        (0..1_200)
            .map(|_| {
                wolves.update(&player, &[], &config);
                wolves.strikers(0)
            })
            .max()
            .unwrap_or(0)
    };
    assert_eq!(most_at_once(false), config.tokens);
    assert_eq!(most_at_once(true), config.tokens + 1);
}
