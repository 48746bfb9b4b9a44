//! The super-resolution engine's size and timing on the ULX3S 85F: the default 4x model
//! from a 160x120 frame to 640x480@60, with the frame buffer, the PLL, the camera capture
//! and the DVI transmitter around it (`hdl_designs::sr_engine::bench_top`), through
//! yosys, nextpnr-ecp5 and ecppack. Prints the engine's plan, every clock's maximum
//! frequency against what it must run at with the 10% margin the engine is held to, the
//! longest path between each two clocks against the time between their closest edges
//! (nextpnr's pass/fail covers each clock alone) unless the netlist shows that every path
//! between them ends in a synchronizer (`hdl_sim::cdc`), and the cells used. Place and
//! route takes about 5 to 9 minutes.
//!
//! ```text
//! cargo run --release --example sr_engine_build [-- --compute-hz 125000000] [-- --model PATH.onnx] [-- --seed N]
//! ```

use std::path::{Path, PathBuf};

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, BuildError, BuildOptions};
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::sr_engine::bench_top::top;
use hdl_designs::sr_engine::EngineRequest;
use hdl_designs::timing::{check_crossings, describe};
use hdl_designs::ulx3s_sr::{COMPUTE_HZ, PIXEL_HZ};
use hdl_devices::Device;
use hdl_dsl::Design;

/// The margin over each clock's required frequency the engine must close with.
const MARGIN: f64 = 1.10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut model_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/models/student_x4.onnx");
    let mut compute_hz = COMPUTE_HZ;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--model" => model_path = PathBuf::from(value()?),
            "--compute-hz" => compute_hz = value()?.parse().map_err(|e| format!("--compute-hz: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => return Err(format!("unknown argument `{other}`; accepted: --model PATH.onnx, --compute-hz N, --seed N").into()),
        }
    }
    let compiled = sr_compiler::compile(&model_path)?;
    let scale = compiled.fixed.folded.scale as u32;
    let mode = VGA_640X480_60;
    let request = EngineRequest {
        model: &compiled.fixed,
        input: (mode.h.active / scale, mode.v.active / scale),
        mode,
        pixel_hz: PIXEL_HZ,
        device: Device::Lfe5u85f,
        compute_hz,
    };
    let (plan, module) = top(&request)?;
    println!(
        "engine at {:.2} MHz: {} products a lane, {} lanes a channel, {} MULT18X18D, {} DP16KD planned ({:?})",
        compute_hz as f64 / 1e6,
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
    // nextpnr checks each clock alone: a path between two clocks of one PLL must fit
    // between the closest pair of their edges, with the same margin, unless every path
    // between them ends in a synchronizer.
    for (x, check) in check_crossings(&design, &report, MARGIN)? {
        println!("margin: {}", describe(&x, &check, MARGIN));
        if !check.passes() {
            short.push(format!("{} -> {}", x.from, x.to));
        }
    }
    if !short.is_empty() {
        return Err(format!("without 10% margin: {}", short.join(", ")).into());
    }
    Ok(())
}
