//! What the sprite passes share: the atlas's bind group, the instance buffer (one record per
//! sprite of the plan, in its order), the sprite pipelines (into HDR; into HDR lit by the light
//! map; into the output format, for the UI) and drawing a plan's batches.

use trystero_core::render::{Frame, Layer, Plan};

use super::HDR;
use super::common::{finite, finite_color};
use super::uniforms::Instance;
use crate::atlas::Atlas;
use crate::gpu::Gpu;
use crate::gpu_util::{
    PipelineDesc, buffer, entry, group, layout, render_pipeline, shader, texture_type,
    upload_texture,
};

#[derive(Debug)]
pub(super) struct Sprites {
    /// Into the HDR picture, colours as they are (times the camera's tint).
    pub(super) hdr: wgpu::RenderPipeline,
    /// Into the output format (the UI).
    pub(super) out: wgpu::RenderPipeline,
    /// Into the HDR picture, each fragment times the light map there.
    pub(super) lit: wgpu::RenderPipeline,
    atlas_group: wgpu::BindGroup,
    instances: wgpu::Buffer,
}

impl Sprites {
    /// The sprite resources for `atlas`; `camera` and `light_map` are the layouts of the
    /// camera's and the light map's groups, `format` the output's.
    pub(super) fn new(
        gpu: &Gpu,
        atlas: &Atlas,
        camera: &wgpu::BindGroupLayout,
        light_map: &wgpu::BindGroupLayout,
        format: wgpu::TextureFormat,
    ) -> Self {
        let device = &gpu.device;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let filtering = wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering);
        let atlas_layout = layout(
            device,
            "atlas",
            &[
                entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                entry(1, fragment, filtering),
            ],
        );
        let module = shader(device, "sprite", &[include_str!("../shaders/sprite.wgsl")]);
        let instance_layout = wgpu::VertexBufferLayout {
            array_stride: size_of::<Instance>() as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &wgpu::vertex_attr_array![
                0 => Float32x2, 1 => Float32x2, 2 => Float32, 3 => Float32, 4 => Float32x4, 5 => Float32x4
            ],
        };
        let pipeline = |label: &str,
                        layouts: &[&wgpu::BindGroupLayout],
                        fragment: &str,
                        format: wgpu::TextureFormat| {
            render_pipeline(
                device,
                &PipelineDesc {
                    label,
                    module: &module,
                    layouts,
                    entries: ("vs", fragment),
                    buffers: &[Some(instance_layout.clone())],
                    format,
                    blend: Some(wgpu::BlendState::ALPHA_BLENDING),
                    topology: wgpu::PrimitiveTopology::TriangleStrip,
                    constants: &[],
                },
            )
        };
        let hdr = pipeline("sprites", &[camera, &atlas_layout], "fs", HDR);
        let out = pipeline("sprites", &[camera, &atlas_layout], "fs", format);
        let lit = pipeline(
            "lit sprites",
            &[camera, &atlas_layout, light_map],
            "fs_lit",
            HDR,
        );

        let sampler_nearest = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("nearest"),
            ..wgpu::SamplerDescriptor::default()
        });
        let atlas_texture = upload_texture(gpu, "atlas", &atlas.image);
        let atlas_view = atlas_texture.create_view(&wgpu::TextureViewDescriptor::default());
        let atlas_group = group(
            device,
            "atlas",
            &atlas_layout,
            &[
                wgpu::BindingResource::TextureView(&atlas_view),
                wgpu::BindingResource::Sampler(&sampler_nearest),
            ],
        );
        let instances = buffer(
            device,
            "instances",
            1_024 * size_of::<Instance>() as u64,
            wgpu::BufferUsages::VERTEX,
        );
        Self {
            hdr,
            out,
            lit,
            atlas_group,
            instances,
        }
    }

    /// Writes the instances of `plan`'s sprites of `frame`, in its order. The buffer grows (to
    /// a power of two) when a frame needs more than it holds.
    pub(super) fn upload(&mut self, gpu: &Gpu, frame: &Frame, plan: &Plan, atlas: &Atlas) {
        let instances: Vec<Instance> = plan
            .order
            .iter()
            .map(|index| {
                let sprite = &frame.sprites[*index as usize];
                // The plan already dropped sprites whose place or size is not finite.
                let tint = finite_color(sprite.tint);
                Instance {
                    centre: [sprite.x, sprite.y],
                    size: [sprite.width, sprite.height],
                    rotation: finite(sprite.rotation),
                    flip: if sprite.flip { 1.0 } else { 0.0 },
                    uv: atlas.uv(sprite.image, sprite.frame),
                    tint: [tint.r, tint.g, tint.b, tint.a],
                }
            })
            .collect();
        let instance_bytes = size_of::<Instance>() as u64;
        if instances.len() as u64 * instance_bytes > self.instances.size() {
            let capacity = (instances.len() as u64).next_power_of_two();
            self.instances = buffer(
                &gpu.device,
                "instances",
                capacity * instance_bytes,
                wgpu::BufferUsages::VERTEX,
            );
        }
        if !instances.is_empty() {
            gpu.queue
                .write_buffer(&self.instances, 0, bytemuck::cast_slice(&instances));
        }
    }

    /// Draws `plan`'s batches of `layers` with `pipeline` and `camera` (binding them before the
    /// first, if any).
    pub(super) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        plan: &Plan,
        layers: &[Layer],
        pipeline: &wgpu::RenderPipeline,
        camera: &wgpu::BindGroup,
    ) {
        let mut bound = false;
        for batch in plan.batches.iter().filter(|b| layers.contains(&b.layer)) {
            if !bound {
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, camera, &[]);
                pass.set_bind_group(1, &self.atlas_group, &[]);
                pass.set_vertex_buffer(0, self.instances.slice(..));
                bound = true;
            }
            let (start, end) = (
                u32::try_from(batch.start).unwrap_or(0),
                u32::try_from(batch.end).unwrap_or(0),
            );
            pass.draw(0..4, start..end);
        }
    }
}
