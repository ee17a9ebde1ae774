//! The light map: the light records (each with its run of occluders) and the pass that draws
//! every light, shadowed by its map, additively into a reduced-resolution HDR texture cleared
//! to the ambient light; the lit sprites sample it.

use trystero_core::render::{Color, Frame, Light};

use super::common::{Surface2d, color_of, finite_color, pass};
use super::shadows::near_segment;
use super::uniforms::LightGpu;
use super::{HDR, Settings};
use crate::gpu_util::{
    ADDITIVE, PipelineDesc, buffer, entry, group, layout, render_pipeline, shader, storage_type,
    texture_type,
};

/// The light records' buffer (`max_lights` of them), read by the shadow and light passes.
pub(super) fn records_buffer(device: &wgpu::Device, max_lights: u32) -> wgpu::Buffer {
    buffer(
        device,
        "lights",
        u64::from(max_lights.max(1)) * size_of::<LightGpu>() as u64,
        wgpu::BufferUsages::STORAGE,
    )
}

#[derive(Debug)]
pub(super) struct Lights {
    pipeline: wgpu::RenderPipeline,
    /// The light records.
    pub(super) records: wgpu::Buffer,
    group: wgpu::BindGroup,
    /// The light map.
    map: Surface2d,
    /// The light map and its sampler, as the lit sprites read them (group 2).
    pub(super) map_layout: wgpu::BindGroupLayout,
    pub(super) map_group: wgpu::BindGroup,
}

impl Lights {
    /// The light pass for a `size` output (the map is `settings.light_scale` times smaller on
    /// each side), drawing `records` with the `shadow_maps`; `camera` is the camera's layout,
    /// `sampler` the light map's.
    pub(super) fn new(
        device: &wgpu::Device,
        settings: &Settings,
        size: (u32, u32),
        (records, shadow_maps): (wgpu::Buffer, &wgpu::Buffer),
        camera: &wgpu::BindGroupLayout,
        sampler: &wgpu::Sampler,
    ) -> Self {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let light_layout = layout(
            device,
            "lights",
            &[
                entry(0, wgpu::ShaderStages::VERTEX | fragment, storage_type(true)),
                entry(1, fragment, storage_type(true)),
            ],
        );
        let map_layout = layout(
            device,
            "light map",
            &[
                entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                entry(
                    1,
                    fragment,
                    wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                ),
            ],
        );
        let module = shader(
            device,
            "lights",
            &[
                include_str!("../shaders/light.wgsl"),
                include_str!("../shaders/lights.wgsl"),
            ],
        );
        let pipeline = render_pipeline(
            device,
            &PipelineDesc {
                label: "lights",
                module: &module,
                layouts: &[camera, &light_layout],
                entries: ("light_quad", "light_pixel"),
                buffers: &[],
                format: HDR,
                blend: Some(ADDITIVE),
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                constants: &[],
            },
        );
        let scale = settings.light_scale.max(1);
        let map = Surface2d::new(
            device,
            "light map",
            (size.0.div_ceil(scale), size.1.div_ceil(scale)),
            HDR,
        );
        let map_group = group(
            device,
            "light map",
            &map_layout,
            &[
                wgpu::BindingResource::TextureView(&map.view),
                wgpu::BindingResource::Sampler(sampler),
            ],
        );
        let group = group(
            device,
            "lights",
            &light_layout,
            &[records.as_entire_binding(), shadow_maps.as_entire_binding()],
        );
        Self {
            pipeline,
            records,
            group,
            map,
            map_layout,
            map_group,
        }
    }

    /// Writes the light `records`.
    pub(super) fn upload(&self, queue: &wgpu::Queue, records: &[LightGpu]) {
        if !records.is_empty() {
            queue.write_buffer(&self.records, 0, bytemuck::cast_slice(records));
        }
    }

    /// Draws `count` lights with `camera` into the light map, cleared to `ambient`.
    pub(super) fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        ambient: Color,
        camera: &wgpu::BindGroup,
        count: u32,
    ) {
        let mut light = pass(encoder, "lights", &self.map.view, Some(color_of(ambient)));
        light.set_pipeline(&self.pipeline);
        light.set_bind_group(0, camera, &[]);
        light.set_bind_group(1, &self.group, &[]);
        light.draw(0..8, 0..count);
    }
}

/// The frame's lights as the shaders read them (the finite ones, at most `max_lights`), each
/// with the `segments` within its reach as a run of the occluder buffer: the records and the
/// runs.
pub(super) fn records(
    frame: &Frame,
    max_lights: u32,
    segments: &[[f32; 4]],
) -> (Vec<LightGpu>, Vec<[f32; 4]>) {
    let mut runs: Vec<[f32; 4]> = Vec::new();
    let lights: Vec<LightGpu> = frame
        .lights
        .iter()
        .filter(|l| l.x.is_finite() && l.y.is_finite() && l.radius.is_finite())
        .take(max_lights as usize)
        .map(|light| {
            let light = Light {
                color: finite_color(light.color),
                ..*light
            };
            let radius = light.radius.max(0.0);
            let first = u32::try_from(runs.len()).unwrap_or(u32::MAX);
            if light.shadows {
                runs.extend(
                    segments
                        .iter()
                        .filter(|s| near_segment([light.x, light.y], radius, s)),
                );
            }
            let count = u32::try_from(runs.len()).unwrap_or(u32::MAX) - first;
            LightGpu {
                position: [light.x, light.y],
                radius,
                shadows: if light.shadows { 1.0 } else { 0.0 },
                color: [light.color.r, light.color.g, light.color.b, light.color.a],
                first,
                count,
                pad: [0; 2],
            }
        })
        .collect();
    (lights, runs)
}
