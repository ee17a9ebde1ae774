//! Creating a renderer: each pass makes its own resources (layouts, shaders, pipelines,
//! textures, buffers, bind groups); here they are made in the order the passes run and put
//! together.

use std::sync::Arc;

use trystero_core::render::RenderError;

use super::batches::Sprites;
use super::bloom::Bloom;
use super::blur::Blur;
use super::camera::Cameras;
use super::common::Surface2d;
use super::finish::Finish;
use super::fxaa::Fxaa;
use super::lights::{self, Lights};
use super::particles::Particles;
use super::post::PostShared;
use super::shadows::Shadows;
use super::{HDR, Settings, Target, WgpuRenderer};
use crate::atlas::AtlasBuilder;
use crate::gpu::Gpu;

impl WgpuRenderer {
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
        let cameras = Cameras::new(device);
        let post = PostShared::new(device);
        let particles = Particles::new(device, settings.particle_limit, size, &cameras.world);
        let light_records = lights::records_buffer(device, settings.max_lights);
        let shadows = Shadows::new(device, &settings, &light_records);
        let lights = Lights::new(
            device,
            &settings,
            size,
            (light_records, &shadows.maps),
            &cameras.layout,
            &post.sampler,
        );
        let sprites = Sprites::new(&gpu, &atlas, &cameras.layout, &lights.map_layout, format);
        let lit = Surface2d::new(device, "lit", size, HDR);
        let bloom = Bloom::new(device, &post, size, &lit);
        let blur = Blur::new(device, &post, size, &lit);
        let finish = Finish::new(&gpu, &post, format, &lit, &bloom.a);
        let fxaa = Fxaa::new(device, &post, size, format);
        let renderer = Self {
            settings,
            target,
            format,
            atlas,
            cameras,
            post,
            particles,
            shadows,
            lights,
            sprites,
            lit,
            bloom,
            blur,
            finish,
            fxaa,
            capture: false,
            captured: None,
            clock: 0.0,
            gpu,
        };
        if let Some(error) = renderer.gpu.take_error() {
            return Err(error);
        }
        Ok(renderer)
    }
}
