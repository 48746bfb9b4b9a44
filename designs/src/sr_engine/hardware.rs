//! The engine's hardware, as [`super::plan`] sizes it.
//!
//! Two clock domains: `sync`, the compute clock (ports `compute_clk`, `compute_rst`),
//! and `pixel` (ports `pixel_clk`, `pixel_rst`).
//!
//! - **Pixel side.** A timing generator for the output mode. Each output line `n` is
//!   asked for two lines before it is shown, and the frame one line before its line 0:
//!   each request flips a level that crosses to the compute clock through a
//!   synchronizer. Each active pixel is read from a ring of [`super::RING_LINES`]
//!   output lines (a block RAM written on the compute clock), two pixel clocks behind
//!   the timing, which is delayed to match.
//! - **Row loader.** A frame request takes the newest frame from the frame buffer's read
//!   port; the loader copies its rows, in order, into a row store of
//!   [`super::EnginePlan::store_rows`] rows, each row before the first line whose
//!   window needs it and after the last line that reads the row it replaces.
//! - **Sequencer.** A line request computes one output line in `columns +
//!   ROW_STORE_LATENCY + 1 + width * products` cycles. The window is a register of `columns` columns of the
//!   low-resolution rows; a staging copy is filled a column a cycle from the row store
//!   (the whole window before the line's first pixel, then the columns each pixel's
//!   window moved by, during the pixel before it), and copied into the window as each
//!   pixel starts. In each of a pixel's `products` cycles every lane of the three MAC
//!   arrays (one per output channel, sharing their operands) multiplies one tap of the
//!   window by the coefficient of the pixel's set (its row class and column class).
//! - **Output.** Each MAC array's requantised output, or in `nearest` mode the window's
//!   pixel under the output pixel, is written into the ring in order.
//!
//! A request that finds the previous line still being computed, or its rows not yet
//! loaded, sets the sticky `late` flag: the engine did not keep up.

use hdl_cores::block_ram::BLOCK_WIDTH;
use hdl_cores::block_rom::{block_rom, RomSignature, ROM_LATENCY};
use hdl_cores::cdc::synchronizer;
use hdl_cores::frame_buffer::{FrameBufferPorts, FRAME_BUFFER_LATENCY};
use hdl_cores::line_buffer::{row_store, ROW_STORE_LATENCY};
use hdl_cores::mac_array::{mac_array, MacArray, MacArraySignature, Requantise};
use hdl_cores::video_timing::{timing_generator, Timing, TimingSignature, VideoMode};
use hdl_dsl::{
    address_width, cat, constant, mux, signed, unsigned, Builder, Component, Interface, Module, ResetKind, Shape, Signature, Statement,
    Value,
};
use sr_compiler::FoldedModel;

use super::{columns_moved, plan, row_store_for, EngineError, EnginePlan, EngineRequest, FRAME_LEAD, LINE_LEAD, PIXEL_BITS, RING_LINES};

/// Bits of a tap: an 8-bit level.
const LEVEL_BITS: u32 = 8;

/// Pixel clocks from the timing generator's position to the engine's outputs.
pub const PIXEL_LATENCY: u32 = 2;

/// The engine's ports.
#[derive(Clone, Debug)]
pub struct EnginePorts {
    /// The compute clock.
    pub compute_clk: Value,
    /// Its synchronous reset.
    pub compute_rst: Value,
    /// The pixel clock.
    pub pixel_clk: Value,
    /// Its synchronous reset.
    pub pixel_rst: Value,
    /// To the frame buffer, on the compute clock: take the newest frame.
    pub fb_take: Value,
    /// From the frame buffer: a frame has been taken.
    pub fb_taken: Value,
    /// To the frame buffer: the pixel to read, `y * width + x`.
    pub fb_raddr: Value,
    /// From the frame buffer: the RGB565 pixel at the address of
    /// [`FRAME_BUFFER_LATENCY`] cycles before.
    pub fb_rdata: Value,
    /// Show the nearest-neighbour upscale instead of the model's (any clock: a switch).
    pub nearest: Value,
    /// On the compute clock, sticky: a line was asked for before the engine was ready.
    pub late: Value,
    /// On the pixel clock: the output pixel, black outside the active area.
    pub r: Value,
    /// Green.
    pub g: Value,
    /// Blue.
    pub b: Value,
    /// Horizontal sync, at the mode's polarity, aligned with the pixel.
    pub hsync: Value,
    /// Vertical sync.
    pub vsync: Value,
    /// Data enable: high on active pixels.
    pub de: Value,
}

/// The signature of [`EnginePorts`].
#[derive(Clone, Copy, Debug)]
pub struct EngineSignature {
    input_pixels: u32,
}

impl Signature for EngineSignature {
    type Interface = EnginePorts;

    fn build(&self, b: &mut Builder) -> EnginePorts {
        EnginePorts {
            compute_clk: b.input("compute_clk", unsigned(1)),
            compute_rst: b.input("compute_rst", unsigned(1)),
            pixel_clk: b.input("pixel_clk", unsigned(1)),
            pixel_rst: b.input("pixel_rst", unsigned(1)),
            fb_take: b.output("fb_take", unsigned(1)),
            fb_taken: b.input("fb_taken", unsigned(1)),
            fb_raddr: b.output("fb_raddr", unsigned(address_width(self.input_pixels))),
            fb_rdata: b.input("fb_rdata", unsigned(PIXEL_BITS)),
            nearest: b.input("nearest", unsigned(1)),
            late: b.output("late", unsigned(1)),
            r: b.output("r", unsigned(8)),
            g: b.output("g", unsigned(8)),
            b: b.output("b", unsigned(8)),
            hsync: b.output("hsync", unsigned(1)),
            vsync: b.output("vsync", unsigned(1)),
            de: b.output("de", unsigned(1)),
        }
    }
}

/// Wires `engine`'s frame-buffer port to `fb`'s read side (both children of `m`; the
/// frame buffer's `read` domain must be the engine's compute clock).
pub fn read_frame_buffer(m: &mut Module, engine: &EnginePorts, fb: &FrameBufferPorts) {
    m.comb([
        engine.fb_taken.eq(&fb.taken),
        engine.fb_rdata.eq(&fb.rdata),
        fb.take.eq(&engine.fb_take),
        fb.raddr.eq(&engine.fb_raddr),
    ]);
}

/// Sizes the engine for `request` (see [`plan`]) and builds it.
pub fn engine(request: &EngineRequest) -> Result<(EnginePlan, Component<EngineSignature>), EngineError> {
    let plan = plan(request)?;
    let geometry = Geometry::new(request, &plan);
    let configs: Vec<MacArray> = (0..3).map(|o| geometry.mac_config(o)).collect();
    let latency = configs[0].latency();
    let macs = configs
        .iter()
        .map(|c| mac_array(c).map_err(EngineError::MacArray))
        .collect::<Result<Vec<_>, _>>()?;
    let biases = (0..3).map(|o| geometry.bias_roms(o)).collect::<Vec<_>>();
    let signature = EngineSignature {
        input_pixels: request.input.0 * request.input.1,
    };
    let component = Component::build("sr_engine", signature, move |m, p| {
        m.domain("sync", &p.compute_clk, ResetKind::Sync, Some(&p.compute_rst));
        m.domain("pixel", &p.pixel_clk, ResetKind::Sync, Some(&p.pixel_rst));
        let requests = pixel_side_requests(m, &geometry, p);
        let control = line_control(m, &geometry, p, &requests);
        let word = sequencer(m, &geometry, &control);
        let pixels = compute(m, &geometry, p, &word, Arithmetic { macs, biases, latency });
        output_ring(m, &geometry, p, &requests, &control.frame, pixels);
    });
    Ok((plan, component))
}

/// The arithmetic's parts, built before the engine: the MAC arrays, each output
/// channel's bias ROMs (18-bit slices, low first), and the arrays' latency.
struct Arithmetic {
    macs: Vec<Component<MacArraySignature>>,
    biases: Vec<Vec<Component<RomSignature>>>,
    latency: u32,
}

/// What the hardware is built from: the model's geometry and the plan's numbers.
#[derive(Clone, Debug)]
struct Geometry {
    folded: FoldedModel,
    coefficients: Vec<Vec<i32>>,
    biases: Vec<Vec<i64>>,
    accumulator_bits: u32,
    requantise: Requantise,
    mode: VideoMode,
    /// Input width and height.
    input: (u32, u32),
    /// Output width and height.
    output: (u32, u32),
    products: u32,
    lanes: u32,
    store_rows: u32,
}

impl Geometry {
    fn new(request: &EngineRequest, plan: &EnginePlan) -> Geometry {
        let model = request.model;
        Geometry {
            folded: model.folded.clone(),
            coefficients: model
                .coefficients
                .iter()
                .map(|set| set.iter().map(|c| c.to_bits()).collect())
                .collect(),
            biases: model.biases.clone(),
            accumulator_bits: model.accumulator_bits,
            requantise: Requantise {
                shift: model.fraction_bits,
                clamp: model.clamp,
            },
            mode: request.mode,
            input: request.input,
            output: (request.mode.h.active, request.mode.v.active),
            products: plan.products,
            lanes: plan.lanes_per_output,
            store_rows: plan.store_rows,
        }
    }

    fn rows(&self) -> u32 {
        self.folded.window.0 as u32
    }

    fn columns(&self) -> u32 {
        self.folded.window.1 as u32
    }

    fn classes(&self) -> u32 {
        self.folded.offsets.len() as u32
    }

    fn sets(&self) -> u32 {
        self.classes() * self.classes()
    }

    fn taps(&self) -> u32 {
        self.folded.per_output() as u32
    }

    /// The MAC array of output channel `o`: lane `l`'s word `set * products + j` is the
    /// coefficient of tap `l * products + j` of that set (zero past the last tap).
    fn mac_config(&self, o: usize) -> MacArray {
        let (p, taps) = (self.products, self.taps());
        let per = self.folded.per_output();
        let coefficients = (0..self.lanes)
            .map(|l| {
                (0..self.sets() * p)
                    .map(|a| {
                        let (set, tap) = ((a / p) as usize, l * p + a % p);
                        if tap < taps {
                            self.coefficients[set][o * per + tap as usize]
                        } else {
                            0
                        }
                    })
                    .collect()
            })
            .collect();
        MacArray {
            lanes: self.lanes,
            products: p,
            operand: unsigned(LEVEL_BITS),
            coefficients,
            accumulator_bits: self.accumulator_bits,
            requantise: self.requantise,
        }
    }

    /// Output channel `o`'s bias per set, `accumulator_bits` of two's complement, in
    /// ROMs of up to 18 bits each, the low bits first.
    fn bias_roms(&self, o: usize) -> Vec<Component<RomSignature>> {
        let bits = self.accumulator_bits;
        (0..bits.div_ceil(BLOCK_WIDTH))
            .map(|k| {
                let low = k * BLOCK_WIDTH;
                let width = (bits - low).min(BLOCK_WIDTH);
                let words: Vec<u32> = self
                    .biases
                    .iter()
                    .map(|b| ((b[o] as u64 >> low) & ((1 << width) - 1)) as u32)
                    .collect();
                block_rom(width, &words).expect("every word is masked to the width, which is 1 to 18 bits")
            })
            .collect()
    }
}

/// Entries a table's first level selects among: larger constant tables become block RAM
/// in yosys (`memory_bmux2rom`), whose clock-to-out without its output register is too
/// slow for the paths these tables are on.
const TABLE_CHUNK: usize = 16;

/// `values[index]`, each a constant of `shape`: a table in logic, in chunks of
/// [`TABLE_CHUNK`] entries selected by the index's low bits, then a choice among the
/// chunks.
fn lookup(values: impl IntoIterator<Item = i128>, shape: Shape, index: &Value) -> Value {
    let words: Vec<Value> = values.into_iter().map(|v| constant(v, shape)).collect();
    let low = TABLE_CHUNK.trailing_zeros();
    let word = if words.len() <= TABLE_CHUNK || index.width() <= low {
        cat(words).word_select(index, shape.width)
    } else {
        let chunks: Vec<Value> = words
            .chunks(TABLE_CHUNK)
            .map(|chunk| cat(chunk.to_vec()).word_select(index.slice(0..low), shape.width))
            .collect();
        cat(chunks).word_select(index.slice(low..index.width()), shape.width)
    };
    if shape.signed {
        word.as_signed()
    } else {
        word
    }
}

/// `value` converted to `shape`: extended by its own signedness or truncated.
fn resized(value: &Value, shape: Shape) -> Value {
    let v = if value.width() < shape.width {
        value.ext(shape.width)
    } else {
        value.trunc(shape.width)
    };
    if shape.signed {
        v.as_signed()
    } else {
        v.as_unsigned()
    }
}

/// A walk along one axis of the output, a position at a time, through tables of what
/// each position needs (its class, its window's first row or column, ...): registers
/// show the words of position `n`. A counter stands one position ahead, the tables'
/// words for it wait in registers (the tables are logic, see [`lookup`]), and a step
/// takes them, so every path out of the walker starts at a flop. A step must come at
/// least two cycles after the last step or restart, for the waiting words to be the new
/// ones.
struct AxisWalker {
    /// `n + 1`.
    ahead: Value,
    /// The words of position `n`, a register per table.
    fields: Vec<Value>,
    /// The tables' words for `ahead`.
    waiting: Vec<Value>,
    /// The tables' words for position 0.
    first: Vec<i128>,
}

/// A walker's table: a name, the words' shape, and a word for every position from 0 to
/// one past the last (for the counter ahead).
struct Table {
    name: &'static str,
    shape: Shape,
    words: Vec<i128>,
}

impl Table {
    fn new(name: &'static str, shape: Shape, words: impl IntoIterator<Item = i128>) -> Table {
        Table {
            name,
            shape,
            words: words.into_iter().map(|w| wrapped(w, shape)).collect(),
        }
    }
}

/// For each output position `0..=len + 1` along an axis of `len` (the last two, which
/// only the walker's counter ahead reaches, repeat position `len - 1`): its class and
/// its window's first low-resolution position, as [`FoldedModel::axis_locate`].
fn axis_classes(g: &Geometry, len: u32) -> (Vec<i128>, Vec<i128>) {
    let len = len as usize;
    (0..len + 2)
        .map(|n| {
            let (class, first) = g.folded.axis_locate(n.min(len - 1), len);
            (class as i128, first as i128)
        })
        .unzip()
}

/// `v` as the bits of `shape` hold it, read back in its signedness.
fn wrapped(v: i128, shape: Shape) -> i128 {
    let bits = v.rem_euclid(1 << shape.width);
    if shape.signed && bits >= 1 << (shape.width - 1) {
        bits - (1 << shape.width)
    } else {
        bits
    }
}

impl AxisWalker {
    /// A walker over `len` positions through `tables`.
    fn new(m: &mut Module, name: &str, len: u32, tables: &[Table]) -> AxisWalker {
        let ahead = m.signal_init(format!("{name}_ahead"), unsigned(address_width(len + 2)), 1u8);
        let first: Vec<i128> = tables.iter().map(|t| t.words[0]).collect();
        let fields = tables
            .iter()
            .map(|t| m.signal_init(format!("{name}_{}", t.name), t.shape, constant(t.words[0], t.shape)))
            .collect();
        let waiting = tables
            .iter()
            .map(|t| {
                let w = m.signal(format!("{name}_{}_ahead", t.name), t.shape);
                m.sync(w.eq(lookup(t.words.iter().copied(), t.shape, &ahead)));
                w
            })
            .collect();
        AxisWalker {
            ahead,
            fields,
            waiting,
            first,
        }
    }

    /// The register of table `k`.
    fn field(&self, k: usize) -> &Value {
        &self.fields[k]
    }

    /// Back to position 0.
    fn restart(&self) -> Vec<Statement> {
        let mut s = vec![self.ahead.eq(1u8)];
        s.extend(self.fields.iter().zip(&self.first).map(|(f, &v)| f.eq(constant(v, f.shape()))));
        s
    }

    /// On to the next position.
    fn advance(&self) -> Vec<Statement> {
        let mut s = vec![self.ahead.eq(self.ahead.wrapping_add(1u8))];
        s.extend(self.fields.iter().zip(&self.waiting).map(|(f, w)| f.eq(w)));
        s
    }
}

/// The pixel side's timing and the requests it sends to the compute clock.
struct Requests {
    /// The timing generator's outputs, in `pixel`.
    timing: Interface<Timing>,
    /// In `sync`: a frame is asked for (its rows are to be loaded).
    frame: Value,
    /// In `sync`: the next output line is asked for.
    line: Value,
}

/// The timing generator on the pixel clock, and the frame and line requests, each a
/// level that flips per request and crosses to `sync` through a synchronizer.
fn pixel_side_requests(m: &mut Module, g: &Geometry, p: &EnginePorts) -> Requests {
    let mode = g.mode;
    let timing = m.add("timing", pixel_timing(&mode));
    m.comb([timing.clk.eq(&p.pixel_clk), timing.rst.eq(&p.pixel_rst)]);
    let t = timing.t.clone();
    let (v_total, height) = (mode.v.total(), g.output.1);
    let line_start = t.x.is_eq(0u8);
    // Line n is asked for at the start of line n - LINE_LEAD (mod the frame's lines);
    // the frame, so that its first rows are loaded in time, one line before that.
    let asks_line = t.y.ge(v_total - LINE_LEAD) | t.y.lt(height - LINE_LEAD);
    let asks_frame = t.y.is_eq(v_total - FRAME_LEAD);
    let (frame_level, line_level) = (m.signal("frame_request", unsigned(1)), m.signal("line_request", unsigned(1)));
    m.if_(&line_start & asks_frame, |m| m.sync_in("pixel", frame_level.eq(!&frame_level)));
    m.if_(&line_start & asks_line, |m| m.sync_in("pixel", line_level.eq(!&line_level)));
    let crossing = m.add("requests_sync", synchronizer(2));
    m.comb(crossing.i.eq(cat([frame_level, line_level])));
    let seen = m.signal("requests_seen", unsigned(2));
    m.sync(seen.eq(&crossing.o));
    let changed = &crossing.o ^ &seen;
    Requests {
        timing: t,
        frame: changed.bit(0),
        line: changed.bit(1),
    }
}

/// The ports of the timing generator moved to its own clock.
#[derive(Clone, Debug)]
struct PixelTimingPorts {
    clk: Value,
    rst: Value,
    t: Interface<Timing>,
}

#[derive(Clone, Debug)]
struct PixelTimingSignature {
    mode: VideoMode,
}

impl Signature for PixelTimingSignature {
    type Interface = PixelTimingPorts;

    fn build(&self, b: &mut Builder) -> PixelTimingPorts {
        PixelTimingPorts {
            clk: b.input("clk", unsigned(1)),
            rst: b.input("rst", unsigned(1)),
            t: b.nest("t", &TimingSignature::new(&self.mode)),
        }
    }
}

/// A timing generator whose `sync` is the `clk` port: the pixel clock inside the
/// engine, whose own `sync` is the compute clock.
fn pixel_timing(mode: &VideoMode) -> Component<PixelTimingSignature> {
    let mode = *mode;
    Component::build("pixel_timing", PixelTimingSignature { mode }, move |m, p| {
        m.domain("sync", &p.clk, ResetKind::Sync, Some(&p.rst));
        let gen = m.add("generator", timing_generator(&mode));
        let t = &p.t;
        m.comb([
            t.hsync.eq(&gen.hsync),
            t.vsync.eq(&gen.vsync),
            t.de.eq(&gen.de),
            t.x.eq(&gen.x),
            t.y.eq(&gen.y),
            t.frame_start.eq(&gen.frame_start),
        ]);
    })
}

/// What the line control gives the sequencer.
struct LineControl {
    /// A line starts computing this cycle.
    start: Value,
    /// The line's row class and first window row.
    row_class: Value,
    top: Value,
    /// The row store, for the sequencer's reads.
    r_top: Value,
    r_col: Value,
    r_data: Value,
    /// In `sync`: a frame has started (the output ring starts over).
    frame: Value,
    /// The sequencer is computing a line: for the sequencer to drive.
    busy: Value,
}

/// Frame and line requests: the frame buffer is taken and its rows loaded into the row
/// store ahead of the lines that read them; each line request starts the sequencer.
fn line_control(m: &mut Module, g: &Geometry, p: &EnginePorts, requests: &Requests) -> LineControl {
    let (w, h) = g.input;
    let height = g.output.1;
    let store = m.add("rows", row_store(row_store_for(g.input, g.rows(), g.store_rows)));
    m.comb(store.clk.eq(&p.compute_clk));
    let top_shape = store.r_top.shape();
    let (classes, positions) = axis_classes(g, height);
    let class_shape = unsigned(address_width(g.classes()));
    let end_shape = signed(top_shape.width + 2);
    let walker = AxisWalker::new(
        m,
        "row",
        height,
        &[
            Table::new("class", class_shape, classes),
            Table::new("top", top_shape, positions.iter().copied()),
            Table::new("end", end_shape, positions.iter().map(|&p| p + i128::from(g.rows()))),
        ],
    );
    let (walker_class, walker_top, walker_end) = (walker.field(0), walker.field(1), walker.field(2));

    // The lines still to compute in this frame, and the row each waits for.
    let lines_left = m.signal("lines_left", unsigned(address_width(height + 1)));
    let busy = m.signal("busy", unsigned(1));
    let (row_class, top) = (m.signal("row_class", class_shape), m.signal("top", top_shape));

    // The loader: rows in order, a pixel a cycle, each written as its read arrives.
    let row = m.signal_init("load_row", unsigned(address_width(h + 1)), h);
    let col = m.signal("load_col", unsigned(address_width(w)));
    let addr = m.signal("load_addr", p.fb_raddr.shape());
    let loading = m.signal("loading", unsigned(1));
    // Rows the next line's window needs: up to its last row, within the picture.
    m.comb(loading.eq(row.lt(h) & row.zext(end_shape.width).as_signed().lt(walker_end)));
    let start = &requests.line & lines_left.any();
    m.if_(&loading, |m| {
        let row_end = col.is_eq(w - 1);
        m.sync([
            addr.eq(addr.wrapping_add(1u8)),
            col.eq(mux(&row_end, 0u8, col.wrapping_add(1u8))),
            row.eq(mux(&row_end, row.wrapping_add(1u8), &row)),
        ]);
    });
    let slot_bits = g.store_rows.trailing_zeros().max(1);
    let written = m.delayed(
        "load_write",
        &cat([loading.clone(), col.clone(), row.trunc(slot_bits)]),
        FRAME_BUFFER_LATENCY,
    );
    m.comb([
        p.fb_raddr.eq(&addr),
        store.w_en.eq(written.bit(0)),
        store.w_col.eq(written.slice(1..1 + col.width())),
        store.w_slot.eq(written.slice(1 + col.width()..1 + col.width() + slot_bits)),
        store.w_data.eq(&p.fb_rdata),
    ]);

    // A frame request takes the newest frame and starts the rows over.
    m.comb(p.fb_take.eq(&requests.frame));
    let late = p.late.clone();
    m.if_(&requests.frame, |m| {
        m.sync(walker.restart());
        m.sync([row.eq(0u8), col.eq(0u8), addr.eq(0u8), lines_left.eq(height)]);
    })
    .elif(&start, |m| {
        // The line takes the walker's row class and top; the walker moves on, so the
        // loader fetches the next line's rows while this one is computed.
        m.sync([
            row_class.eq(walker_class),
            top.eq(walker_top),
            lines_left.eq(lines_left.wrapping_sub(1u8)),
        ]);
        m.if_(lines_left.gt(1u8), |m| m.sync(walker.advance()));
        m.if_(&busy | &loading, |m| m.sync(late.eq(1u8)));
    });
    LineControl {
        start,
        busy,
        row_class,
        top,
        r_top: store.r_top.clone(),
        r_col: store.r_col.clone(),
        r_data: store.r_data.clone(),
        frame: requests.frame.clone(),
    }
}

/// What the sequencer gives the MAC arrays each cycle, on the compute timeline.
struct ComputeWord {
    /// A product for every lane.
    valid: Value,
    /// Which of the pixel's products.
    product: Value,
    /// The coefficient address: `set * products + product`.
    addr: Value,
    /// The set, for the biases: [`ROM_LATENCY`] cycles ahead of `valid`, as the bias ROMs
    /// need.
    set_ahead: Value,
    /// The pixel's row and column classes, a cycle ahead of `valid`.
    row_class_ahead: Value,
    column_class_ahead: Value,
    /// The pixel's window: `columns` columns of `rows` RGB565 pixels, column 0 and row
    /// 0 in the low bits.
    window: Value,
}

/// The line's sequence: the window filled column by column from the row store, and a
/// compute word per cycle for each output pixel's products.
fn sequencer(m: &mut Module, g: &Geometry, c: &LineControl) -> ComputeWord {
    let (columns, products, width) = (g.columns(), g.products, g.output.0);
    let col_shape = c.r_col.shape();
    // The walker is one pixel ahead: during pixel x's products it stands at x + 1,
    // whose window's new columns are fetched then: the columns it moved by from pixel
    // x (its step, or the whole window when it steps back or further than its width),
    // the first of them at `first_new`.
    let (classes, positions) = axis_classes(g, width);
    let moved = columns_moved(&g.folded, width as usize);
    // The counter ahead's two positions past the line shift in nothing that is read.
    let moved: Vec<i128> = (0..positions.len())
        .map(|n| moved.get(n).map_or(i128::from(columns), |&c| i128::from(c)))
        .collect();
    let first_new: Vec<i128> = positions.iter().zip(&moved).map(|(p, m)| p + i128::from(columns) - m).collect();
    let count_shape = unsigned(address_width(columns + 1));
    let walker = AxisWalker::new(
        m,
        "column",
        width,
        &[
            Table::new("class", unsigned(address_width(g.classes())), classes),
            Table::new("left", col_shape, positions),
            Table::new("moved", count_shape, moved),
            Table::new("first_new", col_shape, first_new),
        ],
    );
    let (walker_class, left, moved, first_new) = (walker.field(0), walker.field(1), walker.field(2), walker.field(3));
    let (prologue, running) = (m.signal("prologue", unsigned(1)), m.signal("running", unsigned(1)));
    let fill = m.signal("fill", unsigned(address_width(columns)));
    let x = m.signal("x", unsigned(address_width(width)));
    let j = m.signal("product", unsigned(address_width(products)));
    let column_class = m.signal("column_class", walker_class.shape());

    let fetch = &prologue | (&running & j.zext(count_shape.width).lt(moved) & x.lt(width - 1));
    let column = mux(&prologue, left + &fill, first_new + &j);
    m.comb([
        c.r_top.eq(resized(&c.top, c.r_top.shape())),
        c.r_col.eq(resized(&column, col_shape)),
        c.busy.eq(&prologue | &running),
    ]);
    // Pixel `x` starts: it takes the walker's class, and the walker moves on.
    let next_pixel = {
        let mut s = vec![column_class.eq(walker_class)];
        s.extend(walker.advance());
        s
    };
    m.if_(&c.start, |m| {
        m.sync(walker.restart());
        m.sync([prologue.eq(1u8), fill.eq(0u8)]);
    })
    .elif(&prologue, |m| {
        m.sync(fill.eq(fill.wrapping_add(1u8)));
        m.if_(fill.is_eq(columns - 1), |m| {
            m.sync([prologue.eq(0u8), running.eq(1u8), x.eq(0u8), j.eq(0u8)]);
            m.sync(next_pixel.clone());
        });
    })
    .elif(&running, |m| {
        m.if_(j.is_eq(products - 1), |m| {
            m.sync([j.eq(0u8), x.eq(x.wrapping_add(1u8))]);
            m.sync(next_pixel.clone());
            m.if_(x.is_eq(width - 1), |m| m.sync(running.eq(0u8)));
        })
        .else_(|m| m.sync(j.eq(j.wrapping_add(1u8))));
    });

    // The staging copy takes each fetched column as it arrives, shifting the oldest
    // out; the window takes the staging copy as each pixel's products begin.
    let column_bits = g.rows() * PIXEL_BITS;
    let staging = m.signal("staging", unsigned(columns * column_bits));
    let window = m.signal("window", staging.shape());
    let arrived = m.delayed("fetched", &fetch, ROW_STORE_LATENCY);
    let shifted = if columns == 1 {
        c.r_data.clone()
    } else {
        cat([staging.slice(column_bits..columns * column_bits), c.r_data.clone()])
    };
    m.if_(&arrived, |m| m.sync(staging.eq(shifted)));
    let starts = m.delayed("pixel_starts", &(&running & j.is_eq(0u8)), ROW_STORE_LATENCY);
    m.if_(&starts, |m| m.sync(window.eq(&staging)));

    // The compute word, a cycle after the window is loaded.
    let set_shape = unsigned(address_width(g.sets()));
    let addr_shape = unsigned(address_width(g.sets() * products));
    let classes = g.classes();
    let row_set = lookup((0..classes).map(|r| i128::from(r * classes)), set_shape, &c.row_class);
    let set = resized(&(row_set + &column_class), set_shape);
    let row_base = lookup((0..classes).map(|r| i128::from(r * classes * products)), addr_shape, &c.row_class);
    let column_base = lookup((0..classes).map(|k| i128::from(k * products)), addr_shape, &column_class);
    let addr = resized(&(row_base + column_base + &j), addr_shape);
    let to_compute = ROW_STORE_LATENCY + 1;
    ComputeWord {
        valid: m.delayed("valid_at", &running, to_compute),
        product: m.delayed("product_at", &j, to_compute),
        addr: m.delayed("addr_at", &addr, to_compute),
        set_ahead: m.delayed("set_at", &set, to_compute - ROM_LATENCY),
        row_class_ahead: m.delayed("row_class_at", &c.row_class, to_compute - 1),
        column_class_ahead: m.delayed("column_class_at", &column_class, to_compute - 1),
        window,
    }
}

/// The level of channel `i` (0 red, 1 green, 2 blue) of an RGB565 pixel, by bit
/// replication as `hdl_video::rgb565::expand`.
fn level(pixel: &Value, i: u32) -> Value {
    let (low, width) = [(11, 5), (5, 6), (0, 5)][i as usize];
    let channel = pixel.slice(low..low + width);
    cat([channel.slice(2 * width - 8..width), channel])
}

/// An RGB565 pixel as RGB888, red in the top byte.
fn rgb888(pixel: &Value) -> Value {
    cat([level(pixel, 2), level(pixel, 1), level(pixel, 0)])
}

/// The three MAC arrays on the window's taps, and the nearest pixel beside them: the
/// output pixels in order, `(valid, RGB888)`.
fn compute(m: &mut Module, g: &Geometry, p: &EnginePorts, word: &ComputeWord, arithmetic: Arithmetic) -> (Value, Value) {
    let Arithmetic { macs, biases, latency } = arithmetic;
    let (rows, columns, products) = (g.rows(), g.columns(), g.products);
    let pixel_at = |wy: u32, wx: u32| word.window.slice((wx * rows + wy) * PIXEL_BITS..(wx * rows + wy + 1) * PIXEL_BITS);
    // Tap t is channel t / (rows * columns), row (t / columns) % rows, column t % columns.
    let tap = |t: u32| {
        if t >= g.taps() {
            constant(0, unsigned(LEVEL_BITS))
        } else {
            level(&pixel_at((t / columns) % rows, t % columns), t / (rows * columns))
        }
    };
    let operands = cat((0..g.lanes)
        .map(|l| cat((0..products).map(|k| tap(l * products + k)).collect::<Vec<_>>()).word_select(&word.product, LEVEL_BITS))
        .collect::<Vec<_>>());
    let mut outputs = Vec::with_capacity(3);
    let mut done = None;
    for (o, (mac, bias_slices)) in macs.into_iter().zip(biases).enumerate() {
        let mac = m.add(format!("mac{o}"), mac);
        let mut bias = Vec::with_capacity(bias_slices.len());
        for (k, slice) in bias_slices.into_iter().enumerate() {
            let rom = m.add(format!("bias{o}_{k}"), slice);
            m.comb([rom.clk.eq(&p.compute_clk), rom.addr.eq(resized(&word.set_ahead, rom.addr.shape()))]);
            bias.push(rom.data.clone());
        }
        m.comb([
            mac.clk.eq(&p.compute_clk),
            mac.valid.eq(&word.valid),
            mac.addr.eq(&word.addr),
            mac.a.eq(&operands),
            mac.bias.eq(cat(bias).as_signed()),
        ]);
        outputs.push(resized(&mac.o, unsigned(LEVEL_BITS)));
        done = Some(mac.o_valid.clone());
    }
    let done = done.expect("three output channels");

    // The nearest pixel: the window's pixel under the output pixel, `-offset` of its
    // class in along each axis.
    let under = |class: &Value, len: u32| {
        let shape = unsigned(address_width(len));
        lookup(
            g.folded.offsets.iter().map(|&o| (-o).clamp(0, len as isize - 1) as i128),
            shape,
            class,
        )
    };
    // Each a register: the row and column under the pixel, looked up a cycle ahead; the
    // window's column; the column's pixel.
    let wy = m.delayed("nearest_row", &under(&word.row_class_ahead, rows), 2);
    let wx = m.delayed("nearest_column", &under(&word.column_class_ahead, columns), 1);
    let column_bits = rows * PIXEL_BITS;
    let nearest_column = m.delayed("nearest_window_column", &word.window.word_select(&wx, column_bits), 1);
    let nearest_pixel = nearest_column.word_select(&wy, PIXEL_BITS);
    let nearest_pixel = m.delayed("nearest_pixel_at", &rgb888(&nearest_pixel), latency - 1);
    let nearest = m.add("nearest_sync", synchronizer(1));
    m.comb(nearest.i.eq(&p.nearest));
    let model_pixel = cat([outputs[2].clone(), outputs[1].clone(), outputs[0].clone()]);
    (done, mux(&nearest.o, nearest_pixel, model_pixel))
}

/// The ring of output lines: written in order on the compute clock, read on the pixel
/// clock at the timing generator's position, and the engine's outputs.
fn output_ring(m: &mut Module, g: &Geometry, p: &EnginePorts, requests: &Requests, frame: &Value, (valid, rgb): (Value, Value)) {
    let width = g.output.0;
    let depth = RING_LINES * width;
    let aw = address_width(depth);
    let ring = m.memory("ring", unsigned(24), depth);
    let write = m.write_port(ring, "sync");
    let waddr = m.signal("ring_waddr", unsigned(aw));
    m.if_(frame, |m| m.sync(waddr.eq(0u8))).elif(&valid, |m| {
        m.sync(waddr.eq(mux(waddr.is_eq(depth - 1), 0u8, waddr.wrapping_add(1u8))));
    });
    // Before the first frame the frame buffer's data mean nothing: black. Each write is
    // registered before the block RAMs, which lie far apart.
    let written = m.delayed("ring_write", &cat([valid.clone(), waddr.clone(), mux(&p.fb_taken, rgb, 0u8)]), 1);
    m.comb([
        write.en.eq(written.bit(0)),
        write.addr.eq(written.slice(1..1 + aw)),
        write.data.eq(written.slice(1 + aw..1 + aw + 24)),
    ]);

    let t = &requests.timing;
    let line_base = lookup(
        (0..RING_LINES).map(|l| i128::from(l * width)),
        unsigned(aw),
        &t.y.trunc(RING_LINES.trailing_zeros()),
    );
    let read = m.read_port(ring, "pixel");
    m.comb([read.en.eq(1u8), read.addr.eq(resized(&(line_base + &t.x), unsigned(aw)))]);
    let (de, hsync, vsync) = (
        m.signal("de_at", unsigned(1)),
        m.signal("hsync_at", unsigned(1)),
        m.signal("vsync_at", unsigned(1)),
    );
    m.sync_in("pixel", [de.eq(&t.de), hsync.eq(&t.hsync), vsync.eq(&t.vsync)]);
    let shown = mux(&de, &read.data, 0u8);
    m.sync_in(
        "pixel",
        [
            p.r.eq(shown.slice(16..24)),
            p.g.eq(shown.slice(8..16)),
            p.b.eq(shown.slice(0..8)),
            p.de.eq(&de),
            p.hsync.eq(&hsync),
            p.vsync.eq(&vsync),
        ],
    );
}
