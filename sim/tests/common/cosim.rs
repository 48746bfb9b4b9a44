//! Co-simulation: the same stimulus through this simulator and through Verilator, every
//! output compared after every step.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use hdl_dsl::{Bits, Design};
use hdl_sim::{Backend, Simulator};
use hdl_testkit::verilator::{Batch, Optimize, Ports};

use super::random_design::Rng;

/// How each top-level input is driven.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Clock,
    Reset,
    Data,
}

fn roles(design: &Design, ports: &Ports) -> Vec<Role> {
    let nl = design.netlist();
    let top = nl.top();
    ports
        .inputs
        .iter()
        .map(|(name, _)| {
            let w = top.find_wire(name).expect("a port is a wire");
            if top.domains.values().any(|d| d.clk == w) {
                Role::Clock
            } else if top.domains.values().any(|d| d.reset.map(|r| r.wire) == Some(w)) {
                Role::Reset
            } else {
                Role::Data
            }
        })
        .collect()
}

fn words(width: u32) -> usize {
    width.div_ceil(64).max(1) as usize
}

fn random_bits(rng: &mut Rng, width: u32, out: &mut Vec<u64>) {
    let kind = rng.below(8);
    for i in 0..words(width) {
        let used = (width as usize - i * 64).min(64);
        let mask = if used == 64 { u64::MAX } else { (1u64 << used) - 1 };
        let v = match kind {
            0 => 0,
            1 => u64::MAX,
            2 => rng.below(4),
            _ => rng.next(),
        };
        out.push(v & mask);
    }
}

/// `steps` steps of stimulus: steps alternate between new data (with resets now and then)
/// and clock changes, so every clock edge sees settled data.
pub fn stimulus(design: &Design, seed: u64, steps: usize) -> Vec<u64> {
    let ports = Ports::of(design);
    let roles = roles(design, &ports);
    let mut rng = Rng::new(seed);
    let mut current: Vec<Vec<u64>> = ports.inputs.iter().map(|(_, w)| vec![0; words(*w)]).collect();
    let mut out = Vec::new();
    for step in 0..steps {
        for (i, ((_, width), role)) in ports.inputs.iter().zip(&roles).enumerate() {
            let clock_step = step % 2 == 1;
            match (role, clock_step) {
                (Role::Clock, true) if rng.chance(70) => current[i][0] ^= 1,
                (Role::Reset, false) => current[i][0] = (rng.below(100) < 6 || step < 4) as u64,
                (Role::Data, false) if rng.chance(80) => {
                    let mut v = Vec::new();
                    random_bits(&mut rng, *width, &mut v);
                    current[i] = v;
                }
                _ => {}
            }
            out.extend_from_slice(&current[i]);
        }
    }
    out
}

/// The outputs of this simulator on `backend` for `stimulus`, or the panic it raised.
pub fn simulate(design: &Design, steps: usize, stimulus: &[u64], backend: Backend) -> Result<Vec<u64>, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let ports = Ports::of(design);
        let mut sim = Simulator::new(design).unwrap();
        sim.set_backend(backend).unwrap();
        let inputs: Vec<_> = ports.inputs.iter().map(|(n, _)| sim.signal(n).expect("input exists")).collect();
        let outputs: Vec<_> = ports.outputs.iter().map(|(n, _)| sim.signal(n).expect("output exists")).collect();
        let mut out = Vec::new();
        let mut at = 0;
        for _ in 0..steps {
            for (s, (_, width)) in inputs.iter().zip(&ports.inputs) {
                let n = words(*width);
                let bits = Bits::from_words(&stimulus[at..at + n], *width);
                sim.set_bits(*s, &bits).expect("stimulus fits");
                at += n;
            }
            sim.settle();
            for s in &outputs {
                out.extend_from_slice(sim.get_bits(*s).words());
            }
        }
        out
    }))
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// The first difference between Verilator's outputs and ours, described.
pub fn first_difference(design: &Design, steps: usize, stimulus: &[u64], expected: &[u64], actual: &[u64]) -> Option<String> {
    let ports = Ports::of(design);
    let (per_in, per_out) = (ports.input_words(), ports.output_words());
    for step in 0..steps {
        let mut at = step * per_out;
        for (name, width) in &ports.outputs {
            let n = words(*width);
            let (e, a) = (&expected[at..at + n], &actual[at..at + n]);
            if e != a {
                let inputs: Vec<String> = {
                    let mut i = step * per_in;
                    ports
                        .inputs
                        .iter()
                        .map(|(p, w)| {
                            let k = words(*w);
                            let text = format!("{p}={}", Bits::from_words(&stimulus[i..i + k], *w));
                            i += k;
                            text
                        })
                        .collect()
                };
                return Some(format!(
                    "step {step}: output `{name}`: Verilator {} but hdl-sim {} (inputs at this step: {})",
                    Bits::from_words(e, *width),
                    Bits::from_words(a, *width),
                    inputs.join(" ")
                ));
            }
            at += n;
        }
    }
    None
}

/// Runs every design through Verilator (one build) and this simulator, on both back
/// ends; returns the index and description of each design that differs.
pub fn check(verilator: &Path, designs: &[&Design], seeds: &[u64], steps: usize) -> Vec<(usize, String)> {
    let batch = match Batch::build(verilator, designs, Optimize::Check) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let stimuli: Vec<Vec<u64>> = designs.iter().zip(seeds).map(|(d, s)| stimulus(d, *s, steps)).collect();
    let expected = batch.run(steps, &stimuli).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for (i, d) in designs.iter().enumerate() {
        for backend in [Backend::Interpreter, Backend::Compiled] {
            let failure = match simulate(d, steps, &stimuli[i], backend) {
                Err(panic) => Some(format!("hdl-sim ({backend:?}) panicked: {panic}")),
                Ok(actual) => first_difference(d, steps, &stimuli[i], &expected[i], &actual).map(|diff| format!("{backend:?}: {diff}")),
            };
            // One report per design: the first back end that differs.
            if let Some(why) = failure {
                failures.push((i, why));
                break;
            }
        }
    }
    failures
}
