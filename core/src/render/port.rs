//! The port itself: the [`Renderer`] trait, what a frame cost and why it failed.

use super::{Frame, ImageId};

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
