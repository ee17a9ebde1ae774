//! The pack blackboard: the Alpha's flank calls, and messages posted from outside.

use trystero_ai::{Config, Order, PackMessage, Player, Role, TURN, Vec2, Wolves, angle_of};

const CENTRE: Vec2 = Vec2::new(640 * 60, 360 * 60);

fn standing() -> Player {
    Player {
        at: CENTRE,
        velocity: Vec2::default(),
    }
}

/// The Betas' indices and their angles around the player relative to the pack's front
/// (the Alpha's side), in -TURN/2..TURN/2.
fn betas(wolves: &Wolves) -> Vec<(usize, i32)> {
    let front = wolves.packs[0].front;
    wolves
        .wolves
        .iter()
        .enumerate()
        .filter(|(_, w)| w.role == Role::Beta)
        .map(|(index, w)| {
            let angle = angle_of(w.at.minus(CENTRE));
            (
                index,
                (angle - front + TURN / 2).rem_euclid(TURN) - TURN / 2,
            )
        })
        .collect()
}

fn flank_calls(wolves: &Wolves) -> Vec<PackMessage> {
    wolves.packs[0]
        .messages
        .iter()
        .copied()
        .filter(|m| {
            matches!(
                m,
                PackMessage::FlankLeft { .. } | PackMessage::FlankRight { .. }
            )
        })
        .collect()
}

#[test]
fn the_alpha_sends_its_betas_to_opposite_flanks_and_a_message_swaps_them() {
    let config = Config::default();
    let mut wolves = Wolves::new(&[Vec2::new(640 * 60, 100 * 60)], 6, 3);
    wolves.update(&standing(), &[], &config);
    assert_eq!(wolves.packs[0].order, Order::Stalk);
    let calls = flank_calls(&wolves);
    assert_eq!(calls.len(), 2, "{:?}", wolves.packs[0].messages);
    for _ in 0..240 {
        wolves.update(&standing(), &[], &config);
    }
    let placed = betas(&wolves);
    let on_side = |sign: i32| {
        placed
            .iter()
            .filter(|(_, relative)| (32..=96).contains(&(relative * sign)))
            .map(|(index, _)| *index)
            .collect::<Vec<_>>()
    };
    let (left, right) = (on_side(1), on_side(-1));
    assert!(
        left.len() == 1 && right.len() == 1,
        "one Beta a quarter turn each side of the Alpha: {placed:?}"
    );
    assert!(calls.contains(&PackMessage::FlankLeft { wolf: left[0] }));
    assert!(calls.contains(&PackMessage::FlankRight { wolf: right[0] }));
    // Swapped from outside.
    wolves.communicate_with_pack(0, PackMessage::FlankLeft { wolf: right[0] });
    wolves.communicate_with_pack(0, PackMessage::FlankRight { wolf: left[0] });
    for _ in 0..240 {
        wolves.update(&standing(), &[], &config);
    }
    let swapped = betas(&wolves);
    for (index, relative) in swapped {
        let sign = if index == left[0] { -1 } else { 1 };
        assert!(
            (32..=96).contains(&(relative * sign)),
            "Beta {index} swapped sides: {relative}"
        );
    }
}

#[test]
fn retreat_and_regroup_messages_move_the_pack_back_and_start_the_stalk_over() {
    let config = Config::default();
    let mut wolves = Wolves::new(&[Vec2::new(640 * 60, 200 * 60)], 6, 4);
    for _ in 0..200 {
        wolves.update(&standing(), &[], &config);
    }
    let mean_distance = |wolves: &Wolves| {
        wolves
            .wolves
            .iter()
            .map(|w| i64::from(w.at.minus(CENTRE).length()))
            .sum::<i64>()
            / 6
    };
    let close = mean_distance(&wolves);
    wolves.communicate_with_pack(0, PackMessage::Retreat);
    wolves.update(&standing(), &[], &config);
    assert_eq!(wolves.packs[0].order, Order::Retreat);
    for _ in 0..60 {
        wolves.update(&standing(), &[], &config);
    }
    assert_eq!(
        wolves.packs[0].order,
        Order::Retreat,
        "it lasts two seconds"
    );
    let away = mean_distance(&wolves);
    assert!(away > close + 100 * 60, "fell back: {close} → {away}");
    wolves.communicate_with_pack(0, PackMessage::Regroup);
    wolves.update(&standing(), &[], &config);
    assert_eq!(wolves.packs[0].order, Order::Stalk);
    assert_eq!(flank_calls(&wolves).len(), 2, "the flanks are called again");
    for _ in 0..240 {
        wolves.update(&standing(), &[], &config);
    }
    assert!(mean_distance(&wolves) < away - 100 * 60, "back on the ring");
}

#[test]
fn spotted_and_engage_messages_reach_a_pack_that_cannot_sense_the_player() {
    let config = Config::default();
    // Far beyond sight and hearing.
    let far = Player {
        at: Vec2::new(1_200 * 60, 700 * 60),
        velocity: Vec2::default(),
    };
    let mut wolves = Wolves::new(&[Vec2::new(60 * 60, 60 * 60)], 6, 5);
    wolves.update(&far, &[], &config);
    assert_eq!(wolves.packs[0].order, Order::Search);
    wolves.communicate_with_pack(0, PackMessage::Engage);
    wolves.update(&far, &[], &config);
    assert_eq!(
        wolves.packs[0].order,
        Order::Search,
        "nothing to engage while the player is unknown"
    );
    wolves.communicate_with_pack(
        0,
        PackMessage::Spotted {
            wolf: 0,
            at: far.at,
        },
    );
    wolves.update(&far, &[], &config);
    assert_eq!(wolves.packs[0].order, Order::Stalk);
    assert_eq!(wolves.packs[0].last_seen.map(|(at, _)| at), Some(far.at));
    wolves.communicate_with_pack(0, PackMessage::Engage);
    wolves.update(&far, &[], &config);
    assert_eq!(wolves.packs[0].order, Order::Engage);
}
