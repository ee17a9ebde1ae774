//! What several passes share: render targets, finite values, beginning a render pass and
//! drawing a full-screen triangle.

use trystero_core::render::Color;

/// A render target texture with its view.
#[derive(Debug)]
pub(super) struct Surface2d {
    pub(super) texture: wgpu::Texture,
    pub(super) view: wgpu::TextureView,
}

impl Surface2d {
    pub(super) fn new(
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

pub(super) fn finite(value: f32) -> f32 {
    if value.is_finite() { value } else { 0.0 }
}

/// A colour with every non-finite channel made 0 (a NaN would spread through bloom and blur).
pub(super) fn finite_color(color: Color) -> Color {
    Color::rgba(
        finite(color.r),
        finite(color.g),
        finite(color.b),
        finite(color.a),
    )
}

pub(super) fn color_of(color: Color) -> wgpu::Color {
    let color = finite_color(color);
    wgpu::Color {
        r: f64::from(color.r),
        g: f64::from(color.g),
        b: f64::from(color.b),
        a: f64::from(color.a),
    }
}

/// A render pass into `view`, cleared to `clear` (or drawing over what is there).
pub(super) fn pass<'a>(
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

/// One full-screen triangle of `pipeline` with `groups` (in group order) into `view`, cleared
/// to black first.
pub(super) fn full_screen(
    encoder: &mut wgpu::CommandEncoder,
    label: &str,
    view: &wgpu::TextureView,
    pipeline: &wgpu::RenderPipeline,
    groups: &[&wgpu::BindGroup],
) {
    let mut p = pass(encoder, label, view, Some(wgpu::Color::BLACK));
    p.set_pipeline(pipeline);
    for (index, g) in groups.iter().enumerate() {
        p.set_bind_group(u32::try_from(index).unwrap_or(0), *g, &[]);
    }
    p.draw(0..3, 0..1);
}
