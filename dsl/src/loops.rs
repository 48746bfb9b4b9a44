//! The combinational loop check, at the level of single bits.
//!
//! Bit-level so that `x[1] = x[0]` is not a loop. Operations whose output bits each
//! depend on all input bits go through one hub node rather than a full bipartite set of
//! edges, keeping the graph linear in the size of the module. Submodules take part
//! through a summary of which input ports reach which output ports combinationally.

use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{Error, ErrorKind, Location};
use crate::netlist::{Cell, Driver, ExprId, ExprKind, Module, Stmt, WireId};

/// For a module: each output port with the input ports it depends on combinationally.
#[derive(Clone, Debug, Default)]
pub(crate) struct Summary {
    pub(crate) paths: Vec<(String, Vec<String>)>,
}

struct Graph<'m> {
    module: &'m Module,
    /// First node of each wire's bits.
    base: Vec<u32>,
    edges: Vec<Vec<u32>>,
    /// Hub nodes are named after the instance they pass through, if any.
    hub_label: HashMap<u32, String>,
    /// Where the first combinational assignment to a bit was written.
    assigned_at: HashMap<u32, Location>,
    deps: Vec<Option<Rc<Vec<Vec<u32>>>>>,
}

impl<'m> Graph<'m> {
    fn new(module: &'m Module) -> Graph<'m> {
        let mut base = Vec::with_capacity(module.wires.len());
        let mut n = 0u32;
        for w in &module.wires {
            base.push(n);
            n += w.width;
        }
        Graph {
            module,
            base,
            edges: vec![Vec::new(); n as usize],
            hub_label: HashMap::new(),
            assigned_at: HashMap::new(),
            deps: vec![None; module.exprs.len()],
        }
    }

    fn hub(&mut self) -> u32 {
        self.edges.push(Vec::new());
        self.edges.len() as u32 - 1
    }

    fn edge(&mut self, from: u32, to: u32) {
        self.edges[from as usize].push(to);
    }

    fn bit(&self, wire: WireId, bit: u32) -> u32 {
        self.base[wire.index()] + bit
    }

    /// For each bit of `e`, the nodes it depends on.
    fn expr_deps(&mut self, e: ExprId) -> Rc<Vec<Vec<u32>>> {
        if let Some(d) = &self.deps[e.index()] {
            return d.clone();
        }
        let expr = self.module.expr(e);
        let width = expr.width as usize;
        let deps: Vec<Vec<u32>> = match &expr.kind {
            ExprKind::Const(_) | ExprKind::Symbol(_) => vec![Vec::new(); width],
            ExprKind::Wire(w) => (0..width as u32).map(|b| vec![self.bit(*w, b)]).collect(),
            ExprKind::Slice { value, lo } => self.expr_deps(*value)[*lo as usize..*lo as usize + width].to_vec(),
            ExprKind::Concat(parts) => parts.clone().iter().flat_map(|p| self.expr_deps(*p).to_vec()).collect(),
            ExprKind::Repeat(value) => {
                let inner = self.expr_deps(*value);
                (0..width).map(|i| inner[i % inner.len()].clone()).collect()
            }
            ExprKind::Extend { value, signed } => {
                let mut inner = self.expr_deps(*value).to_vec();
                let fill = if *signed {
                    inner.last().cloned().unwrap_or_default()
                } else {
                    Vec::new()
                };
                inner.resize(width, fill);
                inner
            }
            kind => {
                let operands: Vec<ExprId> = match kind {
                    ExprKind::Unary(_, a) => vec![*a],
                    ExprKind::Binary(_, a, b) | ExprKind::Compare { a, b, .. } => vec![*a, *b],
                    ExprKind::Shift { value, amount, .. } => vec![*value, *amount],
                    ExprKind::Mux { sel, a, b } => vec![*sel, *a, *b],
                    _ => unreachable!("handled above"),
                };
                let hub = self.hub();
                for op in operands {
                    for bit in self.expr_deps(op).iter() {
                        for &n in bit {
                            self.edge(n, hub);
                        }
                    }
                }
                vec![vec![hub]; width]
            }
        };
        let deps = Rc::new(deps);
        self.deps[e.index()] = Some(deps.clone());
        deps
    }

    /// A hub fed by every bit of `exprs`.
    fn hub_of(&mut self, exprs: &[ExprId]) -> u32 {
        let hub = self.hub();
        for &e in exprs {
            for bit in self.expr_deps(e).iter() {
                for &n in bit {
                    self.edge(n, hub);
                }
            }
        }
        hub
    }

    fn stmts(&mut self, stmts: &[Stmt], conditions: &mut Vec<u32>) {
        for s in stmts {
            match s {
                Stmt::Assign { lhs, rhs, location } => {
                    let deps = self.expr_deps(*rhs);
                    let mut i = 0;
                    for part in lhs {
                        for b in 0..part.width {
                            let target = self.bit(part.wire, part.lo + b);
                            for &n in &deps[i] {
                                self.edge(n, target);
                            }
                            for &c in conditions.iter() {
                                self.edge(c, target);
                            }
                            self.assigned_at.entry(target).or_insert(*location);
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

    fn cell(&mut self, cell: &Cell, summary: &Summary) {
        for (out_port, in_ports) in &summary.paths {
            let Some((_, targets)) = cell.outputs.iter().find(|(p, _)| p == out_port) else {
                continue;
            };
            let sources: Vec<ExprId> = cell.inputs.iter().filter(|(p, _)| in_ports.contains(p)).map(|(_, e)| *e).collect();
            let hub = self.hub_of(&sources);
            self.hub_label.insert(hub, format!("{}.{out_port}", cell.name));
            for part in targets.clone() {
                for b in 0..part.width {
                    let target = self.bit(part.wire, part.lo + b);
                    self.edge(hub, target);
                }
            }
        }
    }

    fn name(&self, node: u32) -> Option<String> {
        if let Some(label) = self.hub_label.get(&node) {
            return Some(label.clone());
        }
        let w = self.base.partition_point(|&b| b <= node).checked_sub(1)?;
        let wire = self.module.wires.get(w)?;
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

    /// A cycle, as the nodes along it, if there is one.
    fn find_cycle(&self) -> Option<Vec<u32>> {
        let n = self.edges.len();
        let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(u32, usize)> = vec![(start as u32, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&to) = self.edges[node as usize].get(*next) {
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
        let mut seen = vec![false; self.edges.len()];
        let mut todo = from.to_vec();
        while let Some(n) = todo.pop() {
            if !std::mem::replace(&mut seen[n as usize], true) {
                todo.extend(&self.edges[n as usize]);
            }
        }
        seen
    }
}

/// Checks `module` for combinational loops; `children[i]` is the summary of cell `i`
/// if it is a submodule. Returns the module's own summary.
pub(crate) fn check(module: &Module, children: &[Option<&Summary>]) -> Result<Summary, Error> {
    let mut g = Graph::new(module);
    for p in module.processes.iter().filter(|p| p.domain.is_none()) {
        g.stmts(&p.body, &mut Vec::new());
    }
    for mem in &module.memories {
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
    for (cell, summary) in module.cells.iter().zip(children) {
        if let Some(summary) = summary {
            g.cell(cell, summary);
        }
    }
    if let Some(cycle) = g.find_cycle() {
        let mut names: Vec<String> = cycle.iter().filter_map(|&n| g.name(n)).collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        let location = cycle.iter().find_map(|n| g.assigned_at.get(n).copied()).or(module.location);
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
    let inputs: Vec<(WireId, &str)> = module
        .ports()
        .filter(|(_, w)| w.driver == Driver::Input)
        .map(|(id, w)| (id, w.name.as_str()))
        .collect();
    let reached: Vec<Vec<bool>> = inputs
        .iter()
        .map(|(id, _)| {
            let bits: Vec<u32> = (0..module.wire(*id).width).map(|b| g.bit(*id, b)).collect();
            g.reach(&bits)
        })
        .collect();
    for (out, wire) in module.ports().filter(|(_, w)| w.port == Some(crate::netlist::Direction::Output)) {
        let bits: Vec<u32> = (0..wire.width).map(|b| g.bit(out, b)).collect();
        let from: Vec<String> = inputs
            .iter()
            .zip(&reached)
            .filter(|(_, seen)| bits.iter().any(|&b| seen[b as usize]))
            .map(|((_, name), _)| name.to_string())
            .collect();
        if !from.is_empty() {
            summary.paths.push((wire.name.clone(), from));
        }
    }
    Ok(summary)
}
