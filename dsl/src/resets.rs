//! The reset check: a clock domain whose reset, once asserted, can never be released.
//!
//! While a reset is asserted, every register it clears sits at its reset value. If the
//! reset, computed from those values, is 1 whatever every other signal does, it stays
//! asserted for ever. The classic case is a PLL's lock synchronized by registers in the
//! very domain that the lock releases: the reset clears the synchronizer, which then
//! holds the reset. A soft reset whose registers' reset values release it is fine.
//!
//! The check evaluates each reset's logic over the whole hierarchy in three values
//! (0, 1, unknown): registers the reset clears at their reset values, every other
//! register, input, memory and black box unknown. A reset that comes out 1 and depends on
//! such registers (with them unknown it would not be 1) is reported, naming the
//! registers that hold it and the path from the reset to each.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::bits::Bits;
use crate::error::{Error, ErrorKind};
use crate::netlist::{
    BinaryOp, CasePattern, CellId, CellKind, CellPort, CompareOp, DomainId, Driver, Drivers, ExprId, ExprKind, ModuleId, Netlist, ShiftOp,
    Stmt, UnaryOp, WireId, WireSlice,
};

/// A value in three-valued logic, least significant bit first; `None` is unknown.
type Tri = Vec<Option<bool>>;

/// How deep the evaluation recurses before it gives up on a value (calling it unknown,
/// which can only hide an error, never invent one): reset logic is shallow, and this
/// keeps the stack bounded on deep data paths.
const MAX_DEPTH: u32 = 1000;

/// How many registers are tried one by one to find the ones that hold a reset.
const MAX_SUSPECTS: usize = 16;

/// A wire of one instance in the hierarchy.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
struct Net {
    inst: usize,
    wire: WireId,
}

/// One instance of a module in the elaborated hierarchy.
struct Inst {
    module: ModuleId,
    path: String,
    /// The parent instance and the cell that instantiates this one.
    parent: Option<(usize, CellId)>,
    /// For each cell of the module, the instance it is (submodules only).
    children: Vec<Option<usize>>,
}

/// Every instance of `netlist`, the top first.
fn instances(netlist: &Netlist) -> Vec<Inst> {
    let top = &netlist.modules[netlist.top];
    let mut insts = vec![Inst {
        module: netlist.top,
        path: top.name.clone(),
        parent: None,
        children: Vec::new(),
    }];
    let mut i = 0;
    while i < insts.len() {
        let module = &netlist.modules[insts[i].module];
        let mut children = Vec::with_capacity(module.cells.len());
        for (c, cell) in module.cells.iter() {
            children.push(match cell.kind {
                CellKind::Submodule(id) => {
                    insts.push(Inst {
                        module: id,
                        path: format!("{}.{}", insts[i].path, cell.name),
                        parent: Some((i, c)),
                        children: Vec::new(),
                    });
                    Some(insts.len() - 1)
                }
                CellKind::BlackBox { .. } => None,
            });
        }
        insts[i].children = children;
        i += 1;
    }
    insts
}

/// Checks every clock domain of `netlist` whose reset is made inside the design.
pub(crate) fn check(netlist: &Netlist) -> Vec<Error> {
    let insts = instances(netlist);
    let drivers: Vec<Drivers> = netlist.modules.values().map(|m| m.drivers()).collect();
    let design = Design {
        netlist,
        insts: &insts,
        drivers: &drivers,
    };
    // Each domain's reset, followed up through the ports it enters by.
    let resets: Vec<Vec<Option<Net>>> = (0..insts.len())
        .map(|i| {
            design
                .module_of(i)
                .domains
                .values()
                .map(|d| d.reset.map(|r| design.source(Net { inst: i, wire: r.wire })))
                .collect()
        })
        .collect();
    // The domains declared with a reset of their own, grouped by the net that resets them.
    let mut declared: BTreeMap<Net, Vec<(usize, DomainId)>> = BTreeMap::new();
    for (i, module_resets) in resets.iter().enumerate() {
        for (d, domain) in design.module_of(i).domains.iter() {
            if let (false, Some(net)) = (domain.from_ports, module_resets[d.index()]) {
                declared.entry(net).or_default().push((i, d));
            }
        }
    }
    let mut errors = Vec::new();
    for (net, domains) in declared {
        let Some(stuck) = design.stuck(net, &resets) else { continue };
        for (inst, d) in domains {
            let module = design.module_of(inst);
            let domain = &module.domains[d];
            let location = domain.location.or(module.location);
            let mut e = Error::new(
                ErrorKind::ResetNeverReleased,
                stuck.message(&design, &domain.name, net),
                location.expect("elaborated modules have locations"),
            );
            e.module = insts[inst].path.clone();
            errors.push(e);
        }
    }
    errors
}

struct Design<'a> {
    netlist: &'a Netlist,
    insts: &'a [Inst],
    /// What drives each wire, per module.
    drivers: &'a [Drivers],
}

/// Why a reset never releases: the registers that hold it, and the path from the reset
/// to each.
struct Stuck {
    registers: Vec<(Net, Vec<Net>)>,
}

impl Stuck {
    fn message(&self, design: &Design, domain: &str, reset: Net) -> String {
        let registers: Vec<String> = self
            .registers
            .iter()
            .map(|(r, path)| {
                let wire = design.wire(*r);
                let declared = wire.location.map(|l| format!(", declared at {l}")).unwrap_or_default();
                let path: Vec<String> = path.iter().map(|n| design.name(*n)).collect();
                format!(
                    "`{}` (reset value {}{declared}; {})",
                    design.name(*r),
                    reset_value(&wire.init),
                    path.join(" <- ")
                )
            })
            .collect();
        let (them, are) = if registers.len() == 1 {
            ("register", "is")
        } else {
            ("registers", "are")
        };
        format!(
            "domain `{domain}` can never leave reset: its reset `{}` stays 1 while {them} {} {are} held at {} reset value by that same reset. \
             Make the reset with a reset synchronizer (`hdl_cores::cdc::reset_synchronizer`, whose flops are outside the reset they drive), \
             or move {} to a domain without this reset",
            design.name(reset),
            registers.join(", "),
            if registers.len() == 1 { "its" } else { "their" },
            if registers.len() == 1 { "that register" } else { "those registers" },
        )
    }
}

fn reset_value(init: &Bits) -> String {
    match init.to_u128() {
        Some(v) => v.to_string(),
        None => init.to_string(),
    }
}

impl Design<'_> {
    fn module_of(&self, inst: usize) -> &crate::netlist::Module {
        &self.netlist.modules[self.insts[inst].module]
    }

    fn driver(&self, net: Net) -> Driver {
        self.drivers[self.insts[net.inst].module.index()][net.wire]
    }

    fn wire(&self, net: Net) -> &crate::netlist::Wire {
        self.module_of(net.inst).wire(net.wire)
    }

    /// The hierarchical name of a net: `top.sub.wire`.
    fn name(&self, net: Net) -> String {
        format!("{}.{}", self.insts[net.inst].path, self.wire(net).name)
    }

    /// The parent's connection to input port `net`, if `net` is one and has a parent.
    fn connection(&self, net: Net) -> Option<(usize, ExprId)> {
        let (parent, cell) = self.insts[net.inst].parent?;
        if self.driver(net) != Driver::Input {
            return None;
        }
        let cell = &self.module_of(parent).cells[cell];
        let port = CellPort::Wire(net.wire);
        cell.inputs.iter().find(|(p, _)| *p == port).map(|(_, e)| (parent, *e))
    }

    /// The net a reset comes from: up through input ports connected straight to a wire.
    fn source(&self, mut net: Net) -> Net {
        while let Some((parent, e)) = self.connection(net) {
            match self.module_of(parent).expr(e).kind {
                ExprKind::Wire(w) => net = Net { inst: parent, wire: w },
                _ => break,
            }
        }
        net
    }

    /// Why the reset `net` never releases, if it does not.
    fn stuck(&self, net: Net, resets: &[Vec<Option<Net>>]) -> Option<Stuck> {
        let cleared = |inst: usize, d: DomainId| resets[inst][d.index()] == Some(net);
        let mut eval = Eval::new(self, &cleared, None);
        if eval.wire(net)[0] != Some(true) || eval.held.is_empty() {
            return None;
        }
        let held = eval.held.clone();
        let path_to = |r: Net| {
            let mut path = vec![r];
            while let Some(&reader) = eval.via.get(path.last().expect("starts with r")) {
                if path.contains(&reader) {
                    break;
                }
                path.push(reader);
            }
            path.reverse();
            path
        };
        // The registers without whose reset value the reset would not be 1.
        let mut holding: Vec<Net> = held
            .iter()
            .take(MAX_SUSPECTS)
            .copied()
            .filter(|&r| Eval::new(self, &cleared, Some(r)).wire(net)[0] != Some(true))
            .collect();
        if holding.is_empty() {
            holding = held;
        }
        Some(Stuck {
            registers: holding.into_iter().map(|r| (r, path_to(r))).collect(),
        })
    }
}

/// The state of a combinational process being evaluated: its wires as assigned so far.
#[derive(Clone)]
struct Local {
    wires: HashMap<WireId, Tri>,
}

/// Three-valued evaluation of nets with the registers of one reset at their reset values.
struct Eval<'a> {
    design: &'a Design<'a>,
    cleared: &'a dyn Fn(usize, DomainId) -> bool,
    /// A cleared register taken as unknown, to see whether the result depends on it.
    unknown_register: Option<Net>,
    wires: HashMap<Net, Tri>,
    exprs: HashMap<(usize, ExprId), Tri>,
    busy: HashSet<Net>,
    /// For each net evaluated, the net that first read it.
    via: HashMap<Net, Net>,
    /// The nets being evaluated, innermost last.
    stack: Vec<Net>,
    /// Cleared registers read, in the order first read.
    held: Vec<Net>,
    depth: u32,
}

impl<'a> Eval<'a> {
    fn new(design: &'a Design<'a>, cleared: &'a dyn Fn(usize, DomainId) -> bool, unknown_register: Option<Net>) -> Eval<'a> {
        Eval {
            design,
            cleared,
            unknown_register,
            wires: HashMap::new(),
            exprs: HashMap::new(),
            busy: HashSet::new(),
            via: HashMap::new(),
            stack: Vec::new(),
            held: Vec::new(),
            depth: 0,
        }
    }

    fn wire(&mut self, net: Net) -> Tri {
        let width = self.design.wire(net).width as usize;
        if let Some(&reader) = self.stack.last() {
            self.via.entry(net).or_insert(reader);
        }
        if let Some(v) = self.wires.get(&net) {
            return v.clone();
        }
        if self.busy.contains(&net) || self.depth >= MAX_DEPTH {
            return vec![None; width];
        }
        self.busy.insert(net);
        self.stack.push(net);
        self.depth += 1;
        let value = self.drive(net);
        self.depth -= 1;
        self.stack.pop();
        self.busy.remove(&net);
        self.wires.insert(net, value.clone());
        value
    }

    /// The value of `net` from its driver.
    fn drive(&mut self, net: Net) -> Tri {
        let design = self.design;
        let module = design.module_of(net.inst);
        let wire = module.wire(net.wire);
        let width = wire.width as usize;
        match design.driver(net) {
            Driver::None => from_bits(&wire.init),
            Driver::Input => match design.connection(net) {
                Some((parent, e)) => self.expr(parent, e, &mut None),
                None => vec![None; width],
            },
            Driver::MemoryRead { .. } => vec![None; width],
            Driver::Process(p) => {
                let process = &module.processes[p];
                match process.domain {
                    Some(d) if (self.cleared)(net.inst, d) && self.unknown_register != Some(net) => {
                        if !self.held.contains(&net) {
                            self.held.push(net);
                        }
                        from_bits(&wire.init)
                    }
                    Some(_) => vec![None; width],
                    None => {
                        let mut local = Some(Local {
                            wires: process.drives.iter().map(|&w| (w, from_bits(&module.wire(w).init))).collect(),
                        });
                        self.stmts(net.inst, &process.body, &mut local);
                        let local = local.expect("set above");
                        for (&w, v) in &local.wires {
                            if w != net.wire {
                                self.wires.entry(Net { inst: net.inst, wire: w }).or_insert_with(|| v.clone());
                            }
                        }
                        local.wires[&net.wire].clone()
                    }
                }
            }
            Driver::Cell(_) => {
                let mut value = from_bits(&wire.init);
                for (c, cell) in module.cells.iter() {
                    for (port, parts) in &cell.outputs {
                        if !parts.iter().any(|p| p.wire == net.wire) {
                            continue;
                        }
                        let total: u32 = parts.iter().map(|p| p.width).sum();
                        let out = match (port, design.insts[net.inst].children[c.index()]) {
                            (CellPort::Wire(w), Some(child)) => self.wire(Net { inst: child, wire: *w }),
                            _ => vec![None; total as usize],
                        };
                        let mut offset = 0;
                        for p in parts {
                            if p.wire == net.wire {
                                for b in 0..p.width {
                                    value[(p.lo + b) as usize] = out[(offset + b) as usize];
                                }
                            }
                            offset += p.width;
                        }
                    }
                }
                value
            }
        }
    }

    fn stmts(&mut self, inst: usize, stmts: &[Stmt], local: &mut Option<Local>) {
        for s in stmts {
            match s {
                Stmt::Assign { lhs, rhs, .. } => {
                    let value = self.expr(inst, *rhs, local);
                    assign(local, lhs, &value);
                }
                Stmt::If { cond, then, else_ } => match self.expr(inst, *cond, local)[0] {
                    Some(true) => self.stmts(inst, then, local),
                    Some(false) => self.stmts(inst, else_, local),
                    None => {
                        let mut other = local.clone();
                        self.stmts(inst, then, local);
                        self.stmts(inst, else_, &mut other);
                        merge_into(local, &other);
                    }
                },
                Stmt::Switch { sel, cases } => {
                    let sel = self.expr(inst, *sel, local);
                    let mut taken = Vec::new();
                    let mut certain = false;
                    for case in cases {
                        match case_match(&sel, &case.patterns) {
                            Some(false) => {}
                            Some(true) => {
                                taken.push(&case.body);
                                certain = true;
                                break;
                            }
                            None => taken.push(&case.body),
                        }
                    }
                    let before = local.clone();
                    let mut outcome: Option<Option<Local>> = (!certain).then(|| before.clone());
                    for body in taken {
                        let mut state = before.clone();
                        self.stmts(inst, body, &mut state);
                        match &mut outcome {
                            None => outcome = Some(state),
                            Some(o) => merge_into(o, &state),
                        }
                    }
                    *local = outcome.expect("a case was taken, or none was certain");
                }
            }
        }
    }

    /// The value of expression `e` of instance `inst`. Expressions that read no wire of
    /// the process being evaluated are kept for reuse.
    fn expr(&mut self, inst: usize, e: ExprId, local: &mut Option<Local>) -> Tri {
        let mut fresh = HashMap::new();
        self.expr_in(inst, e, &*local, &mut fresh).0
    }

    /// The value, and whether it depends on the process state `local`.
    fn expr_in(&mut self, inst: usize, e: ExprId, local: &Option<Local>, memo: &mut HashMap<ExprId, Tri>) -> (Tri, bool) {
        if let Some(v) = self.exprs.get(&(inst, e)) {
            return (v.clone(), false);
        }
        if let Some(v) = memo.get(&e) {
            return (v.clone(), true);
        }
        let module = self.design.module_of(inst);
        let expr = module.expr(e);
        let width = expr.width as usize;
        if self.depth >= MAX_DEPTH {
            return (vec![None; width], true);
        }
        self.depth += 1;
        let mut is_local = false;
        let mut reads_local = false;
        let mut sub = |this: &mut Self, x: ExprId| {
            let (v, l) = this.expr_in(inst, x, local, memo);
            is_local |= l;
            v
        };
        let value = match &expr.kind {
            ExprKind::Const(b) => from_bits(b),
            ExprKind::Symbol(s) => from_bits(&module.symbols[*s].value),
            ExprKind::Wire(w) => match local.as_ref().and_then(|l| l.wires.get(w)) {
                Some(v) => {
                    reads_local = true;
                    v.clone()
                }
                None => self.wire(Net { inst, wire: *w }),
            },
            ExprKind::Unary(op, a) => unary(*op, &sub(self, *a)),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (sub(self, *a), sub(self, *b));
                binary(*op, &a, &b)
            }
            ExprKind::Compare { op, signed, a, b } => {
                let (a, b) = (sub(self, *a), sub(self, *b));
                vec![compare(*op, *signed, &a, &b)]
            }
            ExprKind::Shift { op, value, amount } => {
                let (v, amount) = (sub(self, *value), sub(self, *amount));
                shift(*op, &v, &amount)
            }
            ExprKind::Mux { sel, a, b } => {
                let sel = sub(self, *sel)[0];
                match sel {
                    Some(true) => sub(self, *a),
                    Some(false) => sub(self, *b),
                    None => {
                        let (a, b) = (sub(self, *a), sub(self, *b));
                        merge(&a, &b)
                    }
                }
            }
            ExprKind::Slice { value, lo } => sub(self, *value)[*lo as usize..*lo as usize + width].to_vec(),
            ExprKind::Concat(parts) => parts.iter().flat_map(|p| sub(self, *p)).collect(),
            ExprKind::Repeat(value) => {
                let v = sub(self, *value);
                (0..width).map(|i| v[i % v.len()]).collect()
            }
            ExprKind::Extend { value, signed } => {
                let mut v = sub(self, *value);
                let fill = if *signed {
                    v.last().copied().unwrap_or(Some(false))
                } else {
                    Some(false)
                };
                v.resize(width, fill);
                v
            }
        };
        self.depth -= 1;
        let is_local = is_local || reads_local;
        if is_local {
            memo.insert(e, value.clone());
        } else {
            self.exprs.insert((inst, e), value.clone());
        }
        (value, is_local)
    }
}

fn from_bits(b: &Bits) -> Tri {
    (0..b.width()).map(|i| Some(b.bit(i))).collect()
}

/// All bits, if every one is known.
fn known(v: &Tri) -> Option<Vec<bool>> {
    v.iter().copied().collect()
}

fn to_u128(bits: &[bool]) -> Option<u128> {
    if bits.len() > 128 {
        return None;
    }
    Some(bits.iter().rev().fold(0u128, |acc, &b| acc << 1 | b as u128))
}

/// Each bit that agrees in `a` and `b`; the others unknown.
fn merge(a: &Tri, b: &Tri) -> Tri {
    a.iter().zip(b).map(|(x, y)| if x == y { *x } else { None }).collect()
}

fn merge_into(state: &mut Option<Local>, other: &Option<Local>) {
    if let (Some(state), Some(other)) = (state, other) {
        for (w, v) in state.wires.iter_mut() {
            *v = merge(v, &other.wires[w]);
        }
    }
}

fn assign(local: &mut Option<Local>, lhs: &[WireSlice], value: &Tri) {
    let Some(local) = local else { return };
    let mut i = 0;
    for part in lhs {
        if let Some(target) = local.wires.get_mut(&part.wire) {
            for b in 0..part.width {
                target[(part.lo + b) as usize] = value[i + b as usize];
            }
        }
        i += part.width as usize;
    }
}

/// Whether `sel` matches any of `patterns` (no patterns: the default case).
fn case_match(sel: &Tri, patterns: &[CasePattern]) -> Option<bool> {
    if patterns.is_empty() {
        return Some(true);
    }
    let mut result = Some(false);
    for p in patterns {
        let mut this = Some(true);
        for (i, s) in sel.iter().enumerate() {
            let i = i as u32;
            if !p.mask.bit(i) {
                continue;
            }
            match s {
                Some(s) if *s != p.value.bit(i) => {
                    this = Some(false);
                    break;
                }
                Some(_) => {}
                None => this = None,
            }
        }
        match this {
            Some(true) => return Some(true),
            None => result = None,
            Some(false) => {}
        }
    }
    result
}

fn unary(op: UnaryOp, a: &Tri) -> Tri {
    match op {
        UnaryOp::Not => a.iter().map(|b| b.map(|b| !b)).collect(),
        UnaryOp::ReduceAnd if a.contains(&Some(false)) => vec![Some(false)],
        UnaryOp::ReduceOr if a.contains(&Some(true)) => vec![Some(true)],
        UnaryOp::ReduceAnd | UnaryOp::ReduceOr if a.contains(&None) => vec![None],
        UnaryOp::ReduceAnd => vec![Some(true)],
        UnaryOp::ReduceOr => vec![Some(false)],
        UnaryOp::ReduceXor => vec![known(a).map(|bits| bits.iter().filter(|&&b| b).count() % 2 == 1)],
    }
}

/// Two of three, where two known bits agree.
fn majority(a: Option<bool>, b: Option<bool>, c: Option<bool>) -> Option<bool> {
    let ones = [a, b, c].iter().filter(|&&x| x == Some(true)).count();
    let zeros = [a, b, c].iter().filter(|&&x| x == Some(false)).count();
    (ones >= 2 || zeros >= 2).then_some(ones >= 2)
}

fn xor3(a: Option<bool>, b: Option<bool>, c: Option<bool>) -> Option<bool> {
    Some(a? ^ b? ^ c?)
}

/// `a + b + carry`, bit by bit: the low bits stay known while a carry is.
fn add(a: &Tri, b: &Tri, mut carry: Option<bool>) -> Tri {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let sum = xor3(x, y, carry);
            carry = majority(x, y, carry);
            sum
        })
        .collect()
}

fn binary(op: BinaryOp, a: &Tri, b: &Tri) -> Tri {
    let zip = |f: fn(Option<bool>, Option<bool>) -> Option<bool>| a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
    match op {
        BinaryOp::And => zip(|x, y| match (x, y) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        }),
        BinaryOp::Or => zip(|x, y| match (x, y) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        }),
        BinaryOp::Xor => zip(|x, y| Some(x? ^ y?)),
        BinaryOp::Add => add(a, b, Some(false)),
        BinaryOp::Sub => add(a, &unary(UnaryOp::Not, b), Some(true)),
        BinaryOp::Mul => {
            let width = a.len();
            let zero = |v: &Tri| v.iter().all(|&x| x == Some(false));
            if zero(a) || zero(b) {
                return vec![Some(false); width];
            }
            match (known(a).as_deref().and_then(to_u128), known(b).as_deref().and_then(to_u128)) {
                (Some(x), Some(y)) => {
                    let p = x.wrapping_mul(y);
                    (0..width).map(|i| Some(p >> i & 1 == 1)).collect()
                }
                _ => vec![None; width],
            }
        }
    }
}

fn compare(op: CompareOp, signed: bool, a: &Tri, b: &Tri) -> Option<bool> {
    let differs = a.iter().zip(b).any(|(x, y)| matches!((x, y), (Some(x), Some(y)) if x != y));
    let (Some(mut x), Some(mut y)) = (known(a), known(b)) else {
        return match op {
            CompareOp::Eq if differs => Some(false),
            CompareOp::Ne if differs => Some(true),
            _ => None,
        };
    };
    if signed {
        // Two's complement orders as unsigned once the sign bits are flipped.
        if let (Some(sx), Some(sy)) = (x.last_mut(), y.last_mut()) {
            *sx = !*sx;
            *sy = !*sy;
        }
    }
    // Most significant bit first, `false < true`, so slices compare as numbers.
    x.reverse();
    y.reverse();
    let order = x.cmp(&y);
    Some(match op {
        CompareOp::Eq => order.is_eq(),
        CompareOp::Ne => order.is_ne(),
        CompareOp::Lt => order.is_lt(),
        CompareOp::Le => order.is_le(),
        CompareOp::Gt => order.is_gt(),
        CompareOp::Ge => order.is_ge(),
    })
}

fn shift(op: ShiftOp, v: &Tri, amount: &Tri) -> Tri {
    let width = v.len();
    let Some(amount) = known(amount) else {
        return vec![None; width];
    };
    // An amount past the width (or past what a u128 holds) shifts everything out.
    let n = if amount.iter().skip(32).any(|&b| b) {
        width
    } else {
        (to_u128(&amount[..amount.len().min(32)]).unwrap_or(0) as usize).min(width)
    };
    let fill = match op {
        ShiftOp::Sar => v.last().copied().unwrap_or(Some(false)),
        ShiftOp::Shl | ShiftOp::Shr => Some(false),
    };
    (0..width)
        .map(|i| match op {
            ShiftOp::Shl => i.checked_sub(n).map_or(Some(false), |j| v[j]),
            ShiftOp::Shr | ShiftOp::Sar => v.get(i + n).copied().unwrap_or(fill),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tri(s: &str) -> Tri {
        // Most significant first, as written.
        s.chars()
            .rev()
            .map(|c| match c {
                '0' => Some(false),
                '1' => Some(true),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn three_valued_arithmetic_keeps_what_is_known() {
        assert_eq!(binary(BinaryOp::And, &tri("0x1x"), &tri("xx10")), tri("0x10"));
        assert_eq!(binary(BinaryOp::Or, &tri("1x0x"), &tri("x0x1")), tri("1xx1"));
        assert_eq!(binary(BinaryOp::Add, &tri("0011"), &tri("0001")), tri("0100"));
        assert_eq!(binary(BinaryOp::Add, &tri("x001"), &tri("0001")), tri("x010"));
        assert_eq!(binary(BinaryOp::Sub, &tri("0000"), &tri("0001")), tri("1111"));
        assert_eq!(binary(BinaryOp::Mul, &tri("0011"), &tri("0101")), tri("1111"));
        assert_eq!(binary(BinaryOp::Mul, &tri("xx11"), &tri("0000")), tri("0000"));
        assert_eq!(compare(CompareOp::Lt, true, &tri("1000"), &tri("0111")), Some(true));
        assert_eq!(compare(CompareOp::Lt, false, &tri("1000"), &tri("0111")), Some(false));
        assert_eq!(compare(CompareOp::Eq, false, &tri("1x"), &tri("0x")), Some(false));
        assert_eq!(compare(CompareOp::Ne, false, &tri("1x"), &tri("1x")), None);
        assert_eq!(shift(ShiftOp::Sar, &tri("10x1"), &tri("01")), tri("110x"));
        assert_eq!(shift(ShiftOp::Shl, &tri("10x1"), &tri("10")), tri("x100"));
        assert_eq!(unary(UnaryOp::ReduceOr, &tri("x1x")), tri("1"));
        assert_eq!(unary(UnaryOp::ReduceAnd, &tri("x1x")), tri("x"));
    }
}
