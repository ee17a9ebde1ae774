//! The game's window: winit and the wgpu renderer on the main thread, the keyboard, and the
//! match ticked at a fixed 60 Hz between redraws. Each redraw presents the game's `Scene` of
//! the world as it stands. The network keeps running on tokio's worker threads meanwhile.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trystero::PeerId;
use trystero::game::{Hud, Match, Scene, pack_input};
use trystero_anim::{Input, Key};
use trystero_core::render::Renderer;
use trystero_render::{Settings, WgpuRenderer};
use winit::application::ApplicationHandler;
use winit::event::{ElementState, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{KeyCode, PhysicalKey};
use winit::window::{Window, WindowId};

/// The window's size.
const SIZE: (u32, u32) = (960, 540);
/// One simulation step.
const STEP: Duration = Duration::from_micros(16_667);

/// What the window needs from the match loop, and gives back.
pub(crate) struct Playing<'a> {
    pub(crate) game: &'a mut Match<PeerId>,
    /// Ticks the match once with this input; returns whether it is over (end settled, or
    /// lingered long enough).
    pub(crate) tick: &'a mut dyn FnMut(&mut Match<PeerId>, u16) -> bool,
    /// The bot playing our seat, if any (it overrides the keyboard).
    pub(crate) bot: Option<&'a mut trystero::game::Bot>,
    /// The HUD's network figures, refreshed by the loop.
    pub(crate) hud: &'a mut dyn FnMut(&Match<PeerId>) -> Hud,
    /// Save a screenshot here at the end, then close. The match then runs in lockstep with
    /// the redraws (one tick, one frame of 1/60 s each, however long they take), so the same
    /// seed gives the same picture.
    pub(crate) screenshot: Option<PathBuf>,
}

/// Why the window could not run (the caller plays headless instead).
#[derive(Debug, thiserror::Error)]
pub(crate) enum WindowError {
    /// No display, or the window or its renderer could not be made.
    #[error("{0}")]
    Unavailable(String),
}

/// Whether a display is there to open a window on.
pub(crate) fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Runs the window until the match is over or the window closes. Blocks the calling thread,
/// which must be the main thread.
pub(crate) fn run(playing: Playing<'_>) -> Result<(), WindowError> {
    let event_loop =
        EventLoop::new().map_err(|error| WindowError::Unavailable(error.to_string()))?;
    let mut app = App {
        playing,
        window: None,
        renderer: None,
        scene: None,
        held: BTreeSet::new(),
        before: Vec::new(),
        choice: 0,
        lockstep: false,
        help: false,
        perf: false,
        frame_times: trystero::game::Samples::new(600),
        draw_calls: 0,
        started: Instant::now(),
        ticks: 0,
        over: false,
        error: None,
        last_frame: Instant::now(),
    };
    event_loop
        .run_app(&mut app)
        .map_err(|error| WindowError::Unavailable(error.to_string()))?;
    match app.error {
        Some(error) => Err(WindowError::Unavailable(error)),
        None => Ok(()),
    }
}

struct App<'a> {
    playing: Playing<'a>,
    window: Option<Arc<Window>>,
    renderer: Option<WgpuRenderer>,
    scene: Option<Scene>,
    held: BTreeSet<Key>,
    before: Vec<Key>,
    /// An upgrade pick pressed (1–3), sent once.
    choice: u8,
    /// One tick per redraw, each drawn as 1/60 s (for screenshots).
    lockstep: bool,
    /// F1: the controls.
    help: bool,
    /// F3: the performance monitor.
    perf: bool,
    /// The last 600 frames' times (µs, between redraws).
    frame_times: trystero::game::Samples,
    /// Draw calls of the last frame.
    draw_calls: u32,
    started: Instant,
    ticks: u64,
    over: bool,
    error: Option<String>,
    last_frame: Instant,
}

impl App<'_> {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<(), String> {
        let attributes = Window::default_attributes()
            .with_title("trystero — wolves")
            .with_inner_size(winit::dpi::PhysicalSize::new(SIZE.0, SIZE.1))
            .with_resizable(false);
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|error| format!("no window: {error}"))?,
        );
        let size = window.inner_size();
        let settings = Settings {
            width: size.width.max(1),
            height: size.height.max(1),
            ..Settings::default()
        };
        let renderer = WgpuRenderer::for_window(Arc::clone(&window), settings)
            .map_err(|error| format!("no renderer: {error}"))?;
        let game = &self.playing.game;
        let seed = u32::try_from(game.world().seed & 0xFFFF_FFFF).unwrap_or(0);
        self.scene = Some(Scene::new(game.rules(), size.width, size.height, seed));
        self.renderer = Some(renderer);
        self.window = Some(window);
        Ok(())
    }

    /// The input of this tick: the bot's, or the keys held now against those of the last tick.
    fn input(&mut self) -> u16 {
        if let Some(bot) = self.playing.bot.as_mut() {
            return bot.input(self.playing.game.world(), self.playing.game.rules());
        }
        let held: Vec<Key> = self.held.iter().copied().collect();
        let input = Input::from_keys(&held, &self.before);
        self.before = held;
        pack_input(input, std::mem::take(&mut self.choice))
    }

    /// Ticks the match as far as the clock says (at most 4 at once, so a stall never turns
    /// into a burst).
    fn advance(&mut self) {
        if self.lockstep {
            if !self.over {
                let input = self.input();
                self.over = (self.playing.tick)(self.playing.game, input);
                self.ticks += 1;
            }
            return;
        }
        let due = self.started.elapsed().as_micros() / STEP.as_micros();
        let due = u64::try_from(due).unwrap_or(u64::MAX);
        let mut steps = 0;
        while self.ticks < due && steps < 4 && !self.over {
            let input = self.input();
            self.over = (self.playing.tick)(self.playing.game, input);
            self.ticks += 1;
            steps += 1;
        }
        if self.ticks < due {
            // Fell behind: drop the backlog rather than run faster than real time.
            self.ticks = due;
        }
    }

    fn draw(&mut self) -> Result<(), String> {
        let (Some(renderer), Some(scene)) = (self.renderer.as_mut(), self.scene.as_mut()) else {
            return Ok(());
        };
        let elapsed = self.last_frame.elapsed();
        self.frame_times
            .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
        let dt = if self.lockstep {
            STEP.as_secs_f32()
        } else {
            elapsed.as_secs_f32().min(0.1)
        };
        self.last_frame = Instant::now();
        let game = &*self.playing.game;
        let mut hud = (self.playing.hud)(game);
        if self.help {
            hud.overlay
                .extend(HELP.iter().map(|line| (*line).to_owned()));
        }
        if self.perf {
            hud.overlay
                .extend(performance(&self.frame_times, self.draw_calls));
        }
        let frame = scene.frame(
            &*renderer,
            game.end_world()
                .filter(|_| self.over)
                .unwrap_or(game.world()),
            game.timeline(),
            game.confirmed_frame(),
            &hud,
            dt,
        );
        let shot = self.over && self.playing.screenshot.is_some();
        if shot {
            renderer
                .capture_next_frame()
                .map_err(|error| error.to_string())?;
        }
        let stats = renderer.render(&frame).map_err(|error| error.to_string())?;
        self.draw_calls = stats.draw_calls;
        if shot
            && let (Some(path), Some(image)) =
                (self.playing.screenshot.take(), renderer.take_capture())
        {
            let png = image.to_png().map_err(|error| error.to_string())?;
            std::fs::write(&path, png)
                .map_err(|error| format!("saving {}: {error}", path.display()))?;
        }
        Ok(())
    }
}

/// The F1 overlay.
const HELP: [&str; 7] = [
    "MOVE: WASD OR ARROWS",
    "ATTACK: SPACE OR J   HEAVY: E OR I",
    "SPECIAL: Q OR U (10 S COOLDOWN)",
    "BLOCK: SHIFT OR K (RAISE IT JUST IN TIME TO PARRY)",
    "ROLL: CTRL OR L",
    "UPGRADES BETWEEN WAVES: 1 2 3",
    "F1 HELP   F3 PERFORMANCE   ESC QUIT",
];

/// The F3 overlay: frame rate, frame time p50/p99, the 1 % low, hitches, draw calls.
fn performance(times: &trystero::game::Samples, draw_calls: u32) -> Vec<String> {
    let ms = |us: u32| f64::from(us) / 1_000.0;
    let fps = |us: u32| {
        if us == 0 {
            0.0
        } else {
            1_000_000.0 / f64::from(us)
        }
    };
    let (p50, p99) = (times.percentile(500), times.percentile(990));
    vec![
        format!("FPS {:.0}   1% LOW {:.0}", fps(p50), fps(p99)),
        format!("FRAME P50 {:.1} MS   P99 {:.1} MS", ms(p50), ms(p99)),
        format!("HITCHES (OVER 33 MS) {}", times.count_over(33_333)),
        format!("DRAW CALLS {draw_calls}"),
    ]
}

/// The game's keys (the anim crate's bindings).
fn key(code: KeyCode) -> Option<Key> {
    Some(match code {
        KeyCode::KeyW => Key::W,
        KeyCode::KeyA => Key::A,
        KeyCode::KeyS => Key::S,
        KeyCode::KeyD => Key::D,
        KeyCode::ArrowUp => Key::Up,
        KeyCode::ArrowLeft => Key::Left,
        KeyCode::ArrowDown => Key::Down,
        KeyCode::ArrowRight => Key::Right,
        KeyCode::Space => Key::Space,
        KeyCode::KeyJ => Key::J,
        KeyCode::ShiftLeft | KeyCode::ShiftRight => Key::Shift,
        KeyCode::KeyK => Key::K,
        KeyCode::ControlLeft | KeyCode::ControlRight => Key::Ctrl,
        KeyCode::KeyL => Key::L,
        KeyCode::KeyE => Key::E,
        KeyCode::KeyI => Key::I,
        KeyCode::KeyQ => Key::Q,
        KeyCode::KeyU => Key::U,
        _ => return None,
    })
}

impl ApplicationHandler for App<'_> {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_some() || self.error.is_some() {
            return;
        }
        if let Err(error) = self.open(event_loop) {
            self.error = Some(error);
            event_loop.exit();
            return;
        }
        self.started = Instant::now();
        self.lockstep = self.playing.screenshot.is_some();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::KeyboardInput { event, .. } => {
                let PhysicalKey::Code(code) = event.physical_key else {
                    return;
                };
                let pressed = event.state == ElementState::Pressed;
                match (code, pressed) {
                    (KeyCode::Escape, true) => event_loop.exit(),
                    (KeyCode::F1, true) => self.help = !self.help,
                    (KeyCode::F3, true) => self.perf = !self.perf,
                    (KeyCode::Digit1, true) => self.choice = 1,
                    (KeyCode::Digit2, true) => self.choice = 2,
                    (KeyCode::Digit3, true) => self.choice = 3,
                    _ => {
                        if let Some(key) = key(code) {
                            if pressed {
                                self.held.insert(key);
                            } else {
                                self.held.remove(&key);
                            }
                        }
                    }
                }
            }
            WindowEvent::RedrawRequested => {
                if let Err(error) = self.draw() {
                    self.error = Some(error);
                    event_loop.exit();
                    return;
                }
                if self.over && self.playing.screenshot.is_none() {
                    event_loop.exit();
                }
            }
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_none() {
            return;
        }
        self.advance();
        if let Some(window) = &self.window {
            window.request_redraw();
        }
        if self.lockstep {
            event_loop.set_control_flow(ControlFlow::Poll);
        } else {
            let next = self.started + STEP * u32::try_from(self.ticks + 1).unwrap_or(u32::MAX);
            event_loop.set_control_flow(ControlFlow::WaitUntil(next));
        }
    }
}
