//! Compilation of a flat design into a [`Program`]: storage for every value, the
//! combinational logic in topological order, and per clock domain the operations that
//! compute the next register values and commit them.
//!
//! Plain port connections (`a = b`, whole wires) cost nothing: both names share one slot.
//! Combinational processes are grouped into *units* (a process, or a group of processes
//! that feed each other bit by bit and iterate to a fixed point), consecutive units that
//! read nothing but what the ones before them read or drive run as one, and every source
//! of change — a unit's outputs, a free wire, a register, a memory — knows its direct
//! readers: units to run again and domains to sample again, woken only when its value
//! actually changed.

use hdl_dsl::netlist::{self as nl, BinaryOp, CompareOp, ExprId, ExprKind, MemoryId, ProcessId, ShiftOp, Stmt, UnaryOp, WireId, WireSlice};
use hdl_dsl::Bits;

use crate::flatten::Flat;
use crate::program::{mask, words, Cmp, Op, ShiftKind, Slot, Wide};

/// The compiled design.
pub(crate) struct Program {
    pub ops: Vec<Op>,
    /// The state at power-on: wire init values and constants.
    pub state: Vec<u64>,
    /// Memory contents at power-on.
    pub memory: Vec<u64>,
    /// The combinational units, in evaluation order.
    pub units: Vec<Unit>,
    pub wires: Vec<WireInfo>,
    pub domains: Vec<DomainProgram>,
    /// The domains with an asynchronous reset.
    pub async_resets: Vec<usize>,
    pub clocks: Vec<Clock>,
    pub memories: Vec<MemoryInfo>,
    /// The readers of each free wire, by index into `free`.
    pub free_readers: Vec<Readers>,
    /// The readers of each memory's contents: asynchronous and synchronous read ports.
    pub memory_readers: Vec<Readers>,
}

/// What must look again when a value changes: the units that read it, to run again,
/// and the domains whose registers' next values depend on it, to sample again at their
/// next edge. A domain none of whose inputs changed would compute what it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Readers {
    pub units: Vec<u32>,
    pub domains: Vec<u32>,
}

/// A combinational unit: operations that run together, and how their effect spreads.
pub(crate) struct Unit {
    pub ops: (u32, u32),
    /// The regions it drives.
    pub outputs: Vec<(Slot, u32)>,
    /// The outputs' values after its last run, one region after another: a run that
    /// leaves them as they were wakes no reader.
    pub shadow: Slot,
    pub readers: Readers,
}

/// A wire of the flat design as the testbench sees it.
pub(crate) struct WireInfo {
    pub name: String,
    pub slot: Slot,
    pub width: u32,
    /// Index into [`Program::free_readers`] if the testbench may set it.
    pub free: Option<usize>,
}

/// Consecutive registers of a domain with the same readers: `words` words from `cur`.
pub(crate) struct Registers {
    pub cur: Slot,
    pub words: u32,
    pub readers: Readers,
}

/// One clock domain of the flat design.
pub(crate) struct DomainProgram {
    pub name: String,
    /// Computes next values (and samples sync reads) without changing the state.
    pub sample: (u32, u32),
    /// Applies memory writes.
    pub write: (u32, u32),
    /// Its registers (with the data of its synchronous read ports), in runs that wake
    /// the same readers.
    pub registers: Vec<Registers>,
    /// How far after a register its next value is.
    pub next_offset: u32,
    /// The readers of the memories it writes.
    pub writes_reach: Readers,
    /// An asynchronous reset: its wire, and the copy of init values into the registers.
    pub async_reset: Option<(Slot, (u32, u32))>,
    /// Index into [`Program::clocks`].
    pub clock: usize,
}

/// Domains that share one clock signal, and so tick together.
pub(crate) struct Clock {
    /// The slot of the clock signal.
    pub slot: Slot,
    /// The free wire driving it, if the testbench drives it.
    pub free: Option<usize>,
    pub domains: Vec<usize>,
}

pub(crate) struct MemoryInfo {
    pub name: String,
    pub base: u32,
    pub width: u32,
    pub depth: u32,
}

/// The most units of the evaluation order run as one (see [`crate::order::Order::runs`]):
/// on the super-resolution engine, runs of up to 256 make the compiled back end about
/// four times as fast as single units; its runs stay well below that.
const UNITS_PER_RUN: usize = 256;

/// Compiles a flat design.
pub(crate) fn compile(flat: &Flat) -> Program {
    let mut p = Compiler::new(flat).run();
    crate::peephole::fuse(&mut p);
    p
}

struct Compiler<'a> {
    m: &'a nl::Module,
    free: &'a [WireId],
    /// The wire whose storage each wire uses.
    rep: Vec<WireId>,
    /// Processes replaced by shared storage.
    alias_process: Vec<bool>,
    wire_slot: Vec<Slot>,
    /// For registers: where their next value is computed.
    next_slot: Vec<Option<Slot>>,
    expr_slot: Vec<Option<Slot>>,
    /// Whether an expression's value is current on this path through a process, and
    /// the undo log for leaving a branch.
    computed: Vec<bool>,
    undo: Vec<ExprId>,
    consts: std::collections::BTreeMap<Vec<u64>, Slot>,
    state: Vec<u64>,
    ops: Vec<Op>,
}

fn whole(m: &nl::Module, parts: &[WireSlice]) -> Option<WireId> {
    match parts {
        [p] if p.lo == 0 && p.width == m.wire(p.wire).width => Some(p.wire),
        _ => None,
    }
}

impl<'a> Compiler<'a> {
    fn new(flat: &'a Flat) -> Compiler<'a> {
        let m = &flat.module;
        Compiler {
            m,
            free: &flat.free,
            rep: m.wires.ids().collect(),
            alias_process: vec![false; m.processes.len()],
            wire_slot: vec![0; m.wires.len()],
            next_slot: vec![None; m.wires.len()],
            expr_slot: vec![None; m.exprs.len()],
            computed: vec![false; m.exprs.len()],
            undo: Vec::new(),
            consts: Default::default(),
            state: Vec::new(),
            ops: Vec::new(),
        }
    }

    fn alloc(&mut self, width: u32) -> Slot {
        let slot = self.state.len() as Slot;
        self.state.resize(self.state.len() + words(width) as usize, 0);
        slot
    }

    fn constant(&mut self, bits: &Bits) -> Slot {
        if let Some(&slot) = self.consts.get(bits.words()) {
            return slot;
        }
        let slot = self.alloc(bits.width());
        self.state[slot as usize..slot as usize + bits.words().len()].copy_from_slice(bits.words());
        self.consts.insert(bits.words().to_vec(), slot);
        slot
    }

    fn run(mut self) -> Program {
        self.share_storage();
        let m = self.m;
        // Each domain's processes, so that a design of many domains is not scanned once per domain.
        let mut clocked: Vec<Vec<&nl::Process>> = vec![Vec::new(); m.domains.len()];
        for p in m.processes.values() {
            if let Some(d) = p.domain {
                clocked[d.index()].push(p);
            }
        }

        // Registers first, each domain's together, with their next values alongside,
        // so that a commit is one copy.
        let mut regions = Vec::new();
        let mut domain_regs = Vec::new();
        for (d, _) in m.domains.values().enumerate() {
            let mut regs: Vec<WireId> = Vec::new();
            for p in clocked[d].iter() {
                regs.extend(&p.drives);
            }
            let reset_regs = regs.len();
            for mem in m.memories.values() {
                regs.extend(
                    mem.read_ports
                        .iter()
                        .filter(|p| p.domain.map(|x| x.index()) == Some(d))
                        .map(|p| p.data),
                );
            }
            let cur = self.state.len() as Slot;
            for &w in &regs {
                self.wire_slot[w.index()] = self.alloc(m.wire(w).width);
            }
            let reset_words = regs[..reset_regs].iter().map(|w| words(m.wire(*w).width)).sum::<u32>();
            let n = self.state.len() as u32 - cur;
            let next = self.alloc(n * 64);
            for &w in &regs {
                self.next_slot[w.index()] = Some(next + self.wire_slot[w.index()] - cur);
            }
            regions.push((cur, next, n, reset_words));
            domain_regs.push(regs);
        }
        for (i, w) in m.wires.values().enumerate() {
            if self.rep[i].index() == i && self.next_slot[i].is_none() {
                self.wire_slot[i] = self.alloc(w.width);
            }
        }
        for (i, id) in m.wires.ids().enumerate() {
            let r = self.find(id);
            self.rep[i] = r;
            self.wire_slot[i] = self.wire_slot[r.index()];
        }
        for (i, w) in m.wires.values().enumerate() {
            if self.rep[i].index() == i {
                let slot = self.wire_slot[i] as usize;
                self.state[slot..slot + w.init.words().len()].copy_from_slice(w.init.words());
            }
        }
        for (cur, next, n, _) in &regions {
            let (cur, next, n) = (*cur as usize, *next as usize, *n as usize);
            self.state.copy_within(cur..cur + n, next);
        }

        let mut memory = Vec::new();
        let mut memories = Vec::new();
        for mem in m.memories.values() {
            let base = memory.len() as u32;
            let per = words(mem.width) as usize;
            memory.resize(memory.len() + per * mem.depth as usize, 0);
            for (i, word) in mem.init.iter().flatten().enumerate().take(mem.depth as usize) {
                let at = base as usize + i * per;
                memory[at..at + word.words().len()].copy_from_slice(word.words());
            }
            memories.push(MemoryInfo {
                name: mem.name.clone(),
                base,
                width: mem.width,
                depth: mem.depth,
            });
        }

        // Combinational units in dependency order.
        let blocks = self.blocks();
        let order = crate::order::units(&blocks, m.wires.len(), m.memories.len());
        let runs = order.runs(&blocks, m.wires.len(), UNITS_PER_RUN);
        let mut run_of = vec![0u32; order.units.len()];
        for (r, run) in runs.iter().enumerate() {
            run.iter().for_each(|&u| run_of[u] = r as u32);
        }
        let readers = ReaderMap::new(self.domain_reads(&clocked), &order, run_of, m);
        let mut units = Vec::new();
        for (r, run) in runs.iter().enumerate() {
            let start = self.ops.len() as u32;
            let mut drives: Vec<WireId> = Vec::new();
            for &u in run {
                let unit = &order.units[u];
                let unit_start = self.ops.len() as u32;
                for &b in unit {
                    self.block(&blocks[b], &memories);
                }
                let mut driven: Vec<WireId> = unit.iter().flat_map(|&b| blocks[b].drives.iter().copied()).collect();
                driven.sort();
                driven.dedup();
                if order.iterates(unit, &blocks) {
                    let regions: Vec<(Slot, u32)> = driven
                        .iter()
                        .map(|w| (self.wire_slot[w.index()], words(m.wire(*w).width)))
                        .collect();
                    let total = regions.iter().map(|r| r.1).sum::<u32>();
                    let scratch = self.alloc(total * 64);
                    self.ops.push(Op::Wide(Box::new(Wide::RepeatIfChanged {
                        regions,
                        scratch,
                        to: unit_start,
                    })));
                }
                drives.extend(driven);
            }
            drives.sort();
            drives.dedup();
            let outputs: Vec<(Slot, u32)> = drives
                .iter()
                .map(|w| (self.wire_slot[w.index()], words(m.wire(*w).width)))
                .collect();
            let shadow = self.state.len() as Slot;
            for &(slot, n) in &outputs {
                let (slot, n) = (slot as usize, n as usize);
                self.state.extend_from_within(slot..slot + n);
            }
            let mut readers = readers.of(&drives, &[]);
            readers.units.retain(|&u| u as usize != r);
            units.push(Unit {
                ops: (start, self.ops.len() as u32),
                outputs,
                shadow,
                readers,
            });
        }

        // Clock domains.
        let mut clocks: Vec<Clock> = Vec::new();
        let mut domains = Vec::new();
        for (d, domain) in m.domains.values().enumerate() {
            let (cur, next, n, reset_words) = regions[d];
            let clk_slot = self.wire_slot[domain.clk.index()];
            let clock = match clocks.iter().position(|c| c.slot == clk_slot) {
                Some(c) => c,
                None => {
                    let storage = self.rep[domain.clk.index()];
                    clocks.push(Clock {
                        slot: clk_slot,
                        free: self.free.iter().position(|&f| self.rep[f.index()] == storage),
                        domains: Vec::new(),
                    });
                    clocks.len() - 1
                }
            };
            clocks[clock].domains.push(d);

            let start = self.ops.len() as u32;
            if n > 0 {
                self.ops.push(Op::CopyWords { dst: next, src: cur, n });
            }
            // The registers' init values, copied in on reset.
            let init_regs = (reset_words > 0 && domain.reset.is_some()).then(|| {
                let init = self.alloc(reset_words * 64);
                let (cur, init_at) = (cur as usize, init as usize);
                self.state.copy_within(cur..cur + reset_words as usize, init_at);
                init
            });
            if let (Some(init), Some(r)) = (init_regs, domain.reset) {
                let jump = self.ops.len();
                self.ops.push(Op::JumpIfZero {
                    cond: self.wire_slot[r.wire.index()],
                    to: 0,
                });
                self.ops.push(Op::CopyWords {
                    dst: next,
                    src: init,
                    n: reset_words,
                });
                let skip = self.ops.len();
                self.ops.push(Op::Jump { to: 0 });
                let body = self.ops.len() as u32;
                self.ops[jump] = Op::JumpIfZero {
                    cond: self.wire_slot[r.wire.index()],
                    to: body,
                };
                for p in clocked[d].iter() {
                    self.process_body(&p.body, true);
                }
                let end = self.ops.len() as u32;
                self.ops[skip] = Op::Jump { to: end };
            } else {
                for p in clocked[d].iter() {
                    self.process_body(&p.body, true);
                }
            }
            for (mi, mem) in m.memories.values().enumerate() {
                for p in mem.read_ports.iter().filter(|p| p.domain.map(|x| x.index()) == Some(d)) {
                    let jump = self.ops.len();
                    let en = p.en.map(|w| self.wire_slot[w.index()]);
                    if let Some(en) = en {
                        self.ops.push(Op::JumpIfZero { cond: en, to: 0 });
                    }
                    self.ops.push(Op::MemRead {
                        dst: self.next_slot[p.data.index()].expect("sync read data is a register"),
                        base: memories[mi].base,
                        words: words(mem.width),
                        depth: mem.depth,
                        addr: self.wire_slot[p.addr.index()],
                    });
                    if let Some(en) = en {
                        let to = self.ops.len() as u32;
                        self.ops[jump] = Op::JumpIfZero { cond: en, to };
                    }
                }
            }
            let sample = (start, self.ops.len() as u32);

            let start = self.ops.len() as u32;
            for (mi, mem) in m.memories.values().enumerate() {
                for p in mem.write_ports.iter().filter(|p| p.domain.index() == d) {
                    self.ops.push(Op::MemWrite {
                        base: memories[mi].base,
                        words: words(mem.width),
                        depth: mem.depth,
                        addr: self.wire_slot[p.addr.index()],
                        data: self.wire_slot[p.data.index()],
                        en: self.wire_slot[p.en.index()],
                    });
                }
            }
            let write = (start, self.ops.len() as u32);

            let mut registers: Vec<Registers> = Vec::new();
            for w in &domain_regs[d] {
                let (at, n) = (self.wire_slot[w.index()], words(m.wire(*w).width));
                let readers = readers.of(&[self.rep[w.index()]], &[]);
                match registers.last_mut() {
                    Some(run) if run.readers == readers && run.cur + run.words == at => run.words += n,
                    _ => registers.push(Registers {
                        cur: at,
                        words: n,
                        readers,
                    }),
                }
            }
            let async_reset = match (domain.reset, init_regs) {
                (Some(r), Some(init)) if r.asynchronous => {
                    let start = self.ops.len() as u32;
                    self.ops.push(Op::CopyWords {
                        dst: cur,
                        src: init,
                        n: reset_words,
                    });
                    Some((self.wire_slot[r.wire.index()], (start, self.ops.len() as u32)))
                }
                _ => None,
            };

            let written: Vec<MemoryId> = m
                .memories
                .iter()
                .filter(|(_, mem)| mem.write_ports.iter().any(|p| p.domain.index() == d))
                .map(|(mi, _)| mi)
                .collect();
            let writes_reach = readers.of(&[], &written);
            domains.push(DomainProgram {
                name: domain.name.clone(),
                sample,
                write,
                registers,
                next_offset: next - cur,
                writes_reach,
                async_reset,
                clock,
            });
        }

        let free_readers = self.free.iter().map(|f| readers.of(&[self.rep[f.index()]], &[])).collect();
        let memory_readers = m.memories.ids().map(|mi| readers.of(&[], &[mi])).collect();
        let mut free_index = vec![None; m.wires.len()];
        for (k, f) in self.free.iter().enumerate() {
            free_index[f.index()].get_or_insert(k);
        }
        let wires = m
            .wires
            .values()
            .enumerate()
            .map(|(i, w)| WireInfo {
                name: w.name.clone(),
                slot: self.wire_slot[i],
                width: w.width,
                free: free_index[i],
            })
            .collect();
        let async_resets = (domains.iter().enumerate())
            .filter(|(_, d)| d.async_reset.is_some())
            .map(|(i, _)| i)
            .collect();
        Program {
            async_resets,
            ops: self.ops,
            state: self.state,
            memory,
            units,
            wires,
            domains,
            clocks,
            memories,
            free_readers,
            memory_readers,
        }
    }

    fn find(&self, mut w: WireId) -> WireId {
        while self.rep[w.index()] != w {
            w = self.rep[w.index()];
        }
        w
    }

    /// `a = b` between whole wires of one width, where `a` has no other driver, makes
    /// `a` share `b`'s storage.
    fn share_storage(&mut self) {
        let m = self.m;
        let mut drivers = vec![0u32; m.wires.len()];
        for p in m.processes.values() {
            p.drives.iter().for_each(|w| drivers[w.index()] += 1);
        }
        for (i, p) in m.processes.values().enumerate() {
            if p.domain.is_some() {
                continue;
            }
            let [Stmt::Assign { lhs, rhs, .. }] = p.body.as_slice() else {
                continue;
            };
            let (Some(target), ExprKind::Wire(source)) = (whole(m, lhs), &m.expr(*rhs).kind) else {
                continue;
            };
            if drivers[target.index()] != 1 || m.wire(target).width != m.wire(*source).width {
                continue;
            }
            let root = self.find(*source);
            if root == target {
                continue;
            }
            self.rep[target.index()] = root;
            self.alias_process[i] = true;
        }
    }

    /// The wires each domain's next values depend on (storage representatives): what
    /// its processes read, its reset, and its memory ports' addresses, enables and data.
    fn domain_reads(&self, clocked: &[Vec<&nl::Process>]) -> Vec<Vec<WireId>> {
        let m = self.m;
        let mut seen = Visits {
            last: vec![u32::MAX; m.exprs.len()],
            current: 0,
        };
        let mut all = Vec::with_capacity(clocked.len());
        for (d, domain) in m.domains.values().enumerate() {
            seen.current = d as u32;
            let mut reads = Vec::new();
            for p in &clocked[d] {
                collect_stmt_reads(m, &p.body, &mut seen, &mut reads);
            }
            reads.extend(domain.reset.map(|r| r.wire));
            for mem in m.memories.values() {
                for p in mem.read_ports.iter().filter(|p| p.domain.map(|x| x.index()) == Some(d)) {
                    reads.push(p.addr);
                    reads.extend(p.en);
                }
                for p in mem.write_ports.iter().filter(|p| p.domain.index() == d) {
                    reads.extend([p.addr, p.data, p.en]);
                }
            }
            let mut reads: Vec<WireId> = reads.into_iter().map(|w| self.rep[w.index()]).collect();
            reads.sort();
            reads.dedup();
            all.push(reads);
        }
        all
    }

    /// The combinational blocks: processes and asynchronous read ports.
    fn blocks(&self) -> Vec<Block> {
        let m = self.m;
        let mut blocks = Vec::new();
        let mut seen = Visits {
            last: vec![u32::MAX; m.exprs.len()],
            current: 0,
        };
        for (i, p) in m.processes.iter() {
            if p.domain.is_some() || self.alias_process[i.index()] {
                continue;
            }
            let mut reads = Vec::new();
            seen.current = i.index() as u32;
            collect_stmt_reads(m, &p.body, &mut seen, &mut reads);
            let mut reads: Vec<WireId> = reads.into_iter().map(|w| self.rep[w.index()]).collect();
            reads.sort();
            reads.dedup();
            blocks.push(Block {
                kind: BlockKind::Process(i),
                reads,
                memory: None,
                drives: p.drives.iter().map(|w| self.rep[w.index()]).collect(),
            });
        }
        for (mi, mem) in m.memories.iter() {
            for (pi, p) in mem.read_ports.iter().enumerate() {
                if p.domain.is_none() {
                    blocks.push(Block {
                        kind: BlockKind::AsyncRead(mi, pi),
                        reads: vec![self.rep[p.addr.index()]],
                        memory: Some(mi.index()),
                        drives: vec![self.rep[p.data.index()]],
                    });
                }
            }
        }
        blocks
    }

    fn block(&mut self, block: &Block, memories: &[MemoryInfo]) {
        let m = self.m;
        match block.kind {
            BlockKind::Process(i) => {
                let p = &m.processes[i];
                // A lone unconditional assignment writes every bit it drives; other
                // bits of its wires belong to other processes or keep their init value.
                if !matches!(p.body.as_slice(), [Stmt::Assign { .. }]) {
                    for &w in &p.drives {
                        let init = self.constant(&m.wire(w).init);
                        let n = words(m.wire(w).width);
                        self.copy(self.wire_slot[w.index()], init, n);
                    }
                }
                self.process_body(&p.body, false);
            }
            BlockKind::AsyncRead(mi, pi) => {
                let p = &m.memories[mi].read_ports[pi];
                self.ops.push(Op::MemRead {
                    dst: self.wire_slot[p.data.index()],
                    base: memories[mi.index()].base,
                    words: words(m.memories[mi].width),
                    depth: m.memories[mi].depth,
                    addr: self.wire_slot[p.addr.index()],
                });
            }
        }
    }

    fn copy(&mut self, dst: Slot, src: Slot, n: u32) {
        if n == 1 {
            self.ops.push(Op::Copy { dst, src });
        } else {
            self.ops.push(Op::CopyWords { dst, src, n });
        }
    }

    fn process_body(&mut self, body: &[Stmt], clocked: bool) {
        while let Some(e) = self.undo.pop() {
            self.computed[e.index()] = false;
        }
        self.stmts(body, clocked);
    }

    fn stmts(&mut self, stmts: &[Stmt], clocked: bool) {
        for s in stmts {
            self.stmt(s, clocked);
        }
    }

    /// Compiles `stmts` as a branch: values computed inside are not reused after it.
    fn branch(&mut self, stmts: &[Stmt], clocked: bool) {
        let mark = self.undo.len();
        self.stmts(stmts, clocked);
        while self.undo.len() > mark {
            let e = self.undo.pop().expect("undo log above the mark");
            self.computed[e.index()] = false;
        }
    }

    fn stmt(&mut self, s: &Stmt, clocked: bool) {
        match s {
            Stmt::Assign { lhs, rhs, .. } => {
                let src = self.expr(*rhs);
                let mut at = 0;
                for part in lhs {
                    let w = part.wire;
                    let dst = if clocked {
                        self.next_slot[w.index()].expect("a clocked process drives registers")
                    } else {
                        self.wire_slot[w.index()]
                    };
                    let full = self.m.wire(w).width;
                    self.move_bits(dst, part.lo, full, src, at, part.width);
                    at += part.width;
                }
            }
            Stmt::If { cond, then, else_ } => {
                let c = self.expr(*cond);
                let jump = self.ops.len();
                self.ops.push(Op::JumpIfZero { cond: c, to: 0 });
                self.branch(then, clocked);
                if else_.is_empty() {
                    let end = self.ops.len() as u32;
                    self.ops[jump] = Op::JumpIfZero { cond: c, to: end };
                } else {
                    let skip = self.ops.len();
                    self.ops.push(Op::Jump { to: 0 });
                    let other = self.ops.len() as u32;
                    self.ops[jump] = Op::JumpIfZero { cond: c, to: other };
                    self.branch(else_, clocked);
                    let end = self.ops.len() as u32;
                    self.ops[skip] = Op::Jump { to: end };
                }
            }
            Stmt::Switch { sel, cases } => {
                let width = self.m.expr(*sel).width;
                let sel = self.expr(*sel);
                let mut ends = Vec::new();
                for case in cases {
                    let cond = if case.patterns.is_empty() {
                        None
                    } else if width <= 64 && case.patterns.len() == 1 {
                        let p = &case.patterns[0];
                        let (mask, value) = (p.mask.to_u64(), p.value.to_u64() & p.mask.to_u64());
                        self.ops.push(Op::JumpUnlessMatch { sel, mask, value, to: 0 });
                        Some(None)
                    } else {
                        let c = self.case_condition(sel, width, &case.patterns);
                        self.ops.push(Op::JumpIfZero { cond: c, to: 0 });
                        Some(Some(c))
                    };
                    let test_end = self.ops.len() - 1;
                    self.branch(&case.body, clocked);
                    if let Some(c) = cond {
                        ends.push(self.ops.len());
                        self.ops.push(Op::Jump { to: 0 });
                        let next = self.ops.len() as u32;
                        self.ops[test_end] = match (c, &self.ops[test_end]) {
                            (None, Op::JumpUnlessMatch { sel, mask, value, .. }) => Op::JumpUnlessMatch {
                                sel: *sel,
                                mask: *mask,
                                value: *value,
                                to: next,
                            },
                            (Some(c), _) => Op::JumpIfZero { cond: c, to: next },
                            _ => unreachable!("the test just pushed"),
                        };
                    } else {
                        break;
                    }
                }
                let end = self.ops.len() as u32;
                for j in ends {
                    self.ops[j] = Op::Jump { to: end };
                }
            }
        }
    }

    /// One bit: whether `sel` matches any of `patterns`.
    fn case_condition(&mut self, sel: Slot, width: u32, patterns: &[nl::CasePattern]) -> Slot {
        let dst = self.alloc(1);
        let mut first = true;
        for p in patterns {
            let bit = if width <= 64 {
                let t = if first { dst } else { self.alloc(1) };
                self.ops.push(Op::Match {
                    dst: t,
                    sel,
                    mask: p.mask.to_u64(),
                    value: p.value.to_u64() & p.mask.to_u64(),
                });
                t
            } else {
                let mask = self.constant(&p.mask);
                let value = self.constant(&masked(&p.value, &p.mask));
                let n = words(width);
                let t = self.alloc(width);
                self.ops.push(Op::Wide(Box::new(Wide::And {
                    dst: t,
                    a: sel,
                    b: mask,
                    n,
                })));
                let b = if first { dst } else { self.alloc(1) };
                self.ops.push(Op::Wide(Box::new(Wide::Compare {
                    op: Cmp::Eq,
                    signed: false,
                    dst: b,
                    a: t,
                    b: value,
                    width,
                })));
                b
            };
            if !first {
                self.ops.push(Op::Or { dst, a: dst, b: bit });
            }
            first = false;
        }
        dst
    }

    /// Copies `width` bits from bit `src_lo` of `src` into bit `dst_lo` of the
    /// `dst_width`-bit value at `dst`.
    fn move_bits(&mut self, dst: Slot, dst_lo: u32, dst_width: u32, src: Slot, src_lo: u32, width: u32) {
        if dst_lo == 0 && src_lo == 0 && width == dst_width {
            self.copy(dst, src, words(width));
        } else if width <= 64 && src_lo + width <= 64 && dst_lo % 64 + width <= 64 {
            let field = if src_lo == 0 {
                src
            } else {
                let t = self.alloc(width);
                self.ops.push(Op::Field {
                    dst: t,
                    src,
                    sh: src_lo as u8,
                    mask: mask(width),
                });
                t
            };
            self.ops.push(Op::SetField {
                dst: dst + dst_lo / 64,
                a: field,
                sh: (dst_lo % 64) as u8,
                mask: mask(width),
            });
        } else {
            self.ops.push(Op::Wide(Box::new(Wide::CopyBits {
                dst,
                dst_lo,
                src,
                src_lo,
                width,
            })));
        }
    }

    /// The slot holding the value of `e` on the current path, emitting what computes it.
    fn expr(&mut self, e: ExprId) -> Slot {
        let m = self.m;
        let expr = m.expr(e);
        match &expr.kind {
            ExprKind::Wire(w) => return self.wire_slot[w.index()],
            ExprKind::Const(b) => return self.constant(b),
            ExprKind::Symbol(_) => unreachable!("flattening replaces symbols with constants"),
            _ => {}
        }
        if self.computed[e.index()] {
            return self.expr_slot[e.index()].expect("computed expressions have a slot");
        }
        let width = expr.width;
        let dst = match self.expr_slot[e.index()] {
            Some(s) => s,
            None => {
                let s = self.alloc(width);
                self.expr_slot[e.index()] = Some(s);
                s
            }
        };
        let narrow = width <= 64;
        let n = words(width);
        let wide = |w: Wide| Op::Wide(Box::new(w));
        let op = match &expr.kind {
            ExprKind::Unary(op, a) => {
                let aw = m.expr(*a).width;
                let a = self.expr(*a);
                match (op, aw <= 64) {
                    (UnaryOp::Not, true) => Op::Not { dst, a, mask: mask(width) },
                    (UnaryOp::Not, false) => wide(Wide::Not { dst, a, n, width }),
                    (UnaryOp::ReduceAnd, true) => Op::ReduceAnd { dst, a, mask: mask(aw) },
                    (UnaryOp::ReduceAnd, false) => wide(Wide::ReduceAnd { dst, a, width: aw }),
                    (UnaryOp::ReduceOr, true) => Op::ReduceOr { dst, a },
                    (UnaryOp::ReduceOr, false) => wide(Wide::ReduceOr { dst, a, n: words(aw) }),
                    (UnaryOp::ReduceXor, true) => Op::ReduceXor { dst, a },
                    (UnaryOp::ReduceXor, false) => wide(Wide::ReduceXor { dst, a, n: words(aw) }),
                }
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.expr(*a), self.expr(*b));
                let mask = mask(width);
                match (op, narrow) {
                    (BinaryOp::Add, true) => Op::Add { dst, a, b, mask },
                    (BinaryOp::Sub, true) => Op::Sub { dst, a, b, mask },
                    (BinaryOp::Mul, true) => Op::Mul { dst, a, b, mask },
                    (BinaryOp::And, true) => Op::And { dst, a, b },
                    (BinaryOp::Or, true) => Op::Or { dst, a, b },
                    (BinaryOp::Xor, true) => Op::Xor { dst, a, b },
                    (BinaryOp::Add, false) => wide(Wide::Add { dst, a, b, n, width }),
                    (BinaryOp::Sub, false) => wide(Wide::Sub { dst, a, b, n, width }),
                    (BinaryOp::Mul, false) => wide(Wide::Mul { dst, a, b, n, width }),
                    (BinaryOp::And, false) => wide(Wide::And { dst, a, b, n }),
                    (BinaryOp::Or, false) => wide(Wide::Or { dst, a, b, n }),
                    (BinaryOp::Xor, false) => wide(Wide::Xor { dst, a, b, n }),
                }
            }
            ExprKind::Compare { op, signed, a, b } => {
                let ow = m.expr(*a).width;
                let (mut a, mut b) = (self.expr(*a), self.expr(*b));
                let cmp = match op {
                    CompareOp::Eq => Cmp::Eq,
                    CompareOp::Ne => Cmp::Ne,
                    CompareOp::Lt => Cmp::Lt,
                    CompareOp::Le => Cmp::Le,
                    CompareOp::Gt => {
                        std::mem::swap(&mut a, &mut b);
                        Cmp::Lt
                    }
                    CompareOp::Ge => {
                        std::mem::swap(&mut a, &mut b);
                        Cmp::Le
                    }
                };
                let sh = (64 - ow.min(64)) as u8;
                match (cmp, ow <= 64, *signed) {
                    (Cmp::Eq, true, _) => Op::Eq { dst, a, b },
                    (Cmp::Ne, true, _) => Op::Ne { dst, a, b },
                    (Cmp::Lt, true, false) => Op::Ltu { dst, a, b },
                    (Cmp::Le, true, false) => Op::Leu { dst, a, b },
                    (Cmp::Lt, true, true) => Op::Lts { dst, a, b, sh },
                    (Cmp::Le, true, true) => Op::Les { dst, a, b, sh },
                    (op, false, signed) => wide(Wide::Compare {
                        op,
                        signed,
                        dst,
                        a,
                        b,
                        width: ow,
                    }),
                }
            }
            ExprKind::Shift { op, value, amount } => {
                let aw = m.expr(*amount).width;
                let a = self.expr(*value);
                let mut amount = self.expr(*amount);
                if aw > 64 {
                    let t = self.alloc(64);
                    self.ops.push(wide(Wide::Saturate {
                        dst: t,
                        src: amount,
                        n: words(aw),
                    }));
                    amount = t;
                }
                let w8 = width as u8;
                match (op, narrow) {
                    (ShiftOp::Shl, true) => Op::Shl {
                        dst,
                        a,
                        amount,
                        width: w8,
                        mask: mask(width),
                    },
                    (ShiftOp::Shr, true) => Op::Shr { dst, a, amount, width: w8 },
                    (ShiftOp::Sar, true) => Op::Sar {
                        dst,
                        a,
                        amount,
                        width: w8,
                        mask: mask(width),
                    },
                    (op, false) => wide(Wide::Shift {
                        op: match op {
                            ShiftOp::Shl => ShiftKind::Shl,
                            ShiftOp::Shr => ShiftKind::Shr,
                            ShiftOp::Sar => ShiftKind::Sar,
                        },
                        dst,
                        a,
                        amount,
                        width,
                    }),
                }
            }
            ExprKind::Mux { sel, a, b } => {
                let (sel, a, b) = (self.expr(*sel), self.expr(*a), self.expr(*b));
                if narrow {
                    Op::Mux { dst, sel, a, b }
                } else {
                    wide(Wide::Mux { dst, sel, a, b, n })
                }
            }
            ExprKind::Slice { value, lo } => {
                let src = self.expr(*value);
                let (lo, m_) = (*lo, mask(width));
                if narrow && lo % 64 + width <= 64 {
                    Op::Field {
                        dst,
                        src: src + lo / 64,
                        sh: (lo % 64) as u8,
                        mask: m_,
                    }
                } else if narrow {
                    Op::FieldSpan {
                        dst,
                        src: src + lo / 64,
                        sh: (lo % 64) as u8,
                        mask: m_,
                    }
                } else {
                    wide(Wide::CopyBits {
                        dst,
                        dst_lo: 0,
                        src,
                        src_lo: lo,
                        width,
                    })
                }
            }
            ExprKind::Concat(parts) => {
                let slots: Vec<(Slot, u32)> = parts.iter().map(|p| (self.expr(*p), m.expr(*p).width)).collect();
                if narrow {
                    let mut at = 0;
                    for (i, (s, w)) in slots.iter().enumerate() {
                        if i == 0 {
                            self.ops.push(Op::Copy { dst, src: *s });
                        } else {
                            self.ops.push(Op::Insert { dst, a: *s, sh: at as u8 });
                        }
                        at += w;
                    }
                } else {
                    self.ops.push(wide(Wide::Zero { dst, n }));
                    let mut at = 0;
                    for (s, w) in &slots {
                        self.ops.push(wide(Wide::CopyBits {
                            dst,
                            dst_lo: at,
                            src: *s,
                            src_lo: 0,
                            width: *w,
                        }));
                        at += w;
                    }
                }
                return self.done(e, dst);
            }
            ExprKind::Repeat(a) => {
                let part = m.expr(*a).width;
                let src = self.expr(*a);
                wide(Wide::Repeat { dst, src, part, width })
            }
            ExprKind::Extend { value, signed } => {
                let inner = m.expr(*value).width;
                let src = self.expr(*value);
                match (narrow, *signed) {
                    (true, false) => Op::Copy { dst, src },
                    (true, true) => Op::Sext {
                        dst,
                        a: src,
                        sh: (64 - inner) as u8,
                        mask: mask(width),
                    },
                    (false, signed) => {
                        self.ops.push(wide(Wide::Zero { dst, n }));
                        self.move_bits(dst, 0, width, src, 0, inner);
                        if signed {
                            self.ops.push(wide(Wide::SignFill { dst, from: inner, width }));
                        }
                        return self.done(e, dst);
                    }
                }
            }
            ExprKind::Wire(_) | ExprKind::Const(_) | ExprKind::Symbol(_) => unreachable!("handled above"),
        };
        self.ops.push(op);
        self.done(e, dst)
    }

    fn done(&mut self, e: ExprId, dst: Slot) -> Slot {
        self.computed[e.index()] = true;
        self.undo.push(e);
        dst
    }
}

fn masked(value: &Bits, mask: &Bits) -> Bits {
    let words: Vec<u64> = value.words().iter().zip(mask.words()).map(|(v, m)| v & m).collect();
    Bits::from_words(&words, value.width())
}

/// The readers of every wire and memory: units from the [`Order`](crate::order::Order),
/// and domains.
struct ReaderMap<'a> {
    order: &'a crate::order::Order,
    /// The unit of evaluation each of the order's units runs in.
    run_of: Vec<u32>,
    wire_domains: Vec<Vec<u32>>,
    memory_domains: Vec<Vec<u32>>,
}

impl<'a> ReaderMap<'a> {
    fn new(domain_reads: Vec<Vec<WireId>>, order: &'a crate::order::Order, run_of: Vec<u32>, m: &nl::Module) -> ReaderMap<'a> {
        let mut wire_domains = vec![Vec::new(); m.wires.len()];
        for (d, reads) in domain_reads.iter().enumerate() {
            reads.iter().for_each(|w| wire_domains[w.index()].push(d as u32));
        }
        let memory_domains = m
            .memories
            .values()
            .map(|mem| {
                let mut d: Vec<u32> = mem.read_ports.iter().filter_map(|p| p.domain).map(|d| d.index() as u32).collect();
                d.sort_unstable();
                d.dedup();
                d
            })
            .collect();
        ReaderMap {
            order,
            run_of,
            wire_domains,
            memory_domains,
        }
    }

    /// The readers of any of `wires` (storage representatives) or `memories`.
    fn of(&self, wires: &[WireId], memories: &[MemoryId]) -> Readers {
        let mut r = Readers::default();
        for w in wires {
            r.units
                .extend(self.order.wire_readers[w.index()].iter().map(|&u| self.run_of[u as usize]));
            r.domains.extend(&self.wire_domains[w.index()]);
        }
        for mi in memories {
            r.units
                .extend(self.order.memory_readers[mi.index()].iter().map(|&u| self.run_of[u as usize]));
            r.domains.extend(&self.memory_domains[mi.index()]);
        }
        for list in [&mut r.units, &mut r.domains] {
            list.sort_unstable();
            list.dedup();
        }
        r
    }
}

/// A combinational block: what it reads and drives, for ordering.
pub(crate) struct Block {
    kind: BlockKind,
    pub reads: Vec<WireId>,
    pub memory: Option<usize>,
    pub drives: Vec<WireId>,
}

enum BlockKind {
    Process(ProcessId),
    /// A memory and the index of its read port.
    AsyncRead(MemoryId, usize),
}

/// Which walk last visited each expression, so one array serves the walks of every process.
struct Visits {
    last: Vec<u32>,
    current: u32,
}

fn collect_stmt_reads(m: &nl::Module, stmts: &[Stmt], seen: &mut Visits, out: &mut Vec<WireId>) {
    for s in stmts {
        match s {
            Stmt::Assign { rhs, .. } => collect_expr_reads(m, *rhs, seen, out),
            Stmt::If { cond, then, else_ } => {
                collect_expr_reads(m, *cond, seen, out);
                collect_stmt_reads(m, then, seen, out);
                collect_stmt_reads(m, else_, seen, out);
            }
            Stmt::Switch { sel, cases } => {
                collect_expr_reads(m, *sel, seen, out);
                for c in cases {
                    collect_stmt_reads(m, &c.body, seen, out);
                }
            }
        }
    }
}

fn collect_expr_reads(m: &nl::Module, e: ExprId, seen: &mut Visits, out: &mut Vec<WireId>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if std::mem::replace(&mut seen.last[e.index()], seen.current) == seen.current {
            continue;
        }
        match &m.expr(e).kind {
            ExprKind::Wire(w) => out.push(*w),
            kind => stack.extend(kind.operands()),
        }
    }
}
