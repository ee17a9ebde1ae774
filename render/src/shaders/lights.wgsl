// One additive quad per light at reduced resolution, each pixel tested against its light's
// 1-D shadow map (three taps, soft edges).

@group(0) @binding(0) var<uniform> cam: Camera;
@group(1) @binding(0) var<storage, read> all_lights: array<Light>;
@group(1) @binding(1) var<storage, read> maps: array<f32>;

struct LightVaryings {
    @builtin(position) position: vec4f,
    @location(0) world: vec2f,
    @location(1) @interpolate(flat) index: u32,
};

@vertex
fn light_quad(@builtin(vertex_index) vertex: u32, @builtin(instance_index) index: u32) -> LightVaryings {
    let light = all_lights[index];
    let corner = vec2f(f32(vertex & 1u), f32(vertex >> 1u)) * 2.0 - 1.0;
    // A little beyond the radius, so a rotated view never clips the disc.
    let world = light.position + corner * light.radius * 1.01;
    var out: LightVaryings;
    out.position = to_clip(cam, world);
    out.world = world;
    out.index = index;
    return out;
}

fn lit(index: u32, slot: i32, distance: f32) -> f32 {
    let wrapped = u32((slot + i32(RES)) % i32(RES));
    // A small bias lets the occluder's own face be lit.
    return select(0.0, 1.0, distance <= maps[index * RES + wrapped] + 1.5);
}

@fragment
fn light_pixel(in: LightVaryings) -> @location(0) vec4f {
    let light = all_lights[in.index];
    let offset = in.world - light.position;
    let distance = length(offset);
    if (distance >= light.radius) {
        discard;
    }
    let falloff = 1.0 - distance / light.radius;
    var visible = 1.0;
    if (light.shadows > 0.5) {
        var theta = atan2(offset.y, offset.x);
        if (theta < 0.0) {
            theta += TAU;
        }
        let slot = i32(floor(theta / TAU * f32(RES)));
        visible = (lit(in.index, slot - 1, distance) + lit(in.index, slot, distance) * 2.0
            + lit(in.index, slot + 1, distance)) * 0.25;
    }
    return vec4f(light.color.rgb * falloff * falloff * visible, 1.0);
}

