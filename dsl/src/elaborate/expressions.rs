use super::*;

impl<'a> Lower<'a> {
    pub(super) fn push_expr(&mut self, width: u32, kind: ExprKind) -> ExprId {
        self.out.exprs.push(nl::Expr { width, kind })
    }

    pub(super) fn constant(&mut self, bits: Bits) -> ExprId {
        let width = bits.width();
        self.push_expr(width, ExprKind::Const(bits))
    }

    pub(super) fn wire_expr(&mut self, w: WireId) -> ExprId {
        let width = self.out.wires[w].width;
        self.push_expr(width, ExprKind::Wire(w))
    }

    /// Extends `e` (of a value with signedness `signed`) to `width` bits.
    fn extend(&mut self, e: ExprId, width: u32, signed: bool) -> ExprId {
        let expr = &self.out.exprs[e];
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
        let expr = &self.out.exprs[e];
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
    pub(super) fn fit(&mut self, v: &Value, width: u32) -> ExprId {
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
    pub(super) fn value(&mut self, v: &Value) -> ExprId {
        let key = v.0.serial;
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
                    self.error(ErrorKind::ForeignSignal, message, self.use_site.unwrap_or(self.src.location));
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
                    let w = self.out.wires[wire].width;
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
