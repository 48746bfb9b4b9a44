//! An array of multiply-accumulate lanes for any dot product: a FIR filter as well as a
//! folded convolution. Each of `P` lanes is one ECP5 `MULT18X18D`, instantiated with its
//! input and output registers, fed by its own coefficient ROM in a `DP16KD` with the
//! output register on; it sums `N` products per output (the time-multiplexing factor).
//! The lanes' sums meet in an adder tree with a register on every level, the bias is
//! added, and the requantisation stage rounds, shifts and clamps:
//!
//! ```text
//! sum = bias + Σ_lanes Σ_N coefficient · operand     (modulo 2^accumulator_bits)
//! out = clamp((sum + 2^(shift-1)) >> shift, lo, hi)  (round half up; no rounding at shift 0)
//! ```
//!
//! The registers follow what the 85F needs to close timing at 138 MHz (see the README):
//! two after each multiplier, one after each accumulator, one per tree level. Every
//! product of an output enters on a cycle with `valid` high, all lanes together, with
//! one coefficient address for all lanes; the `N`th valid cycle ends an output, whose
//! `o` comes out [`MacArray::latency`] cycles later with `o_valid`.

use std::fmt;

use hdl_dsl::{address_width, mux, signed, unsigned, Builder, Component, ResetKind, Shape, Signature, Value};

use crate::block_rom::{block_rom, ROM_LATENCY};

/// The multiplier's operand width.
const OPERAND_BITS: u32 = 18;

/// Registers between a multiplier's output and its lane's accumulator.
const AFTER_MULTIPLIER: u32 = 2;

/// Cycles through a `MULT18X18D` with its input and output registers.
const MULTIPLIER_LATENCY: u32 = 2;

/// The rounding shift and clamps after the sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requantise {
    /// Fraction bits dropped, rounding half up.
    pub shift: u32,
    /// The output range, inclusive.
    pub clamp: (i64, i64),
}

/// What a MAC array computes and how it is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacArray {
    /// Lanes: multipliers working side by side.
    pub lanes: u32,
    /// Products each lane adds up per output.
    pub products: u32,
    /// The data operand: signed or unsigned, up to 18 bits.
    pub operand: Shape,
    /// Per lane, its coefficient ROM: 18-bit signed words, every lane as deep.
    pub coefficients: Vec<Vec<i32>>,
    /// The width of every sum; exact as long as the true sum fits.
    pub accumulator_bits: u32,
    /// The stage after the sum.
    pub requantise: Requantise,
}

/// Why a MAC array cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MacArrayError {
    /// No lanes, or no products per output.
    Empty {
        /// Lanes asked for.
        lanes: u32,
        /// Products asked for.
        products: u32,
    },
    /// The operand does not fit the multiplier.
    Operand(Shape),
    /// The coefficient ROMs are not one per lane, all as deep and not empty.
    Roms {
        /// Lanes.
        lanes: u32,
        /// Each ROM's depth.
        depths: Vec<usize>,
    },
    /// A coefficient is not an 18-bit signed number.
    Coefficient {
        /// Its lane.
        lane: usize,
        /// Its address.
        address: usize,
        /// Its value.
        value: i32,
    },
    /// The accumulator width is outside 2..=64.
    Accumulator(u32),
    /// The clamp range is empty, or not within the accumulator's range.
    Clamp((i64, i64)),
}

impl fmt::Display for MacArrayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MacArrayError::Empty { lanes, products } => write!(
                f,
                "a MAC array needs at least one lane and one product per output; asked for {lanes} lanes of {products} products"
            ),
            MacArrayError::Operand(shape) => write!(
                f,
                "the data operand {shape} does not fit an 18 x 18 multiplier: use up to 18 bits, signed or unsigned"
            ),
            MacArrayError::Roms { lanes, depths } => write!(
                f,
                "a MAC array of {lanes} lanes needs {lanes} coefficient ROMs, all as deep and none empty; got depths {depths:?}"
            ),
            MacArrayError::Coefficient { lane, address, value } => write!(
                f,
                "coefficient {address} of lane {lane}, {value}, is not an 18-bit signed number (-131072 to 131071)"
            ),
            MacArrayError::Accumulator(bits) => {
                write!(f, "the accumulator width must be 2 to 64 bits, not {bits}")
            }
            MacArrayError::Clamp((lo, hi)) => write!(
                f,
                "the clamp range {lo}..={hi} is empty or wider than the accumulator's after the shift"
            ),
        }
    }
}

impl std::error::Error for MacArrayError {}

/// The ports of a MAC array, all in the domain of `clk`.
#[derive(Clone, Debug)]
pub struct MacArrayPorts {
    /// The clock (a primitive's clock pin needs the signal itself).
    pub clk: Value,
    /// This cycle carries a product for every lane.
    pub valid: Value,
    /// The coefficient address, the same for every lane.
    pub addr: Value,
    /// The lanes' data operands, lane 0 in the low bits.
    pub a: Value,
    /// Added to the sum: taken with the first product of each output.
    pub bias: Value,
    /// `o` and `sum` carry an output.
    pub o_valid: Value,
    /// The exact sum, bias included (signed, `accumulator_bits`).
    pub sum: Value,
    /// The sum requantised.
    pub o: Value,
}

/// The signature of [`MacArrayPorts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MacArraySignature {
    lanes: u32,
    operand: Shape,
    depth: u32,
    accumulator_bits: u32,
    out: Shape,
}

impl Signature for MacArraySignature {
    type Interface = MacArrayPorts;

    fn build(&self, b: &mut Builder) -> MacArrayPorts {
        MacArrayPorts {
            clk: b.input("clk", unsigned(1)),
            valid: b.input("valid", unsigned(1)),
            addr: b.input("addr", unsigned(address_width(self.depth))),
            a: b.input("a", unsigned(self.lanes * self.operand.width)),
            bias: b.input("bias", signed(self.accumulator_bits)),
            o_valid: b.output("o_valid", unsigned(1)),
            sum: b.output("sum", signed(self.accumulator_bits)),
            o: b.output("o", self.out),
        }
    }
}

impl MacArray {
    /// Cycles from the input of an output's last product to its `o_valid`: the ROM,
    /// the multiplier, the registers after it, the accumulator and its register, the
    /// tree, the bias and the requantisation.
    pub fn latency(&self) -> u32 {
        ROM_LATENCY + MULTIPLIER_LATENCY + AFTER_MULTIPLIER + 2 + tree_levels(self.lanes) + 2
    }

    /// The shape of `o`: the smallest that holds the clamp range.
    pub fn out_shape(&self) -> Shape {
        Shape::for_range(self.requantise.clamp.0 as i128, self.requantise.clamp.1 as i128)
    }

    fn check(&self) -> Result<(), MacArrayError> {
        if self.lanes == 0 || self.products == 0 {
            return Err(MacArrayError::Empty {
                lanes: self.lanes,
                products: self.products,
            });
        }
        if self.operand.width == 0 || self.operand.width > OPERAND_BITS {
            return Err(MacArrayError::Operand(self.operand));
        }
        let depths: Vec<usize> = self.coefficients.iter().map(Vec::len).collect();
        if depths.len() != self.lanes as usize || depths[0] == 0 || depths.iter().any(|&d| d != depths[0]) {
            return Err(MacArrayError::Roms { lanes: self.lanes, depths });
        }
        for (lane, rom) in self.coefficients.iter().enumerate() {
            if let Some((address, &value)) = rom.iter().enumerate().find(|(_, c)| !(-(1 << 17)..1 << 17).contains(*c)) {
                return Err(MacArrayError::Coefficient { lane, address, value });
            }
        }
        if !(2..=64).contains(&self.accumulator_bits) {
            return Err(MacArrayError::Accumulator(self.accumulator_bits));
        }
        let (lo, hi) = self.requantise.clamp;
        let top = 1i128 << (self.accumulator_bits - 1);
        let (min, max) = (-top >> self.requantise.shift, (top - 1) >> self.requantise.shift);
        if lo > hi || (lo as i128) < min || (hi as i128) > max {
            return Err(MacArrayError::Clamp((lo, hi)));
        }
        Ok(())
    }
}

/// Levels of a binary adder tree over `n` inputs.
fn tree_levels(n: u32) -> u32 {
    n.next_power_of_two().trailing_zeros()
}

/// Builds the MAC array `config` describes.
pub fn mac_array(config: &MacArray) -> Result<Component<MacArraySignature>, MacArrayError> {
    config.check()?;
    let depth = config.coefficients[0].len() as u32;
    let acc = config.accumulator_bits;
    let signature = MacArraySignature {
        lanes: config.lanes,
        operand: config.operand,
        depth,
        accumulator_bits: acc,
        out: config.out_shape(),
    };
    let config = config.clone();
    Ok(Component::build("mac_array", signature, move |m, p| {
        m.domain("sync", &p.clk, ResetKind::None, None);
        let w = config.operand.width;

        // Which product of its output each valid cycle carries.
        let count = m.signal("count", Shape::for_unsigned(u128::from(config.products)));
        let first = count.is_eq(0u8);
        let last = count.is_eq(u64::from(config.products - 1));
        m.if_(&p.valid, |m| {
            m.sync(count.eq(mux(&last, 0u8, count.wrapping_add(1u8))));
        });

        // The operands and flags wait for the ROMs, then for the multipliers and the
        // registers after them.
        let to_accumulator = ROM_LATENCY + MULTIPLIER_LATENCY + AFTER_MULTIPLIER;
        let operands = m.delayed("operands", &p.a, ROM_LATENCY);
        let valid = m.delayed("valid_at", &p.valid, to_accumulator);
        let first = m.delayed("first_at", &(&p.valid & &first), to_accumulator);
        // An output is done when its lane totals are: after the accumulator and its register.
        let done = m.delayed("done_at", &(&p.valid & &last), to_accumulator + 2);
        let bias = m.delayed("bias_at", &p.bias, to_accumulator);

        let mut lane_sums = Vec::with_capacity(config.lanes as usize);
        for (lane, rom_words) in config.coefficients.iter().enumerate() {
            let words: Vec<u32> = rom_words.iter().map(|&c| (c as u32) & 0x3ffff).collect();
            let rom = m.add(format!("rom{lane}"), block_rom(18, &words).expect("coefficients checked"));
            m.comb([rom.clk.eq(&p.clk), rom.addr.eq(&p.addr)]);
            let operand = operands.slice(lane as u32 * w..(lane as u32 + 1) * w);
            let operand = if config.operand.signed {
                operand.as_signed().sext(OPERAND_BITS)
            } else {
                operand.zext(OPERAND_BITS)
            };
            // Only the product's bits the accumulator keeps are connected.
            let product = m.signal(format!("product{lane}"), unsigned(acc.min(36)));
            m.instance("MULT18X18D", &format!("mult{lane}"))
                .param("REG_INPUTA_CLK", "CLK0")
                .param("REG_INPUTB_CLK", "CLK0")
                .param("REG_OUTPUT_CLK", "CLK0")
                .input("CLK0", &p.clk)
                .input("CE0", 1u8)
                .input("RST0", 0u8)
                .input("SIGNEDA", u8::from(config.operand.signed))
                .input("SIGNEDB", 1u8)
                .input_bus("A", &operand)
                .input_bus("B", &rom.data)
                .output_bus("P", &product);
            // The product is signed: the coefficient is.
            let product = m
                .delayed(&format!("product{lane}_at"), &product.as_signed(), AFTER_MULTIPLIER)
                .sext(acc);
            let sum = m.signal(format!("lane{lane}_sum"), signed(acc));
            let start = if lane == 0 {
                bias.clone()
            } else {
                Value::from(0u8).zext(acc).as_signed()
            };
            m.if_(&valid, |m| {
                m.sync(sum.eq(mux(&first, &start, &sum).wrapping_add(&product)));
            });
            lane_sums.push(m.delayed(&format!("lane{lane}_total"), &sum, 1));
        }

        // The adder tree: pairs, a register on each level.
        let mut level = 0;
        while lane_sums.len() > 1 {
            lane_sums = lane_sums
                .chunks(2)
                .enumerate()
                .map(|(i, pair)| {
                    let s = match pair {
                        [a, b] => a.wrapping_add(b),
                        [a] => a.clone(),
                        _ => unreachable!("chunks of two"),
                    };
                    m.delayed(&format!("tree{level}_{i}_"), &s, 1)
                })
                .collect();
            level += 1;
        }
        let done = m.delayed("done_tree", &done, tree_levels(config.lanes));

        // The sum, then the rounding shift and the clamps.
        let total = m.delayed("total", &lane_sums[0], 1);
        let done = m.delayed("done_total", &done, 1);
        let Requantise { shift, clamp: (lo, hi) } = config.requantise;
        let rounded = if shift == 0 {
            total.clone()
        } else {
            (&total.sext(acc + 1) + (1i64 << (shift - 1))).trunc(acc + 1).shr(shift)
        };
        let out = config.out_shape();
        let (lo_v, hi_v) = (hdl_dsl::constant(lo as i128, out), hdl_dsl::constant(hi as i128, out));
        let inside = rounded.trunc(out.width);
        let inside = if out.signed { inside.as_signed() } else { inside.as_unsigned() };
        let clamped = mux(rounded.lt(lo), &lo_v, mux(rounded.gt(hi), &hi_v, inside));
        let (o, sum, o_valid) = (p.o.clone(), p.sum.clone(), p.o_valid.clone());
        m.sync([o.eq(clamped), sum.eq(&total), o_valid.eq(&done)]);
    }))
}
