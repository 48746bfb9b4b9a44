//! Elaboration speed: generated designs of growing size, elaborated, emitted as Verilog
//! and prepared for simulation, with the time each step takes.
//!
//! ```text
//! cargo run --release --example elab_bench
//! ```
//!
//! Two families, each doubled in size from step to step:
//! - `flat`: one module of N combinational signals and N registers in a chain
//!   (`c[i] = r[i-1] ^ i`, `r[i] <= c[i]`), all 8 bits wide;
//! - `hier`: a chain of N/32 distinct submodules of 16 such pairs each, joined port to
//!   port, so the hierarchy holds as many signals as the flat design of the same N.
//!
//! Prints one line per design, the fastest of three runs:
//! `design=NAME signals=N elaborate_ms=A verilog_ms=B elaborate_and_verilog_ms=T growth=G simulator_ms=C`,
//! where `growth` is `T` over the previous size's (2.0 is linear) and `simulator_ms` the
//! time `Simulator::new` takes to flatten and compile the design.

use std::time::{Duration, Instant};

use hdl_dsl::{unsigned, Design, Module, Value};
use hdl_sim::Simulator;

/// Signals (combinational and registered together) in the smallest design measured.
const SMALLEST: usize = 8_000;
/// Signals in the largest: 64,000 combinational signals and 64,000 registers.
const LARGEST: usize = 128_000;

/// Appends `pairs` combinational-signal/register pairs to `m`, chained from `input`;
/// returns the last register. `salt` makes the constants of different modules differ.
fn chain(m: &mut Module, input: Value, pairs: usize, salt: usize) -> Value {
    let mut prev = input;
    for i in 0..pairs {
        let c = m.signal(format!("c{i}"), unsigned(8));
        let r = m.signal(format!("r{i}"), unsigned(8));
        m.comb(c.eq(&prev ^ ((i + salt) as u32 & 0xff)));
        m.sync(r.eq(&c));
        prev = r;
    }
    prev
}

/// One module of `signals / 2` pairs.
fn flat(signals: usize) -> Module {
    let mut m = Module::new("flat");
    let x = m.input("x", unsigned(8));
    let y = m.output("y", unsigned(8));
    let last = chain(&mut m, x, signals / 2, 0);
    m.comb(y.eq(last));
    m
}

/// Pairs in each submodule of the hierarchical design.
const STAGE_PAIRS: usize = 16;

/// A chain of distinct stages of [`STAGE_PAIRS`] pairs each.
fn hier(signals: usize) -> Module {
    let mut top = Module::new("hier");
    let x = top.input("x", unsigned(8));
    let y = top.output("y", unsigned(8));
    let mut prev = x;
    for s in 0..signals / (2 * STAGE_PAIRS) {
        let mut m = Module::new("stage");
        let i = m.input("i", unsigned(8));
        let o = m.output("o", unsigned(8));
        let last = chain(&mut m, i, STAGE_PAIRS, s);
        m.comb(o.eq(last));
        let link = top.signal(format!("link{s}"), unsigned(8));
        let stage = top.submodule(format!("s{s}"), m);
        top.comb(stage.port("i").eq(&prev));
        top.comb(link.eq(stage.port("o")));
        prev = link;
    }
    top.comb(y.eq(prev));
    top
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs of each size; the fastest is reported.
const RUNS: usize = 3;

/// The time to elaborate `module`, to emit its Verilog and to build its simulator.
fn measure(name: &str, module: Module) -> [Duration; 3] {
    let start = Instant::now();
    let design = match Design::elaborate(module) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("elab_bench: the generated design `{name}` does not elaborate:\n{e}");
            std::process::exit(1);
        }
    };
    let elaborated = Instant::now();
    let verilog = design.verilog();
    let emitted = Instant::now();
    let sim = match Simulator::new(&design) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("elab_bench: the generated design `{name}` does not simulate: {e}");
            std::process::exit(1);
        }
    };
    let simulated = Instant::now();
    drop((verilog, sim));
    [elaborated - start, emitted - elaborated, simulated - emitted]
}

fn main() {
    for (name, build) in [("flat", flat as fn(usize) -> Module), ("hier", hier)] {
        let mut previous: Option<f64> = None;
        let mut signals = SMALLEST;
        while signals <= LARGEST {
            // The fastest of a few runs: the machine's noise only ever adds time.
            let mut best: Option<[Duration; 3]> = None;
            for _ in 0..RUNS {
                let times = measure(name, build(signals));
                if best.is_none_or(|b| times.iter().sum::<Duration>() < b.iter().sum()) {
                    best = Some(times);
                }
            }
            let [elaborate, verilog, simulator] = best.expect("at least one run");
            let total = ms(elaborate + verilog);
            let growth = previous.map(|p| format!("{:.2}", total / p)).unwrap_or_else(|| "-".into());
            println!(
                "design={name} signals={signals} elaborate_ms={:.0} verilog_ms={:.0} elaborate_and_verilog_ms={total:.0} growth={growth} simulator_ms={:.0}",
                ms(elaborate),
                ms(verilog),
                ms(simulator),
            );
            previous = Some(total);
            signals *= 2;
        }
    }
}
