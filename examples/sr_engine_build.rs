//! The super-resolution engine's size and timing on the ULX3S 85F: the default 4x model
//! from a 160x120 frame to 640x480@60, with the frame buffer, the PLL, the camera capture
//! and the DVI transmitter around it (`hdl_designs::sr_engine::bench_top`), through
//! yosys, nextpnr-ecp5 and ecppack. Prints the engine's plan, every clock's maximum
//! frequency against what it must run at with the 10% margin the engine is held to, the
//! longest path between each two clocks against the faster one's period (nextpnr's
//! pass/fail covers each clock alone), and the cells used. Place and route takes about
//! 5 minutes.
//!
//! ```text
//! cargo run --release --example sr_engine_build [-- --compute-mhz 100] [-- --model PATH.onnx] [-- --seed N]
//! ```

use std::path::{Path, PathBuf};

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, BuildError, BuildOptions};
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::sr_engine::bench_top::top;
use hdl_designs::sr_engine::EngineRequest;
use hdl_devices::Device;
use hdl_dsl::Design;

/// The margin over each clock's required frequency the engine must close with.
const MARGIN: f64 = 1.10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut model_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/models/student_x4.onnx");
    let mut compute_mhz = 125u64;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--model" => model_path = PathBuf::from(value()?),
            "--compute-mhz" => compute_mhz = value()?.parse().map_err(|e| format!("--compute-mhz: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => return Err(format!("unknown argument `{other}`; accepted: --model PATH.onnx, --compute-mhz N, --seed N").into()),
        }
    }
    let compiled = sr_compiler::compile(&model_path)?;
    let scale = compiled.fixed.folded.scale as u32;
    let mode = VGA_640X480_60;
    let request = EngineRequest {
        model: &compiled.fixed,
        input: (mode.h.active / scale, mode.v.active / scale),
        mode,
        pixel_hz: 25_000_000,
        device: Device::Lfe5u85f,
        compute_hz: compute_mhz * 1_000_000,
    };
    let (plan, module) = top(&request)?;
    println!(
        "engine: {} products a lane, {} lanes a channel, {} MULT18X18D, {} DP16KD planned ({:?})",
        plan.products,
        plan.lanes_per_output,
        plan.multipliers,
        plan.block_rams.total(),
        plan.block_rams
    );
    let design = Design::elaborate(module)?;
    let out = Path::new("build/sr_engine");
    let report = match build(&design, &Ulx3s::lfe5u_85f(), &BuildOptions::new(out).seed(seed)) {
        Err(e @ BuildError::Tools(_)) => return Err(e.into()),
        built => built?,
    };
    println!("{report}");
    let mut short = Vec::new();
    for c in &report.clocks {
        let needed = c.constraint_mhz * MARGIN;
        let verdict = if c.achieved_mhz >= needed { "ok" } else { "SHORT" };
        println!(
            "margin: {:<32} {:>8.2} MHz of {:.2} MHz (+10%) {verdict}",
            c.name, c.achieved_mhz, needed
        );
        if c.achieved_mhz < needed {
            short.push(c.name.clone());
        }
    }
    // nextpnr checks each clock alone: a path between two clocks (of one PLL) must fit
    // between the closest pair of their edges, with the same margin.
    let constraint = |name: &str| report.clocks.iter().find(|c| c.name == name).map(|c| c.constraint_mhz);
    for x in &report.crossings {
        let (Some(a), Some(b)) = (constraint(&x.from), constraint(&x.to)) else {
            println!("margin: {} -> {}: a clock without a constraint in the report SHORT", x.from, x.to);
            short.push(format!("{} -> {}", x.from, x.to));
            continue;
        };
        let window_ns = x.window_ns(a, b);
        let verdict = if x.delay_ns * MARGIN <= window_ns { "ok" } else { "SHORT" };
        println!(
            "margin: {} -> {}: {:.2} ns (+10%) of the {window_ns:.2} ns between their closest edges {verdict}",
            x.from, x.to, x.delay_ns
        );
        if verdict == "SHORT" {
            short.push(format!("{} -> {}", x.from, x.to));
        }
    }
    if !short.is_empty() {
        return Err(format!("without 10% margin: {}", short.join(", ")).into());
    }
    Ok(())
}
