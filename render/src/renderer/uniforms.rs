//! The uniform and storage records the shaders read, laid out as the WGSL declares them.

use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct CameraUniform {
    pub(super) centre: [f32; 2],
    pub(super) zoom: f32,
    pub(super) rotation: f32,
    pub(super) screen: [f32; 2],
    pub(super) ui: f32,
    pub(super) time: f32,
    /// Multiplies sprite colours: the ambient light when a frame has no lights (the light
    /// passes are skipped then), else white.
    pub(super) tint: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct Instance {
    pub(super) centre: [f32; 2],
    pub(super) size: [f32; 2],
    pub(super) rotation: f32,
    pub(super) flip: f32,
    pub(super) uv: [f32; 4],
    pub(super) tint: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct SimUniform {
    pub(super) dt: f32,
    pub(super) count: u32,
    pub(super) width: u32,
    pub(super) height: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct LightGpu {
    pub(super) position: [f32; 2],
    pub(super) radius: f32,
    pub(super) shadows: f32,
    pub(super) color: [f32; 4],
    /// Its occluders: a run of the occluder buffer (those within its radius).
    pub(super) first: u32,
    pub(super) count: u32,
    pub(super) pad: [u32; 2],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct Counts {
    pub(super) lights: u32,
    pub(super) pad: [u32; 3],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct PostUniform {
    pub(super) settings: [f32; 4],
    pub(super) direction: [f32; 4],
}
