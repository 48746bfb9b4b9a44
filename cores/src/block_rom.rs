//! Read-only memory in ECP5 block RAM: a [`block_ram`] per 1024 words, read through
//! the block's output register, and a fabric register after the blocks (and their
//! multiplexer, for more than one), since what reads a ROM (a multiplier's input
//! register) is usually far from it.

use std::fmt;

use hdl_dsl::{address_width, mux, unsigned, Builder, Component, ResetKind, Signature, Value};

use crate::block_ram::{block_ram, BlockRead, BLOCK_READ_LATENCY, BLOCK_WIDTH, BLOCK_WORDS};

/// Cycles from an address to its word: the block's address register, its output
/// register, the register after the blocks.
pub const ROM_LATENCY: u32 = BLOCK_READ_LATENCY + 1;

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
                "a block ROM's words are 1 to {BLOCK_WIDTH} bits wide (a DP16KD port reads at most 18), not {w}"
            ),
            RomError::WordTooWide { index, word, width } => {
                write!(f, "word {index} of the ROM, {word:#x}, does not fit its {width} bits")
            }
        }
    }
}

impl std::error::Error for RomError {}

/// A ROM holding `words`, `width` bits each, read on `clk`: ⌈words / 1024⌉ [`block_ram`]s,
/// for more than one a multiplexer after them on the address's high bits (delayed to
/// match), then a register.
pub fn block_rom(width: u32, words: &[u32]) -> Result<Component<RomSignature>, RomError> {
    if words.is_empty() {
        return Err(RomError::Empty);
    }
    if !(1..=BLOCK_WIDTH).contains(&width) {
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
        let read = BlockRead {
            clk: p.clk.clone(),
            addr: p.addr.clone(),
        };
        let outputs: Vec<Value> = words
            .chunks(BLOCK_WORDS as usize)
            .enumerate()
            .map(|(b, block)| block_ram(m, &format!("block{b}"), width, &read, None, block))
            .collect();
        // The block a read came from, known when its word is.
        let data = if outputs.len() == 1 {
            outputs[0].clone()
        } else {
            let which = m.delayed("block_at", &p.addr.slice(10..p.addr.width()), BLOCK_READ_LATENCY);
            let last = outputs.len() - 1;
            outputs[..last]
                .iter()
                .enumerate()
                .rev()
                .fold(outputs[last].clone(), |rest, (b, out)| mux(which.is_eq(b as u64), out, rest))
        };
        let out = m.delayed("data_out", &data, 1);
        m.comb(p.data.eq(out));
    }))
}
