//! What the full-screen passes share: the post shader, its layout (source, sampler, uniform),
//! the linear sampler, the separable blur pipeline (bloom and blur both run it) and
//! [`PostPass`], one pass's uniform and bind group.

use super::HDR;
use super::common::Surface2d;
use super::uniforms::PostUniform;
use crate::gpu_util::{
    PipelineDesc, buffer, entry, group, layout, render_pipeline, shader, texture_type, uniform_type,
};

#[derive(Debug)]
pub(super) struct PostShared {
    pub(super) layout: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    /// The linear sampler: post sources and the light map.
    pub(super) sampler: wgpu::Sampler,
    /// One direction of the separable blur, into HDR.
    pub(super) blur: wgpu::RenderPipeline,
}

impl PostShared {
    pub(super) fn new(device: &wgpu::Device) -> Self {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let filtering = wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering);
        let layout = layout(
            device,
            "post",
            &[
                entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                entry(1, fragment, filtering),
                entry(2, fragment, uniform_type()),
            ],
        );
        let module = shader(device, "post", &[include_str!("../shaders/post.wgsl")]);
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("linear"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            address_mode_w: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..wgpu::SamplerDescriptor::default()
        });
        let blur = full_screen_pipeline(device, &module, &[&layout], "blur", HDR, &[]);
        Self {
            layout,
            module,
            sampler,
            blur,
        }
    }

    /// A full-screen pipeline running `entry_point` of the post shader into `format`, over the
    /// post layout and then `extra`, with the override `constants`.
    pub(super) fn pipeline(
        &self,
        device: &wgpu::Device,
        entry_point: &str,
        format: wgpu::TextureFormat,
        extra: Option<&wgpu::BindGroupLayout>,
        constants: &[(&str, f64)],
    ) -> wgpu::RenderPipeline {
        let layouts: Vec<&wgpu::BindGroupLayout> = match extra {
            Some(extra) => vec![&self.layout, extra],
            None => vec![&self.layout],
        };
        full_screen_pipeline(
            device,
            &self.module,
            &layouts,
            entry_point,
            format,
            constants,
        )
    }

    /// A pass reading `source` through the linear sampler, with its own uniform.
    pub(super) fn pass(&self, device: &wgpu::Device, label: &str, source: &Surface2d) -> PostPass {
        let post_size = size_of::<PostUniform>() as u64;
        let uniform = buffer(device, label, post_size, wgpu::BufferUsages::UNIFORM);
        let group = group(
            device,
            label,
            &self.layout,
            &[
                wgpu::BindingResource::TextureView(&source.view),
                wgpu::BindingResource::Sampler(&self.sampler),
                uniform.as_entire_binding(),
            ],
        );
        PostPass { uniform, group }
    }
}

fn full_screen_pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    layouts: &[&wgpu::BindGroupLayout],
    entry_point: &str,
    format: wgpu::TextureFormat,
    constants: &[(&str, f64)],
) -> wgpu::RenderPipeline {
    render_pipeline(
        device,
        &PipelineDesc {
            label: entry_point,
            module,
            layouts,
            entries: ("full_screen", entry_point),
            buffers: &[],
            format,
            blend: None,
            topology: wgpu::PrimitiveTopology::TriangleList,
            constants,
        },
    )
}

/// One post pass: its uniform and its bind group (source, sampler, uniform).
#[derive(Debug)]
pub(super) struct PostPass {
    uniform: wgpu::Buffer,
    pub(super) group: wgpu::BindGroup,
}

impl PostPass {
    /// Writes the pass's uniform: the frame's post `settings` and its `direction` (the step
    /// between taps, then the source's texel size).
    pub(super) fn write(&self, queue: &wgpu::Queue, settings: [f32; 4], direction: [f32; 4]) {
        let uniform = PostUniform {
            settings,
            direction,
        };
        queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(&uniform));
    }
}
