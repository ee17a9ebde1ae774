//! Terrain awareness: a coarse grid of the arena's obstacles, and its chokepoints (free cells
//! in narrow passages), which Hunters use to cut off a fleeing player.

use crate::{Obstacle, Vec2};

/// The obstacle map on a grid of square cells.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Terrain {
    cell: i32,
    width: i32,
    height: i32,
    blocked: Vec<bool>,
    /// Centres of the free cells in narrow passages.
    chokepoints: Vec<Vec2>,
}

impl Terrain {
    /// The grid of an arena `size` (units) with cells of `cell` units; a cell is blocked when
    /// its centre is inside an obstacle. A free cell is a chokepoint when the passage through
    /// it is at most `narrow` cells wide (blocked cells within that distance on both sides,
    /// horizontally or vertically).
    pub fn new(size: Vec2, cell: i32, obstacles: &[Obstacle], narrow: i32) -> Self {
        let cell = cell.max(1);
        let (width, height) = ((size.x / cell).max(1), (size.y / cell).max(1));
        let mut blocked = Vec::with_capacity(usize::try_from(width * height).unwrap_or(0));
        for row in 0..height {
            for column in 0..width {
                let centre = Vec2::new(column * cell + cell / 2, row * cell + cell / 2);
                blocked.push(obstacles.iter().any(|obstacle| {
                    centre.minus(obstacle.at).length_squared() <= i64::from(obstacle.radius).pow(2)
                }));
            }
        }
        let mut terrain = Self {
            cell,
            width,
            height,
            blocked,
            chokepoints: Vec::new(),
        };
        for row in 0..height {
            for column in 0..width {
                if terrain.is_blocked(column, row) {
                    continue;
                }
                let walls = |dx: i32, dy: i32| {
                    (1..=narrow).any(|step| terrain.is_blocked(column + dx * step, row + dy * step))
                };
                if (walls(-1, 0) && walls(1, 0)) || (walls(0, -1) && walls(0, 1)) {
                    terrain
                        .chokepoints
                        .push(Vec2::new(column * cell + cell / 2, row * cell + cell / 2));
                }
            }
        }
        terrain
    }

    /// Whether the cell is blocked (outside the grid counts as open ground).
    pub fn is_blocked(&self, column: i32, row: i32) -> bool {
        if column < 0 || row < 0 || column >= self.width || row >= self.height {
            return false;
        }
        self.blocked[usize::try_from(row * self.width + column).unwrap_or(0)]
    }

    /// The chokepoints.
    pub fn chokepoints(&self) -> &[Vec2] {
        &self.chokepoints
    }

    /// The chokepoint a player at `at` running along `velocity` reaches first: within `range`,
    /// ahead of it (within about 30° of its heading). `None` if it is not running or none lies
    /// ahead.
    pub fn ahead(&self, at: Vec2, velocity: Vec2, range: i32) -> Option<Vec2> {
        let speed = i64::from(velocity.length());
        if speed == 0 {
            return None;
        }
        self.chokepoints
            .iter()
            .filter_map(|point| {
                let to = point.minus(at);
                let distance = to.length_squared();
                if distance > i64::from(range).pow(2) || distance == 0 {
                    return None;
                }
                let dot = i64::from(to.x) * i64::from(velocity.x)
                    + i64::from(to.y) * i64::from(velocity.y);
                // cos(angle) ≥ 0.87: dot² ≥ 0.75 · |to|² · |v|² with dot > 0.
                let ahead = dot > 0 && dot * dot * 4 >= distance * speed * speed * 3;
                ahead.then_some((distance, *point))
            })
            .min_by_key(|(distance, point)| (*distance, point.x, point.y))
            .map(|(_, point)| point)
    }
}
