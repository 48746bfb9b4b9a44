//! Memories: arrays of words with read and write ports.
//!
//! The Verilog back end writes them in the form yosys maps to ECP5 block RAM (DP16KD)
//! or, for asynchronous reads, to distributed RAM.

use crate::bits::Bits;
use crate::error::{Error, ErrorKind, Location};
use crate::module::Module;
use crate::shape::{unsigned, Shape};
use crate::value::Value;

/// A handle to a memory of a module.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MemoryRef {
    pub(crate) module: u32,
    pub(crate) index: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct MemoryDecl {
    pub(crate) name: String,
    pub(crate) shape: Shape,
    pub(crate) depth: u32,
    /// Words from address 0; missing words are zero. `Err` holds the message for a word
    /// that does not fit.
    pub(crate) init: Option<Result<Vec<Bits>, String>>,
    pub(crate) read_ports: Vec<ReadPortDecl>,
    pub(crate) write_ports: Vec<WritePortDecl>,
    pub(crate) location: Location,
}

#[derive(Clone, Debug)]
pub(crate) struct ReadPortDecl {
    /// `None` for an asynchronous (combinational) read.
    pub(crate) domain: Option<String>,
    pub(crate) addr: Value,
    pub(crate) data: Value,
    pub(crate) en: Option<Value>,
    pub(crate) location: Location,
}

#[derive(Clone, Debug)]
pub(crate) struct WritePortDecl {
    pub(crate) domain: String,
    pub(crate) addr: Value,
    pub(crate) data: Value,
    pub(crate) en: Value,
    pub(crate) location: Location,
}

/// The signals of a synchronous read port: drive `addr` and `en`, read `data` a cycle later.
#[derive(Clone, Debug)]
pub struct ReadPort {
    /// The word address.
    pub addr: Value,
    /// The word read at the last clock edge where `en` was high.
    pub data: Value,
    /// Read enable; high unless assigned. While low, `data` holds.
    pub en: Value,
}

/// The signals of an asynchronous read port: `data` follows `addr` in the same cycle.
#[derive(Clone, Debug)]
pub struct AsyncReadPort {
    /// The word address.
    pub addr: Value,
    /// The word at `addr`.
    pub data: Value,
}

/// The signals of a write port: at a clock edge where `en` is high, `data` is written at `addr`.
#[derive(Clone, Debug)]
pub struct WritePort {
    /// The word address.
    pub addr: Value,
    /// The word to write.
    pub data: Value,
    /// Write enable.
    pub en: Value,
}

/// The address width for `depth` words: enough bits for `depth - 1`, at least one.
pub fn address_width(depth: u32) -> u32 {
    (32 - depth.saturating_sub(1).leading_zeros()).max(1)
}

impl Module {
    /// A memory of `depth` words of `shape`, all zero at power-on.
    #[track_caller]
    pub fn memory(&mut self, name: &str, shape: Shape, depth: u32) -> MemoryRef {
        self.add_memory(name, shape, depth, None, Location::caller())
    }

    /// A memory whose words at power-on are `init`, from address 0 (the rest are zero).
    /// A word that does not fit `shape` is an elaboration error.
    #[track_caller]
    pub fn memory_init<I: Into<i128>>(&mut self, name: &str, shape: Shape, depth: u32, init: impl IntoIterator<Item = I>) -> MemoryRef {
        let words: Result<Vec<Bits>, String> = init
            .into_iter()
            .enumerate()
            .map(|(i, w)| {
                let w: i128 = w.into();
                let bits = Bits::from_i128(w, shape.width);
                let back = if shape.signed {
                    bits.to_i128()
                } else {
                    bits.to_u128().map(|u| u as i128)
                };
                if back == Some(w) || shape.width >= 128 {
                    Ok(bits)
                } else {
                    Err(format!("memory `{name}`: init word {i} ({w}) does not fit {shape}"))
                }
            })
            .collect();
        let words = words.and_then(|w| {
            if w.len() > depth as usize {
                Err(format!("memory `{name}`: {} init words for a depth of {depth}", w.len()))
            } else {
                Ok(w)
            }
        });
        self.add_memory(name, shape, depth, Some(words), Location::caller())
    }

    fn add_memory(
        &mut self,
        name: &str,
        shape: Shape,
        depth: u32,
        init: Option<Result<Vec<Bits>, String>>,
        location: Location,
    ) -> MemoryRef {
        let index = self.memories.len() as u32;
        self.memories.push(MemoryDecl {
            name: name.to_owned(),
            shape,
            depth,
            init,
            read_ports: Vec::new(),
            write_ports: Vec::new(),
            location,
        });
        MemoryRef { module: self.uid, index }
    }

    /// The memory's shape, depth and port count, or `None` (with an error recorded) when
    /// the handle belongs to another module.
    fn memory_info(&mut self, mem: MemoryRef, location: Location) -> Option<(Shape, u32, usize, usize)> {
        if mem.module != self.uid {
            self.errors.push(Error::new(
                ErrorKind::ForeignSignal,
                format!("this memory belongs to another module than `{}`", self.name),
                location,
            ));
            return None;
        }
        let d = &self.memories[mem.index as usize];
        Some((d.shape, d.depth, d.read_ports.len(), d.write_ports.len()))
    }

    /// The signals of a new port of `mem`, named `<mem>_<prefix><n>_addr` and so on;
    /// `en_init` is the enable's init value, `None` for a port without enable.
    fn port_signals(
        &mut self,
        mem: MemoryRef,
        prefix: char,
        en_init: Option<bool>,
        location: Location,
    ) -> Option<(Value, Value, Option<Value>)> {
        let (shape, depth, reads, writes) = self.memory_info(mem, location)?;
        let n = if prefix == 'w' { writes } else { reads };
        let base = format!("{}_{prefix}{n}", self.memories[mem.index as usize].name);
        let zero = || Value::from(false);
        let addr = self.add_signal(format!("{base}_addr"), unsigned(address_width(depth)), zero(), None, location);
        let data = self.add_signal(format!("{base}_data"), shape, zero(), None, location);
        let en = en_init.map(|init| self.add_signal(format!("{base}_en"), unsigned(1), Value::from(init), None, location));
        Some((addr, data, en))
    }

    /// A synchronous read port in clock domain `domain`: non-transparent, so a write to
    /// the same address at the same edge is seen one read later.
    #[track_caller]
    pub fn read_port(&mut self, mem: MemoryRef, domain: &str) -> ReadPort {
        let location = Location::caller();
        let Some((addr, data, Some(en))) = self.port_signals(mem, 'r', Some(true), location) else {
            return ReadPort {
                addr: Value::from(false),
                data: Value::from(false),
                en: Value::from(false),
            };
        };
        let port = ReadPortDecl {
            domain: Some(domain.to_owned()),
            addr: addr.clone(),
            data: data.clone(),
            en: Some(en.clone()),
            location,
        };
        self.memories[mem.index as usize].read_ports.push(port);
        ReadPort { addr, data, en }
    }

    /// An asynchronous read port (maps to distributed RAM or logic, not block RAM).
    #[track_caller]
    pub fn async_read_port(&mut self, mem: MemoryRef) -> AsyncReadPort {
        let location = Location::caller();
        let Some((addr, data, _)) = self.port_signals(mem, 'r', None, location) else {
            return AsyncReadPort {
                addr: Value::from(false),
                data: Value::from(false),
            };
        };
        let port = ReadPortDecl {
            domain: None,
            addr: addr.clone(),
            data: data.clone(),
            en: None,
            location,
        };
        self.memories[mem.index as usize].read_ports.push(port);
        AsyncReadPort { addr, data }
    }

    /// A write port in clock domain `domain`.
    #[track_caller]
    pub fn write_port(&mut self, mem: MemoryRef, domain: &str) -> WritePort {
        let location = Location::caller();
        let Some((addr, data, Some(en))) = self.port_signals(mem, 'w', Some(false), location) else {
            return WritePort {
                addr: Value::from(false),
                data: Value::from(false),
                en: Value::from(false),
            };
        };
        let port = WritePortDecl {
            domain: domain.to_owned(),
            addr: addr.clone(),
            data: data.clone(),
            en: en.clone(),
            location,
        };
        self.memories[mem.index as usize].write_ports.push(port);
        WritePort { addr, data, en }
    }
}
