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
    // An octagon round the disc (a strip zigzagging across it): a square would shade 21 % of
    // its pixels outside the light for nothing, the octagon 5 %.
    let zigzag = array<u32, 8>(0u, 7u, 1u, 6u, 2u, 5u, 3u, 4u);
    let k = f32(zigzag[vertex]);
    let angle = (k + 0.5) * 0.7853982;
    // 1/cos(22.5°) puts the octagon's edges on the circle, a little more for safety.
    let world = light.position + vec2f(cos(angle), sin(angle)) * light.radius * 1.0924;
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
        let slot = min(i32(floor(diamond(offset) * 0.25 * f32(RES))), i32(RES) - 1);
        visible = (lit(in.index, slot - 1, distance) + lit(in.index, slot, distance) * 2.0
            + lit(in.index, slot + 1, distance)) * 0.25;
    }
    return vec4f(light.color.rgb * falloff * falloff * visible, 1.0);
}

