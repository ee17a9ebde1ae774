//! Measured pack behaviour: encircling, attack tokens, moods, determinism under rollback.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code

mod chase;
mod cover;
mod fights;
mod habits;
mod messages;
mod players;
mod snapshot;

use trystero_ai::{Config, Mood, Order, Player, Role, TURN, Vec2, Wolves, angle_of};
use trystero_netcode::{Slots, SyncTestSession};

const CENTRE: Vec2 = Vec2::new(640 * 60, 360 * 60);

/// The widest angular gap (1/256 turn) between the non-scout wolves of a pack, seen from the
/// player: small when they surround it.
fn widest_gap(wolves: &Wolves, player: Vec2) -> i32 {
    let mut angles: Vec<i32> = wolves
        .wolves
        .iter()
        .filter(|w| w.health > 0 && w.role != Role::Scout)
        .map(|w| angle_of(w.at.minus(player)))
        .collect();
    angles.sort_unstable();
    let mut widest = 0;
    for (index, angle) in angles.iter().enumerate() {
        let next = angles.get(index + 1).copied().unwrap_or(angles[0] + TURN);
        widest = widest.max(next - angle);
    }
    widest
}

#[test]
fn a_pack_encircles_a_standing_player() {
    let config = Config::default();
    let mut wolves = Wolves::new(&[Vec2::new(200 * 60, 200 * 60)], 6, 5);
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    let mut gaps = Vec::new();
    for frame in 0..1_200 {
        wolves.update(&player, &[], &config);
        if frame >= 600 {
            gaps.push(widest_gap(&wolves, player.at));
        }
    }
    let average = gaps.iter().sum::<i32>() / gaps.len() as i32;
    // Five wolves evenly spread would leave 51/256; one-sided would leave > 128.
    assert!(average < 110, "average widest gap {average}/256 of a turn");
    assert_eq!(wolves.packs[0].order, Order::Engage);
}

#[test]
fn no_more_wolves_strike_at_once_than_there_are_tokens() {
    let config = Config::default();
    let mut wolves = Wolves::new(&[Vec2::new(300 * 60, 300 * 60)], 6, 9);
    let mut most = 0;
    let mut struck = 0;
    for frame in 0..1_800i32 {
        // The player circles slowly.
        let angle = frame / 4;
        let player = Player {
            at: trystero_ai::on_ring(CENTRE, 100 * 60, angle),
            velocity: Vec2::new(
                trystero_ai::cos(angle + 64) / 8,
                trystero_ai::sin(angle + 64) / 8,
            ),
        };
        wolves.update(&player, &[], &config);
        let now = wolves.strikers(0);
        most = most.max(now);
        struck += now;
    }
    assert!(most <= config.tokens, "{most} struck at once");
    assert!(struck > 100, "they did strike: {struck} wolf-frames");
}

#[test]
fn moods_follow_the_packs_strength() {
    let config = Config::default();
    let mut wolves = Wolves::new(&[Vec2::new(300 * 60, 300 * 60)], 6, 1);
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    wolves.update(&player, &[], &config);
    assert_eq!(wolves.packs[0].mood, Mood::Aggressive);
    // Below two thirds of the pack's health: 3 × 10 + 3 × 60 = 210 of 360.
    for wolf in &mut wolves.wolves[..3] {
        wolf.health = 10;
    }
    wolves.update(&player, &[], &config);
    assert_eq!(wolves.packs[0].mood, Mood::Cautious, "hurt");
    // Fewer than half the wolves alive.
    for wolf in &mut wolves.wolves[..4] {
        wolf.health = 0;
    }
    wolves.update(&player, &[], &config);
    assert_eq!(wolves.packs[0].mood, Mood::Desperate, "few left");
}

/// The AI state rolls back with the game: under the netcode's sync test (7 frames every frame)
/// every checksum agrees, with the player's moves as the input.
#[test]
fn the_pack_passes_the_rollback_sync_test() {
    let config = Config::default();
    // Rocks and a wall with a gap: cover, chokepoints and the habits all roll back too.
    let mut obstacles: Vec<trystero_ai::Obstacle> = (0..6)
        .map(|i| trystero_ai::Obstacle {
            at: trystero_ai::on_ring(CENTRE, (90 + i * 20) * 60, i * 43),
            radius: 30 * 60,
        })
        .collect();
    for y in [120, 280, 440, 600] {
        obstacles.push(trystero_ai::Obstacle {
            at: Vec2::new(1_000 * 60, y * 60),
            radius: 70 * 60,
        });
    }
    let terrain =
        trystero_ai::Terrain::new(Vec2::new(1_280 * 60, 720 * 60), 20 * 60, &obstacles, 3);
    let mut session = SyncTestSession::<u8>::new(1, 7);
    let mut state = (
        Wolves::new(
            &[
                Vec2::new(200 * 60, 200 * 60),
                Vec2::new(1_000 * 60, 500 * 60),
            ],
            6,
            77,
        ),
        Player {
            at: CENTRE,
            velocity: Vec2::default(),
        },
    );
    let mut slots = Slots::new(&state, session.slots());
    let mut requests = Vec::new();
    let mut seed = 3u64;
    for _ in 0..2_000 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        session
            .advance_frame(&[(seed >> 58) as u8], &mut requests)
            .unwrap();
        slots.carry_out(
            &requests,
            &mut state,
            |(wolves, player), inputs| {
                let input = inputs[0].input;
                let step = |bits: u8| i32::from(bits & 1) - i32::from(bits >> 1 & 1);
                player.velocity = Vec2::new(step(input) * 200, step(input >> 2) * 200);
                player.at = player.at.plus(player.velocity);
                if input & 16 != 0 {
                    wolves.observe(trystero_ai::PlayerAction::Attack);
                }
                if input & 32 != 0 {
                    wolves.observe(trystero_ai::PlayerAction::Block);
                }
                wolves.update_with_terrain(player, &obstacles, Some(&terrain), &config);
            },
            |frame, (wolves, _), _| session.report_checksum(frame, &[wolves.checksum()]),
        );
    }
    assert!(state.0.packs.iter().any(|pack| pack.order != Order::Search));
}

/// Sight needs a clear line; hearing does not, but reaches less far.
#[test]
fn obstacles_block_sight_but_not_hearing() {
    let config = Config::default();
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    // A den 300 px left of the player: within sight (400 px), beyond hearing (150 px).
    let den = CENTRE.minus(Vec2::new(300 * 60, 0));
    let wall = trystero_ai::Obstacle {
        at: CENTRE.minus(Vec2::new(150 * 60, 0)),
        radius: 60 * 60,
    };
    let mut open = Wolves::new(&[den], 6, 2);
    open.update(&player, &[], &config);
    assert!(open.packs[0].last_seen.is_some(), "seen across open ground");
    let mut hidden = Wolves::new(&[den], 6, 2);
    hidden.update(&player, &[wall], &config);
    assert!(
        hidden.packs[0].last_seen.is_none(),
        "the wall hides the player"
    );
    // Close enough to hear through the wall.
    let near = CENTRE.minus(Vec2::new(100 * 60, 0));
    let mut hearing = Wolves::new(&[near], 6, 2);
    hearing.update(&player, &[wall], &config);
    assert!(
        hearing.packs[0].last_seen.is_some(),
        "heard through the wall"
    );
}

/// A scripted player against packs at some aggression: the chance the player wins (per mille)
/// grows with skill and shrinks with aggression; draws come from a seeded generator.
fn encounters(skill: i32, rounds: u32, seed: u64) -> (trystero_ai::Director, Vec<bool>) {
    let mut director = trystero_ai::Director::default();
    let mut state = seed;
    let mut outcomes = Vec::new();
    for _ in 0..rounds {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let chance = (500 + (skill - director.aggression) * 3 / 4).clamp(20, 980);
        let won = ((state >> 33) % 1000) < chance as u64;
        director.record(won);
        outcomes.push(won);
    }
    (director, outcomes)
}

#[test]
fn the_director_turns_aggression_up_for_strong_players_and_down_for_weak_ones() {
    let (strong, _) = encounters(900, 200, 1);
    let (weak, _) = encounters(150, 200, 1);
    assert!(
        strong.aggression > 700,
        "strong player: {}",
        strong.aggression
    );
    assert!(weak.aggression < 300, "weak player: {}", weak.aggression);
}

#[test]
fn the_directors_win_rate_settles_near_its_target() {
    for (skill, seed) in [(900, 3), (500, 4), (150, 5)] {
        let (_, outcomes) = encounters(skill, 2_000, seed);
        let late = &outcomes[1_000..];
        let rate = late.iter().filter(|won| **won).count() * 1000 / late.len();
        assert!(
            (440..=560).contains(&rate),
            "skill {skill}: win rate {rate}‰"
        );
    }
}

#[test]
fn hunters_wait_on_the_side_the_player_dodges_to() {
    let config = Config::default();
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    let mean_hunter_x = |wolves: &Wolves| {
        let hunters: Vec<i32> = wolves
            .wolves
            .iter()
            .filter(|w| w.role == Role::Hunter)
            .map(|w| w.at.x - CENTRE.x)
            .collect();
        hunters.iter().sum::<i32>() / hunters.len() as i32
    };
    let run = |dodge: Option<i8>| {
        let mut wolves = Wolves::new(&[Vec2::new(640 * 60, 100 * 60)], 6, 12);
        if let Some(side) = dodge {
            for _ in 0..10 {
                wolves.observe(trystero_ai::PlayerAction::Dodge(side));
            }
        }
        let mut xs = Vec::new();
        for frame in 0..900 {
            wolves.update(&player, &[], &config);
            if frame >= 300 {
                xs.push(mean_hunter_x(&wolves));
            }
        }
        xs.iter().sum::<i32>() / xs.len() as i32
    };
    let (neutral, left, right) = (run(None), run(Some(-1)), run(Some(1)));
    assert!(
        left < neutral && neutral < right,
        "left {left}, neutral {neutral}, right {right}"
    );
    let mut model = trystero_ai::PlayerModel::default();
    for _ in 0..3 {
        model.observe(trystero_ai::PlayerAction::Block);
    }
    model.observe(trystero_ai::PlayerAction::Attack);
    assert_eq!(model.block_rate(), 750);
}

/// A wall with one gap: the terrain grid finds the gap (and only the wall's passages) as
/// chokepoints, and points a player running for it at the gap (what the pack does with it:
/// `chase.rs`).
#[test]
fn the_terrain_grid_finds_the_gap_ahead_of_a_fleeing_player() {
    let px = |v: i32| v * 60;
    let gap = Vec2::new(px(800), px(360));
    let obstacles = [
        trystero_ai::Obstacle {
            at: Vec2::new(px(800), px(220)),
            radius: px(100),
        },
        trystero_ai::Obstacle {
            at: Vec2::new(px(800), px(500)),
            radius: px(100),
        },
        trystero_ai::Obstacle {
            at: Vec2::new(px(800), px(60)),
            radius: px(90),
        },
        trystero_ai::Obstacle {
            at: Vec2::new(px(800), px(660)),
            radius: px(90),
        },
    ];
    let terrain = trystero_ai::Terrain::new(Vec2::new(px(1280), px(720)), px(20), &obstacles, 3);
    assert!(
        terrain
            .chokepoints()
            .iter()
            .any(|p| p.minus(gap).length() < px(30)),
        "the gap is a chokepoint"
    );
    assert!(
        terrain
            .chokepoints()
            .iter()
            .all(|p| (p.x - gap.x).abs() <= px(120)),
        "only the wall's passages are chokepoints"
    );
    let runner = Vec2::new(px(500), px(360));
    let ahead = terrain.ahead(runner, Vec2::new(250, 0), px(400)).unwrap();
    assert!(ahead.minus(gap).length() < px(130), "{ahead:?}");
    assert_eq!(
        terrain.ahead(runner, Vec2::new(-250, 0), px(400)),
        None,
        "running away from it"
    );
    assert_eq!(
        terrain.ahead(runner, Vec2::default(), px(400)),
        None,
        "standing still"
    );
}
