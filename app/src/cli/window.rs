//! The game's window: winit and the wgpu renderer on the main thread, the keyboard, and the
//! match ticked at a fixed 60 Hz between redraws. Each redraw presents the game's `Scene` of
//! the world as it stands. The network keeps running on tokio's worker threads meanwhile.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trystero::PeerId;
use trystero::game::{GameEvent, Hud, Match, Rules, Scene, Sounds, World, pack_input};
use trystero_anim::{Action, Input};
use trystero_audio::AudioEngine;
use trystero_core::render::Renderer;
use trystero_render::{Settings, WgpuRenderer};
use winit::application::ApplicationHandler;
use winit::event::{ElementState, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{KeyCode, PhysicalKey};
use winit::window::{Window, WindowId};

use super::controls::Bindings;
use super::gamepad::Gamepads;

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
    /// fighter does not get them. By default Esc closes the window and every other key is the
    /// fighter's.
    fn key(&mut self, code: KeyCode, pressed: bool) -> KeyUse {
        if pressed && code == KeyCode::Escape {
            KeyUse::Quit
        } else {
            KeyUse::Passed
        }
    }
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
    /// The rules the world plays by.
    pub(crate) rules: &'a Rules,
    /// The world as drawn.
    pub(crate) world: &'a World,
    /// The events of recent frames as they stand (see `Match::timeline`).
    pub(crate) timeline: Vec<&'a GameEvent>,
    /// The frame every input below which is confirmed.
    pub(crate) confirmed: u32,
    /// The HUD's figures and lines.
    pub(crate) hud: Hud,
    /// Identifies the match: a new one gets a new camera, new effects and new sounds.
    pub(crate) key: u64,
}

impl<'a> View<'a> {
    /// A match's picture: the world as it ended once it is over.
    pub(crate) fn of_match(game: &'a Match<PeerId>, hud: Hud) -> Self {
        let world = game
            .end_world()
            .filter(|_| game.finished().is_some())
            .unwrap_or(game.world());
        Self {
            rules: game.rules(),
            world,
            timeline: game.timeline().collect(),
            confirmed: game.confirmed_frame(),
            hud,
            key: game.world().seed,
        }
    }
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

    fn view(&mut self) -> View<'_> {
        let hud = (self.hud)(self.game);
        View::of_match(self.game, hud)
    }

    fn screenshot(&mut self) -> Option<PathBuf> {
        self.screenshot.take()
    }
}

/// Runs the window until the stage is over or the window closes. Blocks the calling thread,
/// which must be the main thread. With `perf`, the performance monitor's figures of the whole
/// run are written there as JSON at the end.
pub(crate) fn run(stage: &mut dyn Stage, perf: Option<PathBuf>) -> Result<(), WindowError> {
    let event_loop =
        EventLoop::new().map_err(|error| WindowError::Unavailable(error.to_string()))?;
    let screenshot = stage.screenshot();
    let lockstep = screenshot.is_some();
    // A picture taken in lockstep needs no sound; otherwise the first output that opens.
    let audio = if lockstep {
        AudioEngine::silent(48_000)
    } else {
        let (audio, reason) = AudioEngine::open_or_silent(trystero_audio::Settings::default());
        if let Some(reason) = reason {
            eprintln!("trystero: no sound ({reason}): playing silent");
        }
        audio
    };
    let mut app = App {
        perf: perf.map(|path| (path, PerfLog::default())),
        adapter: String::new(),
        simulated_us: 0,
        sounds: None,
        audio,
        lockstep,
        screenshot,
        stage,
        window: None,
        renderer: None,
        scene: None,
        held: Vec::new(),
        before: Vec::new(),
        actions: Vec::new(),
        bindings: bindings(),
        pads: Gamepads::default(),
        choice: 0,
        help: false,
        perf_overlay: false,
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
    if let Some((path, log)) = &app.perf {
        let json = log.to_json(&app.adapter, SIZE);
        std::fs::write(path, json).map_err(|error| {
            WindowError::Unavailable(format!("saving {}: {error}", path.display()))
        })?;
    }
    match app.error {
        Some(error) => Err(WindowError::Unavailable(error)),
        None => Ok(()),
    }
}

struct App<'a> {
    stage: &'a mut dyn Stage,
    audio: AudioEngine,
    /// The sounds of the match on screen (its key as the scene's).
    sounds: Option<(u64, Sounds)>,
    screenshot: Option<PathBuf>,
    window: Option<Arc<Window>>,
    renderer: Option<WgpuRenderer>,
    /// The presenter, and the key of the match it presents.
    scene: Option<(u64, Scene)>,
    /// Keys of the keyboard held now.
    held: Vec<KeyCode>,
    /// The actions held at the last tick.
    before: Vec<Action>,
    /// Scratch for this tick's actions.
    actions: Vec<Action>,
    bindings: Bindings,
    pads: Gamepads,
    /// An upgrade pick pressed (1–3), sent once.
    choice: u8,
    /// One tick per redraw, each drawn as 1/60 s (for screenshots).
    lockstep: bool,
    /// F1: the controls.
    help: bool,
    /// F3: the performance monitor.
    perf_overlay: bool,
    /// `--perf FILE`: the whole run's figures, written at the end.
    perf: Option<(PathBuf, PerfLog)>,
    /// The renderer's adapter, for the figures.
    adapter: String,
    /// Time spent in the stage's steps since the last frame drawn (µs).
    simulated_us: u64,
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
        self.adapter = renderer.gpu().describe();
        self.renderer = Some(renderer);
        self.window = Some(window);
        Ok(())
    }

    /// The input of this tick: the actions of the keys and pads held now against those of
    /// the last tick.
    fn input(&mut self) -> u16 {
        let mut actions = std::mem::take(&mut self.actions);
        actions.clear();
        actions.extend(
            self.held
                .iter()
                .filter_map(|key| self.bindings.action(*key)),
        );
        self.pads.poll().actions(&mut actions);
        let input = Input::from_actions(&actions, &self.before);
        self.actions = std::mem::replace(&mut self.before, actions);
        pack_input(input, std::mem::take(&mut self.choice))
    }

    /// Ticks the stage as far as the clock says (at most 4 at once, so a stall never turns
    /// into a burst).
    fn advance(&mut self) {
        if self.lockstep {
            if !self.over {
                let input = self.input();
                self.over = self.timed_step(input);
                self.ticks += 1;
            }
            return;
        }
        let due = self.started.elapsed().as_micros() / STEP.as_micros();
        let due = u64::try_from(due).unwrap_or(u64::MAX);
        let mut steps = 0;
        while self.ticks < due && steps < 4 && !self.over {
            let input = self.input();
            self.over = self.timed_step(input);
            self.ticks += 1;
            steps += 1;
        }
        if self.ticks < due {
            // Fell behind: drop the backlog rather than run faster than real time.
            self.ticks = due;
        }
    }

    /// One step of the stage, its time counted as simulation.
    fn timed_step(&mut self, input: u16) -> bool {
        let started = Instant::now();
        let over = self.stage.step(input);
        self.simulated_us += u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        over
    }

    fn draw(&mut self) -> Result<(), String> {
        let Some(renderer) = self.renderer.as_mut() else {
            return Ok(());
        };
        let presenting = Instant::now();
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
            rules,
            world,
            timeline,
            confirmed,
            mut hud,
            key,
        } = self.stage.view();
        if self.help {
            hud.overlay
                .extend(HELP.iter().map(|line| (*line).to_owned()));
            hud.overlay.push(format!("GAMEPADS: {}", self.pads.count()));
        }
        if self.perf_overlay {
            hud.overlay
                .extend(performance(&self.frame_times, self.draw_calls));
        }
        let scene = match &mut self.scene {
            Some((shown, scene)) if *shown == key => scene,
            slot => {
                let seed = u32::try_from(world.seed & 0xFFFF_FFFF).unwrap_or(0);
                let size = (self.window.as_ref()).map_or(SIZE.into(), |window| window.inner_size());
                &mut slot
                    .insert((key, Scene::new(rules, size.width, size.height, seed)))
                    .1
            }
        };
        let frame = scene.frame(
            &*renderer,
            world,
            timeline.iter().copied(),
            confirmed,
            &hud,
            dt,
        );
        let sounds = match &mut self.sounds {
            Some((heard, sounds)) if *heard == key => sounds,
            slot => {
                if let Some((_, old)) = slot.as_mut() {
                    old.silence(&mut self.audio);
                }
                &mut slot.insert((key, Sounds::new(&self.audio))).1
            }
        };
        sounds.reconcile(&mut self.audio, timeline.iter().copied(), world, confirmed);
        sounds.listen(&mut self.audio, world, hud.seat);
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
        let prepared = presenting.elapsed();
        let stats = renderer.render(&frame).map_err(|error| error.to_string())?;
        self.draw_calls = stats.draw_calls;
        if let Some((_, log)) = &mut self.perf {
            let us = |d: Duration| u32::try_from(d.as_micros()).unwrap_or(u32::MAX);
            log.frames.push(us(elapsed));
            log.prepare.push(us(prepared));
            log.render
                .push(us(presenting.elapsed()).saturating_sub(us(prepared)));
            log.simulation
                .push(u32::try_from(self.simulated_us).unwrap_or(u32::MAX));
            log.draw_calls.push(stats.draw_calls);
        }
        self.simulated_us = 0;
        if let (Some(path), Some(image)) = (shot, renderer.take_capture()) {
            let png = image.to_png().map_err(|error| error.to_string())?;
            std::fs::write(&path, png)
                .map_err(|error| format!("saving {}: {error}", path.display()))?;
        }
        Ok(())
    }
}

/// The F1 overlay.
const HELP: [&str; 9] = [
    "MOVE: WASD OR ARROWS",
    "ATTACK: SPACE OR J   HEAVY: E OR I",
    "SPECIAL: Q OR U (10 S COOLDOWN)",
    "BLOCK: SHIFT OR K (RAISE IT JUST IN TIME TO PARRY)",
    "ROLL: CTRL OR L",
    "UPGRADES BETWEEN WAVES: 1 2 3",
    "PAD: STICK MOVES, A ATTACK, X HEAVY, Y SPECIAL, B ROLL",
    "     SHOULDERS BLOCK   (REBIND KEYS IN KEYS.JSON)",
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

/// The performance monitor's record of a whole run (`--perf FILE`), per frame drawn: the time
/// since the previous frame, the CPU time of the simulation steps it covers, of building the
/// frame (the scene and the sound reconciliation), and of the renderer's submission and
/// present (on lavapipe the GPU's work runs on the CPU inside it).
#[derive(Debug, Default)]
struct PerfLog {
    frames: trystero::game::Samples,
    simulation: trystero::game::Samples,
    prepare: trystero::game::Samples,
    render: trystero::game::Samples,
    draw_calls: trystero::game::Samples,
}

impl PerfLog {
    fn to_json(&self, adapter: &str, size: (u32, u32)) -> String {
        let ms = |us: u32| f64::from(us) / 1_000.0;
        let series = |samples: &trystero::game::Samples| {
            serde_json::json!({
                "p50": ms(samples.percentile(500)),
                "p90": ms(samples.percentile(900)),
                "p99": ms(samples.percentile(990)),
                "max": ms(samples.percentile(1000)),
                "mean": samples.mean() / 1_000.0,
            })
        };
        let frames = self.frames.len();
        let seconds = self.frames.sum() / 1_000_000.0;
        let fps = |us: u32| {
            if us == 0 {
                0.0
            } else {
                1_000_000.0 / f64::from(us)
            }
        };
        serde_json::to_string_pretty(&serde_json::json!({
            "adapter": adapter,
            "width": size.0,
            "height": size.1,
            "frames": frames,
            "seconds": seconds,
            "fps_mean": if seconds > 0.0 { frames as f64 / seconds } else { 0.0 },
            "fps_1_percent_low": fps(self.frames.percentile(990)),
            "hitches_over_33ms": self.frames.count_over(33_333),
            "frame_ms": series(&self.frames),
            "cpu_ms_per_frame": {
                "simulation": series(&self.simulation),
                "scene_and_audio": series(&self.prepare),
                "render_and_present": series(&self.render),
            },
            "draw_calls_p50": self.draw_calls.percentile(500),
        }))
        .unwrap_or_default()
    }
}

/// The keyboard's bindings: `keys.json` in the config folder, else the defaults (a broken file
/// is named in one line and the defaults used).
fn bindings() -> Bindings {
    let Some(path) = Bindings::path() else {
        return Bindings::default();
    };
    Bindings::load(&path).unwrap_or_else(|error| {
        eprintln!("trystero: {error}: using the default keys");
        Bindings::default()
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
                if !pressed {
                    // A release always counts, whoever takes the key now (a key held into a
                    // menu and let go there must not stay held in the next match).
                    self.held.retain(|held| *held != code);
                }
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
        // The pads' menu buttons, as keys the stage may take (a match ignores them).
        for code in self.pads.poll().take_presses() {
            if self.stage.key(code, true) == KeyUse::Quit {
                event_loop.exit();
            }
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
            (KeyCode::F3, true) => self.perf_overlay = !self.perf_overlay,
            (KeyCode::Digit1, true) => self.choice = 1,
            (KeyCode::Digit2, true) => self.choice = 2,
            (KeyCode::Digit3, true) => self.choice = 3,
            _ => {
                if pressed {
                    if !self.held.contains(&code) {
                        self.held.push(code);
                    }
                } else {
                    self.held.retain(|held| *held != code);
                }
            }
        }
    }
}
