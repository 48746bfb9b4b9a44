//! The super-resolution engine, simulated with the frame buffer in front of it: a
//! picture is written into the frame buffer, the engine takes it at the end of the first
//! frame, and the second frame it shows must be, pixel for pixel, what
//! `FixedModel::run` computes from the same picture as the camera delivers it — with
//! the mode's exact timing on `de`, `hsync` and `vsync` throughout, and the engine never
//! late.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use hdl_cores::ov7670::pixel_stream;
use hdl_cores::video_timing::{Axis, VideoMode, VGA_640X480_60};
use hdl_designs::sr_engine::testbench::{period_ps, top, verilator_picture, VERILATOR_MAIN};
use hdl_designs::sr_engine::{EngineRequest, PIXEL_LATENCY};
use hdl_devices::Device;
use hdl_dsl::Design;
use hdl_sim::stream::{Beat, StreamSource};
use hdl_sim::{Model, Sampled, Signal, Simulator, Xorshift};
use hdl_testkit::tools::{self, Tool};
use hdl_testkit::verilator::{Harness, Optimize};
use hdl_video::{rgb565, Picture};
use sr_compiler::fixed_point::Coefficient;
use sr_compiler::FixedModel;

const PIXEL_HZ: u64 = 25_000_000;
const COMPUTE_HZ: u64 = hdl_designs::ulx3s_sr::COMPUTE_HZ;

fn model(name: &str) -> FixedModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models").join(name);
    sr_compiler::compile(&path).unwrap_or_else(|e| panic!("{e}")).fixed
}

/// The engine for `model` at the tests' clocks on the 85F.
fn request(model: &FixedModel, input: (u32, u32), mode: VideoMode) -> EngineRequest<'_> {
    EngineRequest {
        model,
        input,
        mode,
        pixel_hz: PIXEL_HZ,
        device: Device::Lfe5u85f,
        compute_hz: COMPUTE_HZ,
    }
}

/// One sample of the engine's outputs per pixel clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sample {
    de: bool,
    hsync: bool,
    vsync: bool,
    rgb: [u8; 3],
}

struct Recorder {
    pins: [Signal; 6],
    samples: Rc<RefCell<Vec<Sample>>>,
}

impl Model for Recorder {
    fn before_edge(&mut self, now: &Sampled) {
        let [de, hsync, vsync, r, g, b] = self.pins.map(|s| now.get(s));
        self.samples.borrow_mut().push(Sample {
            de: de == 1,
            hsync: hsync == 1,
            vsync: vsync == 1,
            rgb: [r as u8, g as u8, b as u8],
        });
    }

    fn tick(&mut self, _: &mut Simulator) {}
}

/// What a run showed: the first two frames from their first active pixel, and `late`.
struct Shown {
    frames: [Vec<[u8; 3]>; 2],
    late: bool,
}

/// Writes `picture` (RGB565 as the camera sends it) into the frame buffer and records two
/// frames, checking the timing of every sample from the first active pixel on.
fn show(model: &FixedModel, picture: &Picture, mode: VideoMode, nearest: bool) -> Shown {
    let input = (picture.width as u32, picture.height as u32);
    let design = Design::elaborate(top(&request(model, input, mode)).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let [cclk, pclk, nearest_pin, late] = ["compute_clk", "pixel_clk", "nearest", "late"].map(|n| sim.signal(n).unwrap());
    let (compute, pixel) = (sim.clock(cclk).unwrap(), sim.clock(pclk).unwrap());
    sim.set_period(compute, period_ps(COMPUTE_HZ));
    sim.set_period(pixel, period_ps(PIXEL_HZ));
    sim.set(nearest_pin, u64::from(nearest)).unwrap();
    let beats: Vec<Beat> = picture
        .pixels
        .iter()
        .enumerate()
        .map(|(k, &p)| Beat {
            payload: u64::from(rgb565::pack(p)),
            first: k == 0,
            last: k % picture.width == picture.width - 1,
        })
        .collect();
    StreamSource::attach(&mut sim, compute, "i", &pixel_stream(), beats, 1, 0).unwrap();
    let samples = Rc::new(RefCell::new(Vec::new()));
    let pins = ["de", "hsync", "vsync", "r", "g", "b"].map(|n| sim.signal(n).unwrap());
    sim.add_model(
        pixel,
        Recorder {
            pins,
            samples: samples.clone(),
        },
    );
    sim.ticks(pixel, clocks_to_run(&mode));
    let samples = samples.borrow();
    Shown {
        frames: frames_of(&samples, &mode),
        late: sim.get(late) == 1,
    }
}

/// Pixel clocks for two frames from the first active pixel (the timing generator starts
/// at it; the outputs follow `PIXEL_LATENCY` clocks later).
fn clocks_to_run(mode: &VideoMode) -> u64 {
    u64::from(2 * mode.h.total() * mode.v.total() + PIXEL_LATENCY + 1)
}

/// The first two frames from the first active pixel on, the timing of every sample
/// checked against the mode's.
fn frames_of(samples: &[Sample], mode: &VideoMode) -> [Vec<[u8; 3]>; 2] {
    let frame = (mode.h.total() * mode.v.total()) as usize;
    let start = samples.iter().position(|s| s.de).expect("an active pixel");
    assert!(samples.len() >= start + 2 * frame, "two frames were recorded");
    let expected_timing = |i: usize| {
        let (x, y) = ((i as u32) % mode.h.total(), (i as u32 / mode.h.total()) % mode.v.total());
        let pulse = |pos: u32, axis: Axis| (pos >= axis.sync_start() && pos < axis.sync_start() + axis.sync) == axis.sync_positive;
        (x < mode.h.active && y < mode.v.active, pulse(x, mode.h), pulse(y, mode.v))
    };
    let mut frames = [Vec::new(), Vec::new()];
    for (i, s) in samples[start..start + 2 * frame].iter().enumerate() {
        assert_eq!(
            (s.de, s.hsync, s.vsync),
            expected_timing(i),
            "de, hsync, vsync at pixel clock {i} from the first active pixel"
        );
        if s.de {
            frames[i / frame].push(s.rgb);
        } else {
            assert_eq!(s.rgb, [0; 3], "black outside the active area, pixel clock {i}");
        }
    }
    frames
}

/// Builds the top of [`show`] under Verilator.
fn verilator_top(model: &FixedModel, input: (u32, u32), mode: VideoMode) -> Option<Harness> {
    let verilator = tools::require(Tool::Verilator, "sr_engine")?;
    let design = Design::elaborate(top(&request(model, input, mode)).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    Some(Harness::build(&verilator, &design, VERILATOR_MAIN.to_owned(), Optimize::Speed).unwrap_or_else(|e| panic!("{e}")))
}

/// [`show`] under Verilator.
fn show_verilated(harness: &Harness, picture: &Picture, mode: VideoMode, nearest: bool) -> Shown {
    let bytes = verilator_picture(
        picture.width as u32,
        picture.height as u32,
        picture.pixels.iter().map(|&p| rgb565::pack(p)),
    );
    let (input, output) = (harness.dir().join("picture.bin"), harness.dir().join("shown.bin"));
    std::fs::write(&input, bytes).unwrap();
    let clocks = clocks_to_run(&mode);
    let args = [
        input.to_str().unwrap(),
        if nearest { "1" } else { "0" },
        &clocks.to_string(),
        output.to_str().unwrap(),
        &period_ps(COMPUTE_HZ).to_string(),
        &period_ps(PIXEL_HZ).to_string(),
    ];
    harness.run(&args.each_ref().map(|s| &**s)).unwrap_or_else(|e| panic!("{e}"));
    let out = std::fs::read(&output).unwrap();
    let (late, records) = out.split_last().unwrap();
    let samples: Vec<Sample> = records
        .chunks_exact(4)
        .map(|c| Sample {
            de: c[0] & 1 == 1,
            hsync: c[0] & 2 == 2,
            vsync: c[0] & 4 == 4,
            rgb: [c[1], c[2], c[3]],
        })
        .collect();
    Shown {
        frames: frames_of(&samples, &mode),
        late: *late == 1,
    }
}

/// A picture as the camera delivers it: RGB565 expanded back to 8 bits.
fn as_camera(picture: &Picture) -> Picture {
    Picture {
        pixels: picture.pixels.iter().map(|&p| rgb565::as_camera(p)).collect(),
        ..picture.clone()
    }
}

/// A picture of smooth gradients and a little noise, every channel different.
fn scene(width: usize, height: usize, seed: u64) -> Picture {
    let mut dice = Xorshift::new(seed);
    let pixels = (0..width * height)
        .map(|k| {
            let (x, y) = (k % width, k / width);
            let noise = (dice.next() % 24) as usize;
            [
                ((x * 255 / width + noise) % 256) as u8,
                ((y * 255 / height + 2 * noise) % 256) as u8,
                (((x + y) * 127 / (width + height) + 3 * noise) % 256) as u8,
            ]
        })
        .collect();
    Picture { width, height, pixels }
}

/// Asserts the shown frames: the first black (no frame was taken yet), the second the
/// model's output or the nearest-neighbour upscale.
fn assert_shows(shown: &Shown, expected: &Picture) {
    assert!(!shown.late, "the engine was late");
    assert!(shown.frames[0].iter().all(|&p| p == [0; 3]), "the first frame is black");
    let got = &shown.frames[1];
    assert_eq!(got.len(), expected.pixels.len());
    let wrong: Vec<_> = (0..got.len()).filter(|&k| got[k] != expected.pixels[k]).collect();
    if let Some(&k) = wrong.first() {
        panic!(
            "{} of {} pixels differ; the first at ({}, {}): {:?}, the model says {:?}",
            wrong.len(),
            got.len(),
            k % expected.width,
            k / expected.width,
            got[k],
            expected.pixels[k]
        );
    }
}

/// A mode for small pictures: 64x64 active, blanking enough for the engine's line start.
fn small_mode(side: u32) -> VideoMode {
    VideoMode {
        name: "small",
        pixel_hz: PIXEL_HZ,
        h: Axis {
            active: side,
            front_porch: 4,
            sync: 8,
            back_porch: 4,
            sync_positive: false,
        },
        v: Axis {
            active: side,
            front_porch: 2,
            sync: 2,
            back_porch: 2,
            sync_positive: true,
        },
    }
}

/// `model` with new coefficients and biases drawn by `draw`, its accumulator widened
/// to hold any sum of them, as `FixedModel::quantise` sizes it.
fn with_weights(model: &FixedModel, seed: u64, draw: impl Fn(&mut Xorshift) -> (i32, i64)) -> FixedModel {
    let mut dice = Xorshift::new(seed);
    let mut m = model.clone();
    for (set, biases) in m.coefficients.iter_mut().zip(&mut m.biases) {
        for c in set.iter_mut() {
            *c = Coefficient::from_bits(draw(&mut dice).0);
        }
        for b in biases.iter_mut() {
            *b = draw(&mut dice).1;
        }
    }
    let per_output = m.folded.per_output();
    let worst = m
        .coefficients
        .iter()
        .zip(&m.biases)
        .flat_map(|(q, b)| {
            q.chunks(per_output)
                .zip(b)
                .map(|(qs, b)| qs.iter().map(|c| i64::from(c.to_bits().unsigned_abs()) * 255).sum::<i64>() + b.abs())
        })
        .max()
        .unwrap();
    m.accumulator_bits = 65 - worst.leading_zeros() + 1;
    m
}

/// Random weights of moderate size: outputs spread over the range, some clamped.
fn random_weights(model: &FixedModel) -> FixedModel {
    with_weights(model, 11, |d| {
        ((d.next() % 4096) as i32 - 2048, (d.next() % (1 << 24)) as i64 - (1 << 23))
    })
}

/// Weights at the corners of the multiplier: every coefficient -131072 or 131071 and
/// biases of up to 2^30, so sums reach 34 bits either way.
fn extreme_weights(model: &FixedModel) -> FixedModel {
    with_weights(model, 5, |d| {
        let c = if d.next() % 2 == 0 { -131_072 } else { 131_071 };
        (c, (d.next() % (1 << 31)) as i64 - (1 << 30))
    })
}

/// A 16x16 picture of one colour, or a checkerboard of black and white.
fn flat(level: u8) -> Picture {
    Picture {
        width: 16,
        height: 16,
        pixels: vec![[level; 3]; 256],
    }
}

fn checkerboard() -> Picture {
    Picture {
        width: 16,
        height: 16,
        pixels: (0..256)
            .map(|k| if (k % 16 + k / 16) % 2 == 0 { [255; 3] } else { [0; 3] })
            .collect(),
    }
}

/// The nearest-neighbour upscale of `picture` by `scale`.
fn nearest(picture: &Picture, scale: usize) -> Picture {
    let (width, height) = (picture.width * scale, picture.height * scale);
    Picture {
        width,
        height,
        pixels: (0..width * height)
            .map(|k| picture.pixels[(k / width / scale) * picture.width + (k % width) / scale])
            .collect(),
    }
}

#[test]
fn small_frames_of_extremes_equal_the_fixed_point_model_in_hdl_sim() {
    let x4 = model("student_x4.onnx");
    for picture in [flat(255), flat(0), checkerboard()] {
        assert_shows(&show(&x4, &picture, small_mode(64), false), &x4.run(&picture));
    }
}

#[test]
fn sums_at_the_multipliers_corners_equal_the_fixed_point_model_in_hdl_sim() {
    let extreme = extreme_weights(&model("student_x4.onnx"));
    assert!(extreme.accumulator_bits >= 34, "{} bits", extreme.accumulator_bits);
    for picture in [flat(255), checkerboard()] {
        let expected = extreme.run(&picture);
        assert!(expected.pixels.iter().any(|p| p[0] == 0) && expected.pixels.iter().any(|p| p[0] == 255));
        assert_shows(&show(&extreme, &picture, small_mode(64), false), &expected);
    }
}

#[test]
fn a_whole_vga_frame_equals_the_fixed_point_model_and_nearest_shows_the_upscale() {
    let x4 = model("student_x4.onnx");
    let Some(harness) = verilator_top(&x4, (160, 120), VGA_640X480_60) else {
        return;
    };
    let picture = as_camera(&scene(160, 120, 3));
    assert_shows(&show_verilated(&harness, &picture, VGA_640X480_60, false), &x4.run(&picture));
    assert_shows(&show_verilated(&harness, &picture, VGA_640X480_60, true), &nearest(&picture, 4));
}

#[test]
fn a_whole_vga_frame_of_random_weights_equals_the_fixed_point_model() {
    let random = random_weights(&model("student_x4.onnx"));
    let Some(harness) = verilator_top(&random, (160, 120), VGA_640X480_60) else {
        return;
    };
    let picture = as_camera(&scene(160, 120, 9));
    let expected = random.run(&picture);
    let levels: std::collections::BTreeSet<u8> = expected.pixels.iter().map(|p| p[1]).collect();
    assert!(levels.len() > 100, "the outputs spread over the range: {} levels", levels.len());
    assert_shows(&show_verilated(&harness, &picture, VGA_640X480_60, false), &expected);
}

#[test]
fn a_whole_vga_frame_of_the_two_times_model_equals_the_fixed_point_model() {
    let x2 = model("student_x2.onnx");
    let Some(harness) = verilator_top(&x2, (320, 240), VGA_640X480_60) else {
        return;
    };
    let picture = as_camera(&scene(320, 240, 4));
    assert_shows(&show_verilated(&harness, &picture, VGA_640X480_60, false), &x2.run(&picture));
}

#[test]
fn a_whole_vga_frame_of_a_model_with_a_smaller_window_equals_the_fixed_point_model() {
    let kernel5 = model("kernel5_x4.onnx");
    assert_eq!(
        kernel5.folded.window,
        (4, 4),
        "a 3x3 upsampling and a 5x5 high-resolution convolution see 4x4 pixels"
    );
    let Some(harness) = verilator_top(&kernel5, (160, 120), VGA_640X480_60) else {
        return;
    };
    let picture = as_camera(&scene(160, 120, 6));
    assert_shows(&show_verilated(&harness, &picture, VGA_640X480_60, false), &kernel5.run(&picture));
}
