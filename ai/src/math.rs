//! Integer geometry: vectors in units of 1/60 px, an integer square root, and a sine table, so
//! every machine computes the same positions.

/// A 2-D vector (units of 1/60 px, or units a frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Vec2 {
    /// x.
    pub x: i32,
    /// y.
    pub y: i32,
}

impl Vec2 {
    /// (x, y).
    pub const fn new(x: i32, y: i32) -> Self {
        Self { x, y }
    }

    /// Componentwise sum (saturating).
    pub fn plus(self, other: Self) -> Self {
        Self::new(
            self.x.saturating_add(other.x),
            self.y.saturating_add(other.y),
        )
    }

    /// Componentwise difference (saturating).
    pub fn minus(self, other: Self) -> Self {
        Self::new(
            self.x.saturating_sub(other.x),
            self.y.saturating_sub(other.y),
        )
    }

    /// The squared length, in 64 bits.
    pub fn length_squared(self) -> i64 {
        let (x, y) = (i64::from(self.x), i64::from(self.y));
        x * x + y * y
    }

    /// The length (integer square root).
    pub fn length(self) -> i32 {
        i32::try_from(isqrt(self.length_squared())).unwrap_or(i32::MAX)
    }

    /// This vector scaled to `length` (zero stays zero).
    pub fn with_length(self, length: i32) -> Self {
        let current = i64::from(self.length());
        if current == 0 {
            return Self::default();
        }
        let scale = |v: i32| i32::try_from(i64::from(v) * i64::from(length) / current).unwrap_or(0);
        Self::new(scale(self.x), scale(self.y))
    }

    /// This vector, shortened to at most `length`.
    pub fn clamp_length(self, length: i32) -> Self {
        if self.length_squared() > i64::from(length) * i64::from(length) {
            self.with_length(length)
        } else {
            self
        }
    }
}

/// The integer square root (floor). IEEE square roots are correctly rounded, so the float
/// guess is the same on every machine; the integer fix-up makes it exact.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // corrected below
pub fn isqrt(value: i64) -> i64 {
    if value <= 0 {
        return 0;
    }
    let mut root = (value as f64).sqrt() as i64;
    while root > 0 && root.checked_mul(root).is_none_or(|square| square > value) {
        root -= 1;
    }
    while (root + 1)
        .checked_mul(root + 1)
        .is_some_and(|square| square <= value)
    {
        root += 1;
    }
    root
}

/// Angles are in 1/256 of a turn (0..256).
pub const TURN: i32 = 256;

/// sin(angle) × 1024 for angles 0..64 (a quarter turn), rounded.
const QUARTER: [i16; 65] = [
    0, 25, 50, 75, 100, 125, 150, 175, 200, 224, 249, 273, 297, 321, 345, 369, 392, 415, 438, 460,
    483, 505, 526, 548, 569, 590, 610, 630, 650, 669, 688, 706, 724, 742, 759, 775, 792, 807, 822,
    837, 851, 865, 878, 891, 903, 915, 926, 936, 946, 955, 964, 972, 980, 987, 993, 999, 1004,
    1009, 1013, 1016, 1019, 1021, 1023, 1024, 1024,
];

/// sin(angle) × 1024, angle in 1/256 turn.
pub fn sin(angle: i32) -> i32 {
    let angle = angle.rem_euclid(TURN);
    let lookup = |a: i32| i32::from(QUARTER[usize::try_from(a).unwrap_or(0)]);
    match angle {
        0..=64 => lookup(angle),
        65..=128 => lookup(128 - angle),
        129..=192 => -lookup(angle - 128),
        _ => -lookup(256 - angle),
    }
}

/// cos(angle) × 1024, angle in 1/256 turn.
pub fn cos(angle: i32) -> i32 {
    sin(angle + TURN / 4)
}

/// tan(angle) × 1024 for angles 0..=32 (an eighth of a turn), rounded.
const OCTANT: [i32; 33] = [
    0, 25, 50, 76, 101, 126, 152, 178, 204, 230, 256, 283, 311, 338, 366, 395, 424, 454, 484, 515,
    547, 580, 614, 648, 684, 721, 759, 799, 840, 883, 928, 975, 1024,
];

/// The angle (1/256 turn) of a vector, to the nearest table step: the first octant from the
/// ratio of the smaller to the larger coordinate (a table search), then reflected.
pub fn angle_of(v: Vec2) -> i32 {
    if v.x == 0 && v.y == 0 {
        return 0;
    }
    let (ax, ay) = (i64::from(v.x).abs(), i64::from(v.y).abs());
    let (small, large) = if ay <= ax { (ay, ax) } else { (ax, ay) };
    let ratio = small * 1024 / large.max(1);
    // The nearest of the 33 octant steps.
    let mut step = OCTANT.partition_point(|tan| i64::from(*tan) < ratio);
    if step > 0
        && (ratio - i64::from(OCTANT[step - 1])) <= (i64::from(OCTANT[step.min(32)]) - ratio)
    {
        step -= 1;
    }
    let octant = i32::try_from(step.min(32)).unwrap_or(0);
    let first = if ay <= ax { octant } else { TURN / 4 - octant };
    match (v.x >= 0, v.y >= 0) {
        (true, true) => first,
        (false, true) => TURN / 2 - first,
        (false, false) => TURN / 2 + first,
        (true, false) => (TURN - first) % TURN,
    }
}

/// The point at `radius` from `centre` in direction `angle`.
pub fn on_ring(centre: Vec2, radius: i32, angle: i32) -> Vec2 {
    let offset = |trig: i32| i32::try_from(i64::from(radius) * i64::from(trig) / 1024).unwrap_or(0);
    centre.plus(Vec2::new(offset(cos(angle)), offset(sin(angle))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trig_and_roots_are_right_enough() {
        assert_eq!(isqrt(0), 0);
        assert_eq!(isqrt(99), 9);
        assert_eq!(isqrt(100), 10);
        assert_eq!(
            isqrt(i64::from(i32::MAX) * i64::from(i32::MAX)),
            i64::from(i32::MAX)
        );
        for angle in 0..TURN {
            let (s, c) = (sin(angle), cos(angle));
            let norm = s * s + c * c;
            assert!((1_020_000..=1_052_000).contains(&norm), "{angle}: {norm}");
            let back = angle_of(Vec2::new(c * 100, s * 100));
            assert!((back - angle).rem_euclid(TURN) <= 1 || (angle - back).rem_euclid(TURN) <= 1);
        }
        assert_eq!(Vec2::new(3_000, 4_000).length(), 5_000);
        assert_eq!(
            Vec2::new(3_000, 4_000).with_length(500),
            Vec2::new(300, 400)
        );
    }
}
