//! The testbench API: create a simulator from a design, set and read signals, advance
//! clocks, attach behavioural models, trace waveforms.

use std::collections::BTreeMap;
use std::path::Path;

use hdl_dsl::{Bits, Design, SignalIndex, Value};

use crate::backend::{wake, Backend, Executor, Range};
use crate::compile::{compile, Clock, Program};
use crate::error::SimError;
use crate::flatten::flatten;
use crate::primitives::ClockOut;
use crate::program::{mask, words};
use crate::vcd::{Trace, VcdWriter};

/// The default clock period: 10 ns (100 MHz).
pub const DEFAULT_PERIOD_PS: u64 = 10_000;

/// A signal of the simulated design, found by [`Simulator::signal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal {
    wire: u32,
    slot: u32,
    width: u32,
}

impl Signal {
    /// Its width in bits.
    pub fn width(self) -> u32 {
        self.width
    }
}

/// A clock domain of the simulated design, found by [`Simulator::domain`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Domain {
    clock: usize,
    /// The domain asked for; `None` for a clock asked for by its signal.
    domain: Option<usize>,
}

/// A bidirectional pin of the design, found by [`Simulator::pad`]: an inout port of the
/// top module on `BB` pads, seen from the board. `line` is the level on the pin;
/// `outside` is what the board drives onto it, bit by bit: 1 leaves the bit to the
/// design and the pull-up, 0 pulls it low. The pin is the wired AND of the design's
/// drive, the board's and the pull-up (a 0 from either side wins), as on an open-drain
/// bus. `outside` starts all ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pad {
    /// The level on the pin.
    pub line: Signal,
    /// What the board drives; set it with [`Simulator::set`].
    pub outside: Signal,
}

/// A memory of the simulated design, found by [`Simulator::memory`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory(usize);

/// A behavioural model beside the design: after every rising edge of its domain's clock
/// it reads the design's outputs and sets its inputs, like the device on the other side
/// of the pins. It must not advance time itself.
pub trait Model {
    /// Called once per cycle of the model's domain, after the edge has settled.
    fn tick(&mut self, sim: &mut Simulator);

    /// Called just before each rising edge of the model's domain, with the values that
    /// edge samples: what a handshake sees (was `valid` and `ready` high?) is read here.
    fn before_edge(&mut self, _now: &Sampled) {}

    /// Called just before each falling edge of the model's domain clock, when the
    /// testbench or a PLL model runs that clock: what a pin shows for the high half of
    /// a period (a DDR output's first bit) is read here.
    fn before_falling_edge(&mut self, _now: &Sampled) {}
}

/// The settled values just before a clock edge, for [`Model::before_edge`].
pub struct Sampled<'a> {
    sim: &'a Simulator,
}

impl Sampled<'_> {
    /// The value of a signal of up to 64 bits (the low 64 bits of a wider one).
    pub fn get(&self, s: Signal) -> u64 {
        self.sim.state[s.slot as usize]
    }

    /// The value of a signal of any width.
    pub fn get_bits(&self, s: Signal) -> Bits {
        let at = s.slot as usize;
        Bits::from_words(&self.sim.state[at..at + words(s.width) as usize], s.width)
    }

    /// How many rising edges the domain's clock has had before this one.
    pub fn cycles(&self, d: Domain) -> u64 {
        self.sim.cycles(d)
    }
}

impl<F: FnMut(&mut Simulator)> Model for F {
    fn tick(&mut self, sim: &mut Simulator) {
        self(sim)
    }
}

/// The schedule of a clock the testbench drives, or a PLL model makes.
struct Schedule {
    period: u64,
    /// Time of the next change.
    next: u64,
    /// Level after the next change.
    rising: bool,
    /// Whether the clock has changed yet.
    started: bool,
    /// For a PLL's output: how it follows the PLL's input.
    derived: Option<Derived>,
}

impl Schedule {
    /// A clock the testbench runs, at the default period until it says otherwise.
    fn free() -> Schedule {
        Schedule {
            period: DEFAULT_PERIOD_PS,
            next: DEFAULT_PERIOD_PS / 2,
            rising: true,
            started: false,
            derived: None,
        }
    }
}

/// A clock made by a PLL model from the clock on its `CLKI`.
struct Derived {
    /// The input clock.
    source: usize,
    out: ClockOut,
    /// The input's rising edge at which the PLL locks, and its period, as the
    /// simulation started.
    origin: u64,
    source_period: u64,
    /// How many changes the output has had.
    changes: u64,
}

impl Derived {
    /// The time of change `n` (even: rising), exact to the picosecond below: the
    /// output's edges do not drift against its input's.
    fn change(&self, n: u64) -> u64 {
        let units = (self.out.delay + n * self.out.half) as u128;
        let t = self.source_period as u128 * self.out.unit_num as u128 * units / self.out.unit_den as u128;
        self.origin + t as u64
    }
}

/// A running simulation of a design.
///
/// Time starts at 0 with every clock low; a clock of period `p` rises at `p/2`, `3p/2`,
/// …, so after `n` ticks of a domain, `n` rising edges have happened. Registers and
/// memories start at their init values, the data of synchronous read ports at zero.
/// All values are two-state.
pub struct Simulator {
    p: Program,
    state: Vec<u64>,
    memory: Vec<u64>,
    /// Runs the program: interpreted or compiled.
    exec: Executor,
    /// Units to re-run, as a bit set.
    dirty: Vec<u64>,
    /// Per domain: whether anything its next values depend on changed since it last
    /// sampled them.
    stale: Vec<bool>,
    /// The domains that sampled at the current edge.
    sampled: Vec<usize>,
    names: BTreeMap<String, u32>,
    /// The top's pads by name: the pin's wire and its `.outside` wire.
    pads: BTreeMap<String, (u32, u32)>,
    /// The design's signals, by the values they were built as.
    signals: SignalIndex,
    top: String,
    /// Per clock: the level seen last, and how many rising edges it has had.
    clock_level: Vec<bool>,
    clock_edges: Vec<u64>,
    /// Per clock: edges the models have not seen.
    unseen: Vec<bool>,
    schedules: Vec<Option<Schedule>>,
    reset_level: Vec<bool>,
    rising: Vec<usize>,
    time: u64,
    models: Vec<(usize, Box<dyn Model>)>,
    vcd: Option<VcdWriter>,
    /// The error that ended tracing early, reported by `finish_trace`.
    vcd_error: Option<SimError>,
}

/// Adds a clock on `slot` that no domain uses (a PLL's input or output), with its
/// schedule; returns its index.
fn add_clock(p: &mut Program, schedules: &mut Vec<Option<Schedule>>, slot: u32, free: Option<usize>, schedule: Option<Schedule>) -> usize {
    p.clocks.push(Clock {
        slot,
        free,
        domains: Vec::new(),
    });
    schedules.push(schedule);
    p.clocks.len() - 1
}

impl Simulator {
    /// Compiles `design` for simulation, every instance of a vendor primitive replaced by
    /// its model. An instance of anything hdl-sim has no model of is an error naming it;
    /// see [`Simulator::with_black_boxes`].
    pub fn new(design: &Design) -> Result<Simulator, SimError> {
        Simulator::with_black_boxes(design, &[])
    }

    /// Compiles `design` for simulation with the instances at `paths` (`"video.dvi.ddr0"`)
    /// left as black boxes: their outputs are inputs of the simulation, for the
    /// testbench or a [`Model`] to set, and their inputs go nowhere.
    pub fn with_black_boxes(design: &Design, paths: &[&str]) -> Result<Simulator, SimError> {
        let flat = flatten(design.netlist(), paths)?;
        let mut p = compile(&flat);
        let names = p.wires.iter().enumerate().map(|(i, w)| (w.name.clone(), i as u32)).collect();
        let pads = flat
            .pads
            .iter()
            .map(|&(line, outside)| (p.wires[line.index()].name.clone(), (line.index() as u32, outside.index() as u32)))
            .collect();
        let mut schedules: Vec<Option<Schedule>> = p.clocks.iter().map(|c| c.free.map(|_| Schedule::free())).collect();
        for (wire, clki, out, pll) in &flat.generated {
            let (slot, free) = (p.wires[wire.index()].slot, p.wires[wire.index()].free);
            let clock = p.clocks.iter().position(|c| c.slot == slot);
            let clock = clock.unwrap_or_else(|| add_clock(&mut p, &mut schedules, slot, free, None));
            let source_slot = p.wires[clki.index()].slot;
            let source = p.clocks.iter().position(|c| c.slot == source_slot).or_else(|| {
                // A top-level input that clocks nothing but PLLs is a clock all the same.
                let input = p.wires.iter().find(|w| w.slot == source_slot && w.free.is_some())?.free;
                Some(add_clock(&mut p, &mut schedules, source_slot, input, Some(Schedule::free())))
            });
            let why = match source.map(|c| &schedules[c]) {
                Some(Some(Schedule { derived: None, .. })) => None,
                Some(Some(_)) => Some("the output of another PLL"),
                _ => Some("driven by logic in the design, not by a top-level input"),
            };
            if let Some(why) = why {
                return Err(SimError::PllInput {
                    instance: pll.clone(),
                    why: why.into(),
                });
            }
            let source = source.expect("a clock the testbench runs");
            schedules[clock] = Some(Schedule {
                period: 0,
                next: 0,
                rising: true,
                started: false,
                derived: Some(Derived {
                    source,
                    out: out.clone(),
                    origin: 0,
                    source_period: 0,
                    changes: 0,
                }),
            });
        }
        let mut sim = Simulator {
            state: p.state.clone(),
            memory: p.memory.clone(),
            dirty: (0..p.units.len().div_ceil(64).max(1))
                .map(|i| mask(p.units.len().saturating_sub(i * 64).min(64) as u32))
                .collect(),
            exec: Executor::new(&p),
            stale: vec![true; p.domains.len()],
            sampled: Vec::with_capacity(p.domains.len()),
            names,
            pads,
            signals: design.signals(),
            top: flat.module.name.clone(),
            clock_level: vec![false; p.clocks.len()],
            clock_edges: vec![0; p.clocks.len()],
            unseen: vec![false; p.clocks.len()],
            schedules,
            reset_level: vec![false; p.domains.len()],
            rising: Vec::with_capacity(p.clocks.len()),
            time: 0,
            models: Vec::new(),
            vcd: None,
            vcd_error: None,
            p,
        };
        sim.follow_sources();
        // The levels the initial values settle to are where clocks start, not edges: a
        // clock made by inverting one that starts low starts high without ticking.
        sim.run_dirty();
        for (c, clock) in sim.p.clocks.iter().enumerate() {
            sim.clock_level[c] = sim.state[clock.slot as usize] & 1 == 1;
        }
        sim.settle();
        Ok(sim)
    }

    /// Times the clocks of PLL models from their inputs' periods (before they start).
    fn follow_sources(&mut self) {
        for c in 0..self.schedules.len() {
            let Some(Schedule {
                derived: Some(d),
                started: false,
                ..
            }) = &self.schedules[c]
            else {
                continue;
            };
            let Some(source) = &self.schedules[d.source] else { continue };
            let (first, source_period) = (source.next, source.period);
            let origin = first + (crate::primitives::LOCK_CYCLES - 1) * source_period;
            if let Some(s) = &mut self.schedules[c] {
                if let Some(d) = &mut s.derived {
                    d.origin = origin;
                    d.source_period = source_period;
                    s.next = d.change(0);
                    s.period = d.change(2) - d.change(0);
                }
            }
        }
    }

    /// Runs the design's logic on `backend` from now on (see [`Backend`]); choosing
    /// [`Backend::Compiled`] generates the native code at once. An error says why native
    /// code could not be generated (for instance, a processor Cranelift does not support);
    /// the simulator then goes on as it was.
    pub fn set_backend(&mut self, backend: Backend) -> Result<(), SimError> {
        self.exec.set(backend, &self.p).map_err(|why| SimError::Backend { why })
    }

    /// The back end chosen, and whether native code runs now (under [`Backend::Auto`],
    /// once the run has been long enough).
    pub fn backend(&self) -> (Backend, bool) {
        (self.exec.backend(), self.exec.is_compiled())
    }

    // ---- finding things ----------------------------------------------------------------

    /// The signal at a hierarchical path: `"count"` in the top module, `"child.count"`
    /// inside instance `child`.
    pub fn signal(&self, path: &str) -> Result<Signal, SimError> {
        match self.names.get(path) {
            Some(&wire) => Ok(self.signal_at(wire)),
            None => {
                let last = path.rsplit('.').next().unwrap_or(path);
                let mut candidates: Vec<String> = self.names.keys().filter(|n| n.rsplit('.').next() == Some(last)).cloned().collect();
                if candidates.is_empty() {
                    candidates = self.names.keys().filter(|n| !n.contains('.')).cloned().collect();
                }
                Err(SimError::UnknownSignal {
                    name: path.to_owned(),
                    candidates,
                })
            }
        }
    }

    /// Every signal of the design, by hierarchical name, in name order.
    pub fn signals(&self) -> impl Iterator<Item = (&str, Signal)> + '_ {
        self.names.iter().map(|(name, &wire)| (name.as_str(), self.signal_at(wire)))
    }

    /// The pad at inout port `name` of the top module, for a model of what is on the
    /// board beside it (see [`Pad`]).
    pub fn pad(&self, name: &str) -> Result<Pad, SimError> {
        let &(line, outside) = self.pads.get(name).ok_or_else(|| SimError::NotAPad {
            name: name.to_owned(),
            pads: self.pads.keys().cloned().collect(),
        })?;
        Ok(Pad {
            line: self.signal_at(line),
            outside: self.signal_at(outside),
        })
    }

    fn signal_at(&self, wire: u32) -> Signal {
        let w = &self.p.wires[wire as usize];
        Signal {
            wire,
            slot: w.slot,
            width: w.width,
        }
    }

    /// The signal the design built as `value`: a port, a `Module::signal`, or an
    /// interface member, as the code that built the design holds it; for instance
    /// `sim.signal_of(&engine.o.valid)`. No generated name to spell.
    pub fn signal_of(&self, value: &Value) -> Result<Signal, SimError> {
        let path = self.signals.path(value).map_err(|why| SimError::NotASignal { why })?;
        self.signal(&path)
    }

    /// The clock domain called `name` (`"sync"`, or `"child.fast"` for a domain
    /// declared inside instance `child`).
    pub fn domain(&self, name: &str) -> Result<Domain, SimError> {
        let Some(domain) = self.p.domains.iter().position(|d| d.name == name) else {
            let mut domains: Vec<String> = self.p.domains.iter().map(|d| d.name.clone()).collect();
            domains.sort();
            domains.dedup();
            return Err(SimError::UnknownDomain {
                name: name.to_owned(),
                domains,
            });
        };
        let clock = self.p.domains[domain].clock;
        if self.schedules[clock].is_none() {
            return Err(SimError::DerivedClock { domain: name.to_owned() });
        }
        Ok(Domain {
            clock,
            domain: Some(domain),
        })
    }

    /// The name of a signal carrying clock `clock`.
    fn clock_name(&self, clock: usize) -> String {
        let slot = self.p.clocks[clock].slot;
        let wire = self.p.wires.iter().find(|w| w.slot == slot && w.free.is_some());
        wire.or_else(|| self.p.wires.iter().find(|w| w.slot == slot))
            .map_or_else(String::new, |w| w.name.clone())
    }

    /// The memory called `name` (hierarchical like signals).
    pub fn memory(&self, name: &str) -> Result<Memory, SimError> {
        match self.p.memories.iter().position(|m| m.name == name) {
            Some(i) => Ok(Memory(i)),
            None => Err(SimError::UnknownMemory {
                name: name.to_owned(),
                memories: self.p.memories.iter().map(|m| m.name.clone()).collect(),
            }),
        }
    }

    // ---- values ------------------------------------------------------------------------

    fn settable(&self, s: Signal) -> Result<usize, SimError> {
        self.p.wires[s.wire as usize].free.ok_or_else(|| SimError::NotSettable {
            name: self.p.wires[s.wire as usize].name.clone(),
            settable: self.p.wires.iter().filter(|w| w.free.is_some()).map(|w| w.name.clone()).collect(),
        })
    }

    fn too_wide(&self, s: Signal, value: String) -> SimError {
        SimError::ValueTooWide {
            name: self.p.wires[s.wire as usize].name.clone(),
            width: s.width,
            value,
        }
    }

    fn write(&mut self, s: Signal, free: usize, words_: &[u64]) {
        let at = s.slot as usize;
        let n = words(s.width) as usize;
        if self.state[at..at + n] != words_[..n] {
            self.state[at..at + n].copy_from_slice(&words_[..n]);
            wake(&mut self.dirty, &mut self.stale, &self.p.free_readers[free]);
        }
    }

    /// Sets an input (of the top module, or an output of a black box) to an unsigned
    /// value. Takes effect at once for combinational logic, at the next edge for registers.
    pub fn set(&mut self, s: Signal, value: u64) -> Result<(), SimError> {
        let free = self.settable(s)?;
        if s.width < 64 && value > mask(s.width) {
            return Err(self.too_wide(s, value.to_string()));
        }
        if s.width > 64 {
            self.write(s, free, Bits::from_u128(value as u128, s.width).words());
        } else {
            self.write(s, free, &[value]);
        }
        Ok(())
    }

    /// Sets an input to a signed value, in two's complement.
    pub fn set_i64(&mut self, s: Signal, value: i64) -> Result<(), SimError> {
        let free = self.settable(s)?;
        let fits = s.width >= 64 || (value >= -(1i64 << (s.width - 1)) && value < (1i64 << s.width));
        if !fits {
            return Err(self.too_wide(s, value.to_string()));
        }
        let bits = Bits::from_i128(value as i128, s.width);
        self.write(s, free, bits.words());
        Ok(())
    }

    /// Sets an input of any width; `value` must have the signal's width.
    pub fn set_bits(&mut self, s: Signal, value: &Bits) -> Result<(), SimError> {
        let free = self.settable(s)?;
        if value.width() != s.width {
            return Err(self.too_wide(s, format!("{value} ({} bits)", value.width())));
        }
        self.write(s, free, value.words());
        Ok(())
    }

    /// The value of a signal as an unsigned number: exact up to 64 bits, the low 64
    /// bits of wider signals (use [`Simulator::get_bits`] for those).
    pub fn get(&mut self, s: Signal) -> u64 {
        self.settle_logic();
        self.state[s.slot as usize]
    }

    /// The value of a signal of up to 64 bits read as two's complement.
    pub fn get_i64(&mut self, s: Signal) -> i64 {
        let v = self.get(s);
        let sh = 64 - s.width.min(64);
        ((v << sh) as i64) >> sh
    }

    /// The value of a signal of any width.
    pub fn get_bits(&mut self, s: Signal) -> Bits {
        self.settle_logic();
        let at = s.slot as usize;
        Bits::from_words(&self.state[at..at + words(s.width) as usize], s.width)
    }

    /// A word of a memory.
    pub fn read_memory(&self, m: Memory, address: u64) -> Result<Bits, SimError> {
        let info = &self.p.memories[m.0];
        let n = words(info.width) as usize;
        let at = self.memory_word(m, address)?;
        Ok(Bits::from_words(&self.memory[at..at + n], info.width))
    }

    /// Overwrites a word of a memory, as a testbench back door (no port involved).
    pub fn write_memory(&mut self, m: Memory, address: u64, value: &Bits) -> Result<(), SimError> {
        let info = &self.p.memories[m.0];
        if value.width() != info.width {
            return Err(SimError::ValueTooWide {
                name: info.name.clone(),
                width: info.width,
                value: format!("{value} ({} bits)", value.width()),
            });
        }
        let at = self.memory_word(m, address)?;
        self.memory[at..at + value.words().len()].copy_from_slice(value.words());
        wake(&mut self.dirty, &mut self.stale, &self.p.memory_readers[m.0]);
        Ok(())
    }

    fn memory_word(&self, m: Memory, address: u64) -> Result<usize, SimError> {
        let info = &self.p.memories[m.0];
        if address >= info.depth as u64 {
            return Err(SimError::AddressOutOfRange {
                memory: info.name.clone(),
                address,
                depth: info.depth,
            });
        }
        Ok(info.base as usize + address as usize * words(info.width) as usize)
    }

    // ---- time --------------------------------------------------------------------------

    /// The current time in picoseconds.
    pub fn time_ps(&self) -> u64 {
        self.time
    }

    /// How many rising edges the domain's clock has had.
    pub fn cycles(&self, d: Domain) -> u64 {
        self.clock_edges[d.clock]
    }

    /// Sets the period of a domain's clock (and every domain on the same clock). Before
    /// the clock's first change it starts over with this period, rising first at
    /// `period / 2`; later it takes effect from the next change. The clocks a PLL makes
    /// follow their input, set before the simulation starts; setting theirs does nothing.
    pub fn set_period(&mut self, d: Domain, period_ps: u64) {
        if let Some(s) = &mut self.schedules[d.clock] {
            if s.derived.is_some() {
                return;
            }
            s.period = period_ps.max(2);
            if !s.started {
                s.next = (s.period / 2).max(self.time);
            }
        }
        self.follow_sources();
    }

    /// The clock the testbench runs on signal `clock` (an input of the top module that
    /// clocks a domain, such as a board's oscillator pin feeding a PLL), as a
    /// [`Domain`] to tick and to set the period of.
    pub fn clock(&self, clock: Signal) -> Result<Domain, SimError> {
        let found = self.p.clocks.iter().position(|c| c.slot == clock.slot);
        match found {
            Some(c) if self.schedules[c].is_some() => Ok(Domain { clock: c, domain: None }),
            _ => Err(SimError::NotAClock {
                name: self.p.wires[clock.wire as usize].name.clone(),
                clocks: self.testbench_clocks(),
            }),
        }
    }

    /// Takes clock `d` (a top-level input the testbench runs) out of its schedule: from
    /// now on it changes only when the testbench or a [`Model`] sets its signal, as a
    /// camera's PCLK, which the camera makes from the XCLK the design gives it. The
    /// clocks a PLL makes cannot be taken.
    pub fn take_clock(&mut self, d: Domain) -> Result<(), SimError> {
        match &self.schedules[d.clock] {
            Some(s) if s.derived.is_none() && self.p.clocks[d.clock].free.is_some() => {
                self.schedules[d.clock] = None;
                Ok(())
            }
            _ => Err(SimError::NotAClock {
                name: self.clock_name(d.clock),
                clocks: self.testbench_clocks(),
            }),
        }
    }

    /// The names of the clocks the testbench runs.
    fn testbench_clocks(&self) -> Vec<String> {
        (0..self.p.clocks.len())
            .filter(|&c| self.schedules[c].as_ref().is_some_and(|s| s.derived.is_none()))
            .map(|c| self.clock_name(c))
            .collect()
    }

    /// Runs until the next rising edge of the domain's clock has happened and settled,
    /// and the models have reacted. Other clocks run alongside by their periods.
    pub fn tick(&mut self, d: Domain) {
        let before = self.clock_edges[d.clock];
        while self.clock_edges[d.clock] == before {
            self.next_event();
        }
    }

    /// [`Simulator::tick`] `n` times.
    pub fn ticks(&mut self, d: Domain, n: u64) {
        for _ in 0..n {
            self.tick(d);
        }
    }

    /// Runs for `ps` picoseconds of simulated time.
    pub fn run_for(&mut self, ps: u64) {
        let end = self.time + ps;
        while let Some(t) = self.next_change() {
            if t > end {
                break;
            }
            self.next_event();
        }
        self.time = end;
        self.sample_vcd();
    }

    /// Ticks `d` until `done` holds (checked before each tick); returns the ticks taken,
    /// or an error after `max_cycles`.
    pub fn run_until(&mut self, d: Domain, max_cycles: u64, mut done: impl FnMut(&mut Simulator) -> bool) -> Result<u64, SimError> {
        for n in 0..=max_cycles {
            if done(self) {
                return Ok(n);
            }
            if n < max_cycles {
                self.tick(d);
            }
        }
        Err(SimError::Timeout {
            domain: match d.domain {
                Some(domain) => self.p.domains[domain].name.clone(),
                None => self.clock_name(d.clock),
            },
            cycles: max_cycles,
        })
    }

    fn next_change(&self) -> Option<u64> {
        self.schedules.iter().flatten().map(|s| s.next).min()
    }

    /// Moves time to the next clock change and applies every change due then.
    fn next_event(&mut self) {
        let Some(t) = self.next_change() else {
            return;
        };
        self.exec.event(&self.p);
        if !self.models.is_empty() {
            self.models_before_change(t);
        }
        self.time = t;
        for c in 0..self.schedules.len() {
            let Some(s) = &mut self.schedules[c] else { continue };
            if s.next != t {
                continue;
            }
            let level = s.rising;
            match &mut s.derived {
                Some(d) => {
                    d.changes += 1;
                    s.next = d.change(d.changes);
                }
                None => {
                    let half = s.period / 2;
                    s.next += if level { s.period - half } else { half };
                }
            }
            s.rising = !level;
            s.started = true;
            let slot = self.p.clocks[c].slot as usize;
            self.state[slot] = level as u64;
            if let Some(free) = self.p.clocks[c].free {
                wake(&mut self.dirty, &mut self.stale, &self.p.free_readers[free]);
            }
        }
        self.settle();
        self.sample_vcd();
    }

    // ---- evaluation --------------------------------------------------------------------

    /// Brings every signal up to date: combinational logic, asynchronous resets, clock
    /// edges (including clocks made by logic), then the models of the clocks that ticked.
    /// [`Simulator::tick`] and [`Simulator::run_for`] do this; call it after setting
    /// clock inputs by hand.
    pub fn settle(&mut self) {
        loop {
            self.settle_logic();
            if self.models.is_empty() || !self.unseen.iter().any(|&u| u) {
                self.unseen.iter_mut().for_each(|u| *u = false);
                return;
            }
            let mut models = std::mem::take(&mut self.models);
            let unseen = std::mem::replace(&mut self.unseen, vec![false; self.p.clocks.len()]);
            for (clock, model) in &mut models {
                if unseen[*clock] {
                    model.tick(self);
                }
            }
            models.append(&mut self.models);
            self.models = models;
        }
    }

    /// Runs the units marked dirty, in order; a unit whose outputs changed marks its
    /// readers.
    fn run_dirty(&mut self) {
        self.exec
            .run_dirty(&self.p, &mut self.dirty, &mut self.stale, &mut self.state, &mut self.memory);
    }

    fn settle_logic(&mut self) {
        loop {
            self.run_dirty();
            let mut reset = false;
            for &d in &self.p.async_resets {
                let domain = &self.p.domains[d];
                let Some((wire, _)) = domain.async_reset else { continue };
                let level = self.state[wire as usize] & 1 == 1;
                if level && !self.reset_level[d] {
                    self.exec.run(&self.p, Range::Reset(d), &mut self.state, &mut self.memory);
                    for r in &domain.registers {
                        wake(&mut self.dirty, &mut self.stale, &r.readers);
                    }
                    self.stale[d] = true;
                    reset = true;
                }
                self.reset_level[d] = level;
            }
            if reset {
                continue;
            }
            self.rising.clear();
            for (c, clock) in self.p.clocks.iter().enumerate() {
                let level = self.state[clock.slot as usize] & 1 == 1;
                if level && !self.clock_level[c] {
                    self.rising.push(c);
                }
                self.clock_level[c] = level;
            }
            if self.rising.is_empty() {
                return;
            }
            self.models_before_edge();
            self.fire();
        }
    }

    /// Shows the models of the scheduled clocks about to change at `t` the values just
    /// before: before the clock moves, so that even what depends on the clock's level
    /// (a DDR output) is seen as it was.
    fn models_before_change(&mut self, t: u64) {
        let changing = |s: &Option<Schedule>| s.as_ref().is_some_and(|s| s.next == t);
        if !self.schedules.iter().any(changing) {
            return;
        }
        self.settle_logic();
        let mut models = std::mem::take(&mut self.models);
        for (clock, model) in &mut models {
            match &self.schedules[*clock] {
                Some(s) if s.next == t && s.rising => model.before_edge(&Sampled { sim: self }),
                Some(s) if s.next == t => model.before_falling_edge(&Sampled { sim: self }),
                _ => {}
            }
        }
        self.models = models;
    }

    /// Shows the models of the clocks made by logic that are about to rise the values
    /// their edge samples (those of scheduled clocks saw them before the clock moved).
    fn models_before_edge(&mut self) {
        if self.models.is_empty() {
            return;
        }
        let mut models = std::mem::take(&mut self.models);
        for (clock, model) in &mut models {
            if self.rising.contains(clock) && self.schedules[*clock].is_none() {
                model.before_edge(&Sampled { sim: self });
            }
        }
        self.models = models;
    }

    /// The rising edges in `self.rising`: every domain on them whose inputs changed
    /// samples, then memories are written, then registers take their new values and wake
    /// their readers. A domain none of whose inputs changed would compute the values it
    /// holds, so it is skipped.
    fn fire(&mut self) {
        let p = &self.p;
        let (state, memory, stale) = (&mut self.state, &mut self.memory, &mut self.stale);
        self.sampled.clear();
        for &c in &self.rising {
            for &d in &p.clocks[c].domains {
                if std::mem::replace(&mut stale[d], false) {
                    self.exec.run(p, Range::Sample(d), state, memory);
                    self.sampled.push(d);
                }
            }
        }
        for &d in &self.sampled {
            let (start, end) = p.domains[d].write;
            if start < end {
                self.exec.run(p, Range::Write(d), state, memory);
                wake(&mut self.dirty, stale, &p.domains[d].writes_reach);
            }
        }
        for &d in &self.sampled {
            let domain = &p.domains[d];
            for r in &domain.registers {
                let (cur, n) = (r.cur as usize, r.words as usize);
                let next = cur + domain.next_offset as usize;
                if state[cur..cur + n] != state[next..next + n] {
                    state.copy_within(next..next + n, cur);
                    wake(&mut self.dirty, stale, &r.readers);
                    // Its next values start from what it holds.
                    stale[d] = true;
                }
            }
        }
        for &c in &self.rising {
            self.clock_edges[c] += 1;
            self.unseen[c] = true;
        }
    }

    // ---- models and waveforms ------------------------------------------------------------

    /// Attaches a behavioural model that reacts after every rising edge of `d`'s clock.
    pub fn add_model(&mut self, d: Domain, model: impl Model + 'static) {
        self.models.push((d.clock, Box::new(model)));
    }

    /// Starts writing a VCD file of the signals `trace` selects; it is complete when the
    /// window ends, [`Simulator::finish_trace`] is called, or the simulator is dropped.
    pub fn trace(&mut self, path: impl AsRef<Path>, trace: &Trace) -> Result<(), SimError> {
        let missing = trace.unmatched(self.names.keys().map(|s| s.as_str()));
        if let Some(name) = missing.first() {
            return Err(self.signal(name).err().unwrap_or(SimError::UnknownSignal {
                name: name.clone(),
                candidates: Vec::new(),
            }));
        }
        let signals: Vec<(String, u32, u32)> = self
            .names
            .iter()
            .filter(|(name, _)| trace.selects(name))
            .map(|(name, &w)| {
                let w = &self.p.wires[w as usize];
                (name.clone(), w.slot, w.width)
            })
            .collect();
        self.finish_trace()?;
        let mut vcd = VcdWriter::create(path.as_ref(), &self.top, &signals, trace.window_range())?;
        self.settle_logic();
        vcd.sample(self.time, &self.state)?;
        self.vcd = Some(vcd);
        Ok(())
    }

    /// Completes and closes the VCD file, if one is open.
    pub fn finish_trace(&mut self) -> Result<(), SimError> {
        if let Some(e) = self.vcd_error.take() {
            self.vcd = None;
            return Err(e);
        }
        match self.vcd.take() {
            Some(mut v) => v.close(),
            None => Ok(()),
        }
    }

    fn sample_vcd(&mut self) {
        if let Some(v) = &mut self.vcd {
            // An I/O error ends the trace; `finish_trace` reports it.
            if let Err(e) = v.sample(self.time, &self.state) {
                self.vcd_error = Some(e);
                self.vcd = None;
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.finish_trace();
    }
}
