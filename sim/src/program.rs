//! The compiled form of a design: a flat list of word-level operations over one array of
//! 64-bit words, and the interpreter that runs them.
//!
//! Every value lives at a *slot*: an offset into the state array, holding
//! `ceil(width / 64)` little-endian words whose bits above the width are always zero.
//! Values of at most 64 bits — nearly all of them — take one word and the fast
//! operations below; wider values take the general [`Wide`] operations. Jumps are
//! absolute operation indices, so `if` and `case` cost a branch, not a multiplexer.

/// An offset into the state array.
pub(crate) type Slot = u32;

/// One operation. Operands of the narrow forms are single words.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Copy {
        dst: Slot,
        src: Slot,
    },
    Not {
        dst: Slot,
        a: Slot,
        mask: u64,
    },
    And {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    Or {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    Xor {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    Add {
        dst: Slot,
        a: Slot,
        b: Slot,
        mask: u64,
    },
    Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
        mask: u64,
    },
    Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
        mask: u64,
    },
    /// A product with sign extensions: see [`Term`].
    MulSext {
        dst: Slot,
        t: Term,
        mask: u64,
    },
    /// `acc +` a product.
    MulAdd {
        dst: Slot,
        acc: Slot,
        t: Term,
        mask: u64,
    },
    /// A chain of [`Op::MulAdd`]: `acc` plus a sum of products, kept in a register.
    Dot(Box<Dot>),
    Eq {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    Ne {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    Ltu {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    Leu {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// Signed compare; `sh` moves the sign bit to bit 63.
    Lts {
        dst: Slot,
        a: Slot,
        b: Slot,
        sh: u8,
    },
    Les {
        dst: Slot,
        a: Slot,
        b: Slot,
        sh: u8,
    },
    ReduceAnd {
        dst: Slot,
        a: Slot,
        mask: u64,
    },
    ReduceOr {
        dst: Slot,
        a: Slot,
    },
    ReduceXor {
        dst: Slot,
        a: Slot,
    },
    /// Shifts of a `width`-bit value; amounts of `width` or more shift everything out.
    Shl {
        dst: Slot,
        a: Slot,
        amount: Slot,
        width: u8,
        mask: u64,
    },
    Shr {
        dst: Slot,
        a: Slot,
        amount: Slot,
        width: u8,
    },
    Sar {
        dst: Slot,
        a: Slot,
        amount: Slot,
        width: u8,
        mask: u64,
    },
    Mux {
        dst: Slot,
        sel: Slot,
        a: Slot,
        b: Slot,
    },
    /// Bits `sh..` of one word.
    Field {
        dst: Slot,
        src: Slot,
        sh: u8,
        mask: u64,
    },
    /// Bits `sh..` of a word and the next one (`sh > 0`).
    FieldSpan {
        dst: Slot,
        src: Slot,
        sh: u8,
        mask: u64,
    },
    /// Sign extension of a value whose top bit is at `63 - sh`.
    Sext {
        dst: Slot,
        a: Slot,
        sh: u8,
        mask: u64,
    },
    /// `dst |= a << sh`: one part of a concatenation.
    Insert {
        dst: Slot,
        a: Slot,
        sh: u8,
    },
    /// Writes the low bits of `a` (`mask`) into bits `sh..` of one word.
    SetField {
        dst: Slot,
        a: Slot,
        sh: u8,
        mask: u64,
    },
    /// Copies `n` words.
    CopyWords {
        dst: Slot,
        src: Slot,
        n: u32,
    },
    /// Whether `sel & mask == value`, as one bit.
    Match {
        dst: Slot,
        sel: Slot,
        mask: u64,
        value: u64,
    },
    Jump {
        to: u32,
    },
    JumpIfZero {
        cond: Slot,
        to: u32,
    },
    /// Jumps unless `sel & mask == value`.
    JumpUnlessMatch {
        sel: Slot,
        mask: u64,
        value: u64,
        to: u32,
    },
    /// `dst = memory[addr]` (zero beyond `depth`), `words` words per entry.
    MemRead {
        dst: Slot,
        base: u32,
        words: u32,
        depth: u32,
        addr: Slot,
    },
    /// `if en { memory[addr] = data }` (nothing beyond `depth`).
    MemWrite {
        base: u32,
        words: u32,
        depth: u32,
        addr: Slot,
        data: Slot,
        en: Slot,
    },
    Wide(Box<Wide>),
}

/// `dst = (acc + the sum of the terms' products) & mask`.
#[derive(Clone, Debug)]
pub(crate) struct Dot {
    pub dst: Slot,
    pub acc: Slot,
    pub terms: Vec<Term>,
    /// Products with a constant: the common case of filters and folded networks.
    pub coefs: Vec<Coef>,
    pub mask: u64,
}

/// `a * c`, with `a` sign-extended from its bit `sign` (a one-bit mask; bit 63 for no
/// extension) and the product exact, needing no extension of its own.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Coef {
    pub a: Slot,
    pub sign: u64,
    pub c: i64,
}

/// `a * b` with the operands sign-extended from their bits `63 - sha` and `63 - shb`
/// and the product from its bit `63 - sh` (a shift of 0 extends nothing).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Term {
    pub a: Slot,
    pub b: Slot,
    pub sha: u8,
    pub shb: u8,
    pub sh: u8,
}

impl Term {
    fn product(self, s: &[u64]) -> u64 {
        sext(
            sext(s[self.a as usize], self.sha).wrapping_mul(sext(s[self.b as usize], self.shb)),
            self.sh,
        )
    }
}

/// Operations on values of any width (`n` words; `width` bits).
#[derive(Clone, Debug)]
pub(crate) enum Wide {
    Not {
        dst: Slot,
        a: Slot,
        n: u32,
        width: u32,
    },
    And {
        dst: Slot,
        a: Slot,
        b: Slot,
        n: u32,
    },
    Or {
        dst: Slot,
        a: Slot,
        b: Slot,
        n: u32,
    },
    Xor {
        dst: Slot,
        a: Slot,
        b: Slot,
        n: u32,
    },
    Add {
        dst: Slot,
        a: Slot,
        b: Slot,
        n: u32,
        width: u32,
    },
    Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
        n: u32,
        width: u32,
    },
    Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
        n: u32,
        width: u32,
    },
    /// Comparisons of `width`-bit operands; the result is one bit.
    Compare {
        op: Cmp,
        signed: bool,
        dst: Slot,
        a: Slot,
        b: Slot,
        width: u32,
    },
    ReduceAnd {
        dst: Slot,
        a: Slot,
        width: u32,
    },
    ReduceOr {
        dst: Slot,
        a: Slot,
        n: u32,
    },
    ReduceXor {
        dst: Slot,
        a: Slot,
        n: u32,
    },
    /// A shift of a `width`-bit value by the one-word amount at `amount`.
    Shift {
        op: ShiftKind,
        dst: Slot,
        a: Slot,
        amount: Slot,
        width: u32,
    },
    Mux {
        dst: Slot,
        sel: Slot,
        a: Slot,
        b: Slot,
        n: u32,
    },
    /// Copies `width` bits from bit `src_lo` of `src` to bit `dst_lo` of `dst`.
    CopyBits {
        dst: Slot,
        dst_lo: u32,
        src: Slot,
        src_lo: u32,
        width: u32,
    },
    /// Sets bits `from..width` of `dst` to bit `from - 1`.
    SignFill {
        dst: Slot,
        from: u32,
        width: u32,
    },
    Zero {
        dst: Slot,
        n: u32,
    },
    /// `dst` (one word) = the value at `src` (`n` words), or all ones if it does not fit.
    Saturate {
        dst: Slot,
        src: Slot,
        n: u32,
    },
    /// `src` (`part` bits) repeated up to `width` bits.
    Repeat {
        dst: Slot,
        src: Slot,
        part: u32,
        width: u32,
    },
    /// Copies `n` words to `scratch` and jumps back to `to` while they differ: the
    /// iteration of a group of processes that feed each other bit by bit.
    RepeatIfChanged {
        regions: Vec<(Slot, u32)>,
        scratch: Slot,
        to: u32,
    },
}

/// A comparison.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
}

/// A shift direction and fill.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ShiftKind {
    Shl,
    Shr,
    Sar,
}

/// The mask of the low `width` bits of a word.
pub(crate) fn mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

/// The number of words holding `width` bits.
pub(crate) fn words(width: u32) -> u32 {
    width.div_ceil(64).max(1)
}

/// Runs `ops[range]` over the state `s` and memory `mem`.
pub(crate) fn run(ops: &[Op], start: u32, end: u32, s: &mut [u64], mem: &mut [u64]) {
    let mut pc = start as usize;
    while pc < end as usize {
        pc = step(ops, pc, s, mem);
    }
}

/// Runs operation `pc`; returns the next one to run.
#[inline(always)]
pub(crate) fn step(ops: &[Op], pc: usize, s: &mut [u64], mem: &mut [u64]) -> usize {
    let mut next = pc + 1;
    match &ops[pc] {
        Op::Copy { dst, src } => s[*dst as usize] = s[*src as usize],
        Op::Not { dst, a, mask } => s[*dst as usize] = !s[*a as usize] & mask,
        Op::And { dst, a, b } => s[*dst as usize] = s[*a as usize] & s[*b as usize],
        Op::Or { dst, a, b } => s[*dst as usize] = s[*a as usize] | s[*b as usize],
        Op::Xor { dst, a, b } => s[*dst as usize] = s[*a as usize] ^ s[*b as usize],
        Op::Add { dst, a, b, mask } => s[*dst as usize] = s[*a as usize].wrapping_add(s[*b as usize]) & mask,
        Op::Sub { dst, a, b, mask } => s[*dst as usize] = s[*a as usize].wrapping_sub(s[*b as usize]) & mask,
        Op::Mul { dst, a, b, mask } => s[*dst as usize] = s[*a as usize].wrapping_mul(s[*b as usize]) & mask,
        &Op::MulSext { dst, t, mask } => s[dst as usize] = t.product(s) & mask,
        &Op::MulAdd { dst, acc, t, mask } => s[dst as usize] = s[acc as usize].wrapping_add(t.product(s)) & mask,
        Op::Dot(d) => {
            let sum = d.terms.iter().fold(s[d.acc as usize], |sum, t| sum.wrapping_add(t.product(s)));
            let sum = d.coefs.iter().fold(sum, |sum, t| {
                // Values are zero above their width, so this extends the sign.
                let a = (s[t.a as usize] ^ t.sign).wrapping_sub(t.sign);
                sum.wrapping_add(a.wrapping_mul(t.c as u64))
            });
            s[d.dst as usize] = sum & d.mask;
        }
        Op::Eq { dst, a, b } => s[*dst as usize] = (s[*a as usize] == s[*b as usize]) as u64,
        Op::Ne { dst, a, b } => s[*dst as usize] = (s[*a as usize] != s[*b as usize]) as u64,
        Op::Ltu { dst, a, b } => s[*dst as usize] = (s[*a as usize] < s[*b as usize]) as u64,
        Op::Leu { dst, a, b } => s[*dst as usize] = (s[*a as usize] <= s[*b as usize]) as u64,
        Op::Lts { dst, a, b, sh } => s[*dst as usize] = (((s[*a as usize] << sh) as i64) < ((s[*b as usize] << sh) as i64)) as u64,
        Op::Les { dst, a, b, sh } => s[*dst as usize] = (((s[*a as usize] << sh) as i64) <= ((s[*b as usize] << sh) as i64)) as u64,
        Op::ReduceAnd { dst, a, mask } => s[*dst as usize] = (s[*a as usize] == *mask) as u64,
        Op::ReduceOr { dst, a } => s[*dst as usize] = (s[*a as usize] != 0) as u64,
        Op::ReduceXor { dst, a } => s[*dst as usize] = (s[*a as usize].count_ones() & 1) as u64,
        Op::Shl {
            dst,
            a,
            amount,
            width,
            mask,
        } => {
            let n = s[*amount as usize];
            s[*dst as usize] = if n < *width as u64 { (s[*a as usize] << n) & mask } else { 0 };
        }
        Op::Shr { dst, a, amount, width } => {
            let n = s[*amount as usize];
            s[*dst as usize] = if n < *width as u64 { s[*a as usize] >> n } else { 0 };
        }
        Op::Sar {
            dst,
            a,
            amount,
            width,
            mask,
        } => {
            let n = s[*amount as usize].min(*width as u64 - 1);
            let sh = 64 - *width as u32;
            s[*dst as usize] = ((((s[*a as usize] << sh) as i64) >> sh) >> n) as u64 & mask;
        }
        Op::Mux { dst, sel, a, b } => s[*dst as usize] = if s[*sel as usize] != 0 { s[*a as usize] } else { s[*b as usize] },
        Op::Field { dst, src, sh, mask } => s[*dst as usize] = (s[*src as usize] >> sh) & mask,
        Op::FieldSpan { dst, src, sh, mask } => {
            let (lo, hi) = (s[*src as usize], s[*src as usize + 1]);
            s[*dst as usize] = ((lo >> sh) | (hi << (64 - *sh as u32))) & mask;
        }
        Op::Sext { dst, a, sh, mask } => s[*dst as usize] = (((s[*a as usize] << sh) as i64) >> sh) as u64 & mask,
        Op::Insert { dst, a, sh } => s[*dst as usize] |= s[*a as usize] << sh,
        Op::SetField { dst, a, sh, mask } => {
            let v = (s[*a as usize] & mask) << sh;
            let d = &mut s[*dst as usize];
            *d = (*d & !(mask << sh)) | v;
        }
        Op::CopyWords { dst, src, n } => {
            let (dst, src, n) = (*dst as usize, *src as usize, *n as usize);
            s.copy_within(src..src + n, dst);
        }
        Op::Match { dst, sel, mask, value } => s[*dst as usize] = (s[*sel as usize] & mask == *value) as u64,
        Op::Jump { to } => next = *to as usize,
        Op::JumpIfZero { cond, to } => {
            if s[*cond as usize] == 0 {
                next = *to as usize
            }
        }
        Op::JumpUnlessMatch { sel, mask, value, to } => {
            if s[*sel as usize] & mask != *value {
                next = *to as usize
            }
        }
        Op::MemRead {
            dst,
            base,
            words,
            depth,
            addr,
        } => {
            let (dst, words, a) = (*dst as usize, *words as usize, s[*addr as usize]);
            if a < *depth as u64 {
                let at = *base as usize + a as usize * words;
                s[dst..dst + words].copy_from_slice(&mem[at..at + words]);
            } else {
                s[dst..dst + words].fill(0);
            }
        }
        Op::MemWrite {
            base,
            words,
            depth,
            addr,
            data,
            en,
        } => {
            let a = s[*addr as usize];
            if s[*en as usize] != 0 && a < *depth as u64 {
                let (words, data) = (*words as usize, *data as usize);
                let at = *base as usize + a as usize * words;
                mem[at..at + words].copy_from_slice(&s[data..data + words]);
            }
        }
        Op::Wide(w) => {
            if let Some(to) = wide(w, s) {
                next = to as usize;
            }
        }
    }
    next
}

/// `v` sign-extended from its bit `63 - sh`.
pub(crate) fn sext(v: u64, sh: u8) -> u64 {
    (((v << sh) as i64) >> sh) as u64
}

/// Bits `lo..lo + width` (`width <= 64`) of the value at `at`.
fn read_bits(s: &[u64], at: Slot, lo: u32, width: u32) -> u64 {
    let i = at as usize + (lo / 64) as usize;
    let sh = lo % 64;
    let mut v = s[i] >> sh;
    if sh != 0 && sh + width > 64 {
        v |= s[i + 1] << (64 - sh);
    }
    v & mask(width)
}

/// Writes `v` (`width <= 64` bits) to bits `lo..lo + width` of the value at `at`.
fn write_bits(s: &mut [u64], at: Slot, lo: u32, width: u32, v: u64) {
    let i = at as usize + (lo / 64) as usize;
    let sh = lo % 64;
    let m = mask(width);
    s[i] = (s[i] & !(m << sh)) | ((v & m) << sh);
    if sh != 0 && sh + width > 64 {
        let hi = 64 - sh;
        s[i + 1] = (s[i + 1] & !(m >> hi)) | ((v & m) >> hi);
    }
}

fn copy_bits(s: &mut [u64], dst: Slot, dst_lo: u32, src: Slot, src_lo: u32, width: u32) {
    let mut done = 0;
    while done < width {
        let n = (width - done).min(64);
        let v = read_bits(s, src, src_lo + done, n);
        write_bits(s, dst, dst_lo + done, n, v);
        done += n;
    }
}

fn bit(s: &[u64], at: Slot, index: u32) -> bool {
    (s[at as usize + (index / 64) as usize] >> (index % 64)) & 1 == 1
}

fn top_mask(s: &mut [u64], dst: Slot, width: u32) {
    let last = dst as usize + words(width) as usize - 1;
    if !width.is_multiple_of(64) {
        s[last] &= mask(width % 64);
    }
}

/// Runs one wide operation; returns a jump target if it jumps.
fn wide(w: &Wide, s: &mut [u64]) -> Option<u32> {
    let idx = |slot: Slot, i: u32| (slot + i) as usize;
    match w {
        Wide::Not { dst, a, n, width } => {
            (0..*n).for_each(|i| s[idx(*dst, i)] = !s[idx(*a, i)]);
            top_mask(s, *dst, *width);
        }
        Wide::And { dst, a, b, n } => (0..*n).for_each(|i| s[idx(*dst, i)] = s[idx(*a, i)] & s[idx(*b, i)]),
        Wide::Or { dst, a, b, n } => (0..*n).for_each(|i| s[idx(*dst, i)] = s[idx(*a, i)] | s[idx(*b, i)]),
        Wide::Xor { dst, a, b, n } => (0..*n).for_each(|i| s[idx(*dst, i)] = s[idx(*a, i)] ^ s[idx(*b, i)]),
        Wide::Add { dst, a, b, n, width } | Wide::Sub { dst, a, b, n, width } => {
            let sub = matches!(w, Wide::Sub { .. });
            let mut carry = sub as u64;
            for i in 0..*n {
                let y = if sub { !s[idx(*b, i)] } else { s[idx(*b, i)] };
                let (t, c1) = s[idx(*a, i)].overflowing_add(y);
                let (t, c2) = t.overflowing_add(carry);
                s[idx(*dst, i)] = t;
                carry = (c1 | c2) as u64;
            }
            top_mask(s, *dst, *width);
        }
        Wide::Mul { dst, a, b, n, width } => {
            let n = *n;
            (0..n).for_each(|i| s[idx(*dst, i)] = 0);
            for i in 0..n {
                let x = s[idx(*a, i)] as u128;
                let mut carry = 0u128;
                for j in 0..n - i {
                    let k = idx(*dst, i + j);
                    let t = x * s[idx(*b, j)] as u128 + s[k] as u128 + carry;
                    s[k] = t as u64;
                    carry = t >> 64;
                }
            }
            top_mask(s, *dst, *width);
        }
        Wide::Compare {
            op,
            signed,
            dst,
            a,
            b,
            width,
        } => {
            let n = words(*width);
            let ord = {
                let mut ord = std::cmp::Ordering::Equal;
                if *signed {
                    let (sa, sb) = (bit(s, *a, width - 1), bit(s, *b, width - 1));
                    if sa != sb {
                        ord = if sa {
                            std::cmp::Ordering::Less
                        } else {
                            std::cmp::Ordering::Greater
                        };
                    }
                }
                if ord.is_eq() {
                    for i in (0..n).rev() {
                        ord = s[idx(*a, i)].cmp(&s[idx(*b, i)]);
                        if !ord.is_eq() {
                            break;
                        }
                    }
                }
                ord
            };
            s[*dst as usize] = match op {
                Cmp::Eq => ord.is_eq(),
                Cmp::Ne => ord.is_ne(),
                Cmp::Lt => ord.is_lt(),
                Cmp::Le => ord.is_le(),
            } as u64;
        }
        Wide::ReduceAnd { dst, a, width } => {
            let n = words(*width);
            let full = (0..n - 1).all(|i| s[idx(*a, i)] == u64::MAX);
            let last_width = *width - (n - 1) * 64;
            s[*dst as usize] = (full && s[idx(*a, n - 1)] == mask(last_width)) as u64;
        }
        Wide::ReduceOr { dst, a, n } => s[*dst as usize] = (0..*n).any(|i| s[idx(*a, i)] != 0) as u64,
        Wide::ReduceXor { dst, a, n } => s[*dst as usize] = ((0..*n).map(|i| s[idx(*a, i)].count_ones()).sum::<u32>() & 1) as u64,
        Wide::Shift { op, dst, a, amount, width } => {
            let width = *width;
            let amount = s[*amount as usize].min(width as u64) as u32;
            let n = words(width);
            let fill = matches!(op, ShiftKind::Sar) && bit(s, *a, width - 1);
            (0..n).for_each(|i| s[idx(*dst, i)] = if fill { u64::MAX } else { 0 });
            match op {
                ShiftKind::Shl => copy_bits(s, *dst, amount, *a, 0, width - amount),
                ShiftKind::Shr | ShiftKind::Sar => copy_bits(s, *dst, 0, *a, amount, width - amount),
            }
            top_mask(s, *dst, width);
        }
        Wide::Mux { dst, sel, a, b, n } => {
            let from = if s[*sel as usize] != 0 { *a } else { *b };
            (0..*n).for_each(|i| s[idx(*dst, i)] = s[idx(from, i)]);
        }
        Wide::CopyBits {
            dst,
            dst_lo,
            src,
            src_lo,
            width,
        } => copy_bits(s, *dst, *dst_lo, *src, *src_lo, *width),
        Wide::SignFill { dst, from, width } => {
            let sign = bit(s, *dst, from - 1);
            let mut at = *from;
            while at < *width {
                let n = (*width - at).min(64);
                write_bits(s, *dst, at, n, if sign { u64::MAX } else { 0 });
                at += n;
            }
        }
        Wide::Zero { dst, n } => (0..*n).for_each(|i| s[idx(*dst, i)] = 0),
        Wide::Saturate { dst, src, n } => {
            let high = (1..*n).any(|i| s[idx(*src, i)] != 0);
            s[*dst as usize] = if high { u64::MAX } else { s[*src as usize] };
        }
        Wide::Repeat { dst, src, part, width } => {
            let mut at = 0;
            while at < *width {
                copy_bits(s, *dst, at, *src, 0, *part);
                at += part;
            }
        }
        Wide::RepeatIfChanged { regions, scratch, to } => {
            let mut at = *scratch as usize;
            let mut changed = false;
            for &(slot, n) in regions {
                let (slot, n) = (slot as usize, n as usize);
                if s[slot..slot + n] != s[at..at + n] {
                    changed = true;
                    s.copy_within(slot..slot + n, at);
                }
                at += n;
            }
            if changed {
                return Some(*to);
            }
        }
    }
    None
}
