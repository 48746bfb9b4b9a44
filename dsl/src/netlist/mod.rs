//! The netlist: what elaboration produces and every back end consumes.
//!
//! Plain data with typed indices into arenas. Expressions are width-only bit-vector
//! operations: signedness has been resolved into explicit extensions and signed
//! comparisons, and every arithmetic operand already has the result's width, so a back
//! end never applies implicit width rules of its own.

use crate::bits::Bits;
use crate::error::Location;

mod arena;
mod drivers;
mod verify;

pub use arena::{Arena, CellId, DomainId, ExprId, Id, MemoryId, ModuleId, ProcessId, SymbolId, WireId};
pub use drivers::Drivers;
pub use verify::{verify, VerifyError};

/// A whole design: its modules, each emitted once, children before parents.
#[derive(Clone, Debug)]
pub struct Netlist {
    /// Every distinct module, children before parents; `modules[top]` is the top.
    pub modules: Arena<ModuleId, Module>,
    /// The top module.
    pub top: ModuleId,
}

impl Netlist {
    /// The top module.
    pub fn top(&self) -> &Module {
        &self.modules[self.top]
    }

    /// The name of `port` of `cell` (a submodule's port, or a black box's pin).
    pub fn port_name<'a>(&'a self, cell: &'a Cell, port: &'a CellPort) -> &'a str {
        match (port, &cell.kind) {
            (CellPort::Pin(name), _) => name,
            (CellPort::Wire(w), CellKind::Submodule(child)) => &self.modules[*child].wire(*w).name,
            (CellPort::Wire(_), CellKind::BlackBox { .. }) => "<a black box has no port wires>",
        }
    }
}

/// One module: wires, the expressions over them, and what drives the wires.
#[derive(Clone, PartialEq, Hash, Debug, Default)]
pub struct Module {
    /// The Verilog module name, unique in the design.
    pub name: String,
    /// Where the user created the module.
    pub location: Option<Location>,
    /// Wires in declaration order; ports first, in port order.
    pub wires: Arena<WireId, Wire>,
    /// Expressions; operands always precede their users.
    pub exprs: Arena<ExprId, Expr>,
    /// Clock domains used here.
    pub domains: Arena<DomainId, Domain>,
    /// Named constants (state encodings).
    pub symbols: Arena<SymbolId, Symbol>,
    /// Processes: combinational groups and one per clock domain.
    pub processes: Arena<ProcessId, Process>,
    /// Memories with their ports.
    pub memories: Arena<MemoryId, Memory>,
    /// Submodule instances and black boxes.
    pub cells: Arena<CellId, Cell>,
}

impl Module {
    /// The wire `id`.
    pub fn wire(&self, id: WireId) -> &Wire {
        &self.wires[id]
    }

    /// The expression `id`.
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id]
    }

    /// The ports in order.
    pub fn ports(&self) -> impl Iterator<Item = (WireId, &Wire)> {
        self.wires.iter().filter(|(_, w)| w.port.is_some())
    }

    /// The wire called `name`, if any.
    pub fn find_wire(&self, name: &str) -> Option<WireId> {
        self.wires.iter().find(|(_, w)| w.name == name).map(|(id, _)| id)
    }

    /// What drives each wire, computed from the ports, processes, memories and cells.
    pub fn drivers(&self) -> Drivers {
        Drivers::of(self)
    }
}

pub use crate::module::Direction;

/// A named bundle of bits: a user signal, a port, or a wire elaboration made.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Wire {
    /// The name in the emitted Verilog, unique in its module.
    pub name: String,
    /// Width in bits.
    pub width: u32,
    /// Whether the user declared it signed (for display; expressions are explicit).
    pub signed: bool,
    /// Value at power-on and after reset; the default of combinational wires.
    pub init: Bits,
    /// Port direction, for ports.
    pub port: Option<Direction>,
    /// Where the user declared it.
    pub location: Option<Location>,
    /// Whether synthesis must keep the registers that drive it apart from identical ones
    /// (see `Module::keep`).
    pub keep: bool,
}

/// What drives a wire: see [`Module::drivers`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Driver {
    /// Nothing: it holds its init value.
    None,
    /// It is an input port.
    Input,
    /// A process.
    Process(ProcessId),
    /// Outputs of cells (this one, and maybe others on disjoint bits).
    Cell(CellId),
    /// A memory read port's data.
    MemoryRead {
        /// The memory.
        memory: MemoryId,
        /// Index into that memory's read ports.
        port: usize,
    },
}

/// An expression of a fixed width.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Expr {
    /// Width in bits.
    pub width: u32,
    /// The operation.
    pub kind: ExprKind,
}

/// Operations with one operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    /// Bitwise inversion (same width).
    Not,
    /// All bits set (one bit).
    ReduceAnd,
    /// Any bit set (one bit).
    ReduceOr,
    /// Odd number of bits set (one bit).
    ReduceXor,
}

/// Operations with two operands of the result's width, modulo 2^width.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinaryOp {
    /// Addition.
    Add,
    /// Subtraction.
    Sub,
    /// Multiplication (low bits of the product).
    Mul,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise exclusive or.
    Xor,
}

/// Comparisons of two operands of equal width; the result is one bit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Less than.
    Lt,
    /// Less or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater or equal.
    Ge,
}

/// Shifts by a variable amount, keeping the width of the shifted operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ShiftOp {
    /// Left, filling with zeros.
    Shl,
    /// Right, filling with zeros.
    Shr,
    /// Right, filling with the sign bit.
    Sar,
}

/// The operation of an [`Expr`].
#[derive(Clone, PartialEq, Hash, Debug)]
pub enum ExprKind {
    /// A constant.
    Const(Bits),
    /// A named constant.
    Symbol(SymbolId),
    /// The current value of a wire.
    Wire(WireId),
    /// One operand.
    Unary(UnaryOp, ExprId),
    /// Two operands, both of this expression's width.
    Binary(BinaryOp, ExprId, ExprId),
    /// Two operands of equal width; `signed` compares as two's complement.
    Compare {
        /// Which comparison.
        op: CompareOp,
        /// Whether to compare as signed numbers.
        signed: bool,
        /// Left operand.
        a: ExprId,
        /// Right operand.
        b: ExprId,
    },
    /// `value` (this expression's width) shifted by `amount` (any width).
    Shift {
        /// Which shift.
        op: ShiftOp,
        /// The shifted value.
        value: ExprId,
        /// The amount.
        amount: ExprId,
    },
    /// `sel ? a : b`; `sel` is one bit, `a` and `b` have this width.
    Mux {
        /// Selector.
        sel: ExprId,
        /// Chosen when `sel` is 1.
        a: ExprId,
        /// Chosen when `sel` is 0.
        b: ExprId,
    },
    /// This width of bits of the operand, from bit `lo`.
    Slice {
        /// The operand.
        value: ExprId,
        /// The lowest bit taken.
        lo: u32,
    },
    /// Parts from least to most significant.
    Concat(Vec<ExprId>),
    /// The operand repeated until this width.
    Repeat(ExprId),
    /// The operand widened to this width with zeros or copies of its top bit.
    Extend {
        /// The operand (narrower than this expression).
        value: ExprId,
        /// Whether to copy the top bit rather than zeros.
        signed: bool,
    },
}

impl ExprKind {
    /// The operands, in order: the one walk over an expression's inputs that every pass
    /// shares.
    pub fn operands(&self) -> Operands<'_> {
        let none = <ExprId as arena::private::Sealed>::from_index(0);
        let (few, n) = match self {
            ExprKind::Const(_) | ExprKind::Symbol(_) | ExprKind::Wire(_) => ([none; 3], 0),
            ExprKind::Unary(_, a) | ExprKind::Repeat(a) | ExprKind::Slice { value: a, .. } | ExprKind::Extend { value: a, .. } => {
                ([*a, none, none], 1)
            }
            ExprKind::Binary(_, a, b) | ExprKind::Compare { a, b, .. } | ExprKind::Shift { value: a, amount: b, .. } => ([*a, *b, none], 2),
            ExprKind::Mux { sel, a, b } => ([*sel, *a, *b], 3),
            ExprKind::Concat(parts) => return Operands(OperandsInner::Many(parts.iter())),
        };
        Operands(OperandsInner::Few(few.into_iter().take(n)))
    }
}

impl ExprKind {
    /// The same operation over other operands: `f` maps each operand, in the order
    /// [`ExprKind::operands`] gives them. Passes that copy expressions use it.
    pub fn map_operands(&self, mut f: impl FnMut(ExprId) -> ExprId) -> ExprKind {
        match self {
            ExprKind::Const(_) | ExprKind::Symbol(_) | ExprKind::Wire(_) => self.clone(),
            ExprKind::Unary(op, a) => ExprKind::Unary(*op, f(*a)),
            ExprKind::Binary(op, a, b) => ExprKind::Binary(*op, f(*a), f(*b)),
            ExprKind::Compare { op, signed, a, b } => ExprKind::Compare {
                op: *op,
                signed: *signed,
                a: f(*a),
                b: f(*b),
            },
            ExprKind::Shift { op, value, amount } => ExprKind::Shift {
                op: *op,
                value: f(*value),
                amount: f(*amount),
            },
            ExprKind::Mux { sel, a, b } => ExprKind::Mux {
                sel: f(*sel),
                a: f(*a),
                b: f(*b),
            },
            ExprKind::Slice { value, lo } => ExprKind::Slice { value: f(*value), lo: *lo },
            ExprKind::Concat(parts) => ExprKind::Concat(parts.iter().map(|p| f(*p)).collect()),
            ExprKind::Repeat(a) => ExprKind::Repeat(f(*a)),
            ExprKind::Extend { value, signed } => ExprKind::Extend {
                value: f(*value),
                signed: *signed,
            },
        }
    }
}

/// The operands of an expression: see [`ExprKind::operands`].
#[derive(Clone, Debug)]
pub struct Operands<'a>(OperandsInner<'a>);

#[derive(Clone, Debug)]
enum OperandsInner<'a> {
    Few(std::iter::Take<std::array::IntoIter<ExprId, 3>>),
    Many(std::slice::Iter<'a, ExprId>),
}

impl Iterator for Operands<'_> {
    type Item = ExprId;

    fn next(&mut self) -> Option<ExprId> {
        match &mut self.0 {
            OperandsInner::Few(it) => it.next(),
            OperandsInner::Many(it) => it.next().copied(),
        }
    }
}

/// A named constant (a state of a state machine), emitted as a `localparam`.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Symbol {
    /// The `localparam` name.
    pub name: String,
    /// Its value.
    pub value: Bits,
}

/// A clock domain: registers updated on the rising edge of `clk`.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Domain {
    /// The user's name for it.
    pub name: String,
    /// The clock wire.
    pub clk: WireId,
    /// The reset wire and whether the reset is asynchronous.
    pub reset: Option<Reset>,
    /// Whether clock and reset are ports that a parent connects to its own domain of
    /// the same name.
    pub from_ports: bool,
    /// Where the user declared it (or first used it, for a domain from ports).
    pub location: Option<Location>,
}

/// A clock domain's reset.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Reset {
    /// The reset wire (active high).
    pub wire: WireId,
    /// Whether the reset acts without waiting for the clock.
    pub asynchronous: bool,
}

/// A process: statements that drive a set of wires, combinationally or on a clock.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Process {
    /// `None` for combinational logic; otherwise the clock domain.
    pub domain: Option<DomainId>,
    /// The wires it drives, in declaration order.
    pub drives: Vec<WireId>,
    /// The statements. A combinational process first sets every driven wire to its
    /// init value; a clocked one keeps unassigned wires.
    pub body: Vec<Stmt>,
}

/// Consecutive bits of a wire: an assignment target.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct WireSlice {
    /// The wire.
    pub wire: WireId,
    /// The lowest bit.
    pub lo: u32,
    /// The number of bits.
    pub width: u32,
}

/// A statement of a process.
#[derive(Clone, PartialEq, Hash, Debug)]
pub enum Stmt {
    /// `lhs = rhs`; the parts of `lhs` (least significant first) have `rhs`'s width in all.
    Assign {
        /// Target parts, least significant first.
        lhs: Vec<WireSlice>,
        /// The value.
        rhs: ExprId,
        /// Where the user wrote it.
        location: Location,
    },
    /// `if cond { then } else { else_ }`; `cond` is one bit.
    If {
        /// The condition.
        cond: ExprId,
        /// Statements when true.
        then: Vec<Stmt>,
        /// Statements when false.
        else_: Vec<Stmt>,
    },
    /// The first case whose pattern matches `sel` runs.
    Switch {
        /// The selector.
        sel: ExprId,
        /// Cases in order.
        cases: Vec<SwitchCase>,
    },
}

/// A case of a [`Stmt::Switch`]; no patterns means default.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct SwitchCase {
    /// Matches if any pattern matches.
    pub patterns: Vec<CasePattern>,
    /// Statements to run.
    pub body: Vec<Stmt>,
}

/// `sel & mask == value & mask`, optionally written as a symbol.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct CasePattern {
    /// The bits to match.
    pub value: Bits,
    /// Which bits matter.
    pub mask: Bits,
    /// The symbol naming `value`, for readable output.
    pub symbol: Option<SymbolId>,
}

/// A memory and its ports.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Memory {
    /// Its name.
    pub name: String,
    /// Word width.
    pub width: u32,
    /// Number of words.
    pub depth: u32,
    /// Words at power-on from address 0 (the rest are zero); `None` if never given.
    pub init: Option<Vec<Bits>>,
    /// Write ports.
    pub write_ports: Vec<WritePort>,
    /// Read ports.
    pub read_ports: Vec<ReadPort>,
    /// Where the user created it.
    pub location: Option<Location>,
}

/// A memory write port. Out-of-range addresses write nothing.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct WritePort {
    /// Clock domain.
    pub domain: DomainId,
    /// Address wire.
    pub addr: WireId,
    /// Data wire.
    pub data: WireId,
    /// Enable wire.
    pub en: WireId,
}

/// A memory read port. Out-of-range addresses read zero.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct ReadPort {
    /// `None` for asynchronous reads; otherwise the domain of the data register.
    pub domain: Option<DomainId>,
    /// Address wire.
    pub addr: WireId,
    /// Data wire, driven by the port.
    pub data: WireId,
    /// Enable wire (synchronous ports).
    pub en: Option<WireId>,
}

/// What a cell instantiates.
#[derive(Clone, PartialEq, Hash, Debug)]
pub enum CellKind {
    /// A module of this design.
    Submodule(ModuleId),
    /// A module defined elsewhere, such as a vendor primitive.
    BlackBox {
        /// The module (primitive) name.
        kind: String,
        /// Parameters.
        params: Vec<(String, crate::instance::Param)>,
        /// Attributes.
        attrs: Vec<(String, crate::instance::Param)>,
    },
}

/// A submodule instance or black box.
#[derive(Clone, PartialEq, Hash, Debug)]
pub struct Cell {
    /// Instance name.
    pub name: String,
    /// What it instantiates.
    pub kind: CellKind,
    /// Input port connections.
    pub inputs: Vec<(CellPort, ExprId)>,
    /// Output port connections (parts least significant first).
    pub outputs: Vec<(CellPort, Vec<WireSlice>)>,
    /// Where the user created it.
    pub location: Option<Location>,
}

/// Which port of what a cell instantiates a connection is made to.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum CellPort {
    /// A port of the submodule: its wire there.
    Wire(WireId),
    /// A pin of a black box, by name.
    Pin(String),
}
