//! Small wgpu helpers: shader assembly, bind-group layouts and groups, buffers, pipelines,
//! texture uploads and readback.

use std::borrow::Cow;

use trystero_core::render::RenderError;

use crate::gpu::Gpu;
use crate::grading::LUT;
use crate::image::Image;

/// A shader module: `common.wgsl` (camera, full-screen triangle), then `parts` in order.
pub(crate) fn shader(device: &wgpu::Device, label: &str, parts: &[&str]) -> wgpu::ShaderModule {
    let mut source = include_str!("shaders/common.wgsl").to_owned();
    for part in parts {
        source.push('\n');
        source.push_str(part);
    }
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(Cow::Owned(source)),
    })
}

pub(crate) fn entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty,
        count: None,
    }
}

pub(crate) fn uniform_type() -> wgpu::BindingType {
    wgpu::BindingType::Buffer {
        ty: wgpu::BufferBindingType::Uniform,
        has_dynamic_offset: false,
        min_binding_size: None,
    }
}

pub(crate) fn storage_type(read_only: bool) -> wgpu::BindingType {
    wgpu::BindingType::Buffer {
        ty: wgpu::BufferBindingType::Storage { read_only },
        has_dynamic_offset: false,
        min_binding_size: None,
    }
}

pub(crate) fn texture_type(dimension: wgpu::TextureViewDimension) -> wgpu::BindingType {
    wgpu::BindingType::Texture {
        sample_type: wgpu::TextureSampleType::Float { filterable: true },
        view_dimension: dimension,
        multisampled: false,
    }
}

pub(crate) fn layout(
    device: &wgpu::Device,
    label: &str,
    entries: &[wgpu::BindGroupLayoutEntry],
) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries,
    })
}

pub(crate) fn group(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    resources: &[wgpu::BindingResource<'_>],
) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry<'_>> = resources
        .iter()
        .enumerate()
        .map(|(index, resource)| wgpu::BindGroupEntry {
            binding: u32::try_from(index).unwrap_or(0),
            resource: resource.clone(),
        })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

pub(crate) fn buffer(
    device: &wgpu::Device,
    label: &str,
    size: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size.max(16),
        usage: usage | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// A pipeline layout of `layouts` in group order.
fn pipeline_layout(
    device: &wgpu::Device,
    label: &str,
    layouts: &[&wgpu::BindGroupLayout],
) -> wgpu::PipelineLayout {
    let layouts: Vec<Option<&wgpu::BindGroupLayout>> = layouts.iter().map(|l| Some(*l)).collect();
    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &layouts,
        immediate_size: 0,
    })
}

/// What a render pipeline is made of: it runs the `entries` (vertex, fragment) of `module` over
/// `layouts` (in group order) and `buffers`, drawing `topology` into `format` with `blend` and
/// the fragment stage's override `constants`.
#[derive(Debug)]
pub(crate) struct PipelineDesc<'a> {
    pub(crate) label: &'a str,
    pub(crate) module: &'a wgpu::ShaderModule,
    pub(crate) layouts: &'a [&'a wgpu::BindGroupLayout],
    pub(crate) entries: (&'a str, &'a str),
    pub(crate) buffers: &'a [Option<wgpu::VertexBufferLayout<'a>>],
    pub(crate) format: wgpu::TextureFormat,
    pub(crate) blend: Option<wgpu::BlendState>,
    pub(crate) topology: wgpu::PrimitiveTopology,
    pub(crate) constants: &'a [(&'a str, f64)],
}

/// A render pipeline as `desc` describes it.
pub(crate) fn render_pipeline(
    device: &wgpu::Device,
    desc: &PipelineDesc<'_>,
) -> wgpu::RenderPipeline {
    let PipelineDesc {
        label,
        module,
        layouts,
        entries: (vertex, fragment),
        buffers,
        format,
        blend,
        topology,
        constants,
    } = *desc;
    let pipeline_layout = pipeline_layout(device, label, layouts);
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(&pipeline_layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some(vertex),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            buffers,
        },
        primitive: wgpu::PrimitiveState {
            topology,
            ..wgpu::PrimitiveState::default()
        },
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some(fragment),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants,
                ..wgpu::PipelineCompilationOptions::default()
            },
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

pub(crate) fn compute_pipeline(
    device: &wgpu::Device,
    label: &str,
    module: &wgpu::ShaderModule,
    layouts: &[&wgpu::BindGroupLayout],
    entry_point: &str,
) -> wgpu::ComputePipeline {
    let pipeline_layout = pipeline_layout(device, label, layouts);
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(label),
        layout: Some(&pipeline_layout),
        module,
        entry_point: Some(entry_point),
        compilation_options: wgpu::PipelineCompilationOptions::default(),
        cache: None,
    })
}

pub(crate) const ADDITIVE: wgpu::BlendState = wgpu::BlendState {
    color: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::One,
        dst_factor: wgpu::BlendFactor::One,
        operation: wgpu::BlendOperation::Add,
    },
    alpha: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::One,
        dst_factor: wgpu::BlendFactor::One,
        operation: wgpu::BlendOperation::Add,
    },
};

pub(crate) fn upload_texture(gpu: &Gpu, label: &str, image: &Image) -> wgpu::Texture {
    let size = (image.width, image.height, 1);
    let dimension = wgpu::TextureDimension::D2;
    upload(
        gpu,
        label,
        size,
        dimension,
        wgpu::TextureFormat::Rgba8UnormSrgb,
        &image.pixels,
    )
}

/// A 16³ table (texels r fastest, then g, then b; RGBA8, linear values).
pub(crate) fn upload_lut(gpu: &Gpu, texels: &[u8]) -> wgpu::Texture {
    let size = (LUT, LUT, LUT);
    let dimension = wgpu::TextureDimension::D3;
    upload(
        gpu,
        "grading",
        size,
        dimension,
        wgpu::TextureFormat::Rgba8Unorm,
        texels,
    )
}

/// A sampled RGBA8 texture of `size` (width, height, depth or layers) filled with `texels`.
pub(crate) fn upload(
    gpu: &Gpu,
    label: &str,
    (width, height, depth): (u32, u32, u32),
    dimension: wgpu::TextureDimension,
    format: wgpu::TextureFormat,
    texels: &[u8],
) -> wgpu::Texture {
    let size = wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: depth,
    };
    let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size,
        mip_level_count: 1,
        sample_count: 1,
        dimension,
        format,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    gpu.queue.write_texture(
        wgpu::TexelCopyTextureInfo {
            texture: &texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        texels,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * 4),
            rows_per_image: Some(height),
        },
        size,
    );
    texture
}

/// Copies a texture to a buffer and maps it (waits for the GPU).
pub(crate) fn read_texture(gpu: &Gpu, texture: &wgpu::Texture) -> Result<Image, RenderError> {
    let (width, height) = (texture.width(), texture.height());
    let row = (width * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
        * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: u64::from(row) * u64::from(height),
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &staging,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row),
                rows_per_image: Some(height),
            },
        },
        texture.size(),
    );
    gpu.queue.submit([encoder.finish()]);
    let slice = staging.slice(..);
    let (sender, receiver) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |result| {
        let _ = sender.send(result);
    });
    gpu.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|error| RenderError::Device(error.to_string()))?;
    receiver
        .recv()
        .map_err(|error| RenderError::Device(error.to_string()))?
        .map_err(|error| RenderError::Device(error.to_string()))?;
    let mut image = Image::new(width, height);
    {
        let data = slice
            .get_mapped_range()
            .map_err(|error| RenderError::Device(error.to_string()))?;
        for y in 0..height as usize {
            let from = y * row as usize;
            let to = y * width as usize * 4;
            image.pixels[to..to + width as usize * 4]
                .copy_from_slice(&data[from..from + width as usize * 4]);
        }
    }
    staging.unmap();
    if let Some(error) = gpu.take_error() {
        return Err(error);
    }
    Ok(image)
}
