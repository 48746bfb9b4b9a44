use super::*;
use crate::primitives::{self, Dir, Primitive};

impl<'a> Lower<'a> {
    fn own_wire(&mut self, v: &Value) -> WireId {
        match v.kind() {
            ValueKind::Signal(s) => self.signal_wires[s.index as usize],
            _ => unreachable!("memory port signals are created by the module"),
        }
    }

    pub(super) fn memory(&mut self, mem: &'a MemoryDecl) {
        let index = self.out.memories.next_id();
        if let Some(why) = names::check(&mem.name) {
            self.error(ErrorKind::BadName, format!("memory name: {why}"), mem.location);
        }
        if mem.depth == 0 {
            self.error(ErrorKind::Invalid, format!("memory `{}` has depth 0", mem.name), mem.location);
        }
        let init = match &mem.init {
            None => None,
            Some(Ok(words)) => Some(words.clone()),
            Some(Err(why)) => {
                self.error(ErrorKind::Invalid, why.clone(), mem.location);
                None
            }
        };
        let mut write_ports = Vec::new();
        for p in &mem.write_ports {
            let Some(domain) = self.domain_id(&p.domain) else { continue };
            write_ports.push(nl::WritePort {
                domain,
                addr: self.own_wire(&p.addr),
                data: self.own_wire(&p.data),
                en: self.own_wire(&p.en),
            });
        }
        let mut read_ports = Vec::new();
        for p in &mem.read_ports {
            let domain = match &p.domain {
                None => None,
                Some(name) => match self.domain_id(name) {
                    Some(d) => Some(d),
                    None => continue,
                },
            };
            let data = self.own_wire(&p.data);
            let width = self.out.wires[data].width;
            self.add_use(&[WireSlice { wire: data, lo: 0, width }], Tag::Memory(index), Some(p.location));
            read_ports.push(nl::ReadPort {
                domain,
                addr: self.own_wire(&p.addr),
                data,
                en: p.en.as_ref().map(|e| self.own_wire(e)),
            });
        }
        let name = self.names.unique(&mem.name);
        self.out.memories.push(nl::Memory {
            name,
            width: mem.shape.width,
            depth: mem.depth,
            init,
            write_ports,
            read_ports,
            location: Some(mem.location),
        });
    }

    fn cell_name(&mut self, name: &str, location: Location) -> String {
        if let Some(why) = names::check(name) {
            self.error(ErrorKind::BadName, format!("instance name: {why}"), location);
        }
        if self.names.contains(name) {
            self.error(
                ErrorKind::BadName,
                format!("the name `{name}` of this instance is taken already in module `{}`", self.src.name),
                location,
            );
        }
        self.names.unique(name)
    }

    pub(super) fn submodule(&mut self, child: &Child) {
        let name = self.cell_name(&child.name, child.location);
        let index = self.out.cells.next_id();
        let child_module = &self.modules[child.id];
        if let Some((_, pad)) = child_module.ports().find(|(_, w)| w.port == Some(nl::Direction::InOut)) {
            let message = format!(
                "module `{}` has inout port `{}`, but only the top module may: a pad is a pin of the chip. \
                 Declare the pad and its `BB` in the top module and pass the buffer's `I`, `T` and `O` down",
                child_module.name, pad.name
            );
            self.error(ErrorKind::Invalid, message, child.location);
        }
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        for d in child_module.domains.values().filter(|d| d.from_ports) {
            let Some(parent) = self.out.domains.values().find(|p| p.name == d.name) else {
                continue;
            };
            let (clk, rst) = (parent.clk, parent.reset.map(|r| r.wire));
            let clk = self.wire_expr(clk);
            inputs.push((nl::CellPort::Wire(d.clk), clk));
            if let Some(r) = d.reset {
                let rst = match rst {
                    Some(w) => self.wire_expr(w),
                    None => self.constant(Bits::zero(1)),
                };
                inputs.push((nl::CellPort::Wire(r.wire), rst));
            }
        }
        let port_wires: HashMap<&str, WireId> = child_module.ports().map(|(id, w)| (w.name.as_str(), id)).collect();
        for (port, dir, signal) in &child.ports {
            let wire = self.own_wire(signal);
            let width = self.out.wires[wire].width;
            // A port whose name the child refused (a keyword) was renamed there; its
            // error is reported with the child's.
            let Some(&port) = port_wires.get(port.as_str()) else { continue };
            let port = nl::CellPort::Wire(port);
            match dir {
                nl::Direction::Input => {
                    let e = self.wire_expr(wire);
                    inputs.push((port, e));
                }
                nl::Direction::Output => {
                    let parts = vec![WireSlice { wire, lo: 0, width }];
                    self.add_use(&parts, Tag::Cell(index), Some(child.location));
                    outputs.push((port, parts));
                }
                nl::Direction::InOut => {}
            }
        }
        self.out.cells.push(nl::Cell {
            name,
            kind: nl::CellKind::Submodule(child.id),
            inputs,
            outputs,
            location: Some(child.location),
        });
    }

    pub(super) fn black_box(&mut self, inst: &'a InstanceDecl) {
        let name = self.cell_name(&inst.name, inst.location);
        if let Some(why) = names::check(&inst.kind) {
            self.error(ErrorKind::BadName, format!("instance type: {why}"), inst.location);
        }
        if let Some(primitive) = primitives::ecp5(&inst.kind) {
            self.check_primitive(&primitive, inst);
        }
        let index = self.out.cells.next_id();
        let inputs = inst
            .inputs
            .iter()
            .map(|(port, v, location)| {
                self.use_site = Some(*location);
                (nl::CellPort::Pin(port.clone()), self.value(v))
            })
            .collect();
        let mut outputs = Vec::new();
        for (port, target, location) in &inst.outputs {
            match self.lhs_parts(target) {
                Ok(parts) => {
                    self.add_use(&parts, Tag::Cell(index), Some(*location));
                    outputs.push((nl::CellPort::Pin(port.clone()), parts));
                }
                Err((kind, why)) => self.error(
                    kind,
                    format!(
                        "output `{port}` of instance `{}` cannot drive {}: {why}",
                        inst.name,
                        describe(target)
                    ),
                    *location,
                ),
            }
        }
        for (port, pad, location) in &inst.inouts {
            let parts = match self.lhs_parts(pad) {
                Ok(parts) if parts.iter().all(|p| self.out.wires[p.wire].port == Some(nl::Direction::InOut)) => parts,
                Ok(_) | Err(_) => {
                    self.error(
                        ErrorKind::Invalid,
                        format!(
                            "pin `{port}` of instance `{}` connects to a pad, but {} is not an inout port of this module; \
                             declare the pad with `Module::inout` in the top module",
                            inst.name,
                            describe(pad)
                        ),
                        *location,
                    );
                    continue;
                }
            };
            self.add_use(&parts, Tag::Pad(index), Some(*location));
            outputs.push((nl::CellPort::Pin(port.clone()), parts));
        }
        self.out.cells.push(nl::Cell {
            name,
            kind: nl::CellKind::BlackBox {
                kind: inst.kind.clone(),
                params: inst.params.iter().map(|(n, v, _)| (n.clone(), v.clone())).collect(),
                attrs: inst.attrs.clone(),
            },
            inputs,
            outputs,
            location: Some(inst.location),
        });
    }

    /// The connections and parameters of an instance of a known primitive, against its
    /// declaration.
    fn check_primitive(&mut self, primitive: &Primitive, inst: &InstanceDecl) {
        let kind = primitive.name;
        let connections = inst
            .inputs
            .iter()
            .map(|c| (c, Dir::In))
            .chain(inst.outputs.iter().map(|c| (c, Dir::Out)))
            .chain(inst.inouts.iter().map(|c| (c, Dir::InOut)));
        for ((pin, value, location), used_as) in connections {
            match primitive.pin(pin) {
                None => self.error(
                    ErrorKind::NoSuchPort,
                    format!("primitive `{kind}` has no pin `{pin}`; its pins are: {}", primitive.pin_list()),
                    *location,
                ),
                Some(dir) if dir != used_as => {
                    let (is, with) = match dir {
                        Dir::In => ("an input", "`.input`"),
                        Dir::Out => ("an output", "`.output`"),
                        Dir::InOut => ("bidirectional (a pad)", "`.inout` to an inout port of the top module"),
                    };
                    self.error(
                        ErrorKind::Invalid,
                        format!("pin `{pin}` of primitive `{kind}` is {is}; connect it with {with}"),
                        *location,
                    );
                }
                Some(_) if value.width() != 1 => self.error(
                    ErrorKind::Invalid,
                    format!(
                        "pin `{pin}` of primitive `{kind}` is one bit, but {} is {} bits wide; connect each bit to its own pin",
                        describe(value),
                        value.width()
                    ),
                    *location,
                ),
                Some(_) => {}
            }
        }
        for (param, value, location) in &inst.params {
            if !primitive.has_param(param) {
                self.error(
                    ErrorKind::Invalid,
                    format!(
                        "primitive `{kind}` has no parameter `{param}`; its parameters are: {}",
                        primitive.param_list()
                    ),
                    *location,
                );
            } else if let Some(accepted) = primitive.accepted(param).filter(|a| !a.accepts(value)) {
                self.error(
                    ErrorKind::Invalid,
                    format!(
                        "parameter `{param}` of primitive `{kind}` cannot be {}; it accepts {}",
                        crate::verilog::param_text(value),
                        accepted.list()
                    ),
                    *location,
                );
            }
        }
    }
}
