// The light record the shadow-map and light passes share, and the map's resolution.

const RES: u32 = 512u;

struct Light {
    position: vec2f,
    radius: f32,
    shadows: f32,
    color: vec4f,
    // Its occluders: occluders[first .. first + count].
    first: u32,
    count: u32,
    _pad0: u32,
    _pad1: u32,
};

// Directions are indexed by a "diamond angle" in 0..4 instead of atan2: exact, monotonic round
// the circle, and a few operations (the map's angular steps vary by at most √2).
fn diamond(d: vec2f) -> f32 {
    if (d.y >= 0.0) {
        if (d.x >= 0.0) {
            return d.y / max(d.x + d.y, 1e-9);
        }
        return 1.0 - d.x / max(d.y - d.x, 1e-9);
    }
    if (d.x < 0.0) {
        return 2.0 - d.y / max(-d.x - d.y, 1e-9);
    }
    return 3.0 + d.x / max(d.x - d.y, 1e-9);
}

// The unit direction at diamond angle `p`.
fn from_diamond(p: f32) -> vec2f {
    var d: vec2f;
    if (p < 1.0) {
        d = vec2f(1.0 - p, p);
    } else if (p < 2.0) {
        d = vec2f(1.0 - p, 2.0 - p);
    } else if (p < 3.0) {
        d = vec2f(p - 3.0, 2.0 - p);
    } else {
        d = vec2f(p - 3.0, p - 4.0);
    }
    return normalize(d);
}
