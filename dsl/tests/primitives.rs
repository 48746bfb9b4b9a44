//! Instances of the ECP5 primitives the library knows are checked against their
//! declarations: a misspelt pin or parameter, a pin connected the wrong way, or a value
//! wider than a pin is an error at the line that made it.

mod common;

use common::single_error;
use hdl_dsl::*;

fn assert_at(e: &Error, line: u32) {
    common::assert_at(e, file!(), line);
}

/// A module with a one-bit input `d`, a two-bit input `dd`, an output `q` and a clock.
fn with_ports() -> (Module, Value, Value, Value, Value) {
    let mut m = Module::new("top");
    let d = m.input("d", unsigned(1));
    let dd = m.input("dd", unsigned(2));
    let clk = m.input("clk_fast", unsigned(1));
    let q = m.output("q", unsigned(1));
    (m, d, dd, clk, q)
}

#[test]
fn a_correct_instance_of_each_kind_of_pin_elaborates() {
    let (mut m, d, dd, clk, q) = with_ports();
    m.instance("ODDRX1F", "oddr")
        .param("GSR", "DISABLED")
        .input("SCLK", &clk)
        .input("RST", 0u8)
        .input("D0", dd.bit(0))
        .input("D1", dd.bit(1))
        .output("Q", &q);
    let _ = d;
    Design::elaborate(m).unwrap();
}

#[test]
fn a_pin_the_primitive_lacks_is_named_with_the_pins_it_has() {
    let (mut m, d, _, clk, q) = with_ports();
    let line = line!() + 4;
    m.instance("ODDRX1F", "oddr")
        .input("SCLK", &clk)
        .input("D0", &d)
        .input("D2", &d)
        .output("Q", &q);
    let e = single_error(m, ErrorKind::NoSuchPort);
    assert_at(&e, line);
    assert_eq!(e.message, "primitive `ODDRX1F` has no pin `D2`; its pins are: SCLK, RST, D0..D1, Q");
}

#[test]
fn a_bus_connects_a_pin_per_bit_and_a_bit_too_many_is_an_error_at_the_users_line() {
    let (mut m, _, dd, clk, q) = with_ports();
    // D0, D1 from the two bits of `dd`: no error.
    m.instance("ODDRX1F", "pair")
        .input("SCLK", &clk)
        .input_bus("D", &dd)
        .output("Q", &q);
    let three = m.input("three", unsigned(3));
    let q2 = m.output("q2", unsigned(1));
    m.instance("ODDRX1F", "oddr")
        .input("SCLK", &clk)
        // The error points at the bus, the line that asked for a `D2`.
        .input_bus("D", &three)
        .output("Q", &q2);
    let line = line!() - 2;
    let e = single_error(m, ErrorKind::NoSuchPort);
    assert_at(&e, line);
    assert_eq!(e.message, "primitive `ODDRX1F` has no pin `D2`; its pins are: SCLK, RST, D0..D1, Q");
}

#[test]
fn an_output_pin_connected_as_an_input_says_how_to_connect_it() {
    let (mut m, d, _, clk, q) = with_ports();
    let line = line!() + 2;
    m.comb(q.eq(&d));
    m.instance("ODDRX1F", "oddr").input("SCLK", &clk).input("Q", &d);
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(e.message, "pin `Q` of primitive `ODDRX1F` is an output; connect it with `.output`");
}

#[test]
fn a_value_wider_than_a_pin_is_refused() {
    let (mut m, _, dd, clk, q) = with_ports();
    let line = line!() + 1;
    m.instance("ODDRX1F", "oddr").input("SCLK", &clk).input("D0", &dd).output("Q", &q);
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "pin `D0` of primitive `ODDRX1F` is one bit, but `dd` is 2 bits wide; connect each bit to its own pin"
    );
}

#[test]
fn a_misspelt_parameter_is_named_with_the_parameters_there_are() {
    let (mut m, d, _, _, q) = with_ports();
    m.comb(q.eq(&d));
    let line = line!() + 3;
    m.instance("EHXPLLL", "pll")
        .param("CLKI_DIV", 1)
        .param("CLKOP_DIVIDE", 5)
        .input("CLKI", &d);
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "primitive `EHXPLLL` has no parameter `CLKOP_DIVIDE`; its parameters are: CLKI_DIV, CLKFB_DIV, CLKOP_DIV, \
         CLKOS_DIV, CLKOS2_DIV, CLKOS3_DIV, CLKOP_ENABLE, CLKOS_ENABLE, CLKOS2_ENABLE, CLKOS3_ENABLE, CLKOP_CPHASE, \
         CLKOS_CPHASE, CLKOS2_CPHASE, CLKOS3_CPHASE, CLKOP_FPHASE, CLKOS_FPHASE, CLKOS2_FPHASE, CLKOS3_FPHASE, \
         FEEDBK_PATH, CLKOP_TRIM_POL, CLKOP_TRIM_DELAY, CLKOS_TRIM_POL, CLKOS_TRIM_DELAY, OUTDIVIDER_MUXA, \
         OUTDIVIDER_MUXB, OUTDIVIDER_MUXC, OUTDIVIDER_MUXD, PLL_LOCK_MODE, PLL_LOCK_DELAY, STDBY_ENABLE, REFIN_RESET, \
         SYNC_ENABLE, INT_LOCK_STICKY, DPHASE_SOURCE, PLLRST_ENA, INTFB_WAKE"
    );
}

#[test]
fn block_ram_contents_and_pin_inversions_are_parameters_of_dp16kd() {
    let (mut m, d, _, clk, q) = with_ports();
    m.comb(q.eq(&d));
    m.instance("DP16KD", "ram")
        .param("DATA_WIDTH_A", 18)
        .param("INITVAL_3F", "0x00")
        .param("CLKAMUX", "CLKA")
        .input("CLKA", &clk)
        .input("ADA13", &d);
    Design::elaborate(m).unwrap();
    let (mut m, d, _, clk, q) = with_ports();
    m.comb(q.eq(&d));
    let line = line!() + 1;
    m.instance("DP16KD", "ram").param("INITVAL_40", "0x00").input("CLKA", &clk);
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert!(
        e.message.ends_with("INITVAL_00..INITVAL_3F, and <pin>MUX for each pin"),
        "{}",
        e.message
    );
}

#[test]
fn instances_of_other_modules_are_not_checked() {
    let (mut m, d, _, _, q) = with_ports();
    m.instance("my_ip_core", "ip")
        .param("ANYTHING", 3)
        .input("whatever", &d)
        .output("out", &q);
    Design::elaborate(m).unwrap();
}

#[test]
fn a_parameter_may_be_a_bit_vector_of_any_width() {
    // A DP16KD's initial contents: 320 bits per INITVAL_xx, here with its top and bottom bits set.
    let mut init = Bits::zero(320);
    init.set_bit(0, true);
    init.set_bit(319, true);
    let mut m = Module::new("rom_top");
    let clk = m.input("clk", unsigned(1));
    let q = m.output("q", unsigned(1));
    m.instance("DP16KD", "rom")
        .param("DATA_WIDTH_A", 1)
        .param("INITVAL_00", init)
        .input("CLKA", &clk)
        .input("CEA", 1u8)
        .input("OCEA", 1u8)
        .input("WEA", 0u8)
        .input("RSTA", 0u8)
        .output("DOA0", &q);
    let design = Design::elaborate(m).unwrap();
    let verilog = design.verilog();
    let literal = format!("320'h8{}1", "0".repeat(78));
    assert!(verilog.contains(&format!(".INITVAL_00({literal})")), "{verilog}");
    if let Some(yosys) = hdl_testkit::tools::require(hdl_testkit::tools::Tool::Yosys, "a_parameter_may_be_a_bit_vector_of_any_width") {
        let stat = hdl_testkit::tools::yosys_synth_ecp5(&yosys, &verilog, "rom_top").expect("yosys accepts the literal");
        assert!(stat.contains("DP16KD"), "{stat}");
    }
}

#[test]
fn a_parameter_value_the_primitive_does_not_accept_lists_what_it_does() {
    let (mut m, d, _, clk, q) = with_ports();
    m.comb(q.eq(&d));
    let line = line!() + 3;
    m.instance("DP16KD", "ram")
        .param("DATA_WIDTH_A", 18)
        .param("DATA_WIDTH_B", 36)
        .param("WRITEMODE_A", "READBEFOREWRITE")
        .input("CLKA", &clk);
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "parameter `DATA_WIDTH_B` of primitive `DP16KD` cannot be 36; it accepts 1, 2, 4, 9, 18"
    );
    let (mut m, d, _, clk, q) = with_ports();
    m.comb(q.eq(&d));
    let line = line!() + 1;
    m.instance("MULT18X18D", "mul").param("REG_OUTPUT_CLK", "CLK4").input("CLK0", &clk);
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "parameter `REG_OUTPUT_CLK` of primitive `MULT18X18D` cannot be \"CLK4\"; it accepts \"NONE\", \"CLK0\", \"CLK1\", \"CLK2\", \"CLK3\""
    );
}

/// A top with an inout pad `pad` on a `BB`, driven while `oe` is high, read into `seen`.
fn pad_top() -> (Module, Value, Value) {
    let mut m = Module::new("top");
    let pad = m.inout("pad", unsigned(1));
    let oe = m.input("oe", unsigned(1));
    let seen = m.output("seen", unsigned(1));
    (
        {
            m.instance("BB", "pad_buffer")
                .input("I", 0u8)
                .input("T", !&oe)
                .output("O", &seen)
                .inout("B", &pad);
            m
        },
        pad,
        oe,
    )
}

#[test]
fn an_inout_pad_on_a_bb_is_an_inout_port_in_verilog() {
    let (m, _, _) = pad_top();
    let verilog = Design::elaborate(m).unwrap().verilog();
    assert!(verilog.contains("    inout  wire         pad"), "{verilog}");
    assert!(verilog.contains(".B(pad)"), "{verilog}");
}

#[test]
fn a_pad_driven_by_logic_says_to_drive_it_through_its_buffer() {
    let (mut m, pad, oe) = pad_top();
    let line = line!() + 1;
    m.comb(pad.eq(&oe));
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "inout `pad` is a pad and only the bidirectional pin of a pad primitive connects to it, but combinational logic \
         drives it; drive the pad through the `I` and `T` of its `BB`, and read it through `O`"
    );
}

#[test]
fn a_pad_pin_connected_as_an_output_says_how_to_connect_it() {
    let mut m = Module::new("top");
    let seen = m.output("seen", unsigned(1));
    let line = line!() + 5;
    m.instance("BB", "pad_buffer")
        .input("I", 0u8)
        .input("T", 1u8)
        .output("O", &seen)
        .output("B", &seen);
    let errors = Design::elaborate(m).unwrap_err();
    let e = errors
        .0
        .iter()
        .find(|e| e.message.contains("bidirectional"))
        .expect("the pin's direction");
    assert_at(e, line);
    assert_eq!(
        e.message,
        "pin `B` of primitive `BB` is bidirectional (a pad); connect it with `.inout` to an inout port of the top module"
    );
}

#[test]
fn a_pad_connected_to_no_buffer_is_refused() {
    let mut m = Module::new("top");
    let line = line!() + 1;
    m.inout("pad", unsigned(2));
    let e = single_error(m, ErrorKind::UndrivenOutput);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "inout `pad`: bit 0 is connected to no pad primitive; connect each bit to the `B` pin of a `BB` with `InstanceBuilder::inout`"
    );
}

/// A `BB` whose read-back `O` feeds its own `I` through logic: a loop through the pad
/// buffer, which passes `I` to `O` within the cycle.
#[test]
fn a_loop_through_a_pad_buffer_is_a_combinational_loop() {
    let mut m = Module::new("top");
    let pad = m.inout("pad", unsigned(1));
    let o = m.signal("o", unsigned(1));
    let i = m.signal("i", unsigned(1));
    let line = line!() + 1;
    m.comb(i.eq(!&o));
    m.instance("BB", "pad_buffer")
        .input("I", &i)
        .input("T", 0u8)
        .output("O", &o)
        .inout("B", &pad);
    let e = single_error(m, ErrorKind::CombinationalLoop);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "combinational loop: o -> i -> pad_buffer.O -> o; each of these depends on itself within one cycle. Break the loop with a register (assign one of them in a clock domain)"
    );
}

/// A multiplier's product fed back to its operand: a loop only when no register stage
/// (input, pipeline or output) lies between `A` and `P`.
fn multiplier_feedback(stages: &[(&str, &str)]) -> Module {
    let mut m = Module::new("top");
    let clk = m.input("clk", unsigned(1));
    let y = m.output("y", unsigned(18));
    let p = m.signal("p", unsigned(18));
    let mut mult = m.instance("MULT18X18D", "mult").input("CLK0", &clk);
    for (param, value) in stages {
        mult = mult.param(param, *value);
    }
    for bit in 0..18 {
        mult = mult
            .input(&format!("A{bit}"), p.bit(bit))
            .input(&format!("B{bit}"), 1u8 & (bit == 0) as u8)
            .output(&format!("P{bit}"), &p.bit(bit));
    }
    m.comb(y.eq(&p));
    m
}

#[test]
fn a_loop_through_an_unregistered_multiplier_is_a_combinational_loop() {
    let e = single_error(multiplier_feedback(&[]), ErrorKind::CombinationalLoop);
    assert!(e.message.starts_with("combinational loop: "), "{e}");
    assert!(e.message.contains("mult.P"), "the path names the multiplier: {e}");
    let e = single_error(multiplier_feedback(&[("REG_INPUTB_CLK", "CLK0")]), ErrorKind::CombinationalLoop);
    assert!(e.message.contains("mult.P"), "registering only B leaves A's path: {e}");
}

#[test]
fn any_register_stage_between_the_operand_and_the_product_breaks_the_loop() {
    for stage in ["REG_INPUTA_CLK", "REG_PIPELINE_CLK", "REG_OUTPUT_CLK"] {
        let design = Design::elaborate(multiplier_feedback(&[(stage, "CLK0")]));
        assert!(design.is_ok(), "{stage} = CLK0: {}", design.err().unwrap());
    }
}
