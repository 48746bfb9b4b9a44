//! The DVI test pattern built for a ULX3S 85F by yosys, nextpnr-ecp5 and ecppack: a
//! bitstream comes out and every clock meets timing.

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, lpf, Board, BuildOptions};
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::dvi_test_pattern::top;
use hdl_dsl::Design;
use hdl_testkit::tools;

#[test]
fn the_constraints_name_every_pin() {
    let design = Design::elaborate(top(&VGA_640X480_60, 25.0).unwrap()).unwrap();
    let text = lpf(&design, &Ulx3s::lfe5u_85f().pins()).unwrap();
    for line in [
        "LOCATE COMP \"clk_25mhz\" SITE \"G2\";",
        "FREQUENCY PORT \"clk_25mhz\" 25 MHZ;",
        "LOCATE COMP \"gpdi_dp[0]\" SITE \"A16\";",
        "IOBUF PORT \"gpdi_dp[3]\" IO_TYPE=LVCMOS33D DRIVE=4;",
        "LOCATE COMP \"led[7]\" SITE \"H3\";",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn a_port_the_board_lacks_is_an_error() {
    let mut m = hdl_dsl::Module::new("top");
    let x = m.output("hdmi_out", hdl_dsl::unsigned(1));
    m.comb(x.eq(1u8));
    let design = Design::elaborate(m).unwrap();
    let e = lpf(&design, &Ulx3s::lfe5u_85f().pins()).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "the top module's port `hdmi_out` has no pin on this board; a top module's ports must be named after the board's pins, such as: clk_25mhz, led[0]"
        ),
        "{e}"
    );
}

#[test]
fn the_test_pattern_builds_and_meets_timing() {
    for tool in [tools::Tool::Yosys, tools::Tool::NextpnrEcp5, tools::Tool::Ecppack] {
        if tools::require(tool, "the_test_pattern_builds_and_meets_timing").is_none() {
            return;
        }
    }
    let design = Design::elaborate(top(&VGA_640X480_60, 25.0).unwrap()).unwrap();
    let dir = tools::scratch_dir("dvi_bitstream").unwrap();
    let report = build(&design, &Ulx3s::lfe5u_85f(), &BuildOptions::new(&dir)).unwrap_or_else(|e| panic!("{e}"));
    println!("{report}");
    let size = std::fs::metadata(&report.bitstream).unwrap().len();
    assert!(size > 50_000, "a bitstream of {size} bytes");
    // The pixel and bit clocks, both derived from the 25 MHz input through the PLL.
    assert!(report.clocks.len() >= 2, "{report}");
    assert!(report.timing_met(), "{report}");
    assert!(report.resources.iter().any(|r| r.name == "EHXPLLL" && r.used == 1), "{report}");
    std::fs::remove_dir_all(&dir).ok();
}
