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
        "signal `out` is driven by the design and cannot be set; a testbench sets inputs of the top module \
         and outputs of black boxes: `clk`, `rst`, `fast_clk`, `sel`"
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
