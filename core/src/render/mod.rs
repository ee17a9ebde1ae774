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

mod batching;
mod camera;
mod frame;
mod port;
mod recording;
mod text;

pub use batching::{Batch, Plan, plan};
pub use camera::CameraRig;
pub use frame::{
    Color, Effect, EffectKind, Frame, Grading, ImageId, Layer, Light, Occluder, Post, Sprite, View,
};
pub use port::{FrameStats, RenderError, Renderer};
pub use recording::RecordingRenderer;
pub use text::{FONT, FONT_GLYPHS, GLYPH, glyph};
