//! Every simulator error by its message, word for word, triggered through the public
//! API. `testbench.rs` already asserts UnknownSignal, UnknownDomain, ValueTooWide,
//! Timeout, UnknownMemory, AddressOutOfRange, DerivedClock and NotASignal verbatim;
//! the others are here.

use hdl_dsl::stream::{self, StreamSignature};
use hdl_dsl::{unsigned, Design};
use hdl_sim::stream::StreamSource;
use hdl_sim::{SimError, Simulator, Trace};
use hdl_testkit::examples;

#[test]
fn setting_a_signal_the_design_drives_lists_what_can_be_set() {
    let design = Design::elaborate(examples::hierarchy()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let out = sim.signal("out").unwrap();
    let err = sim.set(out, 1).unwrap_err();
    assert!(matches!(err, SimError::NotSettable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "signal `out` is driven by the design and cannot be set; a testbench sets inputs of the top module, \
         outputs of black boxes, and what the board drives onto pads (`<pad>.outside`): `clk`, `rst`, `fast_clk`, `sel`"
    );
}

#[test]
fn a_stream_model_refuses_a_payload_wider_than_64_bits() {
    let wide = StreamSignature::new(unsigned(72));
    let design = Design::elaborate(stream::skid_buffer(&wide).into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let err = StreamSource::attach(&mut sim, sync, "i", &wide, Vec::new(), 1, 50)
        .err()
        .expect("a 72-bit payload");
    assert_eq!(
        err,
        SimError::PayloadTooWide {
            stream: "i".into(),
            width: 72
        }
    );
    assert_eq!(
        err.to_string(),
        "stream `i` has a 72-bit payload; the stream models carry payloads of up to 64 bits"
    );
}

#[test]
fn a_waveform_in_a_folder_that_does_not_exist_names_the_file_and_the_reason() {
    let design = Design::elaborate(examples::counter(8)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let path = std::env::temp_dir()
        .join(format!("no_such_folder_{}", std::process::id()))
        .join("counter.vcd");
    let err = sim.trace(&path, &Trace::all()).unwrap_err();
    assert!(matches!(err, SimError::Io { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "`{}`: cannot write the waveform: No such file or directory (os error 2)",
            path.display()
        )
    );
}

#[test]
fn a_primitive_without_a_model_is_named_with_the_models_there_are_and_the_way_out() {
    let mut m = hdl_dsl::Module::new("top");
    let d = m.input("d", unsigned(1));
    let q = m.output("q", unsigned(1));
    m.instance("vendor_delay", "delay").input("D", &d).output("Q", &q);
    let design = Design::elaborate(m).unwrap();
    let err = Simulator::new(&design).err().expect("no model");
    assert_eq!(
        err.to_string(),
        "instance `delay` of `vendor_delay` has no simulation model; hdl-sim models `BB`, `DP16KD`, `EHXPLLL`, \
         `IB`, `IDDRX1F`, `MULT18X18D`, `OB`, `ODDRX1F`; to simulate the design with its outputs set by the \
         testbench, declare it a black box: `Simulator::with_black_boxes(&design, &[\"delay\"])`"
    );
    // Declared a black box on purpose, its output is the testbench's to set.
    let mut sim = Simulator::with_black_boxes(&design, &["delay"]).unwrap();
    let (pin, q) = (sim.signal("delay.Q").unwrap(), sim.signal("q").unwrap());
    sim.set(pin, 1).unwrap();
    sim.settle();
    assert_eq!(sim.get(q), 1);
    let err = Simulator::with_black_boxes(&design, &["delay", "dela"]).err().expect("a typo");
    assert_eq!(
        err.to_string(),
        "`dela` was declared a black box, but the design has no instance at that path"
    );
}

#[test]
fn a_parameter_value_the_model_does_not_support_is_named_with_the_values_it_does() {
    let mut m = hdl_dsl::Module::new("top");
    let a = m.input("a", unsigned(1));
    let p = m.output("p", unsigned(1));
    m.instance("MULT18X18D", "mult")
        .param("MULT_BYPASS", "ENABLED")
        .input("A0", &a)
        .output("P0", &p);
    let design = Design::elaborate(m).unwrap();
    let err = Simulator::new(&design).err().expect("bypass is not modelled");
    assert_eq!(
        err.to_string(),
        "instance `mult` of `MULT18X18D`: the simulation model does not support MULT_BYPASS = \"ENABLED\"; \
         it supports \"DISABLED\""
    );
}

#[test]
fn a_pll_whose_input_is_not_a_testbench_clock_says_what_drives_it() {
    let mut m = hdl_dsl::Module::new("top");
    let clk = m.input("clk", unsigned(1));
    let out = m.output("out", unsigned(1));
    let inverted = m.signal("inverted", unsigned(1));
    m.comb(inverted.eq(!&clk));
    m.instance("EHXPLLL", "pll").input("CLKI", &inverted).output("CLKOP", &out);
    let design = Design::elaborate(m).unwrap();
    let err = Simulator::new(&design).err().expect("CLKI made by logic");
    assert_eq!(
        err.to_string(),
        "PLL `pll`: CLKI must be a clock the testbench runs (an input of the top module); it is driven by \
         logic in the design, not by a top-level input"
    );
}

#[test]
fn asking_for_the_clock_of_a_signal_that_is_not_one_lists_the_clocks() {
    let design = Design::elaborate(examples::hierarchy()).unwrap();
    let sim = Simulator::new(&design).unwrap();
    let err = sim.clock(sim.signal("sel").unwrap()).expect_err("sel is data");
    assert_eq!(
        err.to_string(),
        "signal `sel` is not a clock the testbench runs; the clocks are: `clk`, `fast_clk`"
    );
}

#[test]
fn asking_for_a_pad_that_is_not_one_lists_the_pads() {
    let mut m = hdl_dsl::Module::new("top");
    let sda = m.inout("sda", unsigned(1));
    let scl = m.output("scl", unsigned(1));
    let line = m.input("line", unsigned(1));
    m.comb(scl.eq(&line));
    m.instance("BB", "sda_pad").input("T", 1u8).inout("B", &sda);
    let design = Design::elaborate(m).unwrap();
    let sim = Simulator::new(&design).unwrap();
    let err = sim.pad("scl").unwrap_err();
    assert!(matches!(err, SimError::NotAPad { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "`scl` is not a pad: a pad is an inout port of the top module on a `BB`; the pads are: `sda`"
    );
}
