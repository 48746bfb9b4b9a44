//! The compiled back end: every operation range of a [`Program`] as a native function,
//! generated with Cranelift from the same operations the interpreter runs.
//!
//! A function takes the state and memory arrays and runs its range's operations in
//! order, with the range's jumps as branches. Within straight-line code a value loaded
//! or computed once stays in a register: a slot is read from memory once per block,
//! though every result is still stored, since the state array is what the testbench,
//! the models and the VCD writer read. The combinational units come 64 to a function,
//! one per word of the dirty set, which also does what the interpreter's loop does in
//! Rust: it jumps to each dirty unit, compares the unit's outputs with their shadow copy
//! and marks the readers of those that changed. The wide operations that are not plain
//! word moves, bitwise logic or shifts up to 128 bits call back into the interpreter for
//! that one operation.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types::I64, AbiParam, Block, BlockCall, InstBuilder, JumpTableData, MemFlags, Signature, UserFuncName, Value};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};

use crate::backend::Range;
use crate::compile::Program;
use crate::program::{step, Op, ShiftKind, Slot, Term, Wide};

/// A compiled range: `(state, memory, fallback context)`.
type RangeFn = unsafe extern "C" fn(*mut u64, *mut u64, *const Fallback);

/// The dirty units of one word of the dirty set: `(state, memory, fallback context,
/// dirty set, stale flags)`.
type WordFn = unsafe extern "C" fn(*mut u64, *mut u64, *const Fallback, *mut u64, *mut bool);

/// What an operation run by the interpreter needs: the program's operations and the
/// arrays' lengths, so the interpreter sees the same slices it would own.
pub(crate) struct Fallback {
    ops: *const Op,
    ops_len: usize,
    state_len: usize,
    memory_len: usize,
}

/// The native code of a program.
pub(crate) struct Compiled {
    /// Owns the code memory the functions point into.
    _module: JITModule,
    fallback: Box<Fallback>,
    /// The number of domains.
    stale_len: usize,
    /// Per word of the dirty set.
    words: Vec<WordFn>,
    sample: Vec<RangeFn>,
    write: Vec<RangeFn>,
    reset: Vec<Option<RangeFn>>,
}

/// Why native code could not be made.
#[derive(Debug)]
pub(crate) struct JitError(pub String);

impl Compiled {
    /// Compiles every range of `p`.
    pub(crate) fn new(p: &Program) -> Result<Compiled, JitError> {
        let mut flags = settings::builder();
        let set =
            |flags: &mut settings::Builder, k: &str, v: &str| flags.set(k, v).map_err(|e| JitError(format!("cranelift setting {k}: {e}")));
        set(&mut flags, "use_colocated_libcalls", "false")?;
        set(&mut flags, "is_pic", "false")?;
        set(&mut flags, "opt_level", "speed")?;
        // The generator's output is checked by the tests that compare both back ends.
        set(&mut flags, "enable_verifier", "false")?;
        let isa = cranelift_native::builder()
            .map_err(|e| JitError(format!("this machine is not supported by Cranelift: {e}")))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| JitError(format!("Cranelift's code generator: {e}")))?;
        let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
        let mut gen = Generator {
            p,
            ctx: module.make_context(),
            fctx: FunctionBuilderContext::new(),
            signature: signature(&module, 3, 0),
            fallback_sig: signature(&module, 4, 1),
            word_signature: signature(&module, 5, 0),
            ids: Vec::new(),
        };
        let words: Vec<usize> = (0..p.units.len().div_ceil(64))
            .map(|w| gen.word_function(&mut module, w))
            .collect::<Result<_, _>>()?;
        let mut domain_fns = |pick: fn(&crate::compile::DomainProgram) -> Option<(u32, u32)>| -> Result<Vec<Option<usize>>, JitError> {
            p.domains
                .iter()
                .map(|d| pick(d).map(|r| gen.range_function(&mut module, r)).transpose())
                .collect()
        };
        let sample = domain_fns(|d| Some(d.sample))?;
        let write = domain_fns(|d| Some(d.write))?;
        let reset = domain_fns(|d| d.async_reset.map(|(_, r)| r))?;
        module
            .finalize_definitions()
            .map_err(|e| JitError(format!("linking the generated code: {e}")))?;
        let ids = gen.ids;
        let get = |i: usize| -> RangeFn {
            // SAFETY: every function was declared with `signature`, which is `RangeFn`'s.
            unsafe { std::mem::transmute::<*const u8, RangeFn>(module.get_finalized_function(ids[i])) }
        };
        Ok(Compiled {
            words: words
                .into_iter()
                .map(|i| {
                    // SAFETY: declared with `word_signature`, which is `WordFn`'s.
                    unsafe { std::mem::transmute::<*const u8, WordFn>(module.get_finalized_function(ids[i])) }
                })
                .collect(),
            sample: sample.into_iter().map(|f| get(f.expect("every domain samples"))).collect(),
            write: write.into_iter().map(|f| get(f.expect("every domain writes"))).collect(),
            reset: reset.into_iter().map(|f| f.map(get)).collect(),
            stale_len: p.domains.len(),
            fallback: Box::new(Fallback {
                ops: p.ops.as_ptr(),
                ops_len: p.ops.len(),
                state_len: p.state.len(),
                memory_len: p.memory.len(),
            }),
            _module: module,
        })
    }

    /// Runs a range over `state` and `memory`, which must be the arrays of the program
    /// this was compiled from (same lengths, same operations).
    pub(crate) fn run(&self, range: Range, state: &mut [u64], memory: &mut [u64]) {
        self.check(state, memory);
        let f = match range {
            Range::Sample(d) => self.sample[d],
            Range::Write(d) => self.write[d],
            Range::Reset(d) => self.reset[d].expect("only domains with an asynchronous reset reset"),
        };
        // SAFETY: the generated code reads and writes only slots of the program and
        // memory words below each memory's depth, all inside the arrays checked above.
        unsafe { f(state.as_mut_ptr(), memory.as_mut_ptr(), &*self.fallback) };
    }

    /// Runs the units marked in `dirty`, in order, marking the readers of those whose
    /// outputs changed: in `dirty`, and domains in `stale`.
    pub(crate) fn run_dirty(&self, dirty: &mut [u64], stale: &mut [bool], state: &mut [u64], memory: &mut [u64]) {
        self.check(state, memory);
        assert!(dirty.len() >= self.words.len() && stale.len() >= self.stale_len);
        for (i, f) in self.words.iter().enumerate() {
            if dirty[i] != 0 {
                // SAFETY: as for `run`; readers are units and domains of the program,
                // inside the arrays checked above.
                unsafe {
                    f(
                        state.as_mut_ptr(),
                        memory.as_mut_ptr(),
                        &*self.fallback,
                        dirty.as_mut_ptr(),
                        stale.as_mut_ptr(),
                    )
                };
            }
        }
    }

    fn check(&self, state: &[u64], memory: &[u64]) {
        assert!(state.len() == self.fallback.state_len && memory.len() == self.fallback.memory_len);
    }
}

/// A signature of `params` and `returns` 64-bit integers (pointers among them).
fn signature(module: &JITModule, params: usize, returns: usize) -> Signature {
    let mut sig = module.make_signature();
    sig.params.extend(std::iter::repeat_n(AbiParam::new(I64), params));
    sig.returns.extend(std::iter::repeat_n(AbiParam::new(I64), returns));
    sig
}

/// Runs operation `pc` in the interpreter, for the generated code; returns the next
/// operation's index.
extern "C" fn fallback(ctx: *const Fallback, pc: u64, state: *mut u64, memory: *mut u64) -> u64 {
    // SAFETY: `Compiled::run` passes the arrays it checked against these lengths, and
    // the operations live as long as the program that owns the compiled code.
    let (ops, s, mem) = unsafe {
        let ctx = &*ctx;
        (
            std::slice::from_raw_parts(ctx.ops, ctx.ops_len),
            std::slice::from_raw_parts_mut(state, ctx.state_len),
            std::slice::from_raw_parts_mut(memory, ctx.memory_len),
        )
    };
    step(ops, pc as usize, s, mem) as u64
}

struct Generator<'p> {
    p: &'p Program,
    ctx: Context,
    fctx: FunctionBuilderContext,
    signature: Signature,
    fallback_sig: Signature,
    word_signature: Signature,
    ids: Vec<cranelift_module::FuncId>,
}

impl Generator<'_> {
    /// Declares a function with `signature` and starts its body; returns its id and the
    /// entry block's parameters.
    fn begin(&mut self, module: &mut JITModule, signature: &Signature) -> Result<cranelift_module::FuncId, JitError> {
        let id = module
            .declare_function(&format!("f{}", self.ids.len()), Linkage::Local, signature)
            .map_err(|e| JitError(format!("declaring a function: {e}")))?;
        self.ctx.func.signature = signature.clone();
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        Ok(id)
    }

    /// Compiles the function begun as `id`; returns its index in `ids`.
    fn finish(&mut self, module: &mut JITModule, id: cranelift_module::FuncId, what: &str) -> Result<usize, JitError> {
        module
            .define_function(id, &mut self.ctx)
            .map_err(|e| JitError(format!("compiling {what}: {e:?}")))?;
        module.clear_context(&mut self.ctx);
        self.ids.push(id);
        Ok(self.ids.len() - 1)
    }

    /// Generates the function of `ops[range]`; returns its index in `ids`.
    fn range_function(&mut self, module: &mut JITModule, (start, end): (u32, u32)) -> Result<usize, JitError> {
        let id = self.begin(module, &self.signature.clone())?;
        let fallback_sig = self.fallback_sig.clone();
        let mut f = Emit::new(FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx), fallback_sig);
        f.range(&self.p.ops, start, end);
        f.b.ins().return_(&[]);
        f.b.seal_all_blocks();
        f.b.finalize();
        self.finish(module, id, &format!("operations {start}..{end}"))
    }

    /// Generates the function that runs the dirty units of word `word` of the dirty set,
    /// `(state, memory, fallback, dirty, stale)`: it takes the word, then runs its units
    /// in order, each followed by the comparison of its outputs with their shadow and,
    /// if they changed, the marking of its readers — in the same word (always later
    /// units) in the word being run, in later words in the set, domains in `stale`.
    fn word_function(&mut self, module: &mut JITModule, word: usize) -> Result<usize, JitError> {
        let id = self.begin(module, &self.word_signature.clone())?;
        let fallback_sig = self.fallback_sig.clone();
        let p = self.p;
        let mut f = Emit::new(FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx), fallback_sig);
        let (dirty, stale) = (f.params[3], f.params[4]);
        let pending = f.b.declare_var(I64);
        let taken = f.b.ins().load(I64, flags(), dirty, word as i32 * 8);
        f.b.def_var(pending, taken);
        let zero = f.konst(0);
        f.b.ins().store(flags(), zero, dirty, word as i32 * 8);
        let (next, exit) = (f.b.create_block(), f.b.create_block());
        f.b.ins().jump(next, &[]);
        let first = word * 64;
        let units: Vec<usize> = (first..(first + 64).min(p.units.len())).collect();
        let bodies: Vec<Block> = units.iter().map(|_| f.b.create_block()).collect();

        // The next unit: the lowest bit pending.
        f.b.switch_to_block(next);
        let w = f.b.use_var(pending);
        let dispatch = f.b.create_block();
        f.b.ins().brif(w, dispatch, &[], exit, &[]);
        f.b.switch_to_block(dispatch);
        let bit = f.b.ins().ctz(w);
        let one = f.konst(1);
        let below = f.b.ins().isub(w, one);
        let rest = f.b.ins().band(w, below);
        f.b.def_var(pending, rest);
        let bit = f.b.ins().ireduce(cranelift_codegen::ir::types::I32, bit);
        let pool = &mut f.b.func.dfg.value_lists;
        let calls: Vec<BlockCall> = bodies.iter().map(|&b| BlockCall::new(b, [], pool)).collect();
        let default = BlockCall::new(exit, [], pool);
        let table = f.b.create_jump_table(JumpTableData::new(default, &calls));
        f.b.ins().br_table(bit, table);

        for (&u, &body) in units.iter().zip(&bodies) {
            let unit = &p.units[u];
            f.b.switch_to_block(body);
            f.cache.clear();
            f.done = false;
            f.range(&p.ops, unit.ops.0, unit.ops.1);
            let mut changed = f.konst(0);
            let mut at = unit.shadow;
            for &(slot, n) in &unit.outputs {
                for i in 0..n {
                    let (v, old) = (f.load(slot + i), f.load(at));
                    let ne = f.b.ins().icmp(IntCC::NotEqual, v, old);
                    let ne = f.b.ins().uextend(I64, ne);
                    changed = f.b.ins().bor(changed, ne);
                    f.store(at, v);
                    at += 1;
                }
            }
            let wake = f.b.create_block();
            f.b.ins().brif(changed, wake, &[], next, &[]);
            f.b.switch_to_block(wake);
            let mut here = 0u64;
            for &r in &unit.readers.units {
                let (w, bit) = (r as usize / 64, 1u64 << (r % 64));
                if w == word {
                    here |= bit;
                } else {
                    let old = f.b.ins().load(I64, flags(), dirty, w as i32 * 8);
                    let new = f.b.ins().bor_imm(old, bit as i64);
                    f.b.ins().store(flags(), new, dirty, w as i32 * 8);
                }
            }
            if here != 0 {
                let w = f.b.use_var(pending);
                let w = f.b.ins().bor_imm(w, here as i64);
                f.b.def_var(pending, w);
            }
            if !unit.readers.domains.is_empty() {
                let yes = f.b.ins().iconst(cranelift_codegen::ir::types::I8, 1);
                for &d in &unit.readers.domains {
                    f.b.ins().store(flags(), yes, stale, d as i32);
                }
            }
            f.b.ins().jump(next, &[]);
        }
        f.b.switch_to_block(exit);
        f.b.ins().return_(&[]);
        f.b.seal_all_blocks();
        f.b.finalize();
        self.finish(module, id, &format!("units {first}.."))
    }
}

/// The generation of one function.
struct Emit<'f> {
    b: FunctionBuilder<'f>,
    /// The function's parameters; the first three are the state, the memory and the
    /// fallback context.
    params: Vec<Value>,
    state: Value,
    memory: Value,
    ctx: Value,
    fallback_sig: cranelift_codegen::ir::SigRef,
    /// The current value of each slot read or written in the current block.
    cache: HashMap<Slot, Value>,
    /// The block starting at each jump target.
    blocks: HashMap<u32, Block>,
    /// Whether the current block has ended with a jump.
    done: bool,
}

fn flags() -> MemFlags {
    MemFlags::trusted()
}

impl<'f> Emit<'f> {
    /// Starts a function in its entry block.
    fn new(mut b: FunctionBuilder<'f>, fallback_sig: Signature) -> Emit<'f> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let fallback_sig = b.import_signature(fallback_sig);
        Emit {
            b,
            state: params[0],
            memory: params[1],
            ctx: params[2],
            params,
            fallback_sig,
            cache: HashMap::new(),
            blocks: HashMap::new(),
            done: false,
        }
    }

    /// Emits `ops[start..end]` from the current block; ends in the block after them.
    fn range(&mut self, ops: &[Op], start: u32, end: u32) {
        self.blocks.clear();
        // A block at every jump target inside the range, and one after it.
        for op in &ops[start as usize..end as usize] {
            let to = match op {
                Op::Jump { to } | Op::JumpIfZero { to, .. } | Op::JumpUnlessMatch { to, .. } => *to,
                Op::Wide(w) => match **w {
                    Wide::RepeatIfChanged { to, .. } => to,
                    _ => continue,
                },
                _ => continue,
            };
            self.block_at(to);
        }
        let exit = self.block_at(end);
        for pc in start..end {
            if let Some(&block) = self.blocks.get(&pc) {
                self.enter(block);
            } else if self.done {
                // Code after a jump that nothing jumps to.
                let dead = self.b.create_block();
                self.enter(dead);
            }
            self.op(ops, pc);
        }
        self.enter(exit);
    }

    fn block_at(&mut self, pc: u32) -> Block {
        *self.blocks.entry(pc).or_insert_with(|| self.b.create_block())
    }

    /// Continues in `block`, falling through from the current one.
    fn enter(&mut self, block: Block) {
        if !self.done {
            self.b.ins().jump(block, &[]);
        }
        self.b.switch_to_block(block);
        self.cache.clear();
        self.done = false;
    }

    /// Starts a new block after a conditional branch's fall-through edge.
    fn fall_through(&mut self) -> Block {
        let next = self.b.create_block();
        self.cache.clear();
        next
    }

    fn load(&mut self, slot: Slot) -> Value {
        if let Some(&v) = self.cache.get(&slot) {
            return v;
        }
        let v = self.b.ins().load(I64, flags(), self.state, slot as i32 * 8);
        self.cache.insert(slot, v);
        v
    }

    fn store(&mut self, slot: Slot, v: Value) {
        self.b.ins().store(flags(), v, self.state, slot as i32 * 8);
        self.cache.insert(slot, v);
    }

    fn konst(&mut self, c: u64) -> Value {
        self.b.ins().iconst(I64, c as i64)
    }

    fn masked(&mut self, v: Value, mask: u64) -> Value {
        if mask == u64::MAX {
            v
        } else {
            self.b.ins().band_imm(v, mask as i64)
        }
    }

    /// `v` sign-extended from its bit `63 - sh`.
    fn sext(&mut self, v: Value, sh: u8) -> Value {
        if sh == 0 {
            return v;
        }
        let up = self.b.ins().ishl_imm(v, sh as i64);
        self.b.ins().sshr_imm(up, sh as i64)
    }

    fn flag(&mut self, cc: IntCC, a: Value, b: Value) -> Value {
        let c = self.b.ins().icmp(cc, a, b);
        self.b.ins().uextend(I64, c)
    }

    fn product(&mut self, t: Term) -> Value {
        let (a, b) = (self.load(t.a), self.load(t.b));
        let (a, b) = (self.sext(a, t.sha), self.sext(b, t.shb));
        let p = self.b.ins().imul(a, b);
        self.sext(p, t.sh)
    }

    /// Runs operation `pc` in the interpreter; returns the next operation's index.
    fn call_fallback(&mut self, pc: u32) -> Value {
        let target = self.konst(fallback as *const () as usize as u64);
        let pc = self.konst(pc as u64);
        let call = self
            .b
            .ins()
            .call_indirect(self.fallback_sig, target, &[self.ctx, pc, self.state, self.memory]);
        // The interpreter may have written any slot.
        self.cache.clear();
        self.b.inst_results(call)[0]
    }

    /// Branches to the block at `to` if `jump` is non-zero, else falls through.
    fn branch(&mut self, jump: Value, to: u32) {
        let target = self.blocks[&to];
        let next = self.fall_through();
        self.b.ins().brif(jump, target, &[], next, &[]);
        self.b.switch_to_block(next);
    }

    fn op(&mut self, ops: &[Op], pc: u32) {
        match &ops[pc as usize] {
            &Op::Copy { dst, src } => {
                let v = self.load(src);
                self.store(dst, v);
            }
            &Op::Not { dst, a, mask } => {
                let a = self.load(a);
                let v = self.b.ins().bnot(a);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::And { dst, a, b } | &Op::Or { dst, a, b } | &Op::Xor { dst, a, b } => {
                let (x, y) = (self.load(a), self.load(b));
                let v = match &ops[pc as usize] {
                    Op::And { .. } => self.b.ins().band(x, y),
                    Op::Or { .. } => self.b.ins().bor(x, y),
                    _ => self.b.ins().bxor(x, y),
                };
                self.store(dst, v);
            }
            &Op::Add { dst, a, b, mask } | &Op::Sub { dst, a, b, mask } | &Op::Mul { dst, a, b, mask } => {
                let (x, y) = (self.load(a), self.load(b));
                let v = match &ops[pc as usize] {
                    Op::Add { .. } => self.b.ins().iadd(x, y),
                    Op::Sub { .. } => self.b.ins().isub(x, y),
                    _ => self.b.ins().imul(x, y),
                };
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::MulSext { dst, t, mask } => {
                let v = self.product(t);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::MulAdd { dst, acc, t, mask } => {
                let p = self.product(t);
                let acc = self.load(acc);
                let v = self.b.ins().iadd(acc, p);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            Op::Dot(d) => {
                let mut sum = self.load(d.acc);
                for &t in &d.terms {
                    let p = self.product(t);
                    sum = self.b.ins().iadd(sum, p);
                }
                for c in &d.coefs {
                    // Values are zero above their width, so this extends the sign.
                    let a = self.load(c.a);
                    let a = self.b.ins().bxor_imm(a, c.sign as i64);
                    let sign = self.konst(c.sign);
                    let a = self.b.ins().isub(a, sign);
                    let p = self.b.ins().imul_imm(a, c.c);
                    sum = self.b.ins().iadd(sum, p);
                }
                let v = self.masked(sum, d.mask);
                self.store(d.dst, v);
            }
            &Op::Eq { dst, a, b } | &Op::Ne { dst, a, b } | &Op::Ltu { dst, a, b } | &Op::Leu { dst, a, b } => {
                let cc = match &ops[pc as usize] {
                    Op::Eq { .. } => IntCC::Equal,
                    Op::Ne { .. } => IntCC::NotEqual,
                    Op::Ltu { .. } => IntCC::UnsignedLessThan,
                    _ => IntCC::UnsignedLessThanOrEqual,
                };
                let (x, y) = (self.load(a), self.load(b));
                let v = self.flag(cc, x, y);
                self.store(dst, v);
            }
            &Op::Lts { dst, a, b, sh } | &Op::Les { dst, a, b, sh } => {
                let cc = match &ops[pc as usize] {
                    Op::Lts { .. } => IntCC::SignedLessThan,
                    _ => IntCC::SignedLessThanOrEqual,
                };
                let (x, y) = (self.load(a), self.load(b));
                let (x, y) = (self.b.ins().ishl_imm(x, sh as i64), self.b.ins().ishl_imm(y, sh as i64));
                let v = self.flag(cc, x, y);
                self.store(dst, v);
            }
            &Op::ReduceAnd { dst, a, mask } => {
                let x = self.load(a);
                let m = self.konst(mask);
                let v = self.flag(IntCC::Equal, x, m);
                self.store(dst, v);
            }
            &Op::ReduceOr { dst, a } => {
                let x = self.load(a);
                let zero = self.konst(0);
                let v = self.flag(IntCC::NotEqual, x, zero);
                self.store(dst, v);
            }
            &Op::ReduceXor { dst, a } => {
                let x = self.load(a);
                let n = self.b.ins().popcnt(x);
                let v = self.b.ins().band_imm(n, 1);
                self.store(dst, v);
            }
            &Op::Shl {
                dst,
                a,
                amount,
                width,
                mask,
            } => {
                let (x, n) = (self.load(a), self.load(amount));
                let shifted = self.b.ins().ishl(x, n);
                let shifted = self.masked(shifted, mask);
                let v = self.if_below(n, width as u64, shifted);
                self.store(dst, v);
            }
            &Op::Shr { dst, a, amount, width } => {
                let (x, n) = (self.load(a), self.load(amount));
                let shifted = self.b.ins().ushr(x, n);
                let v = self.if_below(n, width as u64, shifted);
                self.store(dst, v);
            }
            &Op::Sar {
                dst,
                a,
                amount,
                width,
                mask,
            } => {
                let (x, n) = (self.load(a), self.load(amount));
                let top = self.konst(width as u64 - 1);
                let n = self.b.ins().umin(n, top);
                let x = self.sext(x, 64 - width);
                let v = self.b.ins().sshr(x, n);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::Mux { dst, sel, a, b } => {
                let (s, x, y) = (self.load(sel), self.load(a), self.load(b));
                let v = self.b.ins().select(s, x, y);
                self.store(dst, v);
            }
            &Op::Field { dst, src, sh, mask } => {
                let x = self.load(src);
                let v = self.b.ins().ushr_imm(x, sh as i64);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::FieldSpan { dst, src, sh, mask } => {
                let (lo, hi) = (self.load(src), self.load(src + 1));
                let lo = self.b.ins().ushr_imm(lo, sh as i64);
                let hi = self.b.ins().ishl_imm(hi, 64 - sh as i64);
                let v = self.b.ins().bor(lo, hi);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::Sext { dst, a, sh, mask } => {
                let x = self.load(a);
                let v = self.sext(x, sh);
                let v = self.masked(v, mask);
                self.store(dst, v);
            }
            &Op::Insert { dst, a, sh } => {
                let (d, x) = (self.load(dst), self.load(a));
                let x = self.b.ins().ishl_imm(x, sh as i64);
                let v = self.b.ins().bor(d, x);
                self.store(dst, v);
            }
            &Op::SetField { dst, a, sh, mask } => {
                let (d, x) = (self.load(dst), self.load(a));
                let x = self.b.ins().band_imm(x, mask as i64);
                let x = self.b.ins().ishl_imm(x, sh as i64);
                let d = self.b.ins().band_imm(d, !(mask << sh) as i64);
                let v = self.b.ins().bor(d, x);
                self.store(dst, v);
            }
            &Op::CopyWords { dst, src, n } if n <= 64 => {
                // Everything read before anything is written: overlapping copies move.
                let values: Vec<Value> = (0..n).map(|i| self.load(src + i)).collect();
                for (i, v) in values.into_iter().enumerate() {
                    self.store(dst + i as u32, v);
                }
            }
            &Op::Match { dst, sel, mask, value } => {
                let s = self.load(sel);
                let s = self.masked(s, mask);
                let v = self.b.ins().icmp_imm(IntCC::Equal, s, value as i64);
                let v = self.b.ins().uextend(I64, v);
                self.store(dst, v);
            }
            &Op::Jump { to } => {
                let target = self.blocks[&to];
                self.b.ins().jump(target, &[]);
                self.done = true;
            }
            &Op::JumpIfZero { cond, to } => {
                let c = self.load(cond);
                let zero = self.b.ins().icmp_imm(IntCC::Equal, c, 0);
                self.branch(zero, to);
            }
            &Op::JumpUnlessMatch { sel, mask, value, to } => {
                let s = self.load(sel);
                let s = self.masked(s, mask);
                let differs = self.b.ins().icmp_imm(IntCC::NotEqual, s, value as i64);
                self.branch(differs, to);
            }
            &Op::MemRead {
                dst,
                base,
                words: 1,
                depth,
                addr,
            } => {
                // Out of range reads zero: read entry 0 and discard it.
                let a = self.load(addr);
                let inside = self.b.ins().icmp_imm(IntCC::UnsignedLessThan, a, depth as i64);
                let zero = self.konst(0);
                let at = self.b.ins().select(inside, a, zero);
                let at = self.b.ins().iadd_imm(at, base as i64);
                let at = self.b.ins().ishl_imm(at, 3);
                let at = self.b.ins().iadd(self.memory, at);
                let v = self.b.ins().load(I64, flags(), at, 0);
                let v = self.b.ins().select(inside, v, zero);
                self.store(dst, v);
            }
            &Op::MemWrite {
                base,
                words: 1,
                depth,
                addr,
                data,
                en,
            } => {
                let (a, d, e) = (self.load(addr), self.load(data), self.load(en));
                let inside = self.b.ins().icmp_imm(IntCC::UnsignedLessThan, a, depth as i64);
                let on = self.b.ins().icmp_imm(IntCC::NotEqual, e, 0);
                let go = self.b.ins().band(inside, on);
                let (write, next) = (self.b.create_block(), self.b.create_block());
                self.b.ins().brif(go, write, &[], next, &[]);
                self.b.switch_to_block(write);
                let at = self.b.ins().iadd_imm(a, base as i64);
                let at = self.b.ins().ishl_imm(at, 3);
                let at = self.b.ins().iadd(self.memory, at);
                self.b.ins().store(flags(), d, at, 0);
                self.b.ins().jump(next, &[]);
                self.b.switch_to_block(next);
            }
            Op::Wide(w) => {
                if !self.wide(w) {
                    let next = self.call_fallback(pc);
                    if let Wide::RepeatIfChanged { to, .. } = **w {
                        let again = self.b.ins().icmp_imm(IntCC::Equal, next, to as i64);
                        self.branch(again, to);
                    }
                }
            }
            Op::CopyWords { .. } | Op::MemRead { .. } | Op::MemWrite { .. } => {
                self.call_fallback(pc);
            }
        }
    }

    /// Generates the wide operations that are plain word moves and bitwise logic;
    /// returns false for the others, which the interpreter runs.
    fn wide(&mut self, w: &Wide) -> bool {
        match *w {
            Wide::And { dst, a, b, n } | Wide::Or { dst, a, b, n } | Wide::Xor { dst, a, b, n } => {
                for i in 0..n {
                    let (x, y) = (self.load(a + i), self.load(b + i));
                    let v = match w {
                        Wide::And { .. } => self.b.ins().band(x, y),
                        Wide::Or { .. } => self.b.ins().bor(x, y),
                        _ => self.b.ins().bxor(x, y),
                    };
                    self.store(dst + i, v);
                }
            }
            Wide::Mux { dst, sel, a, b, n } => {
                let s = self.load(sel);
                let values: Vec<Value> = (0..n)
                    .map(|i| {
                        let (x, y) = (self.load(a + i), self.load(b + i));
                        self.b.ins().select(s, x, y)
                    })
                    .collect();
                for (i, v) in values.into_iter().enumerate() {
                    self.store(dst + i as u32, v);
                }
            }
            Wide::Zero { dst, n } => {
                let zero = self.konst(0);
                (0..n).for_each(|i| self.store(dst + i, zero));
            }
            Wide::CopyBits {
                dst,
                dst_lo,
                src,
                src_lo,
                width,
            } => {
                // As the interpreter does: 64 bits at a time, each read then written.
                let mut done = 0;
                while done < width {
                    let n = (width - done).min(64);
                    let v = self.read_bits(src, src_lo + done, n);
                    self.write_bits(dst, dst_lo + done, n, v);
                    done += n;
                }
            }
            Wide::Repeat { dst, src, part, width } if part <= 64 => {
                let mut at = 0;
                while at < width {
                    let v = self.read_bits(src, 0, part);
                    self.write_bits(dst, at, part, v);
                    at += part;
                }
            }
            Wide::Shift { op, dst, a, amount, width } if width <= 128 => self.shift128(op, dst, a, amount, width),
            _ => return false,
        }
        true
    }

    /// A shift of a value of 65 to 128 bits, in 128-bit arithmetic.
    fn shift128(&mut self, op: ShiftKind, dst: Slot, a: Slot, amount: Slot, width: u32) {
        use cranelift_codegen::ir::types::I128;
        let (lo, hi) = (self.load(a), self.load(a + 1));
        let x = self.b.ins().iconcat(lo, hi);
        let n = self.load(amount);
        let limit = self.konst(width as u64);
        let n = self.b.ins().umin(n, limit);
        let shifted = match op {
            ShiftKind::Shl | ShiftKind::Shr => {
                let v = match op {
                    ShiftKind::Shl => self.b.ins().ishl(x, n),
                    _ => self.b.ins().ushr(x, n),
                };
                // A shift by the whole width (128 included) leaves nothing.
                let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, n, limit);
                let zero = self.b.ins().iconst(I64, 0);
                let zero = self.b.ins().uextend(I128, zero);
                self.b.ins().select(inside, v, zero)
            }
            ShiftKind::Sar => {
                // Sign-extended to 128 bits, a shift by `width - 1` or more fills.
                let up = self.b.ins().ishl_imm(x, 128 - width as i64);
                let x = self.b.ins().sshr_imm(up, 128 - width as i64);
                let top = self.konst(width as u64 - 1);
                let n = self.b.ins().umin(n, top);
                self.b.ins().sshr(x, n)
            }
        };
        let (lo, hi) = self.b.ins().isplit(shifted);
        let hi = self.masked(hi, crate::program::mask(width - 64));
        self.store(dst, lo);
        self.store(dst + 1, hi);
    }

    /// Bits `lo..lo + width` (`width <= 64`) of the value at `at`.
    fn read_bits(&mut self, at: Slot, lo: u32, width: u32) -> Value {
        let (i, sh) = (at + lo / 64, lo % 64);
        let word = self.load(i);
        let mut v = self.b.ins().ushr_imm(word, sh as i64);
        if sh != 0 && sh + width > 64 {
            let high = self.load(i + 1);
            let high = self.b.ins().ishl_imm(high, 64 - sh as i64);
            v = self.b.ins().bor(v, high);
        }
        self.masked(v, crate::program::mask(width))
    }

    /// Writes `v` (`width <= 64` bits, zero above) to bits `lo..lo + width` of the value
    /// at `at`.
    fn write_bits(&mut self, at: Slot, lo: u32, width: u32, v: Value) {
        let (i, sh) = (at + lo / 64, lo % 64);
        let m = crate::program::mask(width);
        let word = if m << sh == u64::MAX {
            v
        } else {
            let old = self.load(i);
            let kept = self.b.ins().band_imm(old, !(m << sh) as i64);
            let new = self.b.ins().ishl_imm(v, sh as i64);
            self.b.ins().bor(kept, new)
        };
        self.store(i, word);
        if sh != 0 && sh + width > 64 {
            let old = self.load(i + 1);
            let kept = self.b.ins().band_imm(old, !(m >> (64 - sh)) as i64);
            let new = self.b.ins().ushr_imm(v, 64 - sh as i64);
            let word = self.b.ins().bor(kept, new);
            self.store(i + 1, word);
        }
    }

    /// `v` if `n < limit`, else zero.
    fn if_below(&mut self, n: Value, limit: u64, v: Value) -> Value {
        let below = self.b.ins().icmp_imm(IntCC::UnsignedLessThan, n, limit as i64);
        let zero = self.konst(0);
        self.b.ins().select(below, v, zero)
    }
}
