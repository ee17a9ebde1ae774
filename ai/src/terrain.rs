//! Terrain awareness: a coarse grid of the arena's obstacles; its chokepoints (free cells in
//! narrow passages), where wolves cut off a fleeing player; and cover (free cells against an
//! obstacle), where they wait for it unseen.

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
    /// The obstacles (for lines of sight).
    obstacles: Vec<Obstacle>,
    /// Free cells with no blocked cell within two cells: where a wolf can stand without
    /// obstacle avoidance pushing it off.
    open: Vec<bool>,
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
            obstacles: obstacles.to_vec(),
            open: Vec::new(),
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
        for row in 0..height {
            for column in 0..width {
                let near =
                    (-1..=1).any(|dy| (-1..=1).any(|dx| terrain.is_blocked(column + dx, row + dy)));
                terrain.open.push(!near);
            }
        }
        terrain
    }

    /// The size of a cell (units).
    pub fn cell(&self) -> i32 {
        self.cell
    }

    /// The cell containing a point (may lie outside the grid).
    fn cell_of(&self, at: Vec2) -> (i32, i32) {
        (at.x.div_euclid(self.cell), at.y.div_euclid(self.cell))
    }

    /// Whether `b` can be seen from `a`: no obstacle on the segment between them (the same
    /// test as the wolves' sight).
    pub fn sees(&self, a: Vec2, b: Vec2) -> bool {
        clear_line(a, b, &self.obstacles)
    }

    /// Whether the cell is open ground: inside the grid, with no blocked cell within two.
    pub fn is_open(&self, column: i32, row: i32) -> bool {
        if column < 0 || row < 0 || column >= self.width || row >= self.height {
            return false;
        }
        self.open[usize::try_from(row * self.width + column).unwrap_or(0)]
    }

    /// Cover: the centre of an open cell within `radius` of `near` (counted in steps over
    /// free cells) that cannot be seen from `from` — see [`Terrain::cover_field`], which
    /// answers many such questions from one viewpoint at once.
    pub fn hidden_near(&self, near: Vec2, from: Vec2, radius: i32) -> Option<Vec2> {
        let range = near.minus(from).length().saturating_add(radius);
        self.cover_field(from, range).near(near, radius)
    }

    /// Where to hide from `from`, for every cell: cover cells are open cells within `range` of
    /// `from` that it cannot see, nor the points half a cell around them (so a wolf jostled off
    /// the centre stays hidden); one breadth-first pass over the free cells (4-connected,
    /// sources and neighbours in index order, so the answer is the same everywhere) gives each
    /// cell near `from` its nearest cover cell. The cost is one pass over the cells within
    /// `range`, then each question is a lookup.
    pub fn cover_field(&self, from: Vec2, range: i32) -> CoverField {
        let cells = usize::try_from(self.width * self.height).unwrap_or(0);
        let mut nearest = vec![(0u32, u16::MAX); cells];
        let reach = range / self.cell + 1;
        let (column, row) = self.cell_of(from);
        let (low_x, high_x) = (
            (column - reach).max(0),
            (column + reach).min(self.width - 1),
        );
        let (low_y, high_y) = ((row - reach).max(0), (row + reach).min(self.height - 1));
        let index = |column: i32, row: i32| usize::try_from(row * self.width + column).unwrap_or(0);
        let mut queue = std::collections::VecDeque::new();
        let half = self.cell / 2;
        // Only obstacles within range can hide anything within range.
        let near: Vec<Obstacle> = self
            .obstacles
            .iter()
            .filter(|o| {
                o.at.minus(from).length_squared()
                    <= i64::from(range.saturating_add(o.radius)).pow(2)
            })
            .copied()
            .collect();
        let sees = |to: Vec2| clear_line(from, to, &near);
        for row in low_y..=high_y {
            for column in low_x..=high_x {
                let centre = Vec2::new(column * self.cell + half, row * self.cell + half);
                let hidden = self.is_open(column, row)
                    && centre.minus(from).length_squared() <= i64::from(range).pow(2)
                    && !sees(centre)
                    && [(1, 0), (-1, 0), (0, 1), (0, -1)]
                        .iter()
                        .all(|(dx, dy)| !sees(centre.plus(Vec2::new(dx * half, dy * half))));
                if hidden {
                    let at = index(column, row);
                    nearest[at] = (u32::try_from(at).unwrap_or(0), 0);
                    queue.push_back((column, row));
                }
            }
        }
        while let Some((column, row)) = queue.pop_front() {
            let (source, steps) = nearest[index(column, row)];
            for (dx, dy) in [(0, -1), (-1, 0), (1, 0), (0, 1)] {
                let (x, y) = (column + dx, row + dy);
                if x < low_x || x > high_x || y < low_y || y > high_y || self.is_blocked(x, y) {
                    continue;
                }
                let next = &mut nearest[index(x, y)];
                if next.1 == u16::MAX {
                    *next = (source, steps.saturating_add(1));
                    queue.push_back((x, y));
                }
            }
        }
        CoverField {
            cell: self.cell,
            width: self.width,
            height: self.height,
            nearest,
        }
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

/// Where to hide from one viewpoint ([`Terrain::cover_field`]): per cell, the nearest cover
/// cell and the steps to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverField {
    cell: i32,
    width: i32,
    height: i32,
    /// Per cell: the nearest cover cell's index and the steps to it (`u16::MAX`: none).
    nearest: Vec<(u32, u16)>,
}

impl CoverField {
    /// The centre of the cover cell nearest `at`, if it is at most `radius` away (in steps of
    /// a cell over free ground).
    pub fn near(&self, at: Vec2, radius: i32) -> Option<Vec2> {
        let (column, row) = (at.x.div_euclid(self.cell), at.y.div_euclid(self.cell));
        if column < 0 || row < 0 || column >= self.width || row >= self.height {
            return None;
        }
        let (source, steps) = *self
            .nearest
            .get(usize::try_from(row * self.width + column).ok()?)?;
        if steps == u16::MAX || i64::from(steps) * i64::from(self.cell) > i64::from(radius) {
            return None;
        }
        let source = i32::try_from(source).ok()?;
        let half = self.cell / 2;
        Some(Vec2::new(
            (source % self.width) * self.cell + half,
            (source / self.width) * self.cell + half,
        ))
    }
}

/// Whether the segment from `a` to `b` misses every obstacle.
pub(crate) fn clear_line(a: Vec2, b: Vec2, obstacles: &[Obstacle]) -> bool {
    let (low_x, high_x) = (a.x.min(b.x), a.x.max(b.x));
    let (low_y, high_y) = (a.y.min(b.y), a.y.max(b.y));
    obstacles.iter().all(|obstacle| {
        // Boxes first: an obstacle away from the segment's bounding box cannot block it.
        let r = obstacle.radius;
        if obstacle.at.x + r < low_x
            || obstacle.at.x - r > high_x
            || obstacle.at.y + r < low_y
            || obstacle.at.y - r > high_y
        {
            return true;
        }
        let ab = b.minus(a);
        let ap = obstacle.at.minus(a);
        let length = ab.length_squared().max(1);
        let t = (i64::from(ap.x) * i64::from(ab.x) + i64::from(ap.y) * i64::from(ab.y))
            .clamp(0, length);
        let closest = Vec2::new(
            a.x + i32::try_from(i64::from(ab.x) * t / length).unwrap_or(0),
            a.y + i32::try_from(i64::from(ab.y) * t / length).unwrap_or(0),
        );
        obstacle.at.minus(closest).length_squared() > i64::from(obstacle.radius).pow(2)
    })
}
