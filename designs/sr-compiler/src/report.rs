//! What the compiled model is and costs: layers, folding, coefficient sets, MACs, memory,
//! multipliers for an output mode, and its quality against the float reference.

use std::fmt::Write;

use hdl_devices::Device;
use hdl_video::{psnr_db, Picture, VideoMode, VGA_640X480_60};

use super::fixed_point::FixedModel;
use super::network::{FeatureMap, Layer, Network};
use super::picture;

/// The parts the layered cost is given for (the 12F has the 25F's multipliers).
pub const REPORTED_DEVICES: [Device; 3] = [Device::Lfe5u25f, Device::Lfe5u45f, Device::Lfe5u85f];

/// The output mode the hardware figures are for.
pub const OUTPUT_MODE: VideoMode = VGA_640X480_60;

/// The multiplier clock the figures assume (measured reachable on the 85F: see the
/// README's synthesis notes).
pub const DSP_CLOCK_HZ: f64 = 125_000_000.0;

/// Frames per second of an [`OUTPUT_MODE`] picture with `macs` per pixel on
/// `multipliers` at [`DSP_CLOCK_HZ`].
pub fn frames_per_second(macs: f64, multipliers: u32) -> f64 {
    let pixels = OUTPUT_MODE.h.active as f64 * OUTPUT_MODE.v.active as f64;
    multipliers as f64 * DSP_CLOCK_HZ / (macs * pixels)
}

/// The layered cost in words, for the "does not fold" error.
pub fn layered_cost(network: &Network) -> String {
    let macs = network.layered_macs_per_pixel();
    let fps: Vec<String> = REPORTED_DEVICES
        .iter()
        .map(|d| format!("{d} {:.2} frames/s", frames_per_second(macs, d.resources().multipliers)))
        .collect();
    format!(
        "{macs:.0} MACs per output pixel, at {}x{} with every multiplier at {} MHz: {}",
        OUTPUT_MODE.h.active,
        OUTPUT_MODE.v.active,
        DSP_CLOCK_HZ / 1e6,
        fps.join(", ")
    )
}

/// Quality of the fixed-point and folded models against the float reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    /// PSNR of the fixed-point output against the reference, both in 8-bit levels.
    pub psnr_fixed_vs_float_db: f64,
    /// Largest difference in levels between the fixed-point output and the reference.
    pub max_abs_diff_fixed_vs_float: u8,
    /// Largest difference between the folded float model and the reference, unrounded
    /// in output units (1 = 255 levels).
    pub max_abs_diff_folded_vs_float: f64,
}

impl Quality {
    /// Compares the models' outputs on one picture: `float` is the reference's raw
    /// output, `folded` the folded model's (already clamped by `clamp`, the network's
    /// final clamps), `fixed` the fixed-point picture.
    pub fn measure(float: &FeatureMap, folded: &FeatureMap, fixed: &Picture, clamp: (f64, f64)) -> Quality {
        let unit = |v: f64| v.clamp(clamp.0, clamp.1).clamp(0.0, 1.0);
        let max_abs_diff_folded_vs_float = float
            .data
            .iter()
            .zip(&folded.data)
            .map(|(a, b)| (unit(*a) - unit(*b)).abs())
            .fold(0.0, f64::max);
        let diffs: Vec<i32> = picture::from_output(float)
            .pixels
            .iter()
            .zip(&fixed.pixels)
            .flat_map(|(a, b)| (0..3).map(move |c| a[c] as i32 - b[c] as i32))
            .collect();
        let max = diffs.iter().map(|d| d.unsigned_abs()).max().unwrap_or(0);
        let mse = diffs.iter().map(|d| (d * d) as f64).sum::<f64>() / diffs.len().max(1) as f64;
        Quality {
            psnr_fixed_vs_float_db: psnr_db(mse),
            max_abs_diff_fixed_vs_float: max.min(255) as u8,
            max_abs_diff_folded_vs_float,
        }
    }
}

/// How close each upscale comes to the high-resolution original the input was made from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fidelity {
    /// Pixels excluded at each edge.
    pub border: usize,
    /// PSNR of the nearest-neighbour upscale, dB.
    pub psnr_nearest_db: f64,
    /// PSNR of the bicubic upscale, dB.
    pub psnr_bicubic_db: f64,
    /// PSNR of the fixed-point model (what the hardware outputs), dB.
    pub psnr_model_db: f64,
}

impl Fidelity {
    /// The super-resolution papers' border: 8 pixels.
    pub const BORDER: usize = 8;

    /// Measures the upscales against `original`, which must be their size.
    pub fn measure(original: &Picture, nearest: &Picture, bicubic: &Picture, model: &Picture) -> Fidelity {
        let b = Fidelity::BORDER;
        Fidelity {
            border: b,
            psnr_nearest_db: nearest.psnr(original, b),
            psnr_bicubic_db: bicubic.psnr(original, b),
            psnr_model_db: model.psnr(original, b),
        }
    }
}

/// The report as TOML; `[original]` only when an original was given.
pub fn to_toml(network: &Network, fixed: &FixedModel, quality: &Quality, fidelity: Option<&Fidelity>) -> String {
    let f = &fixed.folded;
    let classes = f.offsets.len();
    let macs = f.macs_per_pixel();
    let mut s = String::new();
    let _ = writeln!(s, "# The compiled super-resolution model (hdl-designs sr_model).\n");
    let _ = writeln!(s, "[model]");
    let _ = writeln!(s, "scale = {}", f.scale);
    let _ = writeln!(s, "layers = [{}]", layer_list(network));
    let _ = writeln!(s, "folded = true");
    let _ = writeln!(s, "window = [{}, {}]", f.window.0, f.window.1);
    let _ = writeln!(s, "border = {}", f.border);
    let _ = writeln!(s, "coefficient_sets = {}", classes * classes);
    let _ = writeln!(s, "interior_sets = {}", f.scale * f.scale);
    let _ = writeln!(s, "border_sets = {}", classes * classes - f.scale * f.scale);
    let _ = writeln!(s, "macs_per_pixel_folded = {macs}");
    let _ = writeln!(s, "macs_per_pixel_layered = {:.0}", network.layered_macs_per_pixel());
    let _ = writeln!(s, "coefficient_bits = {}", fixed.coefficient_bits());
    let _ = writeln!(s, "fraction_bits = {}", fixed.fraction_bits);
    let _ = writeln!(s, "accumulator_bits = {}", fixed.accumulator_bits);
    let _ = writeln!(s, "min_input = [{0}, {0}]", f.min_input);
    let _ = writeln!(s, "\n[quality]");
    let _ = writeln!(s, "psnr_fixed_vs_float_db = {:.3}", quality.psnr_fixed_vs_float_db);
    let _ = writeln!(s, "max_abs_diff_fixed_vs_float = {}", quality.max_abs_diff_fixed_vs_float);
    let _ = writeln!(s, "max_abs_diff_folded_vs_float = {:.3e}", quality.max_abs_diff_folded_vs_float);
    let _ = writeln!(s, "fixed_vs_float_bound_levels = {:.3}", fixed.accuracy.bound_levels);
    if let Some(o) = fidelity {
        let _ = writeln!(s, "\n[original]");
        let _ = writeln!(s, "border = {}", o.border);
        let _ = writeln!(s, "psnr_nearest_db = {:.3}", o.psnr_nearest_db);
        let _ = writeln!(s, "psnr_bicubic_db = {:.3}", o.psnr_bicubic_db);
        let _ = writeln!(s, "psnr_model_db = {:.3}", o.psnr_model_db);
    }
    let _ = writeln!(s, "\n[hardware]");
    let _ = writeln!(s, "dsp_clock_mhz = {}", DSP_CLOCK_HZ / 1e6);
    let pixel_hz = OUTPUT_MODE.pixel_hz as f64;
    let _ = writeln!(s, "pixel_clock_mhz = {}", pixel_hz / 1e6);
    let _ = writeln!(
        s,
        "multipliers_640x480_60 = {}",
        (pixel_hz * macs as f64 / DSP_CLOCK_HZ).ceil() as usize
    );
    for device in REPORTED_DEVICES {
        let _ = writeln!(
            s,
            "layered_frames_per_s_{} = {:.3}",
            device.name().to_lowercase().replace('-', "_"),
            frames_per_second(network.layered_macs_per_pixel(), device.resources().multipliers)
        );
    }
    s
}

fn layer_list(network: &Network) -> String {
    let names: Vec<String> = network
        .layers
        .iter()
        .map(|l| match l {
            Layer::Conv(c) => format!("\"{}: Conv {}->{} {}x{}\"", c.name, c.inputs, c.outputs, c.kernel, c.kernel),
            Layer::DepthToSpace { name, scale, mode } => format!("\"{name}: DepthToSpace {scale} {mode:?}\""),
            Layer::Clamp { name, op, .. } => format!("\"{name}: {op}\""),
        })
        .collect();
    names.join(", ")
}
