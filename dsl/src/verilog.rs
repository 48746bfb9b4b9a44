//! The Verilog-2005 back end: one module per netlist module, readable and deterministic.
//!
//! Every expression is written so that Verilog's own width and signedness rules cannot
//! change its meaning: operands already have the operation's width (the netlist
//! guarantees it), signed operations are isolated with `$signed` inside a
//! self-determined context, and an expression that must be sliced is first given a name.
//! Bits of such helper wires that are never read are collected into one `_unused` wire
//! (the Verilator convention), so `verilator --lint-only -Wall` stays quiet.

use crate::hashing::FastMap;
use std::fmt::Write;

use crate::bits::Bits;
use crate::elaborate::Design;
use crate::instance::Param;
use crate::names::Namespace;
use crate::netlist::{self as nl, CellKind, Driver, ExprId, ExprKind, Module, Netlist, Stmt, WireId, WireSlice};

impl Design {
    /// The whole design as one Verilog file: submodules first, the top module last.
    pub fn verilog(&self) -> String {
        self.verilog_files()
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One `(file name, text)` per module, named after the module, children first.
    pub fn verilog_files(&self) -> Vec<(String, String)> {
        let nl = self.netlist();
        nl.modules.values().map(|m| (format!("{}.v", m.name), emit_module(nl, m))).collect()
    }
}

fn range(width: u32) -> String {
    if width == 1 {
        String::new()
    } else {
        format!("[{}:0] ", width - 1)
    }
}

/// The runs of `false` in `used`, as inclusive `(lo, hi)` bit ranges.
fn unused_runs(used: &[bool]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut b = 0;
    std::iter::from_fn(move || {
        while b < used.len() && used[b] {
            b += 1;
        }
        let lo = b;
        while b < used.len() && !used[b] {
            b += 1;
        }
        (lo < b).then(|| (lo, b - 1))
    })
}

/// `name[lo]` or `name[hi:lo]`.
fn select_text(name: &str, lo: usize, hi: usize) -> String {
    if lo == hi {
        format!("{name}[{lo}]")
    } else {
        format!("{name}[{hi}:{lo}]")
    }
}

/// A parameter's value as Verilog writes it.
pub(crate) fn param_text(p: &Param) -> String {
    match p {
        Param::Int(i) => i.to_string(),
        Param::Str(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        Param::Bits(bits) => bits.to_string(),
    }
}

fn emit_module(nl: &Netlist, m: &Module) -> String {
    let mut e = Emitter::new(nl, m);
    e.emit()
}

struct Emitter<'a> {
    nl: &'a Netlist,
    m: &'a Module,
    names: Namespace,
    /// Helper wires naming expressions: declaration lines and which bits are read.
    temps: Vec<(String, u32, String)>,
    temp_of: FastMap<ExprId, usize>,
    temp_used: Vec<Vec<bool>>,
    /// Wires written by `assign` rather than a process.
    simple_assign: Vec<bool>,
    drivers: nl::Drivers,
}

impl<'a> Emitter<'a> {
    fn new(nl: &'a Netlist, m: &'a Module) -> Emitter<'a> {
        let mut names = Namespace::default();
        for w in m.wires.values() {
            names.unique(&w.name);
        }
        for s in m.symbols.values() {
            names.unique(&s.name);
        }
        for mem in m.memories.values() {
            names.unique(&mem.name);
        }
        for c in m.cells.values() {
            names.unique(&c.name);
        }
        let mut simple_assign = vec![false; m.wires.len()];
        for p in m.processes.values().filter(|p| p.domain.is_none()) {
            if let [Stmt::Assign { lhs, .. }] = p.body.as_slice() {
                if let ([part], [w]) = (lhs.as_slice(), p.drives.as_slice()) {
                    if part.wire == *w && part.lo == 0 && part.width == m.wire(*w).width {
                        simple_assign[w.index()] = true;
                    }
                }
            }
        }
        Emitter {
            nl,
            m,
            names,
            temps: Vec::new(),
            temp_of: FastMap::default(),
            temp_used: Vec::new(),
            simple_assign,
            drivers: m.drivers(),
        }
    }

    /// Whether the wire is declared `reg` (written inside an `always` block).
    fn is_reg(&self, w: WireId) -> bool {
        match self.drivers[w] {
            Driver::Process(p) => !self.simple_assign[w.index()] || self.m.processes[p].domain.is_some(),
            Driver::MemoryRead { memory, port } => self.m.memories[memory].read_ports[port].domain.is_some(),
            _ => false,
        }
    }

    /// Whether the wire is a register of a clock domain (and so has a power-on value).
    fn is_clocked(&self, w: WireId) -> bool {
        matches!(self.drivers[w], Driver::Process(p) if self.m.processes[p].domain.is_some())
    }

    // ---- expressions -----------------------------------------------------------------

    /// An identifier holding the value of `e`: the wire itself, or a helper wire.
    fn name_of(&mut self, e: ExprId) -> (String, Option<usize>) {
        if let ExprKind::Wire(w) = self.m.expr(e).kind {
            return (self.m.wire(w).name.clone(), None);
        }
        if let Some(&t) = self.temp_of.get(&e) {
            return (self.temps[t].0.clone(), Some(t));
        }
        let text = self.expr(e);
        let width = self.m.expr(e).width;
        let name = self.names.unique("_t");
        self.temps.push((name.clone(), width, text));
        self.temp_used.push(vec![false; width as usize]);
        let t = self.temps.len() - 1;
        self.temp_of.insert(e, t);
        (name, Some(t))
    }

    /// Bits `lo..lo + width` of `e` as an expression.
    fn select(&mut self, e: ExprId, lo: u32, width: u32) -> String {
        let full = self.m.expr(e).width;
        let (name, temp) = self.name_of(e);
        if let Some(t) = temp {
            self.temp_used[t][lo as usize..(lo + width) as usize]
                .iter_mut()
                .for_each(|b| *b = true);
        }
        if lo == 0 && width == full {
            name
        } else if width == 1 {
            format!("{name}[{lo}]")
        } else {
            format!("{name}[{}:{lo}]", lo + width - 1)
        }
    }

    /// `e` as a self-contained Verilog expression of exactly its width.
    fn expr(&mut self, e: ExprId) -> String {
        let expr = self.m.expr(e);
        let width = expr.width;
        match &expr.kind {
            ExprKind::Const(bits) => bits.to_string(),
            ExprKind::Symbol(s) => self.m.symbols[*s].name.clone(),
            ExprKind::Wire(w) => self.m.wire(*w).name.clone(),
            ExprKind::Unary(op, a) => {
                let a = self.expr(*a);
                let op = match op {
                    nl::UnaryOp::Not => "~",
                    nl::UnaryOp::ReduceAnd => "&",
                    nl::UnaryOp::ReduceOr => "|",
                    nl::UnaryOp::ReduceXor => "^",
                };
                format!("({op}{a})")
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.expr(*a), self.expr(*b));
                let op = match op {
                    nl::BinaryOp::Add => "+",
                    nl::BinaryOp::Sub => "-",
                    nl::BinaryOp::Mul => "*",
                    nl::BinaryOp::And => "&",
                    nl::BinaryOp::Or => "|",
                    nl::BinaryOp::Xor => "^",
                };
                format!("({a} {op} {b})")
            }
            ExprKind::Compare { op, signed, a, b } => {
                let (a, b) = (self.expr(*a), self.expr(*b));
                let op = match op {
                    nl::CompareOp::Eq => "==",
                    nl::CompareOp::Ne => "!=",
                    nl::CompareOp::Lt => "<",
                    nl::CompareOp::Le => "<=",
                    nl::CompareOp::Gt => ">",
                    nl::CompareOp::Ge => ">=",
                };
                if *signed {
                    format!("($signed({a}) {op} $signed({b}))")
                } else {
                    format!("({a} {op} {b})")
                }
            }
            ExprKind::Shift { op, value, amount } => {
                let (v, a) = (self.expr(*value), self.expr(*amount));
                match op {
                    nl::ShiftOp::Shl => format!("({v} << {a})"),
                    nl::ShiftOp::Shr => format!("({v} >> {a})"),
                    // Braces keep the shift self-determined, so an unsigned context
                    // around it cannot turn it into a logical shift.
                    nl::ShiftOp::Sar => format!("{{$signed({v}) >>> {a}}}"),
                }
            }
            ExprKind::Mux { sel, a, b } => {
                let (s, a, b) = (self.expr(*sel), self.expr(*a), self.expr(*b));
                format!("({s} ? {a} : {b})")
            }
            ExprKind::Slice { value, lo } => {
                let (value, lo) = (*value, *lo);
                self.select(value, lo, width)
            }
            ExprKind::Concat(parts) => {
                let parts: Vec<String> = parts.clone().iter().rev().map(|p| self.expr(*p)).collect();
                format!("{{{}}}", parts.join(", "))
            }
            ExprKind::Repeat(a) => {
                let count = width / self.m.expr(*a).width;
                let a = self.expr(*a);
                format!("{{{count}{{{a}}}}}")
            }
            ExprKind::Extend { value, signed } => {
                let (value, signed) = (*value, *signed);
                let inner = self.m.expr(value).width;
                let pad = width - inner;
                if signed {
                    let sign = self.select(value, inner - 1, 1);
                    let whole = self.select(value, 0, inner);
                    if inner == 1 {
                        format!("{{{width}{{{whole}}}}}")
                    } else if pad == 1 {
                        format!("{{{sign}, {whole}}}")
                    } else {
                        format!("{{{{{pad}{{{sign}}}}}, {whole}}}")
                    }
                } else {
                    let v = self.expr(value);
                    format!("{{{pad}'h0, {v}}}")
                }
            }
        }
    }

    fn lhs(&self, parts: &[WireSlice]) -> String {
        let text: Vec<String> = parts
            .iter()
            .rev()
            .map(|p| {
                let w = self.m.wire(p.wire);
                if p.lo == 0 && p.width == w.width {
                    w.name.clone()
                } else {
                    let lo = p.lo as usize;
                    select_text(&w.name, lo, lo + p.width as usize - 1)
                }
            })
            .collect();
        if text.len() == 1 {
            text.into_iter().next().unwrap_or_default()
        } else {
            format!("{{{}}}", text.join(", "))
        }
    }

    // ---- statements ------------------------------------------------------------------

    fn stmts(&mut self, out: &mut String, stmts: &[Stmt], indent: usize, op: &str) {
        for s in stmts {
            self.stmt(out, s, indent, op);
        }
    }

    fn stmt(&mut self, out: &mut String, s: &Stmt, indent: usize, op: &str) {
        let pad = "    ".repeat(indent);
        match s {
            Stmt::Assign { lhs, rhs, .. } => {
                let rhs = self.expr(*rhs);
                let _ = writeln!(out, "{pad}{} {op} {rhs};", self.lhs(lhs));
            }
            Stmt::If { cond, then, else_ } => {
                let c = self.expr(*cond);
                let _ = writeln!(out, "{pad}if ({c}) begin");
                self.stmts(out, then, indent + 1, op);
                let mut else_ = else_;
                loop {
                    match else_.as_slice() {
                        [] => {
                            let _ = writeln!(out, "{pad}end");
                            break;
                        }
                        [Stmt::If { cond, then, else_: next }] => {
                            let c = self.expr(*cond);
                            let _ = writeln!(out, "{pad}end else if ({c}) begin");
                            self.stmts(out, then, indent + 1, op);
                            else_ = next;
                        }
                        other => {
                            let _ = writeln!(out, "{pad}end else begin");
                            self.stmts(out, other, indent + 1, op);
                            let _ = writeln!(out, "{pad}end");
                            break;
                        }
                    }
                }
            }
            Stmt::Switch { sel, cases } => {
                let width = self.m.expr(*sel).width;
                let sel = self.expr(*sel);
                let wildcard = cases.iter().flat_map(|c| &c.patterns).any(|p| p.mask != Bits::from_i128(-1, width));
                let _ = writeln!(out, "{pad}{} ({sel})", if wildcard { "casez" } else { "case" });
                let mut has_default = false;
                for case in cases {
                    let label = if case.patterns.is_empty() {
                        has_default = true;
                        "default".to_owned()
                    } else {
                        case.patterns.iter().map(|p| self.pattern(p)).collect::<Vec<_>>().join(", ")
                    };
                    let _ = writeln!(out, "{pad}    {label}: begin");
                    self.stmts(out, &case.body, indent + 2, op);
                    let _ = writeln!(out, "{pad}    end");
                }
                if !has_default {
                    let _ = writeln!(out, "{pad}    default: begin");
                    let _ = writeln!(out, "{pad}    end");
                }
                let _ = writeln!(out, "{pad}endcase");
            }
        }
    }

    fn pattern(&self, p: &nl::CasePattern) -> String {
        if let Some(s) = p.symbol {
            return self.m.symbols[s].name.clone();
        }
        let width = p.value.width();
        if p.mask == Bits::from_i128(-1, width) {
            return p.value.to_string();
        }
        let bits: String = (0..width)
            .rev()
            .map(|i| match (p.mask.bit(i), p.value.bit(i)) {
                (false, _) => '?',
                (true, true) => '1',
                (true, false) => '0',
            })
            .collect();
        format!("{width}'b{bits}")
    }

    // ---- the module --------------------------------------------------------------------

    fn referenced(&self) -> Vec<bool> {
        let m = self.m;
        let mut used = vec![false; m.wires.len()];
        for (id, w) in m.wires.iter() {
            used[id.index()] = w.port.is_some() || self.drivers[id] != Driver::None;
        }
        for e in m.exprs.values() {
            if let ExprKind::Wire(w) = e.kind {
                used[w.index()] = true;
            }
        }
        for d in m.domains.values() {
            used[d.clk.index()] = true;
            if let Some(r) = d.reset {
                used[r.wire.index()] = true;
            }
        }
        for mem in m.memories.values() {
            for p in &mem.write_ports {
                for w in [p.addr, p.data, p.en] {
                    used[w.index()] = true;
                }
            }
            for p in &mem.read_ports {
                used[p.addr.index()] = true;
                if let Some(en) = p.en {
                    used[en.index()] = true;
                }
            }
        }
        used
    }

    fn emit(&mut self) -> String {
        let m = self.m;
        let mut body = String::new();

        for p in m.processes.values().filter(|p| p.domain.is_none()) {
            if p.drives.len() == 1 && self.simple_assign[p.drives[0].index()] {
                if let [Stmt::Assign { rhs, .. }] = p.body.as_slice() {
                    let rhs = self.expr(*rhs);
                    let _ = writeln!(body, "    assign {} = {rhs};", m.wire(p.drives[0]).name);
                    continue;
                }
            }
            let _ = writeln!(body, "\n    always @* begin");
            for w in &p.drives {
                let _ = writeln!(body, "        {} = {};", m.wire(*w).name, m.wire(*w).init);
            }
            self.stmts(&mut body, &p.body, 2, "=");
            let _ = writeln!(body, "    end");
        }

        for p in m.processes.values().filter(|p| p.domain.is_some()) {
            let Some(d) = p.domain else { continue };
            let domain = &m.domains[d];
            let clk = &m.wire(domain.clk).name;
            // A kept register's block carries the attribute yosys keeps its registers by.
            let always = if p.drives.iter().any(|w| m.wire(*w).keep) {
                "(* keep *)\n    always"
            } else {
                "always"
            };
            match domain.reset {
                Some(r) => {
                    let rst = &m.wire(r.wire).name;
                    let edge = if r.asynchronous {
                        format!(" or posedge {rst}")
                    } else {
                        String::new()
                    };
                    let _ = writeln!(body, "\n    {always} @(posedge {clk}{edge}) begin");
                    let _ = writeln!(body, "        if ({rst}) begin");
                    for w in &p.drives {
                        let _ = writeln!(body, "            {} <= {};", m.wire(*w).name, m.wire(*w).init);
                    }
                    let _ = writeln!(body, "        end else begin");
                    self.stmts(&mut body, &p.body, 3, "<=");
                    let _ = writeln!(body, "        end");
                }
                None => {
                    let _ = writeln!(body, "\n    {always} @(posedge {clk}) begin");
                    self.stmts(&mut body, &p.body, 2, "<=");
                }
            }
            let _ = writeln!(body, "    end");
        }

        for mem in m.memories.values() {
            self.memory(&mut body, mem);
        }
        for cell in m.cells.values() {
            self.cell(&mut body, cell);
        }

        // Now every helper wire exists: write the declarations, then the body.
        let mut out = String::new();
        let origin = m.location.map(|l| format!(" ({l})")).unwrap_or_default();
        let _ = writeln!(out, "// Generated by hdl-dsl from module `{}`{origin}. Do not edit.", m.name);
        let ports: Vec<(WireId, &nl::Wire)> = m.ports().collect();
        if ports.is_empty() {
            let _ = writeln!(out, "module {};", m.name);
        } else {
            let _ = writeln!(out, "module {} (", m.name);
            let decls: Vec<String> = ports
                .iter()
                .map(|(id, w)| {
                    let dir = match w.port {
                        Some(nl::Direction::Input) => "input ",
                        Some(nl::Direction::InOut) => "inout ",
                        _ => "output",
                    };
                    let kind = if self.is_reg(*id) { "reg " } else { "wire" };
                    let init = if self.is_clocked(*id) {
                        format!(" = {}", &w.init)
                    } else {
                        String::new()
                    };
                    format!("    {dir} {kind} {:<8}{}{init}", range(w.width), w.name)
                })
                .collect();
            let _ = writeln!(out, "{}\n);", decls.join(",\n"));
        }
        for s in m.symbols.values() {
            let _ = writeln!(out, "    localparam {}{} = {};", range(s.value.width()), s.name, &s.value);
        }
        let referenced = self.referenced();
        for (id, w) in m.wires.iter() {
            if w.port.is_some() || !referenced[id.index()] {
                continue;
            }
            let kind = if self.is_reg(id) { "reg " } else { "wire" };
            let init = if self.is_clocked(id) || self.drivers[id] == Driver::None {
                format!(" = {}", &w.init)
            } else {
                String::new()
            };
            let src = w.location.map(|l| format!("  // {l}")).unwrap_or_default();
            let _ = writeln!(out, "    {kind} {:<8}{}{init};{src}", range(w.width), w.name);
        }
        for (name, width, text) in &self.temps {
            let _ = writeln!(out, "    wire {:<8}{name} = {text};", range(*width));
        }
        out.push_str(&body);
        // Unread bits as runs (`t[9:4]`), a few to a line: a wide table read by a
        // shift leaves thousands, and tools limit a line's tokens.
        let unused: Vec<String> = self
            .temps
            .iter()
            .zip(&self.temp_used)
            .flat_map(|((name, _, _), used)| unused_runs(used).map(move |(lo, hi)| select_text(name, lo, hi)))
            .collect();
        if !unused.is_empty() {
            let name = self.names.unique("_unused");
            let lines: Vec<String> = unused.chunks(8).map(|c| c.join(", ")).collect();
            let _ = writeln!(out, "\n    // Bits of helper wires that nothing reads.");
            let _ = writeln!(out, "    wire {name} = &{{1'b0, {}, 1'b0}};", lines.join(",\n        "));
        }
        let _ = writeln!(out, "endmodule");
        out
    }

    fn memory(&mut self, out: &mut String, mem: &nl::Memory) {
        let m = self.m;
        let src = mem.location.map(|l| format!("  // {l}")).unwrap_or_default();
        let _ = writeln!(out, "\n    reg {}{} [0:{}];{src}", range(mem.width), mem.name, mem.depth - 1);
        if let Some(init) = &mem.init {
            let _ = writeln!(out, "    initial begin");
            for addr in 0..mem.depth {
                let word = init.get(addr as usize).cloned().unwrap_or_else(|| Bits::zero(mem.width));
                let _ = writeln!(out, "        {}[{addr}] = {};", mem.name, &word);
            }
            let _ = writeln!(out, "    end");
        }
        for p in &mem.write_ports {
            let clk = &m.wire(m.domains[p.domain].clk).name;
            let _ = writeln!(out, "    always @(posedge {clk}) begin");
            let _ = writeln!(
                out,
                "        if ({}) {}[{}] <= {};",
                m.wire(p.en).name,
                mem.name,
                m.wire(p.addr).name,
                m.wire(p.data).name
            );
            let _ = writeln!(out, "    end");
        }
        for p in &mem.read_ports {
            let (addr, data) = (&m.wire(p.addr).name, &m.wire(p.data).name);
            match (p.domain, p.en) {
                (Some(d), Some(en)) => {
                    let clk = &m.wire(m.domains[d].clk).name;
                    let _ = writeln!(out, "    always @(posedge {clk}) begin");
                    let _ = writeln!(out, "        if ({}) {data} <= {}[{addr}];", m.wire(en).name, mem.name);
                    let _ = writeln!(out, "    end");
                }
                _ => {
                    let _ = writeln!(out, "    assign {data} = {}[{addr}];", mem.name);
                }
            }
        }
    }

    fn cell(&mut self, out: &mut String, cell: &nl::Cell) {
        let src = cell.location.map(|l| format!(" // {l}")).unwrap_or_default();
        let _ = writeln!(out);
        let kind = match &cell.kind {
            CellKind::Submodule(id) => self.nl.modules[*id].name.clone(),
            CellKind::BlackBox { kind, params, attrs } => {
                for (name, value) in attrs {
                    let _ = writeln!(out, "    (* {name} = {} *)", param_text(value));
                }
                if params.is_empty() {
                    kind.clone()
                } else {
                    let ps: Vec<String> = params.iter().map(|(n, v)| format!("        .{n}({})", param_text(v))).collect();
                    format!("{kind} #(\n{}\n    )", ps.join(",\n"))
                }
            }
        };
        let mut conns: Vec<String> = Vec::new();
        for (port, e) in &cell.inputs {
            let text = self.expr(*e);
            conns.push(format!("        .{}({text})", self.nl.port_name(cell, port)));
        }
        for (port, parts) in &cell.outputs {
            conns.push(format!("        .{}({})", self.nl.port_name(cell, port), self.lhs(parts)));
        }
        let _ = writeln!(out, "    {kind} {} ({src}\n{}\n    );", cell.name, conns.join(",\n"));
    }
}
