//! Several players: each pack hunts the one nearest it; packs come and go (waves); bodies are
//! pushed out of obstacles.

use trystero_ai::{Config, MAX_TARGETS, Obstacle, Order, Player, Vec2, Wolves};

const fn px(v: i32) -> i32 {
    v * 60
}

fn standing(x: i32, y: i32) -> Player {
    Player {
        at: Vec2::new(px(x), px(y)),
        velocity: Vec2::default(),
    }
}

/// Two players far apart, a pack near each: each pack closes on its own player, not the
/// other's.
#[test]
fn each_pack_hunts_the_player_nearest_it() {
    let players = [standing(200, 360), standing(1_100, 360)];
    let mut wolves = Wolves::new(
        &[Vec2::new(px(350), px(360)), Vec2::new(px(950), px(360))],
        5,
        3,
    );
    let config = Config::default();
    for _ in 0..240 {
        wolves.update_players(&players, &[], None, &config);
    }
    assert_eq!([wolves.packs[0].target, wolves.packs[1].target], [0, 1]);
    for (pack, player) in [(0, players[0]), (1, players[1])] {
        assert_ne!(
            wolves.packs[pack].order,
            Order::Search,
            "pack {pack} found its player"
        );
        let (seen, _) = wolves.packs[pack].last_seen.expect("seen");
        assert_eq!(seen, player.at);
        for wolf in wolves.members(pack) {
            let distance = wolf.at.minus(player.at).length();
            assert!(
                distance < px(300),
                "pack {pack}'s wolf is {distance} away from its player"
            );
        }
    }
}

/// One player moves next to the other pack: that pack switches to it.
#[test]
fn a_pack_switches_to_a_player_who_comes_closer() {
    let mut players = [standing(200, 360), standing(1_100, 360)];
    let mut wolves = Wolves::new(&[Vec2::new(px(950), px(360))], 4, 9);
    let config = Config::default();
    wolves.update_players(&players, &[], None, &config);
    assert_eq!(wolves.packs[0].target, 1);
    players[0].at = Vec2::new(px(960), px(380));
    wolves.update_players(&players, &[], None, &config);
    assert_eq!(wolves.packs[0].target, 0);
    // With no players at all, nobody is perceived and the pack stays put in its search.
    let mut alone = Wolves::new(&[Vec2::new(px(950), px(360))], 4, 9);
    for _ in 0..60 {
        alone.update_players(&[], &[], None, &config);
    }
    assert_eq!(alone.packs[0].order, Order::Search);
    assert!(alone.packs[0].last_seen.is_none());
    // Players past MAX_TARGETS are ignored (no index beyond the bound).
    let crowd = vec![standing(100, 100); MAX_TARGETS + 3];
    alone.update_players(&crowd, &[], None, &config);
    assert!(alone.packs[0].target < MAX_TARGETS);
}

/// Waves: packs added later get the next indices and contiguous wolves; clearing empties the
/// field but keeps the random state and frame going; the same calls give the same state.
#[test]
fn packs_are_added_and_cleared_deterministically() {
    let run = || {
        let mut wolves = Wolves::new(&[], 0, 77);
        assert!(wolves.packs.is_empty());
        let first = wolves.add_pack(Vec2::new(px(100), px(100)), 3, 60);
        let second = wolves.add_pack(Vec2::new(px(900), px(600)), 6, 90);
        assert_eq!((first, second), (0, 1));
        assert_eq!(wolves.packs[1].members, (3, 9));
        assert!(
            wolves
                .members(1)
                .iter()
                .all(|w| w.health == 90 && w.pack == 1)
        );
        let players = [standing(640, 360)];
        for _ in 0..100 {
            wolves.update_players(&players, &[], None, &Config::default());
        }
        let rng = wolves.rng.state();
        wolves.clear();
        assert!(wolves.wolves.is_empty() && wolves.packs.is_empty());
        assert_eq!((wolves.frame, wolves.rng.state()), (100, rng));
        wolves.add_pack(Vec2::new(px(640), px(100)), 4, 60);
        for _ in 0..100 {
            wolves.update_players(&players, &[], None, &Config::default());
        }
        wolves.checksum()
    };
    assert_eq!(run(), run());
}

#[test]
fn bodies_are_pushed_out_of_obstacles() {
    let rock = Obstacle {
        at: Vec2::new(px(500), px(500)),
        radius: px(40),
    };
    let inside = Vec2::new(px(510), px(500));
    let out = rock.push_out(inside, px(10));
    assert!(out.minus(rock.at).length() > px(50), "{out:?}");
    assert_eq!(out.y, px(500), "pushed straight away from the centre");
    let clear = Vec2::new(px(600), px(500));
    assert_eq!(rock.push_out(clear, px(10)), clear);
    let centre = rock.push_out(rock.at, px(10));
    assert!(centre.minus(rock.at).length() >= px(50));
}
