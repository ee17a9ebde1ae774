//! The director against fights, not just outcome odds: a scripted player of some skill stands
//! in the arena and fights a real pack (the crate's perception, tokens, strikes and timing);
//! the director tunes the pack between encounters.

use trystero_ai::{Config, Director, Player, Vec2, Wolves, on_ring};

const CENTRE: Vec2 = Vec2::new(640 * 60, 360 * 60);

/// A small seeded generator for the player's dice.
struct Dice(u64);

impl Dice {
    fn per_mille(&mut self) -> i32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % 1_000) as i32
    }
}

/// One encounter: a player of `skill` (0..=1000: how often it blocks a strike, how fast it
/// swings) against a pack of six tuned by `director`. The player wins by killing the pack or
/// lasting a minute; it loses when its health runs out.
fn encounter(skill: i32, director: &Director, seed: u64) -> bool {
    let config = director.tune(&Config::default());
    let mut dice = Dice(seed);
    let angle = (seed % 256) as i32;
    let mut wolves = Wolves::new(&[on_ring(CENTRE, 220 * 60, angle)], 6, seed);
    wolves.set_aggression(director.aggression);
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    let mut health = 100;
    let swing_every = 60 - skill * 40 / 1_000; // 60 frames (weak) to 20 (strong)
    let block_chance = skill * 3 / 4; // per mille
    let mut next_swing = 0;
    for frame in 0..3_600 {
        wolves.update(&player, &[], &config);
        // A strike lands on its last frame if the wolf is within 30 px, unless blocked.
        for wolf in wolves
            .wolves
            .iter()
            .filter(|w| w.health > 0 && w.striking == 1)
        {
            let close = wolf.at.minus(player.at).length_squared() <= i64::from(30 * 60).pow(2);
            if close && dice.per_mille() >= block_chance {
                health -= 7;
            }
        }
        if health <= 0 {
            return false;
        }
        // The player swings at the nearest wolf in reach, as often as its skill allows.
        if frame >= next_swing {
            let nearest = wolves
                .wolves
                .iter_mut()
                .filter(|w| {
                    w.health > 0
                        && w.at.minus(player.at).length_squared() <= i64::from(60 * 60).pow(2)
                })
                .min_by_key(|w| w.at.minus(player.at).length_squared());
            if let Some(wolf) = nearest {
                wolf.health -= 20;
                next_swing = frame + swing_every;
            }
        }
        if wolves.wolves.iter().all(|w| w.health <= 0) {
            return true;
        }
    }
    true
}

/// `rounds` encounters of one player under one director: the director and the outcomes.
fn run(skill: i32, rounds: u32, seed: u64) -> (Director, Vec<bool>) {
    let mut director = Director::default();
    let mut outcomes = Vec::new();
    for round in 0..rounds {
        let won = encounter(
            skill,
            &director,
            seed.wrapping_mul(1_000).wrapping_add(u64::from(round)),
        );
        director.record(won);
        outcomes.push(won);
    }
    (director, outcomes)
}

/// Measured (160 encounters each, seed 7): aggression settles at about 410, 570, 780 and 920
/// for skills 150, 300, 500 and 700, and the player's win rate over encounters 80–160 at
/// 50 %, 50 %, 51 % and 61 %. Past a skill of ~750 the director runs out of range: at
/// aggression 1000 a pack of six still loses to that player (98–100 % wins).
#[test]
fn the_director_tunes_real_fights_towards_an_even_win_rate() {
    let mut last = -1;
    for skill in [150, 300, 500, 700] {
        let (director, outcomes) = run(skill, 160, 7);
        let late = &outcomes[80..];
        let rate = late.iter().filter(|won| **won).count() * 1_000 / late.len();
        assert!(
            director.aggression > last,
            "skill {skill}: aggression {} not above {last}",
            director.aggression
        );
        last = director.aggression;
        let band = if skill <= 500 { 400..=600 } else { 400..=700 };
        assert!(
            band.contains(&rate),
            "skill {skill}: win rate {rate}‰ (aggression {})",
            director.aggression
        );
    }
}

#[test]
fn tuning_runs_from_tame_to_fierce() {
    let base = Config::default();
    let at = |aggression| {
        Director {
            aggression,
            ..Director::default()
        }
        .tune(&base)
    };
    assert_eq!((at(0).strike_cooldown, at(0).tokens), (144, 1));
    assert_eq!((at(500).strike_cooldown, at(500).tokens), (81, 2));
    assert_eq!((at(1000).strike_cooldown, at(1000).tokens), (18, 4));
    // And the same player wins no more against fiercer packs (measured: 20, 20 and 0 of 20).
    let wins = |aggression| {
        let director = Director {
            aggression,
            ..Director::default()
        };
        (0..20)
            .filter(|seed| encounter(500, &director, *seed))
            .count()
    };
    let (tame, even, fierce) = (wins(0), wins(500), wins(1000));
    assert!(tame >= even && even > fierce, "{tame} ≥ {even} > {fierce}");
}
