//! What drives each wire, computed from a module's ports, processes, memories and cells
//! rather than stored beside them, so that it cannot disagree with them.

use std::ops::Index;

use super::{Direction, Driver, Module, WireId};

/// The driver of every wire of a module: see [`Module::drivers`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Drivers {
    of: Vec<Driver>,
}

impl Drivers {
    pub(super) fn of(m: &Module) -> Drivers {
        let mut of = vec![Driver::None; m.wires.len()];
        for (id, w) in m.wires.iter() {
            if w.port == Some(Direction::Input) {
                of[id.index()] = Driver::Input;
            }
        }
        for (id, p) in m.processes.iter() {
            for w in &p.drives {
                of[w.index()] = Driver::Process(id);
            }
        }
        for (memory, mem) in m.memories.iter() {
            for (port, r) in mem.read_ports.iter().enumerate() {
                of[r.data.index()] = Driver::MemoryRead { memory, port };
            }
        }
        for (cell, c) in m.cells.iter() {
            for part in c.outputs.iter().flat_map(|(_, parts)| parts) {
                if of[part.wire.index()] == Driver::None {
                    of[part.wire.index()] = Driver::Cell(cell);
                }
            }
        }
        Drivers { of }
    }
}

impl Index<WireId> for Drivers {
    type Output = Driver;

    fn index(&self, w: WireId) -> &Driver {
        &self.of[w.index()]
    }
}
