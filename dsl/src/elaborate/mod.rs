//! Elaboration: from the modules a user built to a checked [`Netlist`].
//!
//! Children are elaborated before their parents. Each module's signals become wires,
//! its statement tree becomes one process per clock domain and one per group of
//! combinational wires, and every check runs: names, widths, drivers, undriven outputs
//! and combinational loops; then, over the whole hierarchy, resets that never release.

mod cells;
mod declare;
mod domains;
mod drivers;
mod expressions;
mod processes;
mod signals;
mod targets;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::bits::Bits;
use crate::error::{Error, ErrorKind, Errors, Location};
use crate::hashing::FastMap;
use crate::instance::InstanceDecl;
use crate::loops;
use crate::memory::MemoryDecl;
use crate::module::{DomainSource, Module, ResetKind, SYNC};
use crate::names::{self, Namespace};
use crate::netlist::{self as nl, DomainId, ExprId, ExprKind, ModuleId, WireId, WireSlice};
use crate::resets;
use crate::shape::{self, Shape};
use crate::stmt::{Branch, Case, Stmt};
use crate::value::{self, Value, ValueKind};

/// An elaborated design: a checked netlist, ready for the back ends.
#[derive(Clone, Debug)]
pub struct Design {
    netlist: Arc<nl::Netlist>,
    signals: Arc<signals::SignalMap>,
}

pub use signals::SignalIndex;

impl Design {
    /// Elaborates `top` and its submodules, running every check. All errors found are
    /// returned together, each with the user's source location.
    pub fn elaborate(top: Module) -> Result<Design, Errors> {
        let mut elab = Elaborator::default();
        let path = top.name.clone();
        let top = elab.module(top, path, "");
        if !elab.errors.is_empty() {
            return Err(Errors(elab.errors));
        }
        let netlist = nl::Netlist {
            modules: elab.modules,
            top,
        };
        // Elaboration must build a netlist the back ends can trust.
        #[cfg(debug_assertions)]
        if let Err(broken) = nl::verify(&netlist) {
            panic!("{broken}");
        }
        // Whole-design checks, on a netlist whose modules each passed their own.
        let errors = resets::check(&netlist);
        if errors.is_empty() {
            Ok(Design {
                netlist: Arc::new(netlist),
                signals: Arc::new(elab.signals),
            })
        } else {
            Err(Errors(errors))
        }
    }

    /// The netlist.
    pub fn netlist(&self) -> &nl::Netlist {
        &self.netlist
    }

    /// Finds the wire each signal became, from the [`Value`] it was built as.
    pub fn signals(&self) -> SignalIndex {
        SignalIndex {
            netlist: self.netlist.clone(),
            map: self.signals.clone(),
        }
    }

    /// The top module's name.
    pub fn top_name(&self) -> &str {
        &self.netlist.modules[self.netlist.top].name
    }
}

#[derive(Default)]
struct Elaborator {
    modules: nl::Arena<ModuleId, nl::Module>,
    /// For each module: which input ports each output port depends on combinationally.
    summaries: Vec<loops::Summary>,
    /// The modules made so far, by the name their builder gave.
    families: HashMap<String, Family>,
    /// Every module name given out.
    module_names: HashSet<String>,
    /// Where each builder module's signals went.
    signals: signals::SignalMap,
    errors: Vec<Error>,
}

impl Elaborator {
    /// Elaborates `m`, whose hierarchical path is `path` (`prefix` below the top), after
    /// its children.
    fn module(&mut self, mut m: Module, path: String, prefix: &str) -> ModuleId {
        let submodules = std::mem::take(&mut m.submodules);
        let mut children = Vec::new();
        for sub in submodules {
            let crate::module::SubmoduleDecl {
                name,
                module,
                ports,
                location,
            } = sub;
            let id = self.module(module, format!("{path}.{name}"), &format!("{prefix}{name}."));
            children.push(Child { name, id, ports, location });
        }
        let mut lower = Lower::new(&m, &self.modules);
        lower.run(&children);
        let Lower {
            out,
            mut errors,
            signal_wires,
            ..
        } = lower;
        let uid = m.uid;
        errors.extend(m.errors.iter().cloned());
        let child_summaries: Vec<Option<&loops::Summary>> = out
            .cells
            .values()
            .map(|c| match c.kind {
                nl::CellKind::Submodule(id) => Some(&self.summaries[id.index()]),
                nl::CellKind::BlackBox { .. } => None,
            })
            .collect();
        let summary = if errors.is_empty() {
            match loops::check(&out, &child_summaries) {
                Ok(summary) => summary,
                Err(e) => {
                    errors.push(e);
                    loops::Summary::default()
                }
            }
        } else {
            loops::Summary::default()
        };
        for mut e in errors {
            if e.module.is_empty() {
                e.module = path.clone();
            }
            self.errors.push(e);
        }
        let id = self.intern(out, summary);
        self.signals.by_module.insert(uid, (prefix.to_owned(), id, signal_wires));
        id
    }

    /// The module `out` as one of the design's: one Verilog module per distinct content,
    /// so identical instances share it.
    fn intern(&mut self, mut out: nl::Module, summary: loops::Summary) -> ModuleId {
        let fingerprint = content_hash(&out);
        let base = out.name.clone();
        let family = self.families.entry(base.clone()).or_default();
        for &(hash, id) in &family.members {
            if hash == fingerprint {
                let existing = &self.modules[id];
                out.name.clone_from(&existing.name);
                if *existing == out {
                    return id;
                }
            }
        }
        out.name.clone_from(&base);
        // A new module: the first of `base`, `base_1`, `base_2`, ... that is free.
        while self.module_names.contains(&out.name) {
            family.last_suffix += 1;
            out.name = format!("{base}_{}", family.last_suffix);
        }
        self.module_names.insert(out.name.clone());
        let id = self.modules.push(out);
        family.members.push((fingerprint, id));
        self.summaries.push(summary);
        id
    }
}

/// The modules elaborated from builders of one name.
#[derive(Default)]
struct Family {
    /// Each one's content hash and id.
    members: Vec<(u64, ModuleId)>,
    /// The last suffix given to a module of this family.
    last_suffix: u32,
}

/// A hash of everything in `m` but its name, so that two modules of one family are
/// compared in full only when they are likely the same.
fn content_hash(m: &nl::Module) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::hashing::FastHasher::default();
    let nl::Module {
        name: _,
        location,
        wires,
        exprs,
        domains,
        symbols,
        processes,
        memories,
        cells,
    } = m;
    (location, wires, exprs, domains, symbols, processes, memories, cells).hash(&mut h);
    h.finish()
}

struct UsedDomain {
    name: String,
    location: Location,
    /// Whether registers of this domain are reset (so it needs a reset port).
    resets: bool,
}

struct Child {
    name: String,
    id: ModuleId,
    ports: Vec<(String, crate::module::Direction, Value)>,
    location: Location,
}

/// Who drives some bits of a wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    Input,
    /// `None` is combinational logic.
    Domain(Option<DomainId>),
    Cell(nl::CellId),
    /// The bidirectional pin of an instance, on a pad.
    Pad(nl::CellId),
    Memory(nl::MemoryId),
}

#[derive(Clone, Debug)]
struct Use {
    tag: Tag,
    lo: u32,
    width: u32,
    location: Option<Location>,
}

/// A validated assignment target: where it goes and in which domain.
struct Target {
    domain: Option<DomainId>,
    parts: Vec<WireSlice>,
}

struct FsmInfo {
    wire: WireId,
    states: Vec<(String, nl::SymbolId)>,
}

/// Lowers one module.
struct Lower<'a> {
    src: &'a Module,
    modules: &'a nl::Arena<ModuleId, nl::Module>,
    out: nl::Module,
    errors: Vec<Error>,
    names: Namespace,
    signal_wires: Vec<WireId>,
    /// Values lowered already, by their serial number: shared subexpressions are lowered once.
    memo: FastMap<u64, ExprId>,
    drivers: Vec<Vec<Use>>,
    /// Where the value being lowered was used, for errors about it.
    use_site: Option<Location>,
    /// The target of each assignment (`None` if it is in error), in statement-tree order.
    targets: Vec<Option<Target>>,
    fsms: Vec<Option<FsmInfo>>,
}

impl<'a> Lower<'a> {
    fn new(src: &'a Module, modules: &'a nl::Arena<ModuleId, nl::Module>) -> Lower<'a> {
        Lower {
            src,
            modules,
            out: nl::Module {
                name: src.name.clone(),
                location: Some(src.location),
                ..Default::default()
            },
            errors: Vec::new(),
            names: Namespace::default(),
            signal_wires: Vec::new(),
            memo: HashMap::default(),
            drivers: Vec::new(),
            use_site: None,
            targets: Vec::new(),
            fsms: Vec::new(),
        }
    }

    fn error(&mut self, kind: ErrorKind, message: String, location: Location) {
        self.errors.push(Error::new(kind, message, location));
    }

    fn run(&mut self, children: &[Child]) {
        if let Some(why) = names::check(&self.src.name) {
            self.error(ErrorKind::BadName, format!("module name: {why}"), self.src.location);
        }
        let used = self.used_domains(children);
        self.declare_port_domains(&used);
        self.declare_signals();
        self.declare_local_domains(&used);
        self.declare_fsms();
        let body = self.src.body();
        self.validate_block(body);
        self.build_processes();
        for mem in &self.src.memories {
            self.memory(mem);
        }
        for child in children {
            self.submodule(child);
        }
        for inst in &self.src.instances {
            self.black_box(inst);
        }
        self.check_drivers();
    }
}

/// How an error message names a value.
fn describe(v: &Value) -> String {
    match v.kind() {
        ValueKind::Signal(s) => format!("`{}`", s.name),
        ValueKind::Slice(a, lo, w) if a.signal_name().is_some() => {
            let name = a.signal_name().unwrap_or_default();
            if *w == 1 {
                format!("`{name}[{lo}]`")
            } else {
                format!("`{name}[{}:{lo}]`", lo + w - 1)
            }
        }
        _ => "an expression".into(),
    }
}
