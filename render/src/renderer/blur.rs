//! Blur: the whole lit picture blurred horizontally into a scratch picture, then vertically
//! back.

use super::HDR;
use super::common::{Surface2d, full_screen};
use super::post::{PostPass, PostShared};

#[derive(Debug)]
pub(super) struct Blur {
    h: PostPass,
    v: PostPass,
    scratch: Surface2d,
}

impl Blur {
    /// Blur of `lit`, a `size` picture.
    pub(super) fn new(
        device: &wgpu::Device,
        post: &PostShared,
        size: (u32, u32),
        lit: &Surface2d,
    ) -> Self {
        let scratch = Surface2d::new(device, "scratch", size, HDR);
        Self {
            h: post.pass(device, "blur h", lit),
            v: post.pass(device, "blur v", &scratch),
            scratch,
        }
    }

    /// Writes the passes' uniforms: the frame's post `settings` (the blur is `settings[3]`);
    /// `full` is a texel of the lit picture.
    pub(super) fn write(&self, queue: &wgpu::Queue, settings: [f32; 4], full: [f32; 2]) {
        let spread = settings[3] / 4.0;
        self.h
            .write(queue, settings, [full[0] * spread, 0.0, full[0], full[1]]);
        self.v
            .write(queue, settings, [0.0, full[1] * spread, full[0], full[1]]);
    }

    /// The two directions of `blur`, from `lit` back into it.
    pub(super) fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        blur: &wgpu::RenderPipeline,
        lit: &Surface2d,
    ) {
        full_screen(
            encoder,
            "blur h",
            &self.scratch.view,
            blur,
            &[&self.h.group],
        );
        full_screen(encoder, "blur v", &lit.view, blur, &[&self.v.group]);
    }
}
