//! Seeded random designs for co-simulation: expression and register networks with mixed
//! widths (up to 130 bits) and signedness, if/switch logic, a memory, a submodule and
//! two clock domains with random reset kinds. A design is a plain [`Spec`] first, so a
//! failing one can be shrunk.

use hdl_dsl::{cat, mux, signed, unsigned, Module, ResetKind, Shape, Value};

/// splitmix64: small, seedable, the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn width(&mut self) -> u32 {
        match self.below(100) {
            0..=14 => 1,
            15..=49 => 2 + self.below(7) as u32,
            50..=69 => 9 + self.below(24) as u32,
            70..=84 => 33 + self.below(32) as u32,
            _ => 65 + self.below(66) as u32,
        }
    }

    fn value(&mut self, width: u32) -> u128 {
        let v = match self.below(4) {
            0 => 0,
            1 => u128::MAX,
            _ => (self.next() as u128) << 64 | self.next() as u128,
        };
        if width >= 128 {
            v
        } else {
            v & ((1u128 << width) - 1)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    WrappingAdd,
    WrappingSub,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    ShlVar,
    ShrVar,
}

/// An expression over the design's inputs and state.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Input(usize),
    Reg(usize),
    /// A combinational signal with a lower index.
    Comb(usize),
    /// An output of the submodule.
    Child(usize),
    /// The memory's read data.
    MemData,
    Const {
        value: u128,
        width: u32,
        signed: bool,
    },
    Not(Box<Node>),
    Neg(Box<Node>),
    Reduce(u8, Box<Node>),
    Binary(Op, Box<Node>, Box<Node>),
    Shl(Box<Node>, u32),
    Shr(Box<Node>, u32),
    Mux(Box<Node>, Box<Node>, Box<Node>),
    Slice(Box<Node>, u32, u32),
    BitSelect(Box<Node>, Box<Node>, u32),
    Cat(Vec<Node>),
    Repeat(Box<Node>, u32),
    Resize(u8, Box<Node>, u32),
    Signedness(bool, Box<Node>),
}

/// How a register or combinational signal is assigned.
#[derive(Clone, Debug, PartialEq)]
pub enum Logic {
    Always(Node),
    If(Node, Node, Option<Node>),
    /// Selector, cases (pattern as a `01-` string of the selector's width), default.
    Switch(Node, Vec<(String, Node)>, Option<Node>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sig {
    pub width: u32,
    pub signed: bool,
    pub init: u128,
    /// 0: `sync`; 1: `b`.
    pub domain: usize,
    pub logic: Logic,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mem {
    pub width: u32,
    pub depth_log2: u32,
    pub init: Vec<u128>,
    pub write_domain: usize,
    pub waddr: Node,
    pub wdata: Node,
    pub we: Node,
    /// `None`: asynchronous read; otherwise the domain of a synchronous read.
    pub read_domain: Option<usize>,
    pub raddr: Node,
    pub ren: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub name: String,
    pub inputs: Vec<(u32, bool)>,
    /// Reset kind of `sync` and (if present) `b`: 0 none, 1 synchronous, 2 asynchronous.
    pub resets: Vec<u8>,
    pub regs: Vec<Sig>,
    pub combs: Vec<Sig>,
    /// Indices of `combs` that are outputs (the rest are internal signals).
    pub outputs: Vec<usize>,
    pub mem: Option<Mem>,
    /// The submodule and what drives each of its inputs.
    pub child: Option<(Box<Spec>, Vec<Node>)>,
}

/// What a node may refer to.
#[derive(Clone, Copy)]
struct Pool {
    inputs: usize,
    regs: usize,
    combs: usize,
    child_outputs: usize,
    mem: bool,
}

fn node(rng: &mut Rng, pool: Pool, depth: u32) -> Node {
    let leaf = depth == 0 || rng.chance(25);
    if leaf {
        let mut choices: Vec<u8> = vec![0, 0, 5];
        if pool.regs > 0 {
            choices.extend([1, 1]);
        }
        if pool.combs > 0 {
            choices.push(2);
        }
        if pool.child_outputs > 0 {
            choices.push(3);
        }
        if pool.mem {
            choices.push(4);
        }
        return match choices[rng.below(choices.len() as u64) as usize] {
            0 if pool.inputs > 0 => Node::Input(rng.below(pool.inputs as u64) as usize),
            1 => Node::Reg(rng.below(pool.regs as u64) as usize),
            2 => Node::Comb(rng.below(pool.combs as u64) as usize),
            3 => Node::Child(rng.below(pool.child_outputs as u64) as usize),
            4 => Node::MemData,
            _ => {
                let width = rng.width().min(70);
                Node::Const {
                    value: rng.value(width),
                    width,
                    signed: rng.chance(40),
                }
            }
        };
    }
    let d = depth - 1;
    let sub = |rng: &mut Rng| Box::new(node(rng, pool, d));
    match rng.below(15) {
        0 => Node::Not(sub(rng)),
        1 => Node::Neg(sub(rng)),
        2 => Node::Reduce(rng.below(3) as u8, sub(rng)),
        3..=6 => {
            let ops = [
                Op::Add,
                Op::Sub,
                Op::Mul,
                Op::And,
                Op::Or,
                Op::Xor,
                Op::WrappingAdd,
                Op::WrappingSub,
                Op::Lt,
                Op::Le,
                Op::Gt,
                Op::Ge,
                Op::Eq,
                Op::Ne,
                Op::ShlVar,
                Op::ShrVar,
            ];
            let op = ops[rng.below(ops.len() as u64) as usize];
            Node::Binary(op, sub(rng), sub(rng))
        }
        7 => {
            if rng.chance(50) {
                Node::Shl(sub(rng), rng.below(70) as u32)
            } else {
                Node::Shr(sub(rng), rng.below(70) as u32)
            }
        }
        8 => Node::Mux(sub(rng), sub(rng), sub(rng)),
        9 => Node::Slice(sub(rng), rng.below(140) as u32, 1 + rng.below(80) as u32),
        10 => Node::BitSelect(sub(rng), sub(rng), 1 + rng.below(20) as u32),
        11 => Node::Cat((0..1 + rng.below(3)).map(|_| node(rng, pool, d)).collect()),
        12 => Node::Repeat(sub(rng), 1 + rng.below(4) as u32),
        13 => Node::Resize(rng.below(4) as u8, sub(rng), rng.width()),
        _ => Node::Signedness(rng.chance(50), sub(rng)),
    }
}

fn logic(rng: &mut Rng, pool: Pool) -> Logic {
    match rng.below(4) {
        0 | 1 => Logic::Always(node(rng, pool, 3)),
        2 => Logic::If(node(rng, pool, 2), node(rng, pool, 3), rng.chance(60).then(|| node(rng, pool, 3))),
        _ => {
            let width = 1 + rng.below(4) as u32;
            let cases = (0..1 + rng.below(4))
                .map(|_| {
                    let pattern: String = (0..width).map(|_| ['0', '1', '1', '0', '-'][rng.below(5) as usize]).collect();
                    (pattern, node(rng, pool, 2))
                })
                .collect();
            let sel = Node::Resize(0, Box::new(node(rng, pool, 2)), width);
            Logic::Switch(sel, cases, rng.chance(50).then(|| node(rng, pool, 2)))
        }
    }
}

fn sig(rng: &mut Rng, pool: Pool, domains: usize) -> Sig {
    let width = rng.width();
    Sig {
        width,
        signed: rng.chance(40),
        init: if rng.chance(50) { rng.value(width) } else { 0 },
        domain: rng.below(domains as u64) as usize,
        logic: logic(rng, pool),
    }
}

/// A random design called `name`; `child_depth` levels of submodules below it.
pub fn generate(rng: &mut Rng, name: &str, child_depth: u32) -> Spec {
    let inputs: Vec<(u32, bool)> = (0..1 + rng.below(4)).map(|_| (rng.width(), rng.chance(40))).collect();
    let domains = 1 + rng.chance(30) as usize;
    let resets = (0..domains).map(|_| rng.below(3) as u8).collect();
    let nregs = rng.below(5) as usize;
    let state_pool = Pool {
        inputs: inputs.len(),
        regs: nregs,
        combs: 0,
        child_outputs: 0,
        mem: false,
    };
    let child = (child_depth > 0 && rng.chance(30)).then(|| {
        let spec = generate(rng, &format!("{name}_c"), child_depth - 1);
        let drivers = spec.inputs.iter().map(|_| node(rng, state_pool, 2)).collect();
        (Box::new(spec), drivers)
    });
    let mem = rng.chance(30).then(|| {
        let width = rng.width();
        let depth_log2 = 1 + rng.below(5) as u32;
        Mem {
            width,
            depth_log2,
            init: if rng.chance(50) {
                (0..1 << depth_log2).map(|_| rng.value(width)).collect()
            } else {
                Vec::new()
            },
            write_domain: rng.below(domains as u64) as usize,
            waddr: node(rng, state_pool, 2),
            wdata: node(rng, state_pool, 2),
            we: node(rng, state_pool, 1),
            read_domain: rng.chance(50).then(|| rng.below(domains as u64) as usize),
            raddr: node(rng, state_pool, 2),
            ren: node(rng, state_pool, 1),
        }
    });
    let full = Pool {
        child_outputs: child.as_ref().map(|(c, _)| c.outputs.len()).unwrap_or(0),
        mem: mem.is_some(),
        ..state_pool
    };
    let ncombs = 1 + rng.below(4) as usize;
    let combs: Vec<Sig> = (0..ncombs).map(|i| sig(rng, Pool { combs: i, ..full }, domains)).collect();
    let regs = (0..nregs).map(|_| sig(rng, Pool { combs: ncombs, ..full }, domains)).collect();
    let mut outputs: Vec<usize> = (0..ncombs).filter(|_| rng.chance(70)).collect();
    if outputs.is_empty() {
        outputs.push(ncombs - 1);
    }
    Spec {
        name: name.to_owned(),
        inputs,
        resets,
        regs,
        combs,
        outputs,
        mem,
        child,
    }
}

// ---- building the design -------------------------------------------------------------

struct Ctx {
    inputs: Vec<Value>,
    regs: Vec<Value>,
    combs: Vec<Value>,
    child_outputs: Vec<Value>,
    mem_data: Option<Value>,
}

fn shape(width: u32, is_signed: bool) -> Shape {
    if is_signed {
        signed(width)
    } else {
        unsigned(width)
    }
}

/// Keeps widths in check: anything wider than 160 bits is truncated.
fn tame(v: Value) -> Value {
    if v.width() > 160 {
        v.trunc(130)
    } else {
        v
    }
}

fn value(ctx: &Ctx, n: &Node) -> Value {
    let v = |n: &Node| value(ctx, n);
    tame(match n {
        Node::Input(i) => ctx.inputs[*i % ctx.inputs.len()].clone(),
        Node::Reg(i) => ctx.regs.get(*i).cloned().unwrap_or_else(|| Value::from(false)),
        Node::Comb(i) => ctx.combs.get(*i).cloned().unwrap_or_else(|| Value::from(false)),
        Node::Child(i) => ctx.child_outputs.get(*i).cloned().unwrap_or_else(|| Value::from(false)),
        Node::MemData => ctx.mem_data.clone().unwrap_or_else(|| Value::from(false)),
        Node::Const { value, width, signed: s } => {
            let bits = hdl_dsl::Bits::from_u128(*value, *width);
            let as_i = if *s {
                bits.to_i128().unwrap_or(0)
            } else {
                bits.to_u128().unwrap_or(0) as i128
            };
            hdl_dsl::constant(as_i, shape(*width, *s))
        }
        Node::Not(a) => !v(a),
        Node::Neg(a) => -v(a),
        Node::Reduce(k, a) => match k {
            0 => v(a).any(),
            1 => v(a).all(),
            _ => v(a).xor_reduce(),
        },
        Node::Binary(op, a, b) => {
            let (a, b) = (v(a), v(b));
            match op {
                Op::Add => a + b,
                Op::Sub => a - b,
                Op::Mul => {
                    if a.width() + b.width() > 160 {
                        a.trunc(a.width().min(64)) * b.trunc(b.width().min(64))
                    } else {
                        a * b
                    }
                }
                Op::And => a & b,
                Op::Or => a | b,
                Op::Xor => a ^ b,
                Op::WrappingAdd => a.wrapping_add(b),
                Op::WrappingSub => a.wrapping_sub(b),
                Op::Lt => a.lt(b),
                Op::Le => a.le(b),
                Op::Gt => a.gt(b),
                Op::Ge => a.ge(b),
                Op::Eq => a.is_eq(b),
                Op::Ne => a.is_ne(b),
                Op::ShlVar => a.shl_var(b.as_unsigned().trunc(b.width().min(5))),
                Op::ShrVar => a.shr_var(b.as_unsigned().trunc(b.width().min(7))),
            }
        }
        Node::Shl(a, k) => v(a).shl(*k),
        Node::Shr(a, k) => v(a).shr(*k),
        Node::Mux(s, a, b) => mux(v(s).any(), v(a), v(b)),
        Node::Slice(a, lo, len) => {
            let a = v(a);
            let lo = lo % a.width();
            let hi = (lo + len).min(a.width());
            a.slice(lo..hi)
        }
        Node::BitSelect(a, off, width) => {
            let a = v(a);
            let width = (*width).min(a.width());
            a.bit_select(v(off).as_unsigned().trunc(v(off).width().min(8)), width)
        }
        Node::Cat(parts) => cat(parts.iter().map(v)),
        Node::Repeat(a, k) => v(a).replicate(*k),
        Node::Resize(k, a, w) => {
            let a = v(a);
            match k {
                0 if *w <= a.width() => a.trunc(*w),
                0 => a.ext(*w),
                1 if *w >= a.width() => a.zext(*w),
                2 if *w >= a.width() => a.sext(*w),
                _ if *w >= a.width() => a.ext(*w),
                _ => a.trunc(*w),
            }
        }
        Node::Signedness(s, a) => {
            if *s {
                v(a).as_signed()
            } else {
                v(a).as_unsigned()
            }
        }
    })
}

/// `v` made to fit `width` bits.
fn fit(v: Value, width: u32) -> Value {
    if v.width() > width {
        v.trunc(width)
    } else {
        v
    }
}

fn assign(m: &mut Module, ctx: &Ctx, target: &Value, sig: &Sig, clocked: bool) {
    let domain = if sig.domain == 0 { "sync" } else { "b" };
    let put = |m: &mut Module, n: &Node| {
        let stmt = target.eq(fit(value(ctx, n), sig.width));
        if clocked {
            m.sync_in(domain, stmt)
        } else {
            m.comb(stmt)
        }
    };
    match &sig.logic {
        Logic::Always(n) => put(m, n),
        Logic::If(c, t, e) => {
            let chain = m.if_(value(ctx, c).any(), |m| put(m, t));
            if let Some(e) = e {
                chain.else_(|m| put(m, e));
            }
        }
        Logic::Switch(sel, cases, default) => {
            let sel = value(ctx, sel);
            m.switch(sel, |s| {
                for (pattern, n) in cases {
                    s.case(pattern.as_str(), |m| put(m, n));
                }
                if let Some(d) = default {
                    s.default(|m| put(m, d));
                }
            });
        }
    }
}

fn reset_kind(k: u8) -> ResetKind {
    match k {
        0 => ResetKind::None,
        1 => ResetKind::Sync,
        _ => ResetKind::Async,
    }
}

/// The init value of a signal, of its shape.
fn init(s: &Sig) -> Value {
    let bits = hdl_dsl::Bits::from_u128(s.init & (u128::MAX >> 2), s.width);
    if s.signed {
        hdl_dsl::constant(bits.to_i128().unwrap_or(bits.to_u64() as i128), signed(s.width))
    } else {
        hdl_dsl::constant(bits.to_u128().unwrap_or(0) as i128, unsigned(s.width))
    }
}

/// The design `spec` describes.
pub fn build(spec: &Spec) -> Module {
    let mut m = Module::new(&spec.name);
    m.domain_from_ports("sync", reset_kind(spec.resets[0]));
    if let Some(&k) = spec.resets.get(1) {
        m.domain_from_ports("b", reset_kind(k));
    }
    let inputs: Vec<Value> = spec
        .inputs
        .iter()
        .enumerate()
        .map(|(i, (w, s))| m.input(format!("i{i}"), shape(*w, *s)))
        .collect();
    let domain_name = |d: usize| if d == 0 || spec.resets.len() < 2 { "sync" } else { "b" };
    let regs: Vec<Value> = spec
        .regs
        .iter()
        .enumerate()
        .map(|(i, r)| m.signal_init(format!("r{i}"), shape(r.width, r.signed), init(r)))
        .collect();
    let mut ctx = Ctx {
        inputs,
        regs,
        combs: Vec::new(),
        child_outputs: Vec::new(),
        mem_data: None,
    };
    if let Some((child, drivers)) = &spec.child {
        let sub = m.submodule("u", build(child));
        for (i, d) in drivers.iter().enumerate() {
            let port = sub.port(&format!("i{i}"));
            let width = port.width();
            let v = fit(value(&ctx, d), width);
            m.comb(port.eq(v));
        }
        ctx.child_outputs = child.outputs.iter().map(|o| sub.port(&format!("o{o}"))).collect();
    }
    if let Some(mem) = &spec.mem {
        let depth = 1u32 << mem.depth_log2;
        let r = if mem.init.is_empty() {
            m.memory("mem", unsigned(mem.width), depth)
        } else {
            m.memory_init("mem", unsigned(mem.width), depth, mem.init.iter().map(|&v| v as i128))
        };
        let w = m.write_port(r, domain_name(mem.write_domain));
        m.comb(w.addr.eq(fit(value(&ctx, &mem.waddr), mem.depth_log2)));
        m.comb(w.data.eq(fit(value(&ctx, &mem.wdata), mem.width)));
        m.comb(w.en.eq(value(&ctx, &mem.we).any()));
        let data = match mem.read_domain {
            None => {
                let p = m.async_read_port(r);
                m.comb(p.addr.eq(fit(value(&ctx, &mem.raddr), mem.depth_log2)));
                p.data
            }
            Some(d) => {
                let p = m.read_port(r, domain_name(d));
                m.comb(p.addr.eq(fit(value(&ctx, &mem.raddr), mem.depth_log2)));
                m.comb(p.en.eq(value(&ctx, &mem.ren).any()));
                p.data
            }
        };
        ctx.mem_data = Some(data);
    }
    for (i, c) in spec.combs.iter().enumerate() {
        let shape = shape(c.width, c.signed);
        let init = init(c);
        let target = if spec.outputs.contains(&i) {
            m.output_init(format!("o{i}"), shape, init)
        } else {
            m.signal_init(format!("c{i}"), shape, init)
        };
        assign(&mut m, &ctx, &target, c, false);
        ctx.combs.push(target);
    }
    for (i, r) in spec.regs.iter().enumerate() {
        let target = ctx.regs[i].clone();
        let r = Sig {
            domain: if spec.resets.len() < 2 { 0 } else { r.domain },
            ..r.clone()
        };
        assign(&mut m, &ctx, &target, &r, true);
    }
    m
}

// ---- shrinking ------------------------------------------------------------------------

fn children(n: &Node) -> Vec<&Node> {
    match n {
        Node::Not(a) | Node::Neg(a) | Node::Reduce(_, a) | Node::Shl(a, _) | Node::Shr(a, _) => vec![a],
        Node::Slice(a, ..) | Node::Repeat(a, _) | Node::Resize(_, a, _) | Node::Signedness(_, a) => vec![a],
        Node::Binary(_, a, b) | Node::BitSelect(a, b, _) => vec![a, b],
        Node::Mux(s, a, b) => vec![s, a, b],
        Node::Cat(parts) => parts.iter().collect(),
        _ => Vec::new(),
    }
}

fn with_child(n: &Node, i: usize, c: Node) -> Node {
    let mut n = n.clone();
    let slot: &mut Node = match &mut n {
        Node::Not(a) | Node::Neg(a) | Node::Reduce(_, a) | Node::Shl(a, _) | Node::Shr(a, _) => a,
        Node::Slice(a, ..) | Node::Repeat(a, _) | Node::Resize(_, a, _) | Node::Signedness(_, a) => a,
        Node::Binary(_, a, b) | Node::BitSelect(a, b, _) => [a, b][i].as_mut(),
        Node::Mux(s, a, b) => [s, a, b][i].as_mut(),
        Node::Cat(parts) => &mut parts[i],
        _ => return n,
    };
    *slot = c;
    n
}

const ZERO: Node = Node::Const {
    value: 0,
    width: 1,
    signed: false,
};

/// Every node one simplification away from `n`.
fn shrink_node(n: &Node) -> Vec<Node> {
    let mut out = Vec::new();
    if *n != ZERO {
        out.push(ZERO);
    }
    for c in children(n) {
        out.push(c.clone());
    }
    for (i, c) in children(n).into_iter().enumerate() {
        for smaller in shrink_node(c) {
            out.push(with_child(n, i, smaller));
        }
    }
    out
}

fn shrink_logic(l: &Logic) -> Vec<Logic> {
    match l {
        Logic::Always(n) => shrink_node(n).into_iter().map(Logic::Always).collect(),
        Logic::If(c, t, e) => {
            let mut out = vec![Logic::Always(t.clone())];
            out.extend(shrink_node(c).into_iter().map(|c| Logic::If(c, t.clone(), e.clone())));
            out.extend(shrink_node(t).into_iter().map(|t| Logic::If(c.clone(), t, e.clone())));
            if let Some(e) = e {
                out.push(Logic::If(c.clone(), t.clone(), None));
                out.extend(shrink_node(e).into_iter().map(|e| Logic::If(c.clone(), t.clone(), Some(e))));
            }
            out
        }
        Logic::Switch(sel, cases, d) => {
            let mut out: Vec<Logic> = cases.iter().map(|(_, n)| Logic::Always(n.clone())).collect();
            for i in 0..cases.len() {
                let mut fewer = cases.clone();
                fewer.remove(i);
                out.push(Logic::Switch(sel.clone(), fewer, d.clone()));
            }
            if d.is_some() {
                out.push(Logic::Switch(sel.clone(), cases.clone(), None));
            }
            out
        }
    }
}

/// Every design one simplification away from `spec`.
pub fn shrink(spec: &Spec) -> Vec<Spec> {
    let mut out = Vec::new();
    if spec.outputs.len() > 1 {
        for i in 0..spec.outputs.len() {
            let mut s = spec.clone();
            s.outputs.remove(i);
            out.push(s);
        }
    }
    if spec.child.is_some() {
        out.push(Spec {
            child: None,
            ..spec.clone()
        });
    }
    if spec.mem.is_some() {
        out.push(Spec { mem: None, ..spec.clone() });
    }
    if spec.resets.len() > 1 {
        out.push(Spec {
            resets: vec![spec.resets[0]],
            ..spec.clone()
        });
    }
    if spec.resets[0] != 0 {
        let mut s = spec.clone();
        s.resets[0] = 0;
        out.push(s);
    }
    for (i, r) in spec.regs.iter().enumerate() {
        for l in shrink_logic(&r.logic) {
            let mut s = spec.clone();
            s.regs[i].logic = l;
            out.push(s);
        }
    }
    for (i, c) in spec.combs.iter().enumerate() {
        for l in shrink_logic(&c.logic) {
            let mut s = spec.clone();
            s.combs[i].logic = l;
            out.push(s);
        }
    }
    out
}

/// A rough size, to pick the smallest failing design.
pub fn size(spec: &Spec) -> usize {
    fn nodes(n: &Node) -> usize {
        1 + children(n).into_iter().map(nodes).sum::<usize>()
    }
    fn logic(l: &Logic) -> usize {
        match l {
            Logic::Always(n) => nodes(n),
            Logic::If(c, t, e) => nodes(c) + nodes(t) + e.as_ref().map(nodes).unwrap_or(0),
            Logic::Switch(s, cases, d) => {
                nodes(s) + cases.iter().map(|(_, n)| nodes(n)).sum::<usize>() + d.as_ref().map(nodes).unwrap_or(0)
            }
        }
    }
    spec.regs.iter().chain(&spec.combs).map(|s| logic(&s.logic)).sum::<usize>()
        + spec.outputs.len()
        + spec.child.as_ref().map(|(c, _)| size(c) + 5).unwrap_or(0)
        + spec.mem.as_ref().map(|_| 5).unwrap_or(0)
}
