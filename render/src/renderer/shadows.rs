//! The shadow maps: the occluder segments (each light's run of those within its reach) and the
//! compute pass that writes a 1-D shadow map per light.

use trystero_core::render::Frame;

use super::uniforms::Counts;
use super::{SHADOW_RES, Settings};
use crate::gpu_util::{
    buffer, compute_pipeline, entry, group, layout, shader, storage_type, uniform_type,
};

#[derive(Debug)]
pub(super) struct Shadows {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    occluders: wgpu::Buffer,
    counts: wgpu::Buffer,
    /// One map per light, `SHADOW_RES` distances each (the light pass reads them).
    pub(super) maps: wgpu::Buffer,
    group: wgpu::BindGroup,
}

impl Shadows {
    /// The shadow resources for `settings`, reading the light records in `lights`.
    pub(super) fn new(device: &wgpu::Device, settings: &Settings, lights: &wgpu::Buffer) -> Self {
        let compute = wgpu::ShaderStages::COMPUTE;
        let layout = layout(
            device,
            "shadows",
            &[
                entry(0, compute, storage_type(true)),
                entry(1, compute, storage_type(true)),
                entry(2, compute, uniform_type()),
                entry(3, compute, storage_type(false)),
            ],
        );
        let module = shader(
            device,
            "shadows",
            &[
                include_str!("../shaders/light.wgsl"),
                include_str!("../shaders/shadows.wgsl"),
            ],
        );
        let pipeline = compute_pipeline(device, "shadows", &module, &[&layout], "shadow_map");
        let storage = wgpu::BufferUsages::STORAGE;
        let occluders = buffer(
            device,
            "occluders",
            u64::from(settings.max_occluders.max(1)) * 16,
            storage,
        );
        let counts = buffer(
            device,
            "light counts",
            size_of::<Counts>() as u64,
            wgpu::BufferUsages::UNIFORM,
        );
        let maps = buffer(
            device,
            "shadow maps",
            u64::from(settings.max_lights.max(1)) * u64::from(SHADOW_RES) * 4,
            storage,
        );
        let group = shadow_group(device, &layout, [lights, &occluders, &counts, &maps]);
        Self {
            pipeline,
            layout,
            occluders,
            counts,
            maps,
            group,
        }
    }

    /// Writes the occluder `runs` (growing the buffer to a power of two when they do not fit)
    /// and the count of lights; `lights` is the light records' buffer.
    pub(super) fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        runs: &[[f32; 4]],
        light_count: u32,
        lights: &wgpu::Buffer,
    ) {
        if runs.len() as u64 * 16 > self.occluders.size() {
            let capacity = (runs.len() as u64).next_power_of_two();
            self.occluders = buffer(
                device,
                "occluders",
                capacity * 16,
                wgpu::BufferUsages::STORAGE,
            );
            self.group = shadow_group(
                device,
                &self.layout,
                [lights, &self.occluders, &self.counts, &self.maps],
            );
        }
        if !runs.is_empty() {
            queue.write_buffer(&self.occluders, 0, bytemuck::cast_slice(runs));
        }
        let counts = Counts {
            lights: light_count,
            pad: [0; 3],
        };
        queue.write_buffer(&self.counts, 0, bytemuck::bytes_of(&counts));
    }

    /// The shadow maps of the first `light_count` lights.
    pub(super) fn dispatch(&self, compute: &mut wgpu::ComputePass<'_>, light_count: u32) {
        compute.set_pipeline(&self.pipeline);
        compute.set_bind_group(0, &self.group, &[]);
        compute.dispatch_workgroups(SHADOW_RES / 64, light_count, 1);
    }
}

/// The shadow pass's group: lights, occluders, counts, shadow maps.
fn shadow_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    buffers: [&wgpu::Buffer; 4],
) -> wgpu::BindGroup {
    group(
        device,
        "shadows",
        layout,
        &buffers.map(wgpu::Buffer::as_entire_binding),
    )
}

/// The frame's occluders as segments (x0, y0, x1, y1): the finite ones, at most `max`.
pub(super) fn segments(frame: &Frame, max: u32) -> Vec<[f32; 4]> {
    frame
        .occluders
        .iter()
        .map(|o| [o.a[0], o.a[1], o.b[0], o.b[1]])
        .filter(|s| s.iter().all(|c| c.is_finite()))
        .take(max as usize)
        .collect()
}

/// Whether segment `s` (x0, y0, x1, y1) comes within `radius` of `centre`.
pub(super) fn near_segment(centre: [f32; 2], radius: f32, s: &[f32; 4]) -> bool {
    let (ax, ay, bx, by) = (
        s[0] - centre[0],
        s[1] - centre[1],
        s[2] - centre[0],
        s[3] - centre[1],
    );
    let (ex, ey) = (bx - ax, by - ay);
    let length = ex * ex + ey * ey;
    let t = if length > 0.0 {
        (-(ax * ex + ay * ey) / length).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (px, py) = (ax + ex * t, ay + ey * t);
    px * px + py * py <= radius * radius
}
