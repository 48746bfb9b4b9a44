//! Clock-domain crossing: a synchronizer for levels, one for pulses, one for resets,
//! and an asynchronous FIFO for streams.
//!
//! Each crossing is the only way a signal may pass between unrelated clocks: the first
//! register of a synchronizer may go metastable, and the second gives it a cycle to
//! settle. The FIFO crosses only Gray-coded pointers, of which one bit changes at a time,
//! so a pointer read mid-change is off by at most one — which only makes `full` or
//! `empty` hold a little longer, never wrongly lift.

use hdl_dsl::stream::{Pipe, StreamSignature};
use hdl_dsl::{address_width, cat, unsigned, Builder, Component, Module, ResetKind, Signature, Value};

/// A level in, a level out.
#[derive(Clone, Debug)]
pub struct SyncPorts {
    /// The signal from the other clock domain.
    pub i: Value,
    /// The same, safe to use in this one.
    pub o: Value,
}

/// The signature of [`SyncPorts`] for `width` bits.
#[derive(Clone, Copy, Debug)]
pub struct SyncSignature {
    width: u32,
}

impl Signature for SyncSignature {
    type Interface = SyncPorts;

    fn build(&self, b: &mut Builder) -> SyncPorts {
        SyncPorts {
            i: b.input("i", unsigned(self.width)),
            o: b.output("o", unsigned(self.width)),
        }
    }
}

/// Two registers in the `sync` domain for a level from another domain. Each bit crosses
/// on its own: give it only signals that change one bit at a time (flags, Gray codes).
pub fn synchronizer(width: u32) -> Component<SyncSignature> {
    Component::build("synchronizer", SyncSignature { width }, |m, p| {
        let first = m.signal("meta", unsigned(width));
        m.sync([first.eq(&p.i), p.o.eq(&first)]);
    })
}

/// The ports of a [`reset_synchronizer`].
#[derive(Clone, Debug)]
pub struct ResetSyncPorts {
    /// The clock of the domain to reset.
    pub clk: Value,
    /// The request, from any clock or none (a PLL's lock inverted, a button): while it
    /// is high, `rst` is high.
    pub arst: Value,
    /// The reset for the domain clocked by `clk`: it rises with `arst` at once and falls
    /// on a rising edge of `clk`.
    pub rst: Value,
}

/// The signature of [`ResetSyncPorts`].
#[derive(Clone, Copy, Debug)]
pub struct ResetSyncSignature;

impl Signature for ResetSyncSignature {
    type Interface = ResetSyncPorts;

    fn build(&self, b: &mut Builder) -> ResetSyncPorts {
        ResetSyncPorts {
            clk: b.input("clk", unsigned(1)),
            arst: b.input("arst", unsigned(1)),
            rst: b.output("rst", unsigned(1)),
        }
    }
}

/// A reset for the domain clocked by `clk`, asserted as soon as `arst` rises and
/// released `stages` rising edges of `clk` after `arst` falls (`stages` is taken into
/// 2..=32: at least two, since the first flop may go metastable when `arst` falls close
/// to an edge).
///
/// Its flops are in a domain of their own, reset asynchronously by `arst` alone, so the
/// reset they make never clears them: a domain whose reset comes from a PLL's lock or a
/// button gets it through this core. They start high, so the domain is also held in
/// reset from power-on until the first edges after `arst` is low.
///
/// ```
/// use hdl_cores::cdc::reset_synchronizer;
/// use hdl_dsl::{unsigned, Module, ResetKind};
///
/// let mut m = Module::new("top");
/// let (clk, locked) = (m.input("clk_pll", unsigned(1)), m.input("locked", unsigned(1)));
/// let reset = m.add("reset_sync", reset_synchronizer(2));
/// m.comb([reset.clk.eq(&clk), reset.arst.eq(!&locked)]);
/// m.domain("sync", &clk, ResetKind::Sync, Some(&reset.rst));
/// ```
pub fn reset_synchronizer(stages: u32) -> Component<ResetSyncSignature> {
    let stages = stages.clamp(2, 32);
    Component::build("reset_synchronizer", ResetSyncSignature, move |m, p| {
        m.domain("hold", &p.clk, ResetKind::Async, Some(&p.arst));
        let all_ones = (1u128 << stages) - 1;
        let flops = m.signal_init("flops", unsigned(stages), hdl_dsl::constant(all_ones as i128, unsigned(stages)));
        // Zeros enter at the top and leave at bit 0, which is the reset.
        m.sync_in("hold", flops.eq(flops.shr(1)));
        m.comb(p.rst.eq(flops.bit(0)));
    })
}

/// One pulse in, one pulse out, across domains.
#[derive(Clone, Debug)]
pub struct PulsePorts {
    /// A one-cycle pulse in the `src` domain.
    pub i: Value,
    /// A one-cycle pulse in the `sync` domain for each pulse in.
    pub o: Value,
}

/// The signature of [`PulsePorts`].
#[derive(Clone, Copy, Debug)]
pub struct PulseSignature;

impl Signature for PulseSignature {
    type Interface = PulsePorts;

    fn build(&self, b: &mut Builder) -> PulsePorts {
        PulsePorts {
            i: b.input("i", unsigned(1)),
            o: b.output("o", unsigned(1)),
        }
    }
}

/// Carries single-cycle pulses from domain `src` (ports `src_clk`, `src_rst`) to `sync`:
/// each pulse flips a level, which crosses by two registers, and each flip seen makes one
/// pulse. Pulses must be at least three `sync` cycles apart.
pub fn pulse_synchronizer() -> Component<PulseSignature> {
    Component::build("pulse_synchronizer", PulseSignature, |m, p| {
        m.domain_from_ports("src", ResetKind::Sync);
        let toggle = m.signal("toggle", unsigned(1));
        m.if_(&p.i, |m| m.sync_in("src", toggle.eq(!&toggle)));
        let (meta, seen, last) = (
            m.signal("meta", unsigned(1)),
            m.signal("seen", unsigned(1)),
            m.signal("last", unsigned(1)),
        );
        m.sync([meta.eq(&toggle), seen.eq(&meta), last.eq(&seen)]);
        m.comb(p.o.eq(&seen ^ &last));
    })
}

/// Binary to Gray code.
fn gray(v: &Value) -> Value {
    v ^ v.shr(1)
}

/// Two registers in `domain` for a value from another domain, inside a module that
/// crosses it.
pub(crate) fn synchronize(m: &mut Module, name: &str, domain: &str, v: &Value) -> Value {
    let meta = m.signal(format!("{name}_meta"), v.shape());
    let out = m.signal(name, v.shape());
    m.sync_in(domain, [meta.eq(v), out.eq(&meta)]);
    out
}

/// An asynchronous FIFO of `depth` payloads (a power of two): `i` in domain `write`
/// (ports `write_clk`, `write_rst`), `o` in domain `read` (`read_clk`, `read_rst`).
/// The storage has a registered read, so yosys puts large FIFOs in block RAM. `o` shows
/// a payload two to three read cycles after it was written; `i.ready` drops when full.
/// A depth that is not a power of two (or under 4) is rounded up to one.
pub fn async_fifo(signature: &StreamSignature, depth: u32) -> Component<Pipe> {
    let signature = signature.handshaking();
    let depth = depth.max(4).next_power_of_two();
    let pipe = Pipe {
        i: signature.clone(),
        o: signature.clone(),
    };
    Component::build("async_fifo", pipe, move |m, io| {
        let (i, o) = (&io.i, &io.o);
        m.domain_from_ports("write", ResetKind::Sync);
        m.domain_from_ports("read", ResetKind::Sync);
        let aw = address_width(depth);
        let mem = m.memory("storage", unsigned(signature.data_width()), depth);

        // Binary and Gray pointers one bit wider than the address, so that full
        // (pointers a lap apart) differs from empty (equal).
        let pointer = |m: &mut Module, name: &str| m.signal(name, unsigned(aw + 1));
        let (wbin, wgray, rbin, rgray) = (pointer(m, "wbin"), pointer(m, "wgray"), pointer(m, "rbin"), pointer(m, "rgray"));
        let full = m.signal("full", unsigned(1));
        let empty = m.signal_init("empty", unsigned(1), 1u8);

        // Write side: full when the write pointer is a lap ahead of the read pointer as
        // last seen here (in Gray code: the top two bits inverted, the rest equal).
        let rgray_seen = synchronize(m, "rgray_w", "write", &rgray);
        let push = &i.valid & !&full;
        let wbin_next = (&wbin + &push).trunc(aw + 1);
        let wgray_next = gray(&wbin_next);
        let lap = cat([rgray_seen.slice(0..aw - 1), !rgray_seen.slice(aw - 1..aw + 1)]);
        m.sync_in(
            "write",
            [wbin.eq(&wbin_next), wgray.eq(&wgray_next), full.eq(wgray_next.is_eq(lap))],
        );
        let write = m.write_port(mem, "write");
        m.comb([
            write.en.eq(&push),
            write.addr.eq(wbin.slice(0..aw)),
            write.data.eq(i.data()),
            i.ready.eq(!&full),
        ]);

        // Read side: empty when the read pointer has caught up with the write pointer as
        // last seen here. The storage is read at the next pointer, so its registered
        // output holds the payload at the current one.
        let wgray_seen = synchronize(m, "wgray_r", "read", &wgray);
        let pop = &o.valid & &o.ready;
        let rbin_next = (&rbin + &pop).trunc(aw + 1);
        let rgray_next = gray(&rbin_next);
        m.sync_in(
            "read",
            [rbin.eq(&rbin_next), rgray.eq(&rgray_next), empty.eq(rgray_next.is_eq(&wgray_seen))],
        );
        let read = m.read_port(mem, "read");
        m.comb([read.en.eq(1u8), read.addr.eq(rbin_next.slice(0..aw))]);
        m.comb(o.take_data(&read.data));
        m.comb(o.valid.eq(!&empty));
    })
}
