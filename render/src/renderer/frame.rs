//! One frame: the uploads, then the passes in order (particles and shadows, light map, lit,
//! bloom, blur, finish, FXAA, UI), then presenting.

use trystero_core::render::{Frame, FrameStats, ImageId, Plan, RenderError, Renderer, plan};

use super::bloom::texel;
use super::{WgpuRenderer, lights, output, shadows, ui};

/// What a frame's uploads found it needs.
#[derive(Debug, Clone, Copy)]
struct Work {
    /// Particles lived at the start of the frame: the step must run (the step that ends a
    /// particle must run, or the GPU would keep it alive).
    particles: bool,
    /// Lights drawn.
    lights: u32,
}

impl Renderer for WgpuRenderer {
    fn image(&self, name: &str) -> Option<ImageId> {
        self.atlas.id(name)
    }

    fn size(&self) -> (u32, u32) {
        (self.settings.width, self.settings.height)
    }

    fn render(&mut self, frame: &Frame) -> Result<FrameStats, RenderError> {
        if let Some(error) = self.gpu.take_error() {
            return Err(error);
        }
        let screen = (self.settings.width.max(1), self.settings.height.max(1));
        #[allow(clippy::cast_precision_loss)] // screen sizes
        let plan = plan(frame, screen.0 as f32, screen.1 as f32, |_| 0);
        let work = self.upload(frame, &plan, screen);
        let (surface_texture, output) = output::acquire(&self.target)?;
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        self.encode(&mut encoder, frame, &plan, &output, work);
        self.gpu.queue.submit([encoder.finish()]);
        self.present(surface_texture)?;
        if let Some(error) = self.gpu.take_error() {
            return Err(error);
        }
        Ok(FrameStats {
            draw_calls: u32::try_from(plan.batches.len()).unwrap_or(u32::MAX),
            sprites_drawn: u32::try_from(plan.order.len()).unwrap_or(u32::MAX),
            sprites_culled: plan.culled,
            particles: self.particles.pool.alive(),
            lights: work.lights,
        })
    }
}

impl WgpuRenderer {
    /// Writes what the passes read this frame: sprite instances, cameras, particles (spawned,
    /// then the clock moves on by dt, as the step does), lights with their occluders, the post
    /// passes' uniforms.
    fn upload(&mut self, frame: &Frame, plan: &Plan, screen: (u32, u32)) -> Work {
        let queue = &self.gpu.queue;
        self.sprites.upload(&self.gpu, frame, plan, &self.atlas);
        self.cameras.write(queue, frame, screen, self.clock);
        let particles = self.particles.spawn(queue, &frame.effects, self.clock);
        let dt = frame.dt.max(0.0);
        self.clock += f64::from(dt);
        self.particles.advance(queue, dt, self.clock, screen);
        // Lights, each with the occluders within its reach (a run of the occluder buffer).
        let segments = shadows::segments(frame, self.settings.max_occluders);
        let (records, runs) = lights::records(frame, self.settings.max_lights, &segments);
        let light_count = u32::try_from(records.len()).unwrap_or(0);
        self.shadows.upload(
            &self.gpu.device,
            queue,
            &runs,
            light_count,
            &self.lights.records,
        );
        self.lights.upload(queue, &records);
        self.write_post(frame, screen);
        Work {
            particles,
            lights: light_count,
        }
    }

    /// The post passes' uniforms.
    fn write_post(&self, frame: &Frame, screen: (u32, u32)) {
        let post = frame.post;
        let settings = [
            post.bloom,
            post.bloom_threshold,
            post.grading_strength.clamp(0.0, 1.0),
            post.blur,
        ];
        let full = texel(screen);
        let queue = &self.gpu.queue;
        self.bloom.write(queue, settings, full);
        self.blur.write(queue, settings, full);
        self.finish.write(queue, settings, full);
        self.fxaa.write(queue, settings, full);
    }

    /// The passes in order, ending in `output`.
    fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        frame: &Frame,
        plan: &Plan,
        output: &wgpu::TextureView,
        work: Work,
    ) {
        let post = &frame.post;
        if work.particles {
            self.particles.clear(encoder);
        }
        self.encode_compute(encoder, work);
        // With lights: the light map first, then the scene drawn straight into the lit picture,
        // each sprite fragment times the light map there. Without: its colours times the
        // ambient light.
        let lighting = work.lights > 0;
        if lighting {
            self.lights.encode(
                encoder,
                frame.ambient,
                &self.cameras.world_group,
                work.lights,
            );
        }
        self.encode_lit(encoder, frame, plan, lighting, work.particles);
        if post.bloom > 0.0 {
            self.bloom.encode(encoder, &self.post.blur);
        }
        if post.blur > 0.0 {
            self.blur.encode(encoder, &self.post.blur, &self.lit);
        }
        let finish_view = if post.antialias {
            &self.fxaa.ldr.view
        } else {
            output
        };
        self.finish.encode(encoder, post, finish_view);
        if post.antialias {
            self.fxaa.encode(encoder, output);
        }
        ui::encode(encoder, output, &self.sprites, plan, &self.cameras.ui_group);
    }

    /// One compute pass: the particle step, then the shadow maps.
    fn encode_compute(&self, encoder: &mut wgpu::CommandEncoder, work: Work) {
        let mut compute = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("particles and shadows"),
            timestamp_writes: None,
        });
        if work.particles {
            self.particles.dispatch(&mut compute);
        }
        if work.lights > 0 {
            self.shadows.dispatch(&mut compute, work.lights);
        }
    }
}
