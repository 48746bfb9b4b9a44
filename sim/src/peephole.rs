//! Peephole fusion over a compiled program: fewer, larger operations for the patterns
//! that dominate datapaths — sign-extended multiplies, multiply-accumulate chains, a
//! result copied to its destination, and runs of single-word copies (shift registers).
//!
//! Two adjacent operations fuse only when the first writes a *temporary* — a slot that
//! no wire uses, written once and read once in the whole program — that the second
//! reads, and nothing can jump to, or start running at, the second. The fused operation
//! computes exactly what the pair did.

use crate::compile::Program;
use crate::program::{sext, words, Coef, Dot, Op, Slot, Term, Wide};

/// Fuses adjacent operations of `p` and renumbers every operation index it holds.
pub(crate) fn fuse(p: &mut Program) {
    let barriers = barriers(p);
    let slots = Slots::of(p);
    let old = std::mem::take(&mut p.ops);
    let mut new_index = Vec::with_capacity(old.len() + 1);
    let mut out: Vec<Op> = Vec::with_capacity(old.len());
    // The index in `old` where each operation of `out` starts.
    let mut starts: Vec<usize> = Vec::with_capacity(old.len());
    for (i, op) in old.into_iter().enumerate() {
        new_index.push(out.len() as u32);
        out.push(op);
        starts.push(i);
        // A fusion may enable another with the operation before it.
        while out.len() >= 2 && !barriers[starts[out.len() - 1]] {
            let n = out.len();
            let Some(fused) = pair(&out[n - 2], &out[n - 1], &slots) else {
                break;
            };
            out.truncate(n - 1);
            starts.truncate(n - 1);
            out[n - 2] = fused;
        }
    }
    new_index.push(out.len() as u32);
    let at = |i: &mut u32| *i = new_index[*i as usize];
    for op in &mut out {
        match op {
            Op::Jump { to } | Op::JumpIfZero { to, .. } | Op::JumpUnlessMatch { to, .. } => at(to),
            Op::Wide(w) => {
                if let Wide::RepeatIfChanged { to, .. } = &mut **w {
                    at(to)
                }
            }
            _ => {}
        }
    }
    for (start, end) in ranges(p) {
        at(start);
        at(end);
    }
    p.ops = out;
}

/// The fusion of `a` followed by `b`, if they fuse.
fn pair(a: &Op, b: &Op, slots: &Slots) -> Option<Op> {
    let temp = |s: Slot| slots.temporary[s as usize];
    // Within a mask `outer`, an operand computed under `inner` is exact if `inner`
    // keeps every bit `outer` keeps: wrapping sums and products depend only on low bits.
    let covers = |inner: u64, outer: u64| inner & outer == outer;
    let fused = match (a, b) {
        // Sign extension of a factor into the product.
        (&Op::Sext { dst: t, a: x, sh, mask: m }, _) if temp(t) && product(b).is_some() => {
            let (dst, mut term, mask) = product(b)?;
            if !covers(m, needed(term, mask)) {
                return None;
            }
            if term.a == t && term.sha == 0 {
                (term.a, term.sha) = (x, sh);
            } else if term.b == t && term.shb == 0 {
                (term.b, term.shb) = (x, sh);
            } else {
                return None;
            }
            Op::MulSext { dst, t: term, mask }
        }
        // Sign extension of the product.
        (_, &Op::Sext { dst, a: x, sh, mask }) => {
            let (t, mut term, m) = product(a)?;
            if !(temp(t) && x == t && term.sh == 0 && covers(m, u64::MAX >> sh)) {
                return None;
            }
            term.sh = sh;
            Op::MulSext { dst, t: term, mask }
        }
        // Multiply-accumulate.
        (_, &Op::Add { dst, a: x, b: y, mask }) => {
            let (t, term, m) = product(a)?;
            if !(temp(t) && covers(m, mask) && (x == t) != (y == t)) {
                return None;
            }
            let acc = if x == t { y } else { x };
            Op::MulAdd { dst, acc, t: term, mask }
        }
        // Multiply-accumulate chains.
        (
            &Op::MulAdd {
                dst: t,
                acc,
                t: term,
                mask,
            },
            &Op::MulAdd { .. },
        ) if temp(t) => {
            let mut first = Dot {
                dst: t,
                acc,
                terms: Vec::new(),
                coefs: Vec::new(),
                mask,
            };
            slots.add_term(&mut first, term);
            return extend_dot(first, b, slots);
        }
        (Op::Dot(d), &Op::MulAdd { .. }) if temp(d.dst) => return extend_dot((**d).clone(), b, slots),
        // A run of copies between consecutive words.
        (&Op::Copy { dst: d0, src: s0 }, &Op::Copy { dst, src }) if dst == d0 + 1 && src == s0 + 1 && disjoint(d0, s0, 2) => {
            Op::CopyWords { dst: d0, src: s0, n: 2 }
        }
        (&Op::CopyWords { dst: d0, src: s0, n }, &Op::Copy { dst, src }) if dst == d0 + n && src == s0 + n && disjoint(d0, s0, n + 1) => {
            Op::CopyWords {
                dst: d0,
                src: s0,
                n: n + 1,
            }
        }
        // A result computed straight into the wire it is copied to.
        (first, &Op::Copy { dst, src }) if temp(src) => {
            let mut fused = first.clone();
            match single_word_result(&mut fused) {
                Some(t) if *t == src => *t = dst,
                _ => return None,
            }
            fused
        }
        _ => return None,
    };
    Some(fused)
}

/// A multiplication as a [`Term`]: its destination, the term and its mask. An unsigned
/// multiply is a term that extends nothing.
fn product(op: &Op) -> Option<(Slot, Term, u64)> {
    match *op {
        Op::Mul { dst, a, b, mask } => Some((
            dst,
            Term {
                a,
                b,
                sha: 0,
                shb: 0,
                sh: 0,
            },
            mask,
        )),
        Op::MulSext { dst, t, mask } => Some((dst, t, mask)),
        _ => None,
    }
}

/// The bits of a product's factors that its result depends on.
fn needed(term: Term, mask: u64) -> u64 {
    if term.sh == 0 {
        mask
    } else {
        u64::MAX >> term.sh
    }
}

/// `dot` followed by a [`Op::MulAdd`] that accumulates onto its result, as one [`Dot`].
fn extend_dot(mut dot: Dot, next: &Op, slots: &Slots) -> Option<Op> {
    let &Op::MulAdd { dst, acc, t, mask } = next else {
        return None;
    };
    // The one read of the temporary `dot.dst` must be the accumulator, not a factor.
    if acc != dot.dst || t.a == dot.dst || t.b == dot.dst || !slots.temporary[dot.dst as usize] || dot.mask & mask != mask {
        return None;
    }
    slots.add_term(&mut dot, t);
    dot.dst = dst;
    dot.mask = mask;
    Some(Op::Dot(Box::new(dot)))
}

/// Whether `n` words at `a` and `n` words at `b` do not overlap.
fn disjoint(a: Slot, b: Slot, n: u32) -> bool {
    a + n <= b || b + n <= a
}

/// The one word an operation writes, if it computes it from its operands alone.
fn single_word_result(op: &mut Op) -> Option<&mut Slot> {
    match op {
        Op::Copy { dst, .. }
        | Op::Not { dst, .. }
        | Op::And { dst, .. }
        | Op::Or { dst, .. }
        | Op::Xor { dst, .. }
        | Op::Add { dst, .. }
        | Op::Sub { dst, .. }
        | Op::Mul { dst, .. }
        | Op::MulSext { dst, .. }
        | Op::MulAdd { dst, .. }
        | Op::Eq { dst, .. }
        | Op::Ne { dst, .. }
        | Op::Ltu { dst, .. }
        | Op::Leu { dst, .. }
        | Op::Lts { dst, .. }
        | Op::Les { dst, .. }
        | Op::ReduceAnd { dst, .. }
        | Op::ReduceOr { dst, .. }
        | Op::ReduceXor { dst, .. }
        | Op::Shl { dst, .. }
        | Op::Shr { dst, .. }
        | Op::Sar { dst, .. }
        | Op::Mux { dst, .. }
        | Op::Field { dst, .. }
        | Op::FieldSpan { dst, .. }
        | Op::Sext { dst, .. }
        | Op::Match { dst, .. } => Some(dst),
        Op::Dot(d) => Some(&mut d.dst),
        _ => None,
    }
}

/// The operation ranges the simulator runs on their own.
fn ranges(p: &mut Program) -> impl Iterator<Item = (&mut u32, &mut u32)> {
    let units = p.units.iter_mut().map(|u| (&mut u.ops.0, &mut u.ops.1));
    let domains = p.domains.iter_mut().flat_map(|d| {
        let (sample, write) = (&mut d.sample, &mut d.write);
        let reset = d.async_reset.as_mut().map(|(_, r)| (&mut r.0, &mut r.1));
        [(&mut sample.0, &mut sample.1), (&mut write.0, &mut write.1)]
            .into_iter()
            .chain(reset)
    });
    units.chain(domains)
}

/// The operations that must stay first in their place: jump targets and the ends of
/// ranges (`len + 1` entries, so a range may end at the last operation).
fn barriers(p: &mut Program) -> Vec<bool> {
    let mut b = vec![false; p.ops.len() + 1];
    for op in &p.ops {
        match op {
            Op::Jump { to } | Op::JumpIfZero { to, .. } | Op::JumpUnlessMatch { to, .. } => b[*to as usize] = true,
            Op::Wide(w) => {
                if let Wide::RepeatIfChanged { to, .. } = **w {
                    b[to as usize] = true;
                }
            }
            _ => {}
        }
    }
    let ends: Vec<u32> = ranges(p).flat_map(|(s, e)| [*s, *e]).collect();
    ends.into_iter().for_each(|i| b[i as usize] = true);
    b
}

/// What the program does with each slot.
struct Slots {
    /// Outside every wire, written once and read once.
    temporary: Vec<bool>,
    /// The value of each slot outside every wire that is never written.
    constant: Vec<Option<u64>>,
}

impl Slots {
    fn of(p: &Program) -> Slots {
        let n = p.state.len();
        let (mut reads, mut writes) = (vec![0u32; n], vec![0u32; n]);
        let mut access = Access::default();
        for op in &p.ops {
            access.of(op);
            for (regions, counts) in [(&access.reads, &mut reads), (&access.writes, &mut writes)] {
                for &(slot, words) in regions {
                    counts[slot as usize..(slot + words) as usize].iter_mut().for_each(|c| *c += 1);
                }
            }
        }
        let mut wire = vec![false; n];
        for w in &p.wires {
            wire[w.slot as usize..(w.slot + words(w.width)) as usize].fill(true);
        }
        Slots {
            temporary: (0..n).map(|i| !wire[i] && reads[i] == 1 && writes[i] == 1).collect(),
            constant: (0..n).map(|i| (!wire[i] && writes[i] == 0).then_some(p.state[i])).collect(),
        }
    }

    /// Adds a product to `dot`: as a [`Coef`] if one factor is a constant and the
    /// product needs no extension of its own, else as it is.
    fn add_term(&self, dot: &mut Dot, t: Term) {
        let constant = |s: Slot| self.constant[s as usize];
        let (a, sha, b, shb) = match (constant(t.a), constant(t.b)) {
            (None, Some(b)) => (t.a, t.sha, b, t.shb),
            (Some(a), None) => (t.b, t.shb, a, t.sha),
            _ => return dot.terms.push(t),
        };
        // Only the product's low `64 - sh` bits count, so the constant may be taken
        // from its own low `64 - sh` bits, as small as it gets.
        let c = sext(sext(b, shb), t.sh) as i64;
        // `a` lies in [-2^(wa - 1), 2^(wa - 1)); the product is exact if it stays
        // within the signed range of its `64 - sh` bits.
        let wa = 64 - u32::from(sha);
        let c_bits = 64 - c.unsigned_abs().leading_zeros();
        let exact = t.sh == 0 || (sha > 0 && wa - 1 + c_bits <= 63 - u32::from(t.sh));
        if exact {
            dot.coefs.push(Coef {
                a,
                sign: 1 << (63 - sha),
                c,
            });
        } else {
            dot.terms.push(t);
        }
    }
}

/// The regions (slot, words) one operation reads and writes; a partial write counts as
/// a read too.
#[derive(Default)]
struct Access {
    reads: Vec<(Slot, u32)>,
    writes: Vec<(Slot, u32)>,
}

impl Access {
    fn of(&mut self, op: &Op) {
        self.reads.clear();
        self.writes.clear();
        let r = &mut self.reads;
        let w = &mut self.writes;
        match *op {
            Op::Copy { dst, src: a }
            | Op::Not { dst, a, .. }
            | Op::ReduceAnd { dst, a, .. }
            | Op::ReduceOr { dst, a }
            | Op::ReduceXor { dst, a }
            | Op::Field { dst, src: a, .. }
            | Op::Sext { dst, a, .. }
            | Op::Match { dst, sel: a, .. } => {
                r.push((a, 1));
                w.push((dst, 1));
            }
            Op::FieldSpan { dst, src, .. } => {
                r.push((src, 2));
                w.push((dst, 1));
            }
            Op::And { dst, a, b }
            | Op::Or { dst, a, b }
            | Op::Xor { dst, a, b }
            | Op::Add { dst, a, b, .. }
            | Op::Sub { dst, a, b, .. }
            | Op::Mul { dst, a, b, .. }
            | Op::MulSext {
                dst, t: Term { a, b, .. }, ..
            }
            | Op::Eq { dst, a, b }
            | Op::Ne { dst, a, b }
            | Op::Ltu { dst, a, b }
            | Op::Leu { dst, a, b }
            | Op::Lts { dst, a, b, .. }
            | Op::Les { dst, a, b, .. }
            | Op::Shl { dst, a, amount: b, .. }
            | Op::Shr { dst, a, amount: b, .. }
            | Op::Sar { dst, a, amount: b, .. } => {
                r.extend([(a, 1), (b, 1)]);
                w.push((dst, 1));
            }
            Op::MulAdd {
                dst,
                acc,
                t: Term { a, b, .. },
                ..
            } => {
                r.extend([(acc, 1), (a, 1), (b, 1)]);
                w.push((dst, 1));
            }
            Op::Dot(ref d) => {
                r.push((d.acc, 1));
                r.extend(d.terms.iter().flat_map(|t| [(t.a, 1), (t.b, 1)]));
                w.push((d.dst, 1));
            }
            Op::Mux { dst, sel, a, b } => {
                r.extend([(sel, 1), (a, 1), (b, 1)]);
                w.push((dst, 1));
            }
            Op::Insert { dst, a, .. } | Op::SetField { dst, a, .. } => {
                r.extend([(a, 1), (dst, 1)]);
                w.push((dst, 1));
            }
            Op::CopyWords { dst, src, n } => {
                r.push((src, n));
                w.push((dst, n));
            }
            Op::Jump { .. } => {}
            Op::JumpIfZero { cond, .. } => r.push((cond, 1)),
            Op::JumpUnlessMatch { sel, .. } => r.push((sel, 1)),
            Op::MemRead { dst, words, addr, .. } => {
                r.push((addr, 1));
                w.push((dst, words));
            }
            Op::MemWrite { words, addr, data, en, .. } => r.extend([(addr, 1), (data, words), (en, 1)]),
            Op::Wide(ref wide) => match **wide {
                Wide::Not { dst, a, n, .. } => {
                    r.push((a, n));
                    w.push((dst, n));
                }
                Wide::And { dst, a, b, n }
                | Wide::Or { dst, a, b, n }
                | Wide::Xor { dst, a, b, n }
                | Wide::Add { dst, a, b, n, .. }
                | Wide::Sub { dst, a, b, n, .. }
                | Wide::Mul { dst, a, b, n, .. } => {
                    r.extend([(a, n), (b, n)]);
                    w.push((dst, n));
                }
                Wide::Compare { dst, a, b, width, .. } => {
                    r.extend([(a, words(width)), (b, words(width))]);
                    w.push((dst, 1));
                }
                Wide::ReduceAnd { dst, a, width } => {
                    r.push((a, words(width)));
                    w.push((dst, 1));
                }
                Wide::ReduceOr { dst, a, n } | Wide::ReduceXor { dst, a, n } | Wide::Saturate { dst, src: a, n } => {
                    r.push((a, n));
                    w.push((dst, 1));
                }
                Wide::Shift { dst, a, amount, width, .. } => {
                    r.extend([(a, words(width)), (amount, 1)]);
                    w.push((dst, words(width)));
                }
                Wide::Mux { dst, sel, a, b, n } => {
                    r.extend([(sel, 1), (a, n), (b, n)]);
                    w.push((dst, n));
                }
                Wide::CopyBits {
                    dst,
                    dst_lo,
                    src,
                    src_lo,
                    width,
                } => {
                    r.extend([(src, words(src_lo + width)), (dst, words(dst_lo + width))]);
                    w.push((dst, words(dst_lo + width)));
                }
                Wide::SignFill { dst, width, .. } => {
                    r.push((dst, words(width)));
                    w.push((dst, words(width)));
                }
                Wide::Zero { dst, n } => w.push((dst, n)),
                Wide::Repeat { dst, src, part, width } => {
                    r.extend([(src, words(part)), (dst, words(width))]);
                    w.push((dst, words(width)));
                }
                Wide::RepeatIfChanged { ref regions, scratch, .. } => {
                    let total = regions.iter().map(|&(_, n)| n).sum();
                    r.extend(regions.iter().copied());
                    r.push((scratch, total));
                    w.push((scratch, total));
                }
            },
        }
    }
}
