//! `DP16KD`: the ECP5's 18-kbit true dual-port block RAM (Lattice TN1264).

use hdl_dsl::{cat, constant, mux, unsigned, Bits, Module, ResetKind, Value};

use super::{netlist, Params, PrimitiveModel, Wiring};
use crate::error::SimError;

/// Rows of the array: 1024 of 18 bits (two 9-bit bytes).
const ROWS: u32 = 1024;

/// The pins of one port, and what its parameters make of it.
struct Port {
    name: char,
    width: u32,
    outreg: bool,
    writemode: &'static str,
    /// The chip-select value that selects the port.
    select: u64,
}

/// A `DP16KD`. The array is 1024 rows of 18 bits; a port `DATA_WIDTH` bits wide sees it
/// as words of that width at the address's high bits: 18 bits at `AD[13:4]` (with
/// `AD[1:0]` enabling the low and high byte of a write), 9 bits at `AD[13:3]` (one byte
/// each), and 4, 2 or 1 bits at `AD[13:2]`, `AD[13:1]`, `AD[13:0]`, packed into the 16
/// data bits of a row (bits 0–7 and 9–16; the ninth bit of each byte is parity, used
/// only by the 9- and 18-bit widths). Data enter on `DI[width-1:0]` and leave on
/// `DO[width-1:0]`, the other `DO` pins reading zero.
///
/// A port acts at the rising edge of its `CLK` while `CE` is high and `CS[2:0]` equals
/// its `CSDECODE`: it writes when `WE` is high, and its output latch takes the word read
/// (before the write), except during a write, when `WRITEMODE` decides: `NORMAL` holds
/// the latch, `WRITETHROUGH` shows the word written, `READBEFOREWRITE` the word it
/// replaced. With `REGMODE = "OUTREG"` the output register takes the latch at each edge
/// where `OCE` is high, adding a cycle of latency. `RST` clears the latch and the output
/// register (at the edge, or at once with `RESETMODE = "ASYNC"`). `INITVAL_xx` holds rows
/// `16·xx` to `16·xx + 15`, twenty bits per row of which the low eighteen are used.
///
/// Two ports writing the same row at the same edge is a collision TN1264 leaves
/// undefined; here port B's write wins.
///
/// A port leaves out the logic `used` says never acts: its writes when `WE` or `CE` is
/// tied low, its output when none of its `DO` pins is connected.
pub(super) fn dp16kd(p: &Params, used: [PortUse; 2]) -> Result<PrimitiveModel, SimError> {
    let reset = match p.choice("RESETMODE", "SYNC", &["SYNC", "ASYNC"])? {
        "SYNC" => ResetKind::Sync,
        _ => ResetKind::Async,
    };
    // Pin inversions are not modelled: each `<pin>MUX` must name its own pin.
    for (name, value) in p.list {
        if let Some(pin) = name.strip_suffix("MUX") {
            if *value != hdl_dsl::Param::Str(pin.to_owned()) {
                return Err(p.unsupported(name, value, format!("\"{pin}\"")));
            }
        }
    }
    let mut init = Vec::with_capacity(ROWS as usize);
    for chunk in 0..ROWS / 16 {
        let bits = p.bits(&format!("INITVAL_{chunk:02X}"), 320)?.unwrap_or_else(|| Bits::zero(320));
        for row in 0..16 {
            let mut word = 0i128;
            for bit in 0..18 {
                word |= (bits.bit(row * 20 + bit) as i128) << bit;
            }
            init.push(word);
        }
    }
    let mut ports = Vec::new();
    for name in ['A', 'B'] {
        let csdecode = p.choice(
            &format!("CSDECODE_{name}"),
            "0b000",
            &["0b000", "0b001", "0b010", "0b011", "0b100", "0b101", "0b110", "0b111"],
        )?;
        ports.push(Port {
            name,
            width: p.int(&format!("DATA_WIDTH_{name}"), 18, 1..=18).and_then(|w| {
                [1, 2, 4, 9, 18].contains(&w).then_some(w as u32).ok_or_else(|| {
                    p.unsupported(
                        &format!("DATA_WIDTH_{name}"),
                        &hdl_dsl::Param::Int(w as i64),
                        "1, 2, 4, 9, 18".into(),
                    )
                })
            })?,
            outreg: p.choice(&format!("REGMODE_{name}"), "NOREG", &["NOREG", "OUTREG"])? == "OUTREG",
            writemode: p.choice(
                &format!("WRITEMODE_{name}"),
                "NORMAL",
                &["NORMAL", "WRITETHROUGH", "READBEFOREWRITE"],
            )?,
            select: u64::from_str_radix(&csdecode[2..], 2).unwrap_or(0),
        });
    }

    let mut m = Module::new("DP16KD_model");
    let rows = m.memory_init("rows", unsigned(18), ROWS, init);
    for (port, used) in ports.iter().zip(used) {
        if !used.writes && !used.reads {
            continue;
        }
        let n = port.name;
        let bus =
            |m: &mut Module, pin: &str, bits: u32| cat((0..bits).map(|i| m.input(format!("{pin}{n}{i}"), unsigned(1))).collect::<Vec<_>>());
        let di = bus(&mut m, "DI", 18);
        let ad = bus(&mut m, "AD", 14);
        let cs = bus(&mut m, "CS", 3);
        let [ce, oce, clk, we, rst] = ["CE", "OCE", "CLK", "WE", "RST"].map(|pin| m.input(format!("{pin}{n}"), unsigned(1)));

        let row = ad.slice(4..14);
        let old = m.async_read_port(rows);
        m.comb(old.addr.eq(&row));
        let (mask, data) = lanes(port.width, &ad, &di);
        let new = (&old.data & !&mask) | (&data & &mask);
        let active = &ce & cs.is_eq(port.select);
        if used.writes {
            let write_domain = format!("write_{n}");
            m.domain(&write_domain, &clk, ResetKind::None, None);
            let w = m.write_port(rows, &write_domain);
            m.comb([w.addr.eq(&row), w.data.eq(&new), w.en.eq(&active & &we)]);
        }
        if !used.reads {
            continue;
        }
        let out_domain = format!("out_{n}");
        m.domain(&out_domain, &clk, reset, Some(&rst));
        let latch = m.signal(format!("latch_{n}"), unsigned(port.width));
        let read_old = read(port.width, &ad, &old.data);
        let seen = match port.writemode {
            "NORMAL" => mux(&we, &latch, &read_old),
            "WRITETHROUGH" => mux(&we, read(port.width, &ad, &new), &read_old),
            _ => read_old,
        };
        m.if_(&active, |m| m.sync_in(&out_domain, latch.eq(&seen)));
        let out = if port.outreg {
            let reg = m.signal(format!("out_{n}"), unsigned(port.width));
            m.if_(&oce, |m| m.sync_in(&out_domain, reg.eq(&latch)));
            reg
        } else {
            latch
        };
        for i in 0..18 {
            let pin = m.output(format!("DO{n}{i}"), unsigned(1));
            m.comb(pin.eq(if i < port.width { out.bit(i) } else { Value::from(false) }));
        }
    }
    Ok(PrimitiveModel::plain(netlist(m)))
}

/// What of a port can act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PortUse {
    /// It can write: neither `WE` nor `CE` is tied low.
    writes: bool,
    /// Something reads its `DO` pins.
    reads: bool,
}

/// What of ports A and B can act, as the instance connects them.
pub(super) fn ports_used(wiring: &Wiring) -> [PortUse; 2] {
    ['A', 'B'].map(|n| PortUse {
        writes: !wiring.low(&format!("WE{n}")) && !wiring.low(&format!("CE{n}")),
        reads: wiring.drives(&format!("DO{n}")),
    })
}

/// The row bit that data bit `d` (0..16) of a narrow word occupies: the parity bits
/// 8 and 17 are skipped.
fn data_bit(d: u32) -> u32 {
    if d < 8 {
        d
    } else {
        d + 1
    }
}

/// The word at the address's low bits of an 18-bit row, for a port `width` bits wide.
fn read(width: u32, ad: &Value, row: &Value) -> Value {
    match width {
        18 => row.clone(),
        9 => row.word_select(ad.bit(3), 9),
        _ => {
            let data = cat((0..16).map(|d| row.bit(data_bit(d))).collect::<Vec<_>>());
            data.word_select(ad.slice(width.trailing_zeros()..4), width)
        }
    }
}

/// The row bits a write changes (`mask`) and their new values (`data`), for a port
/// `width` bits wide at address `ad` with data `di`.
fn lanes(width: u32, ad: &Value, di: &Value) -> (Value, Value) {
    match width {
        18 => (cat([ad.bit(0).replicate(9), ad.bit(1).replicate(9)]), di.clone()),
        9 => (
            cat([!ad.bit(3), ad.bit(3)].map(|b| b.replicate(9))),
            cat([di.slice(0..9), di.slice(0..9)]),
        ),
        _ => {
            let sub = ad.slice(width.trailing_zeros()..4);
            let mut mask = vec![Value::from(false); 18];
            let mut data = vec![Value::from(false); 18];
            for d in 0..16 {
                let j = data_bit(d) as usize;
                mask[j] = sub.is_eq(constant((d / width) as i128, unsigned(sub.width())));
                data[j] = di.bit(d % width);
            }
            (cat(mask), cat(data))
        }
    }
}
