//! An SCCB master: the OmniVision camera control bus, a close cousin of I²C.
//!
//! A write is one 3-phase transmission — device address (0x42), register, data. A read
//! is a 2-phase write (0x42, register), a stop, then a 2-phase read (0x43, data) with no
//! repeated start; the master answers the data with NA (high). The ninth bit of each
//! phase is "don't care" for the master, but the OV7670 drives it low, so it is reported
//! as an acknowledge. (OmniVision, *Serial Camera Control Bus Functional Specification*.)
//!
//! Each bit takes four quarter periods: data changes in the first, SIO_C is high in the
//! last two, and the bit is sampled in the middle of the high time. A start drops SIO_D
//! while SIO_C is high, a stop raises it; both hold a quarter period on each side, which
//! meets the specification's 600 ns set-up and hold times up to 400 kHz.
//!
//! SIO_D is open drain: `sio_d_oe` high pulls the line low, low releases it to the
//! pull-up; `sio_d_i` is the line. On the ECP5 a `BB` pad joins them (see [`sio_pad`]).

use hdl_dsl::{mux, unsigned, Builder, Component, Module, Signature, Value};

/// The OV7670's SCCB address for writes; reads use the next one.
pub const OV7670_WRITE_ADDRESS: u8 = 0x42;

/// The ports of an SCCB master.
#[derive(Clone, Debug)]
pub struct SccbPorts {
    /// A one-cycle pulse starting a transfer (ignored while busy).
    pub start: Value,
    /// Whether the transfer is a read.
    pub read: Value,
    /// The register's address (sub-address, in SCCB terms).
    pub address: Value,
    /// The value to write.
    pub data: Value,
    /// High while a transfer runs.
    pub busy: Value,
    /// A one-cycle pulse when a transfer ends.
    pub done: Value,
    /// After `done`: whether any ninth bit was high (no acknowledge).
    pub nack: Value,
    /// After a read's `done`: the value read.
    pub rdata: Value,
    /// The SIO_C pin.
    pub sio_c: Value,
    /// Pull SIO_D low.
    pub sio_d_oe: Value,
    /// The SIO_D line as it is.
    pub sio_d_i: Value,
}

/// The signature of [`SccbPorts`].
#[derive(Clone, Copy, Debug)]
pub struct SccbSignature;

impl Signature for SccbSignature {
    type Interface = SccbPorts;

    fn build(&self, b: &mut Builder) -> SccbPorts {
        SccbPorts {
            start: b.input("start", unsigned(1)),
            read: b.input("read", unsigned(1)),
            address: b.input("address", unsigned(8)),
            data: b.input("data", unsigned(8)),
            busy: b.output("busy", unsigned(1)),
            done: b.output("done", unsigned(1)),
            nack: b.output("nack", unsigned(1)),
            rdata: b.output("rdata", unsigned(8)),
            sio_c: b.output("sio_c", unsigned(1)),
            sio_d_oe: b.output("sio_d_oe", unsigned(1)),
            sio_d_i: b.input("sio_d_i", unsigned(1)),
        }
    }
}

/// System clock cycles per quarter of an SIO_C period.
pub fn quarter_cycles(clk_hz: u64, scl_hz: u64) -> u64 {
    (clk_hz / (4 * scl_hz)).max(1)
}

/// An SCCB master in the `sync` domain clocked at `clk_hz`, with SIO_C at most `scl_hz`
/// (100 kHz is usual, 400 kHz the most the specification allows).
pub fn sccb_master(clk_hz: u64, scl_hz: u64) -> Component<SccbSignature> {
    let quarter = quarter_cycles(clk_hz, scl_hz);
    Component::build("sccb_master", SccbSignature, move |m, p| {
        // Quarter-period steps.
        let divider = m.signal("divider", hdl_dsl::Shape::for_unsigned(quarter as u128));
        let step = divider.is_eq(quarter - 1);
        m.if_(&step, |m| m.sync(divider.eq(0u8)))
            .else_(|m| m.sync(divider.eq(divider.wrapping_add(1u8))));
        let q = m.signal("quarter", unsigned(2));
        let last_quarter = q.is_eq(3u8);

        // The transfer: its kind and bytes, latched at start.
        let (read, reg, data) = (
            m.signal("is_read", unsigned(1)),
            m.signal("reg_l", unsigned(8)),
            m.signal("data_l", unsigned(8)),
        );
        let second = m.signal("second", unsigned(1)); // in a read's second transmission
        let n = m.signal("byte_index", unsigned(2));
        let bit = m.signal("bit_index", unsigned(4));
        let (nack, rdata) = (p.nack.clone(), p.rdata.clone());
        let tx = mux(
            n.is_eq(0u8),
            mux(&second, OV7670_WRITE_ADDRESS | 1, OV7670_WRITE_ADDRESS),
            mux(n.is_eq(1u8), mux(&read, mux(&second, 0xffu8, &reg), &reg), &data),
        );
        let last_byte = mux(&read, n.is_eq(1u8), n.is_eq(2u8));
        // Bits 0-7 most significant first, then the ninth; a released line reads 1.
        let out_bit = mux(bit.lt(8u8), tx.shr_var(!bit.trunc(3)).bit(0), 1u8);
        let (c, oe) = (p.sio_c.clone(), p.sio_d_oe.clone());

        let fsm = m.fsm("sccb");
        let begin = |m: &mut Module| m.sync([q.eq(0u8), divider.eq(0u8)]);
        m.state(fsm, "IDLE", |m| {
            m.sync([c.eq(1u8), oe.eq(0u8)]);
            m.if_(&p.start, |m| {
                m.sync([read.eq(&p.read), reg.eq(&p.address), data.eq(&p.data), second.eq(0u8), nack.eq(0u8)]);
                begin(m);
                m.next(fsm, "START");
            });
        });
        // Each step moves one quarter; a state's four quarters, then the next state.
        let advance = |m: &mut Module, next: &str| {
            m.if_(&step, |m| {
                m.sync(q.eq(q.wrapping_add(1u8)));
                m.if_(&last_quarter, |m| m.next(fsm, next));
            });
        };
        m.state(fsm, "START", |m| {
            // SIO_D falls while SIO_C is high, then SIO_C falls.
            m.if_(&step, |m| {
                m.switch(&q, |s| {
                    s.case(0u8, |m| m.sync(oe.eq(1u8)));
                    s.case(1u8, |m| m.sync(c.eq(0u8)));
                    s.default(|_| {});
                });
            });
            m.if_(&step & &last_quarter, |m| m.sync([n.eq(0u8), bit.eq(0u8)]));
            advance(m, "BITS");
        });
        m.state(fsm, "BITS", |m| {
            m.if_(&step, |m| {
                m.switch(&q, |s| {
                    // Quarter 0 sets the data (SIO_C low), 2 raises SIO_C, the end of 2
                    // samples, 3 keeps it high; the bit ends with SIO_C falling.
                    s.case(0u8, |m| m.sync(oe.eq(!out_bit.clone())));
                    s.case(1u8, |m| m.sync(c.eq(1u8)));
                    s.case(2u8, |m| {
                        let sampled = &p.sio_d_i;
                        // The ninth bit acknowledges, except after the data read, where
                        // it is the master's own NA.
                        let read_data = &read & &second & n.is_eq(1u8);
                        m.if_(bit.is_eq(8u8), |m| {
                            m.if_(sampled.clone() & !read_data, |m| m.sync(nack.eq(1u8)));
                        })
                        .elif(&read & &second & n.is_eq(1u8), |m| m.sync(rdata.eq(cat_bit(&rdata, sampled))));
                    });
                    s.case(3u8, |m| m.sync(c.eq(0u8)));
                });
                m.sync(q.eq(q.wrapping_add(1u8)));
                m.if_(&last_quarter, |m| {
                    m.if_(bit.is_eq(8u8), |m| {
                        m.sync(bit.eq(0u8));
                        m.if_(&last_byte, |m| m.next(fsm, "STOP"))
                            .else_(|m| m.sync(n.eq(n.wrapping_add(1u8))));
                    })
                    .else_(|m| m.sync(bit.eq(bit.wrapping_add(1u8))));
                });
            });
        });
        m.state(fsm, "STOP", |m| {
            // SIO_D low, SIO_C rises, then SIO_D rises while SIO_C is high.
            m.if_(&step, |m| {
                m.switch(&q, |s| {
                    s.case(0u8, |m| m.sync(oe.eq(1u8)));
                    s.case(1u8, |m| m.sync(c.eq(1u8)));
                    s.case(2u8, |m| m.sync(oe.eq(0u8)));
                    s.default(|_| {});
                });
            });
            m.if_(&step & &last_quarter & &read & !&second, |m| {
                m.sync([second.eq(1u8), n.eq(0u8)]);
                m.next(fsm, "GAP");
            })
            .elif(&step & &last_quarter, |m| m.next(fsm, "DONE"));
            m.if_(&step, |m| m.sync(q.eq(q.wrapping_add(1u8))));
        });
        // The bus rests a whole bit time between a read's two transmissions.
        m.state(fsm, "GAP", |m| advance(m, "START"));
        m.state(fsm, "DONE", |m| m.next(fsm, "IDLE"));
        m.comb([p.busy.eq(!fsm.ongoing("IDLE")), p.done.eq(fsm.ongoing("DONE"))]);
    })
}

/// `v` shifted left by one with `bit` coming in.
fn cat_bit(v: &Value, bit: &Value) -> Value {
    hdl_dsl::cat([bit.clone(), v.slice(0..v.width() - 1)])
}

/// Joins `oe` and `i` to an open-drain pin through the ECP5 `BB` primitive, instance
/// `name` of `m`: the pad is driven low while `oe` is high, else left to the pull-up;
/// `i` reads it. `pad` must be an inout port of the top module (`Module::inout`), so `m`
/// is the top; give the pin `PULLMODE=UP` in the constraints.
#[track_caller]
pub fn sio_pad(m: &mut Module, name: &str, oe: &Value, i: &Value, pad: &Value) {
    m.instance("BB", name)
        .input("I", 0u8)
        .input("T", !oe)
        .output("O", i)
        .inout("B", pad);
}
