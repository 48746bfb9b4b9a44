//! Every kind of elaboration error by its message, word for word, and the line of the
//! mistake. Kinds whose messages `checks.rs`, `wiring.rs` and `resets.rs` already assert
//! verbatim are not repeated here.

mod common;

use common::single_error;
use hdl_dsl::*;

fn assert_at(e: &Error, line: u32) {
    common::assert_at(e, file!(), line);
}

#[test]
fn a_signal_driven_by_logic_and_a_register_names_both_places() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(4));
    let comb_line = line!() + 1;
    m.comb(y.eq(1u8));
    let sync_line = line!() + 1;
    m.sync(y.eq(2u8));
    let e = single_error(m, ErrorKind::MultipleDrivers);
    assert_at(&e, sync_line);
    assert_eq!(
        e.message,
        format!(
            "`y` is driven from two places: combinational logic (at {f}:{comb_line}:14) and clock domain `sync` (at {f}:{sync_line}:14); each bit must have one driver, and a signal belongs to one domain",
            f = file!()
        )
    );
}

#[test]
fn a_combinational_loop_names_every_bit_on_it() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    let a = m.signal("a", unsigned(1));
    let b = m.signal("b", unsigned(1));
    let line = line!() + 1;
    m.comb(a.eq(!&b));
    m.comb(b.eq(&a));
    m.comb(y.eq(&b));
    let e = single_error(m, ErrorKind::CombinationalLoop);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "combinational loop: a -> b -> a; each of these depends on itself within one cycle. Break the loop with a register (assign one of them in a clock domain)"
    );
}

#[test]
fn reading_a_signal_of_another_module_says_to_pass_it_through_a_port() {
    let mut other = Module::new("other");
    let foreign = other.input("foreign", unsigned(1));
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    let line = line!() + 1;
    m.comb(y.eq(&foreign));
    let e = single_error(m, ErrorKind::ForeignSignal);
    assert_at(&e, line);
    assert_eq!(
        e.message,
        "signal `foreign` belongs to another module than `top`; pass it through a port (or use `Submodule::port`)"
    );
}

#[test]
fn a_signal_of_another_module_read_in_a_condition_is_reported_at_the_condition() {
    let mut other = Module::new("other");
    let foreign = other.input("foreign", unsigned(1));
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    let line = line!() + 1;
    m.if_(&foreign, |m| m.comb(y.eq(1u8)));
    let e = single_error(m, ErrorKind::ForeignSignal);
    assert_at(&e, line);
}

#[test]
fn a_state_machine_of_another_module_cannot_be_moved() {
    let mut other = Module::new("other");
    let fsm = other.fsm("ctrl");
    other.state(fsm, "IDLE", |_| {});
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    m.comb(y.eq(1u8));
    let line = line!() + 1;
    m.next(fsm, "IDLE");
    let e = single_error(m, ErrorKind::ForeignSignal);
    assert_at(&e, line);
    assert_eq!(e.message, "this state machine belongs to another module than `top`");
}

#[test]
fn a_memory_of_another_module_cannot_be_given_a_port() {
    let mut other = Module::new("other");
    let mem = other.memory("table", unsigned(8), 16);
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    m.comb(y.eq(1u8));
    let line = line!() + 1;
    let _port = m.async_read_port(mem);
    let e = single_error(m, ErrorKind::ForeignSignal);
    assert_at(&e, line);
    assert_eq!(e.message, "this memory belongs to another module than `top`");
}

#[test]
fn asking_for_the_state_of_another_modules_state_machine_is_an_error() {
    let mut other = Module::new("other");
    let fsm = other.fsm("ctrl");
    other.state(fsm, "IDLE", |_| {});
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(1));
    let line = line!() + 1;
    m.comb(y.eq(fsm.ongoing("IDLE")));
    let e = single_error(m, ErrorKind::ForeignSignal);
    assert_at(&e, line);
    assert_eq!(e.message, "state machine used in module `top` belongs to another module");
}
