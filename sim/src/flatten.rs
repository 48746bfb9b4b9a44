//! Flattening: the hierarchy of a netlist becomes one module with hierarchical names.
//!
//! A submodule's port connections become ordinary combinational assignments. An
//! instance of a vendor primitive is replaced by its simulation model (see
//! [`crate::primitives`]), a netlist like any other; the outputs of an instance the
//! testbench declared a black box become free wires that it or a behavioural model
//! drives. A pad's model also reads what the world outside drives onto the pin, from a
//! free wire `<port>.outside` beside the top's inout port. Named constants become
//! constants.

use std::collections::BTreeMap;
use std::rc::Rc;

use hdl_dsl::netlist::{self as nl, Cell, CellKind, CellPort, ExprId, ExprKind, Module, ModuleId, Netlist, Stmt, WireId, WireSlice};
use hdl_dsl::{Bits, Direction, Location};

use crate::error::SimError;
use crate::primitives::{ClockOut, Models, PrimitiveModel, Wiring, MODELLED};

/// A flat design: one module without cells, and which wires a testbench may drive.
pub(crate) struct Flat {
    /// Wires named by their hierarchical path (`child.grandchild.name`).
    pub module: Module,
    /// Wires driven from outside: top-level inputs, black-box outputs and the clocks
    /// that PLL models make.
    pub free: Vec<WireId>,
    /// The clocks PLL models make: the output wire, the wire of the `CLKI` it follows,
    /// its timing and the PLL's path.
    pub generated: Vec<(WireId, WireId, ClockOut, String)>,
    /// The top's inout ports on modelled pads, each with its free `.outside` wire: what
    /// the world outside drives onto each bit.
    pub pads: Vec<(WireId, WireId)>,
}

/// Flattens the design below `netlist.top`; the instances at the paths in `black_boxes`
/// stay black boxes.
pub(crate) fn flatten(netlist: &Netlist, black_boxes: &[&str]) -> Result<Flat, SimError> {
    let mut f = Flattener {
        out: Module {
            name: netlist.top().name.clone(),
            location: netlist.top().location,
            ..Module::default()
        },
        free: Vec::new(),
        generated: Vec::new(),
        outside: BTreeMap::new(),
        models: Models::default(),
        black_boxes,
        unused_black_boxes: black_boxes.to_vec(),
    };
    let top = f.instance(netlist, netlist.top, "")?;
    if let Some(path) = f.unused_black_boxes.first() {
        return Err(SimError::NoSuchInstance { path: path.to_string() });
    }
    for (id, w) in netlist.top().ports() {
        if w.port == Some(Direction::Input) {
            f.free.push(top[id.index()]);
        }
    }
    f.free.sort();
    let flat = Flat {
        module: f.out,
        free: f.free,
        generated: f.generated,
        pads: f.outside.into_iter().collect(),
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
    Ok(flat)
}

struct Flattener<'a> {
    out: Module,
    free: Vec<WireId>,
    generated: Vec<(WireId, WireId, ClockOut, String)>,
    /// The `.outside` wire of each pad wire, made when a pad model first connects to it.
    outside: BTreeMap<WireId, WireId>,
    models: Models,
    black_boxes: &'a [&'a str],
    unused_black_boxes: Vec<&'a str>,
}

impl Flattener<'_> {
    /// Copies module `id` of `netlist` under `prefix`; returns the flat wire of each of
    /// its wires.
    fn instance(&mut self, netlist: &Netlist, id: ModuleId, prefix: &str) -> Result<Vec<WireId>, SimError> {
        let m = &netlist.modules[id];
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
                    let child_wires = self.instance(netlist, *child, &cell_prefix)?;
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
                CellKind::BlackBox { kind, params, .. } => {
                    let path = format!("{prefix}{}", cell.name);
                    if self.black_boxes.contains(&path.as_str()) {
                        self.unused_black_boxes.retain(|b| *b != path);
                        for (port, parts) in &cell.outputs {
                            let free = self.free_wire(&cell_prefix, netlist.port_name(cell, port), parts, location);
                            let rhs = self.wire_expr(free);
                            self.connect(slices(parts), rhs, location);
                        }
                        continue;
                    }
                    let Some(model) = self.models.get(kind, &path, params, &wiring(netlist, m, cell))? else {
                        return Err(SimError::NoModel {
                            instance: path,
                            primitive: kind.clone(),
                            modelled: MODELLED.iter().map(|s| s.to_string()).collect(),
                        });
                    };
                    let pins = self.model(netlist, cell, &model, &cell_prefix, &expr, location)?;
                    for (port, parts) in &cell.outputs {
                        let pin = netlist.port_name(cell, port);
                        let driver = match pins.iter().find(|(name, _)| name == pin) {
                            Some(&(_, w)) => w,
                            None => match model.clocks.iter().find(|c| c.pin == pin) {
                                Some(clock) => {
                                    let wire = self.free_wire(&cell_prefix, pin, parts, location);
                                    let clki = pins.iter().find(|(name, _)| name == "CLKI").map(|&(_, w)| w);
                                    let clki = clki.expect("a model that makes clocks has a CLKI pin");
                                    self.generated.push((wire, clki, clock.clone(), path.clone()));
                                    wire
                                }
                                None => {
                                    return Err(SimError::UnmodelledPin {
                                        instance: path,
                                        primitive: kind.clone(),
                                        pin: pin.to_owned(),
                                    })
                                }
                            },
                        };
                        let rhs = self.wire_expr(driver);
                        self.connect(slices(parts), rhs, location);
                        if let Some(pad) = model.pads.iter().find(|p| p.pin == pin) {
                            let outside = pins.iter().find(|(name, _)| name == pad.outside).map(|&(_, w)| w);
                            let outside = outside.expect("a pad model has the input it names");
                            let rhs = self.outside_of(&slices(parts), location);
                            let lhs = self.whole(outside);
                            self.connect(lhs, rhs, location);
                        }
                    }
                }
            }
        }
        Ok(wires)
    }

    /// Puts the model of black box `cell` in its place under `prefix`, its input pins
    /// connected (an unconnected one tied low, or high where the model says so); returns
    /// the flat wire of each of the model's pins, by name.
    fn model(
        &mut self,
        netlist: &Netlist,
        cell: &Cell,
        model: &Rc<PrimitiveModel>,
        prefix: &str,
        expr: &impl Fn(ExprId) -> ExprId,
        location: Location,
    ) -> Result<Vec<(String, WireId)>, SimError> {
        let behaviour = &model.netlist;
        let wires = self.instance(behaviour, behaviour.top, prefix)?;
        let pins: Vec<(String, WireId)> = behaviour.top().ports().map(|(id, w)| (w.name.clone(), wires[id.index()])).collect();
        for (id, w) in behaviour.top().ports() {
            if w.port != Some(Direction::Input) || model.pads.iter().any(|p| p.outside == w.name) {
                continue;
            }
            let given = cell.inputs.iter().find(|(port, _)| netlist.port_name(cell, port) == w.name);
            let rhs = match given {
                Some((_, e)) => expr(*e),
                None => {
                    let high = model.high_when_open.contains(&w.name.as_str());
                    self.out.exprs.push(nl::Expr {
                        width: w.width,
                        kind: ExprKind::Const(Bits::from_u128(high as u128, w.width)),
                    })
                }
            };
            let lhs = self.whole(wires[id.index()]);
            self.connect(lhs, rhs, location);
        }
        Ok(pins)
    }

    /// A wire for output `pin` of black box `prefix` that the testbench (or the
    /// scheduler) drives.
    fn free_wire(&mut self, prefix: &str, pin: &str, parts: &[WireSlice], location: Location) -> WireId {
        let width = parts.iter().map(|p| p.width).sum();
        self.free(format!("{prefix}{pin}"), Bits::zero(width), location)
    }

    /// A wire called `name` that the testbench drives, starting at `init`.
    fn free(&mut self, name: String, init: Bits, location: Location) -> WireId {
        let free = self.out.wires.push(nl::Wire {
            name,
            width: init.width(),
            signed: false,
            init,
            port: None,
            location: Some(location),
            keep: false,
        });
        self.free.push(free);
        free
    }

    /// What the world outside drives onto the pad bits `parts` (of the top's inout
    /// ports), from their `.outside` wires; each starts released (all ones).
    fn outside_of(&mut self, parts: &[WireSlice], location: Location) -> ExprId {
        let bits: Vec<ExprId> = parts
            .iter()
            .map(|part| {
                let pad = self.out.wire(part.wire);
                let (name, width) = (format!("{}.outside", pad.name), pad.width);
                let outside = match self.outside.get(&part.wire) {
                    Some(&w) => w,
                    None => {
                        let mut released = Bits::zero(width);
                        (0..width).for_each(|b| released.set_bit(b, true));
                        let w = self.free(name, released, location);
                        self.outside.insert(part.wire, w);
                        w
                    }
                };
                let whole = self.wire_expr(outside);
                self.out.exprs.push(nl::Expr {
                    width: part.width,
                    kind: ExprKind::Slice { value: whole, lo: part.lo },
                })
            })
            .collect();
        let width = parts.iter().map(|p| p.width).sum();
        self.out.exprs.push(nl::Expr {
            width,
            kind: ExprKind::Concat(bits),
        })
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

/// Which of black box `cell`'s pins (in `m`) are connected, and which inputs are tied to
/// zero.
fn wiring(netlist: &Netlist, m: &Module, cell: &Cell) -> Wiring {
    let name = |port| netlist.port_name(cell, port).to_owned();
    Wiring {
        zero: cell
            .inputs
            .iter()
            .filter(|(_, e)| matches!(&m.exprs[*e].kind, ExprKind::Const(b) if b.is_zero()))
            .map(|(port, _)| name(port))
            .collect(),
        inputs: cell.inputs.iter().map(|(port, _)| name(port)).collect(),
        outputs: cell.outputs.iter().map(|(port, _)| name(port)).collect(),
    }
}
