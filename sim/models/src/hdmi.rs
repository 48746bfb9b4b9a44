//! A DVI/HDMI receiver model: it watches a design's TMDS output — ten-bit symbols each
//! pixel clock, the serial bits handed to the DDR output primitives each bit clock, or
//! the pins the DDR outputs drive, two bits per bit clock —
//! decodes them back to pixels and sync (DVI 1.0, section 3.3), checks every symbol is a
//! data symbol or a control token and that each lane's running disparity stays bounded,
//! and rebuilds whole frames with their timing, which it can write as PNG.
//!
//! Lanes are in DVI order: 0 blue (which carries hsync on C0 and vsync on C1), 1 green,
//! 2 red; the serial form adds lane 3, the clock, sending `0000011111`.

use std::cell::RefCell;
use std::rc::Rc;

use hdl_sim::SimError;
use hdl_sim::{Domain, Model, Sampled, Signal, Simulator};
use hdl_video::{Axis, Picture};

/// The control tokens for `{C1, C0}` = 00, 01, 10, 11 (DVI 1.0, section 3.3.2).
const CONTROL_TOKENS: [u16; 4] = [0b11_0101_0100, 0b00_1010_1011, 0b01_0101_0100, 0b10_1010_1011];

/// The largest running disparity (ones minus zeros since blanking) a DVI 1.0 encoder
/// lets a lane reach between symbols: from zero, trying every data value in every state
/// reached, the states are the even numbers from -8 to 8 (the TMDS tests of the cores
/// crate enumerate them).
pub const DISPARITY_BOUND: i32 = 8;

/// What a ten-bit symbol means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Symbol {
    /// Eight data bits.
    Data(u8),
    /// A control token: `{C1, C0}`.
    Control(u8),
}

/// Decodes a ten-bit symbol (bit 0 sent first); `None` if it is no TMDS symbol at all.
/// Every ten-bit value with the data bits' transition pattern decodes as data; control
/// tokens are matched exactly.
pub fn decode(q: u16) -> Option<Symbol> {
    if let Some(c) = CONTROL_TOKENS.iter().position(|&t| t == q) {
        return Some(Symbol::Control(c as u8));
    }
    if q >> 10 != 0 {
        return None;
    }
    let bits = if q >> 9 & 1 == 1 { !q & 0xff } else { q & 0xff };
    let xor = q >> 8 & 1 == 1;
    let mut d = bits & 1;
    for i in 1..8 {
        let t = (bits >> i ^ bits >> (i - 1)) & 1;
        d |= if xor { t } else { t ^ 1 } << i;
    }
    // Stage 1 chooses XNOR exactly when the data has more than four ones, or four with
    // bit 0 clear; a symbol that claims the other choice is no encoder's output.
    let n1 = (d as u8).count_ones();
    let xnor = n1 > 4 || (n1 == 4 && d & 1 == 0);
    (xnor != xor).then_some(Symbol::Data(d as u8))
}

/// The disparity (ones minus zeros) of a ten-bit symbol.
fn disparity(q: u16) -> i32 {
    2 * (q & 0x3ff).count_ones() as i32 - 10
}

/// A frame as received.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Frame {
    /// The active pixels.
    pub picture: Picture,
    /// Horizontal timing as measured, in pixel clocks.
    pub h: Axis,
    /// Vertical timing as measured, in lines.
    pub v: Axis,
}

/// One pixel clock as received.
#[derive(Clone, Copy, Debug)]
struct Clock {
    de: bool,
    hsync: bool,
    vsync: bool,
    rgb: [u8; 3],
}

/// What the receiver has seen: frames and protocol errors.
#[derive(Default)]
struct Received {
    frames: Vec<Frame>,
    errors: Vec<String>,
}

/// A handle on what a [`DviReceiver`] received.
#[derive(Clone)]
pub struct ReceiverHandle {
    received: Rc<RefCell<Received>>,
}

impl ReceiverHandle {
    /// The frames completed so far (a frame completes at the next frame's vsync).
    pub fn frames(&self) -> Vec<Frame> {
        self.received.borrow().frames.clone()
    }

    /// How many frames have completed.
    pub fn frame_count(&self) -> usize {
        self.received.borrow().frames.len()
    }

    /// Every protocol error seen: an invalid symbol, a disparity out of bounds, lanes
    /// that disagree, a frame whose timing does not add up.
    pub fn errors(&self) -> Vec<String> {
        self.received.borrow().errors.clone()
    }
}

/// Turns symbols into clocks and clocks into frames.
struct Decoder {
    received: Rc<RefCell<Received>>,
    disparity: [i32; 3],
    clocks: u64,
    /// hsync and vsync as the last control tokens gave them (data clocks keep them).
    sync: (bool, bool),
    /// The last vsync edge: its clock and the level it went to.
    last_edge: Option<(u64, bool)>,
    /// How long vsync last stayed low and high.
    runs: [Option<u64>; 2],
    /// vsync's pulse level, once both levels have been timed: the shorter one.
    pulse_level: Option<bool>,
    /// The clocks of the frame being received, from the leading edge of its vsync.
    frame: Option<Vec<Clock>>,
    /// Whether a control period has been seen: before it, as in a real receiver, the
    /// lanes' disparity is unknown and nothing is checked.
    locked: bool,
}

impl Decoder {
    fn new(received: Rc<RefCell<Received>>) -> Decoder {
        Decoder {
            received,
            disparity: [0; 3],
            clocks: 0,
            sync: (false, false),
            last_edge: None,
            runs: [None; 2],
            pulse_level: None,
            frame: None,
            locked: false,
        }
    }

    fn error(&self, message: String) {
        let mut r = self.received.borrow_mut();
        // Enough to diagnose; a broken stream would otherwise fill memory.
        if r.errors.len() < 100 {
            r.errors.push(message);
        }
    }

    /// Takes the symbols of one pixel clock: blue, green, red.
    fn clock(&mut self, symbols: [u16; 3]) {
        let n = self.clocks;
        self.clocks += 1;
        if !self.locked {
            if symbols.iter().all(|&q| matches!(decode(q), Some(Symbol::Control(_)))) {
                self.locked = true;
            } else {
                return;
            }
        }
        let mut decoded = [Symbol::Data(0); 3];
        for (lane, &q) in symbols.iter().enumerate() {
            let Some(symbol) = decode(q) else {
                return self.error(format!(
                    "clock {n}: lane {lane} sent {q:#05x}, neither a data symbol nor a control token"
                ));
            };
            decoded[lane] = symbol;
            if let Symbol::Control(_) = symbol {
                self.disparity[lane] = 0;
            } else {
                self.disparity[lane] += disparity(q);
                if self.disparity[lane].abs() > DISPARITY_BOUND {
                    self.error(format!(
                        "clock {n}: lane {lane}'s running disparity reached {}, beyond ±{DISPARITY_BOUND}",
                        self.disparity[lane]
                    ));
                }
            }
        }
        let (de, rgb) = match decoded {
            [Symbol::Data(b), Symbol::Data(g), Symbol::Data(r)] => (true, [r, g, b]),
            [Symbol::Control(c), Symbol::Control(_), Symbol::Control(_)] => {
                self.sync = (c & 1 == 1, c & 2 == 2);
                (false, [0; 3])
            }
            _ => return self.error(format!("clock {n}: the lanes disagree on data versus control: {decoded:?}")),
        };
        let (hsync, vsync) = self.sync;
        let previous = self.last_edge.map(|(_, level)| level);
        if previous != Some(vsync) {
            self.vsync_edge(n, vsync);
        }
        if let Some(frame) = &mut self.frame {
            frame.push(Clock { de, hsync, vsync, rgb });
        }
    }

    /// vsync went to `level` at clock `n`.
    fn vsync_edge(&mut self, n: u64, level: bool) {
        if let Some((m, before)) = self.last_edge {
            self.runs[before as usize] = Some(n - m);
        }
        self.last_edge = Some((n, level));
        if self.pulse_level.is_none() {
            if let [Some(low), Some(high)] = self.runs {
                self.pulse_level = Some(high < low);
            }
        }
        if self.pulse_level != Some(level) {
            return;
        }
        if let Some(clocks) = self.frame.take() {
            match analyze(&clocks) {
                Ok(frame) => self.received.borrow_mut().frames.push(frame),
                Err(why) => self.error(format!("the frame ending at clock {n}: {why}")),
            }
        }
        self.frame = Some(Vec::new());
    }
}

/// Positions where `f` turns true.
fn rising(clocks: &[Clock], f: impl Fn(&Clock) -> bool) -> Vec<usize> {
    (0..clocks.len())
        .filter(|&i| f(&clocks[i]) && (i == 0 || !f(&clocks[i - 1])))
        .collect()
}

/// The length of the run of `f` from `at`.
fn run(clocks: &[Clock], at: usize, f: impl Fn(&Clock) -> bool) -> usize {
    clocks[at..].iter().take_while(|c| f(c)).count()
}

/// Measures a frame from the leading edge of one vsync pulse to the next. Lines run from
/// one leading edge of hsync to the next; vertical timing counts lines from the first
/// active pixel, so a line there starts where active video does.
fn analyze(clocks: &[Clock]) -> Result<Frame, String> {
    let vsync_level = clocks[0].vsync;
    let hsync_level = clocks.iter().filter(|c| c.hsync).count() * 2 < clocks.len();
    let hsync_at = |c: &Clock| c.hsync == hsync_level;
    let h_edges = rising(clocks, hsync_at);
    let line = match h_edges.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>().as_slice() {
        [first, rest @ ..] if rest.iter().all(|l| l == first) => *first,
        [] => return Err("fewer than two hsync pulses".into()),
        lengths => return Err(format!("lines of different lengths: {lengths:?}")),
    };
    let runs = rising(clocks, |c| c.de);
    let (&first_run, &last_run) = match (runs.first(), runs.last()) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err("no active video".into()),
    };
    let width = run(clocks, first_run, |c| c.de);
    if let Some(r) = runs.iter().find(|&&r| run(clocks, r, |c| c.de) != width) {
        return Err(format!(
            "active runs of different lengths: {width} at clock {first_run}, {} at clock {r}",
            run(clocks, *r, |c| c.de)
        ));
    }
    // Horizontal: the line holding the first active run, from its hsync pulse.
    let Some(&pulse) = h_edges.iter().rev().find(|&&e| e <= first_run) else {
        return Err("active video before the first hsync pulse".into());
    };
    let h_sync = run(clocks, pulse, hsync_at);
    let h_back = first_run - pulse - h_sync;
    let h = Axis {
        active: width as u32,
        front_porch: (line - h_sync - h_back - width) as u32,
        sync: h_sync as u32,
        back_porch: h_back as u32,
        sync_positive: hsync_level,
    };
    // Vertical, in lines.
    let whole = |clocks: usize, what: &str| {
        if clocks.is_multiple_of(line) {
            Ok((clocks / line) as u32)
        } else {
            Err(format!("{what} lasts {clocks} clocks, not a whole number of {line}-clock lines"))
        }
    };
    let v_sync = whole(run(clocks, 0, |c| c.vsync == vsync_level), "vsync")?;
    let v_back = whole(first_run - v_sync as usize * line, "the vertical back porch")?;
    let height = runs.len() as u32;
    if last_run - first_run != (height as usize - 1) * line {
        return Err("active lines are not consecutive".into());
    }
    let total = whole(clocks.len(), "the frame")?;
    let v = Axis {
        active: height,
        front_porch: total - v_sync - v_back - height,
        sync: v_sync,
        back_porch: v_back,
        sync_positive: vsync_level,
    };
    let pixels = clocks.iter().filter(|c| c.de).map(|c| c.rgb).collect();
    Ok(Frame {
        picture: Picture {
            width,
            height: height as usize,
            pixels,
        },
        h,
        v,
    })
}

/// A DVI receiver beside a design; see the module documentation.
pub struct DviReceiver {
    /// The decoder: fed symbols directly, or bits through its serial side.
    link: SerialLink,
    input: Input,
}

/// Where the receiver reads the link.
enum Input {
    /// The three symbols of each pixel clock.
    Symbols([Signal; 3]),
    /// The two bits (first, second) each lane hands its DDR output per bit clock, lanes
    /// 0-3 (3 the clock).
    Serial { first: Signal, second: Signal },
    /// The pins of the four pairs (bit `i` is pair `i`'s positive pin, 3 the clock),
    /// read in the middle of each half period of the bit clock.
    Pins(Signal),
}

/// A serial DVI link decoded bit by bit, from whatever gives the bits: a receiver model
/// beside a simulation, or the pins of a simulation run elsewhere (Icarus Verilog, a
/// logic analyser's capture). The symbol boundaries are found from the clock lane, at
/// any bit offset.
pub struct SerialLink {
    decoder: Decoder,
    /// The last ten bits of each lane, lanes 0-3 (3 the clock), the oldest at bit 0.
    bits: [u32; 4],
    /// Bits since the last symbol boundary.
    count: u32,
    aligned: bool,
}

impl Default for SerialLink {
    fn default() -> Self {
        SerialLink::new()
    }
}

impl SerialLink {
    /// A link that has seen nothing yet.
    pub fn new() -> SerialLink {
        SerialLink {
            decoder: Decoder::new(Rc::new(RefCell::new(Received::default()))),
            bits: [0; 4],
            count: 0,
            aligned: false,
        }
    }

    /// What the link has received so far (and will receive).
    pub fn handle(&self) -> ReceiverHandle {
        ReceiverHandle {
            received: self.decoder.received.clone(),
        }
    }

    /// Takes the next bit of each lane: bit `i` of `lanes` is lane `i`'s (3 the clock).
    pub fn push(&mut self, lanes: u8) {
        for (lane, word) in self.bits.iter_mut().enumerate() {
            // Newest bit on top: after ten bits, bit 0 is the first sent.
            *word = (*word >> 1 | ((lanes >> lane & 1) as u32) << 9) & 0x3ff;
        }
        self.count += 1;
        if !self.aligned && self.bits[3] == CLOCK_PATTERN {
            self.aligned = true;
            self.count = 10;
        }
        if self.aligned && self.count == 10 {
            self.count = 0;
            if self.bits[3] != CLOCK_PATTERN {
                self.decoder
                    .error(format!("the clock lane sent {:#05x} instead of its pattern", self.bits[3]));
            }
            let [b, g, r, _] = self.bits;
            self.decoder.clock([b as u16, g as u16, r as u16]);
        }
    }
}

impl DviReceiver {
    /// Reads the symbols of the three lanes (signals of ten bits: blue, green, red) each
    /// clock of `pixel`.
    pub fn attach_symbols(sim: &mut Simulator, pixel: Domain, lanes: [&str; 3]) -> Result<ReceiverHandle, SimError> {
        let signals = [sim.signal(lanes[0])?, sim.signal(lanes[1])?, sim.signal(lanes[2])?];
        Ok(Self::attach(sim, pixel, Input::Symbols(signals)))
    }

    /// Reads the serial link: each clock of `bit_clock` (a fifth of a symbol), bit `i`
    /// of `first` and of `second` are lane `i`'s two bits, sent in that order. The
    /// receiver finds the symbol boundaries from the clock lane.
    pub fn attach_serial(sim: &mut Simulator, bit_clock: Domain, first: &str, second: &str) -> Result<ReceiverHandle, SimError> {
        let input = Input::Serial {
            first: sim.signal(first)?,
            second: sim.signal(second)?,
        };
        Ok(Self::attach(sim, bit_clock, input))
    }

    /// Reads the pins: `pins` is four bits, bit `i` the positive pin of pair `i` (3 the
    /// clock), as `gpdi_dp` on the ULX3S. The receiver reads a bit at the end of each half
    /// period of `bit_clock` (the clock that the transmitter's DDR outputs run on, as
    /// an ideal clock recovery from the clock pair would give it) and finds the symbol
    /// boundaries from the clock pair, so any latency of the serializers is fine.
    pub fn attach_pins(sim: &mut Simulator, bit_clock: Domain, pins: &str) -> Result<ReceiverHandle, SimError> {
        let pins = sim.signal(pins)?;
        Ok(Self::attach(sim, bit_clock, Input::Pins(pins)))
    }

    fn attach(sim: &mut Simulator, d: Domain, input: Input) -> ReceiverHandle {
        let link = SerialLink::new();
        let handle = link.handle();
        sim.add_model(d, DviReceiver { link, input });
        handle
    }
}

/// The clock lane's symbol, `0000011111` with bit 0 sent first.
const CLOCK_PATTERN: u32 = 0b00000_11111;

impl Model for DviReceiver {
    fn before_edge(&mut self, now: &Sampled) {
        match &self.input {
            Input::Symbols(lanes) => {
                let symbols = lanes.map(|s| now.get(s) as u16);
                self.link.decoder.clock(symbols);
            }
            Input::Serial { first, second } => {
                let (a, b) = (now.get(*first), now.get(*second));
                self.link.push(a as u8);
                self.link.push(b as u8);
            }
            // The low half's bit; the high half's was read before the falling edge.
            Input::Pins(pins) => self.link.push(now.get(*pins) as u8),
        }
    }

    fn before_falling_edge(&mut self, now: &Sampled) {
        if let Input::Pins(pins) = &self.input {
            self.link.push(now.get(*pins) as u8);
        }
    }

    fn tick(&mut self, _: &mut Simulator) {}
}
