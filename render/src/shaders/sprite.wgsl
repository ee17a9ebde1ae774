// Instanced sprites: four vertices a sprite (a triangle strip), one instance each.

@group(0) @binding(0) var<uniform> cam: Camera;
@group(1) @binding(0) var atlas: texture_2d<f32>;
@group(1) @binding(1) var atlas_sampler: sampler;

struct Instance {
    @location(0) centre: vec2f,
    @location(1) size: vec2f,
    @location(2) rotation: f32,
    @location(3) flip: f32,
    @location(4) uv: vec4f,
    @location(5) tint: vec4f,
};

struct Varyings {
    @builtin(position) position: vec4f,
    @location(0) uv: vec2f,
    @location(1) tint: vec4f,
};

@vertex
fn vs(@builtin(vertex_index) index: u32, sprite: Instance) -> Varyings {
    let corner = vec2f(f32(index & 1u), f32(index >> 1u));
    let local = (corner - 0.5) * sprite.size;
    let c = cos(sprite.rotation);
    let s = sin(sprite.rotation);
    let world = sprite.centre + vec2f(c * local.x - s * local.y, s * local.x + c * local.y);
    var u = corner.x;
    if (sprite.flip > 0.5) {
        u = 1.0 - u;
    }
    var out: Varyings;
    out.position = to_clip(cam, world);
    out.uv = mix(sprite.uv.xy, sprite.uv.zw, vec2f(u, corner.y));
    out.tint = sprite.tint * vec4f(cam.tint.rgb, 1.0);
    return out;
}

@fragment
fn fs(in: Varyings) -> @location(0) vec4f {
    let color = textureSample(atlas, atlas_sampler, in.uv) * in.tint;
    if (color.a < 0.004) {
        discard;
    }
    return color;
}

@group(2) @binding(0) var light_map: texture_2d<f32>;
@group(2) @binding(1) var light_sampler: sampler;

// A lit sprite: its colour times the light map at this pixel (filtered up from the map's
// reduced resolution). Lighting each fragment as it is drawn spares a full-screen pass.
@fragment
fn fs_lit(in: Varyings) -> @location(0) vec4f {
    let color = textureSample(atlas, atlas_sampler, in.uv) * in.tint;
    if (color.a < 0.004) {
        discard;
    }
    let light = textureSample(light_map, light_sampler, in.position.xy / cam.screen).rgb;
    return vec4f(color.rgb * light, color.a);
}
