//! One frame: uploads, the compute and render passes in order, presenting.

use super::*;

/// Whether segment `s` (x0, y0, x1, y1) comes within `radius` of `centre`.
fn near_segment(centre: [f32; 2], radius: f32, s: &[f32; 4]) -> bool {
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

pub(super) fn finite(value: f32) -> f32 {
    if value.is_finite() { value } else { 0.0 }
}

/// A colour with every non-finite channel made 0 (a NaN would spread through bloom and blur).
fn finite_color(color: Color) -> Color {
    Color::rgba(
        finite(color.r),
        finite(color.g),
        finite(color.b),
        finite(color.a),
    )
}

fn color_of(color: Color) -> wgpu::Color {
    let color = finite_color(color);
    wgpu::Color {
        r: f64::from(color.r),
        g: f64::from(color.g),
        b: f64::from(color.b),
        a: f64::from(color.a),
    }
}

fn pass<'a>(
    encoder: &'a mut wgpu::CommandEncoder,
    label: &str,
    view: &'a wgpu::TextureView,
    clear: Option<wgpu::Color>,
) -> wgpu::RenderPass<'a> {
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: clear.map_or(wgpu::LoadOp::Load, wgpu::LoadOp::Clear),
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}

impl Renderer for WgpuRenderer {
    fn image(&self, name: &str) -> Option<ImageId> {
        self.atlas.id(name)
    }

    fn size(&self) -> (u32, u32) {
        (self.settings.width, self.settings.height)
    }

    #[allow(clippy::too_many_lines, clippy::cast_precision_loss)] // the frame's passes, in order
    fn render(&mut self, frame: &Frame) -> Result<FrameStats, RenderError> {
        if let Some(error) = self.gpu.take_error() {
            return Err(error);
        }
        let (width, height) = (self.settings.width.max(1), self.settings.height.max(1));
        let (w, h) = (width as f32, height as f32);
        let plan = plan(frame, w, h, |_| 0);
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
                    uv: self.atlas.uv(sprite.image, sprite.frame),
                    tint: [tint.r, tint.g, tint.b, tint.a],
                }
            })
            .collect();
        let device = &self.gpu.device;
        let queue = &self.gpu.queue;
        // The buffers grow (to a power of two) when a frame needs more than they hold.
        let instance_bytes = size_of::<Instance>() as u64;
        if instances.len() as u64 * instance_bytes > self.instances.size() {
            let capacity = (instances.len() as u64).next_power_of_two();
            self.instances = buffer(
                device,
                "instances",
                capacity * instance_bytes,
                wgpu::BufferUsages::VERTEX,
            );
        }
        if !instances.is_empty() {
            queue.write_buffer(&self.instances, 0, bytemuck::cast_slice(&instances));
        }
        let screen = (width, height);
        for (buffer, ui, tint) in [
            (&self.camera_world, false, Color::WHITE),
            (&self.camera_ambient, false, frame.ambient),
            (&self.camera_ui, true, Color::WHITE),
        ] {
            let camera = self.camera(&frame.view, ui, tint, screen);
            queue.write_buffer(buffer, 0, bytemuck::bytes_of(&camera));
        }

        // Particles: spawn, then the clock moves on by dt (as the step below does).
        for effect in frame
            .effects
            .iter()
            .filter(|e| e.x.is_finite() && e.y.is_finite())
        {
            self.pool
                .spawn(effect, self.clock, &self.gpu.queue, &self.particles);
        }
        // Step the particles on the GPU while any lived at the start of this frame: the step
        // that ends a particle must run, or the GPU would keep it alive.
        let particles_on = self.pool.alive() > 0;
        let dt = frame.dt.max(0.0);
        self.clock += f64::from(dt);
        self.pool.expire(self.clock);
        let device = &self.gpu.device;
        let queue = &self.gpu.queue;
        let sim = SimUniform {
            dt,
            count: self.pool.used(),
            width,
            height,
        };
        queue.write_buffer(&self.sim, 0, bytemuck::bytes_of(&sim));

        // Lights, each with the occluders within its reach (a run of the occluder buffer).
        let segments: Vec<[f32; 4]> = frame
            .occluders
            .iter()
            .map(|o| [o.a[0], o.a[1], o.b[0], o.b[1]])
            .filter(|s| s.iter().all(|c| c.is_finite()))
            .take(self.settings.max_occluders as usize)
            .collect();
        let mut runs: Vec<[f32; 4]> = Vec::new();
        let lights: Vec<LightGpu> = frame
            .lights
            .iter()
            .filter(|l| l.x.is_finite() && l.y.is_finite() && l.radius.is_finite())
            .take(self.settings.max_lights as usize)
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
        if runs.len() as u64 * 16 > self.occluders.size() {
            let capacity = (runs.len() as u64).next_power_of_two();
            self.occluders = buffer(
                &self.gpu.device,
                "occluders",
                capacity * 16,
                wgpu::BufferUsages::STORAGE,
            );
            self.shadow_group = group(
                &self.gpu.device,
                "shadows",
                &self.shadow_layout,
                &[
                    self.lights.as_entire_binding(),
                    self.occluders.as_entire_binding(),
                    self.counts.as_entire_binding(),
                    self.shadow_maps.as_entire_binding(),
                ],
            );
        }
        let queue = &self.gpu.queue;
        if !lights.is_empty() {
            queue.write_buffer(&self.lights, 0, bytemuck::cast_slice(&lights));
        }
        if !runs.is_empty() {
            queue.write_buffer(&self.occluders, 0, bytemuck::cast_slice(&runs));
        }
        let light_count = u32::try_from(lights.len()).unwrap_or(0);
        let counts = Counts {
            lights: light_count,
            pad: [0; 3],
        };
        queue.write_buffer(&self.counts, 0, bytemuck::bytes_of(&counts));

        // Post settings.
        let post = frame.post;
        let texel = |size: (u32, u32)| [1.0 / size.0.max(1) as f32, 1.0 / size.1.max(1) as f32];
        let full = texel((width, height));
        let quarter = texel((self.bloom_a.texture.width(), self.bloom_a.texture.height()));
        let settings = [
            post.bloom,
            post.bloom_threshold,
            post.grading_strength.clamp(0.0, 1.0),
            post.blur,
        ];
        self.write_post(&self.bright, settings, [0.0, 0.0, full[0], full[1]]);
        self.write_post(
            &self.bloom_h,
            settings,
            [quarter[0] * 1.5, 0.0, quarter[0], quarter[1]],
        );
        self.write_post(
            &self.bloom_v,
            settings,
            [0.0, quarter[1] * 1.5, quarter[0], quarter[1]],
        );
        let spread = post.blur / 4.0;
        self.write_post(
            &self.blur_h,
            settings,
            [full[0] * spread, 0.0, full[0], full[1]],
        );
        self.write_post(
            &self.blur_v,
            settings,
            [0.0, full[1] * spread, full[0], full[1]],
        );
        self.write_post(&self.finish, settings, [0.0, 0.0, full[0], full[1]]);
        self.write_post(&self.fxaa, settings, [0.0, 0.0, full[0], full[1]]);
        let lut = match post.grading {
            Grading::Neutral => 0,
            Grading::Warm => 1,
            Grading::Night => 2,
            Grading::Sepia => 3,
            Grading::Custom(index) => 4 + index as usize,
        };
        let finish_extra = self
            .finish_extras
            .get(lut)
            .unwrap_or(&self.finish_extras[0]);

        // The output.
        let surface_texture = match &self.target {
            Target::Offscreen(_) => None,
            Target::Window(surface, _) => match surface.get_current_texture() {
                wgpu::CurrentSurfaceTexture::Success(texture)
                | wgpu::CurrentSurfaceTexture::Suboptimal(texture) => Some(texture),
                other => return Err(RenderError::Surface(format!("no frame to draw: {other:?}"))),
            },
        };
        let output_view = match (&self.target, &surface_texture) {
            (_, Some(texture)) => texture
                .texture
                .create_view(&wgpu::TextureViewDescriptor::default()),
            (Target::Offscreen(texture), None) => {
                texture.create_view(&wgpu::TextureViewDescriptor::default())
            }
            (Target::Window(..), None) => return Err(RenderError::Surface("no frame".into())),
        };

        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("frame"),
        });
        if particles_on {
            encoder.clear_buffer(&self.accum, 0, None);
        }
        {
            let mut compute = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("particles and shadows"),
                timestamp_writes: None,
            });
            if particles_on {
                compute.set_pipeline(&self.pipelines.particles);
                compute.set_bind_group(0, &self.particle_group, &[]);
                compute.dispatch_workgroups(self.pool.used().div_ceil(256), 1, 1);
            }
            if light_count > 0 {
                compute.set_pipeline(&self.pipelines.shadows);
                compute.set_bind_group(0, &self.shadow_group, &[]);
                compute.dispatch_workgroups(SHADOW_RES / 64, light_count, 1);
            }
        }
        let draw_layers = |pass: &mut wgpu::RenderPass<'_>,
                           layers: &[Layer],
                           pipeline: &wgpu::RenderPipeline,
                           camera: &wgpu::BindGroup| {
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
        };
        // With lights: the light map first, then the scene drawn straight into the lit picture,
        // each sprite fragment times the light map there. Without: its colours times the
        // ambient light. Either way the clear colour gets the ambient light only.
        let lighting = light_count > 0;
        if lighting {
            let mut light = pass(
                &mut encoder,
                "lights",
                &self.light_map.view,
                Some(color_of(frame.ambient)),
            );
            light.set_pipeline(&self.pipelines.lights);
            light.set_bind_group(0, &self.camera_world_group, &[]);
            light.set_bind_group(1, &self.light_group, &[]);
            light.draw(0..8, 0..light_count);
        }
        {
            let (c, a) = (frame.clear, frame.ambient);
            let clear = color_of(Color::rgba(c.r * a.r, c.g * a.g, c.b * a.b, c.a));
            let mut lit = pass(&mut encoder, "lit", &self.lit.view, Some(clear));
            if lighting {
                lit.set_bind_group(2, &self.light_map_group, &[]);
                draw_layers(
                    &mut lit,
                    &[Layer::Background, Layer::Game],
                    &self.pipelines.sprite_lit,
                    &self.camera_world_group,
                );
            } else {
                draw_layers(
                    &mut lit,
                    &[Layer::Background, Layer::Game],
                    &self.pipelines.sprite_hdr,
                    &self.camera_ambient_group,
                );
            }
            draw_layers(
                &mut lit,
                &[Layer::Effects],
                &self.pipelines.sprite_hdr,
                &self.camera_world_group,
            );
            if particles_on {
                lit.set_pipeline(&self.pipelines.splats);
                lit.set_bind_group(0, &self.splat_group, &[]);
                lit.draw(0..3, 0..1);
            }
        }
        let full_screen = |encoder: &mut wgpu::CommandEncoder,
                           label: &str,
                           view: &wgpu::TextureView,
                           pipeline: &wgpu::RenderPipeline,
                           groups: &[&wgpu::BindGroup]| {
            let mut p = pass(encoder, label, view, Some(wgpu::Color::BLACK));
            p.set_pipeline(pipeline);
            for (index, g) in groups.iter().enumerate() {
                p.set_bind_group(u32::try_from(index).unwrap_or(0), *g, &[]);
            }
            p.draw(0..3, 0..1);
        };
        if post.bloom > 0.0 {
            full_screen(
                &mut encoder,
                "bright",
                &self.bloom_a.view,
                &self.pipelines.bright,
                &[&self.bright.group],
            );
            full_screen(
                &mut encoder,
                "bloom h",
                &self.bloom_b.view,
                &self.pipelines.blur,
                &[&self.bloom_h.group],
            );
            full_screen(
                &mut encoder,
                "bloom v",
                &self.bloom_a.view,
                &self.pipelines.blur,
                &[&self.bloom_v.group],
            );
        }
        if post.blur > 0.0 {
            full_screen(
                &mut encoder,
                "blur h",
                &self.scratch.view,
                &self.pipelines.blur,
                &[&self.blur_h.group],
            );
            full_screen(
                &mut encoder,
                "blur v",
                &self.lit.view,
                &self.pipelines.blur,
                &[&self.blur_v.group],
            );
        }
        let bloom_on = post.bloom > 0.0;
        let grade_on = post.grading_strength > 0.0;
        let finish_view = if post.antialias {
            &self.ldr.view
        } else {
            &output_view
        };
        full_screen(
            &mut encoder,
            "finish",
            finish_view,
            &self.pipelines.finish[usize::from(bloom_on) | usize::from(grade_on) << 1],
            &[&self.finish.group, finish_extra],
        );
        if post.antialias {
            full_screen(
                &mut encoder,
                "fxaa",
                &output_view,
                &self.pipelines.fxaa,
                &[&self.fxaa.group],
            );
        }
        if plan.batches.iter().any(|batch| batch.layer == Layer::Ui) {
            let mut ui = pass(&mut encoder, "ui", &output_view, None);
            draw_layers(
                &mut ui,
                &[Layer::Ui],
                &self.pipelines.sprite_out,
                &self.camera_ui_group,
            );
        }
        queue.submit([encoder.finish()]);
        if let Some(texture) = surface_texture {
            if std::mem::take(&mut self.capture) {
                let mut image = read_texture(&self.gpu, &texture.texture)?;
                if matches!(
                    self.format,
                    wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
                ) {
                    for pixel in image.pixels.chunks_exact_mut(4) {
                        pixel.swap(0, 2);
                    }
                }
                self.captured = Some(image);
            }
            self.gpu.queue.present(texture);
        }
        if let Some(error) = self.gpu.take_error() {
            return Err(error);
        }
        Ok(FrameStats {
            draw_calls: u32::try_from(plan.batches.len()).unwrap_or(u32::MAX),
            sprites_drawn: u32::try_from(plan.order.len()).unwrap_or(u32::MAX),
            sprites_culled: plan.culled,
            particles: self.pool.alive(),
            lights: light_count,
        })
    }
}
