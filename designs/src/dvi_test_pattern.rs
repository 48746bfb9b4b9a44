//! The ULX3S shows a test picture on an HDMI monitor: the board's 25 MHz oscillator feeds
//! the PLL, which makes the pixel clock and the five-times bit clock; a timing generator,
//! the test pattern and the DVI transmitter do the rest. `led[0]` lights when the pixel
//! domain has left reset (the PLL has locked); `led[7:1]` count frames.

use hdl_cores::cdc::reset_synchronizer;
use hdl_cores::dvi::dvi_transmitter;
use hdl_cores::pll::{pll, PllError, PllRequest};
use hdl_cores::test_pattern::test_pattern;
use hdl_cores::video_timing::{timing_generator, VideoMode};
use hdl_dsl::{cat, unsigned, Builder, Component, Module, ResetKind, Signature, Value};

/// The top module for `mode` with a pixel clock of `pixel_mhz` (which may differ a little
/// from the mode's nominal clock: 25 MHz for 640x480 gives 59.5 Hz, which monitors
/// accept). Its ports are the ULX3S pins `clk_25mhz`, `gpdi_dp` and `led`.
pub fn top(mode: &VideoMode, pixel_mhz: f32) -> Result<Module, PllError> {
    let clocks = PllRequest::new(25.0, 5.0 * pixel_mhz).secondary(pixel_mhz, 0.0).plan()?;
    let mut m = Module::new("top");
    let clk_25mhz = m.input("clk_25mhz", unsigned(1));
    let gpdi_dp = m.output("gpdi_dp", unsigned(4));
    let led = m.output("led", unsigned(8));

    let pll = m.add("pll", pll(&clocks));
    m.comb(pll.clkin.eq(&clk_25mhz));
    let (bit_clk, pixel_clk) = (m.signal("bit_clk", unsigned(1)), m.signal("pixel_clk", unsigned(1)));
    m.comb([bit_clk.eq(&pll.clkout[0]), pixel_clk.eq(&pll.clkout[1])]);

    // The pixel domain is held in reset until the PLL has locked: the reset synchronizer
    // asserts at once and releases on a pixel clock edge.
    let reset = m.add("reset_sync", reset_synchronizer(2));
    m.comb([reset.clk.eq(&pixel_clk), reset.arst.eq(!&pll.locked)]);
    m.domain("sync", &pixel_clk, ResetKind::Sync, Some(&reset.rst));

    let video = m.add("video", video_out(mode));
    m.comb([video.shift_clk.eq(&bit_clk), gpdi_dp.eq(&video.gpdi_dp)]);

    let frames = m.signal("frames", unsigned(7));
    m.if_(&video.frame_start, |m| m.sync(frames.eq(frames.wrapping_add(1u8))));
    m.comb(led.eq(cat([!&reset.rst, frames.clone()])));
    Ok(m)
}

/// The ports of [`video_out`].
#[derive(Clone, Debug)]
pub struct VideoOutPorts {
    /// The bit clock, five times the pixel clock (`clk`).
    pub shift_clk: Value,
    /// The four HDMI pairs' positive pins.
    pub gpdi_dp: Value,
    /// High on the first active pixel of each frame.
    pub frame_start: Value,
}

/// The signature of [`VideoOutPorts`].
#[derive(Clone, Copy, Debug)]
pub struct VideoOutSignature;

impl Signature for VideoOutSignature {
    type Interface = VideoOutPorts;

    fn build(&self, b: &mut Builder) -> VideoOutPorts {
        VideoOutPorts {
            shift_clk: b.input("shift_clk", unsigned(1)),
            gpdi_dp: b.output("gpdi_dp", unsigned(4)),
            frame_start: b.output("frame_start", unsigned(1)),
        }
    }
}

/// Timing generator, test pattern and DVI transmitter for `mode`, in the pixel clock's
/// `sync` domain: everything but the clocks, so it also runs in simulation.
pub fn video_out(mode: &VideoMode) -> Component<VideoOutSignature> {
    let mode = *mode;
    Component::build("video_out", VideoOutSignature, move |m, p| {
        let timing = m.add("timing", timing_generator(&mode));
        let pattern = m.add("pattern", test_pattern(&mode));
        let dvi = m.add("dvi", dvi_transmitter());
        m.comb([pattern.x.eq(&timing.x), pattern.y.eq(&timing.y)]);
        m.comb([dvi.r.eq(&pattern.r), dvi.g.eq(&pattern.g), dvi.b.eq(&pattern.b)]);
        m.comb([dvi.hsync.eq(&timing.hsync), dvi.vsync.eq(&timing.vsync), dvi.de.eq(&timing.de)]);
        m.comb([
            dvi.shift_clk.eq(&p.shift_clk),
            p.gpdi_dp.eq(&dvi.gpdi_dp),
            p.frame_start.eq(&timing.frame_start),
        ]);
    })
}
