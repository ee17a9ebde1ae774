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
        overlay: Vec::new(),
        title: None,
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

fn final_checksum(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    text.lines()
        .find_map(|line| line.trim().strip_prefix("final checksum "))
        .unwrap_or_else(|| panic!("no checksum in {text}"))
        .to_owned()
}

/// `trystero game` in a window (an Xvfb of the test's own, lavapipe): a seeded solo match of
/// 240 frames drawn in lockstep ends in a screenshot that matches the committed
/// `docs/screenshot.png` (at most 0.5 % of pixels off by more than 24/255, mean error ≤ 1.5);
/// with no display it says so in one line and plays the same match headless, to the same
/// final checksum.
#[test]
fn the_window_draws_the_seeded_match_of_the_committed_screenshot() {
    let _heavy = super::heavy();
    let xvfb = trystero_testkit::xvfb::Xvfb::start();
    let shot = std::env::temp_dir().join(format!("trystero-shot-{}.png", std::process::id()));
    let args = [
        "game",
        "--room",
        "solo",
        "--bot",
        "--players",
        "1",
        "--seed",
        "3",
        "--frames",
        "240",
    ];
    let windowed = std::process::Command::new(env!("CARGO_BIN_EXE_trystero"))
        .args(args)
        .arg("--screenshot")
        .arg(&shot)
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(
        windowed.status.success(),
        "{}",
        String::from_utf8_lossy(&windowed.stderr)
    );
    let taken = trystero_render::Image::from_png(&std::fs::read(&shot).unwrap()).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let golden =
        trystero_render::Image::from_png(&std::fs::read(root.join("docs/screenshot.png")).unwrap())
            .unwrap();
    let difference = taken.difference(&golden, 24);
    let pixels = (golden.width * golden.height) as usize;
    if !difference.within(0.005, 1.5, pixels) {
        let out = root.join("target/screenshot-taken.png");
        std::fs::write(&out, taken.to_png().unwrap()).unwrap();
        panic!(
            "the screenshot differs from docs/screenshot.png: {difference:?} (saved {})",
            out.display()
        );
    }
    let _ = std::fs::remove_file(&shot);

    let headless = std::process::Command::new(env!("CARGO_BIN_EXE_trystero"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(headless.status.success());
    let said = String::from_utf8_lossy(&headless.stderr);
    assert!(said.contains("no display"), "{said}");
    assert_eq!(
        final_checksum(&headless.stdout),
        final_checksum(&windowed.stdout)
    );
}
