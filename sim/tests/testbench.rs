//! The testbench API as a user meets it: clocks with their own periods, models, waveform
//! windows, memories, wide values, hierarchical names, and the errors for misuse.

use std::cell::RefCell;
use std::rc::Rc;

use hdl_dsl::{unsigned, Bits, Design, Module, ResetKind};
use hdl_sim::{SimError, Simulator, Trace, DEFAULT_PERIOD_PS};
use hdl_testkit::examples;

/// Two free-running counters, in a 25 MHz pixel domain and a 125 MHz serializer domain.
fn two_clocks() -> Design {
    let mut m = Module::new("two_clocks");
    m.domain_from_ports("pix", ResetKind::None);
    m.domain_from_ports("ser", ResetKind::None);
    let pix = m.output("pix_count", unsigned(16));
    let ser = m.output("ser_count", unsigned(16));
    m.sync_in("pix", pix.eq(pix.wrapping_add(1u8)));
    m.sync_in("ser", ser.eq(ser.wrapping_add(1u8)));
    Design::elaborate(m).expect("two_clocks elaborates")
}

fn temp_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("hdl_sim_{}_{name}", std::process::id()))
}

#[test]
fn domains_run_by_their_own_periods() {
    let mut sim = Simulator::new(&two_clocks()).unwrap();
    let (pix, ser) = (sim.domain("pix").unwrap(), sim.domain("ser").unwrap());
    sim.set_period(pix, 40_000);
    sim.set_period(ser, 8_000);
    let (pix_count, ser_count) = (sim.signal("pix_count").unwrap(), sim.signal("ser_count").unwrap());

    // The first rising edge of a clock of period p is at p/2; the serializer clock
    // rises at 4, 12, 20 ns, the last together with the pixel clock.
    sim.tick(pix);
    assert_eq!(sim.time_ps(), 20_000);
    assert_eq!((sim.get(pix_count), sim.get(ser_count)), (1, 3));

    sim.run_for(400_000 - 20_000);
    assert_eq!(sim.time_ps(), 400_000);
    assert_eq!((sim.get(pix_count), sim.get(ser_count)), (10, 50));
    assert_eq!((sim.cycles(pix), sim.cycles(ser)), (10, 50));

    sim.ticks(ser, 5);
    assert_eq!((sim.time_ps(), sim.get(ser_count), sim.get(pix_count)), (436_000, 55, 11));
}

#[test]
fn a_taken_clock_changes_only_when_set() {
    let mut sim = Simulator::new(&two_clocks()).unwrap();
    let (pix, ser) = (sim.domain("pix").unwrap(), sim.domain("ser").unwrap());
    sim.take_clock(ser).unwrap();
    let (ser_clk, ser_count) = (sim.signal("ser_clk").unwrap(), sim.signal("ser_count").unwrap());
    sim.ticks(pix, 10);
    assert_eq!((sim.get(ser_count), sim.cycles(ser)), (0, 0), "no edges while nobody sets it");
    // A model on `pix` makes it: one rising edge every two pixel clocks.
    let mut level = 0;
    sim.add_model(pix, move |s: &mut Simulator| {
        level ^= 1;
        s.set(ser_clk, level).unwrap();
    });
    sim.ticks(pix, 10);
    assert_eq!((sim.get(ser_count), sim.cycles(ser)), (5, 5));
    let err = sim.take_clock(ser).unwrap_err();
    assert_eq!(
        err.to_string(),
        "signal `ser_clk` is not a clock the testbench runs; the clocks are: `pix_clk`"
    );
}

#[test]
fn clocks_default_to_100_mhz() {
    let design = Design::elaborate(examples::counter(8)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    sim.ticks(sync, 3);
    assert_eq!(DEFAULT_PERIOD_PS, 10_000);
    assert_eq!(sim.time_ps(), 25_000);
}

#[test]
fn a_model_reacts_after_every_edge() {
    let design = Design::elaborate(examples::counter(8)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let (en, count) = (sim.signal("en").unwrap(), sim.signal("count").unwrap());
    // Enables the counter every other cycle and records what it sees.
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    sim.add_model(sync, move |sim: &mut Simulator| {
        let c = sim.get(count);
        log.borrow_mut().push(c);
        sim.set(en, c % 2).unwrap();
    });
    sim.set(en, 1).unwrap();
    sim.ticks(sync, 6);
    // Edge 1 counts (en = 1 before it); the model sees 1 and keeps en high; edge 2 makes
    // 2 and the model drops en; edge 3 holds 2 and the model leaves en low...
    assert_eq!(*seen.borrow(), vec![1, 2, 2, 2, 2, 2]);
}

#[test]
fn run_until_counts_ticks_and_times_out() {
    let design = Design::elaborate(examples::counter(8)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let (en, count) = (sim.signal("en").unwrap(), sim.signal("count").unwrap());
    sim.set(en, 1).unwrap();
    assert_eq!(sim.run_until(sync, 100, |s| s.get(count) == 42).unwrap(), 42);
    let err = sim.run_until(sync, 10, |s| s.get(count) == 0).unwrap_err();
    assert!(matches!(err, SimError::Timeout { cycles: 10, .. }));
    assert_eq!(err.to_string(), "the condition did not hold within 10 cycles of domain `sync`");
}

#[test]
fn a_trace_window_keeps_only_its_time() {
    let design = Design::elaborate(examples::counter(8)).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let en = sim.signal("en").unwrap();
    let path = temp_file("window.vcd");
    sim.trace(&path, &Trace::only(&["count"]).window(100_000..150_000)).unwrap();
    sim.set(en, 1).unwrap();
    sim.ticks(sync, 30);
    sim.finish_trace().unwrap();
    let vcd = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();

    assert!(vcd.contains("$var wire 8 ! count [7:0] $end"), "{vcd}");
    assert!(!vcd.contains(" en "), "only `count` is traced:\n{vcd}");
    let times: Vec<u64> = vcd
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|t| t.parse().unwrap())
        .collect();
    // Edges at 105, 115, ... ps x 1000 lie in the window; the first sample in it dumps
    // every value.
    assert_eq!(times, vec![100_000, 105_000, 115_000, 125_000, 135_000, 145_000]);
    let body = vcd.split("$enddefinitions $end\n").nth(1).unwrap();
    assert!(body.starts_with("#100000\n$dumpvars\nb1010 !\n$end\n#105000\nb1011 !\n"), "{body}");
}

#[test]
fn hierarchical_names_reach_into_instances() {
    let design = Design::elaborate(examples::hierarchy()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let slow = sim.signal("slow.count").unwrap();
    sim.ticks(sync, 7);
    assert_eq!(sim.get(slow), 7);
    let path = temp_file("scopes.vcd");
    sim.trace(&path, &Trace::only(&["slow"])).unwrap();
    sim.tick(sync);
    sim.finish_trace().unwrap();
    let vcd = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(vcd.contains("$scope module hierarchy $end\n$scope module slow $end\n"), "{vcd}");
    assert!(!vcd.contains("$scope module fast $end"), "{vcd}");
}

#[test]
fn memories_have_a_back_door() {
    let design = Design::elaborate(examples::ram()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let mem = sim.memory("mem").unwrap();
    let (we, waddr, wdata) = (
        sim.signal("we").unwrap(),
        sim.signal("waddr").unwrap(),
        sim.signal("wdata").unwrap(),
    );
    let (raddr, rdata) = (sim.signal("raddr").unwrap(), sim.signal("rdata").unwrap());

    assert_eq!(sim.read_memory(mem, 100).unwrap().to_u64(), 300, "init values");
    sim.write_memory(mem, 5, &Bits::from_u128(0xbeef, 16)).unwrap();
    sim.set(raddr, 5).unwrap();
    sim.tick(sync);
    assert_eq!(sim.get(rdata), 0xbeef, "a synchronous read sees the back-door write");

    sim.set(we, 1).unwrap();
    sim.set(waddr, 7).unwrap();
    sim.set(wdata, 0x1234).unwrap();
    sim.tick(sync);
    assert_eq!(sim.read_memory(mem, 7).unwrap().to_u64(), 0x1234, "the design's write lands");

    let err = sim.read_memory(mem, 1024).unwrap_err();
    assert_eq!(err.to_string(), "address 1024 is beyond memory `mem` of 1024 words");
    let err = sim.write_memory(mem, 0, &Bits::from_u128(1, 8)).unwrap_err();
    assert!(err.to_string().contains("does not fit signal `mem` of 16 bits"), "{err}");
    let err = sim.memory("rom").unwrap_err();
    assert_eq!(err.to_string(), "no memory `rom`; the design has: `mem`");
}

#[test]
fn values_wider_than_a_word() {
    let design = Design::elaborate(examples::wide_logic()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let (a, b) = (sim.signal("a").unwrap(), sim.signal("b").unwrap());
    let (sum, less) = (sim.signal("sum").unwrap(), sim.signal("less").unwrap());
    // a = 2^129 + 5, b = -7: the sum is 2^129 - 2.
    sim.set_bits(a, &Bits::from_words(&[5, 0, 2], 130)).unwrap();
    sim.set_bits(b, &Bits::from_i128(-7, 130)).unwrap();
    assert_eq!(sim.get_bits(sum), Bits::from_words(&[u64::MAX - 1, u64::MAX, 1], 132));
    assert_eq!(sim.get(less), 1);
    // b = 2^128 + 6 is positive, and a wide comparison sees it so.
    sim.set_bits(b, &Bits::from_words(&[6, 0, 1], 130)).unwrap();
    assert_eq!(sim.get_bits(sum), Bits::from_words(&[11, 0, 3], 132));
    assert_eq!(sim.get(less), 1);
    // `set` takes up to 64 bits into a wide input.
    sim.set(a, 1).unwrap();
    assert_eq!(sim.get(less), 0);
    sim.set(b, 1).unwrap();
    assert_eq!(sim.get_bits(sum), Bits::from_words(&[2, 0, 0], 132));
}

#[test]
fn asynchronous_reset_acts_without_a_clock() {
    let design = Design::elaborate(examples::reset_domains()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let io = sim.domain("io").unwrap();
    let (req, seen, io_rst) = (
        sim.signal("req").unwrap(),
        sim.signal("seen").unwrap(),
        sim.signal("io_rst").unwrap(),
    );
    sim.set(req, 0b0101).unwrap();
    sim.tick(io);
    assert_eq!(sim.get(seen), 0b1111);
    let time = sim.time_ps();
    sim.set(io_rst, 1).unwrap();
    assert_eq!(sim.get(seen), 0b1010, "back to its init value at once");
    assert_eq!(sim.time_ps(), time);
}

#[test]
fn misuse_gets_clear_errors() {
    let design = Design::elaborate(examples::hierarchy()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();

    let err = sim.signal("count").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no signal `count` in the design; names are hierarchical (`instance.signal`); did you mean one of: \
         `fast.count`, `slow.count`"
    );
    let err = sim.domain("pixel").unwrap_err();
    // Domains inside instances have hierarchical names too.
    assert_eq!(
        err.to_string(),
        "no clock domain `pixel`; the design has: `fast`, `fast.fast`, `slow.sync`, `sync`"
    );

    let out = sim.signal("out").unwrap();
    let err = sim.set(out, 1).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "signal `out` is driven by the design and cannot be set; a testbench sets inputs of the top module, \
             outputs of black boxes, and what the board drives onto pads (`<pad>.outside`): `clk`, `rst`, `fast_clk`, `sel`"
        ),
        "{err}"
    );
    let sel = sim.signal("sel").unwrap();
    assert_eq!(
        sim.set(sel, 16).unwrap_err().to_string(),
        "value 16 does not fit signal `sel` of 4 bits"
    );
    assert_eq!(
        sim.set_i64(sel, -9).unwrap_err().to_string(),
        "value -9 does not fit signal `sel` of 4 bits"
    );
    sim.set_i64(sel, -8).unwrap();
    assert_eq!(sim.get(sel), 8);
}

#[test]
fn clocks_made_by_logic_cannot_be_ticked_by_name() {
    // `div` toggles every cycle of `sync` and clocks domain `slow`.
    let mut m = Module::new("divider");
    let div = m.signal("div", unsigned(1));
    m.sync(div.eq(!&div));
    m.domain("slow", &div, ResetKind::None, None);
    let n = m.output("n", unsigned(8));
    m.sync_in("slow", n.eq(n.wrapping_add(1u8)));
    let design = Design::elaborate(m).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let err = sim.domain("slow").unwrap_err();
    assert_eq!(err, SimError::DerivedClock { domain: "slow".into() });
    assert_eq!(
        err.to_string(),
        "the clock of domain `slow` is made by logic in the design or driven by a model (`Simulator::take_clock`), \
         so it cannot be ticked directly; \
         tick the domain that makes it, or use `run_for`"
    );
    // It still runs, at half the rate of the clock that makes it.
    let sync = sim.domain("sync").unwrap();
    let n = sim.signal("n").unwrap();
    sim.ticks(sync, 10);
    assert_eq!(sim.get(n), 5);
}

#[test]
fn signals_are_found_by_the_values_that_built_them() {
    let mut child = Module::new("counter_child");
    let en = child.input("en", unsigned(1));
    let count = child.output("count", unsigned(8));
    let next = child.signal("next", unsigned(8));
    child.comb(next.eq(count.wrapping_add(1u8)));
    child.if_(&en, |m| m.sync(count.eq(&next)));
    let mut top = Module::new("top");
    let go = top.input("go", unsigned(1));
    let out = top.output("out", unsigned(8));
    let u = top.submodule("u", child);
    top.comb([u.port("en").eq(&go), out.eq(u.port("count"))]);
    let design = Design::elaborate(top).unwrap();
    let mut sim = Simulator::new(&design).unwrap();

    // A signal of the top, a signal inside the child, and the parent's side of a port.
    let (go, out, next) = (
        sim.signal_of(&go).unwrap(),
        sim.signal_of(&out).unwrap(),
        sim.signal_of(&next).unwrap(),
    );
    assert_eq!(next, sim.signal("u.next").unwrap());
    assert_eq!(sim.signal_of(&u.port("count")).unwrap(), sim.signal("u_count").unwrap());
    sim.set(go, 1).unwrap();
    let sync = sim.domain("sync").unwrap();
    sim.ticks(sync, 3);
    assert_eq!((sim.get(out), sim.get(next)), (3, 4));

    let expression = sim.signal_of(&(&en ^ 1u8)).unwrap_err();
    assert_eq!(
        expression.to_string(),
        "an expression is not a signal; pass a signal, port or interface member as it was built, or name it with `Simulator::signal`"
    );
    let mut stray = Module::new("stray");
    let lost = stray.signal("lost", unsigned(1));
    assert_eq!(
        sim.signal_of(&lost).unwrap_err().to_string(),
        "signal `lost` belongs to a module that is not part of this design (built, but never added to the design's hierarchy)"
    );
}
