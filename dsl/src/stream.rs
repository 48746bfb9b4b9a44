//! Streams: payloads handed from a source to a sink with a valid/ready handshake, and
//! the cores that keep its rules.
//!
//! ## The rules
//! - A **transfer** happens in a cycle where `valid` and `ready` are both high at the
//!   rising edge; the sink takes `payload` (and `first`/`last`) then.
//! - Once the source raises `valid`, it holds `valid` high and `payload`, `first` and
//!   `last` unchanged until the transfer.
//! - `valid` never waits for `ready`: a source offers what it has whatever the sink does,
//!   so that no combinational path runs from `ready` to `valid`. A sink may wait for
//!   `valid` before raising `ready`.
//! - `first` and `last`, when the stream has them, mark the first and last payload of a
//!   packet (a video frame or line).
//!
//! A stream that is *always valid* (a camera that never pauses) or *always ready* (a
//! display that never stalls) holds that member at 1 instead of having a port;
//! [`Module::connect`] lets such a source feed any sink, and refuses an always-ready
//! source (which would drop payloads) on a sink that can stall.
//!
//! The cores ([`skid_buffer`], [`fifo`], [`map`]) are components with a stream in (`i`)
//! and a stream out (`o`): their signature is [`Pipe`].

use crate::layout::{Layout, View};
use crate::memory::address_width;
use crate::module::{Module, SYNC};
use crate::shape::unsigned;
use crate::stmt::Statement;
use crate::value::{cat, constant, mux, Value};
use crate::wiring::{Builder, Component, Flow, Interface, Signature};

/// The signature of a stream, from the source's side.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StreamSignature {
    payload: Layout,
    first: bool,
    last: bool,
    always_valid: bool,
    always_ready: bool,
}

impl StreamSignature {
    /// A stream of `payload` (a shape or a layout), with `valid` and `ready`.
    pub fn new(payload: impl Into<Layout>) -> StreamSignature {
        StreamSignature {
            payload: payload.into(),
            first: false,
            last: false,
            always_valid: false,
            always_ready: false,
        }
    }

    /// With a `first` marker: the first payload of a packet.
    pub fn with_first(mut self) -> StreamSignature {
        self.first = true;
        self
    }

    /// With a `last` marker: the last payload of a packet.
    pub fn with_last(mut self) -> StreamSignature {
        self.last = true;
        self
    }

    /// `valid` held at 1: the source never pauses.
    pub fn always_valid(mut self) -> StreamSignature {
        self.always_valid = true;
        self
    }

    /// `ready` held at 1: the sink never stalls.
    pub fn always_ready(mut self) -> StreamSignature {
        self.always_ready = true;
        self
    }

    /// The payload layout.
    pub fn payload(&self) -> &Layout {
        &self.payload
    }

    /// Whether the stream has a `first` marker.
    pub fn has_first(&self) -> bool {
        self.first
    }

    /// Whether the stream has a `last` marker.
    pub fn has_last(&self) -> bool {
        self.last
    }

    /// Whether `valid` is held at 1 (no port).
    pub fn is_always_valid(&self) -> bool {
        self.always_valid
    }

    /// Whether `ready` is held at 1 (no port).
    pub fn is_always_ready(&self) -> bool {
        self.always_ready
    }

    /// The same stream with `valid` and `ready` both real ports, as buffers need.
    pub fn handshaking(&self) -> StreamSignature {
        StreamSignature {
            always_valid: false,
            always_ready: false,
            ..self.clone()
        }
    }

    /// The bits that travel with a transfer: payload, then `first`, then `last`.
    pub fn data_width(&self) -> u32 {
        self.payload.width() + self.first as u32 + self.last as u32
    }
}

/// A stream's members. `valid` and `ready` are constants when the signature holds them.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The data, seen through the payload layout.
    pub payload: View,
    /// The source offers a payload.
    pub valid: Value,
    /// The sink takes it.
    pub ready: Value,
    /// Marks the first payload of a packet, if the stream has it.
    pub first: Option<Value>,
    /// Marks the last payload of a packet, if the stream has it.
    pub last: Option<Value>,
}

impl Stream {
    /// High in a cycle where a transfer happens.
    pub fn transfer(&self) -> Value {
        &self.valid & &self.ready
    }

    /// Everything that travels with a transfer, as one value: payload in the low bits,
    /// then `first`, then `last` — what a buffer stores.
    pub fn data(&self) -> Value {
        cat(std::iter::once(self.payload.value())
            .chain(self.first.clone())
            .chain(self.last.clone()))
    }

    /// Assigns everything that travels with a transfer from `src` (same signature).
    pub fn take(&self, src: &Stream) -> Vec<Statement> {
        let mut out = self.payload.eq(&src.payload);
        for (a, b) in [(&self.first, &src.first), (&self.last, &src.last)] {
            if let (Some(a), Some(b)) = (a, b) {
                out.push(a.eq(b));
            }
        }
        out
    }

    /// Assigns everything that travels with a transfer from `data` (see [`Stream::data`]).
    pub fn take_data(&self, data: &Value) -> Vec<Statement> {
        let w = self.payload.layout().width();
        let mut out = self.payload.eq(&self.payload.layout().view(data.slice(0..w)));
        for (at, marker) in (w..).zip([&self.first, &self.last].into_iter().flatten()) {
            out.push(marker.eq(data.bit(at)));
        }
        out
    }
}

impl Signature for StreamSignature {
    type Interface = Stream;

    fn build(&self, b: &mut Builder) -> Stream {
        let payload = b.output_layout("payload", &self.payload);
        let valid = if self.always_valid {
            b.fixed("valid", Flow::Out, constant(1, unsigned(1)))
        } else {
            b.output("valid", unsigned(1))
        };
        let ready = if self.always_ready {
            b.fixed("ready", Flow::In, constant(1, unsigned(1)))
        } else {
            b.input("ready", unsigned(1))
        };
        let first = self.first.then(|| b.output("first", unsigned(1)));
        let last = self.last.then(|| b.output("last", unsigned(1)));
        Stream {
            payload,
            valid,
            ready,
            first,
            last,
        }
    }
}

/// A stream in (`i`, which the component is the sink of) and a stream out (`o`): the
/// signature of every stream-to-stream core.
#[derive(Clone, Debug)]
pub struct Pipe {
    /// The stream coming in.
    pub i: StreamSignature,
    /// The stream going out.
    pub o: StreamSignature,
}

/// The members of a [`Pipe`].
#[derive(Clone, Debug)]
pub struct PipePorts {
    /// The stream coming in.
    pub i: Interface<Stream>,
    /// The stream going out.
    pub o: Interface<Stream>,
}

impl Signature for Pipe {
    type Interface = PipePorts;

    fn build(&self, b: &mut Builder) -> PipePorts {
        PipePorts {
            i: b.nest("i", &self.i.clone().flip()),
            o: b.nest("o", &self.o),
        }
    }
}

/// A register slice (skid buffer): one cycle of latency, one transfer per cycle when
/// neither side stalls, and `i.ready` straight from a register, so no combinational path
/// runs from `o.ready` back to `i.ready`. When `o` stalls, the payload already accepted
/// waits in a second register.
pub fn skid_buffer(signature: &StreamSignature) -> Component<Pipe> {
    let signature = signature.handshaking();
    let pipe = Pipe {
        i: signature.clone(),
        o: signature.clone(),
    };
    Component::build("skid_buffer", pipe, |m, io| {
        let (i, o) = (&io.i, &io.o);
        let skid = m.interface_signals("skid", &signature);
        // The output register is free when empty or handing over this cycle.
        let free = !&o.valid | &o.ready;
        m.comb(i.ready.eq(!&skid.valid));
        m.if_(&free, |m| {
            m.if_(&skid.valid, |m| {
                m.sync(o.take(&skid));
                m.sync([o.valid.eq(1u8), skid.valid.eq(0u8)]);
            })
            .else_(|m| {
                m.sync(o.valid.eq(&i.valid));
                m.if_(&i.valid, |m| m.sync(o.take(i)));
            });
        })
        .else_(|m| {
            m.if_(i.transfer(), |m| {
                m.sync(skid.take(i));
                m.sync(skid.valid.eq(1u8));
            });
        });
    })
}

/// A first-in first-out buffer of `depth` payloads. `o` offers the oldest payload as
/// soon as there is one; `i.ready` and `o.valid` come from registers. Small FIFOs map
/// to LUT RAM on the ECP5.
pub fn fifo(signature: &StreamSignature, depth: u32) -> Component<Pipe> {
    let signature = signature.handshaking();
    let pipe = Pipe {
        i: signature.clone(),
        o: signature.clone(),
    };
    let depth = depth.max(1);
    Component::build("fifo", pipe, |m, io| {
        let (i, o) = (&io.i, &io.o);
        let aw = address_width(depth);
        let mem = m.memory("storage", unsigned(signature.data_width()), depth);
        let (wr, rd) = (m.signal("wr", unsigned(aw)), m.signal("rd", unsigned(aw)));
        let count = m.signal("count", crate::shape::Shape::for_unsigned(depth as u128));
        let write = m.write_port(mem, SYNC);
        let read = m.async_read_port(mem);
        m.comb([
            write.en.eq(i.transfer()),
            write.addr.eq(&wr),
            write.data.eq(i.data()),
            read.addr.eq(&rd),
        ]);
        m.comb(o.take_data(&read.data));
        m.comb([o.valid.eq(count.is_ne(0u8)), i.ready.eq(count.is_ne(depth))]);
        let next = |p: &Value| mux(p.is_eq(depth - 1), constant(0, unsigned(aw)), p.wrapping_add(1u8));
        m.if_(i.transfer(), |m| m.sync(wr.eq(next(&wr))));
        m.if_(o.transfer(), |m| m.sync(rd.eq(next(&rd))));
        m.if_(i.transfer() & !o.transfer(), |m| m.sync(count.eq(count.wrapping_add(1u8))))
            .elif(o.transfer() & !i.transfer(), |m| m.sync(count.eq(count.wrapping_sub(1u8))));
    })
}

/// A combinational stage that turns each payload into another: `o.payload` is `f` of
/// `i.payload`, and the handshake passes straight through, `first`/`last` too (a marker
/// `o` has and `i` lacks is 0). `name` names the module.
pub fn map(name: &str, i: &StreamSignature, o: &StreamSignature, f: impl FnOnce(&mut Module, &View) -> View) -> Component<Pipe> {
    let pipe = Pipe {
        i: i.handshaking(),
        o: o.handshaking(),
    };
    Component::build(name, pipe, |m, io| {
        let (i, o) = (&io.i, &io.o);
        let converted = f(m, &i.payload);
        m.comb(o.payload.eq(&converted));
        m.comb([o.valid.eq(&i.valid), i.ready.eq(&o.ready)]);
        for (to, from) in [(&o.first, &i.first), (&o.last, &i.last)] {
            match (to, from) {
                (Some(to), Some(from)) => m.comb(to.eq(from)),
                (Some(to), None) => m.comb(to.eq(0u8)),
                _ => {}
            }
        }
    })
}
