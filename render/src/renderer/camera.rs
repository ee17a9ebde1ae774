//! The cameras: the world's, the world's tinted by the ambient light (frames without lights)
//! and the UI's, each a uniform buffer with its bind group.

use trystero_core::render::{Color, Frame, View};

use super::common::finite;
use super::uniforms::CameraUniform;
use crate::gpu_util::{buffer, entry, group, layout, uniform_type};

#[derive(Debug)]
pub(super) struct Cameras {
    pub(super) layout: wgpu::BindGroupLayout,
    /// The world camera's buffer (the particle step reads it too).
    pub(super) world: wgpu::Buffer,
    ambient: wgpu::Buffer,
    ui: wgpu::Buffer,
    pub(super) world_group: wgpu::BindGroup,
    pub(super) ambient_group: wgpu::BindGroup,
    pub(super) ui_group: wgpu::BindGroup,
}

impl Cameras {
    pub(super) fn new(device: &wgpu::Device) -> Self {
        let all =
            wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT | wgpu::ShaderStages::COMPUTE;
        let layout = layout(device, "camera", &[entry(0, all, uniform_type())]);
        let uniform = wgpu::BufferUsages::UNIFORM;
        let camera_size = size_of::<CameraUniform>() as u64;
        let world = buffer(device, "camera", camera_size, uniform);
        let ui = buffer(device, "camera ui", camera_size, uniform);
        let ambient = buffer(device, "camera ambient", camera_size, uniform);
        let bind = |label: &str, camera: &wgpu::Buffer| {
            group(device, label, &layout, &[camera.as_entire_binding()])
        };
        let ambient_group = bind("camera ambient", &ambient);
        let world_group = bind("camera", &world);
        let ui_group = bind("camera ui", &ui);
        Self {
            layout,
            world,
            ambient,
            ui,
            world_group,
            ambient_group,
            ui_group,
        }
    }

    /// Writes the three cameras of `frame` for a `screen`-sized output at `clock` seconds.
    pub(super) fn write(&self, queue: &wgpu::Queue, frame: &Frame, screen: (u32, u32), clock: f64) {
        for (buffer, ui, tint) in [
            (&self.world, false, Color::WHITE),
            (&self.ambient, false, frame.ambient),
            (&self.ui, true, Color::WHITE),
        ] {
            let camera = camera(&frame.view, ui, tint, screen, clock);
            queue.write_buffer(buffer, 0, bytemuck::bytes_of(&camera));
        }
    }
}

fn camera(
    view: &View,
    ui: bool,
    tint: Color,
    (width, height): (u32, u32),
    clock: f64,
) -> CameraUniform {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // sizes, clock
    CameraUniform {
        centre: view.centre.map(finite),
        zoom: if view.zoom.is_finite() && view.zoom > 0.0 {
            view.zoom
        } else {
            1.0
        },
        rotation: view.rotation,
        screen: [width as f32, height as f32],
        ui: if ui { 1.0 } else { 0.0 },
        time: clock as f32,
        tint: [tint.r, tint.g, tint.b, 1.0],
    }
}
