//! The check for a reset that can never release: a domain whose reset depends on
//! registers that the same reset clears, at reset values that keep it asserted.

use hdl_dsl::*;

/// Elaborates `m`, expecting exactly one error, a reset that never releases.
fn stuck(m: Module) -> Error {
    let errors = Design::elaborate(m).expect_err("elaboration should fail");
    assert_eq!(errors.0.len(), 1, "expected one error, got:\n{errors}");
    let e = errors.0.into_iter().next().unwrap();
    assert_eq!(e.kind, ErrorKind::ResetNeverReleased, "{e}");
    e
}

const FIX: &str = "Make the reset with a reset synchronizer (`hdl_cores::cdc::reset_synchronizer`, whose flops are outside the reset they drive), or move that register to a domain without this reset";

#[test]
fn a_lock_synchronized_in_the_domain_it_releases_never_releases() {
    let mut m = Module::new("top");
    let clk = m.input("clk_pll", unsigned(1));
    let lock = m.input("lock", unsigned(1));
    let led = m.output("led", unsigned(1));
    let rst = m.signal("rst", unsigned(1));
    let domain_line = line!() + 1;
    m.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    let meta = m.signal("meta", unsigned(1));
    let register_line = line!() + 1;
    let locked = m.signal("locked", unsigned(1));
    m.sync([meta.eq(&lock), locked.eq(&meta)]);
    m.comb([rst.eq(!&locked), led.eq(&locked)]);
    let e = stuck(m);
    assert_eq!((e.location.file, e.location.line), (file!(), domain_line));
    assert_eq!(e.module, "top");
    assert_eq!(
        e.message,
        format!(
            "domain `sync` can never leave reset: its reset `top.rst` stays 1 while register `top.locked` (reset value 0, declared at {}:{register_line}:20; top.rst <- top.locked) is held at its reset value by that same reset. {FIX}",
            file!()
        )
    );
    assert_eq!(
        e.to_string(),
        format!("error: {}\n  --> {}:{domain_line}:7\n  in module `top`", e.message, file!())
    );
}

/// Two registers in the `sync` domain of whatever instantiates it: the lock synchronizer,
/// and the line that declares its output register.
fn lock_synchronizer() -> (Module, u32) {
    let mut m = Module::new("lock_synchronizer");
    let i = m.input("i", unsigned(1));
    let line = line!() + 1;
    let o = m.output("o", unsigned(1));
    let meta = m.signal("meta", unsigned(1));
    m.sync([meta.eq(&i), o.eq(&meta)]);
    (m, line)
}

#[test]
fn the_check_follows_the_reset_through_submodules_and_domains_from_ports() {
    let mut m = Module::new("top");
    let clk = m.input("clk_pll", unsigned(1));
    let lock = m.input("lock", unsigned(1));
    let led = m.output("led", unsigned(8));
    let rst = m.signal("rst", unsigned(1));
    let domain_line = line!() + 1;
    m.domain("sync", &clk, ResetKind::Async, Some(&rst));
    let (synchronizer, register_line) = lock_synchronizer();
    let sync = m.submodule("lock_sync", synchronizer);
    m.comb([sync.port("i").eq(&lock), rst.eq(!sync.port("o"))]);
    // A counter below it in the same domain is held too, but does not hold the reset.
    let count = m.signal("count", unsigned(8));
    m.sync(count.eq(count.wrapping_add(1u8)));
    m.comb(led.eq(&count));
    let e = stuck(m);
    assert_eq!((e.location.file, e.location.line), (file!(), domain_line));
    assert_eq!(
        e.message,
        format!(
            "domain `sync` can never leave reset: its reset `top.rst` stays 1 while register `top.lock_sync.o` (reset value 0, declared at {}:{register_line}:15; top.rst <- top.lock_sync_o <- top.lock_sync.o) is held at its reset value by that same reset. {FIX}",
            file!(),
        )
    );
}

#[test]
fn every_register_that_holds_the_reset_is_named() {
    // Both are needed to release it, and neither can change while it is held.
    let mut m = Module::new("top");
    let (a_in, b_in) = (m.input("a_in", unsigned(1)), m.input("b_in", unsigned(1)));
    let y = m.output("y", unsigned(2));
    let line = line!() + 1;
    let (a, b) = (m.signal("a", unsigned(1)), m.signal("b", unsigned(1)));
    m.sync([a.eq(&a_in), b.eq(&b_in)]);
    m.comb(y.eq(cat([a.clone(), b.clone()])));
    let clk = m.input("clk_pll", unsigned(1));
    let rst = m.signal("rst", unsigned(1));
    m.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    m.comb(rst.eq(!(&a & &b)));
    let e = stuck(m);
    assert_eq!(
        e.message,
        format!(
            "domain `sync` can never leave reset: its reset `top.rst` stays 1 while registers `top.a` (reset value 0, declared at {f}:{line}:21; top.rst <- top.a), `top.b` (reset value 0, declared at {f}:{line}:49; top.rst <- top.b) are held at their reset value by that same reset. Make the reset with a reset synchronizer (`hdl_cores::cdc::reset_synchronizer`, whose flops are outside the reset they drive), or move those registers to a domain without this reset",
            f = file!()
        )
    );
}

/// A domain reset by a register of its own that `go` sets for one cycle; `init` is that
/// register's reset value. Returns the module and the line declaring the register.
fn soft_reset(init: u8) -> (Module, u32) {
    let mut m = Module::new("top");
    let clk = m.input("clk_pll", unsigned(1));
    let go = m.input("go", unsigned(1));
    let y = m.output("y", unsigned(8));
    let line = line!() + 1;
    let soft = m.signal_init("soft_rst", unsigned(1), init);
    m.domain("sync", &clk, ResetKind::Sync, Some(&soft));
    m.sync(soft.eq(&go));
    let count = m.signal("count", unsigned(8));
    m.sync(count.eq(count.wrapping_add(1u8)));
    m.comb(y.eq(&count));
    (m, line)
}

#[test]
fn a_soft_reset_that_clears_itself_is_legal() {
    Design::elaborate(soft_reset(0).0).unwrap();
}

#[test]
fn a_soft_reset_whose_reset_value_asserts_it_never_releases() {
    let (m, line) = soft_reset(1);
    let e = stuck(m);
    assert_eq!(
        e.message,
        format!(
            "domain `sync` can never leave reset: its reset `top.soft_rst` stays 1 while register `top.soft_rst` (reset value 1, declared at {}:{line}:18; top.soft_rst) is held at its reset value by that same reset. {FIX}",
            file!()
        )
    );
}

#[test]
fn a_reset_released_by_logic_outside_it_is_legal() {
    // The reset depends on held registers, but an input can still release it.
    let mut m = Module::new("top");
    let clk = m.input("clk_pll", unsigned(1));
    let lock = m.input("lock", unsigned(1));
    let btn = m.input("btn", unsigned(1));
    let y = m.output("y", unsigned(1));
    let rst = m.signal("rst", unsigned(1));
    m.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    let locked = m.signal("locked", unsigned(1));
    m.sync(locked.eq(&lock));
    // Registers of another domain (not cleared by `rst`) release it too.
    let free = m.signal("free", unsigned(1));
    m.domain("free", &clk, ResetKind::None, None);
    m.sync_in("free", free.eq(&btn));
    let state = m.signal("state", unsigned(2));
    m.sync(state.eq(state.wrapping_add(1u8)));
    m.switch(&state, |s| {
        s.case(0u8, |m| m.comb(rst.eq(&free)));
        s.default(|m| m.comb(rst.eq(!&locked)));
    });
    m.comb(y.eq(&locked));
    Design::elaborate(m).unwrap();
}

#[test]
fn a_reset_held_through_a_switch_and_arithmetic_is_found() {
    // In reset, state is 0 and count is 5: the case taken asserts the reset.
    let mut m = Module::new("top");
    let clk = m.input("clk_pll", unsigned(1));
    let y = m.output("y", unsigned(4));
    let rst = m.signal("rst", unsigned(1));
    m.domain("sync", &clk, ResetKind::Sync, Some(&rst));
    let state = m.signal("state", unsigned(2));
    let count = m.signal_init("count", unsigned(4), 5u8);
    m.sync([state.eq(state.wrapping_add(1u8)), count.eq(count.wrapping_sub(1u8))]);
    m.switch(&state, |s| {
        s.case(0u8, |m| m.comb(rst.eq((&count + 1u8).is_eq(6u8))));
        s.default(|m| m.comb(rst.eq(0u8)));
    });
    m.comb(y.eq(&count));
    let e = stuck(m);
    assert!(e.message.contains("registers `top.state` (reset value 0"), "{e}");
    assert!(e.message.contains("`top.count` (reset value 5"), "{e}");
}
