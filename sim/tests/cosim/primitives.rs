//! The random designs with primitive instances: hdl-sim's models of `DP16KD` and `MULT18X18D` agree with the Verilog models written
//! from Lattice's technical notes (`hdl_testkit::models`), run by Verilator on the same
//! designs: seeded random instances (every data width on each port, each register and
//! write mode, chip selects, resets, clock enables, every register option of the
//! multiplier) under long random stimulus, every output compared after every step.

use hdl_dsl::{cat, constant, unsigned, Bits, Design, Module, Param, ResetKind, Value};
use hdl_testkit::tools;

use crate::common::cosim::check;
use crate::common::random_design::Rng;

/// Designs per kind; one Verilator build each.
const DESIGNS: u64 = 60;
/// Steps per design (half data changes, half clock changes).
const STEPS: usize = 3000;

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len() as u64) as usize]
}

/// A random `DP16KD`: both ports used, each on its own clock (or one shared), with its
/// parameters drawn at random. Addresses reach the 16 rows `INITVAL_00` fills (random
/// contents), so reads meet both initial and written words; chip select matches half
/// the time. Port B's write is dropped when port A writes the same row, since TN1264
/// leaves a collision undefined.
fn block_ram(seed: u64) -> Design {
    let mut rng = Rng::new(seed);
    let mut m = Module::new(format!("bram{seed}"));
    let clk_a = m.input("clk_a", unsigned(1));
    let clk_b = if rng.chance(30) {
        clk_a.clone()
    } else {
        m.input("clk_b", unsigned(1))
    };
    // The domains only mark the clocks as clocks for the stimulus.
    for (name, clk) in [("a", &clk_a), ("b", &clk_b)] {
        let ticks = m.signal(format!("ticks_{name}"), unsigned(1));
        m.domain(name, clk, ResetKind::None, None);
        m.sync_in(name, ticks.eq(!&ticks));
    }
    let mut init = Bits::zero(320);
    for i in 0..320 {
        init.set_bit(i, rng.chance(50));
    }
    let mut params: Vec<(String, Param)> = vec![
        ("RESETMODE".into(), pick(&mut rng, &["SYNC", "ASYNC"]).into()),
        ("INITVAL_00".into(), init.into()),
    ];
    let mut pins: Vec<(String, Value)> = Vec::new();
    let mut outputs: Vec<(String, Value)> = Vec::new();
    let mut rows = Vec::new();
    let mut write_a = None;
    for (port, clk) in [('A', &clk_a), ('B', &clk_b)] {
        let lower = port.to_ascii_lowercase();
        let decode: Vec<bool> = (0..3).map(|_| rng.chance(50)).collect();
        let csdecode = format!("0b{}", decode.iter().rev().map(|&d| if d { '1' } else { '0' }).collect::<String>());
        params.extend([
            (format!("DATA_WIDTH_{port}"), Param::Int([1, 2, 4, 9, 18][rng.below(5) as usize])),
            (format!("REGMODE_{port}"), pick(&mut rng, &["NOREG", "OUTREG"]).into()),
            (
                format!("WRITEMODE_{port}"),
                pick(&mut rng, &["NORMAL", "WRITETHROUGH", "READBEFOREWRITE"]).into(),
            ),
            (format!("CSDECODE_{port}"), csdecode.as_str().into()),
        ]);
        let di = m.input(format!("di_{lower}"), unsigned(18));
        let low = m.input(format!("ad_low_{lower}"), unsigned(4));
        let row = m.input(format!("row_{lower}"), unsigned(4));
        let select = m.input(format!("cs_{lower}"), unsigned(1));
        let [ce, oce, we, rst] = ["ce", "oce", "we", "rst"].map(|p| m.input(format!("{p}_{lower}"), unsigned(1)));
        let dout = m.output(format!("do_{lower}"), unsigned(18));
        let ad = cat([low, row.clone(), constant(0, unsigned(6))]);
        // Chip-select bit 0 from the input, bits 1 and 2 equal to the decode.
        let cs = cat([select ^ !Value::from(decode[0]), Value::from(decode[1]), Value::from(decode[2])]);
        let we = match &write_a {
            None => {
                write_a = Some(we.clone());
                we
            }
            Some(a) => we & !(a & row.is_eq(&rows[0])),
        };
        rows.push(row);
        pins.extend([
            (format!("CLK{port}"), clk.clone()),
            (format!("CE{port}"), ce),
            (format!("OCE{port}"), oce),
            (format!("WE{port}"), we),
            (format!("RST{port}"), rst),
        ]);
        pins.extend((0..18).map(|k| (format!("DI{port}{k}"), di.bit(k))));
        pins.extend((0..14).map(|k| (format!("AD{port}{k}"), ad.bit(k))));
        pins.extend((0..3).map(|k| (format!("CS{port}{k}"), cs.bit(k))));
        outputs.extend((0..18).map(|k| (format!("DO{port}{k}"), dout.bit(k))));
    }
    let mut b = m.instance("DP16KD", "ram");
    for (name, value) in params {
        b = b.param(&name, value);
    }
    for (name, value) in &pins {
        b = b.input(name, value);
    }
    for (name, target) in &outputs {
        b = b.output(name, target);
    }
    Design::elaborate(m).unwrap_or_else(|e| panic!("bram{seed}: {e}"))
}

/// A random `MULT18X18D`: each register stage absent or on one of two clocks, with a
/// random enable and reset among four, and the operands, sign pins, enables and resets
/// from inputs.
fn multiplier(seed: u64) -> Design {
    let mut rng = Rng::new(seed);
    let mut m = Module::new(format!("mult{seed}"));
    let clocks = [m.input("clk0", unsigned(1)), m.input("clk1", unsigned(1))];
    for (i, clk) in clocks.iter().enumerate() {
        let ticks = m.signal(format!("ticks{i}"), unsigned(1));
        let domain = format!("d{i}");
        m.domain(&domain, clk, ResetKind::None, None);
        m.sync_in(&domain, ticks.eq(!&ticks));
    }
    let a = m.input("a", unsigned(18));
    let bb = m.input("b", unsigned(18));
    let c = m.input("c", unsigned(18));
    let signs = m.input("signs", unsigned(2));
    let ce = m.input("ce", unsigned(4));
    let rst = m.input("rst", unsigned(4));
    let p = m.output("p", unsigned(37));
    let ro = m.output("ro", unsigned(54));
    let mut b = m
        .instance("MULT18X18D", "mult")
        .param("RESETMODE", pick(&mut rng, &["SYNC", "ASYNC"]))
        .input("SIGNEDA", signs.bit(0))
        .input("SIGNEDB", signs.bit(1))
        .input("CLK0", &clocks[0])
        .input("CLK1", &clocks[1])
        .output("SIGNEDP", &p.bit(36));
    for stage in ["INPUTA", "INPUTB", "INPUTC", "PIPELINE", "OUTPUT"] {
        b = b
            .param(&format!("REG_{stage}_CLK"), pick(&mut rng, &["NONE", "CLK0", "CLK1"]))
            .param(&format!("REG_{stage}_CE"), pick(&mut rng, &["CE0", "CE1", "CE2", "CE3"]))
            .param(&format!("REG_{stage}_RST"), pick(&mut rng, &["RST0", "RST1", "RST2", "RST3"]));
    }
    for k in 0..4 {
        b = b.input(&format!("CE{k}"), ce.bit(k)).input(&format!("RST{k}"), rst.bit(k));
    }
    for k in 0..18 {
        b = b
            .input(&format!("A{k}"), a.bit(k))
            .input(&format!("B{k}"), bb.bit(k))
            .input(&format!("C{k}"), c.bit(k))
            .output(&format!("ROA{k}"), &ro.bit(k))
            .output(&format!("ROB{k}"), &ro.bit(18 + k))
            .output(&format!("ROC{k}"), &ro.bit(36 + k));
    }
    for k in 0..36 {
        b = b.output(&format!("P{k}"), &p.bit(k));
    }
    Design::elaborate(m).unwrap_or_else(|e| panic!("mult{seed}: {e}"))
}

fn agree(kind: &str, make: fn(u64) -> Design) {
    let Some(verilator) = tools::require(tools::Tool::Verilator, kind) else {
        return;
    };
    let seeds: Vec<u64> = (1..=DESIGNS).collect();
    let designs: Vec<Design> = seeds.iter().map(|&s| make(s)).collect();
    let refs: Vec<&Design> = designs.iter().collect();
    let failures = check(&verilator, &refs, &seeds, STEPS);
    let report: Vec<String> = failures
        .iter()
        .map(|(i, f)| format!("seed {}: {f}\n{}", seeds[*i], designs[*i].verilog()))
        .collect();
    assert!(
        report.is_empty(),
        "hdl-sim's {kind} differs from the Verilog model:\n{}",
        report.join("\n")
    );
}

#[test]
fn dp16kd_model_agrees_with_the_verilog_model_from_tn1264() {
    agree("DP16KD", block_ram);
}

#[test]
fn mult18x18d_model_agrees_with_the_verilog_model_from_tn1267() {
    agree("MULT18X18D", multiplier);
}
