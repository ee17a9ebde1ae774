//! The particles: their buffer, the compute step (which also splats them into an
//! accumulation buffer), and the composite that adds the splats to the lit picture.

use trystero_core::render::Effect;

use super::HDR;
use super::uniforms::SimUniform;
use crate::gpu_util::{
    ADDITIVE, PipelineDesc, buffer, compute_pipeline, entry, group, layout, render_pipeline,
    shader, storage_type, uniform_type,
};
use crate::particles::{Particle, ParticlePool};

#[derive(Debug)]
pub(super) struct Particles {
    step: wgpu::ComputePipeline,
    splats: wgpu::RenderPipeline,
    particles: wgpu::Buffer,
    sim: wgpu::Buffer,
    accum: wgpu::Buffer,
    group: wgpu::BindGroup,
    splat_group: wgpu::BindGroup,
    /// Particle slots and deaths.
    pub(super) pool: ParticlePool,
}

impl Particles {
    /// Room for `limit` particles splatted on a `size` output, seen by the `camera` buffer.
    pub(super) fn new(
        device: &wgpu::Device,
        limit: u32,
        size: (u32, u32),
        camera: &wgpu::Buffer,
    ) -> Self {
        let compute = wgpu::ShaderStages::COMPUTE;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let particle_layout = layout(
            device,
            "particles",
            &[
                entry(0, compute, storage_type(false)),
                entry(1, compute, uniform_type()),
                entry(2, compute, storage_type(false)),
                entry(3, compute, uniform_type()),
            ],
        );
        let splat_layout = layout(
            device,
            "splats",
            &[
                entry(0, fragment, storage_type(true)),
                entry(1, fragment, uniform_type()),
            ],
        );
        let particle_module = shader(
            device,
            "particles",
            &[include_str!("../shaders/particles.wgsl")],
        );
        let splat_module = shader(device, "splats", &[include_str!("../shaders/splats.wgsl")]);
        let step = compute_pipeline(
            device,
            "particles",
            &particle_module,
            &[&particle_layout],
            "step",
        );
        let splats = render_pipeline(
            device,
            &PipelineDesc {
                label: "splats",
                module: &splat_module,
                layouts: &[&splat_layout],
                entries: ("full_screen", "composite"),
                buffers: &[],
                format: HDR,
                blend: Some(ADDITIVE),
                topology: wgpu::PrimitiveTopology::TriangleList,
                constants: &[],
            },
        );

        let storage = wgpu::BufferUsages::STORAGE;
        let particles = buffer(
            device,
            "particles",
            u64::from(limit.max(1)) * size_of::<Particle>() as u64,
            storage,
        );
        let sim = buffer(
            device,
            "sim",
            size_of::<SimUniform>() as u64,
            wgpu::BufferUsages::UNIFORM,
        );
        let accum = buffer(
            device,
            "splat accumulation",
            u64::from(size.0) * u64::from(size.1) * 12,
            storage,
        );
        let step_group = group(
            device,
            "particles",
            &particle_layout,
            &[
                particles.as_entire_binding(),
                sim.as_entire_binding(),
                accum.as_entire_binding(),
                camera.as_entire_binding(),
            ],
        );
        let splat_group = group(
            device,
            "splats",
            &splat_layout,
            &[accum.as_entire_binding(), sim.as_entire_binding()],
        );
        Self {
            step,
            splats,
            particles,
            sim,
            accum,
            group: step_group,
            splat_group,
            pool: ParticlePool::new(limit),
        }
    }

    /// Starts `effects` (those at a finite place) at `clock`. Whether any particle lives now:
    /// then the step must run this frame, for the step that ends a particle must run or the
    /// GPU would keep it alive.
    pub(super) fn spawn(&mut self, queue: &wgpu::Queue, effects: &[Effect], clock: f64) -> bool {
        for effect in effects
            .iter()
            .filter(|e| e.x.is_finite() && e.y.is_finite())
        {
            self.pool.spawn(effect, clock, queue, &self.particles);
        }
        self.pool.alive() > 0
    }

    /// Ends the particles dead at `clock` (the clock after this frame) and writes the step's
    /// uniform: `dt` on a `width` × `height` output.
    pub(super) fn advance(
        &mut self,
        queue: &wgpu::Queue,
        dt: f32,
        clock: f64,
        (width, height): (u32, u32),
    ) {
        self.pool.expire(clock);
        let sim = SimUniform {
            dt,
            count: self.pool.used(),
            width,
            height,
        };
        queue.write_buffer(&self.sim, 0, bytemuck::bytes_of(&sim));
    }

    /// Clears the splat accumulation before the step.
    pub(super) fn clear(&self, encoder: &mut wgpu::CommandEncoder) {
        encoder.clear_buffer(&self.accum, 0, None);
    }

    /// The step: moves every used slot and splats the live particles.
    pub(super) fn dispatch(&self, compute: &mut wgpu::ComputePass<'_>) {
        compute.set_pipeline(&self.step);
        compute.set_bind_group(0, &self.group, &[]);
        compute.dispatch_workgroups(self.pool.used().div_ceil(256), 1, 1);
    }

    /// Adds the splats to the picture `pass` draws.
    pub(super) fn composite(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.splats);
        pass.set_bind_group(0, &self.splat_group, &[]);
        pass.draw(0..3, 0..1);
    }
}
