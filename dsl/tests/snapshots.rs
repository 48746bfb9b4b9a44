//! The generated Verilog of every example design, locked as insta snapshots under the
//! top-level `snapshots/` folder: a change to generated hardware is a reviewed diff.

use hdl_testkit::examples;

fn verilog(name: &str) -> String {
    examples::design(name).expect("example exists").verilog()
}

macro_rules! snapshot_tests {
    ($($name:ident),*) => {
        /// The examples with a snapshot test, in order.
        const TESTED: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
                    insta::assert_snapshot!(concat!("example_", stringify!($name)), verilog(stringify!($name)));
                });
            }
        )*
    };
}

snapshot_tests!(
    blinky,
    counter,
    traffic_light,
    ram,
    signed_mac,
    hierarchy,
    wide_logic,
    ddr_output,
    reset_domains,
    stream_pipeline
);

#[test]
fn every_example_has_a_snapshot_test() {
    let names: Vec<&str> = examples::all().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, TESTED);
}

#[test]
fn output_is_byte_identical_across_elaborations() {
    for (name, _) in examples::all() {
        assert_eq!(verilog(name), verilog(name), "{name}");
    }
}
