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

/// What the window shows and drives: a match, or the title screen's menus around one.
pub(crate) trait Stage {
    /// One 60 Hz step, `keys` the fighter's input from the keyboard (held keys against the
    /// last step's, and an upgrade pick). Returns whether the stage is over (the window closes,
    /// after a screenshot if one was asked for).
    fn step(&mut self, keys: u16) -> bool;
    /// A key pressed or released: [`Taken`](KeyUse::Taken) for a menu's own keys, so the
    /// fighter does not get them.
    fn key(&mut self, code: KeyCode, pressed: bool) -> KeyUse;
    /// The match to draw and its HUD.
    fn view(&mut self) -> View<'_>;
    /// Save a screenshot here when the stage is over (then run in lockstep: one step, one
    /// frame of 1/60 s each, however long they take, so the same seed gives the same picture).
    fn screenshot(&mut self) -> Option<PathBuf> {
        None
    }
    /// Save the next frame drawn here (asked for while running, e.g. by a script).
    fn capture(&mut self) -> Option<PathBuf> {
        None
    }
    /// Called when the window closes, whatever the reason.
    fn closing(&mut self) {}
}

/// What a key did on a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUse {
    /// The stage took it (the fighter does not see it).
    Taken,
    /// The fighter's key, or nothing.
    Passed,
    /// Close the window.
    Quit,
}

/// The picture of one frame.
pub(crate) struct View<'a> {
    /// The match.
    pub(crate) game: &'a Match<PeerId>,
    /// Draw the world as it ended (the match is over).
    pub(crate) ended: bool,
    /// The HUD's figures and lines.
    pub(crate) hud: Hud,
    /// Identifies the match: a new one gets a new camera and new effects.
    pub(crate) key: u64,
}

/// A match in the window (`trystero game`): what the window needs from the match loop.
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

impl Stage for Playing<'_> {
    fn step(&mut self, keys: u16) -> bool {
        let input = match self.bot.as_mut() {
            Some(bot) => bot.input(self.game.world(), self.game.rules()),
            None => keys,
        };
        (self.tick)(self.game, input)
    }

    fn key(&mut self, code: KeyCode, pressed: bool) -> KeyUse {
        if pressed && code == KeyCode::Escape {
            KeyUse::Quit
        } else {
            KeyUse::Passed
        }
    }

    fn view(&mut self) -> View<'_> {
        let hud = (self.hud)(self.game);
        View {
            game: self.game,
            ended: self.game.finished().is_some(),
            hud,
            key: self.game.world().seed,
        }
    }

    fn screenshot(&mut self) -> Option<PathBuf> {
        self.screenshot.take()
    }
}

/// Runs the window until the stage is over or the window closes. Blocks the calling thread,
/// which must be the main thread.
pub(crate) fn run(stage: &mut dyn Stage) -> Result<(), WindowError> {
    let event_loop =
        EventLoop::new().map_err(|error| WindowError::Unavailable(error.to_string()))?;
    let screenshot = stage.screenshot();
    let mut app = App {
        lockstep: screenshot.is_some(),
        screenshot,
        stage,
        window: None,
        renderer: None,
        scene: None,
        held: BTreeSet::new(),
        before: Vec::new(),
        choice: 0,
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
    let outcome = event_loop
        .run_app(&mut app)
        .map_err(|error| WindowError::Unavailable(error.to_string()));
    app.stage.closing();
    outcome?;
    match app.error {
        Some(error) => Err(WindowError::Unavailable(error)),
        None => Ok(()),
    }
}

struct App<'a> {
    stage: &'a mut dyn Stage,
    screenshot: Option<PathBuf>,
    window: Option<Arc<Window>>,
    renderer: Option<WgpuRenderer>,
    /// The presenter, and the key of the match it presents.
    scene: Option<(u64, Scene)>,
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
        self.renderer = Some(renderer);
        self.window = Some(window);
        Ok(())
    }

    /// The keyboard's input of this tick: the keys held now against those of the last tick.
    fn input(&mut self) -> u16 {
        let held: Vec<Key> = self.held.iter().copied().collect();
        let input = Input::from_keys(&held, &self.before);
        self.before = held;
        pack_input(input, std::mem::take(&mut self.choice))
    }

    /// Ticks the stage as far as the clock says (at most 4 at once, so a stall never turns
    /// into a burst).
    fn advance(&mut self) {
        if self.lockstep {
            if !self.over {
                let input = self.input();
                self.over = self.stage.step(input);
                self.ticks += 1;
            }
            return;
        }
        let due = self.started.elapsed().as_micros() / STEP.as_micros();
        let due = u64::try_from(due).unwrap_or(u64::MAX);
        let mut steps = 0;
        while self.ticks < due && steps < 4 && !self.over {
            let input = self.input();
            self.over = self.stage.step(input);
            self.ticks += 1;
            steps += 1;
        }
        if self.ticks < due {
            // Fell behind: drop the backlog rather than run faster than real time.
            self.ticks = due;
        }
    }

    fn draw(&mut self) -> Result<(), String> {
        let Some(renderer) = self.renderer.as_mut() else {
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
        let View {
            game,
            ended,
            mut hud,
            key,
        } = self.stage.view();
        if self.help {
            hud.overlay
                .extend(HELP.iter().map(|line| (*line).to_owned()));
        }
        if self.perf {
            hud.overlay
                .extend(performance(&self.frame_times, self.draw_calls));
        }
        let scene = match &mut self.scene {
            Some((shown, scene)) if *shown == key => scene,
            slot => {
                let seed = u32::try_from(game.world().seed & 0xFFFF_FFFF).unwrap_or(0);
                let size = (self.window.as_ref()).map_or(SIZE.into(), |window| window.inner_size());
                &mut slot
                    .insert((key, Scene::new(game.rules(), size.width, size.height, seed)))
                    .1
            }
        };
        let frame = scene.frame(
            &*renderer,
            game.end_world().filter(|_| ended).unwrap_or(game.world()),
            game.timeline(),
            game.confirmed_frame(),
            &hud,
            dt,
        );
        let shot = if self.over && self.screenshot.is_some() {
            self.screenshot.take()
        } else {
            self.stage.capture()
        };
        if shot.is_some() {
            renderer
                .capture_next_frame()
                .map_err(|error| error.to_string())?;
        }
        let stats = renderer.render(&frame).map_err(|error| error.to_string())?;
        self.draw_calls = stats.draw_calls;
        if let (Some(path), Some(image)) = (shot, renderer.take_capture()) {
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
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::KeyboardInput { event, .. } => {
                let PhysicalKey::Code(code) = event.physical_key else {
                    return;
                };
                let pressed = event.state == ElementState::Pressed;
                match self.stage.key(code, pressed) {
                    KeyUse::Quit => event_loop.exit(),
                    KeyUse::Taken => {}
                    KeyUse::Passed => self.game_key(code, pressed),
                }
            }
            WindowEvent::RedrawRequested => {
                if let Err(error) = self.draw() {
                    self.error = Some(error);
                    event_loop.exit();
                    return;
                }
                if self.over && self.screenshot.is_none() {
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

impl App<'_> {
    /// A key the stage passed on: the overlays, the upgrade picks, the fighter's keys.
    fn game_key(&mut self, code: KeyCode, pressed: bool) {
        match (code, pressed) {
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
}
