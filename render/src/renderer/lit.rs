//! The lit picture (HDR, full size): the background and game layers, lit by the light map when
//! the frame has lights and tinted by the ambient light when it has none, then the effects layer
//! and the particle splats. The clear colour gets the ambient light only.

use trystero_core::render::{Color, Frame, Layer, Plan};

use super::WgpuRenderer;
use super::common::{color_of, pass};

impl WgpuRenderer {
    /// Draws `plan` of `frame` into the lit picture; `lighting` when the light map was drawn,
    /// `particles` when the particles were stepped.
    pub(super) fn encode_lit(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        frame: &Frame,
        plan: &Plan,
        lighting: bool,
        particles: bool,
    ) {
        let (c, a) = (frame.clear, frame.ambient);
        let clear = color_of(Color::rgba(c.r * a.r, c.g * a.g, c.b * a.b, c.a));
        let mut lit = pass(encoder, "lit", &self.lit.view, Some(clear));
        let world = [Layer::Background, Layer::Game];
        if lighting {
            lit.set_bind_group(2, &self.lights.map_group, &[]);
            self.sprites.draw(
                &mut lit,
                plan,
                &world,
                &self.sprites.lit,
                &self.cameras.world_group,
            );
        } else {
            self.sprites.draw(
                &mut lit,
                plan,
                &world,
                &self.sprites.hdr,
                &self.cameras.ambient_group,
            );
        }
        self.sprites.draw(
            &mut lit,
            plan,
            &[Layer::Effects],
            &self.sprites.hdr,
            &self.cameras.world_group,
        );
        if particles {
            self.particles.composite(&mut lit);
        }
    }
}
