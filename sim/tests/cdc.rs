//! The clock-domain crossings found in a design: synchronizer stages, logic and enabled
//! loads between clocks, memories (not crossings), and clocks named by their source
//! through submodule ports and inversions.

use hdl_dsl::{unsigned, Design, Module, ResetKind};
use hdl_sim::cdc::{crossings, Crossing};

/// Clocks `clk_a` and `clk_b`; a counter in `a`; in `b` a two-register synchronizer of
/// its top bit, a register of the counter plus one, a load of it under an enable, and
/// a submodule clocked by `clk_b` through its port that registers the counter's low bit
/// on the falling edge; a memory written in `a` and read in `b`.
fn two_clocks() -> Module {
    let mut m = Module::new("top");
    let (clk_a, clk_b, en) = (
        m.input("clk_a", unsigned(1)),
        m.input("clk_b", unsigned(1)),
        m.input("en", unsigned(1)),
    );
    let rst_b = m.input("rst_b", unsigned(1));
    m.domain("a", &clk_a, ResetKind::None, None);
    m.domain("b", &clk_b, ResetKind::Sync, Some(&rst_b));
    let count = m.signal("count", unsigned(4));
    m.sync_in("a", count.eq(count.wrapping_add(1u8)));
    let (meta, safe) = (m.signal("meta", unsigned(1)), m.signal("safe", unsigned(1)));
    m.sync_in("b", [meta.eq(count.bit(3)), safe.eq(&meta)]);
    let sum = m.signal("sum", unsigned(5));
    m.sync_in("b", sum.eq(&count + 1u8));
    let loaded = m.signal("loaded", unsigned(4));
    m.if_(&en, |m| m.sync_in("b", loaded.eq(&count)));

    let mut child = Module::new("child");
    let (clk, bit) = (child.input("clk", unsigned(1)), child.input("d", unsigned(1)));
    let falling = child.signal("falling", unsigned(1));
    child.comb(falling.eq(!&clk));
    child.domain("sync", &falling, ResetKind::None, None);
    let out = child.output("out", unsigned(1));
    child.sync(out.eq(&bit));
    let c = m.submodule("child", child);
    m.comb([c.port("clk").eq(&clk_b), c.port("d").eq(count.bit(0))]);

    let mem = m.memory("words", unsigned(4), 16);
    let w = m.write_port(mem, "a");
    m.comb([w.addr.eq(&count), w.data.eq(&count), w.en.eq(1u8)]);
    let r = m.read_port(mem, "b");
    m.comb([r.addr.eq(sum.trunc(4)), r.en.eq(1u8)]);
    let word = m.output("word", unsigned(4));
    m.comb(word.eq(&r.data));
    let o = m.output("o", unsigned(1));
    m.comb(o.eq(&safe ^ c.port("out") ^ sum.bit(4) ^ loaded.bit(0)));
    m
}

#[test]
fn crossings_are_found_and_synchronizer_stages_told_apart() {
    let design = Design::elaborate(two_clocks()).unwrap();
    let found = crossings(&design).unwrap();
    let crossing = |register: &str, synchronized: bool| Crossing {
        from: "clk_a".into(),
        to: "clk_b".into(),
        register: register.into(),
        synchronized,
    };
    let mut seen = found.crossings.clone();
    seen.sort_by(|x, y| x.register.cmp(&y.register));
    assert_eq!(
        seen,
        [
            crossing("child.out", true),
            crossing("loaded", false),
            crossing("meta", true),
            crossing("sum", false),
        ]
    );
    assert!(!found.only_synchronized("clk_a", "clk_b"));
    assert!(found.only_synchronized("clk_b", "clk_a"));
    assert_eq!(found.clock("child.clk"), Some("clk_b"));
    assert_eq!(found.clock("child.falling"), Some("clk_b"));
    assert_eq!(found.clock("count"), None);
}
