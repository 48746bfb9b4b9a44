//! The whole ULX3S design: its camera controls against the camera model (the table sent
//! over SCCB, entry for entry; a NACK reported; the reconfigure button), and its
//! refusals before any long step.

use std::path::Path;

use hdl_cores::ov7670::{Step, QQVGA_RGB565};
use hdl_cores::sccb::sio_pad;
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::camera_wiring::{self, CameraWiring};
use hdl_designs::ulx3s_sr::{controls, top, Ulx3sSr, CAMERA_RESET_MS, CAMERA_WAKE_MS, PIXEL_HZ};
use hdl_devices::Device;
use hdl_dsl::{unsigned, Design, Module};
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
