//! The finish pass: the lit picture plus bloom, colour-graded through a 3-D table, to the
//! output format (sRGB). Four pipelines by override constants (bloom, grading, each on or
//! off): on software rasterizers an untaken branch still costs (~0.5 ms each at 640×360).

use trystero_core::render::{Grading, Post};

use super::common::{Surface2d, full_screen};
use super::post::{PostPass, PostShared};
use crate::gpu::Gpu;
use crate::gpu_util::{entry, group, layout, texture_type, upload_lut};
use crate::grading::built_in_lut;

#[derive(Debug)]
pub(super) struct Finish {
    /// By `bloom as usize | (grading as usize) << 1`.
    pipelines: [wgpu::RenderPipeline; 4],
    pass: PostPass,
    /// The bloom and a grading table (group 1).
    extra_layout: wgpu::BindGroupLayout,
    /// One per table: the built-in looks, then those loaded.
    extras: Vec<wgpu::BindGroup>,
    luts: Vec<wgpu::Texture>,
}

impl Finish {
    /// The finish of `lit` with the bloom in `bloom`, into `format`.
    pub(super) fn new(
        gpu: &Gpu,
        post: &PostShared,
        format: wgpu::TextureFormat,
        lit: &Surface2d,
        bloom: &Surface2d,
    ) -> Self {
        let device = &gpu.device;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let extra_layout = layout(
            device,
            "finish extra",
            &[
                entry(0, fragment, texture_type(wgpu::TextureViewDimension::D2)),
                entry(1, fragment, texture_type(wgpu::TextureViewDimension::D3)),
            ],
        );
        let pipelines =
            [(false, false), (true, false), (false, true), (true, true)].map(|(bloom, grade)| {
                let flag = |on: bool| if on { 1.0 } else { 0.0 };
                post.pipeline(
                    device,
                    "finish",
                    format,
                    Some(&extra_layout),
                    &[("bloom_on", flag(bloom)), ("grade_on", flag(grade))],
                )
            });
        let luts: Vec<wgpu::Texture> = [
            Grading::Neutral,
            Grading::Warm,
            Grading::Night,
            Grading::Sepia,
        ]
        .into_iter()
        .map(|look| upload_lut(gpu, &built_in_lut(look)))
        .collect();
        let extras = luts
            .iter()
            .map(|lut| extra_group(device, &extra_layout, bloom, lut))
            .collect();
        Self {
            pipelines,
            pass: post.pass(device, "finish", lit),
            extra_layout,
            extras,
            luts,
        }
    }

    /// Adds a grading table (`LUT`³ RGBA texels, red fastest) and returns its look.
    pub(super) fn add_lut(&mut self, gpu: &Gpu, texels: &[u8], bloom: &Surface2d) -> Grading {
        let texture = upload_lut(gpu, texels);
        self.extras.push(extra_group(
            &gpu.device,
            &self.extra_layout,
            bloom,
            &texture,
        ));
        self.luts.push(texture);
        let index = u32::try_from(self.luts.len() - 1 - 4).unwrap_or(u32::MAX);
        Grading::Custom(index)
    }

    /// Writes the pass's uniform: the frame's post `settings`; `full` is a texel of the lit
    /// picture.
    pub(super) fn write(&self, queue: &wgpu::Queue, settings: [f32; 4], full: [f32; 2]) {
        self.pass
            .write(queue, settings, [0.0, 0.0, full[0], full[1]]);
    }

    /// The finish of a frame with `post` into `view`.
    pub(super) fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        post: &Post,
        view: &wgpu::TextureView,
    ) {
        let lut = match post.grading {
            Grading::Neutral => 0,
            Grading::Warm => 1,
            Grading::Night => 2,
            Grading::Sepia => 3,
            Grading::Custom(index) => 4 + index as usize,
        };
        let extra = self.extras.get(lut).unwrap_or(&self.extras[0]);
        let bloom_on = post.bloom > 0.0;
        let grade_on = post.grading_strength > 0.0;
        full_screen(
            encoder,
            "finish",
            view,
            &self.pipelines[usize::from(bloom_on) | usize::from(grade_on) << 1],
            &[&self.pass.group, extra],
        );
    }
}

fn extra_group(
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
