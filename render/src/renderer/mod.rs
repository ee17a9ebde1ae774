//! The wgpu adapter of the render port: resources, pipelines and the passes of a frame.

use std::sync::Arc;

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

mod build;
mod frame;
mod uniforms;

use frame::finite;
use uniforms::{CameraUniform, Counts, Instance, LightGpu, PostUniform, SimUniform};

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
