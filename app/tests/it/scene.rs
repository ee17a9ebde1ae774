//! The game's scene (`trystero_game::Scene`) drawn by the real wgpu renderer.

use trystero_core::render::Renderer;
use trystero_game::{Bot, GameEvent, Hud, Rules, Scene, World};
use trystero_netcode::{InputStatus, PlayerInput};
use trystero_render::{Gpu, Settings, WgpuRenderer};

/// A bot match `frames` in, with every event it produced.
fn fighting(frames: u32) -> (Rules, World, Vec<GameEvent>) {
    let rules = Rules::new(9);
    let mut world = World::new(9, 2, &rules);
    let mut bots = [Bot::new(0), Bot::new(1)];
    let mut events = Vec::new();
    for _ in 0..frames {
        let inputs: Vec<PlayerInput<u16>> = bots
            .iter_mut()
            .map(|bot| PlayerInput {
                input: bot.input(&world, &rules),
                status: InputStatus::Confirmed,
            })
            .collect();
        world.step(&rules, &inputs, &mut events);
    }
    (rules, world, events)
}

/// The scene drawn for real by the wgpu renderer (lavapipe here): not blank, lit by the
/// torches, with the HUD in the corner. Saved to `target/game-scene.png` for a person to look
/// at.
#[test]
fn the_scene_draws_on_the_real_renderer() {
    let (rules, world, events) = fighting(420);
    let Ok(gpu) = Gpu::new() else {
        panic!("a wgpu adapter (no GPU: apt-get install mesa-vulkan-drivers)");
    };
    let settings = Settings {
        width: 960,
        height: 540,
        ..Settings::default()
    };
    let mut renderer = WgpuRenderer::offscreen(std::sync::Arc::new(gpu), settings).unwrap();
    let mut scene = Scene::new(&rules, 960, 540, 7);
    let hud = Hud {
        seat: Some(0),
        pings: vec![(1, 35)],
        rollback: 2,
        desync: false,
    };
    let recent: Vec<&GameEvent> = events
        .iter()
        .filter(|e| e.frame + 5 >= world.frame)
        .collect();
    for _ in 0..30 {
        let frame = scene.frame(
            &renderer,
            &world,
            recent.iter().copied(),
            world.frame,
            &hud,
            1.0 / 60.0,
        );
        renderer.render(&frame).unwrap();
    }
    let image = renderer.read_pixels().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/game-scene.png");
    std::fs::write(&path, image.to_png().unwrap()).unwrap();
    let whole = image.mean(0, 0, 960, 540);
    assert!(
        whole[0] + whole[1] + whole[2] > 0.15,
        "not blank: {whole:?}"
    );
    // The local health bar, top left, is red.
    let bar = image.mean(25, 17, 60, 23);
    assert!(bar[0] > bar[1] * 2.0 && bar[0] > 0.4, "health bar {bar:?}");
}
