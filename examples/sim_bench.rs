//! Simulation speed: hdl-sim against Verilator (`-O3`, one thread) on the same designs,
//! measured side by side in one run.
//!
//! ```text
//! cargo run --release --example sim_bench
//! ```
//!
//! Prints one line per design:
//! `design=NAME cycles=N rust_cycles_per_s=X verilator_cycles_per_s=Y ratio=X/Y
//! interpreter_cycles_per_s=I rust_build_s=B verilator_build_s=V`: `rust` is hdl-sim's
//! compiled back end (`Backend::Compiled`), `interpreter` its interpreter over the same
//! cycles, and the build times are from the elaborated design to a runnable simulation
//! (hdl-sim: compiling the netlist and generating native code; Verilator: its Verilog to
//! C++ and the C++ compile).
//! Both sides drive the same inputs: fixed ones, plus a new pseudo-random sample every
//! cycle for the FIR. The FIR's output is checked against a plain Rust model, so the
//! numbers are for a simulation that is right.
//!
//! Then the super-resolution engine (the default 4x model, 160x120 to 640x480@60, behind
//! the frame buffer, compute clock 104.17 MHz against the 25 MHz pixel clock): Verilator
//! runs two whole frames from reset (the engine takes the picture at the end of the first
//! and shows it in the second, which is checked against `FixedModel::run`), hdl-sim the
//! first `--engine-cycles` compute cycles on each back end (default one whole frame, 1.75
//! million, about a minute each, with progress on standard error; `--engine-cycles
//! 3500000` runs the same two frames). Its line counts compute-clock cycles.

use std::time::Instant;

use std::path::Path;

use hdl_cores::ov7670::pixel_stream;
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::sr_engine::testbench::{period_ps, top, verilator_picture, VERILATOR_MAIN};
use hdl_designs::sr_engine::EngineRequest;
use hdl_designs::ulx3s_sr::{COMPUTE_HZ, PIXEL_HZ};
use hdl_devices::Device;
use hdl_dsl::{constant, signed, Design, Module, Value};
use hdl_sim::stream::{Beat, StreamSource};
use hdl_sim::{Backend, Simulator, Xorshift};
use hdl_testkit::verilator::{Bench, Harness, Optimize};
use hdl_testkit::{examples, tools};
use hdl_video::{rgb565, Picture};

/// Seconds each measurement aims to take.
const TARGET_SECONDS: f64 = 1.5;

/// The coefficients of the benchmark FIR: fixed pseudo-random 16-bit values.
fn coefficients(taps: usize) -> Vec<i64> {
    let mut x = Xorshift::new(0x2545_f491_4f6c_dd1d);
    (0..taps).map(|_| (x.next() as u16 as i16) as i64).collect()
}

/// A `taps`-tap FIR filter: 16-bit signed samples and coefficients, a 40-bit registered
/// sum of products.
fn fir(taps: usize) -> Module {
    let mut m = Module::new("fir");
    let x = m.input("x", signed(16));
    let y = m.output("y", signed(40));
    let delay: Vec<Value> = (0..taps).map(|i| m.signal(format!("tap{i}"), signed(16))).collect();
    m.sync(delay[0].eq(&x));
    for i in 1..taps {
        m.sync(delay[i].eq(&delay[i - 1]));
    }
    let mut sum = constant(0, signed(40));
    for (tap, c) in delay.iter().zip(coefficients(taps)) {
        sum = (sum + tap * constant(c as i128, signed(16))).trunc(40).as_signed();
    }
    m.sync(y.eq(sum));
    m
}

/// The FIR's output after `cycles` cycles of the given input sequence, computed directly.
fn fir_model(taps: usize, inputs: &[i64]) -> i64 {
    let c = coefficients(taps);
    // After the last edge, `y` holds the sum over the delay line as it was before it.
    let n = inputs.len();
    let line: Vec<i64> = (0..taps).map(|i| if n >= 2 + i { inputs[n - 2 - i] } else { 0 }).collect();
    let sum: i64 = line.iter().zip(&c).map(|(a, b)| a * b).sum();
    (sum << 24) >> 24
}

struct Case {
    name: &'static str,
    design: Design,
    /// Inputs held at a value.
    fixed: Vec<(&'static str, u64)>,
    /// A 16-bit input given a new xorshift value every cycle.
    random: Option<&'static str>,
}

/// A simulator of `design` on `backend`, and the seconds it took to make.
fn simulator(design: &Design, backend: Backend) -> (Simulator, f64) {
    let start = Instant::now();
    let mut sim = Simulator::new(design).unwrap_or_else(|e| panic!("{e}"));
    sim.set_backend(backend).unwrap_or_else(|e| panic!("{e}"));
    (sim, start.elapsed().as_secs_f64())
}

/// hdl-sim's cycles per second on `backend` over `cycles` cycles, and its build time;
/// checks the FIR's result.
fn rust_rate(case: &Case, cycles: u64, backend: Backend) -> (f64, f64) {
    let (mut sim, build) = simulator(&case.design, backend);
    let sync = sim.domain("sync").expect("the bench designs use `sync`");
    for (name, value) in &case.fixed {
        let s = sim.signal(name).expect("bench input exists");
        sim.set(s, *value).expect("bench input value fits");
    }
    let random = case.random.map(|r| sim.signal(r).expect("bench input exists"));
    let mut x = Xorshift::new(0x9e37_79b9_7f4a_7c15);
    let mut history = Vec::new();
    let start = Instant::now();
    match random {
        Some(r) => {
            for _ in 0..cycles {
                let v = x.next() & 0xffff;
                sim.set(r, v).expect("16 bits fit");
                sim.tick(sync);
            }
        }
        None => sim.ticks(sync, cycles),
    }
    let seconds = start.elapsed().as_secs_f64();
    if case.name == "fir64" {
        // Replay the inputs for the model (outside the timed loop).
        let mut x = Xorshift::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..cycles {
            history.push((x.next() & 0xffff) as u16 as i16 as i64);
        }
        let y = sim.signal("y").expect("fir output");
        assert_eq!(
            sim.get_i64(y),
            fir_model(64, &history),
            "hdl-sim's FIR output differs from the model"
        );
    }
    (cycles as f64 / seconds, build)
}

/// Ticks `domain` `cycles` times, with progress on standard error; returns cycles per second.
fn run_engine(sim: &mut Simulator, compute: hdl_sim::Domain, cycles: u64, label: &str) -> f64 {
    let start = Instant::now();
    let step = (cycles / 10).max(1);
    let mut done = 0;
    while done < cycles {
        let now = step.min(cycles - done);
        sim.ticks(compute, now);
        done += now;
        eprintln!(
            "sr_engine_x4: hdl-sim ({label}) {done} of {cycles} compute cycles, {:.0} s",
            start.elapsed().as_secs_f64()
        );
    }
    cycles as f64 / start.elapsed().as_secs_f64()
}

/// The engine's picture: gradients and noise, as the camera delivers it.
fn engine_picture() -> Picture {
    let mut dice = Xorshift::new(3);
    let pixels = (0..160 * 120)
        .map(|k: usize| {
            let (x, y, noise) = (k % 160, k / 160, (dice.next() % 24) as usize);
            rgb565::as_camera([
                (x * 255 / 160 + noise) as u8,
                (y * 255 / 120 + noise) as u8,
                ((x + y) + noise) as u8,
            ])
        })
        .collect();
    Picture {
        width: 160,
        height: 120,
        pixels,
    }
}

/// The engine's line: compute cycles per second in hdl-sim over `cycles`, and in
/// Verilator over two whole frames with the second checked.
fn engine_bench(cycles: u64, verilator: Option<&Path>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/models/student_x4.onnx");
    let model = sr_compiler::compile(&path).unwrap_or_else(|e| panic!("{e}")).fixed;
    let mode = VGA_640X480_60;
    let request = EngineRequest {
        model: &model,
        input: (160, 120),
        mode,
        pixel_hz: PIXEL_HZ,
        device: Device::Lfe5u85f,
        compute_hz: COMPUTE_HZ,
    };
    let design = Design::elaborate(top(&request).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let picture = engine_picture();

    let mut rates = Vec::new();
    let mut rust_build = 0.0;
    for backend in [Backend::Compiled, Backend::Interpreter] {
        let (mut sim, build) = simulator(&design, backend);
        if backend == Backend::Compiled {
            rust_build = build;
        }
        let [cclk, pclk] = ["compute_clk", "pixel_clk"].map(|n| sim.signal(n).expect("the engine top's clocks"));
        let (compute, pixel) = (sim.clock(cclk).expect("a clock"), sim.clock(pclk).expect("a clock"));
        sim.set_period(compute, period_ps(COMPUTE_HZ));
        sim.set_period(pixel, period_ps(PIXEL_HZ));
        let beats = picture.pixels.iter().enumerate().map(|(k, &p)| Beat {
            payload: u64::from(rgb565::pack(p)),
            first: k == 0,
            last: k % 160 == 159,
        });
        StreamSource::attach(&mut sim, compute, "i", &pixel_stream(), beats, 1, 0).expect("the engine top's stream");
        rates.push(run_engine(&mut sim, compute, cycles, &format!("{backend:?}")));
    }
    let (rust, interpreted) = (rates[0], rates[1]);

    let reference = verilator.map(|v| {
        let start = Instant::now();
        let harness = Harness::build(v, &design, VERILATOR_MAIN.to_owned(), Optimize::Speed).unwrap_or_else(|e| panic!("{e}"));
        let build = start.elapsed().as_secs_f64();
        let (input, output) = (harness.dir().join("picture.bin"), harness.dir().join("shown.bin"));
        let bytes = verilator_picture(160, 120, picture.pixels.iter().map(|&p| rgb565::pack(p)));
        std::fs::write(&input, bytes).expect("the harness folder is writable");
        let frame = u64::from(mode.h.total() * mode.v.total());
        let pixel_clocks = 2 * frame + 3;
        let args = [
            input.to_str().unwrap(),
            "0",
            &pixel_clocks.to_string(),
            output.to_str().unwrap(),
            &period_ps(COMPUTE_HZ).to_string(),
            &period_ps(PIXEL_HZ).to_string(),
        ];
        let start = Instant::now();
        harness.run(&args.each_ref().map(|s| &**s)).unwrap_or_else(|e| panic!("{e}"));
        let seconds = start.elapsed().as_secs_f64();
        let shown = std::fs::read(&output).expect("the harness wrote its output");
        let active: Vec<[u8; 3]> = shown
            .chunks_exact(4)
            .filter(|c| c[0] & 1 == 1)
            .map(|c| [c[1], c[2], c[3]])
            .collect();
        let pixels = (mode.h.active * mode.v.active) as usize;
        assert_eq!(
            active.get(pixels..2 * pixels),
            Some(&model.run(&picture).pixels[..]),
            "Verilator's second frame differs from the fixed-point model"
        );
        ((pixel_clocks * period_ps(PIXEL_HZ) / period_ps(COMPUTE_HZ)) as f64 / seconds, build)
    });
    report("sr_engine_x4", cycles, rust, interpreted, rust_build, reference);
}

/// Prints a design's line.
fn report(name: &str, cycles: u64, rust: f64, interpreted: f64, rust_build: f64, verilator: Option<(f64, f64)>) {
    let (reference, ratio, verilator_build) = match verilator {
        Some((rate, build)) => (format!("{rate:.0}"), format!("{:.4}", rust / rate), format!("{build:.2}")),
        None => ("unavailable".into(), "unavailable".into(), "unavailable".into()),
    };
    println!(
        "design={name} cycles={cycles} rust_cycles_per_s={rust:.0} verilator_cycles_per_s={reference} ratio={ratio} \
         interpreter_cycles_per_s={interpreted:.0} rust_build_s={rust_build:.3} verilator_build_s={verilator_build}"
    );
}

fn main() {
    let frame = u64::from(VGA_640X480_60.h.total() * VGA_640X480_60.v.total());
    let mut engine_cycles = frame * period_ps(PIXEL_HZ) / period_ps(COMPUTE_HZ);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|v| v.parse::<u64>())) {
            ("--engine-cycles", Some(Ok(n))) => engine_cycles = n,
            _ => {
                eprintln!("sim_bench: unknown or incomplete argument `{arg}`; accepted: --engine-cycles N");
                std::process::exit(2)
            }
        }
    }
    let cases = vec![
        Case {
            name: "counter128",
            design: Design::elaborate(examples::counter(128)).expect("example elaborates"),
            fixed: vec![("en", 1)],
            random: None,
        },
        Case {
            name: "fir64",
            design: Design::elaborate(fir(64)).expect("the FIR elaborates"),
            fixed: vec![],
            random: Some("x"),
        },
    ];
    let verilator = tools::find(tools::Tool::Verilator);
    if verilator.is_none() {
        eprintln!("verilator not found: printing hdl-sim's rates only");
    }
    for case in &cases {
        // Calibrate: about TARGET_SECONDS of hdl-sim.
        let (probe, _) = rust_rate(case, 20_000, Backend::Compiled);
        let cycles = ((probe * TARGET_SECONDS) as u64).max(100_000);
        let (rust, rust_build) = rust_rate(case, cycles, Backend::Compiled);
        let (interpreted, _) = rust_rate(case, cycles, Backend::Interpreter);
        let reference = verilator.as_ref().map(|v| {
            let random: Vec<&str> = case.random.into_iter().collect();
            let start = Instant::now();
            let bench = Bench::build(v, &case.design, "clk", &random, &case.fixed).unwrap_or_else(|e| panic!("{e}"));
            let build = start.elapsed().as_secs_f64();
            let seconds = bench.run(cycles).unwrap_or_else(|e| panic!("{e}"));
            (cycles as f64 / seconds, build)
        });
        report(case.name, cycles, rust, interpreted, rust_build, reference);
    }
    engine_bench(engine_cycles, verilator.as_deref());
}
