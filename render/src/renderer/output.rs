//! The output: the view a frame ends in (the offscreen texture, or the window's next frame)
//! and presenting the window's frame, copied back first when asked.

use trystero_core::render::RenderError;

use super::{Target, WgpuRenderer};
use crate::gpu_util::read_texture;

/// The window's next frame (none offscreen) and the view of where the frame ends.
pub(super) fn acquire(
    target: &Target,
) -> Result<(Option<wgpu::SurfaceTexture>, wgpu::TextureView), RenderError> {
    let surface_texture = match target {
        Target::Offscreen(_) => None,
        Target::Window(surface, _) => match surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(texture)
            | wgpu::CurrentSurfaceTexture::Suboptimal(texture) => Some(texture),
            other => return Err(RenderError::Surface(format!("no frame to draw: {other:?}"))),
        },
    };
    let output_view = match (target, &surface_texture) {
        (_, Some(texture)) => texture
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default()),
        (Target::Offscreen(texture), None) => {
            texture.create_view(&wgpu::TextureViewDescriptor::default())
        }
        (Target::Window(..), None) => return Err(RenderError::Surface("no frame".into())),
    };
    Ok((surface_texture, output_view))
}

impl WgpuRenderer {
    /// Presents the window's frame (after copying it back if a capture was asked for).
    pub(super) fn present(
        &mut self,
        surface_texture: Option<wgpu::SurfaceTexture>,
    ) -> Result<(), RenderError> {
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
        Ok(())
    }
}
