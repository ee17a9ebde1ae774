// Point lights: a 1-D shadow map per light (the distance to the nearest occluder segment at
// each of RES angles, one compute pass), then one additive quad per light at reduced
// resolution, testing each pixel against its light's map (three taps, soft edges).

struct Counts {
    lights: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
};

@group(0) @binding(0) var<storage, read> lights: array<Light>;
@group(0) @binding(1) var<storage, read> occluders: array<vec4f>;
@group(0) @binding(2) var<uniform> counts: Counts;
@group(0) @binding(3) var<storage, read_write> shadow: array<f32>;

fn cross2(a: vec2f, b: vec2f) -> f32 {
    return a.x * b.y - a.y * b.x;
}

@compute @workgroup_size(64)
fn shadow_map(@builtin(global_invocation_id) id: vec3u) {
    let angle = id.x;
    let index = id.y;
    if (angle >= RES || index >= counts.lights) {
        return;
    }
    let light = lights[index];
    var nearest = light.radius;
    if (light.shadows > 0.5) {
        let direction = from_diamond((f32(angle) + 0.5) / f32(RES) * 4.0);
        for (var k = light.first; k < light.first + light.count; k++) {
            let segment = occluders[k];
            let edge = segment.zw - segment.xy;
            let denominator = cross2(direction, edge);
            if (abs(denominator) < 1e-6) {
                continue;
            }
            let w = segment.xy - light.position;
            let t = cross2(w, edge) / denominator;
            let u = cross2(w, direction) / denominator;
            if (t > 0.0 && u >= 0.0 && u <= 1.0) {
                nearest = min(nearest, t);
            }
        }
    }
    shadow[index * RES + angle] = nearest;
}

