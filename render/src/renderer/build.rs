//! Creating every resource of a renderer: layouts, shaders, pipelines, textures, buffers and
//! bind groups.

use super::*;

impl WgpuRenderer {
    #[allow(clippy::too_many_lines)] // one place that creates every resource
    pub(super) fn build(
        gpu: Arc<Gpu>,
        settings: Settings,
        atlas: AtlasBuilder,
        target: Target,
        format: wgpu::TextureFormat,
    ) -> Result<Self, RenderError> {
        let atlas = atlas.build(1_024)?;
        let device = &gpu.device;
        let size = (settings.width.max(1), settings.height.max(1));
        let scale = settings.light_scale.max(1);
        let all =
            wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT | wgpu::ShaderStages::COMPUTE;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let compute = wgpu::ShaderStages::COMPUTE;
        let filtering = wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering);
        let layouts = Layouts {
            camera: layout(device, "camera", &[entry(0, all, uniform_type())]),
            atlas: layout(
                device,
                "atlas",
                &[
                    entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                    entry(1, fragment, filtering),
                ],
            ),
            post: layout(
                device,
                "post",
                &[
                    entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                    entry(1, fragment, filtering),
                    entry(2, fragment, uniform_type()),
                ],
            ),
            finish_extra: layout(
                device,
                "finish extra",
                &[
                    entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                    entry(1, fragment, texture_type(wgpu::TextureViewDimension::D3)),
                ],
            ),
        };
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
        let shadow_layout = layout(
            device,
            "shadows",
            &[
                entry(0, compute, storage_type(true)),
                entry(1, compute, storage_type(true)),
                entry(2, compute, uniform_type()),
                entry(3, compute, storage_type(false)),
            ],
        );
        let light_layout = layout(
            device,
            "lights",
            &[
                entry(0, wgpu::ShaderStages::VERTEX | fragment, storage_type(true)),
                entry(1, fragment, storage_type(true)),
            ],
        );
        let light_map_layout = layout(
            device,
            "light map",
            &[
                entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                entry(1, fragment, filtering),
            ],
        );

        // The light record and the shadow map's resolution, shared by two shaders.
        let light = include_str!("../shaders/light.wgsl");
        let sprite_module = shader(device, "sprite", &[include_str!("../shaders/sprite.wgsl")]);
        let instance_layout = wgpu::VertexBufferLayout {
            array_stride: size_of::<Instance>() as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &wgpu::vertex_attr_array![
                0 => Float32x2, 1 => Float32x2, 2 => Float32, 3 => Float32, 4 => Float32x4, 5 => Float32x4
            ],
        };
        let strip = wgpu::PrimitiveTopology::TriangleStrip;
        let triangles = wgpu::PrimitiveTopology::TriangleList;
        let alpha = Some(wgpu::BlendState::ALPHA_BLENDING);
        let sprite = |format| {
            render_pipeline(
                device,
                "sprites",
                &sprite_module,
                &[&layouts.camera, &layouts.atlas],
                ("vs", "fs"),
                &[Some(instance_layout.clone())],
                format,
                alpha,
                strip,
                &[],
            )
        };
        let post_module = shader(device, "post", &[include_str!("../shaders/post.wgsl")]);
        let post = |entry: &str, format, extra: bool, constants: &[(&str, f64)]| {
            let layouts: Vec<&wgpu::BindGroupLayout> = if extra {
                vec![&layouts.post, &layouts.finish_extra]
            } else {
                vec![&layouts.post]
            };
            render_pipeline(
                device,
                entry,
                &post_module,
                &layouts,
                ("full_screen", entry),
                &[],
                format,
                None,
                triangles,
                constants,
            )
        };
        // The finish pass in four variants (bloom, grading, each on or off): on software
        // rasterizers an untaken branch still costs (~0.5 ms each at 640×360).
        let finish =
            [(false, false), (true, false), (false, true), (true, true)].map(|(bloom, grade)| {
                let flag = |on: bool| if on { 1.0 } else { 0.0 };
                post(
                    "finish",
                    format,
                    true,
                    &[("bloom_on", flag(bloom)), ("grade_on", flag(grade))],
                )
            });
        let particle_module = shader(
            device,
            "particles",
            &[include_str!("../shaders/particles.wgsl")],
        );
        let splat_module = shader(device, "splats", &[include_str!("../shaders/splats.wgsl")]);
        let shadow_module = shader(
            device,
            "shadows",
            &[light, include_str!("../shaders/shadows.wgsl")],
        );
        let light_module = shader(
            device,
            "lights",
            &[light, include_str!("../shaders/lights.wgsl")],
        );
        let pipelines = Pipelines {
            sprite_hdr: sprite(HDR),
            sprite_out: sprite(format),
            particles: compute_pipeline(
                device,
                "particles",
                &particle_module,
                &[&particle_layout],
                "step",
            ),
            splats: render_pipeline(
                device,
                "splats",
                &splat_module,
                &[&splat_layout],
                ("full_screen", "composite"),
                &[],
                HDR,
                Some(ADDITIVE),
                triangles,
                &[],
            ),
            shadows: compute_pipeline(
                device,
                "shadows",
                &shadow_module,
                &[&shadow_layout],
                "shadow_map",
            ),
            lights: render_pipeline(
                device,
                "lights",
                &light_module,
                &[&layouts.camera, &light_layout],
                ("light_quad", "light_pixel"),
                &[],
                HDR,
                Some(ADDITIVE),
                strip,
                &[],
            ),
            sprite_lit: render_pipeline(
                device,
                "lit sprites",
                &sprite_module,
                &[&layouts.camera, &layouts.atlas, &light_map_layout],
                ("vs", "fs_lit"),
                &[Some(instance_layout.clone())],
                HDR,
                alpha,
                strip,
                &[],
            ),
            bright: post("bright", HDR, false, &[]),
            blur: post("blur", HDR, false, &[]),
            finish,
            fxaa: post("fxaa", format, false, &[]),
        };

        let sampler_linear = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("linear"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            address_mode_w: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..wgpu::SamplerDescriptor::default()
        });
        let sampler_nearest = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("nearest"),
            ..wgpu::SamplerDescriptor::default()
        });
        let atlas_texture = upload_texture(&gpu, "atlas", &atlas.image);
        let atlas_view = atlas_texture.create_view(&wgpu::TextureViewDescriptor::default());
        let atlas_group = group(
            device,
            "atlas",
            &layouts.atlas,
            &[
                wgpu::BindingResource::TextureView(&atlas_view),
                wgpu::BindingResource::Sampler(&sampler_nearest),
            ],
        );
        let uniform = wgpu::BufferUsages::UNIFORM;
        let storage = wgpu::BufferUsages::STORAGE;
        let camera_size = size_of::<CameraUniform>() as u64;
        let camera_world = buffer(device, "camera", camera_size, uniform);
        let camera_ui = buffer(device, "camera ui", camera_size, uniform);
        let camera_ambient = buffer(device, "camera ambient", camera_size, uniform);
        let camera_ambient_group = group(
            device,
            "camera ambient",
            &layouts.camera,
            &[camera_ambient.as_entire_binding()],
        );
        let camera_world_group = group(
            device,
            "camera",
            &layouts.camera,
            &[camera_world.as_entire_binding()],
        );
        let camera_ui_group = group(
            device,
            "camera ui",
            &layouts.camera,
            &[camera_ui.as_entire_binding()],
        );
        let instances = buffer(
            device,
            "instances",
            1_024 * size_of::<Instance>() as u64,
            wgpu::BufferUsages::VERTEX,
        );

        let lit = Surface2d::new(device, "lit", size, HDR);
        let scratch = Surface2d::new(device, "scratch", size, HDR);
        let light_map = Surface2d::new(
            device,
            "light map",
            (size.0.div_ceil(scale), size.1.div_ceil(scale)),
            HDR,
        );
        let quarter = (size.0.div_ceil(4), size.1.div_ceil(4));
        let bloom_a = Surface2d::new(device, "bloom a", quarter, HDR);
        let bloom_b = Surface2d::new(device, "bloom b", quarter, HDR);
        let ldr = Surface2d::new(device, "ldr", size, format);
        let light_map_group = group(
            device,
            "light map",
            &light_map_layout,
            &[
                wgpu::BindingResource::TextureView(&light_map.view),
                wgpu::BindingResource::Sampler(&sampler_linear),
            ],
        );
        let post_size = size_of::<PostUniform>() as u64;
        let pass = |label: &str, source: &Surface2d| {
            let uniform = buffer(device, label, post_size, wgpu::BufferUsages::UNIFORM);
            let group = group(
                device,
                label,
                &layouts.post,
                &[
                    wgpu::BindingResource::TextureView(&source.view),
                    wgpu::BindingResource::Sampler(&sampler_linear),
                    uniform.as_entire_binding(),
                ],
            );
            PostPass { uniform, group }
        };
        let bright = pass("bright", &lit);
        let bloom_h = pass("bloom h", &bloom_a);
        let bloom_v = pass("bloom v", &bloom_b);
        let blur_h = pass("blur h", &lit);
        let blur_v = pass("blur v", &scratch);
        let finish = pass("finish", &lit);
        let fxaa = pass("fxaa", &ldr);

        let luts: Vec<wgpu::Texture> = [
            Grading::Neutral,
            Grading::Warm,
            Grading::Night,
            Grading::Sepia,
        ]
        .into_iter()
        .map(|look| upload_lut(&gpu, &built_in_lut(look)))
        .collect();
        let finish_extras = luts
            .iter()
            .map(|lut| finish_extra_group(device, &layouts.finish_extra, &bloom_a, lut))
            .collect();

        let limit = u64::from(settings.particle_limit.max(1));
        let particles = buffer(
            device,
            "particles",
            limit * size_of::<Particle>() as u64,
            storage,
        );
        let sim = buffer(device, "sim", size_of::<SimUniform>() as u64, uniform);
        let accum = buffer(
            device,
            "splat accumulation",
            u64::from(size.0) * u64::from(size.1) * 12,
            storage,
        );
        let particle_group = group(
            device,
            "particles",
            &particle_layout,
            &[
                particles.as_entire_binding(),
                sim.as_entire_binding(),
                accum.as_entire_binding(),
                camera_world.as_entire_binding(),
            ],
        );
        let splat_group = group(
            device,
            "splats",
            &splat_layout,
            &[accum.as_entire_binding(), sim.as_entire_binding()],
        );
        let max_lights = u64::from(settings.max_lights.max(1));
        let lights = buffer(
            device,
            "lights",
            max_lights * size_of::<LightGpu>() as u64,
            storage,
        );
        let occluders = buffer(
            device,
            "occluders",
            u64::from(settings.max_occluders.max(1)) * 16,
            storage,
        );
        let counts = buffer(device, "light counts", size_of::<Counts>() as u64, uniform);
        let shadow_maps = buffer(
            device,
            "shadow maps",
            max_lights * u64::from(SHADOW_RES) * 4,
            storage,
        );
        let shadow_group = group(
            device,
            "shadows",
            &shadow_layout,
            &[
                lights.as_entire_binding(),
                occluders.as_entire_binding(),
                counts.as_entire_binding(),
                shadow_maps.as_entire_binding(),
            ],
        );
        let light_group = group(
            device,
            "lights",
            &light_layout,
            &[lights.as_entire_binding(), shadow_maps.as_entire_binding()],
        );

        let pool = ParticlePool::new(settings.particle_limit);
        let renderer = Self {
            settings,
            target,
            format,
            atlas,
            pipelines,
            layouts,
            sampler_linear,
            atlas_group,
            camera_world,
            camera_ambient,
            camera_ui,
            camera_world_group,
            camera_ambient_group,
            camera_ui_group,
            instances,
            lit,
            scratch,
            light_map,
            bloom_a,
            bloom_b,
            ldr,
            light_map_group,
            bright,
            bloom_h,
            bloom_v,
            blur_h,
            blur_v,
            finish,
            fxaa,
            finish_extras,
            luts,
            particles,
            sim,
            accum,
            particle_group,
            splat_group,
            lights,
            occluders,
            shadow_layout,
            shadow_maps,
            counts,
            shadow_group,
            light_group,
            capture: false,
            captured: None,
            pool,
            clock: 0.0,
            gpu,
        };
        if let Some(error) = renderer.gpu.take_error() {
            return Err(error);
        }
        Ok(renderer)
    }
}
