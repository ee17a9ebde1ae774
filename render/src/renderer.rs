//! The wgpu adapter of the render port: resources, pipelines and the passes of a frame.

use std::sync::Arc;

use bytemuck::{Pod, Zeroable};
use trystero_core::render::{
    Color, Frame, FrameStats, Grading, ImageId, Layer, Light, RenderError, Renderer, View, plan,
};

use crate::atlas::{Atlas, AtlasBuilder};
use crate::gpu::Gpu;
use crate::gpu_util::{
    ADDITIVE, buffer, compute_pipeline, entry, group, layout, read_texture, render_pipeline,
    shader, storage_type, texture_type, uniform_type, upload_lut, upload_texture,
};
use crate::grading::{LUT, built_in_lut};
use crate::image::Image;
use crate::particles::{Particle, ParticlePool};
use crate::sprites;

/// Sizes and limits of a renderer.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// Particles alive at once; the oldest are replaced beyond it.
    pub particle_limit: u32,
    /// The light map is this many times smaller than the output on each side.
    pub light_scale: u32,
    /// Lights drawn a frame (more are dropped, the last first).
    pub max_lights: u32,
    /// Occluder segments a frame (more are dropped).
    pub max_occluders: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            width: 640,
            height: 360,
            particle_limit: 131_072,
            light_scale: 4,
            max_lights: 64,
            max_occluders: 1_024,
        }
    }
}

/// Angles in a light's 1-D shadow map (the shaders' `RES`).
const SHADOW_RES: u32 = 512;
const HDR: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct CameraUniform {
    centre: [f32; 2],
    zoom: f32,
    rotation: f32,
    screen: [f32; 2],
    ui: f32,
    time: f32,
    /// Multiplies sprite colours: the ambient light when a frame has no lights (the light
    /// passes are skipped then), else white.
    tint: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct Instance {
    centre: [f32; 2],
    size: [f32; 2],
    rotation: f32,
    flip: f32,
    uv: [f32; 4],
    tint: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct SimUniform {
    dt: f32,
    count: u32,
    width: u32,
    height: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct LightGpu {
    position: [f32; 2],
    radius: f32,
    shadows: f32,
    color: [f32; 4],
    /// Its occluders: a run of the occluder buffer (those within its radius).
    first: u32,
    count: u32,
    pad: [u32; 2],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct Counts {
    lights: u32,
    pad: [u32; 3],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct PostUniform {
    settings: [f32; 4],
    direction: [f32; 4],
}

/// Where frames go.
#[derive(Debug)]
enum Target {
    /// A texture read back with [`WgpuRenderer::read_pixels`].
    Offscreen(wgpu::Texture),
    /// A window.
    Window(wgpu::Surface<'static>, wgpu::SurfaceConfiguration),
}

/// A render target texture with its view.
#[derive(Debug)]
struct Surface2d {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
}

impl Surface2d {
    fn new(
        device: &wgpu::Device,
        label: &str,
        size: (u32, u32),
        format: wgpu::TextureFormat,
    ) -> Self {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size: wgpu::Extent3d {
                width: size.0.max(1),
                height: size.1.max(1),
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Self { texture, view }
    }
}

/// The pipelines (built once per output format).
#[derive(Debug)]
struct Pipelines {
    sprite_hdr: wgpu::RenderPipeline,
    sprite_out: wgpu::RenderPipeline,
    particles: wgpu::ComputePipeline,
    splats: wgpu::RenderPipeline,
    shadows: wgpu::ComputePipeline,
    lights: wgpu::RenderPipeline,
    /// Sprites lit by the light map (sampled at each fragment).
    sprite_lit: wgpu::RenderPipeline,
    bright: wgpu::RenderPipeline,
    blur: wgpu::RenderPipeline,
    /// By `bloom as usize | (grading as usize) << 1`.
    finish: [wgpu::RenderPipeline; 4],
    fxaa: wgpu::RenderPipeline,
}

/// One post pass: its uniform and its bind group (source, sampler, uniform).
#[derive(Debug)]
struct PostPass {
    uniform: wgpu::Buffer,
    group: wgpu::BindGroup,
}

/// The wgpu renderer: implements [`Renderer`] on an offscreen texture or a window.
#[derive(Debug)]
pub struct WgpuRenderer {
    gpu: Arc<Gpu>,
    settings: Settings,
    target: Target,
    format: wgpu::TextureFormat,
    atlas: Atlas,
    pipelines: Pipelines,
    layouts: Layouts,
    sampler_linear: wgpu::Sampler,
    atlas_group: wgpu::BindGroup,
    camera_world: wgpu::Buffer,
    camera_ambient: wgpu::Buffer,
    camera_ui: wgpu::Buffer,
    camera_world_group: wgpu::BindGroup,
    camera_ambient_group: wgpu::BindGroup,
    camera_ui_group: wgpu::BindGroup,
    instances: wgpu::Buffer,
    instance_capacity: u64,
    lit: Surface2d,
    scratch: Surface2d,
    light_map: Surface2d,
    bloom_a: Surface2d,
    bloom_b: Surface2d,
    ldr: Surface2d,
    /// The light map and its sampler, for the lit sprites.
    light_map_group: wgpu::BindGroup,
    bright: PostPass,
    bloom_h: PostPass,
    bloom_v: PostPass,
    blur_h: PostPass,
    blur_v: PostPass,
    finish: PostPass,
    fxaa: PostPass,
    finish_extras: Vec<wgpu::BindGroup>,
    luts: Vec<wgpu::Texture>,
    particles: wgpu::Buffer,
    sim: wgpu::Buffer,
    accum: wgpu::Buffer,
    particle_group: wgpu::BindGroup,
    splat_group: wgpu::BindGroup,
    lights: wgpu::Buffer,
    occluders: wgpu::Buffer,
    occluder_capacity: u64,
    shadow_layout: wgpu::BindGroupLayout,
    shadow_maps: wgpu::Buffer,
    counts: wgpu::Buffer,
    shadow_group: wgpu::BindGroup,
    light_group: wgpu::BindGroup,
    /// Copy the next window frame back ([`WgpuRenderer::capture_next_frame`]).
    capture: bool,
    captured: Option<Image>,
    /// Particle slots and deaths.
    pool: ParticlePool,
    /// Seconds rendered (the sum of the frames' `dt`).
    clock: f64,
}

#[derive(Debug)]
struct Layouts {
    camera: wgpu::BindGroupLayout,
    atlas: wgpu::BindGroupLayout,
    post: wgpu::BindGroupLayout,
    finish_extra: wgpu::BindGroupLayout,
}

impl WgpuRenderer {
    /// An offscreen renderer with the procedural sprites.
    pub fn offscreen(gpu: Arc<Gpu>, settings: Settings) -> Result<Self, RenderError> {
        let mut atlas = AtlasBuilder::new();
        sprites::add_all(&mut atlas);
        Self::offscreen_with_atlas(gpu, settings, atlas)
    }

    /// An offscreen renderer with an atlas of your own (add [`sprites::add_all`] for the
    /// procedural ones).
    pub fn offscreen_with_atlas(
        gpu: Arc<Gpu>,
        settings: Settings,
        atlas: AtlasBuilder,
    ) -> Result<Self, RenderError> {
        let format = wgpu::TextureFormat::Rgba8UnormSrgb;
        let texture = Surface2d::new(
            &gpu.device,
            "output",
            (settings.width, settings.height),
            format,
        )
        .texture;
        Self::build(gpu, settings, atlas, Target::Offscreen(texture), format)
    }

    /// A renderer presenting to a window surface (made from `gpu.instance`), with the
    /// procedural sprites.
    pub fn for_surface(
        gpu: Arc<Gpu>,
        surface: wgpu::Surface<'static>,
        settings: Settings,
    ) -> Result<Self, RenderError> {
        let capabilities = surface.get_capabilities(&gpu.adapter);
        let format = capabilities
            .formats
            .iter()
            .copied()
            .find(wgpu::TextureFormat::is_srgb)
            .or_else(|| capabilities.formats.first().copied())
            .ok_or_else(|| RenderError::Surface("the surface offers no format".into()))?;
        // Copying frames back (for tests and screenshots) where the surface allows it.
        let copy = capabilities.usages & wgpu::TextureUsages::COPY_SRC;
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | copy,
            format,
            width: settings.width.max(1),
            height: settings.height.max(1),
            present_mode: wgpu::PresentMode::AutoVsync,
            desired_maximum_frame_latency: 2,
            alpha_mode: capabilities
                .alpha_modes
                .first()
                .copied()
                .unwrap_or(wgpu::CompositeAlphaMode::Auto),
            view_formats: vec![],
            color_space: wgpu::SurfaceColorSpace::Auto,
        };
        surface.configure(&gpu.device, &config);
        let mut atlas = AtlasBuilder::new();
        sprites::add_all(&mut atlas);
        Self::build(
            gpu,
            settings,
            atlas,
            Target::Window(surface, config),
            format,
        )
    }

    #[allow(clippy::too_many_lines)] // one place that creates every resource
    fn build(
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
        let light = include_str!("shaders/light.wgsl");
        let sprite_module = shader(device, "sprite", &[include_str!("shaders/sprite.wgsl")]);
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
        let post_module = shader(device, "post", &[include_str!("shaders/post.wgsl")]);
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
            &[include_str!("shaders/particles.wgsl")],
        );
        let splat_module = shader(device, "splats", &[include_str!("shaders/splats.wgsl")]);
        let shadow_module = shader(
            device,
            "shadows",
            &[light, include_str!("shaders/shadows.wgsl")],
        );
        let light_module = shader(
            device,
            "lights",
            &[light, include_str!("shaders/lights.wgsl")],
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
        let instance_capacity = 1_024;
        let instances = buffer(
            device,
            "instances",
            instance_capacity * size_of::<Instance>() as u64,
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
        let occluder_capacity = u64::from(settings.max_occluders.max(1));
        let occluders = buffer(device, "occluders", occluder_capacity * 16, storage);
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
            instance_capacity,
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
            occluder_capacity,
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

    /// The device this renderer draws with.
    pub fn gpu(&self) -> &Arc<Gpu> {
        &self.gpu
    }

    /// The atlas.
    pub fn atlas(&self) -> &Atlas {
        &self.atlas
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Loads a colour-grading table from a PNG in the common strip layout (16 slices of 16×16
    /// side by side, 256×16: red across a slice, green down, blue across slices) and returns
    /// its look.
    pub fn load_lut_png(&mut self, png: &[u8]) -> Result<Grading, RenderError> {
        let strip = Image::from_png(png)?;
        if (strip.width, strip.height) != (LUT * LUT, LUT) {
            return Err(RenderError::Image(format!(
                "a grading table is {}×{LUT}, not {}×{}",
                LUT * LUT,
                strip.width,
                strip.height
            )));
        }
        let mut texels = Vec::with_capacity((LUT * LUT * LUT * 4) as usize);
        for b in 0..LUT {
            for g in 0..LUT {
                for r in 0..LUT {
                    texels.extend_from_slice(&strip.get(b * LUT + r, g));
                }
            }
        }
        let texture = upload_lut(&self.gpu, &texels);
        self.finish_extras.push(finish_extra_group(
            &self.gpu.device,
            &self.layouts.finish_extra,
            &self.bloom_a,
            &texture,
        ));
        self.luts.push(texture);
        let index = u32::try_from(self.luts.len() - 1 - 4).unwrap_or(u32::MAX);
        Ok(Grading::Custom(index))
    }

    /// Resizes a window's surface (offscreen renderers keep their size).
    pub fn resize_surface(&mut self, width: u32, height: u32) {
        if let Target::Window(surface, config) = &mut self.target {
            config.width = width.max(1);
            config.height = height.max(1);
            surface.configure(&self.gpu.device, config);
        }
    }

    /// Reads the last frame back (offscreen renderers), sRGB-encoded like a PNG.
    pub fn read_pixels(&self) -> Result<Image, RenderError> {
        let Target::Offscreen(texture) = &self.target else {
            return Err(RenderError::Surface("a window cannot be read back".into()));
        };
        read_texture(&self.gpu, texture)
    }

    /// Asks a window renderer to copy its next frame back before presenting it (see
    /// [`WgpuRenderer::take_capture`]); the surface must allow copies (Vulkan's do).
    pub fn capture_next_frame(&mut self) -> Result<(), RenderError> {
        match &self.target {
            Target::Window(_, config) if config.usage.contains(wgpu::TextureUsages::COPY_SRC) => {
                self.capture = true;
                Ok(())
            }
            Target::Window(..) => Err(RenderError::Surface("this surface cannot be copied".into())),
            Target::Offscreen(_) => Err(RenderError::Surface("offscreen: use read_pixels".into())),
        }
    }

    /// The frame captured by [`WgpuRenderer::capture_next_frame`] (RGBA, sRGB-encoded).
    pub fn take_capture(&mut self) -> Option<Image> {
        self.captured.take()
    }

    /// Particles alive now.
    pub fn particles_alive(&self) -> u32 {
        self.pool.alive()
    }

    fn camera(
        &self,
        view: &View,
        ui: bool,
        tint: Color,
        (width, height): (u32, u32),
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
            time: self.clock as f32,
            tint: [tint.r, tint.g, tint.b, 1.0],
        }
    }

    fn write_post(&self, pass: &PostPass, settings: [f32; 4], direction: [f32; 4]) {
        let uniform = PostUniform {
            settings,
            direction,
        };
        self.gpu
            .queue
            .write_buffer(&pass.uniform, 0, bytemuck::bytes_of(&uniform));
    }
}

fn finish_extra_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    bloom: &Surface2d,
    lut: &wgpu::Texture,
) -> wgpu::BindGroup {
    let view = lut.create_view(&wgpu::TextureViewDescriptor::default());
    group(
        device,
        "finish extra",
        layout,
        &[
            wgpu::BindingResource::TextureView(&bloom.view),
            wgpu::BindingResource::TextureView(&view),
        ],
    )
}

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

fn finite(value: f32) -> f32 {
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
        if instances.len() as u64 > self.instance_capacity {
            self.instance_capacity = (instances.len() as u64).next_power_of_two();
            self.instances = buffer(
                device,
                "instances",
                self.instance_capacity * size_of::<Instance>() as u64,
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
        if runs.len() as u64 > self.occluder_capacity {
            self.occluder_capacity = (runs.len() as u64).next_power_of_two();
            self.occluders = buffer(
                &self.gpu.device,
                "occluders",
                self.occluder_capacity * 16,
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

impl WgpuRenderer {
    /// Waits until the GPU has finished every frame submitted (for timing).
    pub fn wait(&self) -> Result<(), RenderError> {
        self.gpu
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|error| RenderError::Device(error.to_string()))
    }

    /// The output format.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// The linear sampler (for callers drawing their own passes).
    pub fn sampler(&self) -> &wgpu::Sampler {
        &self.sampler_linear
    }
}
