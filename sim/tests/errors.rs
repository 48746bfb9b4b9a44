//! Every simulator error by its message, word for word, triggered through the public
//! API. `testbench.rs` already asserts UnknownSignal, UnknownDomain, ValueTooWide,
//! Timeout, UnknownMemory and AddressOutOfRange verbatim; the others are here.

use hdl_dsl::stream::{self, StreamSignature};
use hdl_dsl::{unsigned, Design, Module, ResetKind};
use hdl_sim::stream::StreamSource;
use hdl_sim::{SimError, Simulator, Trace};
use hdl_testkit::examples;

#[test]
fn setting_a_signal_the_design_drives_lists_what_can_be_set() {
    let design = Design::elaborate(examples::hierarchy()).unwrap();
    let mut sim = Simulator::new(&design);
    let out = sim.signal("out").unwrap();
    let err = sim.set(out, 1).unwrap_err();
    assert!(matches!(err, SimError::NotSettable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "signal `out` is driven by the design and cannot be set; a testbench sets inputs of the top module \
         and outputs of black boxes: `clk`, `rst`, `fast_clk`, `sel`"
    );
}

#[test]
fn ticking_a_clock_made_by_logic_says_what_to_tick_instead() {
    // `div` toggles every cycle of `sync` and clocks domain `slow`.
    let mut m = Module::new("divider");
    let div = m.signal("div", unsigned(1));
    m.sync(div.eq(!&div));
    m.domain("slow", &div, ResetKind::None, None);
    let n = m.output("n", unsigned(8));
    m.sync_in("slow", n.eq(n.wrapping_add(1u8)));
    let design = Design::elaborate(m).unwrap();
    let sim = Simulator::new(&design);
    let err = sim.domain("slow").unwrap_err();
    assert_eq!(err, SimError::DerivedClock { domain: "slow".into() });
    assert_eq!(
        err.to_string(),
        "the clock of domain `slow` is made by logic in the design, so it cannot be ticked directly; \
         tick the domain that makes it, or use `run_for`"
    );
}

#[test]
fn a_stream_model_refuses_a_payload_wider_than_64_bits() {
    let wide = StreamSignature::new(unsigned(72));
    let design = Design::elaborate(stream::skid_buffer(&wide).into_module()).unwrap();
    let mut sim = Simulator::new(&design);
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
    let mut sim = Simulator::new(&design);
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
