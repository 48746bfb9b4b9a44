//! This simulator agrees with Verilator, output for output and step for step, on every
//! example design and on thousands of seeded random designs.

#[path = "cosim/backends.rs"]
mod backends;
mod common;
#[path = "cosim/primitives.rs"]
mod primitive_instances;

use hdl_dsl::Design;
use hdl_testkit::{examples, tools};

use common::cosim::check;
use common::random_design::{build, generate, shrink, size, Rng, Spec};

/// Random designs per run; `HDL_COSIM_CASES` overrides.
const CASES: usize = 2000;
/// Steps per design (half data changes, half clock changes).
const STEPS: usize = 240;
/// Designs per Verilator build: about the most before its C++ compiles slower than linearly.
const BATCH: usize = 100;

#[test]
fn example_designs_match_verilator() {
    let Some(verilator) = tools::require(tools::Tool::Verilator, "example_designs_match_verilator") else {
        return;
    };
    // `ddr_output` is only a vendor primitive, which Verilator cannot simulate.
    let designs: Vec<(&str, Design)> = examples::all()
        .into_iter()
        .filter(|(name, _)| *name != "ddr_output")
        .map(|(name, _)| (name, examples::design(name).expect("example exists")))
        .collect();
    // Examples reuse module names (`counter` stands alone and inside `hierarchy`), so
    // each gets its own batch where names clash.
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for (i, (_, d)) in designs.iter().enumerate() {
        let names: Vec<String> = d.verilog_files().into_iter().map(|(n, _)| n).collect();
        let fits = |b: &Vec<usize>| {
            b.iter()
                .all(|&j| designs[j].1.verilog_files().iter().all(|(n, _)| !names.contains(n)))
        };
        match batches.iter_mut().find(|b| fits(b)) {
            Some(b) => b.push(i),
            None => batches.push(vec![i]),
        }
    }
    for batch in batches {
        let ds: Vec<&Design> = batch.iter().map(|&i| &designs[i].1).collect();
        let seeds: Vec<u64> = batch.iter().map(|&i| i as u64).collect();
        let failures = check(&verilator, &ds, &seeds, 4000);
        let report: Vec<String> = failures.iter().map(|(i, f)| format!("{}: {f}", designs[batch[*i]].0)).collect();
        assert!(report.is_empty(), "hdl-sim differs from Verilator:\n{}", report.join("\n"));
    }
}

fn spec(seed: u64) -> Spec {
    generate(&mut Rng::new(seed), &format!("r{seed}"), 1)
}

/// Elaborates a random design; the generator makes only valid ones.
fn elaborate(spec: &Spec) -> Result<Design, String> {
    Design::elaborate(build(spec)).map_err(|e| format!("{e}"))
}

#[test]
fn random_designs_match_verilator() {
    let Some(verilator) = tools::require(tools::Tool::Verilator, "random_designs_match_verilator") else {
        return;
    };
    let cases = std::env::var("HDL_COSIM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    let first_seed = std::env::var("HDL_COSIM_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1u64);
    let seeds: Vec<u64> = (first_seed..first_seed + cases as u64).collect();
    let specs: Vec<Spec> = seeds.iter().map(|&s| spec(s)).collect();
    let designs: Vec<Design> = specs
        .iter()
        .zip(&seeds)
        .map(|(s, seed)| elaborate(s).unwrap_or_else(|e| panic!("random design of seed {seed} does not elaborate: {e}")))
        .collect();
    let mut failures = Vec::new();
    for (b, chunk) in designs.chunks(BATCH).enumerate() {
        let refs: Vec<&Design> = chunk.iter().collect();
        let at = b * BATCH;
        let found = check(&verilator, &refs, &seeds[at..at + chunk.len()], STEPS);
        failures.extend(found.into_iter().map(|(i, why)| (at + i, why)));
    }
    if let Some((i, first)) = failures.first() {
        let (spec, diff) = smallest_failing(&verilator, specs[*i].clone(), seeds[*i], first.clone());
        let design = elaborate(&spec).expect("shrunk designs elaborate");
        panic!(
            "{} of {cases} random designs differ from Verilator; seeds: {:?}\n\
             smallest failing design (from seed {}, rerun with HDL_COSIM_SEED={} HDL_COSIM_CASES=1):\n{diff}\n\
             {spec:#?}\n{}",
            failures.len(),
            failures.iter().map(|(i, _)| seeds[*i]).collect::<Vec<_>>(),
            seeds[*i],
            seeds[*i],
            design.verilog()
        );
    }
}

/// Shrinks a failing design: each round builds every one-step simplification in one
/// Verilator batch and keeps the smallest that still fails.
fn smallest_failing(verilator: &std::path::Path, mut spec: Spec, seed: u64, mut diff: String) -> (Spec, String) {
    loop {
        let candidates: Vec<(Spec, Design)> = shrink(&spec)
            .into_iter()
            .filter_map(|s| elaborate(&s).ok().map(|d| (s, d)))
            .collect();
        if candidates.is_empty() {
            return (spec, diff);
        }
        // Distinct module names per candidate.
        let renamed: Vec<(Spec, Design)> = candidates
            .into_iter()
            .enumerate()
            .filter_map(|(k, (mut s, _))| {
                rename(&mut s, &format!("r{seed}_s{k}"));
                elaborate(&s).ok().map(|d| (s, d))
            })
            .collect();
        let mut failures = Vec::new();
        for (b, chunk) in renamed.chunks(BATCH).enumerate() {
            let refs: Vec<&Design> = chunk.iter().map(|(_, d)| d).collect();
            let found = check(verilator, &refs, &vec![seed; refs.len()], STEPS);
            failures.extend(found.into_iter().map(|(i, why)| (b * BATCH + i, why)));
        }
        let Some((best, why)) = failures.into_iter().min_by_key(|(i, _)| size(&renamed[*i].0)) else {
            return (spec, diff);
        };
        if size(&renamed[best].0) >= size(&spec) {
            return (spec, diff);
        }
        spec = renamed[best].0.clone();
        diff = why;
    }
}

fn rename(spec: &mut Spec, name: &str) {
    spec.name = name.to_owned();
    if let Some((child, _)) = &mut spec.child {
        rename(child, &format!("{name}_c"));
    }
}

/// A multiply-accumulate chain, the shape the simulator fuses into one operation:
/// `taps` registered samples of `x`, each times a constant or the input `k`, summed
/// into an accumulator of `acc_width` bits (wrapping) and registered as `y`.
fn mac_chain(name: &str, rng: &mut Rng) -> hdl_dsl::Module {
    use hdl_dsl::{constant, signed, unsigned, Module};
    let shape = |signed_: bool, width: u32| if signed_ { signed(width) } else { unsigned(width) };
    let x_signed = rng.chance(70);
    let x_width = 1 + rng.below(24) as u32;
    let acc_width = 2 + rng.below(70) as u32;
    let taps = 1 + rng.below(10) as usize;
    let mut m = Module::new(name);
    let x = m.input("x", shape(x_signed, x_width));
    let k = m.input("k", shape(rng.chance(50), 1 + rng.below(20) as u32));
    let y = m.output("y", shape(rng.chance(50), acc_width));
    let mut sum = constant(rng.below(1000) as i128, unsigned(10));
    let mut previous = x.clone();
    for i in 0..taps {
        let tap = m.signal(format!("tap{i}"), shape(x_signed, x_width));
        m.sync(tap.eq(&previous));
        let c_width = 2 + rng.below(29) as u32;
        let extreme = [-(1i128 << (c_width - 1)), (1i128 << (c_width - 1)) - 1, 0, 1, -1];
        let c = if rng.chance(30) {
            extreme[rng.below(5) as usize]
        } else {
            (rng.next() as i128 & ((1i128 << c_width) - 1)) - (1i128 << (c_width - 1))
        };
        let factor = if rng.chance(15) { k.clone() } else { constant(c, signed(c_width)) };
        let product = if rng.chance(50) { &tap * factor } else { factor * &tap };
        let total = sum + product;
        sum = total.trunc(acc_width.min(total.width()));
        if rng.chance(50) {
            sum = sum.as_signed();
        }
        previous = tap;
    }
    m.sync(y.eq(sum));
    m
}

#[test]
fn multiply_accumulate_chains_match_verilator() {
    let Some(verilator) = tools::require(tools::Tool::Verilator, "multiply_accumulate_chains_match_verilator") else {
        return;
    };
    let seeds: Vec<u64> = (1..=BATCH as u64).collect();
    let designs: Vec<Design> = seeds
        .iter()
        .map(|&s| Design::elaborate(mac_chain(&format!("mac{s}"), &mut Rng::new(s))).expect("MAC chains elaborate"))
        .collect();
    let refs: Vec<&Design> = designs.iter().collect();
    let failures = check(&verilator, &refs, &seeds, STEPS);
    let report: Vec<String> = failures
        .iter()
        .map(|(i, f)| format!("mac{}: {f}\n{}", seeds[*i], designs[*i].verilog()))
        .collect();
    assert!(
        report.is_empty(),
        "hdl-sim differs from Verilator on MAC chains:\n{}",
        report.join("\n")
    );
}
