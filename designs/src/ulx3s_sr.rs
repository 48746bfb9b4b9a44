//! The whole design for the ULX3S: an OV7670 camera on the GPIO header is configured
//! over SCCB, its frames are captured into a double-buffered frame buffer, the
//! super-resolution engine upscales them, and the result goes out over HDMI (DVI) at the
//! mode's resolution.
//!
//! - **Clocks.** One PLL from the board's 25 MHz oscillator, one 625 MHz VCO: the DVI bit
//!   clock (five times the pixel clock), the pixel clock, the engine's compute clock
//!   ([`COMPUTE_HZ`]) and the camera's XCLK. Every domain is held in reset until the PLL
//!   has locked. The compute and pixel clocks meet only in synchronizers and the
//!   engine's dual-clock line ring (`hdl_sim::cdc` checks it).
//! - **Camera.** After lock the camera's RESET is held low for [`CAMERA_RESET_MS`], then
//!   released for [`CAMERA_WAKE_MS`] before the configurator plays
//!   [`ov7670::tuned_rgb565`] (the Linux driver's picture settings, RGB565, the window
//!   of the engine's input) and reads it back, all on the pixel clock. `btn[1]` runs the
//!   whole sequence again.
//!   PCLK is sampled as data on the compute clock (`capture_oversampled`): the default
//!   wiring puts it on `gn2`, which is not a clock-capable pin, and the compute clock
//!   samples PCLK (at most 12.5 MHz with a 25 MHz XCLK) eight times a period.
//! - **Picture.** Until the engine has taken its first complete camera frame, the output
//!   is the test pattern inside a magenta border ([`BORDER`]): a monitor shows that the
//!   board works and the camera has not delivered. `btn[2]` switches the engine to the
//!   nearest-neighbour upscale and back.
//!
//! LEDs ([`LEDS`]): 0 PLL locked, 1 camera configured, 2 toggles per stored camera frame,
//! 3 SCCB error (no acknowledge or a read-back mismatch), 4 the engine was late, 5
//! nearest-neighbour mode, 6 test pattern shown, 7 blinks at 1 Hz from the pixel clock.

use std::fmt;

use hdl_cores::button::debouncer;
use hdl_cores::cdc::{reset_synchronizer, synchronizer};
use hdl_cores::dvi::dvi_transmitter;
use hdl_cores::frame_buffer::frame_buffer;
use hdl_cores::ov7670::{self, capture_oversampled, configurator, ConfigOptions, Step};
use hdl_cores::pll::{pll, PllError, PllPlan, PllRequest};
use hdl_cores::sccb::sio_pad;
use hdl_cores::test_pattern::test_pattern;
use hdl_cores::video_timing::{timing_generator, VideoMode};
use hdl_devices::Device;
use hdl_dsl::{cat, mux, unsigned, Module, ResetKind, Shape, Submodule, Value};
use sr_compiler::FixedModel;

use crate::camera_wiring::CameraWiring;
use crate::sr_engine::{engine, read_frame_buffer, EngineError, EnginePlan, EnginePorts, EngineRequest, PIXEL_LATENCY};

/// The pixel clock: 25 MHz for 640x480@60 (59.5 frames a second; monitors accept it).
pub const PIXEL_HZ: u64 = 25_000_000;

/// The DVI bit clock, five times the pixel clock (each edge shifts a bit out of the
/// `ODDRX1F`s): the PLL's primary output, from a 625 MHz VCO.
pub const BIT_HZ: u64 = 5 * PIXEL_HZ;

/// The engine's compute clock: the VCO over 6, 104.17 MHz (rounded to the hertz). At
/// 125 MHz the engine needs 54 multipliers but closes timing at about 135 MHz, short of
/// the 10% margin (137.5); at 104.17 it needs 66 (five products a lane a pixel, 3333
/// cycles a line) and the margin is 114.6 MHz.
pub const COMPUTE_HZ: u64 = 104_166_667;

/// The camera's XCLK (it takes 10 to 48 MHz).
pub const XCLK_HZ: u64 = 25_000_000;

/// How long the camera's RESET is held low after the PLL locks (datasheet: at least 1 ms).
pub const CAMERA_RESET_MS: u64 = 1;

/// How long the camera is left after its reset before the first SCCB write.
pub const CAMERA_WAKE_MS: u64 = 5;

/// The colour of the border around the test pattern while no camera frame has arrived.
pub const BORDER: [u8; 3] = [255, 0, 255];

/// The border's width in pixels.
pub const BORDER_WIDTH: u32 = 8;

/// What each LED shows, `led[0]` first.
pub const LEDS: [&str; 8] = [
    "PLL locked",
    "camera configured",
    "toggles per stored camera frame",
    "SCCB error",
    "engine late",
    "nearest-neighbour mode",
    "test pattern shown",
    "1 Hz blink (pixel clock)",
];

/// What each button does, by its index in `btn`.
pub const BUTTONS: [(usize, &str); 2] = [(1, "configure the camera again"), (2, "switch to nearest-neighbour and back")];

/// Header pins on each side, `gp[0..=27]` and `gn[0..=27]`.
pub const HEADER_PINS: u32 = 28;

/// What the design is built for.
#[derive(Clone, Copy, Debug)]
pub struct Ulx3sSr<'a> {
    /// The compiled model.
    pub model: &'a FixedModel,
    /// The output mode.
    pub mode: VideoMode,
    /// The part on the board.
    pub device: Device,
    /// Where the camera is on the header.
    pub wiring: &'a CameraWiring,
}

/// Why the design cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum TopError {
    /// The engine cannot be built for the model on this device.
    Engine(EngineError),
    /// The PLL cannot make the clocks.
    Pll(PllError),
    /// The camera has no mode of the engine's input size.
    CameraSize {
        /// The input the engine needs.
        input: (u32, u32),
    },
}

impl fmt::Display for TopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopError::Engine(e) => write!(f, "{e}"),
            TopError::Pll(e) => write!(f, "{e}"),
            TopError::CameraSize { input } => write!(
                f,
                "the engine needs a {}x{} picture, which the OV7670 does not give: it gives 640x480, 320x240 and 160x120",
                input.0, input.1
            ),
        }
    }
}

impl std::error::Error for TopError {}

impl Ulx3sSr<'_> {
    /// The camera picture the engine takes: the mode's picture divided by the scale.
    pub fn input(&self) -> (u32, u32) {
        let scale = self.model.folded.scale as u32;
        (self.mode.h.active / scale, self.mode.v.active / scale)
    }

    /// The engine's request.
    pub fn engine_request(&self) -> EngineRequest<'_> {
        EngineRequest {
            model: self.model,
            input: self.input(),
            mode: self.mode,
            pixel_hz: PIXEL_HZ,
            device: self.device,
            compute_hz: COMPUTE_HZ,
        }
    }

    /// The register table played to the camera.
    pub fn camera_table(&self) -> Result<Vec<Step>, TopError> {
        let window = match self.input() {
            (640, 480) => ov7670::VGA_RGB565,
            (320, 240) => ov7670::QVGA_RGB565,
            (160, 120) => ov7670::QQVGA_RGB565,
            input => return Err(TopError::CameraSize { input }),
        };
        Ok(ov7670::tuned_rgb565(window))
    }
}

/// The PLL plan for the designs' clocks from the board's 25 MHz: the DVI bit clock (five
/// times `pixel_hz`) as the primary, the pixel clock, then `others` in order. Each
/// secondary is asked as the VCO over the divider nearest it, since the dividers
/// truncate (a request a hair above 625/6 MHz would come out as 625/5).
pub fn clocks(pixel_hz: u64, others: &[u64]) -> Result<PllPlan, PllError> {
    let mhz = |hz: u64| hz as f32 / 1e6;
    let bit = PllRequest::new(25.0, 5.0 * mhz(pixel_hz)).plan()?;
    let vco = bit.vco_mhz;
    let on_vco = |hz: u64| vco / (vco / mhz(hz)).round().max(1.0);
    let mut request = PllRequest::new(25.0, 5.0 * mhz(pixel_hz)).secondary(on_vco(pixel_hz), 0.0);
    for &hz in others {
        request = request.secondary(on_vco(hz), 0.0);
    }
    request.plan()
}

/// The top module, with the board's port names (`clk_25mhz`, `btn`, `led`, `gpdi_dp`,
/// `gp`, `gn`), and the engine's plan.
pub fn top(design: &Ulx3sSr) -> Result<(EnginePlan, Module), TopError> {
    let table = design.camera_table()?;
    let (plan, engine) = engine(&design.engine_request()).map_err(TopError::Engine)?;
    let clocks = clocks(PIXEL_HZ, &[COMPUTE_HZ, XCLK_HZ]).map_err(TopError::Pll)?;

    let mut m = Module::new("top");
    let clk_25mhz = m.input("clk_25mhz", unsigned(1));
    let btn = m.input("btn", unsigned(7));
    let led = m.output("led", unsigned(8));
    let gpdi_dp = m.output("gpdi_dp", unsigned(4));
    let gp = m.inout("gp", unsigned(HEADER_PINS));
    let gn = m.inout("gn", unsigned(HEADER_PINS));

    let pll = m.add("pll", pll(&clocks));
    m.comb(pll.clkin.eq(&clk_25mhz));
    let named = |m: &mut Module, name: &str, v: &Value| {
        let s = m.signal(name, unsigned(1));
        m.comb(s.eq(v));
        s
    };
    let bit_clk = named(&mut m, "bit_clk", &pll.clkout[0]);
    let pixel_clk = named(&mut m, "pixel_clk", &pll.clkout[1]);
    let compute_clk = named(&mut m, "compute_clk", &pll.clkout[2]);
    let xclk = named(&mut m, "xclk", &pll.clkout[3]);
    let reset = |m: &mut Module, name: &str, clk: &Value| {
        let r = m.add(name, reset_synchronizer(2));
        m.comb([r.clk.eq(clk), r.arst.eq(!&pll.locked)]);
        r.rst.clone()
    };
    let compute_rst = reset(&mut m, "compute_reset", &compute_clk);
    let pixel_rst = reset(&mut m, "pixel_reset", &pixel_clk);
    m.domain("sync", &compute_clk, ResetKind::Sync, Some(&compute_rst));

    let pads = Header::new(&mut m, &gp, &gn, design.wiring);
    let camera = controls(&mut m, &pixel_clk, &pixel_rst, &btn, &table);
    m.comb([
        pads.drive("xclk", &xclk),
        pads.drive("reset", &camera.reset_n),
        pads.drive("pwdn", &Value::from(false)),
        pads.drive("sioc", &camera.sio_c),
    ]);
    sio_pad(&mut m, "siod_pad", &camera.sio_d_oe, &camera.sio_d_i, &pads.pad("siod"));

    let capture = m.add("capture", capture_oversampled());
    m.comb([
        capture.pins.pclk.eq(pads.read("pclk")),
        capture.pins.vsync.eq(pads.read("vsync")),
        capture.pins.href.eq(pads.read("href")),
        capture.pins.d.eq(cat((0..8).map(|i| pads.read(&format!("d{i}"))))),
    ]);
    let input = design.input();
    let fb = m.add("fb", frame_buffer(input.0, input.1));
    m.comb([
        fb.write_clk.eq(&compute_clk),
        fb.write_rst.eq(&compute_rst),
        fb.read_clk.eq(&compute_clk),
        fb.read_rst.eq(&compute_rst),
    ]);
    m.connect(&capture.o, &fb.i);
    let frame_toggle = m.signal("frame_toggle", unsigned(1));
    m.if_(&fb.stored, |m| m.sync(frame_toggle.eq(!&frame_toggle)));

    let e = m.add("engine", engine);
    m.comb([
        e.compute_clk.eq(&compute_clk),
        e.compute_rst.eq(&compute_rst),
        e.pixel_clk.eq(&pixel_clk),
        e.pixel_rst.eq(&pixel_rst),
        e.nearest.eq(&camera.nearest),
    ]);
    read_frame_buffer(&mut m, &e, &fb);

    let video = add_video_out(&mut m, &design.mode, [&pixel_clk, &pixel_rst, &bit_clk], &e, &fb.taken);
    m.comb(gpdi_dp.eq(video.port("gpdi_dp")));
    m.comb(led.eq(cat([
        pll.locked.clone(),
        &camera.done & !&camera.error,
        frame_toggle.clone(),
        camera.error.clone(),
        e.late.clone(),
        camera.nearest.clone(),
        video.port("pattern_shown"),
        video.port("blink"),
    ])));
    Ok((plan, m))
}

/// The ULX3S header with a `BB` pad on every pin: the camera's outputs drive theirs,
/// every other pin is an input.
struct Header<'a> {
    wiring: &'a CameraWiring,
    ports: [Value; 2],
    reads: [Vec<Value>; 2],
    /// What each output pin is driven with, by side and bit.
    drives: Vec<((usize, u32), Value)>,
}

impl<'a> Header<'a> {
    /// Camera signals the design drives through a pad of their own ([`sio_pad`] for SIOD).
    const OUTPUTS: [&'static str; 4] = ["xclk", "reset", "pwdn", "sioc"];

    fn new(m: &mut Module, gp: &Value, gn: &Value, wiring: &'a CameraWiring) -> Header<'a> {
        let siod = wiring.header_pin("siod");
        let mut reads: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
        let mut drives = Vec::new();
        for (k, (side, port)) in [("gp", gp), ("gn", gn)].into_iter().enumerate() {
            for bit in 0..HEADER_PINS {
                let read = m.signal(format!("{side}{bit}_in"), unsigned(1));
                reads[k].push(read.clone());
                if siod == Some((side, bit)) {
                    m.comb(read.eq(0u8));
                    continue;
                }
                let output = Header::OUTPUTS.iter().find(|s| wiring.header_pin(s) == Some((side, bit)));
                // An output's `T` is low (drive); SIOC drives low and floats high onto
                // the pull-up, as the bus wants. Every other pin is an input.
                let (i, t) = match output {
                    Some(&signal) => {
                        let drive = m.signal(format!("{side}{bit}_out"), unsigned(1));
                        drives.push(((k, bit), drive.clone()));
                        let t = if signal == "sioc" { drive.clone() } else { Value::from(false) };
                        (drive, t)
                    }
                    None => (Value::from(false), Value::from(true)),
                };
                m.instance("BB", &format!("{side}{bit}_pad"))
                    .input("I", &i)
                    .input("T", &t)
                    .output("O", &read)
                    .inout("B", &port.bit(bit));
            }
        }
        Header {
            wiring,
            ports: [gp.clone(), gn.clone()],
            reads,
            drives,
        }
    }

    fn at(&self, signal: &str) -> (usize, u32) {
        let (side, bit) = self.wiring.header_pin(signal).expect("a checked wiring has every signal");
        (usize::from(side == "gn"), bit)
    }

    /// What the pin of a camera output reads.
    fn read(&self, signal: &str) -> Value {
        let (k, bit) = self.at(signal);
        self.reads[k][bit as usize].clone()
    }

    /// The pin of `signal` (one of [`Header::OUTPUTS`]) driven by `value`.
    fn drive(&self, signal: &str, value: &Value) -> hdl_dsl::Statement {
        let at = self.at(signal);
        let (_, pin) = self.drives.iter().find(|(p, _)| *p == at).expect("an output pin has a drive");
        pin.eq(value)
    }

    /// The port bit of `signal`, for a pad of its own.
    fn pad(&self, signal: &str) -> Value {
        let (k, bit) = self.at(signal);
        self.ports[k].bit(bit)
    }
}

/// The slow control side, on the pixel clock: the buttons, the camera's reset and its
/// configuration.
#[derive(Clone, Debug)]
pub struct Controls {
    /// The camera's RESET pin (low resets).
    pub reset_n: Value,
    /// SIO_C (high releases the line to the pull-up).
    pub sio_c: Value,
    /// Pull SIO_D low.
    pub sio_d_oe: Value,
    /// What the SIO_D pad reads (connect it to the pad).
    pub sio_d_i: Value,
    /// The table has been played and read back.
    pub done: Value,
    /// The camera did not acknowledge, or a register read back differs.
    pub error: Value,
    /// Nearest-neighbour mode, flipped by its button.
    pub nearest: Value,
}

/// The controls as a submodule `controls` of `m`, clocked by `clk` (the pixel clock, reset
/// by `rst`; `btn` are the board's seven buttons; nothing here needs the
/// compute clock, and the configurator's table lookup closes timing at 70 MHz, not 104):
/// the buttons of [`BUTTONS`] debounced; the camera's RESET low for [`CAMERA_RESET_MS`]
/// after reset or a press of the reconfigure button, then [`CAMERA_WAKE_MS`] of waiting
/// with the configurator held in reset; then the configurator plays `table`. `nearest`
/// flips at each press of its button (the engine synchronizes it).
pub fn controls(m: &mut Module, clk: &Value, rst: &Value, btn: &Value, table: &[Step]) -> Controls {
    let mut c = Module::new("controls");
    let (cclk, crst, buttons) = (
        c.input("clk", unsigned(1)),
        c.input("rst", unsigned(1)),
        c.input("btn", unsigned(7)),
    );
    c.domain("sync", &cclk, ResetKind::Sync, Some(&crst));
    let button = |c: &mut Module, name: &str, index: usize| {
        let b = c.add(name, debouncer(PIXEL_HZ, 10_000));
        c.comb(b.pin.eq(buttons.bit(index as u32)));
        b.pressed.clone()
    };
    let reconfigure = button(&mut c, "reconfigure_button", BUTTONS[0].0);
    let toggle_nearest = button(&mut c, "nearest_button", BUTTONS[1].0);
    let nearest = c.output("nearest", unsigned(1));
    c.if_(&toggle_nearest, |c| c.sync(nearest.eq(!&nearest)));

    let cycles_per_ms = PIXEL_HZ / 1000;
    let (release, ready) = (CAMERA_RESET_MS * cycles_per_ms, (CAMERA_RESET_MS + CAMERA_WAKE_MS) * cycles_per_ms);
    let count = c.signal("camera_wait", Shape::for_unsigned(u128::from(ready)));
    c.if_(&reconfigure, |c| c.sync(count.eq(0u8)))
        .elif(count.lt(ready), |c| c.sync(count.eq(count.wrapping_add(1u8))));
    let reset_n = c.output("camera_reset_n", unsigned(1));
    c.sync(reset_n.eq(count.ge(release)));
    let waiting = c.signal("camera_waiting", unsigned(1));
    c.sync(waiting.eq(count.lt(ready)));

    // The configurator runs from its own reset: the domain's, or the wait.
    let mut player = Module::new("camera_config");
    let (pclk, prst) = (player.input("clk", unsigned(1)), player.input("rst", unsigned(1)));
    player.domain("sync", &pclk, ResetKind::Sync, Some(&prst));
    let config = player.add("configurator", configurator(table, ConfigOptions::new(PIXEL_HZ)));
    let outs = ["sio_c", "sio_d_oe", "done", "error"].map(|n| player.output(n, unsigned(1)));
    let sio_d_i = player.input("sio_d_i", unsigned(1));
    player.comb([
        outs[0].eq(&config.sio_c),
        outs[1].eq(&config.sio_d_oe),
        outs[2].eq(&config.done),
        outs[3].eq(&config.error),
        config.sio_d_i.eq(&sio_d_i),
    ]);
    let p = c.submodule("camera_config", player);
    let sio_d_in = c.input("sio_d_i", unsigned(1));
    c.comb([
        p.port("clk").eq(&cclk),
        p.port("rst").eq(&crst | &waiting),
        p.port("sio_d_i").eq(&sio_d_in),
    ]);
    for name in ["sio_c", "sio_d_oe", "done", "error"] {
        let out = c.output(name, unsigned(1));
        c.comb(out.eq(p.port(name)));
    }

    let controls = m.submodule("controls", c);
    let sio_d_i = m.signal("sio_d_in", unsigned(1));
    m.comb([
        controls.port("clk").eq(clk),
        controls.port("rst").eq(rst),
        controls.port("btn").eq(btn),
        controls.port("sio_d_i").eq(&sio_d_i),
    ]);
    Controls {
        reset_n: controls.port("camera_reset_n"),
        sio_c: controls.port("sio_c"),
        sio_d_oe: controls.port("sio_d_oe"),
        sio_d_i,
        done: controls.port("done"),
        error: controls.port("error"),
        nearest: controls.port("nearest"),
    }
}

/// [`video_out`] for `mode` as submodule `video` of `m`, on `[pixel clock, its reset, bit
/// clock]`, showing `engine`'s pixels once `camera_ready` (the frame buffer's `taken`).
pub fn add_video_out(
    m: &mut Module,
    mode: &VideoMode,
    [pixel_clk, pixel_rst, bit_clk]: [&Value; 3],
    engine: &EnginePorts,
    camera_ready: &Value,
) -> Submodule {
    let video = m.submodule("video", video_out(mode));
    m.comb([
        video.port("clk").eq(pixel_clk),
        video.port("rst").eq(pixel_rst),
        video.port("shift_clk").eq(bit_clk),
        video.port("camera_ready").eq(camera_ready),
        video.port("r").eq(&engine.r),
        video.port("g").eq(&engine.g),
        video.port("b").eq(&engine.b),
        video.port("hsync").eq(&engine.hsync),
        video.port("vsync").eq(&engine.vsync),
        video.port("de").eq(&engine.de),
    ]);
    video
}

/// The pixel side: the engine's pixels, or until the first camera frame the test pattern
/// in its border, through the DVI transmitter. Its `sync` is the pixel clock (`clk`,
/// `rst`), `shift_clk` the bit clock; `r`, `g`, `b`, `hsync`, `vsync` and `de` are the
/// engine's ([`PIXEL_LATENCY`] clocks behind a timing generator reset with this one);
/// `camera_ready` comes from the compute clock through a synchronizer and switches the
/// picture at the start of a frame. Outputs: `gpdi_dp`, `pattern_shown`, `blink`.
pub fn video_out(mode: &VideoMode) -> Module {
    let mode = *mode;
    let mut v = Module::new("video_out");
    let (clk, rst, shift) = (
        v.input("clk", unsigned(1)),
        v.input("rst", unsigned(1)),
        v.input("shift_clk", unsigned(1)),
    );
    v.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    let camera_ready = v.input("camera_ready", unsigned(1));
    let [r, g, b, hsync, vsync, de] =
        [("r", 8), ("g", 8), ("b", 8), ("hsync", 1), ("vsync", 1), ("de", 1)].map(|(n, w)| v.input(n, unsigned(w)));
    let gpdi_dp = v.output("gpdi_dp", unsigned(4));
    let (pattern_shown, blink) = (v.output("pattern_shown", unsigned(1)), v.output("blink", unsigned(1)));

    // The same timing as the engine's own (same mode, same reset), so the pattern lines
    // up with the engine's outputs after their latency.
    let timing = v.add("timing", timing_generator(&mode));
    let pattern = v.add("pattern", test_pattern(&mode));
    v.comb([pattern.x.eq(&timing.x), pattern.y.eq(&timing.y)]);
    let (w, h) = (mode.h.active, mode.v.active);
    let in_border = timing.x.lt(BORDER_WIDTH) | timing.x.ge(w - BORDER_WIDTH) | timing.y.lt(BORDER_WIDTH) | timing.y.ge(h - BORDER_WIDTH);
    let framed =
        cat([(&pattern.b, BORDER[2]), (&pattern.g, BORDER[1]), (&pattern.r, BORDER[0])]
            .map(|(c, border)| mux(&in_border, border, c.clone())));
    let framed = v.delayed("pattern_at", &framed, PIXEL_LATENCY);

    let ready = v.add("camera_ready_sync", synchronizer(1));
    v.comb(ready.i.eq(&camera_ready));
    let showing_camera = v.signal("showing_camera", unsigned(1));
    v.if_(&timing.frame_start, |m| m.sync(showing_camera.eq(&ready.o)));
    let picture = mux(&showing_camera, cat([b.clone(), g.clone(), r.clone()]), framed);

    let dvi = v.add("dvi", dvi_transmitter());
    v.comb([
        dvi.b.eq(picture.slice(0..8)),
        dvi.g.eq(picture.slice(8..16)),
        dvi.r.eq(picture.slice(16..24)),
        dvi.hsync.eq(&hsync),
        dvi.vsync.eq(&vsync),
        dvi.de.eq(&de),
        dvi.shift_clk.eq(&shift),
        gpdi_dp.eq(&dvi.gpdi_dp),
        pattern_shown.eq(!&showing_camera),
    ]);
    let half_second = PIXEL_HZ / 2;
    let count = v.signal("blink_count", Shape::for_unsigned(u128::from(half_second)));
    v.if_(count.is_eq(half_second - 1), |m| m.sync([count.eq(0u8), blink.eq(!&blink)]))
        .else_(|m| m.sync(count.eq(count.wrapping_add(1u8))));
    v
}
