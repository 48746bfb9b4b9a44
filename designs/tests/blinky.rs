//! The blinky example's design: simulated from its clock pin, and built for every ULX3S
//! variant's part by the same runner as every design.

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, BuildOptions};
use hdl_designs::blinky::{top, LED0_BIT};
use hdl_dsl::Design;
use hdl_sim::Simulator;
use hdl_testkit::tools;

#[test]
fn the_leds_count_once_every_two_to_the_twenty_two_cycles() {
    let design = Design::elaborate(top()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.signal("clk_25mhz").unwrap();
    let clock = sim.clock(clk).unwrap();
    let led = sim.signal("led").unwrap();
    let step = 1u64 << LED0_BIT;
    for expected in [0, 1, 2, 3] {
        assert_eq!(sim.get(led), expected);
        sim.ticks(clock, step - 1);
        assert_eq!(sim.get(led), expected, "changed early");
        sim.ticks(clock, 1);
    }
}

#[test]
fn blinky_builds_for_the_12f_and_the_85f_and_meets_timing() {
    for tool in [tools::Tool::Yosys, tools::Tool::NextpnrEcp5, tools::Tool::Ecppack] {
        if tools::require(tool, "blinky_builds_for_the_12f_and_the_85f_and_meets_timing").is_none() {
            return;
        }
    }
    let design = Design::elaborate(top()).unwrap();
    for name in ["ulx3s-12f", "ulx3s-85f"] {
        let dir = tools::scratch_dir(&format!("blinky_{name}")).unwrap();
        let board = Ulx3s::from_name(name).unwrap();
        let report = build(&design, &board, &BuildOptions::new(&dir).progress(false)).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.timing_met(), "{report}");
        let uses = |cell: &str| report.resources.iter().find(|r| r.name == cell).map(|r| r.used);
        assert_eq!(uses("TRELLIS_IO"), Some(9), "{report}");
        assert!(std::fs::metadata(&report.bitstream).unwrap().len() > 10_000, "{report}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
