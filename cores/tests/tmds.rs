//! The TMDS encoder against DVI 1.0 section 3.3: a reference encoder written from the
//! specification, every data value in every disparity state, control tokens, the
//! disparity bound, and the emitted Verilog under Icarus Verilog.

use std::collections::BTreeSet;

use hdl_cores::tmds::{tmds_encoder, CONTROL_TOKENS};
use hdl_dsl::Design;
use hdl_models::hdmi::{decode, Symbol, DISPARITY_BOUND};
use hdl_sim::{Simulator, Xorshift};
use hdl_testkit::tools;

/// The encoder of DVI 1.0 section 3.3, step by step as the specification's flow chart
/// writes it; `cnt` is the running disparity.
fn reference(cnt: &mut i32, de: bool, data: u8, c0: bool, c1: bool) -> u16 {
    if !de {
        *cnt = 0;
        return CONTROL_TOKENS[(c1 as usize) << 1 | c0 as usize];
    }
    let d = |i: u32| (data >> i & 1) as u16;
    let n1_d = data.count_ones();
    let xnor = n1_d > 4 || (n1_d == 4 && d(0) == 0);
    let mut qm = d(0);
    for i in 1..8 {
        let prev = qm >> (i - 1) & 1;
        let bit = if xnor { 1 - (prev ^ d(i)) } else { prev ^ d(i) };
        qm |= bit << i;
    }
    let qm8 = !xnor as u16;
    let n1 = (qm & 0xff).count_ones() as i32;
    let n0 = 8 - n1;
    let inv = !qm & 0xff;
    if *cnt == 0 || n1 == n0 {
        let low = if qm8 == 1 { qm } else { inv };
        *cnt += if qm8 == 1 { n1 - n0 } else { n0 - n1 };
        (1 - qm8) << 9 | qm8 << 8 | low
    } else if (*cnt > 0 && n1 > n0) || (*cnt < 0 && n0 > n1) {
        *cnt += 2 * qm8 as i32 + (n0 - n1);
        1 << 9 | qm8 << 8 | inv
    } else {
        *cnt += -2 * (1 - qm8 as i32) + (n1 - n0);
        qm8 << 8 | qm
    }
}

/// The disparity states the encoder can reach from blanking, found by trying every data
/// value from every state reached.
fn reachable_states() -> BTreeSet<i32> {
    let mut seen = BTreeSet::from([0]);
    let mut todo = vec![0];
    while let Some(state) = todo.pop() {
        for data in 0..=255u8 {
            let mut cnt = state;
            reference(&mut cnt, true, data, false, false);
            if seen.insert(cnt) {
                todo.push(cnt);
            }
        }
    }
    seen
}

#[test]
fn every_value_in_every_state_decodes_back() {
    let states = reachable_states();
    // The running disparity is always even, and the encoder keeps it within ±8 of the
    // ±10 a single symbol could add.
    assert_eq!(states, (-8..=8).step_by(2).collect::<BTreeSet<i32>>());
    for &state in &states {
        for data in 0..=255u8 {
            let mut cnt = state;
            let q = reference(&mut cnt, true, data, false, false);
            assert_eq!(
                decode(q),
                Some(Symbol::Data(data)),
                "value {data:#04x} in state {state} gives {q:#05x}"
            );
            assert!(cnt.abs() <= DISPARITY_BOUND);
        }
    }
    for (c, &token) in CONTROL_TOKENS.iter().enumerate() {
        assert_eq!(decode(token), Some(Symbol::Control(c as u8)));
    }
    // The tokens as DVI 1.0 table 3-3 lists them, bit 9 first.
    assert_eq!(
        CONTROL_TOKENS.map(|t| format!("{t:010b}")),
        ["1101010100", "0010101011", "0101010100", "1010101011"]
    );
}

/// Stimulus for one cycle: (de, data, c0, c1).
type Input = (bool, u8, bool, bool);

/// Runs `inputs` through the encoder in hdl-sim; returns the symbol after each edge and
/// the disparity state before it.
fn simulate(inputs: &[Input]) -> Vec<(u16, i64)> {
    let design = Design::elaborate(tmds_encoder().into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let [de, data, c0, c1, q, cnt] = ["de", "data", "c0", "c1", "q", "cnt"].map(|n| sim.signal(n).unwrap());
    let mut out = Vec::new();
    for &(e, d, a, b) in inputs {
        let state = sim.get_i64(cnt);
        for (s, v) in [(de, e as u64), (data, d as u64), (c0, a as u64), (c1, b as u64)] {
            sim.set(s, v).unwrap();
        }
        sim.tick(sync);
        out.push((sim.get(q) as u16, state));
    }
    out
}

#[test]
fn the_hardware_matches_the_specification_in_every_state() {
    // Steer the encoder: in each state, send a value not yet sent in that state, until
    // all 9 x 256 pairs are covered; blanking now and then.
    let mut rng = Xorshift::new(0x1234_5678_9abc_def1);
    let mut untried: Vec<Vec<u8>> = (0..9).map(|_| (0..=255).collect()).collect();
    let mut inputs = Vec::new();
    let mut cnt = 0;
    while untried.iter().any(|u| !u.is_empty()) || inputs.len() < 50_000 {
        let r = rng.next();
        let input = if r.is_multiple_of(50) {
            (false, 0, r >> 8 & 1 == 1, r >> 9 & 1 == 1)
        } else {
            let left = &mut untried[((cnt + 8) / 2) as usize];
            let data = if left.is_empty() {
                (r >> 16) as u8
            } else {
                left.swap_remove((r >> 16) as usize % left.len())
            };
            (true, data, false, false)
        };
        reference(&mut cnt, input.0, input.1, input.2, input.3);
        inputs.push(input);
    }
    let outputs = simulate(&inputs);
    let mut cnt = 0;
    let mut running = 0;
    for (k, (&(de, data, c0, c1), &(q, state))) in inputs.iter().zip(&outputs).enumerate() {
        assert_eq!(state, cnt as i64, "cycle {k}: disparity state");
        let expected = reference(&mut cnt, de, data, c0, c1);
        assert_eq!(q, expected, "cycle {k}: de {de} data {data:#04x} c {c1}{c0} in state {state}");
        if de {
            running += 2 * q.count_ones() as i32 - 10;
            assert!(running.abs() <= DISPARITY_BOUND, "cycle {k}: disparity {running}");
            assert_eq!(decode(q), Some(Symbol::Data(data)));
        } else {
            running = 0;
            assert_eq!(decode(q), Some(Symbol::Control((c1 as u8) << 1 | c0 as u8)));
        }
    }
}

#[test]
fn the_emitted_verilog_matches_under_icarus() {
    let Some(iverilog) = tools::require(tools::Tool::Iverilog, "the_emitted_verilog_matches_under_icarus") else {
        return;
    };
    let vvp = tools::require(tools::Tool::Vvp, "the_emitted_verilog_matches_under_icarus").expect("vvp comes with iverilog");
    let mut rng = Xorshift::new(0x0bad_5eed_1234_5678);
    let inputs: Vec<Input> = (0..30_000)
        .map(|_| {
            let r = rng.next();
            (!r.is_multiple_of(40), (r >> 8) as u8, r >> 20 & 1 == 1, r >> 21 & 1 == 1)
        })
        .collect();
    let design = Design::elaborate(tmds_encoder().into_module()).unwrap();
    // Ports in order: rst, de, data, c0, c1 (clk is driven by the testbench).
    let stimulus: Vec<Vec<u128>> = inputs
        .iter()
        .map(|&(de, d, a, b)| vec![0, de as u128, d as u128, a as u128, b as u128])
        .collect();
    let rows = tools::icarus_cycles(&iverilog, &vvp, &design, &stimulus).unwrap();
    let ours = simulate(&inputs);
    assert_eq!(rows.len(), inputs.len());
    // Icarus prints the symbol before each edge, so row k + 1 holds the result of edge k.
    for (k, (q, _)) in ours.iter().enumerate().take(inputs.len() - 1) {
        assert_eq!(rows[k + 1], [format!("{q:03x}")], "cycle {k}");
    }
}
