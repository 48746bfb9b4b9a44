//! Clock-domain crossing under clocks that never line up: the asynchronous FIFO loses,
//! duplicates and reorders nothing over millions of cycles and its flags never lie; the
//! synchronizers delay by their two registers and carry every pulse; the reset
//! synchronizer asserts at once and releases on the second clock edge.

use std::cell::RefCell;
use std::rc::Rc;

use hdl_cores::cdc::{async_fifo, pulse_synchronizer, reset_synchronizer, synchronizer};
use hdl_dsl::stream::StreamSignature;
use hdl_dsl::{unsigned, Design, Module, ResetKind};
use hdl_sim::stream::{Beat, ProtocolChecker, StreamSink, StreamSource};
use hdl_sim::{Model, Sampled, Signal, Simulator, Xorshift};

/// How many payloads the FIFO holds, counted from the transfers on both sides, and
/// checks that neither flag ever lets a transfer through that the count forbids.
#[derive(Default)]
struct Occupancy {
    pushed: u64,
    popped: u64,
    max: u64,
    violations: Vec<String>,
}

struct Side {
    valid: Signal,
    ready: Signal,
    write: bool,
    depth: u64,
    count: Rc<RefCell<Occupancy>>,
}

impl Model for Side {
    fn before_edge(&mut self, now: &Sampled) {
        if now.get(self.valid) == 1 && now.get(self.ready) == 1 {
            let mut c = self.count.borrow_mut();
            if self.write {
                c.pushed += 1;
                if c.pushed - c.popped > self.depth {
                    let message = format!("push {} overflowed a FIFO of {}", c.pushed, self.depth);
                    c.violations.push(message);
                }
                c.max = c.max.max(c.pushed - c.popped);
            } else {
                c.popped += 1;
                if c.popped > c.pushed {
                    let message = format!("pop {} from an empty FIFO", c.popped);
                    c.violations.push(message);
                }
            }
        }
    }

    fn tick(&mut self, _: &mut Simulator) {}
}

fn run_async_fifo(write_period: u64, read_period: u64, payloads: u64, stall: u32, ready: u32, fills: bool) {
    const DEPTH: u64 = 16;
    let words = StreamSignature::new(unsigned(12)).with_last();
    let design = Design::elaborate(async_fifo(&words, DEPTH as u32).into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let (write, read) = (sim.domain("write").unwrap(), sim.domain("read").unwrap());
    sim.set_period(write, write_period);
    sim.set_period(read, read_period);
    let beats: Vec<Beat> = (0..payloads)
        .map(|k| Beat {
            payload: (k * 7919) & 0xfff,
            first: false,
            last: k % 10 == 9,
        })
        .collect();
    let source = StreamSource::attach(&mut sim, write, "i", &words, beats.clone(), 3, stall).unwrap();
    let sink = StreamSink::attach(&mut sim, read, "o", &words, 4, ready).unwrap();
    ProtocolChecker::attach(&mut sim, write, "i", &words).unwrap();
    ProtocolChecker::attach(&mut sim, read, "o", &words).unwrap();
    let count = Rc::new(RefCell::new(Occupancy::default()));
    for (d, prefix, is_write) in [(write, "i", true), (read, "o", false)] {
        let side = Side {
            valid: sim.signal(&format!("{prefix}_valid")).unwrap(),
            ready: sim.signal(&format!("{prefix}_ready")).unwrap(),
            write: is_write,
            depth: DEPTH,
            count: count.clone(),
        };
        sim.add_model(d, side);
    }
    sim.run_until(read, payloads * 40, |_| sink.count() == payloads as usize).unwrap();
    assert!(source.done());
    assert_eq!(count.borrow().violations, Vec::<String>::new());
    assert_eq!(sink.received(), beats, "every payload once, in order");
    // A slow reader lets the FIFO fill to the brim; a fast one keeps it nearly empty.
    let max = count.borrow().max;
    assert!(if fills { max == DEPTH } else { max < DEPTH / 2 }, "the FIFO held at most {max}");
    assert!(
        sim.cycles(read) + sim.cycles(write) > 1_000_000,
        "{} + {} cycles",
        sim.cycles(write),
        sim.cycles(read)
    );
}

#[test]
fn async_fifo_slow_reader() {
    // 100 MHz writer, 73 MHz reader taking 60% of cycles: the FIFO fills.
    run_async_fifo(10_000, 13_700, 300_000, 5, 60, true);
}

#[test]
fn async_fifo_fast_reader() {
    // 40 MHz writer stalling often, 127 MHz reader: the FIFO runs empty.
    run_async_fifo(25_000, 7_877, 200_000, 40, 70, false);
}

#[test]
fn a_synchronizer_delays_by_two_cycles() {
    let design = Design::elaborate(synchronizer(4).into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let (i, o) = (sim.signal("i").unwrap(), sim.signal("o").unwrap());
    sim.set(i, 9).unwrap();
    sim.tick(sync);
    assert_eq!(sim.get(o), 0);
    sim.tick(sync);
    assert_eq!(sim.get(o), 9);
}

#[test]
fn every_pulse_crosses_once() {
    let design = Design::elaborate(pulse_synchronizer().into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let (src, dst) = (sim.domain("src").unwrap(), sim.domain("sync").unwrap());
    sim.set_period(src, 6_100);
    sim.set_period(dst, 9_300);
    let (i, o) = (sim.signal("i").unwrap(), sim.signal("o").unwrap());
    let seen = Rc::new(RefCell::new(0u64));
    let count = seen.clone();
    sim.add_model(dst, move |s: &mut Simulator| *count.borrow_mut() += s.get(o));
    let mut rng = Xorshift::new(77);
    let mut sent = 0;
    for _ in 0..20_000 {
        let x = rng.next();
        // A pulse now and then, always at least five source cycles (over three
        // destination cycles) apart.
        let pulse = x.is_multiple_of(3);
        sim.set(i, pulse as u64).unwrap();
        sim.tick(src);
        sim.set(i, 0).unwrap();
        sim.ticks(src, 5);
        sent += pulse as u64;
    }
    sim.ticks(dst, 5);
    assert_eq!(*seen.borrow(), sent);
}

/// A counter in a `sync` domain reset through a reset synchronizer from `arst`.
fn counter_behind_a_reset_synchronizer() -> Module {
    let mut m = Module::new("top");
    let clk = m.input("clk_in", unsigned(1));
    let arst = m.input("arst", unsigned(1));
    let count = m.output("count", unsigned(8));
    let rst = m.output("rst", unsigned(1));
    let reset = m.add("reset_sync", reset_synchronizer(2));
    m.comb([reset.clk.eq(&clk), reset.arst.eq(&arst), rst.eq(&reset.rst)]);
    m.domain("sync", &clk, ResetKind::Sync, Some(&reset.rst));
    m.sync(count.eq(count.wrapping_add(1u8)));
    m
}

#[test]
fn a_reset_synchronizer_asserts_at_once_and_releases_on_the_second_edge() {
    let design = Design::elaborate(counter_behind_a_reset_synchronizer()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let clk = sim.domain("sync").unwrap();
    let (arst, rst, count) = (
        sim.signal("arst").unwrap(),
        sim.signal("rst").unwrap(),
        sim.signal("count").unwrap(),
    );
    // From power-on the domain is in reset, and leaves it on the second edge.
    assert_eq!(sim.get(rst), 1);
    sim.tick(clk);
    assert_eq!((sim.get(rst), sim.get(count)), (1, 0));
    sim.tick(clk);
    assert_eq!((sim.get(rst), sim.get(count)), (0, 0));
    sim.ticks(clk, 5);
    assert_eq!(sim.get(count), 5);
    // A request between edges resets at once, without waiting for the clock.
    sim.run_for(3_000);
    sim.set(arst, 1).unwrap();
    sim.settle();
    assert_eq!(sim.get(rst), 1);
    sim.ticks(clk, 4);
    assert_eq!((sim.get(rst), sim.get(count)), (1, 0));
    // Released between edges: two edges later the counter runs again from zero.
    sim.run_for(3_000);
    sim.set(arst, 0).unwrap();
    sim.settle();
    assert_eq!(sim.get(rst), 1);
    sim.tick(clk);
    assert_eq!(sim.get(rst), 1);
    sim.tick(clk);
    assert_eq!(sim.get(rst), 0);
    sim.ticks(clk, 3);
    assert_eq!(sim.get(count), 3);
}

#[test]
fn a_reset_synchronizer_has_at_least_two_stages() {
    let one = Design::elaborate(reset_synchronizer(1).into_module()).unwrap();
    let two = Design::elaborate(reset_synchronizer(2).into_module()).unwrap();
    assert_eq!(one.verilog(), two.verilog());
    let five = Design::elaborate(reset_synchronizer(5).into_module()).unwrap();
    assert!(five.verilog().contains("reg  [4:0]   flops = 5'h1f;"), "{}", five.verilog());
}
