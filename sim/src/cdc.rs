//! Clock-domain crossings, found on the flat design the simulator runs (primitives as
//! their models): every register that takes a value from a register of another clock,
//! and whether it does so as a synchronizer's first stage.
//!
//! A crossing is *synchronized* when the register copies the other clock's bits
//! unchanged on every edge — no logic before it, no condition but its domain's reset —
//! as the first register of a synchronizer does (`hdl_cores::cdc`). Such a path needs no
//! timing relation between the clocks: the register may go metastable and the next one
//! gives it a cycle to settle. Any other crossing is a real timing path between the two
//! clocks, which must fit between their edges (two outputs of one PLL) or is a bug.
//!
//! Memories are not crossings: a block RAM written on one clock and read on another
//! times each port on its own clock. Clocks are identified through plain copies (a
//! submodule's clock port is the parent's wire), so each crossing names the clock's
//! source: a top-level input or a PLL model's output. Inputs without a clock (pins)
//! are not crossings.

use std::collections::BTreeMap;

use hdl_dsl::netlist::{self as nl, DomainId, Driver, Drivers, ExprId, ExprKind, Module, Stmt, UnaryOp, WireId};
use hdl_dsl::Design;

use crate::error::SimError;
use crate::flatten::flatten;

/// A register that takes a value from another clock's registers.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Crossing {
    /// The source clock, by the name of the wire it comes from.
    pub from: String,
    /// The register's clock.
    pub to: String,
    /// The register, by its hierarchical name.
    pub register: String,
    /// Whether it copies the other clock's bits unchanged (a synchronizer's first stage).
    pub synchronized: bool,
}

/// The crossings of a design, and the clock each of its wires is, if it is one.
#[derive(Clone, Debug)]
pub struct Crossings {
    /// Every crossing register, in the order of the flat design.
    pub crossings: Vec<Crossing>,
    /// For every wire that is a plain copy of a clock source (by hierarchical name), the
    /// source's name.
    clocks: BTreeMap<String, String>,
}

impl Crossings {
    /// The clock source a wire (`engine.pixel_clk`) is a copy of, if it is one of the
    /// design's clocks.
    pub fn clock(&self, wire: &str) -> Option<&str> {
        self.clocks.get(wire).map(String::as_str)
    }

    /// Whether every crossing from clock `from` to clock `to` (source names) is
    /// synchronized; true when there are none.
    pub fn only_synchronized(&self, from: &str, to: &str) -> bool {
        self.crossings
            .iter()
            .filter(|c| c.from == from && c.to == to)
            .all(|c| c.synchronized)
    }
}

/// Finds the crossings of `design`.
pub fn crossings(design: &Design) -> Result<Crossings, SimError> {
    let flat = flatten(design.netlist(), &[])?;
    Ok(Analysis::new(&flat.module).run())
}

/// A clock source: a wire bit that is not a plain copy of another.
type Clock = (WireId, u32);

/// An assignment's value and the conditions it is under.
type Assignment = (ExprId, Vec<ExprId>);

struct Analysis<'m> {
    m: &'m Module,
    drivers: Drivers,
    /// The clocks found, indexed by the small numbers the support sets hold.
    clocks: Vec<Clock>,
    /// Each domain's clock, as an index into `clocks`.
    domain_clock: Vec<u16>,
    /// The clocks whose registers each wire's value depends on, once computed.
    support: Vec<Option<Vec<u16>>>,
    /// For each combinational wire, the right-hand sides and conditions of its
    /// assignments (filled per process on first use).
    assigned: Vec<Option<Vec<Assignment>>>,
}

impl<'m> Analysis<'m> {
    fn new(m: &'m Module) -> Analysis<'m> {
        let mut a = Analysis {
            m,
            drivers: m.drivers(),
            clocks: Vec::new(),
            domain_clock: Vec::new(),
            support: vec![None; m.wires.len()],
            assigned: vec![None; m.wires.len()],
        };
        let clocks: Vec<Clock> = m.domains.values().map(|d| a.source(d.clk, 0)).collect();
        a.domain_clock = clocks.into_iter().map(|c| a.intern(c)).collect();
        a
    }

    fn intern(&mut self, clock: Clock) -> u16 {
        match self.clocks.iter().position(|&c| c == clock) {
            Some(i) => i as u16,
            None => {
                self.clocks.push(clock);
                (self.clocks.len() - 1) as u16
            }
        }
    }

    fn name(&self, (wire, bit): Clock) -> String {
        let w = self.m.wire(wire);
        if w.width == 1 {
            w.name.clone()
        } else {
            format!("{}[{bit}]", w.name)
        }
    }

    /// The wire bit `bit` of `wire` is a plain copy of, followed to its source.
    fn source(&self, wire: WireId, bit: u32) -> Clock {
        let (mut wire, mut bit) = (wire, bit);
        // A copy chain is as long as the hierarchy is deep; the bound only guards
        // against a malformed netlist.
        for _ in 0..self.m.wires.len() {
            let Driver::Process(p) = self.drivers[wire] else { break };
            let p = &self.m.processes[p];
            if p.domain.is_some() {
                break;
            }
            let copied = p.body.iter().find_map(|s| match s {
                Stmt::Assign { lhs, rhs, .. } if lhs.len() == 1 && lhs[0].wire == wire && lhs[0].lo == 0 => self.copied_bit(*rhs, bit),
                _ => None,
            });
            match copied {
                Some(next) => (wire, bit) = next,
                None => break,
            }
        }
        (wire, bit)
    }

    /// The wire bit that bit `bit` of expression `e` copies, if it is a plain copy or
    /// an inversion (a clock's falling edge is timed with its rising one).
    fn copied_bit(&self, e: ExprId, bit: u32) -> Option<Clock> {
        match &self.m.expr(e).kind {
            ExprKind::Wire(w) => Some((*w, bit)),
            ExprKind::Unary(UnaryOp::Not, value) => self.copied_bit(*value, bit),
            ExprKind::Slice { value, lo } => self.copied_bit(*value, bit + lo),
            ExprKind::Concat(parts) => {
                let mut at = bit;
                for &part in parts {
                    let width = self.m.expr(part).width;
                    if at < width {
                        return self.copied_bit(part, at);
                    }
                    at -= width;
                }
                None
            }
            _ => None,
        }
    }

    /// The right-hand sides and conditions of the assignments to combinational `wire`.
    fn assignments(&mut self, wire: WireId) -> Vec<Assignment> {
        if let Some(a) = &self.assigned[wire.index()] {
            return a.clone();
        }
        let Driver::Process(p) = self.drivers[wire] else {
            return Vec::new();
        };
        let p = &self.m.processes[p];
        let mut found: BTreeMap<WireId, Vec<Assignment>> = BTreeMap::new();
        walk(&p.body, &mut Vec::new(), &mut |lhs, rhs, conds| {
            for part in lhs {
                found.entry(part.wire).or_default().push((rhs, conds.to_vec()));
            }
        });
        for w in &p.drives {
            self.assigned[w.index()] = Some(found.remove(w).unwrap_or_default());
        }
        self.assigned[wire.index()].clone().unwrap_or_default()
    }

    /// The clocks whose registers `wire`'s value depends on.
    fn wire_support(&mut self, wire: WireId) -> Vec<u16> {
        if let Some(s) = &self.support[wire.index()] {
            return s.clone();
        }
        let support = match self.drivers[wire] {
            Driver::Process(p) => match self.m.processes[p].domain {
                Some(d) => vec![self.domain_clock[d.index()]],
                None => {
                    let mut s = Vec::new();
                    for (rhs, conds) in self.assignments(wire) {
                        for e in std::iter::once(rhs).chain(conds) {
                            merge(&mut s, &self.expr_support(e));
                        }
                    }
                    s
                }
            },
            Driver::MemoryRead { memory, port } => {
                let mem = &self.m.memories[memory];
                let read = &mem.read_ports[port];
                match read.domain {
                    Some(d) => vec![self.domain_clock[d.index()]],
                    // An asynchronous read gives the words the write ports stored.
                    None => {
                        let mut s = self.wire_support(read.addr);
                        let writes: Vec<u16> = mem.write_ports.iter().map(|w| self.domain_clock[w.domain.index()]).collect();
                        merge(&mut s, &writes);
                        s
                    }
                }
            }
            Driver::Input | Driver::None | Driver::Cell(_) => Vec::new(),
        };
        self.support[wire.index()] = Some(support.clone());
        support
    }

    fn expr_support(&mut self, e: ExprId) -> Vec<u16> {
        let mut s = Vec::new();
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match &self.m.expr(e).kind {
                ExprKind::Wire(w) => merge(&mut s, &self.wire_support(*w)),
                kind => stack.extend(kind.operands()),
            }
        }
        s
    }

    /// Whether `e` copies bits of wires unchanged, through combinational copies, to
    /// registers or inputs.
    fn is_copy(&mut self, e: ExprId) -> bool {
        match &self.m.expr(e).kind {
            ExprKind::Const(_) | ExprKind::Symbol(_) => true,
            ExprKind::Slice { value, .. } => self.is_copy(*value),
            ExprKind::Concat(parts) => parts.clone().into_iter().all(|p| self.is_copy(p)),
            ExprKind::Wire(w) => match self.drivers[*w] {
                Driver::Process(p) if self.m.processes[p].domain.is_none() => {
                    let assignments = self.assignments(*w);
                    assignments.iter().all(|(_, conds)| conds.is_empty()) && assignments.into_iter().all(|(rhs, _)| self.is_copy(rhs))
                }
                _ => true,
            },
            _ => false,
        }
    }

    /// Whether condition `e` is domain `d`'s reset (or its inverse): the only condition
    /// a synchronizer's register is under. Any other (a load enable) makes a crossing a
    /// timed path.
    fn is_reset(&self, d: DomainId, e: ExprId) -> bool {
        let Some(reset) = self.m.domains[d].reset else { return false };
        match &self.m.expr(e).kind {
            ExprKind::Wire(w) => *w == reset.wire,
            ExprKind::Unary(UnaryOp::Not, inner) => matches!(self.m.expr(*inner).kind, ExprKind::Wire(w) if w == reset.wire),
            _ => false,
        }
    }

    fn run(mut self) -> Crossings {
        let mut crossings = Vec::new();
        for p in self.m.processes.values() {
            let Some(d) = p.domain else { continue };
            let clock = self.domain_clock[d.index()];
            let mut assigns = Vec::new();
            walk(&p.body, &mut Vec::new(), &mut |lhs, rhs, conds| {
                assigns.push((lhs.to_vec(), rhs, conds.to_vec()))
            });
            for (lhs, rhs, conds) in assigns {
                let data = self.expr_support(rhs);
                let mut guard = Vec::new();
                let mut enabled = false;
                for c in conds {
                    enabled |= !self.is_reset(d, c);
                    merge(&mut guard, &self.expr_support(c));
                }
                let mut from = data.clone();
                merge(&mut from, &guard);
                from.retain(|&c| c != clock);
                if from.is_empty() {
                    continue;
                }
                let copy = self.is_copy(rhs);
                for &source in &from {
                    for part in &lhs {
                        crossings.push(Crossing {
                            from: self.name(self.clocks[source as usize]),
                            to: self.name(self.clocks[clock as usize]),
                            register: self.m.wire(part.wire).name.clone(),
                            synchronized: copy && !enabled && !guard.contains(&source),
                        });
                    }
                }
            }
        }
        crossings.dedup();
        let mut clocks = BTreeMap::new();
        // Clocks travel in single bits and small buses (a PLL's outputs).
        for (id, w) in self.m.wires.iter().filter(|(_, w)| w.width <= 4) {
            for bit in 0..w.width {
                let source = self.source(id, bit);
                if let Some(c) = self.clocks.iter().find(|&&c| c == source) {
                    clocks.insert(self.name((id, bit)), self.name(*c));
                }
            }
        }
        Crossings { crossings, clocks }
    }
}

/// Calls `f` with the targets, value and enclosing conditions of every assignment in
/// `body` (a switch's selector counts as a condition).
fn walk(body: &[Stmt], conds: &mut Vec<ExprId>, f: &mut impl FnMut(&[nl::WireSlice], ExprId, &[ExprId])) {
    for s in body {
        match s {
            Stmt::Assign { lhs, rhs, .. } => f(lhs, *rhs, conds),
            Stmt::If { cond, then, else_ } => {
                conds.push(*cond);
                walk(then, conds, f);
                walk(else_, conds, f);
                conds.pop();
            }
            Stmt::Switch { sel, cases } => {
                conds.push(*sel);
                for case in cases {
                    walk(&case.body, conds, f);
                }
                conds.pop();
            }
        }
    }
}

/// Adds the clocks of `more` to the sorted set `set`.
fn merge(set: &mut Vec<u16>, more: &[u16]) {
    for &c in more {
        if let Err(at) = set.binary_search(&c) {
            set.insert(at, c);
        }
    }
}
