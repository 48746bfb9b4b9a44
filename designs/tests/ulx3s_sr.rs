//! The whole ULX3S design: its camera controls against the camera model (the table sent
//! over SCCB, entry for entry; a NACK reported; the reconfigure button), its video side
//! through the PLL and the DVI receiver model (the test pattern in its border until the
//! first camera frame, then the engine's picture), and its refusals before any long step.

use std::path::Path;

use hdl_cores::cdc::reset_synchronizer;
use hdl_cores::ov7670::{Step, QQVGA_RGB565};
use hdl_cores::pll::pll;
use hdl_cores::sccb::sio_pad;
use hdl_cores::test_pattern;
use hdl_cores::video_timing::timing_generator;
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::camera_wiring::{self, CameraWiring};
use hdl_designs::sr_engine::PIXEL_LATENCY;
use hdl_designs::ulx3s_sr::{clocks, controls, top, video_out, Ulx3sSr, BORDER, BORDER_WIDTH, CAMERA_RESET_MS, CAMERA_WAKE_MS, PIXEL_HZ};
use hdl_devices::Device;
use hdl_dsl::{cat, mux, unsigned, Design, Module, ResetKind};
use hdl_models::hdmi::DviReceiver;
use hdl_models::ov7670::{CameraHandle, Fault, SccbPins};
use hdl_sim::Simulator;
use sr_compiler::FixedModel;

fn model(name: &str) -> FixedModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models").join(name);
    sr_compiler::compile(&path).unwrap_or_else(|e| panic!("{e}")).fixed
}

fn wiring() -> CameraWiring {
    CameraWiring::load(&camera_wiring::default_file()).unwrap_or_else(|e| panic!("{e}"))
}

fn design<'a>(model: &'a FixedModel, wiring: &'a CameraWiring, device: Device) -> Ulx3sSr<'a> {
    Ulx3sSr {
        model,
        mode: VGA_640X480_60,
        device,
        wiring,
    }
}

/// The top's controls on their own pins: `clk` (the pixel clock), `btn`, SIO_C on
/// `sio_c`, SIO_D on a `BB` pad at `sio_d`, and `done`, `error`, `camera_reset_n`.
fn controls_top(table: &[Step]) -> Module {
    let mut m = Module::new("controls_top");
    let (clk, rst, btn) = (
        m.input("clk", unsigned(1)),
        m.input("rst", unsigned(1)),
        m.input("btn", unsigned(7)),
    );
    let c = controls(&mut m, &clk, &rst, &btn, table);
    let sio_d = m.inout("sio_d", unsigned(1));
    sio_pad(&mut m, "siod_pad", &c.sio_d_oe, &c.sio_d_i, &sio_d);
    for (name, v) in [
        ("sio_c", &c.sio_c),
        ("done", &c.done),
        ("error", &c.error),
        ("camera_reset_n", &c.reset_n),
    ] {
        let out = m.output(name, unsigned(1));
        m.comb(out.eq(v));
    }
    m
}

/// Every write of `table`, in order.
fn writes(table: &[Step]) -> Vec<(u8, u8)> {
    table
        .iter()
        .filter_map(|s| match *s {
            Step::Write(r, v) | Step::WriteOnly(r, v) => Some((r, v)),
            Step::DelayMs(_) => None,
        })
        .collect()
}

/// A simulation of the controls with `camera` on their pins, at the pixel clock.
fn simulate(table: &[Step], camera: &CameraHandle) -> (Simulator, hdl_sim::Domain) {
    let design = Design::elaborate(controls_top(table)).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.clock(sim.signal("clk").unwrap()).unwrap();
    sim.set_period(sync, 1_000_000_000_000 / PIXEL_HZ);
    camera
        .attach_sccb(
            &mut sim,
            sync,
            SccbPins {
                sio_c: "sio_c",
                sio_d: "sio_d",
            },
        )
        .unwrap();
    (sim, sync)
}

/// Pixel clocks in a millisecond.
const MS: u64 = PIXEL_HZ / 1000;

#[test]
fn the_camera_gets_the_tuned_table_entry_for_entry_after_its_reset() {
    let table = hdl_cores::ov7670::tuned_rgb565(QQVGA_RGB565);
    let camera = CameraHandle::new();
    let (mut sim, sync) = simulate(&table, &camera);
    let [done, error, reset_n] = ["done", "error", "camera_reset_n"].map(|n| sim.signal(n).unwrap());
    // RESET is low for its millisecond, then high; nothing is written until the wait
    // after it is over.
    sim.ticks(sync, CAMERA_RESET_MS * MS - 2);
    assert_eq!(sim.get(reset_n), 0);
    sim.ticks(sync, 4);
    assert_eq!(sim.get(reset_n), 1);
    sim.ticks(sync, CAMERA_WAKE_MS * MS - 4);
    assert!(camera.writes().is_empty(), "nothing is sent before the camera's wake time");
    let took = sim.run_until(sync, 200 * MS, |s| s.get(done) == 1).unwrap();
    assert_eq!(sim.get(error), 0, "the configurator reported an error");
    assert_eq!(camera.writes(), writes(&table), "every entry sent once, in order");
    // 185 writes (the reset, 156 of the driver, 2 for the clock, 13 for RGB565, 13 for the
    // window) and the read-back of every register that keeps its value, at 100 kHz.
    assert_eq!(writes(&table).len(), 185);
    assert!(took > 100 * MS, "took {took} pixel clocks: the bus runs at its real speed");
    let registers = camera.registers();
    assert_eq!(
        (registers[0x12], registers[0x40], registers[0x72]),
        (0x04, 0xd0, 0x22),
        "RGB565 at QQVGA"
    );
}

#[test]
fn a_nack_from_the_camera_is_an_error() {
    let table = hdl_cores::ov7670::tuned_rgb565(QQVGA_RGB565);
    let camera = CameraHandle::new();
    camera.inject(Fault::Nack { register: 0x13 });
    let (mut sim, sync) = simulate(&table, &camera);
    let [done, error] = ["done", "error"].map(|n| sim.signal(n).unwrap());
    sim.run_until(sync, 300 * MS, |s| s.get(done) == 1).unwrap();
    assert_eq!(sim.get(error), 1);
}

#[test]
fn the_reconfigure_button_plays_the_table_again() {
    let table = QQVGA_RGB565;
    let camera = CameraHandle::new();
    let (mut sim, sync) = simulate(table, &camera);
    let [done, btn, reset_n] = ["done", "btn", "camera_reset_n"].map(|n| sim.signal(n).unwrap());
    sim.run_until(sync, 100 * MS, |s| s.get(done) == 1).unwrap();
    assert_eq!(camera.writes(), writes(table));
    // Held for 20 ms: longer than the 10 ms the debouncer waits.
    sim.set(btn, 0b10).unwrap();
    sim.run_until(sync, 20 * MS, |s| s.get(reset_n) == 0).unwrap();
    sim.ticks(sync, 20 * MS);
    sim.set(btn, 0).unwrap();
    sim.run_until(sync, 100 * MS, |s| s.get(done) == 1).unwrap();
    let twice: Vec<(u8, u8)> = writes(table).into_iter().cycle().take(2 * writes(table).len()).collect();
    assert_eq!(camera.writes(), twice);
}

#[test]
fn a_model_the_board_cannot_hold_is_refused_before_any_long_step() {
    let (x4, wiring) = (model("student_x4.onnx"), wiring());
    let Err(e) = top(&design(&x4, &wiring, Device::Lfe5u25f)) else {
        panic!("the 25F cannot hold the engine")
    };
    assert_eq!(
        e.to_string(),
        "the engine needs 66 MULT18X18D, the LFE5U-25F has 28: 38 short; a faster compute clock needs fewer"
    );
    let kernel5 = model("kernel5_x4.onnx");
    assert!(top(&design(&kernel5, &wiring, Device::Lfe5u85f)).is_ok());
}

/// The design's video side as the top feeds it: from `clk_25mhz` through the PLL, the
/// engine's outputs stood in for by a timing generator delayed by the engine's latency
/// and a flat colour, `camera_ready` a pin.
fn video_top() -> Module {
    let mode = VGA_640X480_60;
    let mut m = Module::new("video_top");
    let clk_25mhz = m.input("clk_25mhz", unsigned(1));
    let camera_ready = m.input("camera_ready", unsigned(1));
    let gpdi_dp = m.output("gpdi_dp", unsigned(4));
    let pll = m.add("pll", pll(&clocks(PIXEL_HZ, &[]).unwrap()));
    m.comb(pll.clkin.eq(&clk_25mhz));
    let reset = m.add("reset_sync", reset_synchronizer(2));
    m.comb([reset.clk.eq(&pll.clkout[1]), reset.arst.eq(!&pll.locked)]);
    m.domain("sync", &pll.clkout[1], ResetKind::Sync, Some(&reset.rst));
    let timing = m.add("timing", timing_generator(&mode));
    let late = m.delayed(
        "engine_timing",
        &cat([timing.hsync.clone(), timing.vsync.clone(), timing.de.clone()]),
        PIXEL_LATENCY,
    );
    let video = m.submodule("video", video_out(&mode));
    m.comb([
        video.port("clk").eq(&pll.clkout[1]),
        video.port("rst").eq(&reset.rst),
        video.port("shift_clk").eq(&pll.clkout[0]),
        video.port("camera_ready").eq(&camera_ready),
        video.port("r").eq(FLAT[0]),
        video.port("g").eq(FLAT[1]),
        video.port("b").eq(FLAT[2]),
        video.port("hsync").eq(late.bit(0)),
        video.port("vsync").eq(late.bit(1)),
        video.port("de").eq(mux(late.bit(2), 1u8, 0u8)),
        gpdi_dp.eq(video.port("gpdi_dp")),
    ]);
    m
}

/// The colour the stand-in engine shows.
const FLAT: [u8; 3] = [0x12, 0x34, 0x56];

#[test]
fn until_the_first_camera_frame_the_test_pattern_shows_in_a_border_then_the_engines_picture() {
    let mode = VGA_640X480_60;
    let design = Design::elaborate(video_top()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.clock(sim.signal("clk_25mhz").unwrap()).unwrap();
    sim.set_period(clk, 40_000);
    let bit = sim.domain("video.dvi.shift").unwrap();
    let rx = DviReceiver::attach_pins(&mut sim, bit, "gpdi_dp").unwrap();
    let frame_ps = u64::from(mode.h.total() * mode.v.total()) * 40_000;
    sim.run_for(3 * frame_ps);
    let bordered = |n: u64| {
        let mut picture = test_pattern::frame(&mode, n);
        for (i, p) in picture.iter_mut().enumerate() {
            let (x, y) = ((i % 640) as u32, (i / 640) as u32);
            if !(BORDER_WIDTH..640 - BORDER_WIDTH).contains(&x) || !(BORDER_WIDTH..480 - BORDER_WIDTH).contains(&y) {
                *p = BORDER;
            }
        }
        picture
    };
    let before = rx.frames();
    let last = before.last().expect("a whole frame received");
    assert_eq!((last.h, last.v), (mode.h, mode.v));
    assert!(last.picture.pixels == bordered(2), "frame 2: the test pattern inside the border");
    // The camera's first frame is ready in the middle of frame 3 (the timing started at
    // its first active pixel, just after the PLL locked): frame 3 finishes as it began,
    // and frame 4 is the engine's picture.
    sim.run_for(frame_ps / 2);
    sim.set(sim.signal("camera_ready").unwrap(), 1).unwrap();
    sim.run_for(2 * frame_ps);
    let frames = rx.frames();
    let new = &frames[before.len()..];
    assert_eq!(new.len(), 2);
    assert!(new[0].picture.pixels == bordered(3), "frame 3: still the pattern");
    assert!(new[1].picture.pixels.iter().all(|&p| p == FLAT), "frame 4: the engine's picture");
    assert_eq!(rx.errors(), Vec::<String>::new());
}
