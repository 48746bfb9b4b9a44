//! Flattening: the hierarchy of a netlist becomes one module with hierarchical names.
//!
//! A submodule's port connections become ordinary combinational assignments, and the
//! outputs of black boxes (vendor primitives, which have no netlist) become free wires
//! that a testbench or a behavioural model drives. Named constants become constants.

use hdl_dsl::netlist::{self as nl, CellKind, CellPort, ExprId, ExprKind, Module, ModuleId, Netlist, Stmt, WireId, WireSlice};
use hdl_dsl::{Direction, Location};

/// A flat design: one module without cells, and which wires a testbench may drive.
pub(crate) struct Flat {
    /// Wires named by their hierarchical path (`child.grandchild.name`).
    pub module: Module,
    /// Wires driven from outside: top-level inputs and black-box outputs.
    pub free: Vec<WireId>,
}

/// Flattens the design below `netlist.top`.
pub(crate) fn flatten(netlist: &Netlist) -> Flat {
    let mut f = Flattener {
        nl: netlist,
        out: Module {
            name: netlist.top().name.clone(),
            location: netlist.top().location,
            ..Module::default()
        },
        free: Vec::new(),
    };
    let top = f.instance(netlist.top, "");
    for (id, w) in netlist.top().ports() {
        if w.port == Some(Direction::Input) {
            f.free.push(top[id.index()]);
        }
    }
    f.free.sort();
    let flat = Flat {
        module: f.out,
        free: f.free,
    };
    #[cfg(debug_assertions)]
    {
        // Flattening must keep the netlist's invariants.
        let mut modules = nl::Arena::new();
        let top = modules.push(flat.module.clone());
        if let Err(broken) = nl::verify(&Netlist { modules, top }) {
            panic!("flattening broke the netlist: {broken}");
        }
    }
    flat
}

struct Flattener<'a> {
    nl: &'a Netlist,
    out: Module,
    free: Vec<WireId>,
}

impl Flattener<'_> {
    /// Copies module `id` under `prefix`; returns the flat wire of each of its wires.
    fn instance(&mut self, id: ModuleId, prefix: &str) -> Vec<WireId> {
        let m = &self.nl.modules[id];
        let wires: Vec<WireId> = m
            .wires
            .values()
            .map(|w| {
                self.out.wires.push(nl::Wire {
                    name: format!("{prefix}{}", w.name),
                    port: None,
                    ..w.clone()
                })
            })
            .collect();
        // Operands precede their users, so each is mapped before it is needed.
        let mut exprs: Vec<ExprId> = Vec::with_capacity(m.exprs.len());
        for e in m.exprs.values() {
            let kind = match &e.kind {
                ExprKind::Symbol(s) => ExprKind::Const(m.symbols[*s].value.clone()),
                ExprKind::Wire(w) => ExprKind::Wire(wires[w.index()]),
                kind => kind.map_operands(|x| exprs[x.index()]),
            };
            exprs.push(self.out.exprs.push(nl::Expr { width: e.width, kind }));
        }
        let expr = |e: ExprId| exprs[e.index()];
        let slices = |parts: &[WireSlice]| -> Vec<WireSlice> {
            parts
                .iter()
                .map(|p| WireSlice {
                    wire: wires[p.wire.index()],
                    ..*p
                })
                .collect()
        };
        let domains: Vec<nl::DomainId> = m
            .domains
            .values()
            .map(|d| {
                self.out.domains.push(nl::Domain {
                    name: format!("{prefix}{}", d.name),
                    clk: wires[d.clk.index()],
                    reset: d.reset.map(|r| nl::Reset {
                        wire: wires[r.wire.index()],
                        ..r
                    }),
                    from_ports: d.from_ports,
                    location: d.location,
                })
            })
            .collect();
        let domain = |d: nl::DomainId| domains[d.index()];
        for p in m.processes.values() {
            self.out.processes.push(nl::Process {
                domain: p.domain.map(domain),
                drives: p.drives.iter().map(|w| wires[w.index()]).collect(),
                body: remap_stmts(&p.body, &expr, &slices),
            });
        }
        for mem in m.memories.values() {
            self.out.memories.push(nl::Memory {
                name: format!("{prefix}{}", mem.name),
                write_ports: mem
                    .write_ports
                    .iter()
                    .map(|p| nl::WritePort {
                        domain: domain(p.domain),
                        addr: wires[p.addr.index()],
                        data: wires[p.data.index()],
                        en: wires[p.en.index()],
                    })
                    .collect(),
                read_ports: mem
                    .read_ports
                    .iter()
                    .map(|p| nl::ReadPort {
                        domain: p.domain.map(domain),
                        addr: wires[p.addr.index()],
                        data: wires[p.data.index()],
                        en: p.en.map(|w| wires[w.index()]),
                    })
                    .collect(),
                ..mem.clone()
            });
        }
        for cell in m.cells.values() {
            let location = cell.location.unwrap_or_else(|| m.location.unwrap_or_else(Location::caller));
            let cell_prefix = format!("{prefix}{}.", cell.name);
            match &cell.kind {
                CellKind::Submodule(child) => {
                    let child_wires = self.instance(*child, &cell_prefix);
                    let port_wire = |port: &CellPort| match port {
                        CellPort::Wire(w) => child_wires[w.index()],
                        CellPort::Pin(_) => unreachable!("a submodule's ports are its wires"),
                    };
                    for (port, e) in &cell.inputs {
                        let lhs = self.whole(port_wire(port));
                        self.connect(lhs, expr(*e), location);
                    }
                    for (port, parts) in &cell.outputs {
                        let rhs = self.wire_expr(port_wire(port));
                        self.connect(slices(parts), rhs, location);
                    }
                }
                CellKind::BlackBox { .. } => {
                    for (port, parts) in &cell.outputs {
                        let width = parts.iter().map(|p| p.width).sum();
                        let free = self.out.wires.push(nl::Wire {
                            name: format!("{cell_prefix}{}", self.nl.port_name(cell, port)),
                            width,
                            signed: false,
                            init: hdl_dsl::Bits::zero(width),
                            port: None,
                            location: Some(location),
                        });
                        self.free.push(free);
                        let rhs = self.wire_expr(free);
                        self.connect(slices(parts), rhs, location);
                    }
                }
            }
        }
        wires
    }

    fn whole(&self, wire: WireId) -> Vec<WireSlice> {
        vec![WireSlice {
            wire,
            lo: 0,
            width: self.out.wire(wire).width,
        }]
    }

    fn wire_expr(&mut self, wire: WireId) -> ExprId {
        let width = self.out.wire(wire).width;
        self.out.exprs.push(nl::Expr {
            width,
            kind: ExprKind::Wire(wire),
        })
    }

    /// A combinational process `lhs = rhs`: one port connection.
    fn connect(&mut self, lhs: Vec<WireSlice>, rhs: ExprId, location: Location) {
        let mut drives: Vec<WireId> = lhs.iter().map(|p| p.wire).collect();
        drives.sort();
        drives.dedup();
        self.out.processes.push(nl::Process {
            domain: None,
            drives,
            body: vec![Stmt::Assign { lhs, rhs, location }],
        });
    }
}

fn remap_stmts(stmts: &[Stmt], expr: &impl Fn(ExprId) -> ExprId, slices: &impl Fn(&[WireSlice]) -> Vec<WireSlice>) -> Vec<Stmt> {
    stmts
        .iter()
        .map(|s| match s {
            Stmt::Assign { lhs, rhs, location } => Stmt::Assign {
                lhs: slices(lhs),
                rhs: expr(*rhs),
                location: *location,
            },
            Stmt::If { cond, then, else_ } => Stmt::If {
                cond: expr(*cond),
                then: remap_stmts(then, expr, slices),
                else_: remap_stmts(else_, expr, slices),
            },
            Stmt::Switch { sel, cases } => Stmt::Switch {
                sel: expr(*sel),
                cases: cases
                    .iter()
                    .map(|c| nl::SwitchCase {
                        patterns: c.patterns.iter().map(|p| nl::CasePattern { symbol: None, ..p.clone() }).collect(),
                        body: remap_stmts(&c.body, expr, slices),
                    })
                    .collect(),
            },
        })
        .collect()
}
