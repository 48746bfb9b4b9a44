//! The super-resolution engine's sizing: from a compiled model, the input size, the
//! output mode, the device and the compute clock, how many multiply-accumulate lanes it
//! takes and how many products each lane computes per output pixel — or why the device
//! cannot hold or clock it, with what is short and by how much.
//!
//! The engine computes each output line over the whole line time (the blanking included)
//! into a ring of line buffers that the pixel clock reads out. Each output pixel gets
//! `products` compute cycles; in them a lane of each output channel's MAC array
//! multiplies `products` taps of the low-resolution window, so `taps / products` lanes
//! (rounded up) cover a channel. The window is a shift register of columns: a line
//! starts by reading its first window from the row store, a column a cycle, and each
//! output pixel shifts in the columns its window moved by (at 4x, one every fourth
//! pixel), which must fit in its cycles.

use std::fmt;

pub mod bench_top;
mod hardware;
pub mod testbench;

pub use hardware::{engine, read_frame_buffer, EnginePorts, EngineSignature, PIXEL_LATENCY};

use hdl_cores::block_ram::{BLOCK_WIDTH, BLOCK_WORDS};
use hdl_cores::frame_buffer::FRAME_BUFFER_LATENCY;
use hdl_cores::line_buffer::{RowStore, ROW_STORE_LATENCY};
use hdl_cores::mac_array::MacArrayError;
use hdl_cores::video_timing::VideoMode;
use hdl_devices::Device;
use sr_compiler::FixedModel;

/// The fastest compute clock the engine is offered at: the best the registered
/// multiplier datapath reached on the 85F after routing (`../shared` hardware facts:
/// 138 MHz with two registers after each DSP and one after each accumulator).
pub const MAX_COMPUTE_HZ: u64 = 138_000_000;

/// Output lines in the ring between the compute and the pixel clock.
pub const RING_LINES: u32 = 4;

/// Bits of a stored low-resolution pixel: RGB565, as the frame buffer holds it.
const PIXEL_BITS: u32 = 16;

/// The row store of an `input` picture read `window_rows` rows at a time, keeping
/// `store_rows`.
fn row_store_for(input: (u32, u32), window_rows: u32, store_rows: u32) -> RowStore {
    RowStore {
        width: input.0,
        height: input.1,
        pixel_bits: PIXEL_BITS,
        ports: window_rows,
        rows: store_rows,
    }
}

/// Lines ahead of its display at which an output line is asked for: it is computed
/// during the line before it is shown.
pub const LINE_LEAD: u32 = 2;

/// Lines before a frame's first active line at which the frame is asked for: its first
/// rows are loaded in the line before its first line is asked for.
pub const FRAME_LEAD: u32 = LINE_LEAD + 1;

/// What the engine is asked to do.
#[derive(Clone, Copy, Debug)]
pub struct EngineRequest<'a> {
    /// The compiled model's fixed-point arithmetic.
    pub model: &'a FixedModel,
    /// The low-resolution input: width, height.
    pub input: (u32, u32),
    /// The output mode.
    pub mode: VideoMode,
    /// The pixel clock the board really runs (25 MHz for the nominal 25.175 of VGA).
    pub pixel_hz: u64,
    /// The part.
    pub device: Device,
    /// The compute clock.
    pub compute_hz: u64,
}

/// How the engine is built for a request.
#[derive(Clone, Debug, PartialEq)]
pub struct EnginePlan {
    /// Compute cycles per output pixel, and products per lane per output pixel.
    pub products: u32,
    /// Lanes per output channel.
    pub lanes_per_output: u32,
    /// `MULT18X18D` in all.
    pub multipliers: u32,
    /// Taps per output channel: input channels times the window.
    pub taps: u32,
    /// Coefficient sets (interior phases and border classes).
    pub sets: u32,
    /// Compute cycles in one output line time.
    pub cycles_per_line: u64,
    /// Compute cycles one output line takes.
    pub cycles_needed: u64,
    /// Low-resolution rows the row store keeps: the window's rows and those loaded for
    /// the next line while a line is computed, rounded up to a power of two.
    pub store_rows: u32,
    /// `DP16KD` blocks: coefficient and bias ROMs, the row store, the output ring.
    pub block_rams: BlockRams,
    /// Multiply-accumulates per second the mode needs over its active pixels.
    pub macs_per_second: f64,
}

/// Where the engine's block RAMs go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRams {
    /// The coefficient ROMs: one per lane per 1024 words.
    pub coefficients: u32,
    /// The bias ROMs: per output channel, one per 1024 sets per 18 bits of the sum.
    pub biases: u32,
    /// The low-resolution rows.
    pub row_store: u32,
    /// The output lines.
    pub ring: u32,
}

impl BlockRams {
    /// All of them.
    pub fn total(&self) -> u32 {
        self.coefficients + self.biases + self.row_store + self.ring
    }
}

/// Why the engine cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineError {
    /// The model does not map RGB to RGB.
    Channels {
        /// Its input channels.
        inputs: usize,
        /// Its output channels.
        outputs: usize,
    },
    /// The input is smaller than the model's border classes need.
    InputTooSmall {
        /// The input asked for.
        input: (u32, u32),
        /// The model's minimum side.
        min: u32,
    },
    /// The input, upscaled, is not the mode's picture.
    OutputSize {
        /// The input.
        input: (u32, u32),
        /// The model's scale.
        scale: u32,
        /// The mode.
        mode: &'static str,
        /// Its active picture.
        active: (u32, u32),
    },
    /// The mode's vertical blanking is shorter than the lines the engine asks ahead:
    /// the frame's first rows are loaded, and its first two lines computed, during it.
    VerticalBlanking {
        /// The mode.
        mode: &'static str,
        /// Its blank lines.
        blanking: u32,
    },
    /// The compute clock gives too few cycles per output pixel, or is faster than the
    /// engine closes timing at.
    ComputeClock {
        /// The clock asked for.
        compute_hz: u64,
        /// The slowest that works.
        min_hz: u64,
        /// The fastest offered.
        max_hz: u64,
    },
    /// The device has too few multipliers.
    Multipliers {
        /// The part.
        device: Device,
        /// Needed.
        needed: u32,
        /// The part's.
        available: u32,
    },
    /// The model's arithmetic does not fit the MAC arrays.
    MacArray(MacArrayError),
    /// The device has too few block RAMs.
    BlockRams {
        /// The part.
        device: Device,
        /// Needed, by use.
        needed: BlockRams,
        /// The part's.
        available: u32,
    },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mhz = |hz: u64| hz as f64 / 1e6;
        match self {
            EngineError::Channels { inputs, outputs } => write!(
                f,
                "the engine takes an RGB camera picture to an RGB display: the model must have 3 input and 3 output \
                 channels, not {inputs} and {outputs}"
            ),
            EngineError::InputTooSmall { input, min } => write!(
                f,
                "a {}x{} input is smaller than the model's {min}x{min} minimum (its border classes would overlap)",
                input.0, input.1
            ),
            EngineError::OutputSize {
                input,
                scale,
                mode,
                active,
            } => write!(
                f,
                "a {}x{} input at {scale}x gives {}x{}, but {mode} shows {}x{}: use a {}x{} input",
                input.0,
                input.1,
                input.0 * scale,
                input.1 * scale,
                active.0,
                active.1,
                active.0 / scale,
                active.1 / scale
            ),
            EngineError::VerticalBlanking { mode, blanking } => write!(
                f,
                "{mode} has {blanking} blank lines a frame, the engine needs at least {FRAME_LEAD}: it loads a frame's \
                 first rows and computes its first two lines during them"
            ),
            EngineError::ComputeClock {
                compute_hz,
                min_hz,
                max_hz,
            } => write!(
                f,
                "a {:.2} MHz compute clock cannot serve this mode: the engine needs at least {:.2} MHz (two cycles \
                 an output pixel, or the columns its window moves by if more, a column a cycle, over the line time, and a frame's first \
                 rows loaded in a line) and closes timing up to {:.2} MHz",
                mhz(*compute_hz),
                mhz(*min_hz),
                mhz(*max_hz)
            ),
            EngineError::Multipliers { device, needed, available } => write!(
                f,
                "the engine needs {needed} MULT18X18D, the {} has {available}: {} short; a faster compute clock needs fewer",
                device.name(),
                needed - available
            ),
            EngineError::MacArray(e) => write!(f, "the model's arithmetic does not fit the engine's MAC arrays: {e}"),
            EngineError::BlockRams { device, needed, available } => write!(
                f,
                "the engine needs {} DP16KD ({} for coefficients, {} for biases, {} for the row store, {} for the output \
                 lines), the {} has {available}: {} short",
                needed.total(),
                needed.coefficients,
                needed.biases,
                needed.row_store,
                needed.ring,
                device.name(),
                needed.total() - available
            ),
        }
    }
}

impl std::error::Error for EngineError {}

/// Cycles a line costs beyond its pixels: the first pixel's window is read before it is
/// computed.
fn line_overhead(window_columns: u32) -> u64 {
    u64::from(window_columns + ROW_STORE_LATENCY + 1)
}

/// Compute cycles an output pixel needs at least: the engine's walkers read their tables
/// a step ahead, in the cycle after a step.
const MIN_CYCLES_PER_PIXEL: u32 = 2;

/// For each output pixel `x` of a line of `width`, the window columns it shifts in: its
/// window's step from the pixel before, or the whole window for the line's first pixel
/// and where it steps back or further than its width.
fn columns_moved(folded: &sr_compiler::FoldedModel, width: usize) -> Vec<u32> {
    let columns = folded.window.1 as isize;
    let left = |x: usize| folded.axis_locate(x, width).1;
    (0..width)
        .map(|x| match x.checked_sub(1).map(|before| left(x) - left(before)) {
            Some(step @ 0..=isize::MAX) if step <= columns => step as u32,
            _ => columns as u32,
        })
        .collect()
}

/// The cycles one output pixel needs, over a line of `width` output pixels: the most
/// window columns a pixel after the first shifts in ([`columns_moved`]; the first pixel's
/// window is read before the line starts), at least [`MIN_CYCLES_PER_PIXEL`].
fn column_reads_per_pixel(folded: &sr_compiler::FoldedModel, width: usize) -> u32 {
    let moved = columns_moved(folded, width);
    let most = moved.iter().skip(1).copied().max().unwrap_or(folded.window.1 as u32);
    most.max(MIN_CYCLES_PER_PIXEL)
}

/// The most the window's first row moves by from one output line to the next, over
/// `height` lines: the rows the loader fetches for the next line while one is computed.
fn row_step(folded: &sr_compiler::FoldedModel, height: usize) -> u32 {
    let top = |y: usize| folded.locate(y, 0, height, height).1;
    (1..height).map(|y| (top(y) - top(y - 1)).max(0)).max().unwrap_or(0) as u32
}

/// Blocks for `words` words of `bits` bits, as yosys maps a memory to `DP16KD`: whole
/// blocks of the widest configuration that holds the depth.
fn blocks(words: u32, bits: u32) -> u32 {
    // Depth x width configurations of a DP16KD: 512x36 (as a pair of ports), 1024x18,
    // 2048x9, 4096x4, 8192x2, 16384x1.
    [(512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1)]
        .iter()
        .map(|&(depth, width): &(u32, u32)| words.div_ceil(depth) * bits.div_ceil(width))
        .min()
        .unwrap_or(0)
}

/// Sizes the engine for `request`.
pub fn plan(request: &EngineRequest) -> Result<EnginePlan, EngineError> {
    let model = request.model;
    let folded = &model.folded;
    if folded.inputs != 3 || folded.outputs != 3 {
        return Err(EngineError::Channels {
            inputs: folded.inputs,
            outputs: folded.outputs,
        });
    }
    let (w, h) = request.input;
    let min = folded.min_input as u32;
    if w < min || h < min {
        return Err(EngineError::InputTooSmall { input: request.input, min });
    }
    let scale = folded.scale as u32;
    let mode = request.mode;
    let active = (mode.h.active, mode.v.active);
    if (w * scale, h * scale) != active {
        return Err(EngineError::OutputSize {
            input: request.input,
            scale,
            mode: mode.name,
            active,
        });
    }

    let blanking = mode.v.total() - mode.v.active;
    if blanking < FRAME_LEAD {
        return Err(EngineError::VerticalBlanking { mode: mode.name, blanking });
    }

    // Cycles: a line's worth of compute clock, less the line's start, spread over its
    // active pixels.
    let line_total = u64::from(mode.h.total());
    let cycles_per_line = request.compute_hz as u128 * line_total as u128 / request.pixel_hz as u128;
    let cycles_per_line = cycles_per_line as u64;
    let columns = folded.window.1 as u32;
    let overhead = line_overhead(columns);
    let taps = (folded.inputs * folded.window.0 * folded.window.1) as u32;
    let products = (cycles_per_line.saturating_sub(overhead) / u64::from(active.0)).min(u64::from(taps)) as u32;
    let reads = column_reads_per_pixel(folded, active.0 as usize);
    // A frame's first window rows are loaded, a pixel a cycle, in the `FRAME_LEAD -
    // LINE_LEAD` line before its first line is asked for.
    let load = u64::from(folded.window.0 as u32 * w + FRAME_BUFFER_LATENCY + 1);
    let min_cycles = (u64::from(reads) * u64::from(active.0) + overhead).max(load);
    let min_hz = (min_cycles as u128 * request.pixel_hz as u128).div_ceil(line_total as u128) as u64;
    if products < reads || cycles_per_line < load || request.compute_hz > MAX_COMPUTE_HZ {
        return Err(EngineError::ComputeClock {
            compute_hz: request.compute_hz,
            min_hz,
            max_hz: MAX_COMPUTE_HZ,
        });
    }
    let lanes_per_output = taps.div_ceil(products);
    let multipliers = lanes_per_output * folded.outputs as u32;
    let available = request.device.resources();
    if multipliers > available.multipliers {
        return Err(EngineError::Multipliers {
            device: request.device,
            needed: multipliers,
            available: available.multipliers,
        });
    }
    let sets = model.coefficients.len() as u32;
    let store_rows = (folded.window.0 as u32 + row_step(folded, active.1 as usize)).next_power_of_two();
    let block_rams = BlockRams {
        coefficients: multipliers * (sets * products).div_ceil(BLOCK_WORDS),
        biases: folded.outputs as u32 * sets.div_ceil(BLOCK_WORDS) * model.accumulator_bits.div_ceil(BLOCK_WIDTH),
        row_store: row_store_for(request.input, folded.window.0 as u32, store_rows).block_rams(),
        ring: blocks(RING_LINES * active.0, 24),
    };
    if block_rams.total() > available.block_rams {
        return Err(EngineError::BlockRams {
            device: request.device,
            needed: block_rams,
            available: available.block_rams,
        });
    }
    let active_per_second = request.pixel_hz as f64 * f64::from(active.0 * active.1) / (line_total * u64::from(mode.v.total())) as f64;
    Ok(EnginePlan {
        products,
        lanes_per_output,
        multipliers,
        taps,
        sets,
        cycles_per_line,
        cycles_needed: u64::from(products) * u64::from(active.0) + overhead,
        store_rows,
        block_rams,
        macs_per_second: active_per_second * folded.macs_per_pixel() as f64,
    })
}
