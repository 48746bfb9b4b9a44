//! The emitted Verilog checked by real tools: Verilator lint, yosys `synth_ecp5`, and
//! Icarus Verilog simulations compared cycle by cycle with models written in Rust.
//! Each test skips with a printed reason when its tool is missing, and fails instead
//! when `HDL_REQUIRE_TOOLS=1`.

use hdl_dsl::{unsigned, Design, Module};
use hdl_testkit::examples;
use hdl_testkit::tools::{self, Tool};

fn design(name: &str) -> Design {
    examples::design(name).expect("example exists")
}

#[test]
fn verilator_lint_is_clean_for_every_example() {
    let Some(verilator) = tools::require(Tool::Verilator, "verilator_lint_is_clean_for_every_example") else {
        return;
    };
    for (name, _) in examples::all() {
        let d = design(name);
        let mut files = d.verilog_files();
        files.extend(tools::black_box_stubs(&d));
        if let Err(log) = tools::verilator_lint(&verilator, &files, d.top_name()) {
            panic!("verilator --lint-only -Wall warned on {name}:\n{log}");
        }
    }
}

#[test]
fn yosys_synthesizes_every_example_for_ecp5() {
    let Some(yosys) = tools::require(Tool::Yosys, "yosys_synthesizes_every_example_for_ecp5") else {
        return;
    };
    for (name, _) in examples::all() {
        let d = design(name);
        let stat =
            tools::yosys_synth_ecp5(&yosys, &d.verilog(), d.top_name()).unwrap_or_else(|log| panic!("synth_ecp5 failed on {name}:\n{log}"));
        let expect = match name {
            "ram" => Some("DP16KD"),
            "signed_mac" => Some("MULT18X18D"),
            "ddr_output" => Some("ODDRX1F"),
            "blinky" | "counter" | "traffic_light" => Some("TRELLIS_FF"),
            _ => None,
        };
        if let Some(cell) = expect {
            assert!(stat.contains(cell), "{name}: expected {cell} in the synthesized design:\n{stat}");
        }
    }
}

/// Simulates the design's top module under Icarus Verilog (see [`tools::icarus_cycles`]).
fn icarus(test: &str, d: &Design, stimulus: &[Vec<u128>]) -> Option<Vec<Vec<String>>> {
    let iverilog = tools::require(Tool::Iverilog, test)?;
    let vvp = tools::require(Tool::Vvp, test)?;
    Some(tools::icarus_cycles(&iverilog, &vvp, d, stimulus).unwrap_or_else(|e| panic!("{e}")))
}

/// A small deterministic pseudo-random sequence (xorshift), so stimulus is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn hex(v: u128, width: u32) -> String {
    format!("{:0w$x}", v & ((1u128 << width) - 1), w = width.div_ceil(4) as usize)
}

#[test]
fn icarus_counter_matches_rust_model() {
    let d = design("counter");
    let mut rng = Rng(1);
    // Inputs in port order: rst, en.
    let stimulus: Vec<Vec<u128>> = (0..600)
        .map(|i| vec![(i == 300) as u128, !rng.next().is_multiple_of(4) as u128])
        .collect();
    let Some(rows) = icarus("icarus_counter_matches_rust_model", &d, &stimulus) else {
        return;
    };
    let mut count: u32 = 0;
    for (cycle, (row, input)) in rows.iter().zip(&stimulus).enumerate() {
        let (rst, en) = (input[0] == 1, input[1] == 1);
        let wrap = en && count == 255;
        assert_eq!(row, &vec![hex(count as u128, 8), hex(wrap as u128, 1)], "cycle {cycle}");
        count = if rst {
            0
        } else if en {
            (count + 1) % 256
        } else {
            count
        };
    }
    assert_eq!(rows.len(), stimulus.len());
}

#[test]
fn icarus_traffic_light_matches_rust_model() {
    let d = design("traffic_light");
    let mut rng = Rng(7);
    let stimulus: Vec<Vec<u128>> = (0..400).map(|_| vec![0, rng.next().is_multiple_of(9) as u128]).collect();
    let Some(rows) = icarus("icarus_traffic_light_matches_rust_model", &d, &stimulus) else {
        return;
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Light {
        Green,
        Yellow,
        Red,
    }
    let (mut state, mut timer) = (Light::Green, 0u32);
    for (cycle, (row, input)) in rows.iter().zip(&stimulus).enumerate() {
        let lights = match state {
            Light::Green => 1,
            Light::Yellow => 2,
            Light::Red => 4,
        };
        assert_eq!(row, &vec![hex(lights, 3)], "cycle {cycle}");
        let request = input[1] == 1;
        (state, timer) = match state {
            Light::Green if timer == 3 || request => (Light::Yellow, 0),
            Light::Green => (Light::Green, (timer + 1) % 8),
            Light::Yellow => (Light::Red, timer),
            Light::Red if timer == 2 => (Light::Green, 0),
            Light::Red => (Light::Red, timer + 1),
        };
    }
}

#[test]
fn icarus_ram_matches_rust_model() {
    let d = design("ram");
    let mut rng = Rng(3);
    // Inputs in port order: we, waddr, wdata, raddr. Addresses stay in a small range so
    // reads often hit fresh writes, including same-address read and write.
    let stimulus: Vec<Vec<u128>> = (0..800)
        .map(|_| {
            vec![
                (rng.next() % 2) as u128,
                (rng.next() % 32) as u128,
                (rng.next() % 65536) as u128,
                (rng.next() % 32) as u128,
            ]
        })
        .collect();
    let Some(rows) = icarus("icarus_ram_matches_rust_model", &d, &stimulus) else {
        return;
    };
    let mut mem: Vec<u32> = (0..1024).map(|i| (i * 3) % 65536).collect();
    let mut rdata: Option<u32> = None; // undefined until the first read
    for (cycle, (row, input)) in rows.iter().zip(&stimulus).enumerate() {
        if let Some(r) = rdata {
            assert_eq!(row, &vec![hex(r as u128, 16)], "cycle {cycle}");
        }
        let (we, waddr, wdata, raddr) = (input[0] == 1, input[1] as usize, input[2] as u32, input[3] as usize);
        rdata = Some(mem[raddr]); // read before write
        if we {
            mem[waddr] = wdata;
        }
    }
}

#[test]
fn icarus_signed_mac_matches_rust_model() {
    let d = design("signed_mac");
    let mut rng = Rng(11);
    // Inputs in port order: rst, a, b, clear.
    let stimulus: Vec<Vec<u128>> = (0..700)
        .map(|i| {
            vec![
                (i == 0) as u128,
                (rng.next() % 256) as u128,
                (rng.next() % 256) as u128,
                rng.next().is_multiple_of(50) as u128,
            ]
        })
        .collect();
    let Some(rows) = icarus("icarus_signed_mac_matches_rust_model", &d, &stimulus) else {
        return;
    };
    let wrap24 = |v: i64| (v << 40) >> 40;
    let mut acc: i64 = 0;
    for (cycle, (row, input)) in rows.iter().zip(&stimulus).enumerate() {
        let (a, b) = (input[1] as u8 as i8 as i64, input[2] as u8 as i8 as i64);
        let scaled = acc >> (input[2] & 7);
        let clamped = acc.clamp(-128, 127);
        let expected = vec![
            hex(acc as u128, 24),
            hex((acc < 0) as u128, 1),
            hex(scaled as u128, 24),
            hex(clamped as u128, 8),
        ];
        assert_eq!(row, &expected, "cycle {cycle}");
        acc = if input[0] == 1 {
            0
        } else if input[3] == 1 {
            a * b
        } else {
            wrap24(acc + a * b)
        };
    }
}

/// Two submodules each registering the same input: `kept` copies marked with
/// `Module::keep`.
fn replicated(kept: bool) -> Design {
    let copy = |name: &str| {
        let mut m = Module::new(name);
        let (d, q) = (m.input("d", unsigned(8)), m.output("q", unsigned(8)));
        let r = m.signal("r", unsigned(8));
        if kept {
            m.keep(&r);
        }
        m.sync(r.eq(&d));
        m.comb(q.eq(&r));
        m
    };
    let mut top = Module::new("top");
    let d = top.input("d", unsigned(8));
    let (a, b) = (top.output("a", unsigned(8)), top.output("b", unsigned(8)));
    let (ca, cb) = (top.submodule("copy_a", copy("copy_a")), top.submodule("copy_b", copy("copy_b")));
    top.comb([ca.port("d").eq(&d), cb.port("d").eq(&d), a.eq(ca.port("q")), b.eq(cb.port("q"))]);
    Design::elaborate(top).unwrap()
}

#[test]
fn kept_registers_stay_apart_through_synthesis_and_others_merge() {
    let kept = replicated(true);
    assert!(
        kept.verilog().contains("\n    (* keep *)\n    always @(posedge clk) begin\n"),
        "{}",
        kept.verilog()
    );
    assert!(!replicated(false).verilog().contains("(* keep *)"));
    let Some(yosys) = tools::require(Tool::Yosys, "kept_registers_stay_apart_through_synthesis_and_others_merge") else {
        return;
    };
    let flip_flops = |d: &Design| {
        let stat = tools::yosys_synth_ecp5(&yosys, &d.verilog(), d.top_name()).unwrap_or_else(|log| panic!("{log}"));
        let line = stat
            .lines()
            .find(|l| l.contains("TRELLIS_FF"))
            .unwrap_or_else(|| panic!("no flip-flops in:\n{stat}"))
            .to_owned();
        line.split_whitespace().next().unwrap().parse::<u32>().unwrap()
    };
    assert_eq!(flip_flops(&replicated(false)), 8);
    assert_eq!(flip_flops(&kept), 16);
}

#[test]
fn keep_takes_a_whole_signal_of_its_module() {
    let mut m = Module::new("top");
    let r = m.signal("r", unsigned(8));
    m.keep(&r.slice(0..4));
    let e = Design::elaborate(m).unwrap_err();
    assert!(e.to_string().contains("`keep` takes a whole signal of module `top`"), "{e}");
}
