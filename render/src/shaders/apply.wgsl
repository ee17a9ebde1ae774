// The lit picture: the scene times the light map.

@group(0) @binding(0) var scene: texture_2d<f32>;
@group(0) @binding(1) var light_map: texture_2d<f32>;
@group(0) @binding(2) var linear_sampler: sampler;

// The lit picture: the scene times the light map (bilinear from reduced resolution).
@fragment
fn apply(in: FullScreen) -> @location(0) vec4f {
    // The scene is the output's size: a plain load; the light map is smaller: filtered.
    let color = textureLoad(scene, vec2i(in.position.xy), 0);
    let light = textureSample(light_map, linear_sampler, in.uv);
    return vec4f(color.rgb * light.rgb, 1.0);
}
