use super::*;
use crate::fsm::FsmRef;
use crate::stmt::Statement;

impl<'a> Lower<'a> {
    /// The wire bits `v` names, least significant first, or what kind of mistake
    /// assigning it is and why.
    pub(super) fn lhs_parts(&mut self, v: &Value) -> Result<Vec<WireSlice>, (ErrorKind, String)> {
        match v.kind() {
            ValueKind::Signal(s) if s.module == self.src.uid => {
                let wire = self.signal_wires[s.index as usize];
                Ok(vec![WireSlice {
                    wire,
                    lo: 0,
                    width: v.width(),
                }])
            }
            ValueKind::Signal(s) => Err((
                ErrorKind::ForeignSignal,
                format!(
                    "signal `{}` belongs to another module; a module can only drive its own signals",
                    s.name
                ),
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
            ValueKind::Invalid(error) => Err((ErrorKind::Invalid, error.message.clone())),
            _ => Err((
                ErrorKind::Invalid,
                "only a signal, a constant slice of one, or a `cat` of those can be assigned".into(),
            )),
        }
    }

    /// Checks every assignment once and records its driver; its target (or `None`, for
    /// an assignment that is in error) goes to `targets`, one entry per assignment in
    /// the order of the statement tree, which is the order processes are built in.
    pub(super) fn validate_block(&mut self, stmts: &'a [Stmt]) {
        for s in stmts {
            match s {
                Stmt::Assign { domain, statement } => {
                    let target = self.assign_target(domain.as_deref(), statement);
                    self.targets.push(target);
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
                    let target = self.next_state_target(*fsm, state, *location);
                    self.targets.push(target);
                }
            }
        }
    }

    fn assign_target(&mut self, domain: Option<&str>, statement: &Statement) -> Option<Target> {
        let location = statement.location;
        let domain = match domain {
            None => None,
            Some(name) => Some(self.domain_id(name)?),
        };
        if let Some(error) = invalid_target(&statement.lhs) {
            // A target that could not be built reports its own error.
            self.errors.push(error.clone());
            return None;
        }
        let parts = match self.lhs_parts(&statement.lhs) {
            Ok(parts) => parts,
            Err((kind, why)) => {
                self.error(kind, format!("cannot assign to {}: {why}", describe(&statement.lhs)), location);
                return None;
            }
        };
        // Even a truncating assignment is the intended driver: no "never driven" error follows.
        self.add_use(&parts, Tag::Domain(domain), Some(location));
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
            return None;
        }
        Some(Target { domain, parts })
    }

    /// The state register of `fsm`, as the target of a move to `state`.
    fn next_state_target(&mut self, fsm: FsmRef, state: &str, location: Location) -> Option<Target> {
        let (wire, _) = self.fsm_state(fsm, state, location)?;
        let domain = self.domain_id(&self.src.fsms[fsm.index as usize].domain)?;
        let width = self.out.wires[wire].width;
        let parts = vec![WireSlice { wire, lo: 0, width }];
        self.add_use(&parts, Tag::Domain(Some(domain)), Some(location));
        Some(Target {
            domain: Some(domain),
            parts,
        })
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

/// The error of a part of an assignment target that could not be built.
fn invalid_target(v: &Value) -> Option<&Error> {
    match v.kind() {
        ValueKind::Invalid(error) => Some(error),
        ValueKind::Slice(a, _, _) | ValueKind::Resize(a) => invalid_target(a),
        ValueKind::Concat(items) => items.iter().find_map(invalid_target),
        _ => None,
    }
}
