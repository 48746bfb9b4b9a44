//! Flattening: the hierarchy of a netlist becomes one module with hierarchical names.
//!
//! A submodule's port connections become ordinary combinational assignments, and the
//! outputs of black boxes (vendor primitives, which have no netlist) become free wires
//! that a testbench or a behavioural model drives. Named constants become constants.

use hdl_dsl::netlist::{self as nl, CellKind, Driver, ExprId, ExprKind, Module, ModuleId, Netlist, Stmt, WireId, WireSlice};
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
            name: netlist.modules[netlist.top.index()].name.clone(),
            location: netlist.modules[netlist.top.index()].location,
            ..Module::default()
        },
        free: Vec::new(),
    };
    let top = f.instance(netlist.top, "");
    for (id, w) in netlist.modules[netlist.top.index()].ports() {
        if w.port == Some(Direction::Input) {
            f.free.push(top[id.index()]);
        }
    }
    f.free.sort();
    let mut flat = Flat {
        module: f.out,
        free: f.free,
    };
    assign_drivers(&mut flat);
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
        let m = &self.nl.modules[id.index()];
        let wires: Vec<WireId> = m
            .wires
            .iter()
            .map(|w| {
                self.out.wires.push(nl::Wire {
                    name: format!("{prefix}{}", w.name),
                    port: None,
                    ..w.clone()
                });
                WireId(self.out.wires.len() as u32 - 1)
            })
            .collect();
        let base = self.out.exprs.len() as u32;
        let expr = |e: ExprId| ExprId(base + e.0);
        for e in &m.exprs {
            let kind = match &e.kind {
                ExprKind::Const(b) => ExprKind::Const(b.clone()),
                ExprKind::Symbol(s) => ExprKind::Const(m.symbols[s.index()].value.clone()),
                ExprKind::Wire(w) => ExprKind::Wire(wires[w.index()]),
                ExprKind::Unary(op, a) => ExprKind::Unary(*op, expr(*a)),
                ExprKind::Binary(op, a, b) => ExprKind::Binary(*op, expr(*a), expr(*b)),
                ExprKind::Compare { op, signed, a, b } => ExprKind::Compare {
                    op: *op,
                    signed: *signed,
                    a: expr(*a),
                    b: expr(*b),
                },
                ExprKind::Shift { op, value, amount } => ExprKind::Shift {
                    op: *op,
                    value: expr(*value),
                    amount: expr(*amount),
                },
                ExprKind::Mux { sel, a, b } => ExprKind::Mux {
                    sel: expr(*sel),
                    a: expr(*a),
                    b: expr(*b),
                },
                ExprKind::Slice { value, lo } => ExprKind::Slice {
                    value: expr(*value),
                    lo: *lo,
                },
                ExprKind::Concat(parts) => ExprKind::Concat(parts.iter().map(|p| expr(*p)).collect()),
                ExprKind::Repeat(a) => ExprKind::Repeat(expr(*a)),
                ExprKind::Extend { value, signed } => ExprKind::Extend {
                    value: expr(*value),
                    signed: *signed,
                },
            };
            self.out.exprs.push(nl::Expr { width: e.width, kind });
        }
        let slices = |parts: &[WireSlice]| -> Vec<WireSlice> {
            parts
                .iter()
                .map(|p| WireSlice {
                    wire: wires[p.wire.index()],
                    ..*p
                })
                .collect()
        };
        let domain_base = self.out.domains.len() as u32;
        for d in &m.domains {
            self.out.domains.push(nl::Domain {
                name: format!("{prefix}{}", d.name),
                clk: wires[d.clk.index()],
                reset: d.reset.map(|r| nl::Reset {
                    wire: wires[r.wire.index()],
                    ..r
                }),
                from_ports: d.from_ports,
                location: d.location,
            });
        }
        let domain = |d: nl::DomainId| nl::DomainId(domain_base + d.0);
        for p in &m.processes {
            self.out.processes.push(nl::Process {
                domain: p.domain.map(domain),
                drives: p.drives.iter().map(|w| wires[w.index()]).collect(),
                body: remap_stmts(&p.body, &expr, &slices),
            });
        }
        for mem in &m.memories {
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
        for cell in &m.cells {
            let location = cell.location.unwrap_or_else(|| m.location.unwrap_or_else(Location::caller));
            let cell_prefix = format!("{prefix}{}.", cell.name);
            match &cell.kind {
                CellKind::Submodule(child) => {
                    let child_wires = self.instance(*child, &cell_prefix);
                    let child_module = &self.nl.modules[child.index()];
                    for (port, e) in &cell.inputs {
                        let w = child_module.find_wire(port).expect("elaboration connects existing ports");
                        let lhs = self.whole(child_wires[w.index()]);
                        self.connect(lhs, expr(*e), location);
                    }
                    for (port, parts) in &cell.outputs {
                        let w = child_module.find_wire(port).expect("elaboration connects existing ports");
                        let rhs = self.wire_expr(child_wires[w.index()]);
                        self.connect(slices(parts), rhs, location);
                    }
                }
                CellKind::BlackBox { .. } => {
                    for (port, parts) in &cell.outputs {
                        let width = parts.iter().map(|p| p.width).sum();
                        self.out.wires.push(nl::Wire {
                            name: format!("{cell_prefix}{port}"),
                            width,
                            signed: false,
                            init: hdl_dsl::Bits::zero(width),
                            port: None,
                            driver: Driver::Input,
                            location: Some(location),
                        });
                        let free = WireId(self.out.wires.len() as u32 - 1);
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
        });
        ExprId(self.out.exprs.len() as u32 - 1)
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

/// Recomputes every flat wire's driver from the processes, memories and free wires.
fn assign_drivers(flat: &mut Flat) {
    let m = &mut flat.module;
    for w in &mut m.wires {
        w.driver = Driver::None;
    }
    for &w in &flat.free {
        m.wires[w.index()].driver = Driver::Input;
    }
    for (i, p) in m.processes.iter().enumerate() {
        for w in &p.drives {
            m.wires[w.index()].driver = Driver::Process(i as u32);
        }
    }
    for (i, mem) in m.memories.iter().enumerate() {
        for (j, p) in mem.read_ports.iter().enumerate() {
            m.wires[p.data.index()].driver = Driver::MemoryRead {
                memory: i as u32,
                port: j as u32,
            };
        }
    }
}
