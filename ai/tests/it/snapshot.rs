//! A snapshot of a small scripted pack's decisions: the pack's order, mood, strikers (attack
//! tokens held) and blackboard on every frame where one of them changes (with the ring's front
//! then), and each wolf's role, place, health, strike and cooldown at a few frames.

use std::fmt::Write as _;

use expect_test::expect;
use trystero_ai::{Config, PackMessage, Player, Vec2, Wolves};

const CENTRE: Vec2 = Vec2::new(640 * 60, 360 * 60);

/// A message in a few characters (positions in whole px).
fn message(message: &PackMessage) -> String {
    match message {
        PackMessage::Spotted { wolf, at } => format!("Spotted({wolf}@{},{})", at.x / 60, at.y / 60),
        PackMessage::Engage => "Engage".into(),
        PackMessage::Retreat => "Retreat".into(),
        PackMessage::Regroup => "Regroup".into(),
        PackMessage::FlankLeft { wolf } => format!("FlankLeft({wolf})"),
        PackMessage::FlankRight { wolf } => format!("FlankRight({wolf})"),
    }
}

/// The pack's decisions this frame in one line: order, mood, the wolves striking (holding a
/// token), and the messages other than sightings (which every wolf that sees the player posts
/// every frame; only their count is shown).
fn pack_line(wolves: &Wolves) -> String {
    let pack = &wolves.packs[0];
    let strikers: Vec<usize> = (0..wolves.members(0).len())
        .filter(|&index| wolves.members(0)[index].striking > 0)
        .collect();
    let seen = pack
        .messages
        .iter()
        .filter(|m| matches!(m, PackMessage::Spotted { .. }))
        .count();
    let others: Vec<String> = pack
        .messages
        .iter()
        .filter(|m| !matches!(m, PackMessage::Spotted { .. }))
        .map(message)
        .collect();
    format!(
        "{:?} {:?} strikers={strikers:?} seen={seen} {}",
        pack.order,
        pack.mood,
        others.join(" ")
    )
}

/// One line per wolf: role, position in whole px, health, strike and cooldown frames.
fn wolf_lines(wolves: &Wolves, out: &mut String) {
    for (index, wolf) in wolves.members(0).iter().enumerate() {
        writeln!(
            out,
            "    {index} {:?} at=({},{}) hp={} striking={} cooldown={}",
            wolf.role,
            wolf.at.x / 60,
            wolf.at.y / 60,
            wolf.health,
            wolf.striking,
            wolf.cooldown,
        )
        .unwrap();
    }
}

#[test]
fn a_scripted_pack_decides_the_same_every_time() {
    let config = Config::default();
    // A pack of five 300 px above a standing player, close enough to see it at once.
    let mut wolves = Wolves::new(&[Vec2::new(640 * 60, 60 * 60)], 5, 7);
    let player = Player {
        at: CENTRE,
        velocity: Vec2::default(),
    };
    let mut out = String::new();
    let mut last = String::new();
    for frame in 1..=300u32 {
        // Outside orders, read at the next frame: fall back, then gather again.
        if frame == 241 {
            wolves.communicate_with_pack(0, PackMessage::Retreat);
        }
        if frame == 271 {
            wolves.communicate_with_pack(0, PackMessage::Regroup);
        }
        wolves.update(&player, &[], &config);
        let line = pack_line(&wolves);
        if line != last {
            let front = wolves.packs[0].front;
            writeln!(out, "f{frame} front={front} {}", line.trim_end()).unwrap();
            last = line;
        }
        if [1, 150, 300].contains(&frame) {
            wolf_lines(&wolves, &mut out);
        }
    }
    expect![[r#"
        f1 front=196 Stalk Aggressive strikers=[] seen=5 FlankRight(2) FlankLeft(1)
            0 Alpha at=(670,63) hp=60 striking=0 cooldown=0
            1 Beta at=(650,91) hp=60 striking=0 cooldown=0
            2 Beta at=(614,81) hp=60 striking=0 cooldown=0
            3 Hunter at=(614,46) hp=60 striking=0 cooldown=0
            4 Hunter at=(647,34) hp=60 striking=0 cooldown=0
        f2 front=196 Stalk Aggressive strikers=[] seen=5
        f55 front=196 Engage Aggressive strikers=[0, 1] seen=5 Engage
        f56 front=196 Engage Aggressive strikers=[0, 1] seen=5
        f75 front=143 Engage Aggressive strikers=[2, 3] seen=5
        f95 front=122 Engage Aggressive strikers=[4] seen=5
        f115 front=121 Engage Aggressive strikers=[] seen=5
            0 Alpha at=(531,378) hp=60 striking=0 cooldown=15
            1 Beta at=(621,251) hp=60 striking=0 cooldown=15
            2 Beta at=(659,468) hp=60 striking=0 cooldown=35
            3 Hunter at=(739,407) hp=60 striking=0 cooldown=35
            4 Hunter at=(625,469) hp=60 striking=0 cooldown=55
        f165 front=121 Engage Aggressive strikers=[0, 1] seen=5
        f185 front=75 Engage Aggressive strikers=[2, 3] seen=5
        f205 front=76 Engage Aggressive strikers=[4] seen=5
        f225 front=76 Engage Aggressive strikers=[] seen=5
        f241 front=76 Retreat Aggressive strikers=[] seen=5 Retreat Retreat
        f242 front=76 Retreat Aggressive strikers=[] seen=5 Retreat
        f271 front=76 Stalk Aggressive strikers=[] seen=5 Regroup FlankRight(2) FlankLeft(1)
        f272 front=76 Stalk Aggressive strikers=[] seen=5
            0 Alpha at=(608,465) hp=60 striking=0 cooldown=0
            1 Beta at=(534,328) hp=60 striking=0 cooldown=0
            2 Beta at=(745,391) hp=60 striking=0 cooldown=0
            3 Hunter at=(726,292) hp=60 striking=0 cooldown=0
            4 Hunter at=(731,421) hp=60 striking=0 cooldown=15
    "#]]
    .assert_eq(&out);
}
