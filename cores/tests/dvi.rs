//! A whole 640x480 frame through timing generator, test pattern, TMDS and serializers,
//! received by the DVI receiver model: the exact picture and the exact sync timing, from
//! the symbols and from the serial bits.

use hdl_cores::dvi::dvi_transmitter;
use hdl_cores::test_pattern::{self, test_pattern};
use hdl_cores::video_timing::{timing_generator, VideoMode, VGA_640X480_60};
use hdl_dsl::{mux, unsigned, Design, Module};
use hdl_models::hdmi::{DviReceiver, Frame};
use hdl_sim::Simulator;
use hdl_video::Picture;

/// Timing generator → test pattern → DVI transmitter, with the bit clock as an input.
fn test_pattern_out(mode: &VideoMode) -> Module {
    let mut m = Module::new("dvi_test_pattern");
    let shift_clk = m.input("shift_clk", unsigned(1));
    let gpdi_dp = m.output("gpdi_dp", unsigned(4));
    let timing = m.add("timing", timing_generator(mode));
    let pattern = m.add("pattern", test_pattern(mode));
    let dvi = m.add("dvi", dvi_transmitter());
    m.comb([pattern.x.eq(&timing.x), pattern.y.eq(&timing.y)]);
    m.comb([dvi.r.eq(&pattern.r), dvi.g.eq(&pattern.g), dvi.b.eq(&pattern.b)]);
    m.comb([dvi.hsync.eq(&timing.hsync), dvi.vsync.eq(&timing.vsync), dvi.de.eq(&timing.de)]);
    m.comb([dvi.shift_clk.eq(&shift_clk), gpdi_dp.eq(&dvi.gpdi_dp)]);
    m
}

#[test]
fn a_frame_survives_the_link_exactly() {
    let mode = VGA_640X480_60;
    let design = Design::elaborate(test_pattern_out(&mode)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let (pixel, shift) = (sim.domain("sync").unwrap(), sim.domain("dvi.shift").unwrap());
    // 25 MHz pixels, 125 MHz bits: the first edges of both fall at 20 ns.
    sim.set_period(pixel, 40_000);
    sim.set_period(shift, 8_000);
    let symbols = DviReceiver::attach_symbols(&mut sim, pixel, ["dvi.blue.q", "dvi.green.q", "dvi.red.q"]).unwrap();
    let serial = DviReceiver::attach_serial(&mut sim, shift, "dvi.ddr_d0", "dvi.ddr_d1").unwrap();
    // The receivers learn the sync polarity from a whole frame, then take the next one.
    let total = (mode.h.total() * mode.v.total()) as u64;
    sim.ticks(pixel, 3 * total + 5);

    for (name, rx) in [("symbols", &symbols), ("serial bits", &serial)] {
        assert_eq!(rx.errors(), Vec::<String>::new(), "{name}");
        let frames: Vec<Frame> = rx.frames();
        assert_eq!(frames.len(), 1, "{name}: one complete frame");
        let frame = &frames[0];
        assert_eq!((frame.h, frame.v), (mode.h, mode.v), "{name}: timing");
        assert_eq!((frame.picture.width, frame.picture.height), (640, 480));
        // That frame is the third the pattern drew (frames 0 and 1 taught the receiver).
        assert!(
            frame.picture.pixels == test_pattern::frame(&mode, 2),
            "{name}: the picture differs from frame 2 of the pattern"
        );
    }

    // The picture as PNG, read back.
    let frame = &symbols.frames()[0];
    let path = std::env::temp_dir().join(format!("dvi_frame_{}.png", std::process::id()));
    frame.picture.write_png(&path).unwrap();
    let read = Picture::read_png(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(read == frame.picture, "the PNG holds the frame as received");
}

#[test]
fn the_receiver_reports_what_is_wrong_with_a_link() {
    // All three lanes send: a control token twice (the receiver locks), then 0x3ff (data
    // 0, ten ones: disparity +10), then 0x155 (claims the XOR chain for data 0xff, which
    // an encoder sends with XNOR: no encoder's output).
    let mut m = Module::new("bad_link");
    let q = m.output("q", unsigned(10));
    let step = m.signal("step", unsigned(3));
    m.if_(step.lt(7u8), |m| m.sync(step.eq(step.wrapping_add(1u8))));
    m.comb(q.eq(mux(step.lt(2u8), 0x354u16, mux(step.is_eq(2u8), 0x3ffu16, 0x155u16))));
    let design = Design::elaborate(m).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.domain("sync").unwrap();
    let rx = DviReceiver::attach_symbols(&mut sim, clk, ["q", "q", "q"]).unwrap();
    sim.ticks(clk, 4);
    assert_eq!(
        rx.errors(),
        [
            "clock 2: lane 0's running disparity reached 10, beyond ±8",
            "clock 2: lane 1's running disparity reached 10, beyond ±8",
            "clock 2: lane 2's running disparity reached 10, beyond ±8",
            "clock 3: lane 0 sent 0x155, neither a data symbol nor a control token",
        ]
    );
}
