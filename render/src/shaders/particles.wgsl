// Particles live in a storage buffer: one dispatch moves them and splats each alive one into a
// fixed-point accumulation buffer with atomics (no rasterizer); a full-screen pass adds the
// buffer onto the picture.

struct Particle {
    // position (xy), velocity (zw)
    motion: vec4f,
    // linear colour (rgb), size in pixels (w)
    color: vec4f,
    life: f32,
    max_life: f32,
    drag: f32,
    gravity: f32,
};

struct Sim {
    dt: f32,
    count: u32,
    width: u32,
    height: u32,
};

@group(0) @binding(0) var<storage, read_write> particles: array<Particle>;
@group(0) @binding(1) var<uniform> sim: Sim;
@group(0) @binding(2) var<storage, read_write> accum: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> cam: Camera;

// Fixed point: 1.0 of colour is 256.
const ONE: f32 = 256.0;

@compute @workgroup_size(256)
fn step(@builtin(global_invocation_id) id: vec3u) {
    let i = id.x;
    if (i >= sim.count) {
        return;
    }
    var p = particles[i];
    if (p.life <= 0.0) {
        return;
    }
    var velocity = p.motion.zw;
    velocity.y += p.gravity * sim.dt;
    velocity *= max(0.0, 1.0 - p.drag * sim.dt);
    let position = p.motion.xy + velocity * sim.dt;
    p.motion = vec4f(position, velocity);
    p.life -= sim.dt;
    particles[i] = p;
    if (p.life <= 0.0) {
        return;
    }
    let clip = to_clip(cam, position);
    let screen = vec2f((clip.x + 1.0) * 0.5 * f32(sim.width), (1.0 - clip.y) * 0.5 * f32(sim.height));
    let fade = p.life / p.max_life;
    let rgb = vec3u(clamp(p.color.rgb * fade, vec3f(0.0), vec3f(64.0)) * ONE);
    let side = i32(clamp(round(p.color.w * cam.zoom), 1.0, 3.0));
    let origin = vec2i(floor(screen)) - vec2i(side / 2);
    for (var dy = 0; dy < side; dy++) {
        for (var dx = 0; dx < side; dx++) {
            let q = origin + vec2i(dx, dy);
            if (q.x < 0 || q.y < 0 || q.x >= i32(sim.width) || q.y >= i32(sim.height)) {
                continue;
            }
            let at = (u32(q.y) * sim.width + u32(q.x)) * 3u;
            atomicAdd(&accum[at], rgb.r);
            atomicAdd(&accum[at + 1u], rgb.g);
            atomicAdd(&accum[at + 2u], rgb.b);
        }
    }
}

