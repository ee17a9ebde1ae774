//! The in-memory adapter, for tests of game code that renders.

use std::collections::BTreeMap;

use super::{Frame, FrameStats, ImageId, RenderError, Renderer, plan};

/// The in-memory adapter: keeps every frame and answers with the stats the plan gives (one
/// atlas), for tests of game code that renders.
#[derive(Debug, Clone, Default)]
pub struct RecordingRenderer {
    /// Output size.
    pub width: u32,
    /// Output size.
    pub height: u32,
    /// Known images, by name.
    pub images: BTreeMap<String, ImageId>,
    /// Frames rendered.
    pub frames: Vec<Frame>,
}

impl RecordingRenderer {
    /// A recorder of a `width` × `height` output knowing `images`.
    pub fn new(width: u32, height: u32, images: &[&str]) -> Self {
        Self {
            width,
            height,
            images: images
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let id = u32::try_from(index + 1).unwrap_or(u32::MAX);
                    ((*name).to_owned(), ImageId(id))
                })
                .collect(),
            frames: Vec::new(),
        }
    }
}

impl Renderer for RecordingRenderer {
    fn image(&self, name: &str) -> Option<ImageId> {
        self.images.get(name).copied()
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    #[allow(clippy::cast_precision_loss)] // screen sizes
    fn render(&mut self, frame: &Frame) -> Result<FrameStats, RenderError> {
        let plan = plan(frame, self.width as f32, self.height as f32, |_| 0);
        self.frames.push(frame.clone());
        Ok(FrameStats {
            draw_calls: u32::try_from(plan.batches.len()).unwrap_or(u32::MAX),
            sprites_drawn: u32::try_from(plan.order.len()).unwrap_or(u32::MAX),
            sprites_culled: plan.culled,
            particles: 0,
            lights: u32::try_from(frame.lights.len()).unwrap_or(u32::MAX),
        })
    }
}
