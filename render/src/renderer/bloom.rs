//! Bloom: the bright parts of the lit picture at quarter resolution, blurred horizontally then
//! vertically (the finish pass adds them).

use super::HDR;
use super::common::{Surface2d, full_screen};
use super::post::{PostPass, PostShared};

#[derive(Debug)]
pub(super) struct Bloom {
    bright_pipeline: wgpu::RenderPipeline,
    bright: PostPass,
    h: PostPass,
    v: PostPass,
    /// The bright parts, then the bloom (the finish pass reads it).
    pub(super) a: Surface2d,
    b: Surface2d,
}

impl Bloom {
    /// Bloom of `lit`, a `size` picture.
    pub(super) fn new(
        device: &wgpu::Device,
        post: &PostShared,
        size: (u32, u32),
        lit: &Surface2d,
    ) -> Self {
        let quarter = (size.0.div_ceil(4), size.1.div_ceil(4));
        let a = Surface2d::new(device, "bloom a", quarter, HDR);
        let b = Surface2d::new(device, "bloom b", quarter, HDR);
        Self {
            bright_pipeline: post.pipeline(device, "bright", HDR, None, &[]),
            bright: post.pass(device, "bright", lit),
            h: post.pass(device, "bloom h", &a),
            v: post.pass(device, "bloom v", &b),
            a,
            b,
        }
    }

    /// Writes the passes' uniforms: the frame's post `settings`; `full` is a texel of the lit
    /// picture.
    pub(super) fn write(&self, queue: &wgpu::Queue, settings: [f32; 4], full: [f32; 2]) {
        let quarter = texel((self.a.texture.width(), self.a.texture.height()));
        self.bright
            .write(queue, settings, [0.0, 0.0, full[0], full[1]]);
        self.h.write(
            queue,
            settings,
            [quarter[0] * 1.5, 0.0, quarter[0], quarter[1]],
        );
        self.v.write(
            queue,
            settings,
            [0.0, quarter[1] * 1.5, quarter[0], quarter[1]],
        );
    }

    /// The bright pass and the two directions of `blur`.
    pub(super) fn encode(&self, encoder: &mut wgpu::CommandEncoder, blur: &wgpu::RenderPipeline) {
        full_screen(
            encoder,
            "bright",
            &self.a.view,
            &self.bright_pipeline,
            &[&self.bright.group],
        );
        full_screen(encoder, "bloom h", &self.b.view, blur, &[&self.h.group]);
        full_screen(encoder, "bloom v", &self.a.view, blur, &[&self.v.group]);
    }
}

/// One texel of a `size` texture, in texture coordinates.
#[allow(clippy::cast_precision_loss)] // texture sizes
pub(super) fn texel(size: (u32, u32)) -> [f32; 2] {
    [1.0 / size.0.max(1) as f32, 1.0 / size.1.max(1) as f32]
}
