//! Live super-resolution on a ULX3S, from a fresh machine to a bitstream in one command:
//! the OV7670 camera → frame buffer → super-resolution engine → HDMI design
//! (`hdl_designs::ulx3s_sr`) for a model, its Verilog and constraints, the model's
//! reference pictures, and the bitstream through the project's runner (which installs
//! yosys and nextpnr-ecp5 into a cached virtualenv when they are missing).
//!
//! ```text
//! cargo run --release --example ulx3s_sr [-- --help]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::Parser;
use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, constraints, Board, BuildOptions, BuildReport, CrossingCheck, CrossingReport};
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::camera_wiring::{self, CameraWiring};
use hdl_designs::sr_engine::EnginePlan;
use hdl_designs::timing::{check_crossings, clock_names, describe};
use hdl_designs::ulx3s_sr::{top, Ulx3sSr, BUTTONS, LEDS};
use hdl_dsl::Design;
use sr_compiler::report::Quality;
use sr_compiler::{picture, reference, Picture};

/// Live 4x (or 2x) super-resolution from an OV7670 camera to HDMI on a ULX3S.
#[derive(Parser, Debug)]
#[command(name = "ulx3s_sr", version)]
struct Args {
    /// The super-resolution model (ONNX, as `torch.onnx.export` writes it).
    #[arg(long, default_value_os_t = root().join("designs/models/student_x4.onnx"))]
    model: PathBuf,
    /// The camera picture the reference pictures are made from (PNG of the camera's resolution; default: the embedded test picture).
    #[arg(long)]
    image: Option<PathBuf>,
    /// Where the outputs go.
    #[arg(long, default_value = "build/ulx3s_sr")]
    out: PathBuf,
    /// The board: ulx3s-85f, ulx3s-45f, ulx3s-25f or ulx3s-12f.
    #[arg(long, default_value = "ulx3s-85f")]
    board: String,
    /// The camera's wiring on the GPIO header (TOML).
    #[arg(long, default_value_os_t = camera_wiring::default_file())]
    wiring: PathBuf,
    /// Stop before synthesis: Verilog, constraints and pictures only.
    #[arg(long)]
    no_bitstream: bool,
    /// Do not install missing FPGA tools; say how to instead.
    #[arg(long)]
    no_install_tools: bool,
    /// Program the board with openFPGALoader after the build (or print the command).
    #[arg(long)]
    program: bool,
}

/// The design's clocks, by the names of the top's wires that carry them.
const CLOCKS: [&str; 3] = ["compute_clk", "pixel_clk", "bit_clk"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

type Failure = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ulx3s_sr: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Seconds each step took, in order.
struct Steps(Vec<(&'static str, f64)>);

impl Steps {
    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
        let t = Instant::now();
        let result = f()?;
        let seconds = t.elapsed().as_secs_f64();
        eprintln!("  {name}: {seconds:.2} s");
        self.0.push((name, seconds));
        Ok(result)
    }
}

fn run(args: &Args) -> Result<(), Failure> {
    let board = Ulx3s::from_name(&args.board)?;
    let wiring = CameraWiring::load(&args.wiring)?;
    let mut steps = Steps(Vec::new());
    eprintln!("compiling {} ...", args.model.display());
    let compiled = steps.time("compile the model", || Ok(sr_compiler::compile(&args.model)?))?;
    let design = Ulx3sSr {
        model: &compiled.fixed,
        mode: VGA_640X480_60,
        device: board.device(),
        wiring: &wiring,
    };
    let (width, height) = design.input();
    let image = args
        .image
        .clone()
        .unwrap_or_else(|| root().join(format!("designs/images/hubble_{width}x{height}.png")));
    let camera_picture = sr_compiler::picture::read_as_camera(&image)?;
    if (camera_picture.width, camera_picture.height) != (width as usize, height as usize) {
        return Err(format!(
            "{} is {}x{}: the camera gives {width}x{height} for this model ({}x scale to {}), so the picture must be {width}x{height}",
            image.display(),
            camera_picture.width,
            camera_picture.height,
            compiled.fixed.folded.scale,
            design.mode.name
        )
        .into());
    }

    // The engine's refusal comes here, before any long step.
    eprintln!("elaborating the design for the {} ...", board.name());
    let (plan, module) = steps.time("elaborate", || Ok(top(&design)?))?;
    let elaborated = steps.time("check the design", || Ok(Design::elaborate(module)?))?;
    std::fs::create_dir_all(&args.out)?;
    let options = BuildOptions::new(args.out.join("bitstream"))
        .install_tools(!args.no_install_tools)
        .pull_up(&header_port(&wiring, "sioc"))
        .pull_up(&header_port(&wiring, "siod"));
    steps.time("write top.v and ulx3s.lpf", || {
        std::fs::write(args.out.join("top.v"), elaborated.verilog())?;
        std::fs::write(args.out.join("ulx3s.lpf"), constraints(&elaborated, &board, &options)?)?;
        Ok(())
    })?;
    print_plan(&plan);

    eprintln!("running the reference models on {} ...", image.display());
    let quality = steps.time("reference pictures", || reference_pictures(args, &compiled, &camera_picture))?;
    println!(
        "fixed point vs float: PSNR {:.2} dB, at most {} levels apart",
        quality.psnr_fixed_vs_float_db, quality.max_abs_diff_fixed_vs_float
    );

    let built = if args.no_bitstream {
        None
    } else {
        eprintln!("building the bitstream ...");
        let report = steps.time("bitstream", || Ok(build(&elaborated, &board, &options)?))?;
        println!("{report}");
        let crossings = check_crossings(&elaborated, &report, 1.0)?;
        let clocks = clock_names(&elaborated, &report, &CLOCKS)?;
        for (path, check) in &crossings {
            println!("{}", describe(path, check, 1.0));
        }
        let bitstream = args.out.join("ulx3s_sr.bit");
        std::fs::copy(&report.bitstream, &bitstream)?;
        Some(Built {
            report,
            clocks,
            crossings,
            bitstream,
        })
    };
    let text = report_toml(&board, &plan, &quality, built.as_ref(), &steps);
    std::fs::write(args.out.join("report.toml"), text)?;
    println!("wrote {}", args.out.join("report.toml").display());
    println!(
        "LEDs: {}",
        LEDS.iter()
            .enumerate()
            .map(|(i, l)| format!("{i} {l}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "buttons: {}",
        BUTTONS.iter().map(|(i, b)| format!("btn[{i}] {b}")).collect::<Vec<_>>().join(", ")
    );
    if let Some(built) = built {
        if !built.timing_met() {
            return Err("the bitstream does not meet timing (see the report above)".into());
        }
        program(args.program, &built.bitstream)?;
    }
    Ok(())
}

/// The top's port bit of a camera signal: `gp[0]` for `gp0`.
fn header_port(wiring: &CameraWiring, signal: &str) -> String {
    let (side, bit) = wiring.header_pin(signal).expect("a checked wiring has every signal");
    format!("{side}[{bit}]")
}

fn print_plan(plan: &EnginePlan) {
    println!(
        "engine: {} multipliers ({} lanes a channel, {} products a lane a pixel), {} DP16KD, {:.2} GMAC/s",
        plan.multipliers,
        plan.lanes_per_output,
        plan.products,
        plan.block_rams.total(),
        plan.macs_per_second / 1e9
    );
}

/// `reference_float.png` (tract on the camera-quantised picture), `reference_fixed.png`
/// (the fixed-point model: what the hardware shows) and `nearest.png`.
fn reference_pictures(args: &Args, compiled: &sr_compiler::Compiled, camera: &Picture) -> Result<Quality, Failure> {
    let input = picture::to_input(camera);
    let float = reference::run_reference(&args.model, &input)?;
    let folded = compiled.folded.run(&input);
    let fixed = compiled.fixed.run(camera);
    let quality = Quality::measure(&float, &folded, &fixed, compiled.folded.clamp);
    picture::from_output(&float).write_png(&args.out.join("reference_float.png"))?;
    fixed.write_png(&args.out.join("reference_fixed.png"))?;
    camera.nearest(compiled.folded.scale).write_png(&args.out.join("nearest.png"))?;
    Ok(quality)
}

/// A bitstream and what was measured of it.
struct Built {
    report: BuildReport,
    /// nextpnr's name of each clock and the design's.
    clocks: Vec<(String, String)>,
    /// Every path between two clocks, checked.
    crossings: Vec<(CrossingReport, CrossingCheck)>,
    /// `ulx3s_sr.bit` in the output folder.
    bitstream: PathBuf,
}

impl Built {
    /// Every clock meets its constraint and every path between clocks fits.
    fn timing_met(&self) -> bool {
        self.report.timing_met() && self.crossings.iter().all(|(_, c)| c.passes())
    }
}

/// `report.toml`: quality, hardware, throughput and the time of each step.
fn report_toml(board: &Ulx3s, plan: &EnginePlan, quality: &Quality, built: Option<&Built>, steps: &Steps) -> String {
    let mut t = String::new();
    t += "[quality]\n";
    t += &format!("psnr_fixed_vs_float_db = {:.3}\n", quality.psnr_fixed_vs_float_db);
    t += &format!("max_abs_diff_fixed_vs_float = {}\n", quality.max_abs_diff_fixed_vs_float);
    t += "\n[hardware]\n";
    t += &format!("board = \"{}\"\n", board.name());
    if let Some(built) = built {
        let r = &built.report;
        let used = |cell: &str| r.resources.iter().find(|x| x.name == cell).map_or(0, |x| x.used);
        t += &format!("luts = {}\n", used("TRELLIS_COMB"));
        t += &format!("ffs = {}\n", used("TRELLIS_FF"));
        t += &format!("dsps = {}\n", used("MULT18X18D"));
        t += &format!("ebrs = {}\n", used("DP16KD"));
        t += &format!("timing_met = {}\n", built.timing_met());
        t += &format!("tools = \"{}\"\n", r.tools);
        let name = |net: &str| {
            built
                .clocks
                .iter()
                .find(|(n, _)| n == net)
                .map_or(net.to_owned(), |(_, d)| d.clone())
        };
        t += "\n[hardware.fmax_mhz]\n";
        for c in &r.clocks {
            t += &format!("{} = {:.2}\n", name(&c.name), c.achieved_mhz);
        }
        t += "\n[hardware.required_mhz]\n";
        for c in &r.clocks {
            t += &format!("{} = {:.2}\n", name(&c.name), c.constraint_mhz);
        }
        for (path, check) in &built.crossings {
            t += "\n[[hardware.crossings]]\n";
            t += &format!(
                "from = \"{}\"\nto = \"{}\"\ndelay_ns = {:.2}\n",
                name(&path.from),
                name(&path.to),
                path.delay_ns
            );
            match check {
                CrossingCheck::Synchronized => t += "only_synchronizers = true\n",
                CrossingCheck::Timed { window_ns, .. } => t += &format!("window_ns = {window_ns:.2}\n"),
                CrossingCheck::Unconstrained => t += "unconstrained = true\n",
            }
            t += &format!("passes = {}\n", check.passes());
        }
    }
    t += "\n[throughput]\n";
    t += "output_mode = \"640x480@60\"\n";
    t += &format!("macs_per_pixel = {}\n", plan.taps * 3);
    t += &format!("gmacs_per_s = {:.3}\n", plan.macs_per_second / 1e9);
    t += &format!("multipliers = {}\n", plan.multipliers);
    t += "\n[time]\n";
    for (name, seconds) in &steps.0 {
        t += &format!("\"{name}\" = {seconds:.3}\n");
    }
    t
}

/// Programs the board when asked and `openFPGALoader` is installed; otherwise says how.
fn program(asked: bool, bitstream: &Path) -> Result<(), Failure> {
    let command = format!("openFPGALoader -b ulx3s {}", bitstream.display());
    if !asked {
        println!("program the board with: {command}");
        return Ok(());
    }
    match Command::new("openFPGALoader").args(["-b", "ulx3s"]).arg(bitstream).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{command}` failed ({status})").into()),
        Err(_) => {
            println!("openFPGALoader is not installed; install it and run: {command}");
            Ok(())
        }
    }
}
