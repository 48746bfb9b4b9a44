//! Where the signals a user built ended up: each builder module's signals, by the
//! instance they were elaborated in, so that a testbench can find a signal from the
//! [`Value`] it was built with rather than by spelling its generated name.

use std::collections::HashMap;
use std::sync::Arc;

use crate::netlist::{ModuleId, Netlist, WireId};
use crate::value::{Value, ValueKind};

/// Each builder module's instance and the wire of each of its signals.
#[derive(Debug, Default)]
pub(super) struct SignalMap {
    /// By builder module: the instance's path below the top (`""`, `"child."`), the
    /// netlist module it became, and the wire of each signal in declaration order.
    pub(super) by_module: HashMap<u32, (String, ModuleId, Vec<WireId>)>,
}

/// Finds the wires of a design's signals by the values they were built as: see
/// [`Design::signals`](crate::Design::signals). Cheap to clone.
#[derive(Clone, Debug)]
pub struct SignalIndex {
    pub(super) netlist: Arc<Netlist>,
    pub(super) map: Arc<SignalMap>,
}

impl SignalIndex {
    /// The hierarchical name below the top (`count`, `child.count`) of the wire the
    /// signal `value` became; `Err` says why `value` names no wire of this design.
    pub fn path(&self, value: &Value) -> Result<String, String> {
        let ValueKind::Signal(s) = value.kind() else {
            return Err(
                "an expression is not a signal; pass a signal, port or interface member as it was built, or name it with `Simulator::signal`"
                    .into(),
            );
        };
        let Some((prefix, module, wires)) = self.map.by_module.get(&s.module) else {
            return Err(format!(
                "signal `{}` belongs to a module that is not part of this design (built, but never added to the design's hierarchy)",
                s.name
            ));
        };
        let wire = self.netlist.modules[*module].wire(wires[s.index as usize]);
        Ok(format!("{prefix}{}", wire.name))
    }
}
