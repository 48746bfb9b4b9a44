//! The engine on the ULX3S with the least around it that keeps every part of it alive,
//! for measuring its size and timing after place and route: the board's 25 MHz
//! oscillator feeds a PLL making the DVI bit clock (five times the pixel clock), the
//! pixel clock and the compute clock (the bit clock when they are equal); the camera's
//! pixels are captured on the compute clock into the frame buffer; the engine reads it and
//! drives the whole design's video side (`ulx3s_sr::video_out`: the test pattern until a
//! first frame is taken, the DVI transmitter). `btn[1]` selects the nearest-neighbour upscale. The camera
//! is not configured (the whole design does that over SCCB), so on a board this top shows
//! whatever the camera sends at power-on.

use std::fmt;

use hdl_cores::cdc::reset_synchronizer;
use hdl_cores::frame_buffer::frame_buffer;
use hdl_cores::ov7670::capture_oversampled;
use hdl_cores::pll::{pll, PllError};
use hdl_dsl::{unsigned, Module, ResetKind, Value};

use super::{engine, read_frame_buffer, EngineError, EnginePlan, EngineRequest};
use crate::ulx3s_sr::{add_video_out, clocks};

/// Why the top cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum BenchTopError {
    /// The engine cannot be built for the request.
    Engine(EngineError),
    /// The PLL cannot make the clocks.
    Pll(PllError),
}

impl fmt::Display for BenchTopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchTopError::Engine(e) => write!(f, "{e}"),
            BenchTopError::Pll(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BenchTopError {}

/// The camera's pins on the GPIO header (`../shared` hardware facts, after the board's
/// community camera examples): `(port, bit)` of D7..D0, then VSYNC, HREF, PCLK; XCLK is
/// `gp[2]`.
const DATA_PINS: [(&str, u32); 8] = [
    ("gp", 7),
    ("gn", 7),
    ("gp", 8),
    ("gn", 8),
    ("gp", 9),
    ("gn", 9),
    ("gp", 10),
    ("gn", 10),
];
const VSYNC_PIN: (&str, u32) = ("gp", 1);
const HREF_PIN: (&str, u32) = ("gn", 1);
const PCLK_PIN: (&str, u32) = ("gn", 2);
const XCLK_BIT: u32 = 2;

/// Header pins used, per side: `gp[0..=10]`, `gn[0..=10]`.
const HEADER_PINS: u32 = 11;

/// The top module (ports `clk_25mhz`, `gp`, `gn`, `btn`, `gpdi_dp`, `led`) and the
/// engine's plan. `led[0]` is the engine's sticky `late`, `led[1]` the frame buffer's
/// `taken`.
pub fn top(request: &EngineRequest) -> Result<(EnginePlan, Module), BenchTopError> {
    let (plan, component) = engine(request).map_err(BenchTopError::Engine)?;
    let separate_compute = request.compute_hz != 5 * request.pixel_hz;
    let others: &[u64] = if separate_compute { &[request.compute_hz] } else { &[] };
    let clocks = clocks(request.pixel_hz, others).map_err(BenchTopError::Pll)?;

    let mut m = Module::new("top");
    let clk_25mhz = m.input("clk_25mhz", unsigned(1));
    let btn = m.input("btn", unsigned(2));
    let gp = m.inout("gp", unsigned(HEADER_PINS));
    let gn = m.inout("gn", unsigned(HEADER_PINS));
    let gpdi_dp = m.output("gpdi_dp", unsigned(4));
    let led = m.output("led", unsigned(2));

    let pll = m.add("pll", pll(&clocks));
    m.comb(pll.clkin.eq(&clk_25mhz));
    let named = |m: &mut Module, name: &str, v: &Value| {
        let s = m.signal(name, unsigned(1));
        m.comb(s.eq(v));
        s
    };
    let bit_clk = named(&mut m, "bit_clk", &pll.clkout[0]);
    let pixel_clk = named(&mut m, "pixel_clk", &pll.clkout[1]);
    let compute_clk = if separate_compute {
        named(&mut m, "compute_clk", &pll.clkout[2])
    } else {
        bit_clk.clone()
    };
    let reset = |m: &mut Module, name: &str, clk: &Value| {
        let r = m.add(name, reset_synchronizer(2));
        m.comb([r.clk.eq(clk), r.arst.eq(!&pll.locked)]);
        r.rst.clone()
    };
    let compute_rst = reset(&mut m, "compute_reset", &compute_clk);
    let pixel_rst = reset(&mut m, "pixel_reset", &pixel_clk);
    m.domain("sync", &compute_clk, ResetKind::Sync, Some(&compute_rst));

    let pads = header_pads(&mut m, &gp, &gn, &clk_25mhz);
    let pad = |(side, bit): (&str, u32)| pads[usize::from(side == "gn")][bit as usize].clone();
    let camera = m.add("camera", capture_oversampled());
    m.comb([
        camera.pins.pclk.eq(pad(PCLK_PIN)),
        camera.pins.vsync.eq(pad(VSYNC_PIN)),
        camera.pins.href.eq(pad(HREF_PIN)),
        camera.pins.d.eq(hdl_dsl::cat(DATA_PINS.iter().rev().map(|&p| pad(p)))),
    ]);
    let input = request.input;
    let fb = m.add("fb", frame_buffer(input.0, input.1));
    m.comb([
        fb.write_clk.eq(&compute_clk),
        fb.write_rst.eq(&compute_rst),
        fb.read_clk.eq(&compute_clk),
        fb.read_rst.eq(&compute_rst),
    ]);
    m.connect(&camera.o, &fb.i);

    let e = m.add("engine", component);
    m.comb([
        e.compute_clk.eq(&compute_clk),
        e.compute_rst.eq(&compute_rst),
        e.pixel_clk.eq(&pixel_clk),
        e.pixel_rst.eq(&pixel_rst),
        e.nearest.eq(btn.bit(1)),
    ]);
    read_frame_buffer(&mut m, &e, &fb);

    let video = add_video_out(&mut m, &request.mode, [&pixel_clk, &pixel_rst, &bit_clk], &e, &fb.taken);
    m.comb([
        gpdi_dp.eq(video.port("gpdi_dp")),
        led.eq(hdl_dsl::cat([e.late.clone(), fb.taken.clone()])),
    ]);
    Ok((plan, m))
}

/// A `BB` pad on every header pin: all are inputs but XCLK, which gets the 25 MHz
/// oscillator (the camera takes 10 to 48 MHz). Returns what each pin reads, `gp` then
/// `gn`.
fn header_pads(m: &mut Module, gp: &Value, gn: &Value, xclk: &Value) -> [Vec<Value>; 2] {
    [("gp", gp), ("gn", gn)].map(|(side, port)| {
        (0..HEADER_PINS)
            .map(|bit| {
                let read = m.signal(format!("{side}{bit}_in"), unsigned(1));
                let drives = side == "gp" && bit == XCLK_BIT;
                let (i, t) = if drives {
                    (xclk.clone(), Value::from(false))
                } else {
                    (Value::from(false), Value::from(true))
                };
                m.instance("BB", &format!("{side}{bit}_pad"))
                    .input("I", &i)
                    .input("T", &t)
                    .output("O", &read)
                    .inout("B", &port.bit(bit));
                read
            })
            .collect()
    })
}
