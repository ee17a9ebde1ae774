//! The window path: a winit window on X11 (on an Xvfb server of its own when Xvfb is there),
//! a surface from it, the reference arena rendered into it and presented, and the presented
//! frame copied back and compared with the same frame rendered offscreen.
//!
//! Run by `cargo test -p trystero-render` (needs `Xvfb` or a display). It is a plain program
//! (`harness = false`): winit wants the main thread, and setting `DISPLAY` needs a process
//! with no other threads yet.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // test code

use std::process::{Command, ExitCode};
use std::sync::Arc;

use trystero_core::render::Renderer;
use trystero_render::{Gpu, Image, Settings, WgpuRenderer, scenes};
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::window::{Window, WindowId};

/// Starts an `Xvfb` of the test's own (testkit's: a free display number, stopped cleanly) and
/// points `DISPLAY` at it.
fn virtual_display() -> trystero_testkit::xvfb::Xvfb {
    let server = trystero_testkit::xvfb::Xvfb::start_sized("800x600x24");
    // SAFETY: no other thread exists yet in this process (no harness, no runtime).
    unsafe { std::env::set_var("DISPLAY", &server.display) };
    server
}

#[derive(Default)]
struct App {
    window: Option<Arc<Window>>,
    result: Option<Result<(Image, Image, String), String>>,
}

impl App {
    fn run(&mut self, event_loop: &ActiveEventLoop) -> Result<(Image, Image, String), String> {
        let attributes = Window::default_attributes()
            .with_title("trystero-render window test")
            .with_inner_size(winit::dpi::PhysicalSize::new(640, 360))
            .with_resizable(false);
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| e.to_string())?,
        );
        self.window = Some(Arc::clone(&window));
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let surface = instance
            .create_surface(Arc::clone(&window))
            .map_err(|e| e.to_string())?;
        let gpu = Arc::new(
            futures_executor::block_on(Gpu::with_instance(instance, Some(&surface)))
                .map_err(|e| e.to_string())?,
        );
        let size = window.inner_size();
        let settings = Settings {
            width: size.width,
            height: size.height,
            ..Settings::default()
        };
        let mut on_screen = WgpuRenderer::for_surface(Arc::clone(&gpu), surface, settings.clone())
            .map_err(|e| e.to_string())?;
        let mut offscreen =
            WgpuRenderer::offscreen(Arc::clone(&gpu), settings).map_err(|e| e.to_string())?;
        let frames: Vec<_> = (0..20).map(|f| scenes::arena(&offscreen, f)).collect();
        for (index, frame) in frames.iter().enumerate() {
            if index + 1 == frames.len() {
                on_screen.capture_next_frame().map_err(|e| e.to_string())?;
            }
            on_screen.render(frame).map_err(|e| e.to_string())?;
            offscreen.render(frame).map_err(|e| e.to_string())?;
        }
        let presented = on_screen.take_capture().ok_or("no capture")?;
        let reference = offscreen.read_pixels().map_err(|e| e.to_string())?;
        Ok((
            presented,
            reference,
            format!("{} into {:?}", gpu.describe(), on_screen.format()),
        ))
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.result.is_none() {
            let result = self.run(event_loop);
            self.result = Some(result);
            event_loop.exit();
        }
    }

    fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}
}

fn main() -> ExitCode {
    // Only the harness's own flags arrive here (`--list` from tooling: nothing to list).
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    // An Xvfb of its own whenever Xvfb is installed (a DISPLAY inherited from the
    // environment may point at nothing); the existing display otherwise.
    let xvfb = Command::new("Xvfb")
        .arg("-help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    let server = (xvfb || std::env::var_os("DISPLAY").is_none()).then(virtual_display);
    let event_loop = EventLoop::new().expect("an X11 event loop");
    let mut app = App::default();
    let outcome = event_loop.run_app(&mut app);
    drop(app.window.take());
    drop(server);
    outcome.expect("the event loop");
    match app.result {
        Some(Ok((presented, reference, adapter))) => {
            let difference = presented.difference(&reference, 24);
            let pixels = (reference.width * reference.height) as usize;
            println!("window test on {adapter}: {difference:?}");
            if difference.within(0.005, 1.5, pixels) {
                println!("test window_presents_the_same_frame_as_offscreen ... ok");
                ExitCode::SUCCESS
            } else {
                println!("the presented frame differs from the offscreen one");
                ExitCode::FAILURE
            }
        }
        Some(Err(error)) => {
            println!("window test failed: {error}");
            ExitCode::FAILURE
        }
        None => {
            println!("the event loop never resumed");
            ExitCode::FAILURE
        }
    }
}
