//! The frame data: what the game hands the renderer each frame (sprites per layer, particle
//! effects, lights and occluders, the view, post-processing).

use super::RenderError;

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

/// A handle to an image in the renderer's atlas (see [`Renderer::image`](super::Renderer::image)).
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
