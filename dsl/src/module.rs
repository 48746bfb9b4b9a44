//! The module builder: signals, ports, clock domains, statements and submodules.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::bits::Bits;
use crate::error::{Error, ErrorKind, Location};
use crate::fsm::FsmDecl;
use crate::instance::InstanceDecl;
use crate::layout::{Layout, View};
use crate::memory::MemoryDecl;
use crate::shape::Shape;
use crate::stmt::{IntoStatements, Stmt};
use crate::value::{SignalRef, Value, ValueKind};

/// The name of the default clock domain: its ports are `clk` and `rst`.
pub const SYNC: &str = "sync";

/// Whether a signal is a port of its module, and which way.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Direction {
    /// Driven from outside the module.
    Input,
    /// Driven inside the module, read outside.
    Output,
    /// A pad: a pin of the chip that the design and the outside world both drive,
    /// connected inside the module to the bidirectional pin of a pad primitive (`BB`'s
    /// `B`) with [`InstanceBuilder::inout`](crate::InstanceBuilder::inout). Only the top
    /// module has them: they are the chip's pins.
    InOut,
}

#[derive(Clone, Debug)]
pub(crate) struct SignalDecl {
    pub(crate) name: String,
    pub(crate) shape: Shape,
    pub(crate) init: Value,
    pub(crate) port: Option<Direction>,
    pub(crate) location: Location,
    /// Set by [`Module::keep`].
    pub(crate) keep: bool,
}

/// How a clock domain's registers are reset.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResetKind {
    /// No reset: registers start from their init values at power-on only.
    None,
    /// Reset on a clock edge while the reset signal is high.
    Sync,
    /// Reset as soon as the reset signal rises, without waiting for the clock.
    Async,
}

#[derive(Clone, Debug)]
pub(crate) enum DomainSource {
    /// Clock (and reset) are signals of this module.
    Local { clk: Value, rst: Option<Value> },
    /// Clock (and reset) come in through ports `<name>_clk`, `<name>_rst`.
    Ports,
}

#[derive(Clone, Debug)]
pub(crate) struct DomainDecl {
    pub(crate) name: String,
    pub(crate) source: DomainSource,
    pub(crate) reset: ResetKind,
    pub(crate) location: Location,
}

pub(crate) struct SubmoduleDecl {
    pub(crate) name: String,
    pub(crate) module: Module,
    /// Each explicit port of the child with the parent signal connected to it.
    pub(crate) ports: Vec<(String, Direction, Value)>,
    pub(crate) location: Location,
}

/// A hardware module under construction: Amaranth's `Module`, built through `&mut self`.
///
/// ```
/// use hdl_dsl::*;
/// let mut m = Module::new("blinky");
/// let led = m.output("led", unsigned(8));
/// let count = m.signal("count", unsigned(28));
/// m.sync(count.eq(count.wrapping_add(1u32)));
/// m.comb(led.eq(count.slice(20..28)));
/// let design = Design::elaborate(m).unwrap();
/// assert!(design.verilog().contains("module blinky"));
/// ```
pub struct Module {
    pub(crate) uid: u32,
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) signals: Vec<SignalDecl>,
    pub(crate) domains: Vec<DomainDecl>,
    pub(crate) submodules: Vec<SubmoduleDecl>,
    pub(crate) instances: Vec<InstanceDecl>,
    pub(crate) memories: Vec<MemoryDecl>,
    pub(crate) fsms: Vec<FsmDecl>,
    pub(crate) errors: Vec<Error>,
    /// Open statement blocks; the first is the module's top level.
    blocks: Vec<Vec<Stmt>>,
}

static NEXT_UID: AtomicU32 = AtomicU32::new(0);

impl Module {
    /// A new, empty module; `name` becomes its Verilog module name.
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Module {
        Module {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
            location: Location::caller(),
            signals: Vec::new(),
            domains: Vec::new(),
            submodules: Vec::new(),
            instances: Vec::new(),
            memories: Vec::new(),
            fsms: Vec::new(),
            errors: Vec::new(),
            blocks: vec![Vec::new()],
        }
    }

    /// The module's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn body(&self) -> &[Stmt] {
        &self.blocks[0]
    }

    pub(crate) fn add_signal(&mut self, name: String, shape: Shape, init: Value, port: Option<Direction>, location: Location) -> Value {
        let index = self.signals.len() as u32;
        self.signals.push(SignalDecl {
            name: name.clone(),
            shape,
            init,
            port,
            location,
            keep: false,
        });
        Value::new(
            shape,
            ValueKind::Signal(SignalRef {
                module: self.uid,
                index,
                name: Arc::from(name),
            }),
        )
    }

    /// An internal signal, initially (and after reset) zero.
    #[track_caller]
    pub fn signal(&mut self, name: impl Into<String>, shape: Shape) -> Value {
        self.add_signal(name.into(), shape, Value::from(false), None, Location::caller())
    }

    /// `value` delayed by `cycles` registers in `sync`, called `<name>0`, `<name>1`, …:
    /// the way to keep a value in step with a pipeline it runs beside.
    #[track_caller]
    pub fn delayed(&mut self, name: &str, value: &Value, cycles: u32) -> Value {
        let location = Location::caller();
        let mut v = value.clone();
        for stage in 0..cycles {
            let next = self.add_signal(format!("{name}{stage}"), v.shape(), Value::from(false), None, location);
            self.sync(next.eq(&v));
            v = next;
        }
        v
    }

    /// Keeps the registers of the clocked logic that drives `signal` apart through
    /// synthesis. yosys merges registers with the same input into one, which undoes a
    /// register replicated on purpose: copies of an address, each beside the far-apart
    /// block RAMs it feeds, become one register routed across the device. The Verilog
    /// back end marks the `always` block that drives a kept signal `(* keep *)`, which
    /// keeps every register of that block (of this module and domain). Simulation is
    /// unchanged. `signal` must be a whole signal of this module.
    #[track_caller]
    pub fn keep(&mut self, signal: &Value) {
        let location = Location::caller();
        match signal.kind() {
            ValueKind::Signal(s) if s.module == self.uid => self.signals[s.index as usize].keep = true,
            _ => self.errors.push(Error::new(
                ErrorKind::Invalid,
                format!("`keep` takes a whole signal of module `{}`, not `{signal:?}`", self.name),
                location,
            )),
        }
    }

    /// An internal signal with an init value: its value at power-on and after reset, and
    /// the value of a combinational signal in cycles where nothing assigns it.
    #[track_caller]
    pub fn signal_init(&mut self, name: impl Into<String>, shape: Shape, init: impl Into<Value>) -> Value {
        self.add_signal(name.into(), shape, init.into(), None, Location::caller())
    }

    /// An internal signal with a layout: one signal per field (`<name>_<field>`), seen
    /// together as a [`View`].
    #[track_caller]
    pub fn signal_layout(&mut self, name: impl Into<String>, layout: &Layout) -> View {
        let name = name.into();
        let location = Location::caller();
        let parts = layout
            .leaves()
            .into_iter()
            .map(|(suffix, shape)| self.add_signal(format!("{name}{suffix}"), shape, Value::from(false), None, location))
            .collect();
        View::from_parts(layout.clone(), parts)
    }

    /// An input port.
    #[track_caller]
    pub fn input(&mut self, name: impl Into<String>, shape: Shape) -> Value {
        self.add_signal(name.into(), shape, Value::from(false), Some(Direction::Input), Location::caller())
    }

    /// An output port; it must be driven inside the module.
    #[track_caller]
    pub fn output(&mut self, name: impl Into<String>, shape: Shape) -> Value {
        self.add_signal(name.into(), shape, Value::from(false), Some(Direction::Output), Location::caller())
    }

    /// An `inout` port: a pad of the chip, connected to the bidirectional pin of a pad
    /// primitive (`BB`'s `B`, one instance per bit) with
    /// [`InstanceBuilder::inout`](crate::InstanceBuilder::inout). The design reads the
    /// pad through the primitive's `O` and drives it through `I` and `T`; logic never
    /// assigns the port itself. Only the top module may have one.
    #[track_caller]
    pub fn inout(&mut self, name: impl Into<String>, shape: Shape) -> Value {
        self.add_signal(name.into(), shape, Value::from(false), Some(Direction::InOut), Location::caller())
    }

    /// An output port with an init value (see [`Module::signal_init`]).
    #[track_caller]
    pub fn output_init(&mut self, name: impl Into<String>, shape: Shape, init: impl Into<Value>) -> Value {
        self.add_signal(name.into(), shape, init.into(), Some(Direction::Output), Location::caller())
    }

    pub(crate) fn push(&mut self, stmt: Stmt) {
        self.blocks.last_mut().expect("the top block is never closed").push(stmt);
    }

    /// Runs `body` with a fresh statement block open and returns what it recorded.
    pub(crate) fn record(&mut self, body: impl FnOnce(&mut Module)) -> Vec<Stmt> {
        self.blocks.push(Vec::new());
        body(self);
        self.blocks.pop().expect("the block opened above")
    }

    pub(crate) fn last_stmt_mut(&mut self) -> Option<&mut Stmt> {
        self.blocks.last_mut().and_then(|b| b.last_mut())
    }

    fn add_statements(&mut self, domain: Option<&str>, statements: impl IntoStatements) {
        for statement in statements.into_statements() {
            self.push(Stmt::Assign {
                domain: domain.map(str::to_owned),
                statement,
            });
        }
    }

    /// Combinational assignments: they hold in the same cycle; a signal not assigned in a
    /// cycle takes its init value, so no latch is ever inferred.
    pub fn comb(&mut self, statements: impl IntoStatements) {
        self.add_statements(None, statements);
    }

    /// Assignments in the default clock domain `sync`: they take effect at the next rising
    /// edge of `clk`; a register not assigned in a cycle keeps its value.
    pub fn sync(&mut self, statements: impl IntoStatements) {
        self.add_statements(Some(SYNC), statements);
    }

    /// Assignments in the clock domain `domain` (see [`Module::sync`]).
    pub fn sync_in(&mut self, domain: &str, statements: impl IntoStatements) {
        self.add_statements(Some(domain), statements);
    }

    /// Declares clock domain `name`, clocked by the rising edge of `clk` (a signal of this
    /// module) and reset by `rst` as `reset` says. Submodules using `name` get this clock.
    #[track_caller]
    pub fn domain(&mut self, name: &str, clk: &Value, reset: ResetKind, rst: Option<&Value>) {
        let location = Location::caller();
        if (reset == ResetKind::None) != rst.is_none() {
            self.errors.push(Error::new(
                ErrorKind::Invalid,
                format!("domain `{name}`: give a reset signal exactly when the reset kind is not `ResetKind::None`"),
                location,
            ));
        }
        self.domains.push(DomainDecl {
            name: name.to_owned(),
            source: DomainSource::Local {
                clk: clk.clone(),
                rst: rst.cloned(),
            },
            reset,
            location,
        });
    }

    /// Declares that clock domain `name` enters through ports (`clk`/`rst` for `sync`,
    /// `<name>_clk`/`<name>_rst` otherwise) with the given kind of reset. A domain used
    /// without any declaration enters through ports with a synchronous reset.
    #[track_caller]
    pub fn domain_from_ports(&mut self, name: &str, reset: ResetKind) {
        self.domains.push(DomainDecl {
            name: name.to_owned(),
            source: DomainSource::Ports,
            reset,
            location: Location::caller(),
        });
    }

    /// Adds `child` as a submodule instance called `name`. The returned handle gives the
    /// signals connected to the child's ports: assign the inputs, read the outputs.
    /// Clock domains the child uses are connected by name.
    #[track_caller]
    pub fn submodule(&mut self, name: impl Into<String>, child: Module) -> Submodule {
        let name = name.into();
        let location = Location::caller();
        let mut ports = Vec::new();
        for decl in child.signals.iter().filter(|s| s.port.is_some()) {
            let dir = decl.port.expect("filtered on ports");
            let signal = self.add_signal(format!("{name}_{}", decl.name), decl.shape, Value::from(false), None, location);
            ports.push((decl.name.clone(), dir, signal));
        }
        let handle = Submodule {
            name: name.clone(),
            module_name: child.name.clone(),
            ports: ports.iter().map(|(n, d, v)| (n.clone(), *d, v.clone())).collect(),
        };
        self.submodules.push(SubmoduleDecl {
            name,
            module: child,
            ports,
            location,
        });
        handle
    }

    /// The init value of `decl` at its width; `Err` says why it is not acceptable.
    pub(crate) fn init_bits(decl: &SignalDecl) -> Result<Bits, String> {
        let init = &decl.init;
        let Some(bits) = init.as_const() else {
            return Err(format!("the init value of `{}` must be a constant", decl.name));
        };
        let resized = bits.resize(decl.shape.width, init.is_signed());
        // It fits when nothing was lost: reading it back at its own width gives it again.
        if resized.resize(init.width(), decl.shape.signed) != *bits {
            return Err(format!(
                "the init value of `{}` ({} bits) does not fit its shape {}",
                decl.name,
                init.width(),
                decl.shape
            ));
        }
        Ok(resized)
    }
}

/// A submodule instance inside its parent: the parent's signals for the child's ports.
#[derive(Clone, Debug)]
pub struct Submodule {
    name: String,
    module_name: String,
    ports: Vec<(String, Direction, Value)>,
}

impl Submodule {
    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parent's signal for the child's port `port`: assign it if the port is an
    /// input, read it if an output. A port the child does not have is an elaboration error.
    #[track_caller]
    pub fn port(&self, port: &str) -> Value {
        match self.port_decl(port) {
            Some((_, v)) => v,
            None => {
                let error = Error::new(ErrorKind::NoSuchPort, self.no_port_message(port), Location::caller());
                Value::new(crate::shape::unsigned(1), ValueKind::Invalid(Box::new(error)))
            }
        }
    }

    /// The direction of the child's port `port` and the parent's signal for it.
    pub(crate) fn port_decl(&self, port: &str) -> Option<(Direction, Value)> {
        self.ports.iter().find(|(n, _, _)| n == port).map(|(_, d, v)| (*d, v.clone()))
    }

    pub(crate) fn no_port_message(&self, port: &str) -> String {
        let known: Vec<&str> = self.ports.iter().map(|(n, _, _)| n.as_str()).collect();
        format!(
            "submodule `{}` (module `{}`) has no port `{port}`; its ports are: {}",
            self.name,
            self.module_name,
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        )
    }
}
