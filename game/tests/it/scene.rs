//! What the world looks like, through core's recording renderer.

use trystero_core::render::{Layer, RecordingRenderer};
use trystero_game::{Entity, EventKind, GameEvent, Hud, Rules, Scene, World};

const IMAGES: [&str; 9] = [
    "font", "player", "wolf", "rock", "tree", "grass", "torch", "glow", "heart",
];

/// A 2-bot match of seed 9 `frames` in, its rules, and every event it produced.
fn fighting(frames: u32) -> (Rules, World, Vec<GameEvent>) {
    let (world, events) = super::bot_match(9, 2, frames);
    (Rules::new(9), world, events)
}

#[test]
fn the_frame_shows_the_arena_fighters_wolves_lights_and_hud() {
    let (rules, world, _) = fighting(400);
    let renderer = RecordingRenderer::new(960, 540, &IMAGES);
    let mut scene = Scene::new(&rules, 960, 540, 1);
    let hud = Hud {
        seat: Some(0),
        pings: vec![(1, 40)],
        rollback: 3,
        desync: false,
        overlay: Vec::new(),
        title: None,
    };
    let frame = scene.frame(&renderer, &world, [], world.frame, &hud, 1.0 / 60.0);
    let image = |name: &str| renderer.images[name];
    let game = |name: &str| {
        frame
            .sprites
            .iter()
            .filter(|s| s.layer == Layer::Game && s.image == image(name))
            .count()
    };
    assert_eq!(game("player"), 2);
    assert_eq!(game("wolf"), world.wolves_alive());
    assert!(world.wolves_alive() > 0, "a wave is on");
    assert_eq!(game("rock"), rules.obstacles.len());
    assert_eq!(
        frame.lights.len(),
        rules.obstacles.len(),
        "a torch by each rock"
    );
    assert!(frame.occluders.len() >= rules.obstacles.len());
    assert!(
        frame
            .sprites
            .iter()
            .filter(|s| s.layer == Layer::Background)
            .count()
            > 500
    );
    let ui = frame
        .sprites
        .iter()
        .filter(|s| s.layer == Layer::Ui)
        .count();
    assert!(
        ui >= 2 * 5,
        "health and stamina bars for both, and the network bars: {ui}"
    );
    // The local fighter's state picks its frame; the camera is near it.
    let fighter = world.players[0].fighter;
    let (x, y) = (fighter.x as f32 / 60.0, fighter.y as f32 / 60.0);
    assert!((frame.view.centre[0] - x).abs() < 400.0 && (frame.view.centre[1] - y).abs() < 300.0);
    // A desync shows a banner.
    let banner = Hud {
        desync: true,
        ..hud.clone()
    };
    let with = scene.frame(&renderer, &world, [], world.frame, &banner, 1.0 / 60.0);
    let without = scene.frame(&renderer, &world, [], world.frame, &hud, 1.0 / 60.0);
    let count = |f: &trystero_core::render::Frame| {
        f.sprites.iter().filter(|s| s.layer == Layer::Ui).count()
    };
    assert_eq!(
        count(&with),
        count(&without) + 1 + 6,
        "the banner and its word"
    );
    let font = renderer.images["font"];
    let word: Vec<u32> = with
        .sprites
        .iter()
        .filter(|s| s.image == font)
        .map(|s| s.frame)
        .collect();
    let desync: Vec<u32> = "DESYNC".chars().map(trystero_core::render::glyph).collect();
    assert!(word.windows(6).any(|w| w == desync.as_slice()), "{word:?}");
    // An overlay: a dark panel and its lines.
    let help = Hud {
        overlay: vec!["F1 HELP".into(), "ROLL: CTRL".into()],
        ..hud.clone()
    };
    let with_overlay = scene.frame(&renderer, &world, [], world.frame, &help, 1.0 / 60.0);
    let glyphs = "F1HELPROLL:CTRL".len();
    assert_eq!(count(&with_overlay), count(&without) + 1 + glyphs);
}

/// Effects spawn once per event key: the same hit drawn again (or simulated again by a
/// rollback) spawns nothing more; an old one spawns nothing.
#[test]
fn an_event_spawns_its_particles_once() {
    let (rules, world, _) = fighting(300);
    let renderer = RecordingRenderer::new(960, 540, &IMAGES);
    let mut scene = Scene::new(&rules, 960, 540, 1);
    let hit = GameEvent {
        frame: world.frame - 1,
        kind: EventKind::Hit,
        entity: Entity::Player(0),
        other: Some(Entity::Player(1)),
        amount: 20,
    };
    let hud = Hud::default();
    let first = scene.frame(&renderer, &world, [&hit], 0, &hud, 1.0 / 60.0);
    assert_eq!(first.effects.len(), 1);
    assert_eq!(first.effects[0].kind.name(), "blood");
    let again = scene.frame(&renderer, &world, [&hit], 0, &hud, 1.0 / 60.0);
    assert!(again.effects.is_empty());
    let old = GameEvent {
        frame: world.frame - 60,
        ..hit
    };
    let late = scene.frame(&renderer, &world, [&old], 0, &hud, 1.0 / 60.0);
    assert!(late.effects.is_empty());
}
