//! Elaboration: from the modules a user built to a checked [`Netlist`].
//!
//! Children are elaborated before their parents. Each module's signals become wires,
//! its statement tree becomes one process per clock domain and one per group of
//! combinational wires, and every check runs: names, widths, drivers, undriven outputs
//! and combinational loops; then, over the whole hierarchy, resets that never release.

use std::collections::HashMap;

use crate::bits::Bits;
use crate::error::{Error, ErrorKind, Errors, Location};
use crate::instance::InstanceDecl;
use crate::loops;
use crate::memory::MemoryDecl;
use crate::module::{DomainSource, Module, ResetKind, SYNC};
use crate::names::{self, Namespace};
use crate::netlist::{self as nl, DomainId, ExprId, ExprKind, ModuleId, WireId, WireSlice};
use crate::resets;
use crate::shape::{self, Shape};
use crate::stmt::{Branch, Case, Stmt};
use crate::value::{self, Node, Value, ValueKind};

/// An elaborated design: a checked netlist, ready for the back ends.
#[derive(Clone, Debug)]
pub struct Design {
    netlist: nl::Netlist,
}

impl Design {
    /// Elaborates `top` and its submodules, running every check. All errors found are
    /// returned together, each with the user's source location.
    pub fn elaborate(top: Module) -> Result<Design, Errors> {
        let mut elab = Elaborator::default();
        let path = top.name.clone();
        let top = elab.module(top, path);
        if !elab.errors.is_empty() {
            return Err(Errors(elab.errors));
        }
        let netlist = nl::Netlist {
            modules: elab.modules,
            top,
        };
        // Whole-design checks, on a netlist whose modules each passed their own.
        let errors = resets::check(&netlist);
        if errors.is_empty() {
            Ok(Design { netlist })
        } else {
            Err(Errors(errors))
        }
    }

    /// The netlist.
    pub fn netlist(&self) -> &nl::Netlist {
        &self.netlist
    }

    /// The top module's name.
    pub fn top_name(&self) -> &str {
        &self.netlist.modules[self.netlist.top.index()].name
    }
}

#[derive(Default)]
struct Elaborator {
    modules: Vec<nl::Module>,
    /// For each module: which input ports each output port depends on combinationally.
    summaries: Vec<loops::Summary>,
    errors: Vec<Error>,
}

impl Elaborator {
    /// Elaborates `m`, whose hierarchical path is `path`, after its children.
    fn module(&mut self, mut m: Module, path: String) -> ModuleId {
        let submodules = std::mem::take(&mut m.submodules);
        let mut children = Vec::new();
        for sub in submodules {
            let crate::module::SubmoduleDecl {
                name,
                module,
                ports,
                location,
            } = sub;
            let id = self.module(module, format!("{path}.{name}"));
            children.push(Child { name, id, ports, location });
        }
        let mut lower = Lower::new(&m, &self.modules);
        lower.run(&children);
        let Lower { out, mut errors, .. } = lower;
        let mut out = out;
        errors.extend(m.errors.iter().cloned());
        let child_summaries: Vec<Option<&loops::Summary>> = out
            .cells
            .iter()
            .map(|c| match c.kind {
                nl::CellKind::Submodule(id) => Some(&self.summaries[id.index()]),
                nl::CellKind::BlackBox { .. } => None,
            })
            .collect();
        let summary = if errors.is_empty() {
            match loops::check(&out, &child_summaries) {
                Ok(summary) => summary,
                Err(e) => {
                    errors.push(e);
                    loops::Summary::default()
                }
            }
        } else {
            loops::Summary::default()
        };
        for mut e in errors {
            if e.module.is_empty() {
                e.module = path.clone();
            }
            self.errors.push(e);
        }
        // One Verilog module per distinct content: identical instances share it.
        let base = out.name.clone();
        let mut n = 0;
        while let Some(existing) = self.modules.iter().position(|x| x.name == out.name) {
            if self.modules[existing] == out {
                return ModuleId(existing as u32);
            }
            n += 1;
            out.name = format!("{base}_{n}");
        }
        self.modules.push(out);
        self.summaries.push(summary);
        ModuleId(self.modules.len() as u32 - 1)
    }
}

struct UsedDomain {
    name: String,
    location: Location,
    /// Whether registers of this domain are reset (so it needs a reset port).
    resets: bool,
}

struct Child {
    name: String,
    id: ModuleId,
    ports: Vec<(String, crate::module::Direction, Value)>,
    location: Location,
}

/// Who drives some bits of a wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    Input,
    /// `None` is combinational logic.
    Domain(Option<DomainId>),
    Cell(u32),
    Memory(u32),
}

#[derive(Clone, Debug)]
struct Use {
    tag: Tag,
    lo: u32,
    width: u32,
    location: Option<Location>,
}

/// A validated assignment target: where it goes and in which domain.
#[derive(Clone)]
struct Target {
    domain: Option<DomainId>,
    parts: Vec<WireSlice>,
}

struct FsmInfo {
    wire: WireId,
    states: Vec<(String, nl::SymbolId)>,
}

/// Lowers one module.
struct Lower<'a> {
    src: &'a Module,
    modules: &'a [nl::Module],
    out: nl::Module,
    errors: Vec<Error>,
    names: Namespace,
    signal_wires: Vec<WireId>,
    memo: HashMap<*const Node, ExprId>,
    drivers: Vec<Vec<Use>>,
    targets: HashMap<*const Stmt, Target>,
    fsms: Vec<Option<FsmInfo>>,
}

impl<'a> Lower<'a> {
    fn new(src: &'a Module, modules: &'a [nl::Module]) -> Lower<'a> {
        Lower {
            src,
            modules,
            out: nl::Module {
                name: src.name.clone(),
                location: Some(src.location),
                ..Default::default()
            },
            errors: Vec::new(),
            names: Namespace::default(),
            signal_wires: Vec::new(),
            memo: HashMap::new(),
            drivers: Vec::new(),
            targets: HashMap::new(),
            fsms: Vec::new(),
        }
    }

    fn error(&mut self, kind: ErrorKind, message: String, location: Location) {
        self.errors.push(Error::new(kind, message, location));
    }

    fn run(&mut self, children: &[Child]) {
        if let Some(why) = names::check(&self.src.name) {
            self.error(ErrorKind::BadName, format!("module name: {why}"), self.src.location);
        }
        let used = self.used_domains(children);
        self.declare_port_domains(&used);
        self.declare_signals();
        self.declare_local_domains(&used);
        self.declare_fsms();
        let body = self.src.body();
        self.validate_block(body);
        self.build_processes();
        for (i, mem) in self.src.memories.iter().enumerate() {
            self.memory(i as u32, mem);
        }
        for child in children {
            self.submodule(child);
        }
        for inst in &self.src.instances {
            self.black_box(inst);
        }
        self.check_drivers();
    }

    // ---- domains ----------------------------------------------------------------

    /// Every domain name used here or by a child, in order of first use, with whether
    /// anything in it is reset (memory ports are not).
    fn used_domains(&self, children: &[Child]) -> Vec<UsedDomain> {
        let mut used: Vec<UsedDomain> = Vec::new();
        let mut add = |name: &str, location: Location, resets: bool| match used.iter_mut().find(|u| u.name == name) {
            Some(u) => u.resets |= resets,
            None => used.push(UsedDomain {
                name: name.to_owned(),
                location,
                resets,
            }),
        };
        for d in &self.src.domains {
            add(&d.name, d.location, false);
        }
        fn walk(stmts: &[Stmt], add: &mut dyn FnMut(&str, Location, bool)) {
            for s in stmts {
                match s {
                    Stmt::Assign {
                        domain: Some(d),
                        statement,
                    } => add(d, statement.location, true),
                    Stmt::Assign { domain: None, .. } | Stmt::FsmBody(_) | Stmt::FsmNext { .. } => {}
                    Stmt::If(branches) => branches.iter().for_each(|b| walk(&b.body, add)),
                    Stmt::Switch { cases, .. } => cases.iter().for_each(|c| walk(&c.body, add)),
                }
            }
        }
        walk(self.src.body(), &mut add);
        for f in &self.src.fsms {
            add(&f.domain, f.location, true);
            for s in &f.states {
                walk(&s.body, &mut add);
            }
        }
        for m in &self.src.memories {
            for p in &m.read_ports {
                if let Some(d) = &p.domain {
                    add(d, p.location, false);
                }
            }
            for p in &m.write_ports {
                add(&p.domain, p.location, false);
            }
        }
        for c in children {
            for d in self.modules[c.id.index()].domains.iter().filter(|d| d.from_ports) {
                add(&d.name, c.location, d.reset.is_some());
            }
        }
        used
    }

    fn port_names(name: &str) -> (String, String) {
        if name == SYNC {
            ("clk".into(), "rst".into())
        } else {
            (format!("{name}_clk"), format!("{name}_rst"))
        }
    }

    /// Domains entering through ports come first, so their ports lead the port list.
    fn declare_port_domains(&mut self, used: &[UsedDomain]) {
        for UsedDomain { name, location, resets } in used {
            let decls: Vec<_> = self.src.domains.iter().filter(|d| &d.name == name).collect();
            if decls.len() > 1 {
                self.error(
                    ErrorKind::Invalid,
                    format!("clock domain `{name}` is declared twice"),
                    decls[1].location,
                );
            }
            if name == "comb" {
                self.error(
                    ErrorKind::BadName,
                    "`comb` is not a clock domain; use `Module::comb` for combinational logic".into(),
                    *location,
                );
                continue;
            }
            if let Some(why) = names::check(name) {
                self.error(ErrorKind::BadName, format!("clock domain name: {why}"), *location);
                continue;
            }
            // An undeclared domain gets a synchronous reset port, if anything uses it.
            let reset = match decls.first().map(|d| (&d.source, d.reset)) {
                Some((DomainSource::Local { .. }, _)) => continue,
                Some((DomainSource::Ports, reset)) => reset,
                None if *resets => ResetKind::Sync,
                None => ResetKind::None,
            };
            let (clk_name, rst_name) = Self::port_names(name);
            let clk = self.port_wire(&clk_name, *location);
            let reset = (reset != ResetKind::None).then(|| nl::Reset {
                wire: self.port_wire(&rst_name, *location),
                asynchronous: reset == ResetKind::Async,
            });
            self.out.domains.push(nl::Domain {
                name: name.clone(),
                clk,
                reset,
                from_ports: true,
                location: Some(*location),
            });
        }
    }

    fn port_wire(&mut self, name: &str, location: Location) -> WireId {
        if self.names.contains(name) || self.src.signals.iter().any(|s| s.port.is_some() && s.name == name) {
            self.error(
                ErrorKind::BadName,
                format!("port `{name}` is needed for a clock domain but a port of that name exists already"),
                location,
            );
        }
        let name = self.names.unique(name);
        self.add_wire(nl::Wire {
            name,
            width: 1,
            signed: false,
            init: Bits::zero(1),
            port: Some(nl::Direction::Input),
            driver: nl::Driver::Input,
            location: Some(location),
        })
    }

    fn add_wire(&mut self, wire: nl::Wire) -> WireId {
        self.out.wires.push(wire);
        self.drivers.push(Vec::new());
        let id = WireId(self.out.wires.len() as u32 - 1);
        if self.out.wires[id.index()].port == Some(nl::Direction::Input) {
            let width = self.out.wires[id.index()].width;
            let location = self.out.wires[id.index()].location;
            self.drivers[id.index()].push(Use {
                tag: Tag::Input,
                lo: 0,
                width,
                location,
            });
        }
        id
    }

    fn declare_local_domains(&mut self, used: &[UsedDomain]) {
        for UsedDomain { name, .. } in used {
            let Some(decl) = self.src.domains.iter().find(|d| &d.name == name) else {
                continue;
            };
            let DomainSource::Local { clk, rst } = &decl.source else { continue };
            let clk = self.signal_wire_of(clk, &format!("the clock of domain `{name}`"), decl.location);
            let rst = rst
                .as_ref()
                .map(|r| self.signal_wire_of(r, &format!("the reset of domain `{name}`"), decl.location));
            if let Some(clk) = clk {
                self.out.domains.push(nl::Domain {
                    name: name.clone(),
                    clk,
                    reset: rst.flatten().map(|wire| nl::Reset {
                        wire,
                        asynchronous: decl.reset == ResetKind::Async,
                    }),
                    from_ports: false,
                    location: Some(decl.location),
                });
            }
        }
    }

    /// The wire of a one-bit signal of this module, used as a clock or reset.
    fn signal_wire_of(&mut self, v: &Value, what: &str, location: Location) -> Option<WireId> {
        match v.kind() {
            ValueKind::Signal(s) if s.module == self.src.uid && v.width() == 1 => Some(self.signal_wires[s.index as usize]),
            _ => {
                self.error(
                    ErrorKind::Invalid,
                    format!("{what} must be a one-bit signal of this module"),
                    location,
                );
                None
            }
        }
    }

    /// The domain called `name`; `None` only for a name already reported as bad.
    fn domain_id(&self, name: &str) -> Option<DomainId> {
        self.out.domains.iter().position(|d| d.name == name).map(|i| DomainId(i as u32))
    }

    // ---- signals and state machines ---------------------------------------------------

    fn declare_signals(&mut self) {
        let src = self.src;
        // Ports keep their names (a clash is an error); internal signals are made unique.
        let mut order: Vec<usize> = (0..src.signals.len()).filter(|&i| src.signals[i].port.is_some()).collect();
        order.extend((0..src.signals.len()).filter(|&i| src.signals[i].port.is_none()));
        let mut wires = vec![WireId(0); src.signals.len()];
        for i in order {
            let decl = &src.signals[i];
            if let Some(why) = names::check(&decl.name) {
                self.error(ErrorKind::BadName, why, decl.location);
            }
            if decl.shape.width == 0 || decl.shape.width > shape::MAX_WIDTH {
                self.error(
                    ErrorKind::Invalid,
                    format!(
                        "signal `{}` has width {}; widths are 1..={}",
                        decl.name,
                        decl.shape.width,
                        shape::MAX_WIDTH
                    ),
                    decl.location,
                );
            }
            if decl.port.is_some() && self.names.contains(&decl.name) {
                self.error(ErrorKind::BadName, format!("two ports are named `{}`", decl.name), decl.location);
            }
            let init = match Module::init_bits(decl) {
                Ok(bits) => bits,
                Err(why) => {
                    self.error(ErrorKind::Invalid, why, decl.location);
                    Bits::zero(decl.shape.width)
                }
            };
            let name = self.names.unique(&decl.name);
            wires[i] = self.add_wire(nl::Wire {
                name,
                width: decl.shape.width.max(1),
                signed: decl.shape.signed,
                init,
                port: decl.port,
                driver: if decl.port == Some(nl::Direction::Input) {
                    nl::Driver::Input
                } else {
                    nl::Driver::None
                },
                location: Some(decl.location),
            });
        }
        self.signal_wires = wires;
    }

    fn declare_fsms(&mut self) {
        for decl in &self.src.fsms {
            if let Some(why) = names::check(&decl.name) {
                self.error(ErrorKind::BadName, format!("state machine name: {why}"), decl.location);
            }
            if decl.states.is_empty() {
                self.error(
                    ErrorKind::Invalid,
                    format!("state machine `{}` has no states; define them with `Module::state`", decl.name),
                    decl.location,
                );
                self.fsms.push(None);
                continue;
            }
            let width = (32 - (decl.states.len() as u32 - 1).leading_zeros()).max(1);
            let mut states = Vec::new();
            for (code, state) in decl.states.iter().enumerate() {
                if let Some(why) = names::check(&state.name) {
                    self.error(ErrorKind::BadName, format!("state name: {why}"), state.location);
                }
                if states.iter().any(|(n, _): &(String, nl::SymbolId)| n == &state.name) {
                    self.error(
                        ErrorKind::Invalid,
                        format!("state `{}` of `{}` is defined twice", state.name, decl.name),
                        state.location,
                    );
                }
                let symbol = self.names.unique(&format!("{}_{}", decl.name, state.name).to_uppercase());
                self.out.symbols.push(nl::Symbol {
                    name: symbol,
                    value: Bits::from_u128(code as u128, width),
                });
                states.push((state.name.clone(), nl::SymbolId(self.out.symbols.len() as u32 - 1)));
            }
            let name = self.names.unique(&format!("{}_state", decl.name));
            let wire = self.add_wire(nl::Wire {
                name,
                width,
                signed: false,
                init: Bits::zero(width),
                port: None,
                driver: nl::Driver::None,
                location: Some(decl.location),
            });
            self.fsms.push(Some(FsmInfo { wire, states }));
        }
    }

    fn fsm_state(&mut self, fsm: crate::fsm::FsmRef, state: &str, location: Location) -> Option<(WireId, nl::SymbolId)> {
        if fsm.module != self.src.uid {
            self.error(
                ErrorKind::ForeignSignal,
                format!("state machine used in module `{}` belongs to another module", self.src.name),
                location,
            );
            return None;
        }
        let info = self.fsms[fsm.index as usize].as_ref()?;
        match info.states.iter().find(|(n, _)| n == state) {
            Some((_, sym)) => Some((info.wire, *sym)),
            None => {
                let decl = &self.src.fsms[fsm.index as usize];
                let known: Vec<&str> = info.states.iter().map(|(n, _)| n.as_str()).collect();
                let message = format!(
                    "state machine `{}` has no state `{state}`; its states are: {}",
                    decl.name,
                    known.join(", ")
                );
                self.error(ErrorKind::Invalid, message, location);
                None
            }
        }
    }

    // ---- expressions ----------------------------------------------------------------

    fn push_expr(&mut self, width: u32, kind: ExprKind) -> ExprId {
        self.out.exprs.push(nl::Expr { width, kind });
        ExprId(self.out.exprs.len() as u32 - 1)
    }

    fn constant(&mut self, bits: Bits) -> ExprId {
        let width = bits.width();
        self.push_expr(width, ExprKind::Const(bits))
    }

    fn wire_expr(&mut self, w: WireId) -> ExprId {
        let width = self.out.wires[w.index()].width;
        self.push_expr(width, ExprKind::Wire(w))
    }

    /// Extends `e` (of a value with signedness `signed`) to `width` bits.
    fn extend(&mut self, e: ExprId, width: u32, signed: bool) -> ExprId {
        let expr = &self.out.exprs[e.index()];
        if expr.width == width {
            return e;
        }
        if let ExprKind::Const(bits) = &expr.kind {
            let bits = bits.resize(width, signed);
            return self.constant(bits);
        }
        self.push_expr(width, ExprKind::Extend { value: e, signed })
    }

    fn slice(&mut self, e: ExprId, lo: u32, width: u32) -> ExprId {
        let expr = &self.out.exprs[e.index()];
        if lo == 0 && expr.width == width {
            return e;
        }
        match &expr.kind {
            ExprKind::Const(bits) => {
                let mut out = Bits::zero(width);
                for i in 0..width {
                    out.set_bit(i, bits.bit(lo + i));
                }
                self.constant(out)
            }
            ExprKind::Slice { value, lo: inner } => {
                let (value, inner) = (*value, *inner);
                self.push_expr(width, ExprKind::Slice { value, lo: inner + lo })
            }
            _ => self.push_expr(width, ExprKind::Slice { value: e, lo }),
        }
    }

    /// `v` at exactly `width` bits: extended by its signedness, or its low bits. Narrowing
    /// is pushed into operations whose low bits depend only on their operands' low bits,
    /// so that `(a + b).trunc(8)` becomes an 8-bit addition.
    fn fit(&mut self, v: &Value, width: u32) -> ExprId {
        if v.width() <= width {
            let e = self.value(v);
            return self.extend(e, width, v.is_signed());
        }
        if let Some(e) = self.modular(v, width) {
            return e;
        }
        match v.kind() {
            ValueKind::Resize(a) => self.fit(a, width),
            ValueKind::Concat(parts) => {
                let mut taken = Vec::new();
                let mut have = 0;
                for p in parts {
                    if have == width {
                        break;
                    }
                    let w = p.width().min(width - have);
                    taken.push(self.fit(p, w));
                    have += w;
                }
                if taken.len() == 1 {
                    taken[0]
                } else {
                    self.push_expr(width, ExprKind::Concat(taken))
                }
            }
            _ => {
                let e = self.value(v);
                self.slice(e, 0, width)
            }
        }
    }

    /// Operations whose low `width` bits depend only on the low `width` bits of their
    /// operands, computed at `width` bits (the value's own width or less); `None` for
    /// every other kind of value.
    fn modular(&mut self, v: &Value, width: u32) -> Option<ExprId> {
        use value::BinaryOp as B;
        let e = match v.kind() {
            ValueKind::Binary(op @ (B::Add | B::Sub | B::Mul | B::And | B::Or | B::Xor), a, b) => {
                let (a, b) = (self.fit(a, width), self.fit(b, width));
                self.push_expr(width, ExprKind::Binary(binary_op(*op), a, b))
            }
            ValueKind::Binary(B::Shl, a, amount) => {
                let value = self.fit(a, width);
                let amount = self.value(amount);
                let op = nl::ShiftOp::Shl;
                self.push_expr(width, ExprKind::Shift { op, value, amount })
            }
            ValueKind::Unary(value::UnaryOp::Not, a) => {
                let a = self.fit(a, width);
                self.push_expr(width, ExprKind::Unary(nl::UnaryOp::Not, a))
            }
            ValueKind::Unary(value::UnaryOp::Neg, a) => {
                let zero = self.constant(Bits::zero(width));
                let a = self.fit(a, width);
                self.push_expr(width, ExprKind::Binary(nl::BinaryOp::Sub, zero, a))
            }
            ValueKind::Mux(sel, a, b) => {
                let sel = self.value(sel);
                let (a, b) = (self.fit(a, width), self.fit(b, width));
                self.push_expr(width, ExprKind::Mux { sel, a, b })
            }
            _ => return None,
        };
        Some(e)
    }

    /// `v` at its own width.
    fn value(&mut self, v: &Value) -> ExprId {
        let key = std::sync::Arc::as_ptr(&v.0);
        if let Some(&e) = self.memo.get(&key) {
            return e;
        }
        let e = self.lower_value(v);
        self.memo.insert(key, e);
        e
    }

    fn lower_value(&mut self, v: &Value) -> ExprId {
        use value::BinaryOp as B;
        let width = v.width();
        if let Some(e) = self.modular(v, width) {
            return e;
        }
        match v.kind() {
            ValueKind::Const(bits) => self.constant(bits.resize(width, false)),
            ValueKind::Signal(s) => {
                if s.module != self.src.uid {
                    let message = format!(
                        "signal `{}` belongs to another module than `{}`; pass it through a port (or use `Submodule::port`)",
                        s.name, self.src.name
                    );
                    self.error(ErrorKind::ForeignSignal, message, self.src.location);
                    return self.constant(Bits::zero(width));
                }
                let w = self.signal_wires[s.index as usize];
                self.wire_expr(w)
            }
            ValueKind::Unary(op, a) => {
                let a = self.value(a);
                let op = match op {
                    value::UnaryOp::ReduceAnd => nl::UnaryOp::ReduceAnd,
                    value::UnaryOp::ReduceOr => nl::UnaryOp::ReduceOr,
                    value::UnaryOp::ReduceXor => nl::UnaryOp::ReduceXor,
                    value::UnaryOp::Not | value::UnaryOp::Neg => unreachable!("lowered by `modular`"),
                };
                self.push_expr(1, ExprKind::Unary(op, a))
            }
            ValueKind::Binary(op, a, b) => match op {
                B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
                    let common = shape::bitwise(a.shape(), b.shape());
                    let (ea, eb) = (self.fit(a, common.width), self.fit(b, common.width));
                    let op = match op {
                        B::Eq => nl::CompareOp::Eq,
                        B::Ne => nl::CompareOp::Ne,
                        B::Lt => nl::CompareOp::Lt,
                        B::Le => nl::CompareOp::Le,
                        B::Gt => nl::CompareOp::Gt,
                        _ => nl::CompareOp::Ge,
                    };
                    let signed = common.signed && !matches!(op, nl::CompareOp::Eq | nl::CompareOp::Ne);
                    self.push_expr(1, ExprKind::Compare { op, signed, a: ea, b: eb })
                }
                B::Shr => {
                    let value = self.value(a);
                    let amount = self.value(b);
                    let op = if a.is_signed() { nl::ShiftOp::Sar } else { nl::ShiftOp::Shr };
                    self.push_expr(width, ExprKind::Shift { op, value, amount })
                }
                B::Add | B::Sub | B::Mul | B::And | B::Or | B::Xor | B::Shl => unreachable!("lowered by `modular`"),
            },
            ValueKind::Mux(..) => unreachable!("lowered by `modular`"),
            ValueKind::Slice(a, lo, w) => {
                let a = self.value(a);
                self.slice(a, *lo, *w)
            }
            ValueKind::Part {
                value: a,
                offset,
                width: w,
                stride,
            } => {
                let amount = if *stride == 1 {
                    self.value(offset)
                } else {
                    let stride_shape = Shape::for_unsigned(*stride as u128);
                    let aw = offset.width() + stride_shape.width;
                    let off = self.fit(offset, aw);
                    let k = self.constant(Bits::from_u128(*stride as u128, aw));
                    self.push_expr(aw, ExprKind::Binary(nl::BinaryOp::Mul, off, k))
                };
                let value = self.value(a);
                let shifted = self.push_expr(
                    a.width(),
                    ExprKind::Shift {
                        op: nl::ShiftOp::Shr,
                        value,
                        amount,
                    },
                );
                self.slice(shifted, 0, *w)
            }
            ValueKind::Concat(parts) => {
                let parts: Vec<ExprId> = parts.iter().map(|p| self.value(p)).collect();
                self.push_expr(width, ExprKind::Concat(parts))
            }
            ValueKind::Replicate(a) => {
                let a = self.value(a);
                self.push_expr(width, ExprKind::Repeat(a))
            }
            ValueKind::Resize(a) => self.fit(a, width),
            ValueKind::FsmOngoing { fsm, state, location } => match self.fsm_state(*fsm, state, *location) {
                Some((wire, symbol)) => {
                    let w = self.out.wires[wire.index()].width;
                    let a = self.wire_expr(wire);
                    let b = self.push_expr(w, ExprKind::Symbol(symbol));
                    self.push_expr(
                        1,
                        ExprKind::Compare {
                            op: nl::CompareOp::Eq,
                            signed: false,
                            a,
                            b,
                        },
                    )
                }
                None => self.constant(Bits::zero(1)),
            },
            ValueKind::Invalid(error) => {
                self.errors.push((**error).clone());
                self.constant(Bits::zero(width))
            }
        }
    }

    // ---- assignment targets and drivers -------------------------------------------------

    /// The wire bits `v` names, least significant first, or why it cannot be assigned.
    fn lhs_parts(&mut self, v: &Value) -> Result<Vec<WireSlice>, String> {
        match v.kind() {
            ValueKind::Signal(s) if s.module == self.src.uid => {
                let wire = self.signal_wires[s.index as usize];
                Ok(vec![WireSlice {
                    wire,
                    lo: 0,
                    width: v.width(),
                }])
            }
            ValueKind::Signal(s) => Err(format!(
                "signal `{}` belongs to another module; a module can only drive its own signals",
                s.name
            )),
            ValueKind::Slice(a, lo, width) => {
                let parts = self.lhs_parts(a)?;
                Ok(select_bits(&parts, *lo, *width))
            }
            ValueKind::Concat(items) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.extend(self.lhs_parts(item)?);
                }
                Ok(parts)
            }
            ValueKind::Resize(a) if a.width() == v.width() => self.lhs_parts(a),
            ValueKind::Invalid(error) => Err(error.message.clone()),
            _ => Err("only a signal, a constant slice of one, or a `cat` of those can be assigned".into()),
        }
    }

    fn add_use(&mut self, parts: &[WireSlice], tag: Tag, location: Option<Location>) {
        for p in parts {
            self.drivers[p.wire.index()].push(Use {
                tag,
                lo: p.lo,
                width: p.width,
                location,
            });
        }
    }

    /// Checks every assignment once, records its target and its driver.
    fn validate_block(&mut self, stmts: &'a [Stmt]) {
        for s in stmts {
            match s {
                Stmt::Assign { domain, statement } => {
                    let location = statement.location;
                    let domain_id = match domain {
                        None => None,
                        Some(name) => match self.domain_id(name) {
                            Some(d) => Some(d),
                            None => continue,
                        },
                    };
                    if let Some(error) = invalid_target(&statement.lhs) {
                        // A target that could not be built reports its own error.
                        self.errors.push(error.clone());
                        continue;
                    }
                    let parts = match self.lhs_parts(&statement.lhs) {
                        Ok(parts) => parts,
                        Err(why) => {
                            self.error(
                                ErrorKind::Invalid,
                                format!("cannot assign to {}: {why}", describe(&statement.lhs)),
                                location,
                            );
                            continue;
                        }
                    };
                    let (lw, rw) = (statement.lhs.width(), statement.rhs.width());
                    if rw > lw {
                        let message = format!(
                            "width truncation: assigning a {rw}-bit value ({}) to {} ({}) would drop {} bit{}; write `.trunc({lw})` on the value to drop them on purpose",
                            statement.rhs.shape(),
                            describe(&statement.lhs),
                            statement.lhs.shape(),
                            rw - lw,
                            if rw - lw == 1 { "" } else { "s" },
                        );
                        self.error(ErrorKind::Truncation, message, location);
                        // Still the intended driver: no "never driven" error follows.
                        self.add_use(&parts, Tag::Domain(domain_id), Some(location));
                        continue;
                    }
                    self.add_use(&parts, Tag::Domain(domain_id), Some(location));
                    self.targets.insert(s as *const Stmt, Target { domain: domain_id, parts });
                }
                Stmt::If(branches) => branches.iter().for_each(|b| self.validate_block(&b.body)),
                Stmt::Switch { cases, .. } => cases.iter().for_each(|c| self.validate_block(&c.body)),
                Stmt::FsmBody(fsm) => {
                    let Some(decl) = self.src.fsms.get(fsm.index as usize) else {
                        continue;
                    };
                    for state in &decl.states {
                        self.validate_block(&state.body);
                    }
                }
                Stmt::FsmNext { fsm, state, location } => {
                    let Some((wire, _)) = self.fsm_state(*fsm, state, *location) else {
                        continue;
                    };
                    let domain_name = &self.src.fsms[fsm.index as usize].domain;
                    let Some(domain) = self.domain_id(domain_name) else { continue };
                    let width = self.out.wires[wire.index()].width;
                    let parts = vec![WireSlice { wire, lo: 0, width }];
                    self.add_use(&parts, Tag::Domain(Some(domain)), Some(*location));
                    self.targets.insert(
                        s as *const Stmt,
                        Target {
                            domain: Some(domain),
                            parts,
                        },
                    );
                }
            }
        }
    }

    // ---- processes ------------------------------------------------------------------

    fn build_processes(&mut self) {
        // Combinational wires assigned together (through a `cat` target) share a process.
        let n = self.out.wires.len();
        let mut group: Vec<usize> = (0..n).collect();
        fn root(group: &mut [usize], mut i: usize) -> usize {
            while group[i] != i {
                group[i] = group[group[i]];
                i = group[i];
            }
            i
        }
        let mut comb = vec![false; n];
        let mut sync_domains: Vec<DomainId> = Vec::new();
        for t in self.targets.values() {
            match t.domain {
                None => {
                    let first = t.parts[0].wire.index();
                    for p in &t.parts {
                        comb[p.wire.index()] = true;
                        let (a, b) = (root(&mut group, first), root(&mut group, p.wire.index()));
                        group[a.max(b)] = a.min(b);
                    }
                }
                Some(d) => {
                    if !sync_domains.contains(&d) {
                        sync_domains.push(d);
                    }
                }
            }
        }
        sync_domains.sort();
        let body = self.src.body();
        for w in 0..n {
            if !comb[w] || root(&mut group, w) != w {
                continue;
            }
            let members: Vec<WireId> = (0..n)
                .filter(|&x| comb[x] && root(&mut group, x) == w)
                .map(|x| WireId(x as u32))
                .collect();
            let stmts = self.lower_block(body, &|t: &Target| {
                t.domain.is_none() && t.parts.iter().any(|p| members.contains(&p.wire))
            });
            self.add_process(None, members, stmts);
        }
        for d in sync_domains {
            let members: Vec<WireId> = {
                let mut m: Vec<WireId> = self
                    .targets
                    .values()
                    .filter(|t| t.domain == Some(d))
                    .flat_map(|t| t.parts.iter().map(|p| p.wire))
                    .collect();
                m.sort();
                m.dedup();
                m
            };
            let stmts = self.lower_block(body, &|t: &Target| t.domain == Some(d));
            self.add_process(Some(d), members, stmts);
        }
    }

    fn add_process(&mut self, domain: Option<DomainId>, drives: Vec<WireId>, body: Vec<nl::Stmt>) {
        let index = self.out.processes.len() as u32;
        for w in &drives {
            self.out.wires[w.index()].driver = nl::Driver::Process(index);
        }
        self.out.processes.push(nl::Process { domain, drives, body });
    }

    fn lower_block(&mut self, stmts: &'a [Stmt], want: &dyn Fn(&Target) -> bool) -> Vec<nl::Stmt> {
        let mut out = Vec::new();
        for s in stmts {
            match s {
                Stmt::Assign { statement, .. } => {
                    let Some(t) = self.targets.get(&(s as *const Stmt)).cloned() else {
                        continue;
                    };
                    if want(&t) {
                        let width = t.parts.iter().map(|p| p.width).sum();
                        let rhs = self.fit(&statement.rhs, width);
                        out.push(nl::Stmt::Assign {
                            lhs: t.parts,
                            rhs,
                            location: statement.location,
                        });
                    }
                }
                Stmt::FsmNext { fsm, state, location } => {
                    let Some(t) = self.targets.get(&(s as *const Stmt)).cloned() else {
                        continue;
                    };
                    if want(&t) {
                        let Some((wire, symbol)) = self.fsm_state(*fsm, state, *location) else {
                            continue;
                        };
                        let width = self.out.wires[wire.index()].width;
                        let rhs = self.push_expr(width, ExprKind::Symbol(symbol));
                        out.push(nl::Stmt::Assign {
                            lhs: t.parts,
                            rhs,
                            location: *location,
                        });
                    }
                }
                Stmt::If(branches) => {
                    if let Some(stmt) = self.lower_if(branches, want) {
                        out.push(stmt);
                    }
                }
                Stmt::Switch { selector, cases, .. } => {
                    let lowered: Vec<(Option<Vec<nl::CasePattern>>, Vec<nl::Stmt>)> = cases
                        .iter()
                        .map(|c| (self.patterns(selector, c), self.lower_block(&c.body, want)))
                        .collect();
                    if let Some(stmt) = self.switch(selector, lowered) {
                        out.push(stmt);
                    }
                }
                Stmt::FsmBody(fsm) => {
                    let Some(info) = self.fsms[fsm.index as usize].as_ref() else {
                        continue;
                    };
                    let wire = info.wire;
                    let symbols: Vec<nl::SymbolId> = info.states.iter().map(|(_, s)| *s).collect();
                    let states = &self.src.fsms[fsm.index as usize].states;
                    let mut cases = Vec::new();
                    for (state, symbol) in states.iter().zip(symbols) {
                        let sym = &self.out.symbols[symbol.index()];
                        let pattern = nl::CasePattern {
                            value: sym.value.clone(),
                            mask: Bits::from_i128(-1, sym.value.width()),
                            symbol: Some(symbol),
                        };
                        cases.push((Some(vec![pattern]), self.lower_block(&state.body, want)));
                    }
                    if cases.iter().any(|(_, b)| !b.is_empty()) {
                        let sel = self.wire_expr(wire);
                        trim_trailing_empty(&mut cases);
                        out.push(nl::Stmt::Switch {
                            sel,
                            cases: to_cases(cases),
                        });
                    }
                }
            }
        }
        out
    }

    fn lower_if(&mut self, branches: &'a [Branch], want: &dyn Fn(&Target) -> bool) -> Option<nl::Stmt> {
        let bodies: Vec<Vec<nl::Stmt>> = branches.iter().map(|b| self.lower_block(&b.body, want)).collect();
        let last_used = bodies.iter().rposition(|b| !b.is_empty())?;
        // Build from the innermost `else` outwards.
        let mut else_: Vec<nl::Stmt> = Vec::new();
        for (branch, body) in branches[..=last_used].iter().zip(bodies).rev() {
            match &branch.condition {
                None => else_ = body,
                Some(c) => {
                    let cond = self.value(c);
                    else_ = vec![nl::Stmt::If { cond, then: body, else_ }];
                }
            }
        }
        else_.pop()
    }

    fn patterns(&mut self, selector: &Value, case: &Case) -> Option<Vec<nl::CasePattern>> {
        let patterns = case.patterns.as_ref()?;
        if patterns.is_empty() {
            self.error(
                ErrorKind::Invalid,
                "a case needs at least one pattern; use `Switch::default` for the default case".into(),
                case.location,
            );
        }
        let mut out = Vec::new();
        for p in patterns {
            match p.resolve(selector.width(), selector.is_signed()) {
                Ok((value, mask)) => out.push(nl::CasePattern { value, mask, symbol: None }),
                Err(why) => self.error(ErrorKind::Invalid, why, case.location),
            }
        }
        Some(out)
    }

    fn switch(&mut self, selector: &Value, mut cases: Vec<(Option<Vec<nl::CasePattern>>, Vec<nl::Stmt>)>) -> Option<nl::Stmt> {
        trim_trailing_empty(&mut cases);
        if cases.is_empty() {
            return None;
        }
        let sel = self.value(selector);
        Some(nl::Stmt::Switch {
            sel,
            cases: to_cases(cases),
        })
    }

    // ---- memories, submodules, black boxes --------------------------------------------------

    fn own_wire(&mut self, v: &Value) -> WireId {
        match v.kind() {
            ValueKind::Signal(s) => self.signal_wires[s.index as usize],
            _ => unreachable!("memory port signals are created by the module"),
        }
    }

    fn memory(&mut self, index: u32, mem: &'a MemoryDecl) {
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
        for (i, p) in mem.read_ports.iter().enumerate() {
            let domain = match &p.domain {
                None => None,
                Some(name) => match self.domain_id(name) {
                    Some(d) => Some(d),
                    None => continue,
                },
            };
            let data = self.own_wire(&p.data);
            self.out.wires[data.index()].driver = nl::Driver::MemoryRead {
                memory: index,
                port: i as u32,
            };
            let width = self.out.wires[data.index()].width;
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

    fn submodule(&mut self, child: &Child) {
        let name = self.cell_name(&child.name, child.location);
        let index = self.out.cells.len() as u32;
        let child_module = &self.modules[child.id.index()];
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        for d in child_module.domains.iter().filter(|d| d.from_ports) {
            let Some(parent) = self.out.domains.iter().find(|p| p.name == d.name) else {
                continue;
            };
            let (clk, rst) = (parent.clk, parent.reset.map(|r| r.wire));
            let clk_port = child_module.wire(d.clk).name.clone();
            let clk = self.wire_expr(clk);
            inputs.push((clk_port, clk));
            if let Some(r) = d.reset {
                let rst_port = child_module.wire(r.wire).name.clone();
                let rst = match rst {
                    Some(w) => self.wire_expr(w),
                    None => self.constant(Bits::zero(1)),
                };
                inputs.push((rst_port, rst));
            }
        }
        for (port, dir, signal) in &child.ports {
            let wire = self.own_wire(signal);
            let width = self.out.wires[wire.index()].width;
            match dir {
                nl::Direction::Input => {
                    let e = self.wire_expr(wire);
                    inputs.push((port.clone(), e));
                }
                nl::Direction::Output => {
                    let parts = vec![WireSlice { wire, lo: 0, width }];
                    self.add_use(&parts, Tag::Cell(index), Some(child.location));
                    self.out.wires[wire.index()].driver = nl::Driver::Cell;
                    outputs.push((port.clone(), parts));
                }
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

    fn black_box(&mut self, inst: &'a InstanceDecl) {
        let name = self.cell_name(&inst.name, inst.location);
        if let Some(why) = names::check(&inst.kind) {
            self.error(ErrorKind::BadName, format!("instance type: {why}"), inst.location);
        }
        let index = self.out.cells.len() as u32;
        let inputs = inst.inputs.iter().map(|(port, v, _)| (port.clone(), self.value(v))).collect();
        let mut outputs = Vec::new();
        for (port, target, location) in &inst.outputs {
            match self.lhs_parts(target) {
                Ok(parts) => {
                    self.add_use(&parts, Tag::Cell(index), Some(*location));
                    for p in &parts {
                        self.out.wires[p.wire.index()].driver = nl::Driver::Cell;
                    }
                    outputs.push((port.clone(), parts));
                }
                Err(why) => self.error(
                    ErrorKind::Invalid,
                    format!(
                        "output `{port}` of instance `{}` cannot drive {}: {why}",
                        inst.name,
                        describe(target)
                    ),
                    *location,
                ),
            }
        }
        self.out.cells.push(nl::Cell {
            name,
            kind: nl::CellKind::BlackBox {
                kind: inst.kind.clone(),
                params: inst.params.clone(),
                attrs: inst.attrs.clone(),
            },
            inputs,
            outputs,
            location: Some(inst.location),
        });
    }

    // ---- driver checks --------------------------------------------------------------

    fn describe_tag(&self, tag: Tag) -> String {
        match tag {
            Tag::Input => "its input port (it is driven from outside the module)".into(),
            Tag::Domain(None) => "combinational logic".into(),
            Tag::Domain(Some(d)) => format!("clock domain `{}`", self.out.domains[d.index()].name),
            Tag::Cell(i) => format!("instance `{}`", self.out.cells[i as usize].name),
            Tag::Memory(i) => format!("a read port of memory `{}`", self.out.memories[i as usize].name),
        }
    }

    fn check_drivers(&mut self) {
        for w in 0..self.out.wires.len() {
            let mut uses = std::mem::take(&mut self.drivers[w]);
            // A conflict is reported where the later driver (in the source) was added.
            uses.sort_by_key(|u| u.location.map(|l| (l.file, l.line, l.column)));
            let wire = &self.out.wires[w];
            let (name, width, location) = (wire.name.clone(), wire.width, wire.location);
            if let Some(first) = uses.first() {
                for u in &uses[1..] {
                    let overlap = u.lo < first.lo + first.width && first.lo < u.lo + u.width;
                    let conflict = u.tag != first.tag && (overlap || !matches!((u.tag, first.tag), (Tag::Cell(_), Tag::Cell(_))));
                    if conflict {
                        let at = |l: Option<Location>| l.map(|l| format!(" (at {l})")).unwrap_or_default();
                        let message = format!(
                            "`{name}` is driven from two places: {}{} and {}{}; each bit must have one driver, and a signal belongs to one domain",
                            self.describe_tag(first.tag),
                            at(first.location),
                            self.describe_tag(u.tag),
                            at(u.location),
                        );
                        self.error(
                            ErrorKind::MultipleDrivers,
                            message,
                            u.location.or(location).unwrap_or(self.src.location),
                        );
                        break;
                    }
                }
            }
            if self.out.wires[w].port == Some(nl::Direction::Output) {
                let mut covered = vec![false; width as usize];
                for u in &uses {
                    for b in u.lo..u.lo + u.width {
                        covered[b as usize] = true;
                    }
                }
                if let Some(missing) = covered.iter().position(|c| !c) {
                    let what = if uses.is_empty() {
                        "is never driven".to_owned()
                    } else {
                        format!("has undriven bit {missing}")
                    };
                    let message = format!("output `{name}` {what}; assign it with `comb` or `sync`, or connect it to an instance output");
                    self.error(ErrorKind::UndrivenOutput, message, location.unwrap_or(self.src.location));
                }
            }
        }
    }
}

fn binary_op(op: value::BinaryOp) -> nl::BinaryOp {
    match op {
        value::BinaryOp::Add => nl::BinaryOp::Add,
        value::BinaryOp::Sub => nl::BinaryOp::Sub,
        value::BinaryOp::Mul => nl::BinaryOp::Mul,
        value::BinaryOp::And => nl::BinaryOp::And,
        value::BinaryOp::Or => nl::BinaryOp::Or,
        value::BinaryOp::Xor => nl::BinaryOp::Xor,
        other => unreachable!("{other:?} is not a modular binary operation"),
    }
}

/// Bits `lo..lo + width` of the concatenation of `parts`.
fn select_bits(parts: &[WireSlice], lo: u32, width: u32) -> Vec<WireSlice> {
    let mut out = Vec::new();
    let mut base = 0;
    for p in parts {
        let (start, end) = (lo.max(base), (lo + width).min(base + p.width));
        if start < end {
            out.push(WireSlice {
                wire: p.wire,
                lo: p.lo + start - base,
                width: end - start,
            });
        }
        base += p.width;
    }
    out
}

/// Cases after the last one with statements cannot change anything; earlier empty ones
/// still shadow later patterns, so they stay.
fn trim_trailing_empty(cases: &mut Vec<(Option<Vec<nl::CasePattern>>, Vec<nl::Stmt>)>) {
    while cases.last().is_some_and(|(_, b)| b.is_empty()) {
        cases.pop();
    }
}

fn to_cases(cases: Vec<(Option<Vec<nl::CasePattern>>, Vec<nl::Stmt>)>) -> Vec<nl::SwitchCase> {
    cases
        .into_iter()
        .map(|(patterns, body)| nl::SwitchCase {
            patterns: patterns.unwrap_or_default(),
            body,
        })
        .collect()
}

/// How an error message names a value.
fn describe(v: &Value) -> String {
    match v.kind() {
        ValueKind::Signal(s) => format!("`{}`", s.name),
        ValueKind::Slice(a, lo, w) if a.signal_name().is_some() => {
            let name = a.signal_name().unwrap_or_default();
            if *w == 1 {
                format!("`{name}[{lo}]`")
            } else {
                format!("`{name}[{}:{lo}]`", lo + w - 1)
            }
        }
        _ => "an expression".into(),
    }
}

/// The error of a part of an assignment target that could not be built.
fn invalid_target(v: &Value) -> Option<&Error> {
    match v.kind() {
        ValueKind::Invalid(error) => Some(error),
        ValueKind::Slice(a, _, _) | ValueKind::Resize(a) => invalid_target(a),
        ValueKind::Concat(items) => items.iter().find_map(invalid_target),
        _ => None,
    }
}
