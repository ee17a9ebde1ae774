//! Culling and batching: which sprites to draw, in which order, in which draw calls.

use super::{Frame, ImageId, Layer};

/// One draw call: a run of sorted sprites of one layer and one texture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    /// The layer.
    pub layer: Layer,
    /// The texture (as the adapter numbers them).
    pub texture: u32,
    /// Indices into [`Plan::order`].
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

/// Which sprites to draw, in which order, in which draw calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Indices into the frame's sprites: visible ones, by layer, then z, then texture, then
    /// submission order.
    pub order: Vec<u32>,
    /// The draw calls.
    pub batches: Vec<Batch>,
    /// Sprites the camera cannot see.
    pub culled: u32,
}

/// Culls and sorts a frame's sprites for a `width` × `height` target; `texture` names the
/// texture each image lives in (one atlas: always 0). Sorting by texture inside equal z keeps
/// batches long without breaking the z-order.
pub fn plan(frame: &Frame, width: f32, height: f32, texture: impl Fn(ImageId) -> u32) -> Plan {
    let mut plan = Plan::default();
    plan.order.reserve(frame.sprites.len());
    for (index, sprite) in frame.sprites.iter().enumerate() {
        if frame.view.shows(sprite, width, height) {
            plan.order.push(u32::try_from(index).unwrap_or(u32::MAX));
        } else {
            plan.culled += 1;
        }
    }
    let key = |index: &u32| {
        let sprite = &frame.sprites[*index as usize];
        (
            sprite.layer,
            OrderedZ(sprite.z),
            texture(sprite.image),
            *index,
        )
    };
    plan.order.sort_unstable_by_key(key);
    let mut start = 0;
    for position in 1..=plan.order.len() {
        let ends = position == plan.order.len() || {
            let (a, b) = (
                &frame.sprites[plan.order[start] as usize],
                &frame.sprites[plan.order[position] as usize],
            );
            a.layer != b.layer || texture(a.image) != texture(b.image)
        };
        if ends {
            let first = &frame.sprites[plan.order[start] as usize];
            plan.batches.push(Batch {
                layer: first.layer,
                texture: texture(first.image),
                start,
                end: position,
            });
            start = position;
        }
    }
    plan
}

/// z as a total order (NaN last).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderedZ(f32);

impl Eq for OrderedZ {}

impl PartialOrd for OrderedZ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedZ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
