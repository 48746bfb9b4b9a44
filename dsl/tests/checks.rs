//! Every elaboration check: a design that trips it, and the message the user sees,
//! with the file and line of the mistake.

mod common;

use common::single_error;
use hdl_dsl::*;

fn assert_at(e: &Error, line: u32) {
    common::assert_at(e, file!(), line);
}

#[test]
fn truncation_is_an_error_with_a_fix() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(8));
    let y = m.output("y", unsigned(8));
    let line = line!() + 1;
    m.comb(y.eq(&a + 1u8));
    let e = single_error(m, ErrorKind::Truncation);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "width truncation: assigning a 9-bit value (unsigned(9)) to `y` (unsigned(8)) would drop 1 bit; write `.trunc(8)` on the value to drop them on purpose"
    );
    assert_eq!(e.module, "top");
}

#[test]
fn explicit_trunc_and_wrapping_ops_are_accepted() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(8));
    let y = m.output("y", unsigned(8));
    let z = m.output("z", unsigned(8));
    m.comb(y.eq((&a + 1u8).trunc(8)));
    m.comb(z.eq(a.wrapping_mul(3u8)));
    let v = Design::elaborate(m).unwrap().verilog();
    assert!(v.contains("assign y = (a + 8'h01);"), "{v}");
    assert!(v.contains("assign z = (a * 8'h03);"), "{v}");
}

#[test]
fn a_signal_driven_from_two_domains_is_an_error() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(4));
    m.comb(y.eq(1u8));
    let line = line!() + 1;
    m.sync(y.eq(2u8));
    let e = single_error(m, ErrorKind::MultipleDrivers);
    assert_at(&e, line);
    assert!(
        e.message
            .starts_with("`y` is driven from two places: combinational logic (at dsl/tests/checks.rs:"),
        "{e}"
    );
    assert!(e.message.contains("and clock domain `sync` (at dsl/tests/checks.rs:"), "{e}");
}

#[test]
fn a_bit_driven_by_an_instance_and_logic_is_an_error() {
    let mut m = Module::new("top");
    let clk = m.input("clk_fast", unsigned(1));
    let y = m.output("y", unsigned(2));
    m.instance("ODDRX1F", "oddr").input("SCLK", &clk).output("Q", &y.bit(0));
    m.instance("ODDRX1F", "oddr_hi").input("SCLK", &clk).output("Q", &y.bit(1));
    let line = line!() + 1;
    m.comb(y.bit(0).eq(1u8));
    let e = single_error(m, ErrorKind::MultipleDrivers);
    assert_at(&e, line);
    assert!(
        e.message.contains("instance `oddr`") && e.message.contains("combinational logic"),
        "{e}"
    );
}

#[test]
fn driving_an_input_port_is_an_error() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(1));
    let line = line!() + 1;
    m.comb(a.eq(0u8));
    let e = single_error(m, ErrorKind::MultipleDrivers);
    assert_at(&e, line);
    assert!(e.message.contains("its input port"), "{e}");
}

#[test]
fn a_combinational_loop_is_reported_with_its_path() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(4));
    let a = m.signal("a", unsigned(4));
    let b = m.signal("b", unsigned(4));
    let line = line!() + 1;
    m.comb(a.eq(b.wrapping_add(1u8)));
    m.comb(b.eq(&a));
    m.comb(y.eq(&b));
    let e = single_error(m, ErrorKind::CombinationalLoop);
    assert_at(&e, line);
    assert!(e.message.starts_with("combinational loop: "), "{e}");
    let path = e.message["combinational loop: ".len()..].split(';').next().unwrap();
    let names: Vec<&str> = path.split(" -> ").collect();
    assert_eq!(names.first(), names.last(), "the path closes: {path}");
    assert!(
        names.iter().any(|n| n.starts_with("a[")) && names.iter().any(|n| n.starts_with("b[")),
        "{path}"
    );
}

#[test]
fn bits_of_one_signal_feeding_each_other_are_not_a_loop() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(1));
    let y = m.output("y", unsigned(3));
    m.comb([y.bit(0).eq(&a), y.bit(1).eq(!y.bit(0)), y.bit(2).eq(y.bit(1) & &a)]);
    assert!(Design::elaborate(m).is_ok());
}

#[test]
fn a_loop_through_a_submodule_is_found() {
    let mut child = Module::new("passthrough");
    let i = child.input("i", unsigned(1));
    let o = child.output("o", unsigned(1));
    child.comb(o.eq(!&i));
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    let u = m.submodule("u", child);
    let line = line!() + 1;
    m.comb(u.port("i").eq(u.port("o")));
    m.comb(y.eq(u.port("o")));
    let e = single_error(m, ErrorKind::CombinationalLoop);
    assert_at(&e, line);
    assert!(e.message.contains("u.o"), "{e}");
}

#[test]
fn a_registered_feedback_is_not_a_loop() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(4));
    let a = m.signal("a", unsigned(4));
    m.sync(a.eq(a.wrapping_add(1u8)));
    m.comb(y.eq(&a));
    assert!(Design::elaborate(m).is_ok());
}

#[test]
fn an_undriven_output_is_an_error_at_its_declaration() {
    let mut m = Module::new("top");
    let line = line!() + 1;
    let _y = m.output("y", unsigned(4));
    let e = single_error(m, ErrorKind::UndrivenOutput);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "output `y` is never driven; assign it with `comb` or `sync`, or connect it to an instance output"
    );
}

#[test]
fn a_port_a_submodule_does_not_have_is_an_error() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(8));
    let u = m.submodule("u_cnt", hdl_testkit::examples::counter(8));
    m.comb(u.port("en").eq(1u8));
    let line = line!() + 1;
    m.comb(y.eq(u.port("value")));
    let e = single_error(m, ErrorKind::NoSuchPort);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "submodule `u_cnt` (module `counter`) has no port `value`; its ports are: en, count, wrap"
    );
}

#[test]
fn a_verilog_keyword_as_a_name_is_an_error() {
    let mut m = Module::new("top");
    let line = line!() + 1;
    let r = m.signal("reg", unsigned(1));
    let y = m.output("y", unsigned(1));
    m.comb(y.eq(&r));
    let e = single_error(m, ErrorKind::BadName);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "`reg` is a Verilog keyword and cannot name anything; choose another name (e.g. `reg_`)"
    );
}

#[test]
fn a_keyword_as_a_submodules_port_name_is_an_error_not_a_panic() {
    let mut child = Module::new("child");
    let line = line!() + 1;
    let bit = child.input("bit", unsigned(1));
    let out = child.output("out", unsigned(1));
    child.comb(out.eq(&bit));
    let mut m = Module::new("top");
    let (a, y) = (m.input("a", unsigned(1)), m.output("y", unsigned(1)));
    let c = m.submodule("child", child);
    m.comb([c.port("bit").eq(&a), y.eq(c.port("out"))]);
    let e = single_error(m, ErrorKind::BadName);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "`bit` is a Verilog keyword and cannot name anything; choose another name (e.g. `bit_`)"
    );
}

#[test]
fn a_signal_of_another_module_cannot_be_driven() {
    let mut other = Module::new("other");
    let foreign = other.signal("foreign", unsigned(1));
    let mut m = Module::new("top");
    let line = line!() + 1;
    m.comb(foreign.eq(1u8));
    let e = single_error(m, ErrorKind::ForeignSignal);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "cannot assign to `foreign`: signal `foreign` belongs to another module; a module can only drive its own signals"
    );
}

#[test]
fn malformed_values_report_where_they_were_written() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(8));
    let y = m.output("y", unsigned(4));
    let line = line!() + 1;
    m.comb(y.eq(a.slice(6..10)));
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert!(
        e.message
            .starts_with("slice 6..10 is out of range for a value of shape unsigned(8)"),
        "{e}"
    );
}

#[test]
fn a_case_pattern_that_does_not_fit_is_an_error() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(3));
    let y = m.output("y", unsigned(1));
    let mut line = 0;
    m.switch(&a, |s| {
        line = line!() + 1;
        s.case("1-", |m| m.comb(y.eq(1u8)));
    });
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert!(e.message.contains("must have exactly 3 characters"), "{e}");
}

#[test]
fn an_unknown_state_is_an_error_listing_the_states() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    let fsm = m.fsm("ctrl");
    m.state(fsm, "IDLE", |m| m.next(fsm, "RUN"));
    m.state(fsm, "RUN", |m| m.next(fsm, "IDLE"));
    let line = line!() + 1;
    m.comb(y.eq(fsm.ongoing("DONE")));
    let e = single_error(m, ErrorKind::Invalid);
    assert_at(&e, line);
    assert_eq!(e.message, "state machine `ctrl` has no state `DONE`; its states are: IDLE, RUN");
}

#[test]
fn all_errors_are_reported_together() {
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(8));
    let y = m.output("y", unsigned(4));
    let _z = m.output("z", unsigned(1));
    m.comb(y.eq(&a));
    let errors = Design::elaborate(m).expect_err("two mistakes");
    assert!(
        errors.has(ErrorKind::Truncation) && errors.has(ErrorKind::UndrivenOutput),
        "{errors}"
    );
    assert_eq!(errors.0.len(), 2, "{errors}");
    assert!(errors.to_string().ends_with("2 errors in elaboration"), "{errors}");
}
