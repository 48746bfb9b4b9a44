//! Read-only memory in ECP5 block RAM with the output register on: a `DP16KD` per 1024
//! words, instantiated rather than inferred, because `synth_ecp5` leaves an inferred
//! memory's output register in the fabric, and the block's clock-to-out without it
//! (5.6 ns on the 85F) is what limits a coefficient ROM feeding a multiplier.

use std::fmt;

use hdl_dsl::{address_width, cat, mux, unsigned, Bits, Builder, Component, ResetKind, Signature, Value};

/// Cycles from an address to its word: the block's address register, then its output
/// register.
pub const ROM_LATENCY: u32 = 2;

/// Words per `DP16KD` at up to 18 bits.
pub const BLOCK_WORDS: u32 = 1024;

/// The widest word a `DP16KD` port reads (36 bits is the separate `PDPW16KD`).
pub const MAX_ROM_WIDTH: u32 = 18;

/// The ports of a ROM.
#[derive(Clone, Debug)]
pub struct RomPorts {
    /// The clock the blocks read on (a primitive's clock pin needs the signal itself).
    pub clk: Value,
    /// The word to read.
    pub addr: Value,
    /// The word at the address of [`ROM_LATENCY`] cycles before.
    pub data: Value,
}

/// The signature of [`RomPorts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RomSignature {
    /// Words.
    pub depth: u32,
    /// Bits a word.
    pub width: u32,
}

impl Signature for RomSignature {
    type Interface = RomPorts;

    fn build(&self, b: &mut Builder) -> RomPorts {
        RomPorts {
            clk: b.input("clk", unsigned(1)),
            addr: b.input("addr", unsigned(address_width(self.depth))),
            data: b.output("data", unsigned(self.width)),
        }
    }
}

/// Why a ROM cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RomError {
    /// No words.
    Empty,
    /// The word width is outside 1..=18.
    Width(u32),
    /// A word does not fit the width.
    WordTooWide {
        /// Where it is.
        index: usize,
        /// The word.
        word: u32,
        /// The width asked for.
        width: u32,
    },
}

impl fmt::Display for RomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RomError::Empty => write!(f, "a block ROM needs at least one word"),
            RomError::Width(w) => write!(
                f,
                "a block ROM's words are 1 to {MAX_ROM_WIDTH} bits wide (a DP16KD port reads at most 18), not {w}"
            ),
            RomError::WordTooWide { index, word, width } => {
                write!(f, "word {index} of the ROM, {word:#x}, does not fit its {width} bits")
            }
        }
    }
}

impl std::error::Error for RomError {}

/// A ROM holding `words`, `width` bits each, read on `clk`: ⌈words / 1024⌉ `DP16KD` of 1024 x
/// 18 with `REGMODE_A = "OUTREG"`, and for more than one block a multiplexer after them
/// on the address's high bits, delayed to match.
pub fn block_rom(width: u32, words: &[u32]) -> Result<Component<RomSignature>, RomError> {
    if words.is_empty() {
        return Err(RomError::Empty);
    }
    if !(1..=MAX_ROM_WIDTH).contains(&width) {
        return Err(RomError::Width(width));
    }
    if let Some((index, &word)) = words.iter().enumerate().find(|(_, w)| u64::from(**w) >> width != 0) {
        return Err(RomError::WordTooWide { index, word, width });
    }
    let signature = RomSignature {
        depth: words.len() as u32,
        width,
    };
    let words = words.to_vec();
    Ok(Component::build("block_rom", signature, move |m, p| {
        m.domain("sync", &p.clk, ResetKind::None, None);
        let blocks: Vec<&[u32]> = words.chunks(BLOCK_WORDS as usize).collect();
        // An 18-bit word's row is at `AD[13:4]`; `AD[1:0]` are write byte enables.
        let row = cat([Value::from(Bits::zero(4)), p.addr.trunc(p.addr.width().min(10)).zext(10)]);
        let mut outputs = Vec::with_capacity(blocks.len());
        for (b, block) in blocks.iter().enumerate() {
            let data = m.signal(format!("block{b}_data"), unsigned(18));
            let mut ram = m
                .instance("DP16KD", &format!("block{b}"))
                .param("DATA_WIDTH_A", 18)
                .param("DATA_WIDTH_B", 18)
                .param("REGMODE_A", "OUTREG")
                .input("CLKA", &p.clk)
                .input("CEA", 1u8)
                .input("OCEA", 1u8)
                .input("WEA", 0u8)
                .input("RSTA", 0u8)
                .input_bus("CSA", Value::from(Bits::zero(3)))
                .input_bus("ADA", &row)
                .input_bus("DIA", Value::from(Bits::zero(18)))
                .output_bus("DOA", &data);
            // Rows left out are zero.
            for (chunk, rows) in block.chunks(16).enumerate().filter(|(_, rows)| rows.iter().any(|&w| w != 0)) {
                ram = ram.param(&format!("INITVAL_{chunk:02X}"), initval(rows));
            }
            outputs.push(data.trunc(width));
        }
        // The block a read came from, known two cycles later.
        let data = if outputs.len() == 1 {
            outputs.pop().expect("one block")
        } else {
            let high = p.addr.slice(10..p.addr.width());
            let mut which = high;
            for stage in 0..ROM_LATENCY {
                let next = m.signal(format!("block_at{stage}"), unsigned(which.width()));
                m.sync(next.eq(&which));
                which = next;
            }
            let last = outputs.len() - 1;
            outputs[..last]
                .iter()
                .enumerate()
                .rev()
                .fold(outputs[last].clone(), |rest, (b, out)| mux(which.is_eq(b as u64), out, rest))
        };
        m.comb(p.data.eq(data));
    }))
}

/// An `INITVAL_xx` for up to 16 rows: 20 bits a row, the low 18 of them the word.
fn initval(rows: &[u32]) -> Bits {
    let mut bits = Bits::zero(320);
    for (r, word) in rows.iter().enumerate() {
        for k in 0..18 {
            bits.set_bit(r as u32 * 20 + k, (word >> k) & 1 == 1);
        }
    }
    bits
}
