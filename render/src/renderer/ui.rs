//! The UI layer: drawn last, straight into the output (over the finished, antialiased picture),
//! with the screen-space camera.

use trystero_core::render::{Layer, Plan};

use super::batches::Sprites;
use super::common::pass;

/// Draws `plan`'s UI batches, if any, over `output` with the `camera` (the UI's).
pub(super) fn encode(
    encoder: &mut wgpu::CommandEncoder,
    output: &wgpu::TextureView,
    sprites: &Sprites,
    plan: &Plan,
    camera: &wgpu::BindGroup,
) {
    if plan.batches.iter().any(|batch| batch.layer == Layer::Ui) {
        let mut ui = pass(encoder, "ui", output, None);
        sprites.draw(&mut ui, plan, &[Layer::Ui], &sprites.out, camera);
    }
}
