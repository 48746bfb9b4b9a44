//! Post-synthesis simulation: a design with block RAM and multipliers, as yosys
//! `synth_ecp5` maps it to ECP5 cells, simulated under Icarus (yosys's models of the logic
//! cells, this project's models of `DP16KD` and `MULT18X18D`) gives the same outputs,
//! every cycle, as hdl-sim running the design itself. The language memory becomes a
//! `DP16KD` and the language multiply a `MULT18X18D` only in the netlist, so this is
//! also the check that a memory yosys maps to the block RAM behaves as the language
//! memory does.

use hdl_dsl::{signed, unsigned, Design, Module, ResetKind, SYNC};
use hdl_sim::{Simulator, Xorshift};
use hdl_testkit::post_synth;
use hdl_testkit::tools::{self, Tool};

const CYCLES: usize = 4000;

/// A 1024 x 18 language memory (initialised, one write and one synchronous read port),
/// its read data times `a` by a language multiply into a register, an accumulator of
/// those products, and a `MULT18X18D` instance registered at its inputs and output (as
/// the super-resolution engine instantiates it) multiplying `a` by `b`.
fn mac_ram() -> Module {
    let mut m = Module::new("mac_ram");
    let clk = m.input("clk", unsigned(1));
    let rst = m.input("rst", unsigned(1));
    m.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    let we = m.input("we", unsigned(1));
    let waddr = m.input("waddr", unsigned(10));
    let wdata = m.input("wdata", unsigned(18));
    let raddr = m.input("raddr", unsigned(10));
    let a = m.input("a", signed(18));
    let b = m.input("b", signed(18));
    let clear = m.input("clear", unsigned(1));
    let rdata = m.output("rdata", unsigned(18));
    let product = m.output("product", signed(36));
    let acc = m.output("acc", signed(40));
    let p = m.output("p", unsigned(36));
    let mem = m.memory_init("mem", unsigned(18), 1024, (0..1024i64).map(|i| (i * 37) % 262_144));
    let w = m.write_port(mem, SYNC);
    let r = m.read_port(mem, SYNC);
    m.comb([
        w.en.eq(&we),
        w.addr.eq(&waddr),
        w.data.eq(&wdata),
        r.addr.eq(&raddr),
        rdata.eq(&r.data),
    ]);
    m.sync(product.eq(r.data.as_signed() * &a));
    m.if_(&clear, |m| m.sync(acc.eq(0u8)))
        .else_(|m| m.sync(acc.eq((&acc + &product).trunc(40))));
    let mut mult = m
        .instance("MULT18X18D", "mult")
        .param("REG_INPUTA_CLK", "CLK0")
        .param("REG_INPUTB_CLK", "CLK0")
        .param("REG_OUTPUT_CLK", "CLK0")
        .input("CLK0", &clk)
        .input("SIGNEDA", 1u8)
        .input("SIGNEDB", 1u8);
    for k in 0..18 {
        mult = mult.input(&format!("A{k}"), a.bit(k)).input(&format!("B{k}"), b.bit(k));
    }
    for k in 0..36 {
        mult = mult.output(&format!("P{k}"), &p.bit(k));
    }
    m
}

#[test]
fn block_ram_and_multipliers_simulate_the_same_after_synthesis() {
    let test = "block_ram_and_multipliers_simulate_the_same_after_synthesis";
    let (Some(yosys), Some(iverilog), Some(vvp)) = (
        tools::require(Tool::Yosys, test),
        tools::require(Tool::Iverilog, test),
        tools::require(Tool::Vvp, test),
    ) else {
        return;
    };
    let design = Design::elaborate(mac_ram()).unwrap_or_else(|e| panic!("{e}"));
    let netlist = post_synth::synthesize(&yosys, &design).unwrap_or_else(|e| panic!("{e}"));
    // The memory and the multiply are block RAM and DSP cells now, not logic.
    for cell in ["DP16KD", "MULT18X18D"] {
        let count = netlist
            .stat
            .lines()
            .find(|l| l.trim_end().ends_with(cell))
            .map(|l| l.split_whitespace().next().unwrap_or("").to_owned());
        assert!(count.is_some(), "no {cell} in the netlist:\n{}", netlist.stat);
    }

    // Ports after clk, in order: rst, we, waddr, wdata, raddr, a, b, clear. Writes and
    // reads of random words, reads of the initial contents too; clears now and then.
    let mut rng = Xorshift::new(0x5eed_0f51);
    let stimulus: Vec<Vec<u128>> = (0..CYCLES)
        .map(|k| {
            let r = rng.next();
            let s = rng.next();
            vec![
                (k < 2) as u128,
                (r & 3 == 0) as u128,
                (r >> 2 & 1023) as u128,
                (r >> 12 & 0x3ffff) as u128,
                (r >> 30 & 1023) as u128,
                (s & 0x3ffff) as u128,
                (s >> 18 & 0x3ffff) as u128,
                (s >> 40 & 63 == 0) as u128,
            ]
        })
        .collect();
    let rows = tools::icarus_cycles_of(&iverilog, &vvp, &design, &netlist.files, &stimulus).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), CYCLES);

    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let names = ["rst", "we", "waddr", "wdata", "raddr", "a", "b", "clear"];
    let inputs: Vec<_> = names.iter().map(|n| sim.signal(n).unwrap()).collect();
    let outputs: Vec<_> = ["rdata", "product", "acc", "p"].iter().map(|n| sim.signal(n).unwrap()).collect();
    for (k, row) in stimulus.iter().enumerate() {
        for (s, v) in inputs.iter().zip(row) {
            sim.set(*s, *v as u64).unwrap();
        }
        let ours: Vec<String> = outputs
            .iter()
            .map(|s| format!("{:0w$x}", sim.get(*s), w = s.width().div_ceil(4) as usize))
            .collect();
        assert_eq!(
            rows[k], ours,
            "cycle {k}: Icarus on the synthesised netlist, then hdl-sim on the design (rdata, product, acc, p)"
        );
        sim.tick(sync);
    }
}
