//! The render port: what the game hands the renderer each frame, as plain data.
//!
//! The game fills a [`Frame`] — sprites per [`Layer`], particle effects to spawn, lights and the
//! segments that cast their shadows, the camera's [`View`] and the post-processing settings —
//! and submits it to a [`Renderer`]. No GPU type appears here: the wgpu adapter
//! (`trystero-render`) implements the trait, and [`RecordingRenderer`] keeps frames for tests.
//!
//! What both adapters share is pure and lives here too: [`CameraRig`] (follow with smoothing,
//! trauma-based shake from a seed, zoom) and [`plan`], which culls sprites against the view and
//! sorts them into batches (one draw call per layer and texture run).
//!
//! Units: world positions in pixels, y down; angles in radians; colours linear RGB.

use std::collections::BTreeMap;

/// The z-order of what is drawn: each layer is drawn over the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// Ground, terrain: lit by the lights.
    Background,
    /// Characters, wolves, rocks: lit by the lights.
    Game,
    /// Effects over the world (not lit; particles are drawn with this layer).
    Effects,
    /// Interface: after post-processing, in screen pixels, never culled by the camera.
    Ui,
}

impl Layer {
    /// Every layer, in drawing order.
    pub const ALL: [Layer; 4] = [Layer::Background, Layer::Game, Layer::Effects, Layer::Ui];
}

/// A linear RGBA colour.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Color {
    /// Red.
    pub r: f32,
    /// Green.
    pub g: f32,
    /// Blue.
    pub b: f32,
    /// Alpha.
    pub a: f32,
}

impl Color {
    /// White.
    pub const WHITE: Color = Color::rgb(1.0, 1.0, 1.0);
    /// Black.
    pub const BLACK: Color = Color::rgb(0.0, 0.0, 0.0);

    /// An opaque colour.
    pub const fn rgb(r: f32, g: f32, b: f32) -> Self {
        Self { r, g, b, a: 1.0 }
    }

    /// A colour with alpha.
    pub const fn rgba(r: f32, g: f32, b: f32, a: f32) -> Self {
        Self { r, g, b, a }
    }
}

/// A handle to an image in the renderer's atlas (see [`Renderer::image`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ImageId(pub u32);

impl ImageId {
    /// A white pixel: solid rectangles and shapes.
    pub const WHITE: ImageId = ImageId(0);
}

/// One textured quad.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sprite {
    /// Its layer.
    pub layer: Layer,
    /// Order within the layer (higher over lower; equal keeps submission order).
    pub z: f32,
    /// Centre (world pixels; screen pixels on the UI layer).
    pub x: f32,
    /// Centre.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// Rotation about the centre.
    pub rotation: f32,
    /// The image.
    pub image: ImageId,
    /// The animation frame within the image (wraps).
    pub frame: u32,
    /// Multiplied with the image.
    pub tint: Color,
    /// Mirrored horizontally.
    pub flip: bool,
}

impl Sprite {
    /// A sprite of `image` centred at (x, y), `width` × `height`, untinted.
    pub fn new(layer: Layer, image: ImageId, x: f32, y: f32, width: f32, height: f32) -> Self {
        Self {
            layer,
            z: 0.0,
            x,
            y,
            width,
            height,
            rotation: 0.0,
            image,
            frame: 0,
            tint: Color::WHITE,
            flip: false,
        }
    }

    /// A solid rectangle.
    pub fn rect(layer: Layer, x: f32, y: f32, width: f32, height: f32, color: Color) -> Self {
        Self {
            tint: color,
            ..Self::new(layer, ImageId::WHITE, x, y, width, height)
        }
    }
}

/// The particle effects the renderer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EffectKind {
    /// A hot burst: many fast particles, orange to red, with gravity.
    Explosion,
    /// A few bright, fast, short-lived sparks (a block clang).
    Sparks,
    /// Dark red drops falling (a hit).
    Blood,
    /// Slow grey puffs (a roll, footsteps).
    Dust,
}

impl EffectKind {
    /// Every effect.
    pub const ALL: [EffectKind; 4] = [
        EffectKind::Explosion,
        EffectKind::Sparks,
        EffectKind::Blood,
        EffectKind::Dust,
    ];

    /// Its name in [`Frame::add_particle_effect`].
    pub fn name(self) -> &'static str {
        match self {
            EffectKind::Explosion => "explosion",
            EffectKind::Sparks => "sparks",
            EffectKind::Blood => "blood",
            EffectKind::Dust => "dust",
        }
    }
}

/// A particle effect to start this frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// What.
    pub kind: EffectKind,
    /// Where (world).
    pub x: f32,
    /// Where.
    pub y: f32,
    /// Seeds its particles, so the same frames give the same picture.
    pub seed: u32,
}

/// A point light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Light {
    /// Centre (world).
    pub x: f32,
    /// Centre.
    pub y: f32,
    /// Reach: the light falls to zero here.
    pub radius: f32,
    /// Colour (linear; intensity folded in).
    pub color: Color,
    /// Whether the frame's occluders cast its shadows.
    pub shadows: bool,
}

/// A segment that blocks light (a wall edge, a rock's silhouette).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occluder {
    /// One end.
    pub a: [f32; 2],
    /// The other.
    pub b: [f32; 2],
}

/// Post-processing, each off at zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Post {
    /// Bloom strength (0 off).
    pub bloom: f32,
    /// Brightness above which a pixel blooms.
    pub bloom_threshold: f32,
    /// A full-screen blur's radius in pixels (0 off).
    pub blur: f32,
    /// The colour-grading look.
    pub grading: Grading,
    /// How much of the grading applies (0 none, 1 all).
    pub grading_strength: f32,
    /// Edge antialiasing (FXAA) on the final image.
    pub antialias: bool,
}

impl Default for Post {
    fn default() -> Self {
        Self {
            bloom: 0.0,
            bloom_threshold: 1.0,
            blur: 0.0,
            grading: Grading::Neutral,
            grading_strength: 0.0,
            antialias: false,
        }
    }
}

/// Colour-grading looks (3-D lookup tables the renderer builds; it also loads real ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grading {
    /// Identity.
    Neutral,
    /// Warm highlights, lifted reds.
    Warm,
    /// Cold, desaturated night.
    Night,
    /// Sepia.
    Sepia,
    /// A lookup table loaded into the renderer (its index).
    Custom(u32),
}

/// Where the camera looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// The world point at the centre of the screen.
    pub centre: [f32; 2],
    /// Screen pixels per world pixel.
    pub zoom: f32,
    /// Rotation (shake).
    pub rotation: f32,
}

impl Default for View {
    fn default() -> Self {
        Self {
            centre: [0.0, 0.0],
            zoom: 1.0,
            rotation: 0.0,
        }
    }
}

impl View {
    /// The world rectangle (min x, min y, max x, max y) a `width` × `height` screen can show,
    /// grown to contain any rotation.
    pub fn bounds(&self, width: f32, height: f32) -> [f32; 4] {
        // A zoom that is not a positive number draws at 1, as the adapters do.
        let zoom = if self.zoom.is_finite() && self.zoom > 0.0 {
            self.zoom
        } else {
            1.0
        };
        let (half_w, half_h) = (width / zoom / 2.0, height / zoom / 2.0);
        // A rotated screen fits inside the circle through its corners; exact when unrotated.
        let (rx, ry) = if self.rotation == 0.0 {
            (half_w, half_h)
        } else {
            let r = (half_w * half_w + half_h * half_h).sqrt();
            (r, r)
        };
        [
            self.centre[0] - rx,
            self.centre[1] - ry,
            self.centre[0] + rx,
            self.centre[1] + ry,
        ]
    }

    /// Whether a sprite can appear on a `width` × `height` screen (UI sprites always can).
    pub fn shows(&self, sprite: &Sprite, width: f32, height: f32) -> bool {
        if sprite.layer == Layer::Ui {
            return true;
        }
        let [x0, y0, x1, y1] = self.bounds(width, height);
        // The sprite's reach from its centre under any rotation.
        let reach = if sprite.rotation == 0.0 {
            [sprite.width.abs() / 2.0, sprite.height.abs() / 2.0]
        } else {
            let r = (sprite.width * sprite.width + sprite.height * sprite.height).sqrt() / 2.0;
            [r, r]
        };
        sprite.x + reach[0] >= x0
            && sprite.x - reach[0] <= x1
            && sprite.y + reach[1] >= y0
            && sprite.y - reach[1] <= y1
    }
}

/// Everything drawn in one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The background colour.
    pub clear: Color,
    /// The camera.
    pub view: View,
    /// Sprites, any order (the renderer sorts by layer and z).
    pub sprites: Vec<Sprite>,
    /// Particle effects starting this frame.
    pub effects: Vec<Effect>,
    /// Lights.
    pub lights: Vec<Light>,
    /// Light-blocking segments.
    pub occluders: Vec<Occluder>,
    /// Light everywhere, lights or not (white: lighting off).
    pub ambient: Color,
    /// Post-processing.
    pub post: Post,
    /// Seconds since the last frame (particles advance by it).
    pub dt: f32,
}

impl Default for Frame {
    fn default() -> Self {
        Self {
            clear: Color::BLACK,
            view: View::default(),
            sprites: Vec::new(),
            effects: Vec::new(),
            lights: Vec::new(),
            occluders: Vec::new(),
            ambient: Color::WHITE,
            post: Post::default(),
            dt: 1.0 / 60.0,
        }
    }
}

impl Frame {
    /// Adds a sprite.
    pub fn draw(&mut self, sprite: Sprite) {
        self.sprites.push(sprite);
    }

    /// Starts a named particle effect at (x, y) (the seed's `add_particle_effect`): its
    /// particles are seeded from the position and the effects already added this frame.
    pub fn add_particle_effect(&mut self, name: &str, x: f32, y: f32) -> Result<(), RenderError> {
        let kind = EffectKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| RenderError::UnknownEffect(name.to_owned()))?;
        let count = u32::try_from(self.effects.len()).unwrap_or(u32::MAX);
        let seed = x.to_bits() ^ y.to_bits().rotate_left(16) ^ count.wrapping_mul(0x9E37_79B9);
        self.effects.push(Effect { kind, x, y, seed });
        Ok(())
    }

    /// Adds a light (the seed's `add_lighting`).
    pub fn add_lighting(&mut self, light: Light) {
        self.lights.push(light);
    }

    /// Adds the four edges of an axis-aligned box as occluders.
    pub fn occlude_box(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
        for index in 0..4 {
            self.occluders.push(Occluder {
                a: corners[index],
                b: corners[(index + 1) % 4],
            });
        }
    }
}

/// What a rendered frame cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameStats {
    /// Sprite draw calls (one per batch).
    pub draw_calls: u32,
    /// Sprites drawn.
    pub sprites_drawn: u32,
    /// Sprites left out because the camera cannot see them.
    pub sprites_culled: u32,
    /// Particles alive after this frame.
    pub particles: u32,
    /// Lights drawn.
    pub lights: u32,
}

/// Why a frame or a resource failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// [`Frame::add_particle_effect`] with a name no effect has.
    #[error("unknown particle effect {0:?} (known: explosion, sparks, blood, dust)")]
    UnknownEffect(String),
    /// No graphics adapter (no GPU and no software Vulkan).
    #[error("no graphics adapter: {0}")]
    NoAdapter(String),
    /// The device failed or was lost.
    #[error("graphics device error: {0}")]
    Device(String),
    /// The window surface failed.
    #[error("surface error: {0}")]
    Surface(String),
    /// An image could not be read (bad PNG, wrong size, too large for the atlas).
    #[error("image error: {0}")]
    Image(String),
}

/// The render port: the game submits a frame; an adapter draws it.
pub trait Renderer {
    /// The atlas image named `name` (procedural sprites or loaded sheets).
    fn image(&self, name: &str) -> Option<ImageId>;

    /// The output size in pixels.
    fn size(&self) -> (u32, u32);

    /// Draws a frame.
    fn render(&mut self, frame: &Frame) -> Result<FrameStats, RenderError>;
}

/// One draw call: a run of sorted sprites of one layer and one texture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    /// The layer.
    pub layer: Layer,
    /// The texture (as the adapter numbers them).
    pub texture: u32,
    /// Indices into [`Plan::order`].
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

/// Which sprites to draw, in which order, in which draw calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Indices into the frame's sprites: visible ones, by layer, then z, then texture, then
    /// submission order.
    pub order: Vec<u32>,
    /// The draw calls.
    pub batches: Vec<Batch>,
    /// Sprites the camera cannot see.
    pub culled: u32,
}

/// Culls and sorts a frame's sprites for a `width` × `height` target; `texture` names the
/// texture each image lives in (one atlas: always 0). Sorting by texture inside equal z keeps
/// batches long without breaking the z-order.
pub fn plan(frame: &Frame, width: f32, height: f32, texture: impl Fn(ImageId) -> u32) -> Plan {
    let mut plan = Plan::default();
    plan.order.reserve(frame.sprites.len());
    for (index, sprite) in frame.sprites.iter().enumerate() {
        if frame.view.shows(sprite, width, height) {
            plan.order.push(u32::try_from(index).unwrap_or(u32::MAX));
        } else {
            plan.culled += 1;
        }
    }
    let key = |index: &u32| {
        let sprite = &frame.sprites[*index as usize];
        (
            sprite.layer,
            OrderedZ(sprite.z),
            texture(sprite.image),
            *index,
        )
    };
    plan.order.sort_unstable_by_key(key);
    let mut start = 0;
    for position in 1..=plan.order.len() {
        let ends = position == plan.order.len() || {
            let (a, b) = (
                &frame.sprites[plan.order[start] as usize],
                &frame.sprites[plan.order[position] as usize],
            );
            a.layer != b.layer || texture(a.image) != texture(b.image)
        };
        if ends {
            let first = &frame.sprites[plan.order[start] as usize];
            plan.batches.push(Batch {
                layer: first.layer,
                texture: texture(first.image),
                start,
                end: position,
            });
            start = position;
        }
    }
    plan
}

/// z as a total order (NaN last).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderedZ(f32);

impl Eq for OrderedZ {}

impl PartialOrd for OrderedZ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedZ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The camera: follows a target with smoothing, shakes with trauma, zooms.
///
/// Shake is trauma-based: [`CameraRig::shake`] adds trauma (0–1) that decays to zero over the
/// given duration; the offset and roll are `trauma²` times smooth noise drawn from the rig's
/// seed and its own clock, so a fixed seed gives the same shake every run. Only `+ - * /` and
/// `sqrt` are used, so every platform computes the same view.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraRig {
    /// Where it looks, before shake.
    pub centre: [f32; 2],
    /// Current zoom.
    pub zoom: f32,
    /// The zoom it eases towards.
    pub target_zoom: f32,
    /// How fast it catches up (per second; higher is stiffer).
    pub stiffness: f32,
    /// The largest shake offset, in screen pixels.
    pub max_offset: f32,
    /// The largest shake roll, in radians.
    pub max_roll: f32,
    trauma: f32,
    decay: f32,
    seed: u32,
    clock: f32,
}

impl CameraRig {
    /// A camera at `centre`, zoom 1, with shake noise from `seed`.
    pub fn new(centre: [f32; 2], seed: u32) -> Self {
        Self {
            centre,
            zoom: 1.0,
            target_zoom: 1.0,
            stiffness: 6.0,
            max_offset: 16.0,
            max_roll: 0.05,
            trauma: 0.0,
            decay: 0.0,
            seed,
            clock: 0.0,
        }
    }

    /// Moves towards `target` for `dt` seconds (critically damped-ish: the gap shrinks by
    /// `k·dt / (1 + k·dt)` a step, stable at any `dt`).
    pub fn follow(&mut self, target: [f32; 2], dt: f32) {
        let step = self.stiffness * dt / (1.0 + self.stiffness * dt);
        self.centre[0] += (target[0] - self.centre[0]) * step;
        self.centre[1] += (target[1] - self.centre[1]) * step;
        self.zoom += (self.target_zoom - self.zoom) * step;
    }

    /// Adds `intensity` (0–1) of trauma, fading over `duration` seconds (the seed's
    /// `shake_camera(intensity, duration)`).
    pub fn shake(&mut self, intensity: f32, duration: f32) {
        self.trauma = (self.trauma + intensity.max(0.0)).min(1.0);
        self.decay = self.decay.max(self.trauma / duration.max(1e-3));
    }

    /// The trauma left.
    pub fn trauma(&self) -> f32 {
        self.trauma
    }

    /// Advances the shake clock by `dt` seconds.
    pub fn update(&mut self, dt: f32) {
        self.clock += dt;
        self.trauma = (self.trauma - self.decay * dt).max(0.0);
        if self.trauma == 0.0 {
            self.decay = 0.0;
        }
    }

    /// The view now: the centre plus the shake's offset (in world pixels), the zoom and roll.
    pub fn view(&self) -> View {
        let amount = self.trauma * self.trauma;
        // Noise sampled at 30 Hz, a channel per axis.
        let t = self.clock * 30.0;
        let dx = noise(self.seed, 0, t) * self.max_offset * amount / self.zoom.max(1e-6);
        let dy = noise(self.seed, 1, t) * self.max_offset * amount / self.zoom.max(1e-6);
        View {
            centre: [self.centre[0] + dx, self.centre[1] + dy],
            zoom: self.zoom,
            rotation: noise(self.seed, 2, t) * self.max_roll * amount,
        }
    }
}

/// Smooth value noise in -1..1: hashed lattice values, smoothstep-interpolated.
fn noise(seed: u32, channel: u32, t: f32) -> f32 {
    let t = t.max(0.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // t ≥ 0, floor
    let cell = t as u32;
    #[allow(clippy::cast_precision_loss)] // lattice positions are small
    let f = t - cell as f32;
    let lattice = |i: u32| {
        let mut h = seed ^ channel.wrapping_mul(0x85EB_CA6B) ^ i.wrapping_mul(0x9E37_79B9);
        h ^= h >> 16;
        h = h.wrapping_mul(0x7FEB_352D);
        h ^= h >> 15;
        h = h.wrapping_mul(0x846C_A68B);
        h ^= h >> 16;
        #[allow(clippy::cast_precision_loss)] // 24 bits are exact
        let unit = (h >> 8) as f32 / 16_777_215.0;
        unit * 2.0 - 1.0
    };
    let s = f * f * (3.0 - 2.0 * f);
    lattice(cell) + (lattice(cell.wrapping_add(1)) - lattice(cell)) * s
}

/// The in-memory adapter: keeps every frame and answers with the stats the plan gives (one
/// atlas), for tests of game code that renders.
#[derive(Debug, Clone, Default)]
pub struct RecordingRenderer {
    /// Output size.
    pub width: u32,
    /// Output size.
    pub height: u32,
    /// Known images, by name.
    pub images: BTreeMap<String, ImageId>,
    /// Frames rendered.
    pub frames: Vec<Frame>,
}

impl RecordingRenderer {
    /// A recorder of a `width` × `height` output knowing `images`.
    pub fn new(width: u32, height: u32, images: &[&str]) -> Self {
        Self {
            width,
            height,
            images: images
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let id = u32::try_from(index + 1).unwrap_or(u32::MAX);
                    ((*name).to_owned(), ImageId(id))
                })
                .collect(),
            frames: Vec::new(),
        }
    }
}

impl Renderer for RecordingRenderer {
    fn image(&self, name: &str) -> Option<ImageId> {
        self.images.get(name).copied()
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    #[allow(clippy::cast_precision_loss)] // screen sizes
    fn render(&mut self, frame: &Frame) -> Result<FrameStats, RenderError> {
        let plan = plan(frame, self.width as f32, self.height as f32, |_| 0);
        self.frames.push(frame.clone());
        Ok(FrameStats {
            draw_calls: u32::try_from(plan.batches.len()).unwrap_or(u32::MAX),
            sprites_drawn: u32::try_from(plan.order.len()).unwrap_or(u32::MAX),
            sprites_culled: plan.culled,
            particles: 0,
            lights: u32::try_from(frame.lights.len()).unwrap_or(u32::MAX),
        })
    }
}
