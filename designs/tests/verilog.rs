//! The engine's and the whole ULX3S design's emitted Verilog, locked as snapshots for
//! review: their own modules (for the engine: the control, the sequencer, the line
//! requests, the output ring; for the top: the top, its controls and its video output),
//! not the coefficient and bias ROMs, whose contents are the model's numbers and whose
//! structure the block ROM core's snapshot shows; nor the MAC arrays and cores
//! snapshotted in `hdl-cores`.

use std::path::Path;

use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::camera_wiring::{self, CameraWiring};
use hdl_designs::sr_engine::{engine, EngineRequest};
use hdl_designs::ulx3s_sr::{top, Ulx3sSr, COMPUTE_HZ, PIXEL_HZ};
use hdl_devices::Device;
use hdl_dsl::{Design, Module};

/// The modules the engine itself is made of, by file name.
const OWN_MODULES: [&str; 2] = ["pixel_timing.v", "sr_engine.v"];

#[test]
fn the_engine_for_the_default_model_emits_the_reviewed_verilog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/student_x4.onnx");
    let model = sr_compiler::compile(&path).unwrap_or_else(|e| panic!("{e}")).fixed;
    let request = EngineRequest {
        model: &model,
        input: (160, 120),
        mode: VGA_640X480_60,
        pixel_hz: PIXEL_HZ,
        device: Device::Lfe5u85f,
        compute_hz: COMPUTE_HZ,
    };
    let (_, component) = engine(&request).unwrap_or_else(|e| panic!("{e}"));
    let mut top = Module::new("engine_top");
    top.add("engine", component);
    assert_own_modules("design_sr_engine_x4_160x120_to_640x480", top, &OWN_MODULES);
}

/// Snapshots the modules of `top` named in `files` (by file name), in that order.
fn assert_own_modules(snapshot: &str, top: Module, files: &[&str]) {
    let design = Design::elaborate(top).unwrap_or_else(|e| panic!("{e}"));
    let emitted = design.verilog_files();
    let own: Vec<&str> = files
        .iter()
        .map(|name| {
            let (_, text) = emitted
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no module {name}"));
            text.as_str()
        })
        .collect();
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(snapshot, own.join("\n"));
    });
}

/// The whole design's own modules, by file name.
const TOP_MODULES: [&str; 4] = ["top.v", "controls.v", "camera_config.v", "video_out.v"];

#[test]
fn the_whole_design_for_the_default_model_emits_the_reviewed_verilog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/student_x4.onnx");
    let model = sr_compiler::compile(&path).unwrap_or_else(|e| panic!("{e}")).fixed;
    let wiring = CameraWiring::load(&camera_wiring::default_file()).unwrap_or_else(|e| panic!("{e}"));
    let design = Ulx3sSr {
        model: &model,
        mode: VGA_640X480_60,
        device: Device::Lfe5u85f,
        wiring: &wiring,
    };
    let (_, module) = top(&design).unwrap_or_else(|e| panic!("{e}"));
    assert_own_modules("design_ulx3s_sr_x4", module, &TOP_MODULES);
}
