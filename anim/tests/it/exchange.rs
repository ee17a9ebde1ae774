//! A snapshot of a scripted exchange between two fighters — a blocked attack, a parry and the
//! stagger it leaves, a punish, a roll through an attack — printed as each frame's states (on
//! every frame where a state, combo step or the health changes) and the events emitted.

use std::fmt::Write as _;

use expect_test::expect;
use trystero_anim::{Arena, CombatEvent, Fighter, FrameData, Input, Scratch, State};

/// A fighter in a few characters: state (with the combo step while attacking), frames in it,
/// health and stamina (tenths).
fn fighter(f: &Fighter) -> String {
    let state = if f.state == State::Attack {
        format!("Attack{}", f.combo)
    } else {
        format!("{:?}", f.state)
    };
    format!("{state}@{} hp={} st={}", f.frame, f.health, f.stamina)
}

/// What each fighter does on `frame`: (A, B).
fn script(frame: u32) -> [Input; 2] {
    let attack = Input {
        attack: true,
        ..Input::default()
    };
    let block = Input {
        block: true,
        ..Input::default()
    };
    // Towards A: B rolls through the attack.
    let roll = Input {
        roll: true,
        x: -1,
        ..Input::default()
    };
    let idle = Input::default();
    match frame {
        // B raises its guard early and holds it: A's attack is blocked, not parried.
        0 => [idle, block],
        20 => [attack, block],
        1..=39 => [idle, block],
        // B attacks; A raises its guard just before the hitbox comes out: a parry.
        50 => [idle, attack],
        53..=70 => [block, idle],
        // B is staggered: A punishes.
        72 => [attack, idle],
        // A attacks again; B rolls along it, invulnerable while the hitbox is out.
        110 => [attack, idle],
        112 => [idle, roll],
        _ => [idle, idle],
    }
}

#[test]
fn a_scripted_exchange_gives_the_golden_timeline() {
    let data = FrameData::default();
    let mut arena = Arena::new(2, &data);
    // Face to face, 50 px apart.
    arena.fighters[0].x = 20_000;
    arena.fighters[1].x = 23_000;
    let (mut scratch, mut events) = (Scratch::default(), Vec::<CombatEvent>::new());
    let key = |arena: &Arena| -> Vec<(State, u8, i32)> {
        arena
            .fighters
            .iter()
            .map(|f| (f.state, f.combo, f.health))
            .collect()
    };
    let mut last = key(&arena);
    let mut out = String::new();
    for frame in 0..160 {
        arena.step(&script(frame), &data, &mut scratch, &mut events);
        let now = key(&arena);
        if now != last || !events.is_empty() {
            let [a, b] = [&arena.fighters[0], &arena.fighters[1]].map(fighter);
            let mut line = format!("{frame:>3} A {a:<24} B {b:<24}");
            for event in events.drain(..) {
                write!(line, " {event:?}").unwrap();
            }
            writeln!(out, "{}", line.trim_end()).unwrap();
            last = now;
        }
    }
    let gap = (arena.fighters[1].x - arena.fighters[0].x) / 60;
    writeln!(out, "end B-A={gap}px").unwrap();
    expect![[r#"
          0 A Idle@1 hp=100 st=1000    B Block@0 hp=100 st=1000
         20 A Attack0@0 hp=100 st=850  B Block@20 hp=100 st=1000
         26 A Attack0@6 hp=100 st=850  B Block@26 hp=90 st=900    Blocked { attacker: 0, target: 1, damage: 10 }
         40 A Attack0@20 hp=100 st=850 B Idle@0 hp=90 st=900
         43 A Idle@0 hp=100 st=855     B Idle@3 hp=90 st=900
         50 A Idle@7 hp=100 st=890     B Attack0@0 hp=90 st=765
         53 A Block@0 hp=100 st=900    B Attack0@3 hp=90 st=765
         56 A Block@3 hp=100 st=900    B Hurt@0 hp=70 st=765      Parried { attacker: 1, target: 0, reflected: 20 }
         71 A Idle@0 hp=100 st=905     B Hurt@15 hp=70 st=775
         72 A Attack0@0 hp=100 st=755  B Hurt@16 hp=70 st=780
         78 A Attack0@6 hp=100 st=755  B Hurt@0 hp=50 st=810      Hit { attacker: 0, target: 1, damage: 20 }
         95 A Idle@0 hp=100 st=760     B Hurt@17 hp=50 st=895
         96 A Idle@1 hp=100 st=765     B Idle@0 hp=50 st=900
        110 A Attack0@0 hp=100 st=680  B Idle@14 hp=50 st=970
        112 A Attack0@2 hp=100 st=680  B Roll@0 hp=50 st=725
        116 A Attack0@6 hp=100 st=680  B Roll@4 hp=50 st=725      Evaded { attacker: 0, target: 1 }
        133 A Idle@0 hp=100 st=685     B Roll@21 hp=50 st=725
        136 A Idle@3 hp=100 st=700     B Idle@0 hp=50 st=730
        end B-A=-130px
    "#]].assert_eq(&out);
}
