//! A fleeing player and a wall with one gap: how often the pack cuts it off, with and without
//! the terrain grid.

use trystero_ai::{Config, Obstacle, Player, Terrain, Vec2, Wolves};

const fn px(v: i32) -> i32 {
    v * 60
}

const GAP: Vec2 = Vec2::new(px(800), px(360));

fn wall() -> [Obstacle; 4] {
    [
        Obstacle {
            at: Vec2::new(px(800), px(220)),
            radius: px(100),
        },
        Obstacle {
            at: Vec2::new(px(800), px(500)),
            radius: px(100),
        },
        Obstacle {
            at: Vec2::new(px(800), px(60)),
            radius: px(90),
        },
        Obstacle {
            at: Vec2::new(px(800), px(660)),
            radius: px(90),
        },
    ]
}

fn next(state: &mut u64) -> i32 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 33) % 1_000_000) as i32
}

/// One chase from a seeded start: the player starts left of the wall and runs straight for the
/// gap; the pack's den lies somewhere around it. Cut off: when the player is 100 px from the
/// gap, a wolf stands in its way (between it and the gap, within `reach` of its line). Catching
/// the player in the open does not count: it is faster than the wolves there, or dodges.
fn chase(seed: u64, use_terrain: bool, player_speed: i32, reach: i32) -> bool {
    let config = Config::default();
    let obstacles = wall();
    let terrain = Terrain::new(Vec2::new(px(1280), px(720)), px(20), &obstacles, 3);
    let mut state = seed;
    let start = Vec2::new(
        px(300 + next(&mut state) % 200),
        px(200 + next(&mut state) % 320),
    );
    let angle = next(&mut state) % 256;
    let den = trystero_ai::on_ring(start, px(150 + next(&mut state) % 200), angle);
    let mut wolves = Wolves::new(&[den], 6, seed);
    let mut player = Player {
        at: start,
        velocity: Vec2::default(),
    };
    for _ in 0..600 {
        let to = GAP.plus(Vec2::new(px(40), 0)).minus(player.at);
        player.velocity = to.with_length(player_speed);
        player.at = player.at.plus(player.velocity);
        let known = use_terrain.then_some(&terrain);
        wolves.update_with_terrain(&player, &obstacles, known, &config);
        if player.at.minus(GAP).length() <= px(100) {
            return wolves
                .wolves
                .iter()
                .any(|w| in_the_way(w.at, player.at, reach));
        }
    }
    false
}

/// Whether a wolf at `wolf` stands between the player and the gap, within `reach` of the
/// player's line to it.
fn in_the_way(wolf: Vec2, player: Vec2, reach: i32) -> bool {
    let line = GAP.minus(player);
    let to = wolf.minus(player);
    let along = i64::from(to.x) * i64::from(line.x) + i64::from(to.y) * i64::from(line.y);
    let across = i64::from(to.x) * i64::from(line.y) - i64::from(to.y) * i64::from(line.x);
    let length = i64::from(line.length()).max(1);
    along > 0 && along <= length * length && (across / length).abs() <= i64::from(reach)
}

/// Over 256 seeded starts (player 300–500 px left of the wall, the pack's den 150–350 px from
/// it in any direction), Hunters and the wolves that can beat the player to the passage block it
/// clearly more often with the terrain grid than without. Measured: a player at 200 units a
/// frame (slower than the wolves' 220) is cut off 147 times against 107, at the game's 250
/// (faster) 90 against 62.
#[test]
fn a_fleeing_player_is_cut_off_more_often_with_terrain() {
    for speed in [200, 250] {
        let with = (0..256)
            .filter(|seed| chase(*seed, true, speed, px(30)))
            .count();
        let without = (0..256)
            .filter(|seed| chase(*seed, false, speed, px(30)))
            .count();
        eprintln!("player speed {speed}: cut off {with}/256 with terrain, {without}/256 without");
        assert!(
            with * 10 >= without * 13 && with >= without + 20,
            "player speed {speed}: cut off {with}/256 with terrain, {without}/256 without"
        );
    }
}
