//! The camera path against the OV7670 model: configuration over SCCB from the pins of a
//! top, SIO_D through its `BB` pad with the camera's acknowledges and read-back data
//! coming back through the same pin (register file, read-back, bus timing); and pictures
//! through capture into the frame buffer, exact, with and without faults; and the whole
//! camera side of a top from its pins, XCLK out to the camera and PCLK back.

use std::cell::RefCell;
use std::rc::Rc;

use hdl_cores::frame_buffer::{frame_buffer, FRAME_BUFFER_LATENCY};
use hdl_cores::ov7670::{capture_clocked, capture_oversampled, configurator, ConfigOptions, Step, QQVGA_RGB565, QVGA_RGB565};
use hdl_cores::sccb::sio_pad;
use hdl_dsl::{unsigned, Design, Module, ResetKind};
use hdl_models::ov7670::{CameraHandle, Fault, Image, Pclk, PixelPins, SccbPins, Timing};
use hdl_sim::{Simulator, Xorshift};

const CLK_HZ: u64 = 25_000_000;

/// The configurator in `m`'s `sync` domain, as on the board: SIO_C on a pin, SIO_D on a
/// `BB` pad, and `done` and `error` on pins.
fn add_configurator(m: &mut Module, table: &[Step]) {
    let sio_c = m.output("sio_c", unsigned(1));
    let sio_d = m.inout("sio_d", unsigned(1));
    let done = m.output("done", unsigned(1));
    let error = m.output("error", unsigned(1));
    let config = m.add("camera_config", configurator(table, ConfigOptions::new(CLK_HZ)));
    m.comb([sio_c.eq(&config.sio_c), done.eq(&config.done), error.eq(&config.error)]);
    sio_pad(m, "sio_d_pad", &config.sio_d_oe, &config.sio_d_i, &sio_d);
}

/// The camera-side top: the configurator on the `clk` pin.
fn camera_top(table: &[Step]) -> Module {
    let mut m = Module::new("camera_top");
    let clk = m.input("clk", unsigned(1));
    let rst = m.input("rst", unsigned(1));
    m.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    add_configurator(&mut m, table);
    m
}

/// The SCCB pins of the tops here.
const SCCB_PINS: SccbPins = SccbPins {
    sio_c: "sio_c",
    sio_d: "sio_d",
};

/// Runs the configurator with `camera` on its pins until it is done; returns whether it
/// reported an error, and when it finished.
fn configure(table: &[Step], camera: &CameraHandle) -> (bool, u64) {
    let design = Design::elaborate(camera_top(table)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    sim.set_period(sync, 40_000);
    camera.attach_sccb(&mut sim, sync, SCCB_PINS).unwrap();
    let done = sim.signal("done").unwrap();
    let error = sim.signal("error").unwrap();
    sim.run_until(sync, 2_000_000, |s| s.get(done) == 1).unwrap();
    (sim.get(error) == 1, sim.time_ps())
}

#[test]
fn the_qqvga_table_lands_in_the_camera() {
    let camera = CameraHandle::new();
    let (error, time) = configure(QQVGA_RGB565, &camera);
    assert!(!error, "the configurator reported an error");
    let expected: Vec<(u8, u8)> = QQVGA_RGB565
        .iter()
        .filter_map(|s| match *s {
            Step::Write(r, v) | Step::WriteOnly(r, v) => Some((r, v)),
            Step::DelayMs(_) => None,
        })
        .collect();
    assert_eq!(camera.writes(), expected, "every entry sent once, in order");
    let registers = camera.registers();
    for &(r, v) in &expected[1..] {
        assert_eq!(registers[r as usize], v, "register {r:#04x}");
    }
    // SIO_C at 100 kHz (25 MHz / 4 / 62 = 100.8 kHz), never over the specification's
    // 400 kHz; start hold and stop set-up a quarter bit, 2.48 µs, over the 600 ns it asks.
    let bus = camera.bus_timing();
    assert_eq!(bus.min_clock_period_ps, 4 * 62 * 40_000, "{bus:?}");
    assert_eq!(bus.min_start_hold_ps, 62 * 40_000, "{bus:?}");
    assert_eq!(bus.min_stop_setup_ps, 62 * 40_000, "{bus:?}");
    // Writes, then the read-back: two starts per read.
    let writes = expected.len() as u64;
    let reads = QQVGA_RGB565.iter().filter(|s| matches!(s, Step::Write(..))).count() as u64;
    assert_eq!(bus.starts, writes + 2 * reads);
    assert!(time > 2_000_000_000, "the 2 ms reset wait was kept: {time} ps");
}

#[test]
fn a_missing_acknowledge_is_an_error() {
    let camera = CameraHandle::new();
    camera.inject(Fault::Nack { register: 0x40 });
    let (error, _) = configure(QQVGA_RGB565, &camera);
    assert!(error);
}

#[test]
fn a_register_that_reads_back_wrong_is_an_error() {
    // The camera resets itself on COM7 = 0x80; a table that writes it as a verified
    // register reads back 0x00.
    let camera = CameraHandle::new();
    let (error, _) = configure(&[Step::Write(0x12, 0x80)], &camera);
    assert!(error);
}

/// The test picture: gradients and a checkerboard, in RGB888.
fn picture(width: u32, height: u32) -> Vec<[u8; 3]> {
    (0..height)
        .flat_map(|y| {
            (0..width).map(move |x| {
                [
                    (x * 255 / width) as u8,
                    (y * 255 / height) as u8,
                    if (x / 8 + y / 8) % 2 == 0 { 200 } else { 40 },
                ]
            })
        })
        .collect()
}

/// Sets the camera's registers as `table` would, without the bus.
fn preset(camera: &CameraHandle, table: &[Step]) {
    for step in table {
        if let Step::Write(r, v) = *step {
            camera.set_register(r, v);
        }
    }
}

/// The camera's pixel pins on the tops here.
const PIXEL_PINS: PixelPins = PixelPins {
    vsync: "vsync",
    href: "href",
    d: "d",
};

/// The camera clocked from the top's `xclk` pin, driving its `pclk` pin.
const FROM_XCLK: Pclk = Pclk::Xclk {
    xclk: "xclk",
    pclk: "pclk",
};

/// CLKRC for the oversampled capture: PCLK at XCLK / 6, three samples a half period.
const OVERSAMPLED_CLKRC: u8 = 0x02;

/// Capture into a frame buffer, all in one system clock domain, which is also the
/// camera's XCLK; with the configurator on the camera's SCCB pins when `table` is given.
fn capture_top(width: u32, height: u32, oversampled: bool, table: Option<&[Step]>) -> Module {
    let mut m = Module::new("camera_top");
    let (clk, rst) = (m.input("clk", unsigned(1)), m.input("rst", unsigned(1)));
    for d in ["sync", "write", "read"] {
        m.domain(d, &clk, ResetKind::Sync, Some(&rst));
    }
    let xclk = m.output("xclk", unsigned(1));
    m.comb(xclk.eq(&clk));
    if let Some(table) = table {
        add_configurator(&mut m, table);
    }
    let pins = ["pclk", "vsync", "href"].map(|n| m.input(n, unsigned(1)));
    let d = m.input("d", unsigned(8));
    let (take, raddr) = (m.input("take", unsigned(1)), m.input("raddr", unsigned(17)));
    let outs = ["stored", "dropped", "overflow"].map(|n| m.output(n, unsigned(1)));
    let rdata = m.output("rdata", unsigned(16));
    let capture = m.add("capture", if oversampled { capture_oversampled() } else { capture_clocked(16) });
    let fb = m.add("fb", frame_buffer(width, height));
    m.comb([
        fb.write_clk.eq(&clk),
        fb.write_rst.eq(&rst),
        fb.read_clk.eq(&clk),
        fb.read_rst.eq(&rst),
    ]);
    m.comb([
        capture.pins.pclk.eq(&pins[0]),
        capture.pins.vsync.eq(&pins[1]),
        capture.pins.href.eq(&pins[2]),
        capture.pins.d.eq(&d),
    ]);
    m.connect(&capture.o, &fb.i);
    m.comb([fb.take.eq(&take), fb.raddr.eq(raddr.trunc(fb.raddr.width())), rdata.eq(&fb.rdata)]);
    m.comb([outs[0].eq(&fb.stored), outs[1].eq(&fb.dropped), outs[2].eq(&capture.overflow)]);
    m
}

/// A capture run: a PNG of `width` x `height` played for `frames` frames, with COM10 and
/// faults as given.
struct Run<'a> {
    width: u32,
    height: u32,
    oversampled: bool,
    com10: u8,
    faults: &'a [Fault],
    frames: u64,
}

/// What a run gave: the frame buffer's stored/dropped sequence, the last frame read back,
/// the picture it should be, and every pixel the capture gave with its position.
struct Captured {
    events: Vec<&'static str>,
    frame: Vec<u16>,
    expected: Vec<u16>,
    pixels: Vec<(u32, u32, u16)>,
}

fn run_capture(run: Run) -> Captured {
    let Run {
        width,
        height,
        oversampled,
        com10,
        faults,
        frames,
    } = run;
    let rgb = picture(width, height);
    let path = std::env::temp_dir().join(format!("camera_{}_{width}x{height}_{oversampled}.png", std::process::id()));
    let picture = hdl_video::Picture {
        width: width as usize,
        height: height as usize,
        pixels: rgb.clone(),
    };
    picture.write_png(&path).unwrap();
    let image = Image::from_png(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let expected: Vec<u16> = rgb.iter().map(|&p| hdl_video::rgb565::pack(p)).collect();

    let design = Design::elaborate(capture_top(width, height, oversampled, None)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let camera = CameraHandle::new();
    preset(&camera, if width == 160 { QQVGA_RGB565 } else { QVGA_RGB565 });
    camera.set_register(0x15, com10);
    for f in faults {
        camera.inject(*f);
    }
    let pclk = if oversampled {
        camera.set_register(0x11, OVERSAMPLED_CLKRC);
        FROM_XCLK
    } else {
        let pclk = sim.domain("capture.write").unwrap();
        sim.set_period(pclk, 41_666);
        Pclk::Domain(pclk)
    };
    camera
        .attach_pixels(&mut sim, PIXEL_PINS, pclk, vec![image], Timing::Compressed)
        .unwrap();
    let events = Rc::new(RefCell::new(Vec::new()));
    let pixels = Rc::new(RefCell::new(Vec::new()));
    let (log, seen) = (events.clone(), pixels.clone());
    let [stored, dropped, overflow, valid, ready, x, y, r, g, b] = [
        "stored",
        "dropped",
        "overflow",
        "capture_o_valid",
        "capture_o_ready",
        "capture_x",
        "capture_y",
        "capture_o_payload_r",
        "capture_o_payload_g",
        "capture_o_payload_b",
    ]
    .map(|n| sim.signal(n).unwrap());
    sim.add_model(sync, move |s: &mut Simulator| {
        if s.get(stored) == 1 {
            log.borrow_mut().push("stored");
        }
        if s.get(dropped) == 1 {
            log.borrow_mut().push("dropped");
        }
        if s.get(valid) == 1 && s.get(ready) == 1 {
            let pixel = s.get(r) << 11 | s.get(g) << 5 | s.get(b);
            seen.borrow_mut().push((s.get(x) as u32, s.get(y) as u32, pixel as u16));
        }
        assert_eq!(s.get(overflow), 0, "a pixel was dropped");
    });
    // The reader always takes the newest frame, so the writer is never held up.
    let take = sim.signal("take").unwrap();
    sim.set(take, 1).unwrap();
    sim.run_until(sync, 50_000_000, |_| camera.frames_sent() >= frames).unwrap();
    sim.ticks(sync, 20);
    sim.set(take, 0).unwrap();
    sim.ticks(sync, 5);
    // The camera goes on while the frame is read back: what came before is the run's.
    let pixels = pixels.borrow().clone();
    let raddr = sim.signal("raddr").unwrap();
    let rdata = sim.signal("rdata").unwrap();
    let mut frame = Vec::new();
    for a in 0..width * height {
        sim.set(raddr, a as u64).unwrap();
        sim.ticks(sync, u64::from(FRAME_BUFFER_LATENCY));
        frame.push(sim.get(rdata) as u16);
    }
    let events = events.borrow().clone();
    Captured {
        events,
        frame,
        expected,
        pixels,
    }
}

/// Checks an undamaged run: every frame stored and exact, every pixel at its place.
fn assert_exact(run: Run) {
    let (width, frames) = (run.width, run.frames);
    let c = run_capture(run);
    assert_eq!(c.events, vec!["stored"; frames as usize]);
    assert!(c.frame == c.expected, "the picture differs");
    assert_eq!(c.pixels.len(), frames as usize * c.expected.len());
    for (i, &(x, y, p)) in c.pixels.iter().enumerate() {
        let at = i % c.expected.len();
        assert_eq!((x, y), (at as u32 % width, at as u32 / width), "position of pixel {i}");
        assert_eq!(p, c.expected[at], "pixel {i}");
    }
}

#[test]
fn a_qqvga_picture_arrives_exactly_oversampled() {
    let run = Run {
        width: 160,
        height: 120,
        oversampled: true,
        com10: 0x00,
        faults: &[],
        frames: 2,
    };
    assert_exact(run);
}

#[test]
fn a_qqvga_picture_arrives_exactly_with_pclk_stopped_in_the_blank() {
    // COM10 bit 5: PCLK pulses only while HREF is high.
    let run = Run {
        width: 160,
        height: 120,
        oversampled: true,
        com10: 0x20,
        faults: &[],
        frames: 2,
    };
    assert_exact(run);
}

#[test]
fn a_qvga_picture_arrives_exactly_through_the_pclk_domain() {
    let run = Run {
        width: 320,
        height: 240,
        oversampled: false,
        com10: 0x00,
        faults: &[],
        frames: 2,
    };
    assert_exact(run);
}

/// The whole camera side from the pins, as on the board: the camera, at its power-on
/// registers, sends VGA frames on XCLK from the start; the configurator writes the QQVGA
/// table and a CLKRC that halves PCLK through SIO_C and the SIO_D pad; from then on the
/// frames are QQVGA, PCLK runs at XCLK / 4, and the captured picture is exact.
#[test]
fn the_camera_on_the_pins_of_a_top_is_configured_and_its_pictures_arrive() {
    let (width, height) = (160, 120);
    let mut table = QQVGA_RGB565.to_vec();
    table.push(Step::Write(0x11, 0x01)); // CLKRC: XCLK / 2
    let design = Design::elaborate(capture_top(width, height, false, Some(&table))).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    sim.set_period(sync, 40_000);
    let rgb = picture(width, height);
    let image = Image::from_picture(&hdl_video::Picture {
        width: width as usize,
        height: height as usize,
        pixels: rgb.clone(),
    });
    // Found before the camera takes it over: counting its edges is all the test does.
    let pclk = sim.domain("capture.write").unwrap();
    let camera = CameraHandle::new();
    camera.attach_sccb(&mut sim, sync, SCCB_PINS).unwrap();
    camera
        .attach_pixels(&mut sim, PIXEL_PINS, FROM_XCLK, vec![image], Timing::Compressed)
        .unwrap();

    // Before the configuration: PCLK at XCLK / 2 (CLKRC 0x80 at power-on).
    let pclks = sim.cycles(pclk);
    sim.ticks(sync, 1000);
    assert_eq!(sim.cycles(pclk) - pclks, 500, "PCLK rising edges in 1000 XCLK periods, at power-on");
    let (done, error) = (sim.signal("done").unwrap(), sim.signal("error").unwrap());
    sim.run_until(sync, 2_000_000, |s| s.get(done) == 1).unwrap();
    assert_eq!(sim.get(error), 0, "the configurator reported an error");
    assert_eq!(camera.registers()[0x11], 0x01);
    let pclks = sim.cycles(pclk);
    sim.ticks(sync, 1000);
    assert_eq!(sim.cycles(pclk) - pclks, 250, "PCLK rising edges in 1000 XCLK periods, configured");

    // Two whole QQVGA frames after the one the configuration changed, then read back.
    let take = sim.signal("take").unwrap();
    sim.set(take, 1).unwrap();
    let first = camera.frames_sent() + 3;
    sim.run_until(sync, 2_000_000, |_| camera.frames_sent() >= first).unwrap();
    sim.ticks(sync, 20);
    sim.set(take, 0).unwrap();
    sim.ticks(sync, 5);
    let (raddr, rdata) = (sim.signal("raddr").unwrap(), sim.signal("rdata").unwrap());
    let mut frame = Vec::new();
    for a in 0..width * height {
        sim.set(raddr, a as u64).unwrap();
        sim.ticks(sync, u64::from(FRAME_BUFFER_LATENCY));
        frame.push(sim.get(rdata) as u16);
    }
    let expected: Vec<u16> = rgb.iter().map(|&p| hdl_video::rgb565::pack(p)).collect();
    assert!(frame == expected, "the picture differs");
}

#[test]
fn a_damaged_frame_costs_only_itself() {
    let faults = [Fault::TruncateFrame { frame: 1, rows: 50 }, Fault::HrefGlitch { frame: 2, row: 30 }];
    let c = run_capture(Run {
        width: 160,
        height: 120,
        oversampled: true,
        com10: 0x00,
        faults: &faults,
        frames: 4,
    });
    assert_eq!(c.events, ["stored", "dropped", "dropped", "stored"]);
    assert!(c.frame == c.expected, "the frame after the damage differs");
}

#[test]
fn a_slow_reader_never_sees_a_torn_frame() {
    // Two pictures in turn; the reader takes a frame at odd moments and reads it slower
    // than the camera sends: every frame it reads must be one picture, whole.
    let (width, height) = (160, 120);
    let pictures: Vec<Vec<u16>> = (0..2u16)
        .map(|k| {
            (0..width * height)
                .map(|i| (i as u16).wrapping_mul(31).wrapping_add(k * 0x8421) | k)
                .collect()
        })
        .collect();
    let images: Vec<Image> = pictures
        .iter()
        .map(|p| Image {
            width,
            height,
            pixels: p.clone(),
        })
        .collect();
    let design = Design::elaborate(capture_top(width, height, true, None)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let camera = CameraHandle::new();
    preset(&camera, QQVGA_RGB565);
    camera.set_register(0x11, OVERSAMPLED_CLKRC);
    camera
        .attach_pixels(&mut sim, PIXEL_PINS, FROM_XCLK, images, Timing::Compressed)
        .unwrap();
    let (take, raddr, rdata) = (
        sim.signal("take").unwrap(),
        sim.signal("raddr").unwrap(),
        sim.signal("rdata").unwrap(),
    );
    let mut rng = Xorshift::new(12345);
    let mut seen = [0; 2];
    while camera.frames_sent() < 40 {
        // Wait a while, take the newest frame, read it all, an address at a time.
        sim.ticks(sync, 1 + rng.next() % 20_000);
        sim.set(take, 1).unwrap();
        sim.tick(sync);
        sim.set(take, 0).unwrap();
        sim.ticks(sync, 6);
        let mut frame = Vec::new();
        for a in 0..width * height {
            sim.set(raddr, a as u64).unwrap();
            sim.ticks(sync, u64::from(FRAME_BUFFER_LATENCY));
            frame.push(sim.get(rdata) as u16);
        }
        if camera.frames_sent() < 2 {
            continue;
        }
        let which = pictures.iter().position(|p| *p == frame);
        assert!(
            which.is_some(),
            "a torn or foreign frame was read (after {} camera frames)",
            camera.frames_sent()
        );
        seen[which.unwrap()] += 1;
    }
    assert!(seen[0] > 0 && seen[1] > 0, "both pictures were read: {seen:?}");
}
