//! The wgpu adapter of the render port: resources, pipelines and the passes of a frame, one
//! module per pass (its resources, their per-frame uploads and its encode step). `build` makes
//! them in the order they run; `frame` runs them.

use std::sync::Arc;

use trystero_core::render::{Grading, RenderError};

use crate::atlas::{Atlas, AtlasBuilder};
use crate::gpu::Gpu;
use crate::gpu_util::read_texture;
use crate::grading::LUT;
use crate::image::Image;
use crate::sprites;

mod batches;
mod bloom;
mod blur;
mod build;
mod camera;
mod common;
mod finish;
mod frame;
mod fxaa;
mod lights;
mod lit;
mod output;
mod particles;
mod post;
mod shadows;
mod ui;
mod uniforms;

use batches::Sprites;
use bloom::Bloom;
use blur::Blur;
use camera::Cameras;
use common::Surface2d;
use finish::Finish;
use fxaa::Fxaa;
use lights::Lights;
use particles::Particles;
use post::PostShared;
use shadows::Shadows;

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

/// The wgpu renderer: implements [`trystero_core::render::Renderer`] on an offscreen texture or
/// a window. Each pass keeps its own resources (see the modules, one per pass).
#[derive(Debug)]
pub struct WgpuRenderer {
    gpu: Arc<Gpu>,
    settings: Settings,
    target: Target,
    format: wgpu::TextureFormat,
    atlas: Atlas,
    cameras: Cameras,
    post: PostShared,
    particles: Particles,
    shadows: Shadows,
    lights: Lights,
    sprites: Sprites,
    /// The lit picture (HDR): the scene, blurred in place when asked; bloom and finish read it.
    lit: Surface2d,
    bloom: Bloom,
    blur: Blur,
    finish: Finish,
    fxaa: Fxaa,
    /// Copy the next window frame back ([`WgpuRenderer::capture_next_frame`]).
    capture: bool,
    captured: Option<Image>,
    /// Seconds rendered (the sum of the frames' `dt`).
    clock: f64,
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

    /// A renderer presenting to `window` (a winit window in an `Arc`, or any window with raw
    /// handles), on a GPU of its own that can present there. For callers that do not want to
    /// name wgpu themselves.
    pub fn for_window(
        window: impl Into<wgpu::SurfaceTarget<'static>>,
        settings: Settings,
    ) -> Result<Self, RenderError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let surface = instance
            .create_surface(window)
            .map_err(|error| RenderError::Surface(error.to_string()))?;
        let gpu = futures_executor::block_on(Gpu::with_instance(instance, Some(&surface)))?;
        Self::for_surface(Arc::new(gpu), surface, settings)
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
        Ok(self.finish.add_lut(&self.gpu, &texels, &self.bloom.a))
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
        self.particles.pool.alive()
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
        &self.post.sampler
    }
}
