//! The DVI test pattern's `top`, exactly as it goes into the bitstream, simulated from
//! its pins — in hdl-sim, with its own models of the PLL and the DDR outputs, and under
//! Icarus Verilog, with the Verilog models of the primitives (`hdl_testkit::models`): the board's 25 MHz clock in, the PLL locking, the pixel domain
//! leaving reset, and the serial bits on `gpdi_dp` decoded by the project's DVI receiver
//! into whole frames, which must be the test pattern exactly, with the VESA timing. The
//! two simulators must also agree on every sample of the pins.

use hdl_cores::cdc::synchronizer;
use hdl_cores::pll::{pll, PllRequest};
use hdl_cores::test_pattern;
use hdl_cores::video_timing::{VideoMode, VGA_640X480_60};
use hdl_designs::dvi_test_pattern::{top, video_out};
use hdl_dsl::{cat, unsigned, Design, ErrorKind, Module, ResetKind};
use hdl_models::hdmi::{DviReceiver, Frame, SerialLink};
use hdl_sim::Simulator;
use hdl_testkit::models::models_for;
use hdl_testkit::post_synth;
use hdl_testkit::tools::{self, Tool};
use std::path::Path;

/// Frames to simulate: the receiver times vsync over one frame, then takes the next.
const FRAMES: u64 = 3;

/// Drives `clk_25mhz` (40 ns; first rise at 20 ns) and samples `gpdi_dp` in the middle
/// of every half period of the 125 MHz bit clock, one hex digit per sample, into
/// `pins.hex`; at the end, prints `led`. The bit clock's edges fall on multiples of 4 ns
/// because the PLL model starts its outputs on a rising edge of `clk_25mhz`.
fn testbench(run_ps: u64) -> String {
    format!(
        "`timescale 1ps/1ps
module tb;
    reg clk_25mhz = 0;
    wire [3:0] gpdi_dp;
    wire [7:0] led;
    integer pins;
    top dut (.clk_25mhz(clk_25mhz), .gpdi_dp(gpdi_dp), .led(led));
    always #20000 clk_25mhz = ~clk_25mhz;
    initial begin
        pins = $fopen(\"pins.hex\", \"w\");
        #2000;
        forever begin
            $fwrite(pins, \"%h\", gpdi_dp);
            #4000;
        end
    end
    initial begin
        #{run_ps};
        $fclose(pins);
        $display(\"led %b\", led);
        $finish;
    end
endmodule
"
    )
}

/// `gpdi_dp` as hdl-sim simulates the top, sampled as the Icarus testbench samples it:
/// at 2 ns and every 4 ns after, `count` times.
fn hdl_sim_pin_samples(design: &Design, count: usize) -> Vec<u8> {
    let mut sim = Simulator::new(design).unwrap();
    let clk = sim.clock(sim.signal("clk_25mhz").unwrap()).unwrap();
    sim.set_period(clk, 40_000);
    let pins = sim.signal("gpdi_dp").unwrap();
    sim.run_for(2_000);
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        samples.push(sim.get(pins) as u8);
        sim.run_for(4_000);
    }
    samples
}

/// Checks one received frame: the test pattern's frame `index`, with the VESA timing.
fn assert_test_pattern(mode: &VideoMode, frame: &Frame, index: u64) {
    assert_eq!((frame.h, frame.v), (mode.h, mode.v));
    assert_eq!((frame.picture.width, frame.picture.height), (640, 480));
    assert!(
        frame.picture.pixels == test_pattern::frame(mode, index),
        "the received picture is not frame {index} of the test pattern"
    );
}

#[test]
fn the_top_simulated_from_its_pins_in_hdl_sim_shows_the_test_pattern() {
    let mode = VGA_640X480_60;
    let design = Design::elaborate(top(&mode, 25.0).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.clock(sim.signal("clk_25mhz").unwrap()).unwrap();
    sim.set_period(clk, 40_000);
    let bit = sim.domain("video.dvi.shift").unwrap();
    let rx = DviReceiver::attach_pins(&mut sim, bit, "gpdi_dp").unwrap();
    let frame_ps = (mode.h.total() * mode.v.total()) as u64 * 40_000;
    sim.run_for(FRAMES * frame_ps);
    let led = sim.get(sim.signal("led").unwrap());
    assert_eq!(led & 1, 1, "the pixel domain never left reset (led = {led:08b})");
    assert_eq!(led >> 1, FRAMES, "frames counted on led[7:1] (led = {led:08b})");
    assert_eq!(rx.errors(), Vec::<String>::new());
    let frames = rx.frames();
    assert_eq!(frames.len(), 1, "one complete frame after the receiver learned the timing");
    assert_test_pattern(&mode, &frames[0], 2);
}

/// What an Icarus run of the testbench saw: `led` at the end and every sample of
/// `gpdi_dp`.
struct PinRun {
    led: u8,
    samples: Vec<u8>,
}

/// Runs [`testbench`] for `run_ps` under Icarus over `files` (the top and what it
/// instantiates).
fn icarus_pins(iverilog: &Path, vvp: &Path, label: &str, mut files: Vec<(String, String)>, run_ps: u64) -> PinRun {
    let dir = tools::scratch_dir(label).unwrap();
    files.push(("tb.v".to_owned(), testbench(run_ps)));
    tools::write_files(&dir, &files).unwrap();
    let mut args: Vec<&str> = vec!["-o", "sim", "-s", "tb"];
    args.extend(files.iter().map(|(n, _)| n.as_str()));
    let compile = tools::run(iverilog, &args, &dir).unwrap();
    assert!(compile.success, "iverilog:\n{}{}", compile.stdout, compile.stderr);
    let sim = tools::run(vvp, &["-n", "sim"], &dir).unwrap();
    assert!(sim.success, "vvp:\n{}{}", sim.stdout, sim.stderr);
    let led = sim
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("led "))
        .expect("the testbench prints led");
    let led = u8::from_str_radix(led.trim(), 2).unwrap_or_else(|_| panic!("led = {led}"));
    let samples = std::fs::read(dir.join("pins.hex")).unwrap();
    let samples = samples
        .iter()
        .map(|c| {
            (*c as char)
                .to_digit(16)
                .unwrap_or_else(|| panic!("gpdi_dp sampled as `{}`", *c as char)) as u8
        })
        .collect();
    std::fs::remove_dir_all(&dir).ok();
    PinRun { led, samples }
}

/// led[0]: out of reset; led[7:1]: frames started since.
fn assert_led(led: u8, frames: u64) {
    assert_eq!(led & 1, 1, "the pixel domain never left reset (led = {led:08b})");
    assert_eq!(u64::from(led >> 1), frames, "frames counted on led[7:1] (led = {led:08b})");
}

/// hdl-sim's models and the Verilog ones put the same bits on the pins, at the same
/// half periods, from the first.
fn assert_same_pins(other: &str, theirs: &[u8], design: &Design) {
    let ours = hdl_sim_pin_samples(design, theirs.len());
    if let Some(k) = (0..theirs.len()).find(|&k| theirs[k] != ours[k]) {
        let around = |v: &[u8]| {
            v[k.saturating_sub(24)..(k + 8).min(v.len())]
                .iter()
                .map(|b| format!("{b:x}"))
                .collect::<String>()
        };
        panic!(
            "gpdi_dp differs at {} ps: {other} {:04b}, hdl-sim {:04b}; the samples up to 24 before and 8 after:\n  {other:<8}{}\n  hdl-sim {}",
            2_000 + 4_000 * k as u64,
            theirs[k],
            ours[k],
            around(theirs),
            around(&ours)
        );
    }
}

#[test]
fn the_top_from_its_pins_shows_the_test_pattern() {
    let (Some(iverilog), Some(vvp)) = (
        tools::require(Tool::Iverilog, "the_top_from_its_pins_shows_the_test_pattern"),
        tools::require(Tool::Vvp, "the_top_from_its_pins_shows_the_test_pattern"),
    ) else {
        return;
    };
    let mode = VGA_640X480_60;
    let design = Design::elaborate(top(&mode, 25.0).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let frame_ps = (mode.h.total() * mode.v.total()) as u64 * 40_000;
    let mut files = vec![("top.v".to_owned(), design.verilog())];
    let models = models_for(&design);
    assert_eq!(
        models.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["EHXPLLL.v", "ODDRX1F.v"]
    );
    files.extend(models);
    let run = icarus_pins(&iverilog, &vvp, "dvi_top", files, FRAMES * frame_ps);
    assert_led(run.led, FRAMES);

    let mut link = SerialLink::new();
    for bits in &run.samples {
        link.push(*bits);
    }
    let rx = link.handle();
    assert_eq!(rx.errors(), Vec::<String>::new());
    let frames = rx.frames();
    assert_eq!(frames.len(), 1, "one complete frame after the receiver learned the timing");
    // Frames 0 and 1 after reset taught the receiver; frame 2 is the one it kept.
    assert_test_pattern(&mode, &frames[0], 2);
    assert_same_pins("Icarus", &run.samples, &design);
}

/// How long the post-synthesis run lasts: one frame's time from power-up, which covers
/// the PLL locking, the reset releasing and a whole frame of every kind of line (active,
/// blanking, sync). hdl-sim's pins are proven to carry the test pattern above, so equal
/// pins prove the netlist's.
const POST_SYNTHESIS_FRAMES: u64 = 1;

#[test]
fn the_synthesised_top_puts_the_same_bits_on_the_pins() {
    let test = "the_synthesised_top_puts_the_same_bits_on_the_pins";
    let (Some(yosys), Some(iverilog), Some(vvp)) = (
        tools::require(Tool::Yosys, test),
        tools::require(Tool::Iverilog, test),
        tools::require(Tool::Vvp, test),
    ) else {
        return;
    };
    let mode = VGA_640X480_60;
    let design = Design::elaborate(top(&mode, 25.0).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let netlist = post_synth::synthesize(&yosys, &design).unwrap_or_else(|e| panic!("{e}"));
    let frame_ps = (mode.h.total() * mode.v.total()) as u64 * 40_000;
    let run = icarus_pins(
        &iverilog,
        &vvp,
        "dvi_top_post_synth",
        netlist.files,
        POST_SYNTHESIS_FRAMES * frame_ps,
    );
    assert_led(run.led, POST_SYNTHESIS_FRAMES);
    assert_same_pins("netlist", &run.samples, &design);
}

/// The top as it first shipped: the PLL's lock synchronized by two registers in the
/// `sync` domain, whose reset is that synchronizer's output inverted. Returns the module
/// and the line of its domain declaration.
fn first_top(mode: &VideoMode) -> (Module, u32) {
    let clocks = PllRequest::new(25.0, 125.0).secondary(25.0, 0.0).plan().unwrap();
    let mut m = Module::new("top");
    let clk_25mhz = m.input("clk_25mhz", unsigned(1));
    let gpdi_dp = m.output("gpdi_dp", unsigned(4));
    let led = m.output("led", unsigned(8));
    let pll = m.add("pll", pll(&clocks));
    m.comb(pll.clkin.eq(&clk_25mhz));
    let (bit_clk, pixel_clk) = (m.signal("bit_clk", unsigned(1)), m.signal("pixel_clk", unsigned(1)));
    m.comb([bit_clk.eq(&pll.clkout[0]), pixel_clk.eq(&pll.clkout[1])]);
    let rst = m.signal("rst", unsigned(1));
    let line = line!() + 1;
    m.domain("sync", &pixel_clk, ResetKind::Sync, Some(&rst));
    let locked = m.add("lock_sync", synchronizer(1));
    m.comb([locked.i.eq(&pll.locked), rst.eq(!&locked.o)]);
    let video = m.add("video", video_out(mode));
    m.comb([video.shift_clk.eq(&bit_clk), gpdi_dp.eq(&video.gpdi_dp)]);
    let frames = m.signal("frames", unsigned(7));
    m.if_(&video.frame_start, |m| m.sync(frames.eq(frames.wrapping_add(1u8))));
    m.comb(led.eq(cat([locked.o.clone(), frames.clone()])));
    (m, line)
}

#[test]
fn the_first_top_is_refused_because_its_reset_never_releases() {
    let (m, line) = first_top(&VGA_640X480_60);
    let errors = Design::elaborate(m).expect_err("a reset that holds itself");
    assert_eq!(errors.0.len(), 1, "{errors}");
    let e = &errors.0[0];
    assert_eq!(e.kind, ErrorKind::ResetNeverReleased);
    assert_eq!((e.location.file, e.location.line), (file!(), line));
    assert_eq!(
        e.message,
        "domain `sync` can never leave reset: its reset `top.rst` stays 1 while register `top.lock_sync.o` \
         (reset value 0, declared at cores/src/cdc.rs:42:5; top.rst <- top.lock_sync_o <- top.lock_sync.o) is held at its reset value \
         by that same reset. Make the reset with a reset synchronizer (`hdl_cores::cdc::reset_synchronizer`, whose flops are outside \
         the reset they drive), or move that register to a domain without this reset"
    );
}
