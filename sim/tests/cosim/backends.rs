//! The compiled back end agrees with the interpreter on every signal at every step: on
//! the example designs (memories, several domains, asynchronous resets, primitive
//! models, values wider than 64 bits) and on seeded random designs. Needs no external
//! tool; the tests beside it hold both back ends against Verilator.

use hdl_dsl::{Bits, Design};
use hdl_sim::{Backend, Simulator};
use hdl_testkit::examples;
use hdl_testkit::verilator::Ports;

use crate::common::cosim::stimulus;
use crate::common::random_design::{build, generate, Rng};

/// Random designs compared; each is small, so this takes seconds.
const RANDOM_DESIGNS: u64 = 400;
const STEPS: usize = 200;

/// Drives an interpreted and a compiled simulator of `design` with the same stimulus and
/// compares every signal after every step; returns the first difference.
fn compare(design: &Design, seed: u64, steps: usize) -> Result<(), String> {
    let ports = Ports::of(design);
    let stimulus = stimulus(design, seed, steps);
    let mut sims = [Backend::Interpreter, Backend::Compiled].map(|b| {
        let mut sim = Simulator::new(design).unwrap();
        sim.set_backend(b).unwrap();
        sim
    });
    assert_eq!(sims[1].backend(), (Backend::Compiled, true));
    let signals: Vec<(String, hdl_sim::Signal)> = sims[0].signals().map(|(n, s)| (n.to_owned(), s)).collect();
    let inputs: Vec<_> = ports.inputs.iter().map(|(n, w)| (sims[0].signal(n).unwrap(), *w)).collect();
    let mut at = 0;
    for step in 0..steps {
        let start = at;
        for sim in &mut sims {
            at = start;
            for &(s, width) in &inputs {
                let n = width.div_ceil(64).max(1) as usize;
                sim.set_bits(s, &Bits::from_words(&stimulus[at..at + n], width)).unwrap();
                at += n;
            }
            sim.settle();
        }
        for (name, s) in &signals {
            let [a, b] = [0, 1].map(|i| sims[i].get_bits(*s));
            if a != b {
                return Err(format!("step {step}: `{name}` interpreted {a} but compiled {b}"));
            }
        }
    }
    Ok(())
}

#[test]
fn example_designs_agree_on_every_signal() {
    for (name, _) in examples::all() {
        let design = examples::design(name).expect("example exists");
        compare(&design, 7, 2000).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn random_designs_agree_on_every_signal() {
    let failures: Vec<String> = (1..=RANDOM_DESIGNS)
        .filter_map(|seed| {
            let spec = generate(&mut Rng::new(seed), &format!("r{seed}"), 1);
            let design = Design::elaborate(build(&spec)).expect("random designs elaborate");
            compare(&design, seed, STEPS).err().map(|e| format!("seed {seed}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{} designs differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_backend_is_auto_by_default_and_compiles_once_the_run_is_long_enough() {
    let design = examples::design("counter").expect("example exists");
    let mut sim = Simulator::new(&design).unwrap();
    if std::env::var_os("HDL_SIM_BACKEND").is_some() {
        return;
    }
    assert_eq!(sim.backend(), (Backend::Auto, false));
    let clk = sim.signal("clk").unwrap();
    let sync = sim.clock(clk).unwrap();
    sim.set(sim.signal("en").unwrap(), 1).unwrap();
    // A run of about the time the counter's code takes to generate.
    let count = sim.signal("count").unwrap();
    let mut ticks = 0u64;
    while !sim.backend().1 {
        sim.ticks(sync, 1000);
        ticks += 1000;
        assert!(ticks < 100_000_000, "never compiled");
    }
    sim.ticks(sync, 5);
    assert_eq!(sim.get(count), (ticks + 5) & ((1 << 8) - 1));
}
