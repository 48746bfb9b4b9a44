//! The engine's sizing for the shipped models: lanes, products per lane, multipliers and
//! block RAMs worked out here by hand from the line time, and every refusal word for word.

use std::path::Path;

use hdl_cores::video_timing::{VideoMode, SVGA_800X600_60, VGA_640X480_60};
use hdl_designs::sr_engine::{plan, BlockRams, EngineError, EngineRequest, MAX_COMPUTE_HZ};
use hdl_designs::ulx3s_sr::COMPUTE_HZ;
use hdl_devices::Device;
use sr_compiler::FixedModel;

fn model(name: &str) -> FixedModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models").join(name);
    sr_compiler::compile(&path).unwrap_or_else(|e| panic!("{e}")).fixed
}

fn request(model: &FixedModel, input: (u32, u32), mode: VideoMode, device: Device, compute_hz: u64) -> EngineRequest<'_> {
    EngineRequest {
        model,
        input,
        mode,
        pixel_hz: 25_000_000,
        device,
        compute_hz,
    }
}

fn refusal(r: &EngineRequest) -> String {
    plan(r).expect_err("refused").to_string()
}

#[test]
fn the_default_model_at_five_times_the_pixel_clock() {
    let x4 = model("student_x4.onnx");
    let p = plan(&request(&x4, (160, 120), VGA_640X480_60, Device::Lfe5u85f, 125_000_000)).unwrap();
    // 800 pixel clocks a line at 5 compute cycles each: 4000; the first window takes 6
    // columns, 5 cycles of the row store and one more: 12; (4000 - 12) / 640 = 6 products.
    assert_eq!((p.cycles_per_line, p.cycles_needed, p.products), (4000, 3852, 6));
    // 3 input channels x 6 x 6 taps, 6 a lane: 18 lanes a channel, 54 in all.
    assert_eq!((p.taps, p.lanes_per_output, p.multipliers), (108, 18, 54));
    // 196 sets x 6 products = 1176 words: two blocks a lane; 196 28-bit biases: two
    // 18-bit blocks a channel; 8 rows of 160 RGB565 pixels
    // a block each; 4 lines of 640 RGB888 pixels in five 512x36 blocks.
    assert_eq!(p.sets, 196);
    assert_eq!(
        p.block_rams,
        BlockRams {
            coefficients: 108,
            biases: 6,
            row_store: 8,
            ring: 5
        }
    );
    // 25 MHz x 640 x 480 / (800 x 525) active pixels a second, 324 MACs each.
    assert!((p.macs_per_second - 25e6 * 307_200.0 / 420_000.0 * 324.0).abs() < 1.0);
}

#[test]
fn the_default_model_at_the_boards_compute_clock() {
    let x4 = model("student_x4.onnx");
    let p = plan(&request(&x4, (160, 120), VGA_640X480_60, Device::Lfe5u85f, COMPUTE_HZ)).unwrap();
    // 800 pixel clocks of 40 ns at 9.6 ns: 3333 cycles; (3333 - 12) / 640 = 5 products.
    assert_eq!((p.cycles_per_line, p.cycles_needed, p.products), (3333, 3212, 5));
    // 108 taps, 5 a lane: 22 lanes a channel, 66 in all: 18 above the bound of 48, 12
    // under the bar of 78.
    assert_eq!((p.taps, p.lanes_per_output, p.multipliers), (108, 22, 66));
    // 196 sets x 5 products = 980 words: one block a lane.
    assert_eq!(
        p.block_rams,
        BlockRams {
            coefficients: 66,
            biases: 6,
            row_store: 8,
            ring: 5
        }
    );
}

#[test]
fn the_two_times_model_sizes_itself_from_its_own_window() {
    let x2 = model("student_x2.onnx");
    let p = plan(&request(&x2, (320, 240), VGA_640X480_60, Device::Lfe5u85f, 125_000_000)).unwrap();
    let (rows, columns) = x2.folded.window;
    let taps = (3 * rows * columns) as u32;
    let overhead = columns as u64 + 6;
    let products = ((4000 - overhead) / 640).min(u64::from(taps)) as u32;
    assert_eq!((p.taps, p.products), (taps, products));
    assert_eq!(p.lanes_per_output, taps.div_ceil(products));
    assert_eq!(p.multipliers, 3 * taps.div_ceil(products));
    // Its 8x8 window at 6 products: 32 lanes a channel; 144 sets x 6 = 864 words, one
    // block a lane. Its window's top moves by up to a row a line, so the row store keeps
    // 8 + 1 rows, rounded up to 16, of 320 pixels a block each.
    assert_eq!((taps, products, p.multipliers, p.sets), (192, 6, 96, 144));
    assert_eq!(p.store_rows, 16);
    assert_eq!(p.block_rams.total(), 96 + 6 + 16 + 5);
}

#[test]
fn what_does_not_fit_or_cannot_be_clocked_is_refused_with_what_is_short() {
    let x4 = model("student_x4.onnx");
    let vga = |device, hz| request(&x4, (160, 120), VGA_640X480_60, device, hz);
    // At 40 MHz a line is 1280 cycles: two a pixel, less the line's start. The 4x
    // window moves by at most a column a pixel, so two cycles a pixel it is:
    // (2 x 640 + 12) cycles a line.
    assert_eq!(
        refusal(&vga(Device::Lfe5u85f, 40_000_000)),
        "a 40.00 MHz compute clock cannot serve this mode: the engine needs at least 40.38 MHz (two cycles \
         an output pixel, or the columns its window moves by if more, a column a cycle, over the line time, and a frame's \
         first rows loaded in a line) and closes timing up to 138.00 MHz"
    );
    assert!(matches!(
        plan(&vga(Device::Lfe5u85f, MAX_COMPUTE_HZ + 1)),
        Err(EngineError::ComputeClock { min_hz: 40_375_000, .. })
    ));
    // At 4x the pixel clock, 4 products a lane: 27 lanes a channel, over the 45F's 72.
    let at_100 = plan(&vga(Device::Lfe5u85f, 100_000_000)).unwrap();
    assert_eq!((at_100.products, at_100.multipliers), (4, 81));
    // 196 sets x 4 = 784 words: one block a lane.
    assert_eq!(at_100.block_rams.total(), 81 + 6 + 8 + 5);
    assert_eq!(
        refusal(&vga(Device::Lfe5u45f, 100_000_000)),
        "the engine needs 81 MULT18X18D, the LFE5U-45F has 72: 9 short; a faster compute clock needs fewer"
    );
    assert_eq!(
        refusal(&vga(Device::Lfe5u25f, 125_000_000)),
        "the engine needs 54 MULT18X18D, the LFE5U-25F has 28: 26 short; a faster compute clock needs fewer"
    );
    assert_eq!(
        refusal(&vga(Device::Lfe5u45f, 125_000_000)),
        "the engine needs 127 DP16KD (108 for coefficients, 6 for biases, 8 for the row store, 5 for the output \
         lines), the LFE5U-45F has 108: 19 short"
    );
    assert_eq!(
        refusal(&request(&x4, (160, 120), SVGA_800X600_60, Device::Lfe5u85f, 125_000_000)),
        "a 160x120 input at 4x gives 640x480, but 800x600@60 shows 800x600: use a 200x150 input"
    );
    assert_eq!(
        refusal(&request(&x4, (12, 12), VGA_640X480_60, Device::Lfe5u85f, 125_000_000)),
        "a 12x12 input is smaller than the model's 14x14 minimum (its border classes would overlap)"
    );
    let mut short = VGA_640X480_60;
    short.v.front_porch = 1;
    short.v.sync = 1;
    short.v.back_porch = 0;
    assert_eq!(
        refusal(&request(&x4, (160, 120), short, Device::Lfe5u85f, 125_000_000)),
        "640x480@60 has 2 blank lines a frame, the engine needs at least 3: it loads a frame's first rows and \
         computes its first two lines during them"
    );
    let mut grey = x4.clone();
    grey.folded.inputs = 1;
    assert_eq!(
        refusal(&request(&grey, (160, 120), VGA_640X480_60, Device::Lfe5u85f, 125_000_000)),
        "the engine takes an RGB camera picture to an RGB display: the model must have 3 input and 3 output \
         channels, not 1 and 3"
    );
}
