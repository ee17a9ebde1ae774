//! The renderer on a real adapter (lavapipe in CI): golden images per feature and for the
//! reference arena, and measured properties (layer order, shadows, bloom, batching, culling).
//!
//! Goldens live in `tests/goldens/`; `TRYSTERO_UPDATE_GOLDENS=1 cargo test -p trystero-render`
//! rewrites them. A mismatch writes the image and a diff to `target/golden-failures/`.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)] // test code

mod atlas;
mod features;
mod post;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use trystero_core::render::{Frame, Renderer};
use trystero_render::{Gpu, Image, Settings, WgpuRenderer};

/// One device at a time; tests take turns on it (software Vulkan uses every core). It lives
/// only while a test holds it: a device still alive at process exit (in a static) made
/// lavapipe's teardown crash now and then after every test had passed.
fn gpu() -> (Arc<Gpu>, MutexGuard<'static, ()>) {
    static GPU: Mutex<Weak<Gpu>> = Mutex::new(Weak::new());
    static TURN: Mutex<()> = Mutex::new(());
    let turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut shared = GPU
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let gpu = shared.upgrade().unwrap_or_else(|| {
        let gpu = Gpu::new().expect("a wgpu adapter (no GPU: apt-get install mesa-vulkan-drivers)");
        // Straight to the real stderr, past the test harness's capture: the log says which
        // adapter drew the goldens (once).
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "trystero-render tests on: {}",
                gpu.describe()
            );
        });
        let gpu = Arc::new(gpu);
        *shared = Arc::downgrade(&gpu);
        gpu
    });
    (gpu, turn)
}

fn renderer(gpu: &Arc<Gpu>) -> WgpuRenderer {
    WgpuRenderer::offscreen(Arc::clone(gpu), Settings::default()).unwrap()
}

/// Renders `frames` (each in turn) and reads the last back.
fn draw(renderer: &mut WgpuRenderer, frames: &[Frame]) -> Image {
    for frame in frames {
        renderer.render(frame).unwrap();
    }
    renderer.read_pixels().unwrap()
}

/// Compares with `tests/goldens/<name>.png`: at most 0.5 % of pixels off by more than 24/255
/// in a channel, and a mean error of at most 1.5/255.
fn golden(name: &str, image: &Image) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/goldens");
    let path = dir.join(format!("{name}.png"));
    if std::env::var_os("TRYSTERO_UPDATE_GOLDENS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&path, image.to_png().unwrap()).unwrap();
        return;
    }
    let reference = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (TRYSTERO_UPDATE_GOLDENS=1 writes it)",
            path.display()
        )
    });
    let reference = Image::from_png(&reference).unwrap();
    let difference = image.difference(&reference, 24);
    let pixels = (image.width * image.height) as usize;
    if !difference.within(0.005, 1.5, pixels) {
        let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/golden-failures");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(format!("{name}.png")), image.to_png().unwrap()).unwrap();
        std::fs::write(
            out.join(format!("{name}.diff.png")),
            image.diff_image(&reference).to_png().unwrap(),
        )
        .unwrap();
        panic!(
            "{name} differs from its golden: {difference:?} (see {})",
            out.display()
        );
    }
}

#[test]
fn the_reference_arena_matches_its_golden() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let frames: Vec<Frame> = (0..30)
        .map(|f| trystero_render::scenes::arena(&renderer, f))
        .collect();
    let image = draw(&mut renderer, &frames);
    golden("arena", &image);
    let stats = renderer
        .render(&trystero_render::scenes::arena(&renderer, 30))
        .unwrap();
    assert_eq!(stats.lights, 4);
    assert!(stats.draw_calls <= 4, "{stats:?}");
    assert!(
        stats.particles > 0,
        "the explosion is still going: {stats:?}"
    );
}
