use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// Which process an assignment belongs to. Combinational processes come first, in the
/// order of their first wire; then one process per clock domain.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum ProcessKey {
    /// The combinational group whose lowest wire has this index.
    Comb(usize),
    /// The registers of a clock domain.
    Clocked(DomainId),
}

/// Lowered statements, split by the process they belong to.
type Split = BTreeMap<ProcessKey, Vec<nl::Stmt>>;

/// Combinational wires assigned together (through a `cat` target) share a process:
/// a union-find over wire indices whose root is the lowest wire of each group.
struct CombGroups {
    parent: Vec<usize>,
}

impl CombGroups {
    fn new(wires: usize) -> CombGroups {
        CombGroups {
            parent: (0..wires).collect(),
        }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        self.parent[a.max(b)] = a.min(b);
    }
}

impl<'a> Lower<'a> {
    /// Builds every process in one walk over the statement tree: each assignment goes to
    /// its process, and an `if` or `switch` is rebuilt in each process it holds
    /// assignments of, with only those.
    pub(super) fn build_processes(&mut self) {
        let mut groups = CombGroups::new(self.out.wires.len());
        let mut comb = vec![false; self.out.wires.len()];
        let mut clocked: BTreeMap<DomainId, Vec<WireId>> = BTreeMap::new();
        for t in self.targets.iter().flatten() {
            match t.domain {
                None => {
                    let first = t.parts[0].wire.index();
                    for p in &t.parts {
                        comb[p.wire.index()] = true;
                        groups.join(first, p.wire.index());
                    }
                }
                Some(d) => clocked.entry(d).or_default().extend(t.parts.iter().map(|p| p.wire)),
            }
        }
        let mut members: BTreeMap<ProcessKey, Vec<WireId>> = BTreeMap::new();
        for w in self.out.wires.ids().filter(|w| comb[w.index()]) {
            let key = ProcessKey::Comb(groups.root(w.index()));
            members.entry(key).or_default().push(w);
        }
        for (d, mut wires) in clocked {
            wires.sort();
            wires.dedup();
            members.insert(ProcessKey::Clocked(d), wires);
        }
        let mut lowering = Lowering { groups, next_target: 0 };
        let mut split = self.lower_block(self.src.body(), &mut lowering);
        for (key, drives) in members {
            let domain = match key {
                ProcessKey::Comb(_) => None,
                ProcessKey::Clocked(d) => Some(d),
            };
            let body = split.remove(&key).unwrap_or_default();
            self.add_process(domain, drives, body);
        }
    }

    fn add_process(&mut self, domain: Option<DomainId>, drives: Vec<WireId>, body: Vec<nl::Stmt>) {
        self.out.processes.push(nl::Process { domain, drives, body });
    }

    /// The next validated target, in the order `validate_block` recorded them, and its process.
    fn next_target(&mut self, lowering: &mut Lowering) -> Option<(ProcessKey, Target)> {
        let target = self.targets[lowering.next_target].take();
        lowering.next_target += 1;
        let target = target?;
        let key = match target.domain {
            None => ProcessKey::Comb(lowering.groups.root(target.parts[0].wire.index())),
            Some(d) => ProcessKey::Clocked(d),
        };
        Some((key, target))
    }

    fn lower_block(&mut self, stmts: &'a [Stmt], lowering: &mut Lowering) -> Split {
        let mut out = Split::new();
        for s in stmts {
            match s {
                Stmt::Assign { statement, .. } => {
                    let Some((key, t)) = self.next_target(lowering) else { continue };
                    let width = t.parts.iter().map(|p| p.width).sum();
                    self.use_site = Some(statement.location);
                    let rhs = self.fit(&statement.rhs, width);
                    out.entry(key).or_default().push(nl::Stmt::Assign {
                        lhs: t.parts,
                        rhs,
                        location: statement.location,
                    });
                }
                Stmt::FsmNext { fsm, state, location } => {
                    let Some((key, t)) = self.next_target(lowering) else { continue };
                    let Some((wire, symbol)) = self.fsm_state(*fsm, state, *location) else {
                        continue;
                    };
                    let width = self.out.wires[wire].width;
                    let rhs = self.push_expr(width, ExprKind::Symbol(symbol));
                    out.entry(key).or_default().push(nl::Stmt::Assign {
                        lhs: t.parts,
                        rhs,
                        location: *location,
                    });
                }
                Stmt::If(branches) => {
                    let bodies: Vec<Split> = branches.iter().map(|b| self.lower_block(&b.body, lowering)).collect();
                    self.lower_if(branches, bodies, &mut out);
                }
                Stmt::Switch { selector, cases, location } => {
                    let lowered: Vec<(Option<Vec<nl::CasePattern>>, Split)> = cases
                        .iter()
                        .map(|c| (self.patterns(selector, c), self.lower_block(&c.body, lowering)))
                        .collect();
                    if lowered.iter().any(|(_, body)| !body.is_empty()) {
                        self.use_site = Some(*location);
                        let sel = Selector::Value(selector);
                        self.lower_switch(sel, lowered, &mut out);
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
                        let sym = &self.out.symbols[symbol];
                        let pattern = nl::CasePattern {
                            value: sym.value.clone(),
                            mask: Bits::from_i128(-1, sym.value.width()),
                            symbol: Some(symbol),
                        };
                        cases.push((Some(vec![pattern]), self.lower_block(&state.body, lowering)));
                    }
                    self.lower_switch(Selector::Wire(wire), cases, &mut out);
                }
            }
        }
        out
    }

    /// Adds to `out`, for each process the branches' `bodies` hold statements of, an
    /// `if` chain with only those statements, up to the last branch with any.
    fn lower_if(&mut self, branches: &'a [Branch], mut bodies: Vec<Split>, out: &mut Split) {
        let keys: BTreeSet<ProcessKey> = bodies.iter().flat_map(|b| b.keys().copied()).collect();
        let Some(last_used) = bodies.iter().rposition(|b| !b.is_empty()) else {
            return;
        };
        // One condition per branch, shared by every process.
        let conds: Vec<Option<ExprId>> = branches[..=last_used]
            .iter()
            .map(|b| {
                self.use_site = Some(b.location);
                b.condition.as_ref().map(|c| self.value(c))
            })
            .collect();
        for key in keys {
            let taken: Vec<Vec<nl::Stmt>> = bodies.iter_mut().map(|b| b.remove(&key).unwrap_or_default()).collect();
            let Some(last) = taken.iter().rposition(|b| !b.is_empty()) else {
                continue;
            };
            // Build from the innermost `else` outwards.
            let mut else_: Vec<nl::Stmt> = Vec::new();
            for (cond, body) in conds[..=last].iter().zip(taken).rev() {
                match cond {
                    None => else_ = body,
                    Some(cond) => {
                        else_ = vec![nl::Stmt::If {
                            cond: *cond,
                            then: body,
                            else_,
                        }]
                    }
                }
            }
            out.entry(key).or_default().extend(else_.pop());
        }
    }

    /// Adds to `out`, for each process the `cases` hold statements of, a `switch` with
    /// only those statements, up to the last case with any.
    fn lower_switch(&mut self, selector: Selector<'_>, mut cases: Vec<(Option<Vec<nl::CasePattern>>, Split)>, out: &mut Split) {
        let keys: BTreeSet<ProcessKey> = cases.iter().flat_map(|(_, b)| b.keys().copied()).collect();
        let mut shared_sel = None;
        for key in keys {
            let mut taken: Vec<(Option<Vec<nl::CasePattern>>, Vec<nl::Stmt>)> = cases
                .iter_mut()
                .map(|(patterns, body)| (patterns.clone(), body.remove(&key).unwrap_or_default()))
                .collect();
            trim_trailing_empty(&mut taken);
            let sel = match selector {
                // The selector's value is lowered once and shared.
                Selector::Value(v) => *shared_sel.get_or_insert_with(|| self.value(v)),
                // A state register is read afresh by each process.
                Selector::Wire(w) => self.wire_expr(w),
            };
            out.entry(key).or_default().push(nl::Stmt::Switch {
                sel,
                cases: to_cases(taken),
            });
        }
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

/// The state of the walk over the statement tree: which recorded target comes next, and
/// the groups that say which process a combinational target belongs to.
struct Lowering {
    groups: CombGroups,
    next_target: usize,
}

/// What a lowered `switch` compares: a user's value, or a state machine's register.
#[derive(Clone, Copy)]
enum Selector<'v> {
    Value(&'v Value),
    Wire(WireId),
}
