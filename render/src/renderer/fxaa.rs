//! FXAA: when a frame asks for antialiasing, the finish pass draws into a picture of the output
//! format and this pass smooths its edges into the output.

use super::common::{Surface2d, full_screen};
use super::post::{PostPass, PostShared};

#[derive(Debug)]
pub(super) struct Fxaa {
    pipeline: wgpu::RenderPipeline,
    pass: PostPass,
    /// What the finish pass draws into when antialiasing.
    pub(super) ldr: Surface2d,
}

impl Fxaa {
    /// FXAA of a `size` picture in the output `format`.
    pub(super) fn new(
        device: &wgpu::Device,
        post: &PostShared,
        size: (u32, u32),
        format: wgpu::TextureFormat,
    ) -> Self {
        let ldr = Surface2d::new(device, "ldr", size, format);
        Self {
            pipeline: post.pipeline(device, "fxaa", format, None, &[]),
            pass: post.pass(device, "fxaa", &ldr),
            ldr,
        }
    }

    /// Writes the pass's uniform: the frame's post `settings`; `full` is a texel of the output.
    pub(super) fn write(&self, queue: &wgpu::Queue, settings: [f32; 4], full: [f32; 2]) {
        self.pass
            .write(queue, settings, [0.0, 0.0, full[0], full[1]]);
    }

    /// Smooths the finished picture into `output`.
    pub(super) fn encode(&self, encoder: &mut wgpu::CommandEncoder, output: &wgpu::TextureView) {
        full_screen(encoder, "fxaa", output, &self.pipeline, &[&self.pass.group]);
    }
}
