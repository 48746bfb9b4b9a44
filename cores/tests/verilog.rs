//! Every core's emitted Verilog: locked in a snapshot, linted by Verilator, synthesized
//! by yosys for the ECP5.

use hdl_cores::block_rom::block_rom;
use hdl_cores::button::debouncer;
use hdl_cores::cdc::{async_fifo, pulse_synchronizer, reset_synchronizer, synchronizer};
use hdl_cores::dvi::dvi_transmitter;
use hdl_cores::frame_buffer::frame_buffer;
use hdl_cores::line_buffer::{row_store, window_generator, RowStore, Window};
use hdl_cores::mac_array::{mac_array, MacArray, Requantise};
use hdl_cores::ov7670::{capture_clocked, capture_oversampled, configurator, ConfigOptions, QQVGA_RGB565};
use hdl_cores::pll::{pll, PllRequest};
use hdl_cores::sccb::sccb_master;
use hdl_cores::test_pattern::test_pattern;
use hdl_cores::tmds::tmds_encoder;
use hdl_cores::video_timing::{timing_generator, VGA_640X480_60};
use hdl_dsl::stream::StreamSignature;
use hdl_dsl::{unsigned, Design, Module};
use hdl_testkit::tools::{self, Tool};

/// Each core with the parameters the ULX3S design uses.
fn cores() -> Vec<(&'static str, Module)> {
    let pixels = StreamSignature::new(hdl_cores::pixel::rgb565()).with_last();
    let clocks = PllRequest::new(25.0, 125.0)
        .secondary(25.0, 0.0)
        .plan()
        .expect("the DVI clocks are exact");
    vec![
        ("tmds_encoder", tmds_encoder().into_module()),
        ("video_timing_640x480", timing_generator(&VGA_640X480_60).into_module()),
        ("test_pattern_640x480", test_pattern(&VGA_640X480_60).into_module()),
        ("dvi_transmitter", dvi_transmitter().into_module()),
        ("synchronizer", synchronizer(2).into_module()),
        ("debouncer", debouncer(25_000_000, 10_000).into_module()),
        ("pulse_synchronizer", pulse_synchronizer().into_module()),
        ("reset_synchronizer", reset_synchronizer(2).into_module()),
        ("async_fifo_512", async_fifo(&pixels, 512).into_module()),
        ("pll_25_125_25", pll(&clocks).into_module()),
        ("sccb_master", sccb_master(25_000_000, 100_000).into_module()),
        (
            "ov7670_config_qqvga",
            configurator(QQVGA_RGB565, ConfigOptions::new(25_000_000)).into_module(),
        ),
        ("ov7670_capture_clocked", capture_clocked(16).into_module()),
        ("ov7670_capture_oversampled", capture_oversampled().into_module()),
        ("frame_buffer_64x72", frame_buffer(64, 72).into_module()),
        (
            "window_generator_640x480_3x3",
            window_generator(Window {
                width: 640,
                height: 480,
                k: 3,
                pixel_bits: 8,
            })
            .into_module(),
        ),
        (
            "row_store_160x120_6_of_8",
            row_store(RowStore {
                width: 160,
                height: 120,
                pixel_bits: 16,
                ports: 6,
                rows: 8,
            })
            .into_module(),
        ),
        ("block_rom_1100x18", block_rom(18, &rom_words()).unwrap().into_module()),
        ("mac_array_3x4", mac_array(&small_mac_array()).unwrap().into_module()),
    ]
}

/// Two blocks' worth of words, few of them non-zero, so that the snapshot shows the
/// logic and not a dump of contents.
fn rom_words() -> Vec<u32> {
    (0..1100u32).map(|i| if i % 500 == 7 { i * 3 } else { 0 }).collect()
}

/// Three lanes of four products of pixels by coefficients, as the super-resolution
/// engine's lanes are, with a few coefficients each.
fn small_mac_array() -> MacArray {
    MacArray {
        lanes: 3,
        products: 4,
        operand: unsigned(8),
        coefficients: (0..3).map(|lane| (0..8).map(|i| (i - 4) * 1000 + lane).collect()).collect(),
        accumulator_bits: 28,
        requantise: Requantise {
            shift: 12,
            clamp: (0, 255),
        },
    }
}

fn designs() -> Vec<(&'static str, Design)> {
    cores()
        .into_iter()
        .map(|(name, m)| (name, Design::elaborate(m).unwrap_or_else(|e| panic!("{name}: {e}"))))
        .collect()
}

#[test]
fn snapshots() {
    for (name, d) in designs() {
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("core_{name}"), d.verilog());
        });
    }
}

#[test]
fn verilator_lint_is_clean() {
    let Some(verilator) = tools::require(Tool::Verilator, "verilator_lint_is_clean") else {
        return;
    };
    for (name, d) in designs() {
        let mut files = d.verilog_files();
        files.extend(tools::black_box_stubs(&d));
        if let Err(log) = tools::verilator_lint(&verilator, &files, d.top_name()) {
            panic!("verilator --lint-only -Wall warned on {name}:\n{log}");
        }
    }
}

#[test]
fn yosys_synthesizes_every_core() {
    let Some(yosys) = tools::require(Tool::Yosys, "yosys_synthesizes_every_core") else {
        return;
    };
    for (name, d) in designs() {
        let stat =
            tools::yosys_synth_ecp5(&yosys, &d.verilog(), d.top_name()).unwrap_or_else(|log| panic!("synth_ecp5 failed on {name}:\n{log}"));
        let expect = match name {
            "async_fifo_512" | "frame_buffer_64x72" | "block_rom_1100x18" | "row_store_160x120_6_of_8" => "DP16KD",
            "mac_array_3x4" => "MULT18X18D",
            "dvi_transmitter" => "ODDRX1F",
            "pll_25_125_25" => "EHXPLLL",
            _ => "TRELLIS_FF",
        };
        assert!(stat.contains(expect), "{name}: expected {expect} in:\n{stat}");
    }
}
