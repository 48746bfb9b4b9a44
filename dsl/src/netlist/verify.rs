//! The netlist's invariants, checked: every id names an entity of its arena, operands
//! precede their users, widths agree as the IR promises, each bit has at most one driver,
//! and children come before their parents. Elaboration and flattening must produce a
//! netlist that passes; a failure is a bug in this project, not in the user's design.

use std::collections::HashSet;
use std::fmt;

use super::{
    Cell, CellId, CellKind, CellPort, Direction, ExprId, ExprKind, MemoryId, Module, Netlist, ProcessId, Stmt, UnaryOp, WireId, WireSlice,
};

/// A broken invariant: which module, and what is wrong.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifyError {
    /// The module's name.
    pub module: String,
    /// The broken invariant.
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "netlist invariant broken in module `{}`: {}", self.module, self.message)
    }
}

impl std::error::Error for VerifyError {}

/// Checks every module of `netlist`.
pub fn verify(netlist: &Netlist) -> Result<(), VerifyError> {
    if netlist.modules.get(netlist.top).is_none() {
        return Err(VerifyError {
            module: String::new(),
            message: format!("the top {:?} is not a module of the netlist", netlist.top),
        });
    }
    for (id, m) in netlist.modules.iter() {
        let fail = |message: String| VerifyError {
            module: m.name.clone(),
            message,
        };
        Checker { netlist, m }.module().map_err(fail)?;
        for (_, cell) in m.cells.iter() {
            if let CellKind::Submodule(child) = cell.kind {
                if child >= id {
                    return Err(fail(format!(
                        "cell `{}` instantiates {child:?}, which does not come before it",
                        cell.name
                    )));
                }
            }
        }
    }
    Ok(())
}

struct Checker<'a> {
    netlist: &'a Netlist,
    m: &'a Module,
}

type Check = Result<(), String>;

fn ensure(ok: bool, message: impl FnOnce() -> String) -> Check {
    if ok {
        Ok(())
    } else {
        Err(message())
    }
}

impl Checker<'_> {
    fn module(&self) -> Check {
        let m = self.m;
        for (id, e) in m.exprs.iter() {
            for op in e.kind.operands() {
                ensure(op < id, || format!("{id:?} uses {op:?}, which does not precede it"))?;
            }
            self.expr_widths(id, e.width, &e.kind)?;
        }
        for (_, d) in m.domains.iter() {
            self.one_bit_wire(d.clk, "a clock")?;
            if let Some(r) = d.reset {
                self.one_bit_wire(r.wire, "a reset")?;
            }
        }
        // Each bit has at most one driver: a process, a memory read port or a cell output.
        let mut owner: Vec<Vec<Option<Owner>>> = m.wires.values().map(|w| vec![None; w.width as usize]).collect();
        let mut claim = |parts: &[WireSlice], by: Owner| -> Check {
            for p in parts {
                let w = m
                    .wires
                    .get(p.wire)
                    .ok_or_else(|| format!("{} drives {:?}, which does not exist", by.describe(m), p.wire))?;
                ensure(p.width > 0 && p.lo + p.width <= w.width, || {
                    format!(
                        "{} drives bits {}..{} of the {}-bit `{}`",
                        by.describe(m),
                        p.lo,
                        p.lo + p.width,
                        w.width,
                        w.name
                    )
                })?;
                ensure(w.port != Some(Direction::Input), || {
                    format!("{} drives the input port `{}`", by.describe(m), w.name)
                })?;
                for bit in p.lo..p.lo + p.width {
                    let slot = &mut owner[p.wire.index()][bit as usize];
                    match slot {
                        Some(other) if *other != by => {
                            return Err(format!(
                                "bit {bit} of `{}` is driven by {} and by {}",
                                w.name,
                                other.describe(m),
                                by.describe(m)
                            ));
                        }
                        _ => *slot = Some(by),
                    }
                }
            }
            Ok(())
        };
        for (pid, p) in m.processes.iter() {
            if let Some(d) = p.domain {
                ensure(m.domains.get(d).is_some(), || {
                    format!("process {} is in {d:?}, which does not exist", pid.index())
                })?;
            }
            let listed: HashSet<WireId> = p.drives.iter().copied().collect();
            for w in &listed {
                self.wire_width(*w)?;
            }
            // The bits a process assigns are its own; several processes may share a
            // wire on disjoint bits (a flattened design's connections do).
            let mut assigned = Vec::new();
            self.stmts(&p.body, &listed, pid, &mut assigned)?;
            claim(&assigned, Owner::Process(pid))?;
        }
        for (mid, mem) in m.memories.iter() {
            for r in &mem.read_ports {
                let width = self.wire_width(r.data)?;
                ensure(width == mem.width, || {
                    format!("a read port of `{}` gives {width} bits, not {}", mem.name, mem.width)
                })?;
                claim(
                    &[WireSlice {
                        wire: r.data,
                        lo: 0,
                        width,
                    }],
                    Owner::Memory(mid),
                )?;
                self.wire_width(r.addr)?;
                if let Some(en) = r.en {
                    self.one_bit_wire(en, "a read enable")?;
                }
            }
            for w in &mem.write_ports {
                ensure(m.domains.get(w.domain).is_some(), || {
                    format!("a write port of `{}` is in a domain that does not exist", mem.name)
                })?;
                let width = self.wire_width(w.data)?;
                ensure(width == mem.width, || {
                    format!("a write port of `{}` takes {width} bits, not {}", mem.name, mem.width)
                })?;
                self.wire_width(w.addr)?;
                self.one_bit_wire(w.en, "a write enable")?;
            }
        }
        for (cid, cell) in m.cells.iter() {
            for (port, e) in &cell.inputs {
                let width = m
                    .exprs
                    .get(*e)
                    .ok_or_else(|| format!("cell `{}` reads {e:?}, which does not exist", cell.name))?
                    .width;
                self.cell_port(cell, port, width, Direction::Input)?;
            }
            for (port, parts) in &cell.outputs {
                claim(parts, Owner::Cell(cid))?;
                self.cell_port(cell, port, parts.iter().map(|p| p.width).sum(), Direction::Output)?;
            }
        }
        Ok(())
    }

    fn wire_width(&self, w: WireId) -> Result<u32, String> {
        self.m.wires.get(w).map(|w| w.width).ok_or_else(|| format!("{w:?} does not exist"))
    }

    fn one_bit_wire(&self, w: WireId, what: &str) -> Check {
        let width = self.wire_width(w)?;
        ensure(width == 1, || format!("{what} is the {width}-bit `{}`", self.m.wire(w).name))
    }

    /// A connection to `port` of `width` bits, flowing `dir` into the cell.
    fn cell_port(&self, cell: &Cell, port: &CellPort, width: u32, dir: Direction) -> Check {
        match (&cell.kind, port) {
            (CellKind::Submodule(child), CellPort::Wire(w)) => {
                let child = self
                    .netlist
                    .modules
                    .get(*child)
                    .ok_or_else(|| format!("cell `{}` instantiates a module that does not exist", cell.name))?;
                let wire = child
                    .wires
                    .get(*w)
                    .ok_or_else(|| format!("cell `{}` connects {w:?}, which `{}` does not have", cell.name, child.name))?;
                ensure(wire.port == Some(dir), || {
                    format!(
                        "cell `{}` connects `{}` of `{}` as {dir:?}, which it is not",
                        cell.name, wire.name, child.name
                    )
                })?;
                ensure(wire.width == width, || {
                    format!(
                        "cell `{}` connects {width} bits to the {}-bit `{}`",
                        cell.name, wire.width, wire.name
                    )
                })
            }
            (CellKind::BlackBox { .. }, CellPort::Pin(_)) => Ok(()),
            _ => Err(format!("cell `{}` names a port the way the other kind of cell does", cell.name)),
        }
    }

    fn expr_widths(&self, id: ExprId, width: u32, kind: &ExprKind) -> Check {
        let m = self.m;
        let w = |e: ExprId| m.exprs[e].width;
        let bad = || format!("{id:?} ({width} bits) does not fit its operands: {kind:?}");
        let ok = match kind {
            ExprKind::Const(bits) => bits.width() == width,
            ExprKind::Symbol(s) => m.symbols.get(*s).is_some_and(|s| s.value.width() == width),
            ExprKind::Wire(wire) => m.wires.get(*wire).is_some_and(|x| x.width == width),
            ExprKind::Unary(UnaryOp::Not, a) => w(*a) == width,
            ExprKind::Unary(_, _) => width == 1,
            ExprKind::Binary(_, a, b) => w(*a) == width && w(*b) == width,
            ExprKind::Compare { a, b, .. } => width == 1 && w(*a) == w(*b),
            ExprKind::Shift { value, .. } => w(*value) == width,
            ExprKind::Mux { sel, a, b } => w(*sel) == 1 && w(*a) == width && w(*b) == width,
            ExprKind::Slice { value, lo } => lo + width <= w(*value),
            ExprKind::Concat(parts) => parts.iter().map(|p| w(*p)).sum::<u32>() == width,
            ExprKind::Repeat(a) => width.is_multiple_of(w(*a)),
            ExprKind::Extend { value, .. } => w(*value) < width,
        };
        ensure(ok && width > 0, bad)
    }

    /// Statements of process `pid`: targets among the wires it lists, widths agreeing;
    /// the parts it assigns go to `assigned`.
    fn stmts(&self, stmts: &[Stmt], listed: &HashSet<WireId>, pid: ProcessId, assigned: &mut Vec<WireSlice>) -> Check {
        let m = self.m;
        let by = || format!("process {}", pid.index());
        let width = |e: ExprId| {
            m.exprs
                .get(e)
                .map(|x| x.width)
                .ok_or_else(|| format!("{} reads {e:?}, which does not exist", by()))
        };
        for s in stmts {
            match s {
                Stmt::Assign { lhs, rhs, .. } => {
                    let total: u32 = lhs.iter().map(|p| p.width).sum();
                    let rhs = width(*rhs)?;
                    ensure(total == rhs, || format!("{} assigns {rhs} bits to {total}", by()))?;
                    for p in lhs {
                        ensure(listed.contains(&p.wire), || {
                            format!("{} assigns {:?}, which it does not list as driven", by(), p.wire)
                        })?;
                    }
                    assigned.extend_from_slice(lhs);
                }
                Stmt::If { cond, then, else_ } => {
                    ensure(width(*cond)? == 1, || format!("{} has an `if` on more than one bit", by()))?;
                    self.stmts(then, listed, pid, assigned)?;
                    self.stmts(else_, listed, pid, assigned)?;
                }
                Stmt::Switch { sel, cases } => {
                    let sel = width(*sel)?;
                    for case in cases {
                        for p in &case.patterns {
                            ensure(p.value.width() == sel && p.mask.width() == sel, || {
                                format!("{} has a case pattern of another width than its {sel}-bit selector", by())
                            })?;
                        }
                        self.stmts(&case.body, listed, pid, assigned)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What drives a bit, for the one-driver check.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Owner {
    Process(ProcessId),
    Memory(MemoryId),
    Cell(CellId),
}

impl Owner {
    fn describe(self, m: &Module) -> String {
        match self {
            Owner::Process(p) => format!("process {}", p.index()),
            Owner::Memory(id) => format!("a read port of memory `{}`", m.memories[id].name),
            Owner::Cell(id) => format!("cell `{}`", m.cells[id].name),
        }
    }
}
