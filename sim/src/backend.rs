//! Which back end runs the program: the interpreter, native code, or the interpreter
//! until native code pays for itself.

use std::time::{Duration, Instant};

use crate::compile::{Program, Readers};
use crate::jit::Compiled;
use crate::program::run;

/// How the simulator runs the design's logic.
///
/// Both back ends run the same compiled program and give the same values at every step;
/// they differ in speed. Set it with [`Simulator::set_backend`](crate::Simulator::set_backend)
/// or, for every simulator of a process, with the environment variable
/// `HDL_SIM_BACKEND=interpreter|compiled|auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Backend {
    /// The reference interpreter: starts at once.
    Interpreter,
    /// Native code generated with Cranelift: a fraction of a second to a few seconds to
    /// generate for large designs, then several times faster.
    Compiled,
    /// The default: interpret, and once the run has taken as long as generating native
    /// code is expected to take (in proportion to the program's size), generate it and
    /// go on with it. A short run never waits for code it does not need, and a long run
    /// is never more than that expected time slower than one compiled from the start.
    #[default]
    Auto,
}

impl Backend {
    /// The back end `HDL_SIM_BACKEND` names, if it names one.
    pub(crate) fn from_env() -> Option<Backend> {
        match std::env::var("HDL_SIM_BACKEND").ok()?.as_str() {
            "interpreter" => Some(Backend::Interpreter),
            "compiled" => Some(Backend::Compiled),
            "auto" => Some(Backend::Auto),
            _ => None,
        }
    }
}

/// A range of the program the simulator runs on its own, by its role and domain.
#[derive(Clone, Copy)]
pub(crate) enum Range {
    Sample(usize),
    Write(usize),
    Reset(usize),
}

/// The expected time to generate native code, per operation of the program (measured on
/// the super-resolution engine's 76 k operations: 1.8 s, about 24 µs each).
const COMPILE_PER_OP: Duration = Duration::from_micros(24);

/// Checks the clock every this many events, so that timing costs nothing per event.
const EVENTS_PER_CHECK: u64 = 1024;

/// Runs ranges of a program on the chosen back end.
pub(crate) struct Executor {
    backend: Backend,
    compiled: Option<Compiled>,
    /// For [`Backend::Auto`]: when the run started, and how many events it has had.
    started: Option<Instant>,
    events: u64,
}

impl Executor {
    /// The executor of `p` on the back end `HDL_SIM_BACKEND` names, or [`Backend::Auto`].
    pub(crate) fn new(p: &Program) -> Executor {
        let mut exec = Executor {
            backend: Backend::Auto,
            compiled: None,
            started: None,
            events: 0,
        };
        let backend = Backend::from_env().unwrap_or_default();
        if let Err(why) = exec.set(backend, p) {
            eprintln!("hdl-sim: HDL_SIM_BACKEND asks for the compiled back end, which is not available ({why}); interpreting");
            exec.backend = Backend::Interpreter;
        }
        exec
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Switches to `backend`, generating native code now if it needs it.
    pub(crate) fn set(&mut self, backend: Backend, p: &Program) -> Result<(), String> {
        self.backend = backend;
        match backend {
            Backend::Interpreter => self.compiled = None,
            Backend::Compiled => self.compile(p)?,
            Backend::Auto => {}
        }
        Ok(())
    }

    fn compile(&mut self, p: &Program) -> Result<(), String> {
        if self.compiled.is_none() {
            self.compiled = Some(Compiled::new(p).map_err(|e| e.0)?);
        }
        Ok(())
    }

    /// Whether native code is in use.
    pub(crate) fn is_compiled(&self) -> bool {
        self.compiled.is_some()
    }

    /// Counts an event of the run; under [`Backend::Auto`], generates native code once
    /// the run has taken as long as that is expected to take.
    pub(crate) fn event(&mut self, p: &Program) {
        if self.backend != Backend::Auto || self.compiled.is_some() {
            return;
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        self.events += 1;
        if !self.events.is_multiple_of(EVENTS_PER_CHECK) {
            return;
        }
        if started.elapsed() >= COMPILE_PER_OP * p.ops.len() as u32 && self.compile(p).is_err() {
            // Where Cranelift cannot generate code, the interpreter goes on.
            self.backend = Backend::Interpreter;
        }
    }

    /// Runs `range` of `p`.
    pub(crate) fn run(&self, p: &Program, range: Range, state: &mut [u64], memory: &mut [u64]) {
        if let Some(c) = &self.compiled {
            return c.run(range, state, memory);
        }
        let (start, end) = match range {
            Range::Sample(d) => p.domains[d].sample,
            Range::Write(d) => p.domains[d].write,
            Range::Reset(d) => p.domains[d].async_reset.expect("only domains with an asynchronous reset reset").1,
        };
        run(&p.ops, start, end, state, memory);
    }

    /// Runs the units marked in `dirty`, in order; a unit whose outputs changed marks
    /// its readers, units in `dirty` and domains in `stale`.
    pub(crate) fn run_dirty(&self, p: &Program, dirty: &mut [u64], stale: &mut [bool], state: &mut [u64], memory: &mut [u64]) {
        if let Some(c) = &self.compiled {
            return c.run_dirty(dirty, stale, state, memory);
        }
        for i in 0..dirty.len() {
            while dirty[i] != 0 {
                let bit = dirty[i].trailing_zeros() as usize;
                dirty[i] &= dirty[i] - 1;
                let unit = &p.units[i * 64 + bit];
                run(&p.ops, unit.ops.0, unit.ops.1, state, memory);
                let mut changed = false;
                let mut shadow = unit.shadow as usize;
                for &(slot, n) in &unit.outputs {
                    for word in slot as usize..(slot + n) as usize {
                        if state[word] != state[shadow] {
                            state[shadow] = state[word];
                            changed = true;
                        }
                        shadow += 1;
                    }
                }
                if changed {
                    wake(dirty, stale, &unit.readers);
                }
            }
        }
    }
}

/// Marks `readers` to look again: units in the dirty set, domains as stale.
pub(crate) fn wake(dirty: &mut [u64], stale: &mut [bool], readers: &Readers) {
    for &u in &readers.units {
        dirty[u as usize / 64] |= 1 << (u % 64);
    }
    for &d in &readers.domains {
        stale[d as usize] = true;
    }
}
