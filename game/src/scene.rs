//! What the world looks like: a [`Scene`] turns the world, the timeline's events and a few
//! network figures into one `core::render::Frame` for whatever renderer the app runs (the wgpu
//! one, or the recording adapter in tests). Pure: no GPU, no clock — the caller passes the
//! frame time.
//!
//! - The arena: grass, the seed's rocks (which shadow the torch lights beside them), trees on
//!   the edges.
//! - Fighters in all seven states (idle, the two run frames, attack, block, roll; hurt tinted
//!   red; dead lying down and grey); wolves running, lunging while they strike, the great Alpha
//!   larger.
//! - Particles on hits (blood), blocks and parries (sparks), rolls (dust) and deaths (an
//!   explosion of dust), spawned once per event key (a rollback re-simulating it spawns none).
//! - The camera follows the local fighter (or the middle of the living), shakes on impacts and
//!   zooms out as the players spread; a day–night cycle runs through the ambient light and the
//!   grading; bloom and FXAA.
//! - The HUD: each player's health and stamina bars (the local one large), a pip per wave
//!   reached, a pip per ten kills, each peer's ping and rollback depth as bars, and a red
//!   banner on a desync.

use std::collections::BTreeSet;

use trystero_anim::State;
use trystero_core::render::{
    CameraRig, Color, FONT, Frame, Grading, ImageId, Layer, Light, Renderer, Sprite,
};

use crate::event::{Entity, EventKind, GameEvent};
use crate::rules::{PX, Rules, WaveKind};
use crate::world::World;

/// Frames in one day–night cycle (three minutes).
pub const DAY: u32 = 3 * 60 * 60;

/// The network and match figures the HUD shows, from the app.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hud {
    /// The local seat, if a person plays one.
    pub seat: Option<usize>,
    /// Each remote seat's round trip (ms).
    pub pings: Vec<(usize, u32)>,
    /// The deepest rollback lately (frames).
    pub rollback: usize,
    /// A desync was found.
    pub desync: bool,
    /// Lines of an overlay (the help, the performance monitor), drawn in a panel.
    pub overlay: Vec<String>,
    /// A title in large letters above the overlay (the title screen, the results). With a
    /// title the match's own HUD (bars, wave, pings) is hidden: the world is a backdrop.
    pub title: Option<String>,
}

/// The presenter: the camera and which event keys already spawned their particles.
#[derive(Debug, Clone)]
pub struct Scene {
    rig: CameraRig,
    /// (kind, frame, entity, other) of events whose effects were spawned.
    spawned: BTreeSet<(EventKind, u32, Entity, Option<Entity>)>,
    width: f32,
    height: f32,
    /// The arena's size in pixels.
    arena: [f32; 2],
    /// The rules' rocks.
    obstacles: Vec<trystero_ai::Obstacle>,
}

/// World units to pixels.
#[allow(clippy::cast_precision_loss)] // arena coordinates fit f32 exactly after the division
fn px(units: i32) -> f32 {
    units as f32 / PX as f32
}

impl Scene {
    /// A presenter for a `width` × `height` pixel output, its camera shake seeded by `seed`.
    pub fn new(rules: &Rules, width: u32, height: u32, seed: u32) -> Self {
        let arena = rules.arena();
        #[allow(clippy::cast_precision_loss)]
        let (width, height) = (width as f32, height as f32);
        Self {
            rig: CameraRig::new([px(arena.x) / 2.0, px(arena.y) / 2.0], seed),
            spawned: BTreeSet::new(),
            width,
            height,
            arena: [px(arena.x), px(arena.y)],
            obstacles: rules.obstacles.clone(),
        }
    }

    /// The frame to draw now, of `world` under the rules the scene was made with: `timeline`
    /// and `confirmed` as for `Sounds::reconcile`, `dt` the seconds since the last frame drawn.
    pub fn frame<'a>(
        &mut self,
        renderer: &impl Renderer,
        world: &World,
        timeline: impl IntoIterator<Item = &'a GameEvent>,
        confirmed: u32,
        hud: &Hud,
        dt: f32,
    ) -> Frame {
        let id = |name: &str| renderer.image(name).unwrap_or(ImageId::WHITE);
        let mut out = Frame {
            clear: Color::rgb(0.02, 0.03, 0.02),
            dt,
            ..Frame::default()
        };
        self.arena(&mut out, world.frame, &id);
        self.fighters(&mut out, world, id("player"));
        wolves(&mut out, world, id("wolf"));
        self.effects(&mut out, world, timeline, confirmed);
        self.camera(&mut out, world, hud.seat, dt);
        daylight(&mut out, world.frame, world.kind);
        if hud.title.is_none() {
            self.hud(&mut out, world, hud, id("heart"));
            self.words(&mut out, world, hud, id(FONT));
        }
        self.panel(&mut out, hud, id(FONT));
        out
    }

    fn arena(&self, out: &mut Frame, frame: u32, id: &impl Fn(&str) -> ImageId) {
        let [width, height] = self.arena;
        let grass = id("grass");
        let mut y = 16.0;
        while y < height + 32.0 {
            let mut x = 16.0;
            while x < width + 32.0 {
                out.draw(Sprite::new(Layer::Background, grass, x, y, 32.0, 32.0));
                x += 32.0;
            }
            y += 32.0;
        }
        let (rock, torch, glow, tree) = (id("rock"), id("torch"), id("glow"), id("tree"));
        #[allow(clippy::cast_precision_loss)] // small counts
        for (index, obstacle) in self.obstacles.iter().enumerate() {
            let (x, y, r) = (px(obstacle.at.x), px(obstacle.at.y), px(obstacle.radius));
            let mut sprite = Sprite::new(Layer::Game, rock, x, y, r * 2.0, r * 2.0);
            sprite.z = y;
            out.draw(sprite);
            out.occlude_box(x - r * 0.8, y - r * 0.6, x + r * 0.8, y + r * 0.7);
            // A torch beside each rock: the rock shadows its light on the far side.
            let (tx, ty) = (x + r + 18.0, y - r * 0.3);
            let mut post = Sprite::new(Layer::Game, torch, tx, ty, 10.0, 20.0);
            post.z = ty;
            out.draw(post);
            let flicker = 1.0 + 0.08 * ((frame as f32 * 0.37 + index as f32 * 1.7).sin());
            out.add_lighting(Light {
                x: tx,
                y: ty - 8.0,
                radius: 220.0,
                color: Color::rgb(1.5 * flicker, 1.0 * flicker, 0.55 * flicker),
                shadows: true,
            });
            let mut halo = Sprite::new(Layer::Effects, glow, tx, ty - 8.0, 26.0, 26.0);
            halo.tint = Color::rgba(2.0, 1.4, 0.6, 0.7);
            out.draw(halo);
        }
        // Trees along the top and bottom edges.
        let mut x = 40.0;
        let mut flip = false;
        while x < width {
            for y in [24.0, height - 8.0] {
                let mut sprite = Sprite::new(Layer::Game, tree, x, y, 48.0, 64.0);
                sprite.z = y;
                sprite.flip = flip;
                out.draw(sprite);
                flip = !flip;
            }
            x += 150.0;
        }
    }

    fn fighters(&self, out: &mut Frame, world: &World, image: ImageId) {
        for (seat, player) in world.players.iter().enumerate() {
            if !player.present {
                continue;
            }
            let fighter = player.fighter;
            let (x, y) = (px(fighter.x), px(fighter.y));
            let mut sprite = Sprite::new(Layer::Game, image, x, y, 40.0, 40.0);
            sprite.z = y;
            sprite.flip = fighter.facing < 0;
            sprite.tint = seat_colour(seat);
            sprite.frame = match fighter.state {
                State::Idle | State::Hurt | State::Death => 0,
                State::Running => 1 + u32::from(fighter.frame / 8 % 2),
                State::Attack => 3,
                State::Block => 4,
                State::Roll => 5,
            };
            match fighter.state {
                State::Hurt => sprite.tint = Color::rgb(1.8, 0.4, 0.4),
                State::Death => {
                    sprite.rotation = std::f32::consts::FRAC_PI_2;
                    sprite.tint = Color::rgb(0.45, 0.45, 0.45);
                }
                _ => {}
            }
            out.draw(sprite);
        }
    }

    fn effects<'a>(
        &mut self,
        out: &mut Frame,
        world: &World,
        timeline: impl IntoIterator<Item = &'a GameEvent>,
        confirmed: u32,
    ) {
        for event in timeline {
            let effect = match event.kind {
                EventKind::Hit => "blood",
                EventKind::Blocked | EventKind::Parried => "sparks",
                EventKind::Rolled => "dust",
                EventKind::Died => "explosion",
                _ => continue,
            };
            // Only recent ones, and each key once.
            if event.frame + 10 < world.frame || !self.spawned.insert(event.key()) {
                continue;
            }
            let target = event.other.unwrap_or(event.entity);
            if let Some((x, y)) = position(world, target) {
                let _ = out.add_particle_effect(effect, x, y);
            }
            let impact = match event.kind {
                EventKind::Died => 0.5,
                EventKind::Hit | EventKind::Parried => 0.25,
                _ => 0.0,
            };
            if impact > 0.0 {
                self.rig.shake(impact, 0.35);
            }
        }
        let oldest = confirmed.saturating_sub(crate::play::TIMELINE_FRAMES + 20);
        self.spawned.retain(|key| key.1 >= oldest);
    }

    fn camera(&mut self, out: &mut Frame, world: &World, seat: Option<usize>, dt: f32) {
        let living: Vec<(f32, f32)> = world
            .players
            .iter()
            .filter(|p| p.alive())
            .map(|p| (px(p.fighter.x), px(p.fighter.y)))
            .collect();
        let local = seat
            .and_then(|seat| world.players.get(seat))
            .filter(|p| p.alive())
            .map(|p| (px(p.fighter.x), px(p.fighter.y)));
        #[allow(clippy::cast_precision_loss)]
        let middle = (!living.is_empty()).then(|| {
            let count = living.len() as f32;
            (
                living.iter().map(|p| p.0).sum::<f32>() / count,
                living.iter().map(|p| p.1).sum::<f32>() / count,
            )
        });
        if let Some((x, y)) = local.or(middle) {
            self.rig.follow([x, y], dt);
        }
        // Zoom out until every living player fits, with a margin; never closer than 1.
        let spread = living.iter().fold((0.0f32, 0.0f32), |(w, h), p| {
            let centre = self.rig.centre;
            (
                w.max((p.0 - centre[0]).abs()),
                h.max((p.1 - centre[1]).abs()),
            )
        });
        let fit =
            (self.width / (2.0 * spread.0 + 240.0)).min(self.height / (2.0 * spread.1 + 200.0));
        self.rig.target_zoom = fit.clamp(0.5, 1.0);
        // Keep the view on the arena (centred on it where the arena is the smaller).
        let zoom = self.rig.zoom.max(0.1);
        let (half_w, half_h) = (self.width / zoom / 2.0, self.height / zoom / 2.0);
        let keep = |centre: f32, half: f32, size: f32| {
            if size <= 2.0 * half {
                size / 2.0
            } else {
                centre.clamp(half, size - half)
            }
        };
        self.rig.centre = [
            keep(self.rig.centre[0], half_w, self.arena[0]),
            keep(self.rig.centre[1], half_h, self.arena[1]),
        ];
        self.rig.update(dt);
        out.view = self.rig.view();
    }

    fn hud(&self, out: &mut Frame, world: &World, hud: &Hud, heart: ImageId) {
        let rules_health = |p: &crate::world::PlayerState| p.fighter.health.max(0);
        #[allow(clippy::cast_precision_loss)]
        for (seat, player) in world.players.iter().enumerate() {
            let local = hud.seat == Some(seat);
            let (x, y, width) = if local {
                (20.0, 20.0, 220.0)
            } else {
                (self.width - 150.0, 18.0 + seat as f32 * 22.0, 120.0)
            };
            let health = rules_health(player) as f32 / 100.0;
            let stamina = player.fighter.stamina.max(0) as f32 / 1_000.0;
            bar(
                out,
                x,
                y,
                width,
                10.0,
                health.min(1.5),
                Color::rgba(0.85, 0.15, 0.15, 0.95),
            );
            bar(
                out,
                x,
                y + 12.0,
                width,
                5.0,
                stamina.min(1.0),
                Color::rgba(0.2, 0.7, 0.9, 0.95),
            );
            let mut mark = Sprite::rect(Layer::Ui, x - 10.0, y + 5.0, 6.0, 14.0, seat_colour(seat));
            mark.tint.a = 1.0;
            out.draw(mark);
        }
        // A heart per wave reached; a small pip per ten kills.
        #[allow(clippy::cast_precision_loss)]
        for wave in 0..world.wave.min(20) {
            out.draw(Sprite::new(
                Layer::Ui,
                heart,
                28.0 + wave as f32 * 20.0,
                self.height - 24.0,
                16.0,
                16.0,
            ));
        }
        #[allow(clippy::cast_precision_loss)]
        for pip in 0..(world.kills / 10).min(40) {
            out.draw(Sprite::rect(
                Layer::Ui,
                24.0 + pip as f32 * 8.0,
                self.height - 44.0,
                5.0,
                5.0,
                Color::rgb(0.9, 0.85, 0.3),
            ));
        }
        // Network: a bar per remote peer's ping (100 ms full), one for the rollback depth.
        #[allow(clippy::cast_precision_loss)]
        for (row, (seat, ping)) in hud.pings.iter().enumerate() {
            let y = self.height - 24.0 - row as f32 * 10.0;
            let fill = (*ping as f32 / 100.0).min(1.0);
            bar(
                out,
                self.width - 130.0,
                y,
                100.0,
                6.0,
                fill,
                seat_colour(*seat),
            );
        }
        #[allow(clippy::cast_precision_loss)]
        let depth = (hud.rollback as f32 / 8.0).min(1.0);
        bar(
            out,
            self.width - 130.0,
            self.height - 44.0,
            100.0,
            6.0,
            depth,
            Color::rgb(0.9, 0.6, 0.2),
        );
        if hud.desync {
            out.draw(Sprite::rect(
                Layer::Ui,
                self.width / 2.0,
                60.0,
                self.width * 0.6,
                28.0,
                Color::rgba(0.9, 0.05, 0.05, 0.9),
            ));
        }
    }
}

impl Scene {
    /// The HUD's words: wave and kills, the wave's kind, the upgrade offer between waves, the
    /// network figures, and the desync banner's word.
    fn words(&self, out: &mut Frame, world: &World, hud: &Hud, font: ImageId) {
        let white = Color::rgb(1.0, 1.0, 1.0);
        let line = format!("WAVE {}   KILLS {}", world.wave, world.kills);
        out.text(font, Layer::Ui, 20.0, 38.0, 2.0, &line, white);
        let kind = match world.kind {
            WaveKind::Alpha => Some(("THE GREAT ALPHA", Color::rgb(1.0, 0.8, 0.3))),
            WaveKind::BloodMoon => Some(("BLOOD MOON", Color::rgb(1.0, 0.3, 0.3))),
            WaveKind::Normal => None,
        };
        if let Some((name, colour)) = kind
            && world.phase == crate::world::Phase::Fighting
        {
            out.text(font, Layer::Ui, 20.0, 58.0, 2.0, name, colour);
        }
        if let Some(offer) = hud
            .seat
            .and_then(|seat| world.players.get(seat))
            .and_then(|player| player.offer)
        {
            let text = format!(
                "PICK 1 {}  2 {}  3 {}",
                offer[0].name(),
                offer[1].name(),
                offer[2].name()
            );
            out.text(
                font,
                Layer::Ui,
                self.width / 2.0 - 200.0,
                self.height / 2.0 - 80.0,
                2.0,
                &text,
                white,
            );
        }
        #[allow(clippy::cast_precision_loss)]
        for (row, (seat, ping)) in hud.pings.iter().enumerate() {
            let y = self.height - 28.0 - row as f32 * 10.0;
            let text = format!("P{} {ping}MS", seat + 1);
            out.text(font, Layer::Ui, self.width - 210.0, y, 1.0, &text, white);
        }
        let text = format!("ROLLBACK {}", hud.rollback);
        out.text(
            font,
            Layer::Ui,
            self.width - 210.0,
            self.height - 48.0,
            1.0,
            &text,
            white,
        );
        if hud.desync {
            out.text(
                font,
                Layer::Ui,
                self.width / 2.0 - 42.0,
                53.0,
                2.0,
                "DESYNC",
                white,
            );
        }
    }

    /// The title and the overlay's panel.
    fn panel(&self, out: &mut Frame, hud: &Hud, font: ImageId) {
        let white = Color::rgb(1.0, 1.0, 1.0);
        if let Some(title) = &hud.title {
            let scale = 5.0;
            #[allow(clippy::cast_precision_loss)]
            let width = title.chars().count() as f32 * 6.0 * scale;
            let gold = Color::rgb(1.0, 0.85, 0.5);
            out.text(
                font,
                Layer::Ui,
                (self.width - width) / 2.0,
                30.0,
                scale,
                title,
                gold,
            );
        }
        if !hud.overlay.is_empty() {
            // Menus (under a title) are read from the sofa: twice the size of the overlays.
            let (scale, width) = if hud.title.is_some() {
                (2.0, 600.0)
            } else {
                (1.0, 460.0)
            };
            let row = 12.0 * scale;
            #[allow(clippy::cast_precision_loss)]
            let height = hud.overlay.len() as f32 * row + row;
            let (left, top) = (self.width / 2.0 - width / 2.0 + 10.0, 100.0);
            out.draw(Sprite::rect(
                Layer::Ui,
                self.width / 2.0,
                top + height / 2.0 - row / 2.0,
                width,
                height,
                Color::rgba(0.0, 0.0, 0.0, 0.7),
            ));
            #[allow(clippy::cast_precision_loss)]
            for (index, line) in hud.overlay.iter().enumerate() {
                let y = top + index as f32 * row;
                out.text(font, Layer::Ui, left, y, scale, line, white);
            }
        }
    }
}

fn wolves(out: &mut Frame, world: &World, image: ImageId) {
    for (index, wolf) in world.wolves.wolves.iter().enumerate() {
        if wolf.health <= 0 {
            continue;
        }
        let (x, y) = (px(wolf.at.x), px(wolf.at.y));
        let great = world.kind == WaveKind::Alpha && index == 0;
        let scale = if great { 1.6 } else { 1.0 };
        let mut sprite = Sprite::new(Layer::Game, image, x, y, 50.0 * scale, 30.0 * scale);
        sprite.z = y;
        sprite.flip = wolf.velocity.x < 0;
        sprite.frame = if wolf.striking > 0 {
            4
        } else {
            (world.frame / 6 + u32::try_from(index).unwrap_or(0)) % 4
        };
        if world.kind == WaveKind::BloodMoon {
            sprite.tint = Color::rgb(1.4, 0.7, 0.7);
        }
        out.draw(sprite);
    }
}

/// The ambient light and grading of the hour: warm days, cold nights, a redder blood moon.
fn daylight(out: &mut Frame, frame: u32, kind: WaveKind) {
    #[allow(clippy::cast_precision_loss)]
    // Frame 0 is mid-morning: a match starts in daylight.
    let phase = ((frame + DAY / 3) % DAY) as f32 / DAY as f32;
    // 1 at noon, 0 at midnight.
    let day = 0.5 - 0.5 * (phase * std::f32::consts::TAU).cos();
    let light = 0.12 + 0.45 * day;
    out.ambient = Color::rgb(light, light, light + 0.1 * (1.0 - day));
    if kind == WaveKind::BloodMoon {
        out.ambient = Color::rgb(light + 0.15, light * 0.6, light * 0.6);
    }
    out.post.grading = if day >= 0.5 {
        Grading::Warm
    } else {
        Grading::Night
    };
    out.post.grading_strength = (day - 0.5).abs() * 1.2;
    out.post.bloom = 0.6;
    out.post.bloom_threshold = 0.9;
    out.post.antialias = true;
}

/// A bar filled `fill` (0–1.5) of `width`, left-aligned at (x, y), on a dark back.
fn bar(out: &mut Frame, x: f32, y: f32, width: f32, height: f32, fill: f32, color: Color) {
    out.draw(Sprite::rect(
        Layer::Ui,
        x + width / 2.0,
        y,
        width + 2.0,
        height + 2.0,
        Color::rgba(0.0, 0.0, 0.0, 0.6),
    ));
    let filled = width * fill.clamp(0.0, 1.5);
    if filled > 0.0 {
        out.draw(Sprite::rect(
            Layer::Ui,
            x + filled / 2.0,
            y,
            filled,
            height,
            color,
        ));
    }
}

fn seat_colour(seat: usize) -> Color {
    match seat {
        0 => Color::rgb(1.0, 1.0, 1.0),
        1 => Color::rgb(1.0, 0.85, 0.5),
        2 => Color::rgb(0.6, 1.0, 0.6),
        _ => Color::rgb(0.8, 0.7, 1.0),
    }
}

/// Where an entity is, in pixels.
fn position(world: &World, entity: Entity) -> Option<(f32, f32)> {
    match entity {
        Entity::Player(seat) => world
            .players
            .get(usize::from(seat))
            .map(|p| (px(p.fighter.x), px(p.fighter.y))),
        Entity::Wolf(index) => world
            .wolves
            .wolves
            .get(usize::from(index))
            .map(|w| (px(w.at.x), px(w.at.y))),
        Entity::World => None,
    }
}
