//! The wgpu device: instance, adapter and queue, with validation errors caught as values.

use std::sync::{Arc, Mutex};

use trystero_core::render::RenderError;

/// A wgpu device and queue, shareable between renderers (tests share one).
#[derive(Debug)]
pub struct Gpu {
    /// The instance (windows make their surfaces from it).
    pub instance: wgpu::Instance,
    /// The adapter wgpu picked.
    pub adapter: wgpu::Adapter,
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Gpu {
    /// Opens the first adapter wgpu offers (high performance preferred, software allowed:
    /// on a machine without a GPU that is Mesa's lavapipe through Vulkan). `WGPU_BACKEND` and
    /// the other wgpu environment variables apply.
    pub fn new() -> Result<Self, RenderError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        futures_executor::block_on(Self::with_instance(instance, None))
    }

    /// Opens an adapter that can present to `surface` (made from `instance`).
    pub async fn with_instance(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Self, RenderError> {
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                compatible_surface: surface,
                apply_limit_buckets: false,
            })
            .await
            .map_err(|error| {
                RenderError::NoAdapter(format!(
                    "{error} (without a GPU, install Mesa's Vulkan drivers: mesa-vulkan-drivers)"
                ))
            })?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("trystero-render"),
                required_features: wgpu::Features::empty(),
                required_limits: adapter.limits(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|error| RenderError::Device(error.to_string()))?;
        let errors = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&errors);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            if let Ok(mut errors) = sink.lock()
                && errors.len() < 16
            {
                errors.push(error.to_string());
            }
        }));
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
            errors,
        })
    }

    /// What wgpu picked: adapter name, driver and backend (e.g. `llvmpipe (LLVM 15.0.6, 256
    /// bits) — Mesa 22.3.6 — Vulkan`).
    pub fn describe(&self) -> String {
        let info = self.adapter.get_info();
        format!(
            "{} — {} {} — {:?} ({:?})",
            info.name, info.driver, info.driver_info, info.backend, info.device_type
        )
    }

    /// The first validation or device error since the last call, if any.
    pub fn take_error(&self) -> Option<RenderError> {
        let mut errors = self.errors.lock().ok()?;
        if errors.is_empty() {
            return None;
        }
        let first = errors.remove(0);
        errors.clear();
        Some(RenderError::Device(first))
    }
}
