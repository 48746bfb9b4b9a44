//! The MAC array and the block ROM simulated through the `MULT18X18D` and `DP16KD`
//! models, against integer arithmetic written here: every sum and every requantised
//! output, each at the cycle the latency promises, on seeded random streams with gaps,
//! and the multiplier's extremes.

use hdl_cores::block_rom::{block_rom, RomError, ROM_LATENCY};
use hdl_cores::mac_array::{mac_array, MacArray, MacArrayError, Requantise};
use hdl_dsl::{signed, unsigned, Bits, Design, Shape};
use hdl_sim::{Simulator, Xorshift};

/// One cycle of input.
struct Cycle {
    valid: bool,
    addr: u32,
    operands: Vec<i64>,
    bias: i64,
}

/// An output: when it is seen (ticks after the first), its sum and its `o`.
#[derive(Debug, PartialEq, Eq)]
struct Output {
    tick: usize,
    sum: i64,
    o: i64,
}

/// `x` in `bits` signed bits, wrapped.
fn wrap(x: i128, bits: u32) -> i64 {
    ((x << (128 - bits)) >> (128 - bits)) as i64
}

/// What the array must give: per output of `products` valid cycles, the bias of its
/// first, plus every lane's coefficient times its operand, in the accumulator's width;
/// then rounded half up, shifted and clamped. It is seen `latency` cycles after its last
/// product came in, i.e. after the edge `latency - 1` edges after the one that took it.
fn expected(config: &MacArray, cycles: &[Cycle]) -> Vec<Output> {
    let mut outputs = Vec::new();
    let (mut sum, mut n) = (0i128, 0);
    for (t, c) in cycles.iter().enumerate().filter(|(_, c)| c.valid) {
        if n == 0 {
            sum = c.bias as i128;
        }
        for (lane, &a) in c.operands.iter().enumerate() {
            sum += config.coefficients[lane][c.addr as usize] as i128 * a as i128;
        }
        n += 1;
        if n == config.products {
            let sum = wrap(sum, config.accumulator_bits);
            let Requantise { shift, clamp } = config.requantise;
            let rounded = if shift == 0 { sum } else { (sum + (1 << (shift - 1))) >> shift };
            outputs.push(Output {
                tick: t + config.latency() as usize - 1,
                sum,
                o: rounded.clamp(clamp.0, clamp.1),
            });
            n = 0;
        }
    }
    outputs
}

/// Runs the array on `cycles` (and enough idle ones after) and returns its outputs.
fn simulate(config: &MacArray, cycles: &[Cycle]) -> Vec<Output> {
    let design = Design::elaborate(mac_array(config).unwrap().into_module()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.clock(sim.signal("clk").unwrap()).unwrap();
    let [valid, addr, a, bias, o_valid, sum, o] = ["valid", "addr", "a", "bias", "o_valid", "sum", "o"].map(|n| sim.signal(n).unwrap());
    let w = config.operand.width;
    let idle = Cycle {
        valid: false,
        addr: 0,
        operands: vec![0; config.lanes as usize],
        bias: 0,
    };
    let mut outputs = Vec::new();
    let after = (0..config.latency() + 2).map(|_| &idle);
    for (t, c) in cycles.iter().chain(after).enumerate() {
        sim.set(valid, c.valid as u64).unwrap();
        sim.set(addr, u64::from(c.addr)).unwrap();
        let mut packed = Bits::zero(config.lanes * w);
        for (lane, &v) in c.operands.iter().enumerate() {
            for k in 0..w {
                packed.set_bit(lane as u32 * w + k, (v >> k) & 1 == 1);
            }
        }
        sim.set_bits(a, &packed).unwrap();
        sim.set_i64(bias, c.bias).unwrap();
        sim.tick(clk);
        if sim.get(o_valid) == 1 {
            let o = if config.out_shape().signed {
                sim.get_i64(o)
            } else {
                sim.get(o) as i64
            };
            outputs.push(Output {
                tick: t,
                sum: sim.get_i64(sum),
                o,
            });
        }
    }
    outputs
}

/// A random value of `shape`, an extreme one time in eight.
fn draw(rng: &mut Xorshift, shape: Shape) -> i64 {
    let w = shape.width;
    let (lo, hi) = if shape.signed {
        (-(1i64 << (w - 1)), (1i64 << (w - 1)) - 1)
    } else {
        (0, (1i64 << w) - 1)
    };
    match rng.next() % 8 {
        0 => lo,
        1 => hi,
        _ => lo + (rng.next() % (hi - lo + 1) as u64) as i64,
    }
}

fn random_coefficients(rng: &mut Xorshift, lanes: u32, depth: usize) -> Vec<Vec<i32>> {
    (0..lanes)
        .map(|_| (0..depth).map(|_| draw(rng, signed(18)) as i32).collect())
        .collect()
}

/// `outputs` outputs of random products, with a gap before a product one time in
/// `gap_one_in` (never, at 0).
fn stream(rng: &mut Xorshift, config: &MacArray, outputs: usize, gap_one_in: u64, bias: i64) -> Vec<Cycle> {
    let depth = config.coefficients[0].len() as u64;
    let mut cycles = Vec::new();
    for _ in 0..outputs * config.products as usize {
        while gap_one_in > 0 && rng.next().is_multiple_of(gap_one_in) {
            cycles.push(Cycle {
                valid: false,
                addr: (rng.next() % depth) as u32,
                operands: (0..config.lanes).map(|_| draw(rng, config.operand)).collect(),
                bias: 0,
            });
        }
        cycles.push(Cycle {
            valid: true,
            addr: (rng.next() % depth) as u32,
            operands: (0..config.lanes).map(|_| draw(rng, config.operand)).collect(),
            bias: (rng.next() % (2 * bias as u64 + 1)) as i64 - bias,
        });
    }
    cycles
}

fn assert_exact(config: &MacArray, cycles: &[Cycle], outputs: usize) {
    let want = expected(config, cycles);
    assert_eq!(want.len(), outputs);
    let got = simulate(config, cycles);
    assert_eq!(got.len(), want.len(), "outputs given");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "output {i}");
    }
}

#[test]
fn pixels_by_coefficients_in_five_lanes_with_gaps() {
    let mut rng = Xorshift::new(0x6d61_6301);
    let config = MacArray {
        lanes: 5,
        products: 4,
        operand: unsigned(8),
        coefficients: random_coefficients(&mut rng, 5, 40),
        accumulator_bits: 28,
        requantise: Requantise {
            shift: 12,
            clamp: (0, 255),
        },
    };
    // The ROM (block, output register, fabric register), the multiplier, two registers,
    // the accumulator and its register, three tree levels, the bias sum and the output.
    assert_eq!(config.latency(), 14);
    let cycles = stream(&mut rng, &config, 300, 3, 1 << 20);
    assert_exact(&config, &cycles, 300);
}

#[test]
fn signed_extremes_one_product_a_lane_every_cycle() {
    let mut rng = Xorshift::new(0x6d61_6302);
    let mut coefficients = random_coefficients(&mut rng, 3, 16);
    coefficients[0][0] = -131_072;
    coefficients[1][0] = 131_071;
    let config = MacArray {
        lanes: 3,
        products: 1,
        operand: signed(18),
        coefficients,
        accumulator_bits: 40,
        requantise: Requantise {
            shift: 0,
            clamp: (-(1 << 39), (1 << 39) - 1),
        },
    };
    assert_eq!(config.latency(), 13);
    let mut cycles = stream(&mut rng, &config, 400, 0, 1 << 30);
    // -131072 x -131072 and 131071 x -131072 in one output, and the reverse.
    cycles[0].addr = 0;
    cycles[0].operands = vec![-131_072, -131_072, 0];
    cycles[1].addr = 0;
    cycles[1].operands = vec![131_071, -131_072, 131_071];
    assert_exact(&config, &cycles, 400);
}

#[test]
fn unsigned_18_bit_operands_by_signed_coefficients_in_one_lane() {
    let mut rng = Xorshift::new(0x6d61_6303);
    let mut coefficients = random_coefficients(&mut rng, 1, 3000);
    coefficients[0][2999] = -131_072;
    let config = MacArray {
        lanes: 1,
        products: 7,
        operand: unsigned(18),
        coefficients,
        accumulator_bits: 48,
        requantise: Requantise {
            shift: 3,
            clamp: (-(1 << 40), 1 << 40),
        },
    };
    assert_eq!(config.latency(), 11);
    let mut cycles = stream(&mut rng, &config, 100, 5, 1000);
    // 262143 x -131072, seven times, from the last row of the third block.
    for c in cycles.iter_mut().filter(|c| c.valid).take(7) {
        c.addr = 2999;
        c.operands = vec![262_143];
    }
    assert_exact(&config, &cycles, 100);
}

#[test]
fn a_block_rom_of_three_blocks_reads_every_word_three_cycles_later() {
    let mut rng = Xorshift::new(0x726f_6d01);
    let words: Vec<u32> = (0..2500).map(|_| (rng.next() % (1 << 18)) as u32).collect();
    let design = Design::elaborate(block_rom(18, &words).unwrap().into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.clock(sim.signal("clk").unwrap()).unwrap();
    let (addr, data) = (sim.signal("addr").unwrap(), sim.signal("data").unwrap());
    let addresses: Vec<u64> = (0..3000).map(|i| if i < 2500 { i } else { rng.next() % 2500 }).collect();
    let mut seen = Vec::new();
    for &a in &addresses {
        sim.set(addr, a).unwrap();
        sim.tick(clk);
        seen.push(sim.get(data));
    }
    assert_eq!(ROM_LATENCY, 3);
    for (t, &a) in addresses.iter().enumerate().skip(2) {
        // The word of the address presented two edges before the last: three cycles.
        assert_eq!(seen[t], u64::from(words[addresses[t - 2] as usize]), "read {t} of address {a}");
    }
}

#[test]
fn bad_configurations_are_refused_with_what_would_be_accepted() {
    let good = MacArray {
        lanes: 2,
        products: 2,
        operand: unsigned(8),
        coefficients: vec![vec![1, 2], vec![3, 4]],
        accumulator_bits: 28,
        requantise: Requantise { shift: 4, clamp: (0, 255) },
    };
    let refused = |change: &dyn Fn(&mut MacArray)| {
        let mut c = good.clone();
        change(&mut c);
        mac_array(&c).err().expect("refused").to_string()
    };
    assert!(mac_array(&good).is_ok());
    assert_eq!(
        refused(&|c| c.products = 0),
        "a MAC array needs at least one lane and one product per output; asked for 2 lanes of 0 products"
    );
    assert_eq!(
        refused(&|c| c.operand = signed(20)),
        "the data operand signed(20) does not fit an 18 x 18 multiplier: use up to 18 bits, signed or unsigned"
    );
    assert_eq!(
        refused(&|c| c.coefficients[1].push(5)),
        "a MAC array of 2 lanes needs 2 coefficient ROMs, all as deep and none empty; got depths [2, 3]"
    );
    assert_eq!(
        refused(&|c| c.coefficients[1][1] = 131_072),
        "coefficient 1 of lane 1, 131072, is not an 18-bit signed number (-131072 to 131071)"
    );
    assert_eq!(
        refused(&|c| c.accumulator_bits = 65),
        "the accumulator width must be 2 to 64 bits, not 65"
    );
    assert_eq!(
        refused(&|c| c.requantise.clamp = (0, 1 << 24)),
        "the clamp range 0..=16777216 is empty or wider than the accumulator's after the shift"
    );
    assert!(matches!(
        mac_array(&MacArray { lanes: 0, ..good.clone() }),
        Err(MacArrayError::Empty { lanes: 0, products: 2 })
    ));

    assert_eq!(block_rom(8, &[]).err(), Some(RomError::Empty));
    assert_eq!(
        block_rom(19, &[1]).err().unwrap().to_string(),
        "a block ROM's words are 1 to 18 bits wide (a DP16KD port reads at most 18), not 19"
    );
    assert_eq!(
        block_rom(4, &[1, 16]).err().unwrap().to_string(),
        "word 1 of the ROM, 0x10, does not fit its 4 bits"
    );
    assert_eq!(RomError::Empty.to_string(), "a block ROM needs at least one word");
}
