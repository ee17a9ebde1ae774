//! `trystero-render`: the wgpu adapter of the render port in `trystero_core::render`.
//!
//! The game fills a [`trystero_core::render::Frame`]; [`WgpuRenderer`] draws it, offscreen
//! (read back as an [`Image`], saved as PNG: everything is testable without a window) or into a
//! window surface. No wgpu type reaches the game.
//!
//! ## A frame
//!
//! ```text
//!  compute: particles move and splat into a fixed-point buffer (atomics, no rasterizer)
//!           1-D shadow map per light (nearest occluder at 512 angles)
//!  lights   one additive octagon per light into a 1/4-resolution light map, soft 3-tap
//!           shadow test (skipped, with the ambient light as a tint, when there are no lights)
//!  lit      background + game layers, instanced sprites, one draw call per layer and texture,
//!           each fragment times the light map; then the effects layer and the particle splats
//!  bloom    bright pass → quarter resolution → Gaussian H + V          (when bloom > 0)
//!  blur     Gaussian H + V at full resolution                          (when blur > 0)
//!  finish   + bloom, clamp, 3-D colour-grading table                    → output (sRGB)
//!  fxaa     edge antialiasing                                           (when on)
//!  ui       the UI layer in screen pixels, after post-processing
//! ```
//!
//! Culling and batching come from `trystero_core::render::plan` (shared with the recording
//! adapter); the camera's follow, shake and zoom from `trystero_core::render::CameraRig`.
//! Sprites come from a texture [`Atlas`]: the procedural sprites of [`sprites`] (no art files
//! needed), plus real sprite sheets loaded from PNG.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod atlas;
mod gpu;
mod gpu_util;
mod grading;
mod image;
mod particles;
mod renderer;
pub mod scenes;
pub mod sprites;

pub use atlas::{Atlas, AtlasBuilder};
pub use gpu::Gpu;
pub use image::{Difference, Image, MAX_SIDE};
pub use renderer::{Settings, WgpuRenderer};
