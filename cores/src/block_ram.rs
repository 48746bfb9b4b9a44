//! One ECP5 `DP16KD` as a 1024 x 18 memory with a write port and a read port that reads
//! through the block's own output register (`REGMODE_B = "OUTREG"`).
//!
//! Cores instantiate the block rather than infer a memory because `synth_ecp5` leaves an
//! inferred memory's output register in the fabric, and the block's clock-to-out
//! without it (5.6 ns on the 85F, `../shared/reference/hardware-facts.md`) is then the
//! slowest path of anything that reads it at 125 MHz.

use hdl_dsl::{cat, unsigned, Bits, Module, Value};

/// Words a `DP16KD` holds at up to 18 bits.
pub const BLOCK_WORDS: u32 = 1024;

/// The widest word a `DP16KD` port reads (36 bits is the separate `PDPW16KD`).
pub const BLOCK_WIDTH: u32 = 18;

/// Cycles from a read address to its word: the block's address register, then its
/// output register.
pub const BLOCK_READ_LATENCY: u32 = 2;

/// A block's write port, on port A.
#[derive(Clone, Debug)]
pub struct BlockWrite {
    /// The clock it writes on (a primitive's clock pin needs the signal itself).
    pub clk: Value,
    /// Write this cycle.
    pub en: Value,
    /// The word written: its low 10 bits.
    pub addr: Value,
    /// The data written: up to 18 bits, zero-extended.
    pub data: Value,
}

/// A block's read port, on port B.
#[derive(Clone, Debug)]
pub struct BlockRead {
    /// The clock it reads on.
    pub clk: Value,
    /// The word read: its low 10 bits.
    pub addr: Value,
}

/// Instantiates `DP16KD` `name` of `width`-bit words holding `init` (word `k` at address
/// `k`, the rest zero; at most 1024 words), written through `write` if given, and returns
/// its read data, [`BLOCK_READ_LATENCY`] cycles of `read.clk` after the address.
///
/// # Panics
/// When `init` has more than 1024 words or `width` is not 1 to 18: the caller splits its
/// memory into blocks.
pub fn block_ram(m: &mut Module, name: &str, width: u32, read: &BlockRead, write: Option<&BlockWrite>, init: &[u32]) -> Value {
    assert!(
        init.len() <= BLOCK_WORDS as usize,
        "a DP16KD holds {BLOCK_WORDS} words, not {}",
        init.len()
    );
    assert!(
        (1..=BLOCK_WIDTH).contains(&width),
        "a DP16KD word is 1 to {BLOCK_WIDTH} bits, not {width}"
    );
    // An 18-bit word's row is at `AD[13:4]`; `AD[1:0]` enable a write's two bytes.
    let row = |addr: &Value, enables: u8| {
        let word = addr.trunc(addr.width().min(10)).zext(10);
        cat([Value::from(Bits::from_u128(u128::from(enables), 4)), word])
    };
    let data = m.signal(format!("{name}_data"), unsigned(width));
    let mut ram = m
        .instance("DP16KD", name)
        .param("DATA_WIDTH_A", BLOCK_WIDTH)
        .param("DATA_WIDTH_B", BLOCK_WIDTH)
        .param("REGMODE_B", "OUTREG");
    ram = match write {
        Some(w) => ram
            .input("CLKA", &w.clk)
            .input("CEA", 1u8)
            .input("WEA", &w.en)
            .input_bus("ADA", row(&w.addr, 0b11))
            .input_bus("DIA", w.data.zext(BLOCK_WIDTH)),
        None => ram
            .input("CLKA", 0u8)
            .input("CEA", 0u8)
            .input("WEA", 0u8)
            .input_bus("ADA", Value::from(Bits::zero(14)))
            .input_bus("DIA", Value::from(Bits::zero(BLOCK_WIDTH))),
    };
    ram = ram
        .input("OCEA", 0u8)
        .input("RSTA", 0u8)
        .input_bus("CSA", Value::from(Bits::zero(3)))
        .input("CLKB", &read.clk)
        .input("CEB", 1u8)
        .input("OCEB", 1u8)
        .input("WEB", 0u8)
        .input("RSTB", 0u8)
        .input_bus("CSB", Value::from(Bits::zero(3)))
        .input_bus("ADB", row(&read.addr, 0))
        .input_bus("DIB", Value::from(Bits::zero(BLOCK_WIDTH)))
        .output_bus("DOB", &data);
    // Rows left out are zero.
    for (chunk, rows) in init.chunks(16).enumerate().filter(|(_, rows)| rows.iter().any(|&w| w != 0)) {
        ram = ram.param(&format!("INITVAL_{chunk:02X}"), initval(rows));
    }
    data
}

/// An `INITVAL_xx` for up to 16 rows: 20 bits a row, the low 18 of them the word.
fn initval(rows: &[u32]) -> Bits {
    let mut bits = Bits::zero(320);
    for (r, word) in rows.iter().enumerate() {
        for k in 0..BLOCK_WIDTH {
            bits.set_bit(r as u32 * 20 + k, (word >> k) & 1 == 1);
        }
    }
    bits
}
