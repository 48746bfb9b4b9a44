//! The ECP5 primitive models against what Lattice's technical notes define.

use hdl_dsl::{unsigned, Design, Module, ResetKind};
use hdl_sim::Simulator;

/// An `ODDRX1F` on the `sync` clock, its data from the inputs `d0`, `d1`.
fn ddr_out() -> Design {
    let mut m = Module::new("ddr_out");
    let clk = m.input("clk", unsigned(1));
    m.domain("sync", &clk, ResetKind::None, None);
    let d0 = m.input("d0", unsigned(1));
    let d1 = m.input("d1", unsigned(1));
    let q = m.output("q", unsigned(1));
    let alive = m.signal("alive", unsigned(1));
    m.sync(alive.eq(true));
    m.instance("ODDRX1F", "ddr")
        .input("SCLK", &clk)
        .input("RST", 0u8)
        .input("D0", &d0)
        .input("D1", &d1)
        .output("Q", &q);
    Design::elaborate(m).unwrap()
}

#[test]
fn oddrx1f_sends_d0_then_d1_one_period_after_sampling_them() {
    let design = ddr_out();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    sim.set_period(sync, 8_000);
    let (d0, d1, q) = (sim.signal("d0").unwrap(), sim.signal("d1").unwrap(), sim.signal("q").unwrap());
    // Two bits per period, from a fixed pseudo-random sequence.
    let bits: Vec<(u64, u64)> = (0..64u64).map(|i| ((i * 7 + 3) % 5 % 2, (i * 11 + 1) % 7 % 2)).collect();
    let mut halves = Vec::new();
    for &(a, b) in &bits {
        // Set between edges: the next rising edge samples them.
        sim.set(d0, a).unwrap();
        sim.set(d1, b).unwrap();
        sim.tick(sync);
        // Now just after rising edge n: sample the middle of the high and the low half.
        sim.run_for(2_000);
        let high = sim.get(q);
        sim.run_for(4_000);
        let low = sim.get(q);
        halves.push((high, low));
    }
    // The pair sampled at edge n is on the pin in period n + 1: D0 high, D1 low.
    for n in 0..bits.len() - 1 {
        assert_eq!(halves[n + 1], bits[n], "period {}", n + 1);
    }
}

/// A `MULT18X18D` with the register stages `stages` (of `INPUTA`, `INPUTB`, `PIPELINE`,
/// `OUTPUT`) on `CLK0`, operands and sign pins from inputs, the product on `p`.
fn multiplier(stages: &[&str]) -> Design {
    let mut m = Module::new("multiplier");
    let clk = m.input("clk", unsigned(1));
    m.domain("sync", &clk, ResetKind::None, None);
    let alive = m.signal("alive", unsigned(1));
    m.sync(alive.eq(true));
    let a = m.input("a", unsigned(18));
    let b = m.input("b", unsigned(18));
    let sa = m.input("sa", unsigned(1));
    let sb = m.input("sb", unsigned(1));
    let p = m.output("p", unsigned(36));
    let mut mult = m
        .instance("MULT18X18D", "mult")
        .input("SIGNEDA", &sa)
        .input("SIGNEDB", &sb)
        .input("CLK0", &clk)
        .input("RST0", 0u8);
    for stage in stages {
        mult = mult.param(&format!("REG_{stage}_CLK"), "CLK0");
    }
    for i in 0..18 {
        mult = mult.input(&format!("A{i}"), a.bit(i)).input(&format!("B{i}"), b.bit(i));
    }
    for i in 0..36 {
        mult = mult.output(&format!("P{i}"), &p.bit(i));
    }
    Design::elaborate(m).unwrap()
}

/// An 18-bit operand as a number: two's complement when `signed`.
fn operand(bits: u64, signed: bool) -> i64 {
    if signed {
        (bits as i64) << 46 >> 46
    } else {
        bits as i64
    }
}

#[test]
fn mult18x18d_multiplies_with_the_latency_of_its_register_stages() {
    let extremes: [(u64, u64, u64, u64); 5] = [
        // (a, b, signed a, signed b): -131072 x -131072, 131071 x -131072, 262143 x
        // 262143 unsigned, 262143 unsigned x -131072 signed, and zero.
        (0x20000, 0x20000, 1, 1),
        (0x1ffff, 0x20000, 1, 1),
        (0x3ffff, 0x3ffff, 0, 0),
        (0x3ffff, 0x20000, 0, 1),
        (0, 0x3ffff, 1, 0),
    ];
    let mut rng = hdl_sim::Xorshift::new(0x5eed);
    let mut inputs: Vec<(u64, u64, u64, u64)> = extremes.to_vec();
    inputs.extend((0..400).map(|_| {
        let r = rng.next();
        (r & 0x3ffff, r >> 18 & 0x3ffff, r >> 36 & 1, r >> 37 & 1)
    }));
    let configurations: [&[&str]; 5] = [
        &[],
        &["INPUTA", "INPUTB"],
        &["INPUTA", "INPUTB", "OUTPUT"],
        &["PIPELINE"],
        &["INPUTA", "INPUTB", "PIPELINE", "OUTPUT"],
    ];
    for stages in configurations {
        let latency =
            stages.iter().filter(|s| s.starts_with("INPUT")).count().min(1) + stages.iter().filter(|s| !s.starts_with("INPUT")).count();
        let design = multiplier(stages);
        let mut sim = Simulator::new(&design).unwrap();
        let sync = sim.domain("sync").unwrap();
        let [a, b, sa, sb, p] = ["a", "b", "sa", "sb", "p"].map(|n| sim.signal(n).unwrap());
        let mut products = Vec::new();
        for (n, &(x, y, sx, sy)) in inputs.iter().enumerate() {
            for (signal, value) in [(a, x), (b, y), (sa, sx), (sb, sy)] {
                sim.set(signal, value).unwrap();
            }
            products.push((operand(x, sx == 1) * operand(y, sy == 1)) as u64 & ((1 << 36) - 1));
            if n >= latency {
                assert_eq!(
                    sim.get(p),
                    products[n - latency],
                    "{stages:?}: the product of inputs {}",
                    n - latency
                );
            }
            sim.tick(sync);
        }
    }
}

/// A `BB` on the inout port `pad`, driven from the inputs `i` and `t`, read on `o`.
fn pad_buffer() -> Design {
    let mut m = Module::new("pad_top");
    let pad = m.inout("pad", unsigned(1));
    let i = m.input("i", unsigned(1));
    let t = m.input("t", unsigned(1));
    let o = m.output("o", unsigned(1));
    m.instance("BB", "pad_buffer")
        .input("I", &i)
        .input("T", &t)
        .output("O", &o)
        .inout("B", &pad);
    Design::elaborate(m).unwrap()
}

#[test]
fn a_pad_is_the_wired_and_of_the_design_the_board_and_the_pull_up() {
    let design = pad_buffer();
    let mut sim = Simulator::new(&design).unwrap();
    let pad = sim.pad("pad").unwrap();
    let (i, t, o) = (sim.signal("i").unwrap(), sim.signal("t").unwrap(), sim.signal("o").unwrap());
    // At the start the board has let go and the design drives I = 0 (T = 0).
    assert_eq!((sim.get(pad.outside), sim.get(pad.line)), (1, 0));
    // (T, I, board) -> pin: released by both, the pull-up holds it high; a 0 from
    // either side pulls it low; the design driving 1 against a board that lets go is 1.
    for (tv, iv, board, pin) in [
        (1, 0, 1, 1),
        (1, 1, 1, 1),
        (1, 0, 0, 0),
        (1, 1, 0, 0),
        (0, 0, 1, 0),
        (0, 1, 1, 1),
        (0, 0, 0, 0),
        (0, 1, 0, 0),
    ] {
        sim.set(t, tv).unwrap();
        sim.set(i, iv).unwrap();
        sim.set(pad.outside, board).unwrap();
        assert_eq!(sim.get(pad.line), pin, "T={tv} I={iv} board={board}");
        assert_eq!(sim.get(o), pin, "O reads the pin: T={tv} I={iv} board={board}");
    }
}
