//! Simulation speed: hdl-sim against Verilator (`-O3`, one thread) on the same designs,
//! measured side by side in one run.
//!
//! ```text
//! cargo run --release --example sim_bench
//! ```
//!
//! Prints one line per design:
//! `design=NAME cycles=N rust_cycles_per_s=X verilator_cycles_per_s=Y ratio=X/Y`.
//! Both sides drive the same inputs: fixed ones, plus a new pseudo-random sample every
//! cycle for the FIR. The FIR's output is checked against a plain Rust model, so the
//! numbers are for a simulation that is right.

use std::time::Instant;

use hdl_dsl::{constant, signed, Design, Module, Value};
use hdl_sim::{Simulator, Xorshift};
use hdl_testkit::verilator::Bench;
use hdl_testkit::{examples, tools};

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

/// Cycles per second of hdl-sim over `cycles` cycles; checks the FIR's result.
fn rust_rate(case: &Case, cycles: u64) -> f64 {
    let mut sim = Simulator::new(&case.design).unwrap_or_else(|e| {
        eprintln!("sim_bench: `{}` does not simulate: {e}", case.name);
        std::process::exit(1)
    });
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
    cycles as f64 / seconds
}

fn main() {
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
        let probe = rust_rate(case, 20_000);
        let cycles = ((probe * TARGET_SECONDS) as u64).max(100_000);
        let rust = rust_rate(case, cycles);
        let reference = verilator.as_ref().map(|v| {
            let random: Vec<&str> = case.random.into_iter().collect();
            let bench = Bench::build(v, &case.design, "clk", &random, &case.fixed).unwrap_or_else(|e| panic!("{e}"));
            let seconds = bench.run(cycles).unwrap_or_else(|e| panic!("{e}"));
            cycles as f64 / seconds
        });
        match reference {
            Some(v) => println!(
                "design={} cycles={cycles} rust_cycles_per_s={rust:.0} verilator_cycles_per_s={v:.0} ratio={:.2}",
                case.name,
                rust / v
            ),
            None => println!(
                "design={} cycles={cycles} rust_cycles_per_s={rust:.0} verilator_cycles_per_s=unavailable",
                case.name
            ),
        }
    }
}
