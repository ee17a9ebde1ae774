// Adds the particle accumulation buffer onto the picture.

struct Sim {
    dt: f32,
    count: u32,
    width: u32,
    height: u32,
};

const ONE: f32 = 256.0;

@group(0) @binding(0) var<storage, read> splats: array<u32>;
@group(0) @binding(1) var<uniform> size: Sim;

@fragment
fn composite(in: FullScreen) -> @location(0) vec4f {
    let q = vec2u(in.position.xy);
    let at = (q.y * size.width + q.x) * 3u;
    let rgb = vec3f(f32(splats[at]), f32(splats[at + 1u]), f32(splats[at + 2u])) / ONE;
    return vec4f(rgb, 1.0);
}
