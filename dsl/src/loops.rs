//! The combinational loop check, at the level of single bits.
//!
//! Bit-level so that `x[1] = x[0]` is not a loop. Operations whose output bits each
//! depend on all input bits go through one hub node rather than a full bipartite set of
//! edges, keeping the graph linear in the size of the module. Submodules take part
//! through a summary of which input ports reach which output ports combinationally,
//! instances of the ECP5 primitives through the paths their declarations give.

use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Location};
use crate::instance::Param;
use crate::netlist::{Cell, CellKind, CellPort, Direction, ExprId, ExprKind, Module, Stmt, WireId, WireSlice};
use crate::primitives::{self, Primitive};

/// For a module: each output port (its wire and name) with the input ports it
/// depends on combinationally.
#[derive(Clone, Debug, Default)]
pub(crate) struct Summary {
    pub(crate) paths: Vec<(WireId, String, Vec<WireId>)>,
}

struct Graph<'m> {
    module: &'m Module,
    /// First node of each wire's bits.
    base: Vec<u32>,
    /// Nodes: every wire bit, then hubs.
    nodes: u32,
    /// Edges as they are found; [`Adjacency`] orders them by source.
    edges: Vec<(u32, u32)>,
    /// Hub nodes are named after the instance they pass through, if any.
    hub_label: HashMap<u32, String>,
    /// For each wire bit, where the first combinational assignment to it was written
    /// (an index into `locations`, or `NONE`).
    assigned_at: Vec<u32>,
    locations: Vec<Location>,
    /// What each expression's bits depend on: see [`Deps`].
    deps: Deps,
}

const NONE: u32 = u32::MAX;

/// For each bit of each expression, the nodes it depends on, stored flat: an
/// expression's bits are consecutive entries of `bits`, each a range of `nodes`. A slice
/// or concatenation copies ranges, not nodes, so the store stays linear in the module.
struct Deps {
    /// The first entry in `bits` of each expression's bit 0.
    first_bit: Vec<u32>,
    /// `(start, len)` in `nodes`.
    bits: Vec<(u32, u32)>,
    nodes: Vec<u32>,
}

impl Deps {
    fn of(&self, e: ExprId, width: u32) -> &[(u32, u32)] {
        let first = self.first_bit[e.index()] as usize;
        &self.bits[first..first + width as usize]
    }

    fn nodes(&self, (start, len): (u32, u32)) -> &[u32] {
        &self.nodes[start as usize..(start + len) as usize]
    }
}

impl<'m> Graph<'m> {
    fn new(module: &'m Module) -> Graph<'m> {
        let mut base = Vec::with_capacity(module.wires.len());
        let mut n = 0u32;
        for w in module.wires.values() {
            base.push(n);
            n += w.width;
        }
        let mut g = Graph {
            module,
            base,
            nodes: n,
            edges: Vec::new(),
            hub_label: HashMap::new(),
            assigned_at: vec![NONE; n as usize],
            locations: Vec::new(),
            deps: Deps {
                first_bit: Vec::with_capacity(module.exprs.len()),
                bits: Vec::new(),
                nodes: Vec::new(),
            },
        };
        // Operands precede their users, so one pass in order sees every operand first.
        for e in module.exprs.ids() {
            g.expr_deps(e);
        }
        g
    }

    fn hub(&mut self) -> u32 {
        self.nodes += 1;
        self.nodes - 1
    }

    fn edge(&mut self, from: u32, to: u32) {
        self.edges.push((from, to));
    }

    fn bit(&self, wire: WireId, bit: u32) -> u32 {
        self.base[wire.index()] + bit
    }

    /// Records what each bit of `e` depends on; its operands' are known already.
    fn expr_deps(&mut self, e: ExprId) {
        let expr = self.module.expr(e);
        let width = expr.width;
        let first = self.deps.bits.len() as u32;
        self.deps.first_bit.push(first);
        let width_of = |x: &ExprId| self.module.expr(*x).width;
        match &expr.kind {
            ExprKind::Const(_) | ExprKind::Symbol(_) => {
                let at = self.deps.nodes.len() as u32;
                self.deps.bits.extend((0..width).map(|_| (at, 0)));
            }
            ExprKind::Wire(w) => {
                for b in 0..width {
                    let at = self.deps.nodes.len() as u32;
                    self.deps.nodes.push(self.base[w.index()] + b);
                    self.deps.bits.push((at, 1));
                }
            }
            ExprKind::Slice { value, lo } => {
                let from = self.deps.first_bit[value.index()] + lo;
                self.deps.bits.extend_from_within(from as usize..(from + width) as usize);
            }
            ExprKind::Concat(parts) => {
                for p in parts {
                    let from = self.deps.first_bit[p.index()] as usize;
                    self.deps.bits.extend_from_within(from..from + width_of(p) as usize);
                }
            }
            ExprKind::Repeat(value) => {
                let (from, inner) = (self.deps.first_bit[value.index()], width_of(value));
                for i in 0..width {
                    let bit = self.deps.bits[(from + i % inner) as usize];
                    self.deps.bits.push(bit);
                }
            }
            ExprKind::Extend { value, signed } => {
                let (from, inner) = (self.deps.first_bit[value.index()] as usize, width_of(value));
                self.deps.bits.extend_from_within(from..from + inner as usize);
                let fill = if *signed {
                    self.deps.bits[from + inner as usize - 1]
                } else {
                    (self.deps.nodes.len() as u32, 0)
                };
                self.deps.bits.extend((inner..width).map(|_| fill));
            }
            _ => {
                // Every output bit depends on every operand bit: one hub between them.
                let hub = self.hub();
                for op in expr.kind.operands() {
                    self.feed(op, hub);
                }
                let at = self.deps.nodes.len() as u32;
                self.deps.nodes.push(hub);
                self.deps.bits.extend((0..width).map(|_| (at, 1)));
            }
        }
    }

    /// Edges from every node the bits of `e` depend on to `to`.
    fn feed(&mut self, e: ExprId, to: u32) {
        let width = self.module.expr(e).width;
        for &range in self.deps.of(e, width) {
            for &n in self.deps.nodes(range) {
                self.edges.push((n, to));
            }
        }
    }

    /// A hub fed by every bit of `exprs`.
    fn hub_of(&mut self, exprs: &[ExprId]) -> u32 {
        let hub = self.hub();
        for &e in exprs {
            self.feed(e, hub);
        }
        hub
    }

    fn stmts(&mut self, stmts: &[Stmt], conditions: &mut Vec<u32>) {
        for s in stmts {
            match s {
                Stmt::Assign { lhs, rhs, location } => {
                    let location_index = self.locations.len() as u32;
                    self.locations.push(*location);
                    let first = self.deps.first_bit[rhs.index()] as usize;
                    let mut i = 0;
                    for part in lhs {
                        for b in 0..part.width {
                            let target = self.bit(part.wire, part.lo + b);
                            let range = self.deps.bits[first + i];
                            for k in range.0..range.0 + range.1 {
                                let n = self.deps.nodes[k as usize];
                                self.edges.push((n, target));
                            }
                            for &c in conditions.iter() {
                                self.edges.push((c, target));
                            }
                            let at = &mut self.assigned_at[target as usize];
                            if *at == NONE {
                                *at = location_index;
                            }
                            i += 1;
                        }
                    }
                }
                Stmt::If { cond, then, else_ } => {
                    let hub = self.hub_of(&[*cond]);
                    conditions.push(hub);
                    self.stmts(then, conditions);
                    self.stmts(else_, conditions);
                    conditions.pop();
                }
                Stmt::Switch { sel, cases } => {
                    let hub = self.hub_of(&[*sel]);
                    conditions.push(hub);
                    for case in cases {
                        self.stmts(&case.body, conditions);
                    }
                    conditions.pop();
                }
            }
        }
    }

    /// The paths through submodule `cell`, as its `summary` gives them.
    fn cell(&mut self, cell: &Cell, summary: &Summary) {
        for (out_port, out_name, in_ports) in &summary.paths {
            let Some((_, targets)) = cell.outputs.iter().find(|(p, _)| *p == CellPort::Wire(*out_port)) else {
                continue;
            };
            let sources: Vec<ExprId> = cell
                .inputs
                .iter()
                .filter(|(p, _)| matches!(p, CellPort::Wire(w) if in_ports.contains(w)))
                .map(|(_, e)| *e)
                .collect();
            self.through(format!("{}.{out_name}", cell.name), &sources, targets.iter());
        }
    }

    /// The paths through an instance of a primitive the library knows, with its
    /// parameters.
    fn primitive(&mut self, cell: &Cell, primitive: &Primitive, params: &[(String, Param)]) {
        let on = |port: &CellPort, buses: &[&str]| matches!(port, CellPort::Pin(pin) if primitive.bus_of(pin).is_some_and(|b| buses.contains(&b)));
        for path in primitive.comb_paths(params) {
            let sources: Vec<ExprId> = cell.inputs.iter().filter(|(p, _)| on(p, path.from)).map(|(_, e)| *e).collect();
            let targets = cell.outputs.iter().filter(|(p, _)| on(p, path.to)).flat_map(|(_, parts)| parts);
            self.through(format!("{}.{}", cell.name, path.to[0]), &sources, targets);
        }
    }

    /// A path from every bit of `sources` to every bit of `targets` through one hub
    /// named `label`.
    fn through<'s>(&mut self, label: String, sources: &[ExprId], targets: impl Iterator<Item = &'s WireSlice>) {
        let hub = self.hub_of(sources);
        self.hub_label.insert(hub, label);
        for part in targets {
            for b in 0..part.width {
                let target = self.bit(part.wire, part.lo + b);
                self.edge(hub, target);
            }
        }
    }

    fn name(&self, node: u32) -> Option<String> {
        if let Some(label) = self.hub_label.get(&node) {
            return Some(label.clone());
        }
        let w = self.base.partition_point(|&b| b <= node).checked_sub(1)?;
        let wire = &self.module.wires[self.module.wires.ids().nth(w)?];
        let bit = node - self.base[w];
        if bit >= wire.width {
            return None;
        }
        Some(if wire.width == 1 {
            wire.name.clone()
        } else {
            format!("{}[{bit}]", wire.name)
        })
    }

    /// The edges ordered by source node.
    fn adjacency(&self) -> Adjacency {
        let n = self.nodes as usize;
        let mut start = vec![0u32; n + 1];
        for &(from, _) in &self.edges {
            start[from as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut targets = vec![0u32; self.edges.len()];
        for &(from, to) in &self.edges {
            targets[fill[from as usize] as usize] = to;
            fill[from as usize] += 1;
        }
        Adjacency { start, targets }
    }
}

/// Edges in compressed rows: the successors of node `n` are
/// `targets[start[n]..start[n + 1]]`.
struct Adjacency {
    start: Vec<u32>,
    targets: Vec<u32>,
}

impl Adjacency {
    fn successors(&self, n: u32) -> &[u32] {
        &self.targets[self.start[n as usize] as usize..self.start[n as usize + 1] as usize]
    }

    fn nodes(&self) -> usize {
        self.start.len() - 1
    }

    /// A cycle, as the nodes along it, if there is one.
    fn find_cycle(&self) -> Option<Vec<u32>> {
        let n = self.nodes();
        let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
        let mut stack: Vec<(u32, usize)> = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            stack.push((start as u32, 0));
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&to) = self.successors(node).get(*next) {
                    *next += 1;
                    match state[to as usize] {
                        0 => {
                            state[to as usize] = 1;
                            stack.push((to, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|&(x, _)| x == to).expect("on the stack");
                            return Some(stack[from..].iter().map(|&(x, _)| x).collect());
                        }
                        _ => {}
                    }
                } else {
                    state[node as usize] = 2;
                    stack.pop();
                }
            }
        }
        None
    }

    /// Nodes reachable from `from`.
    fn reach(&self, from: &[u32]) -> Vec<bool> {
        let mut seen = vec![false; self.nodes()];
        let mut todo = from.to_vec();
        while let Some(n) = todo.pop() {
            if !std::mem::replace(&mut seen[n as usize], true) {
                todo.extend(self.successors(n));
            }
        }
        seen
    }
}

/// Checks `module` for combinational loops; `children[i]` is the summary of cell `i`
/// if it is a submodule. Returns the module's own summary.
pub(crate) fn check(module: &Module, children: &[Option<&Summary>]) -> Result<Summary, Error> {
    let mut g = Graph::new(module);
    for p in module.processes.values().filter(|p| p.domain.is_none()) {
        g.stmts(&p.body, &mut Vec::new());
    }
    for mem in module.memories.values() {
        for port in mem.read_ports.iter().filter(|p| p.domain.is_none()) {
            let addr = module.wire(port.addr);
            let hub = g.hub();
            for b in 0..addr.width {
                let n = g.bit(port.addr, b);
                g.edge(n, hub);
            }
            for b in 0..module.wire(port.data).width {
                let n = g.bit(port.data, b);
                g.edge(hub, n);
            }
        }
    }
    for (cell, summary) in module.cells.values().zip(children) {
        match (&cell.kind, summary) {
            (_, Some(summary)) => g.cell(cell, summary),
            (CellKind::BlackBox { kind, params, .. }, None) => {
                if let Some(primitive) = primitives::ecp5(kind) {
                    g.primitive(cell, &primitive, params);
                }
            }
            _ => {}
        }
    }
    let adjacency = g.adjacency();
    if let Some(cycle) = adjacency.find_cycle() {
        let mut names: Vec<String> = cycle.iter().filter_map(|&n| g.name(n)).collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        let location = cycle
            .iter()
            .filter_map(|&n| g.assigned_at.get(n as usize).filter(|&&at| at != NONE))
            .map(|&at| g.locations[at as usize])
            .next()
            .or(module.location);
        let message = format!(
            "combinational loop: {}; each of these depends on itself within one cycle. Break the loop with a register (assign one of them in a clock domain)",
            names.join(" -> ")
        );
        return Err(Error::new(
            ErrorKind::CombinationalLoop,
            message,
            location.expect("modules have locations"),
        ));
    }
    let mut summary = Summary::default();
    let inputs: Vec<WireId> = module
        .ports()
        .filter(|(_, w)| w.port == Some(Direction::Input))
        .map(|(id, _)| id)
        .collect();
    let reached: Vec<Vec<bool>> = inputs
        .iter()
        .map(|&id| {
            let bits: Vec<u32> = (0..module.wire(id).width).map(|b| g.bit(id, b)).collect();
            adjacency.reach(&bits)
        })
        .collect();
    for (out, wire) in module.ports().filter(|(_, w)| w.port == Some(Direction::Output)) {
        let bits: Vec<u32> = (0..wire.width).map(|b| g.bit(out, b)).collect();
        let from: Vec<WireId> = inputs
            .iter()
            .zip(&reached)
            .filter(|(_, seen)| bits.iter().any(|&b| seen[b as usize]))
            .map(|(&id, _)| id)
            .collect();
        if !from.is_empty() {
            summary.paths.push((out, wire.name.clone(), from));
        }
    }
    Ok(summary)
}
