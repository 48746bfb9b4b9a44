//! Streams under random back-pressure: the example pipeline (skid buffer, FIFO, pixel
//! converter) loses, duplicates and reorders nothing, in this simulator and, replayed
//! cycle for cycle, in Verilator on the emitted Verilog; the skid buffer moves one
//! payload per cycle; and the protocol checker catches each broken rule at its cycle.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use hdl_dsl::stream::{self, StreamSignature};
use hdl_dsl::{unsigned, Bits, Design, Module};
use hdl_sim::stream::{Beat, ProtocolChecker, StreamSink, StreamSource};
use hdl_sim::{Model, Sampled, Signal, Simulator, Xorshift};
use hdl_testkit::verilator::{Batch, Optimize, Ports};
use hdl_testkit::{examples, tools};

/// RGB565 to RGB888 as the converter should do it, written out independently: each
/// channel's top bits repeat into the bits it lacks.
fn rgb888_of(p: u64) -> u64 {
    let (b, g, r) = (p & 0x1f, (p >> 5) & 0x3f, (p >> 11) & 0x1f);
    let (b8, g8, r8) = ((b << 3) | (b >> 2), (g << 2) | (g >> 4), (r << 3) | (r >> 2));
    b8 | (g8 << 8) | (r8 << 16)
}

/// The inputs and the outputs of one cycle, just before its edge.
type Cycle = (Vec<Bits>, Vec<Bits>);

/// Records every top-level input and output just before each edge.
struct Recorder {
    inputs: Vec<Signal>,
    outputs: Vec<Signal>,
    trace: Rc<RefCell<Vec<Cycle>>>,
}

impl Model for Recorder {
    fn before_edge(&mut self, now: &Sampled) {
        let read = |signals: &[Signal]| signals.iter().map(|s| now.get_bits(*s)).collect();
        self.trace.borrow_mut().push((read(&self.inputs), read(&self.outputs)));
    }

    fn tick(&mut self, _: &mut Simulator) {}
}

#[test]
fn pipeline_keeps_every_payload_under_back_pressure() {
    const PAYLOADS: usize = 4000;
    let pixels = StreamSignature::new(hdl_cores::pixel::rgb565()).with_last();
    let rgb888 = StreamSignature::new(hdl_cores::pixel::rgb888()).with_last();
    let design = Design::elaborate(examples::stream_pipeline()).expect("the example elaborates");
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();

    let mut x = Xorshift::new(0x2545_f491_4f6c_dd1d);
    let beats: Vec<Beat> = (0..PAYLOADS)
        .map(|k| Beat {
            payload: x.next() & 0xffff,
            first: false,
            last: k % 37 == 36,
        })
        .collect();
    let ports = Ports::of(&design);
    let trace = Rc::new(RefCell::new(Vec::new()));
    let recorder = Recorder {
        inputs: ports.inputs.iter().map(|(n, _)| sim.signal(n).unwrap()).collect(),
        outputs: ports.outputs.iter().map(|(n, _)| sim.signal(n).unwrap()).collect(),
        trace: trace.clone(),
    };
    let source = StreamSource::attach(&mut sim, sync, "i", &pixels, beats.clone(), 7, 30).unwrap();
    let sink = StreamSink::attach(&mut sim, sync, "o", &rgb888, 11, 60).unwrap();
    for (prefix, signature) in [("i", &pixels), ("skid.o", &pixels), ("fifo.o", &pixels), ("o", &rgb888)] {
        ProtocolChecker::attach(&mut sim, sync, prefix, signature).unwrap();
    }
    sim.add_model(sync, recorder);

    let cycles = sim.run_until(sync, 20 * PAYLOADS as u64, |_| sink.count() == PAYLOADS).unwrap();
    assert!(source.done());
    let expected: Vec<Beat> = beats
        .iter()
        .map(|b| Beat {
            payload: rgb888_of(b.payload),
            ..*b
        })
        .collect();
    assert_eq!(sink.received(), expected, "every payload, once, in order, converted");
    // With the source stalling 30% and the sink 40% of the time, the sink sets the pace.
    assert!(cycles < PAYLOADS as u64 * 2, "{cycles} cycles for {PAYLOADS} payloads");

    // The same stimulus through the emitted Verilog: outputs equal on every cycle, so
    // Verilator too delivers every payload once and in order.
    let Some(verilator) = tools::require(tools::Tool::Verilator, "pipeline_keeps_every_payload_under_back_pressure") else {
        return;
    };
    let trace = trace.borrow();
    let clk = ports.inputs.iter().position(|(n, _)| n == "clk").expect("the pipeline has a clock");
    let mut stimulus = Vec::new();
    for (inputs, _) in trace.iter() {
        for level in [0, 1] {
            for (i, value) in inputs.iter().enumerate() {
                if i == clk {
                    stimulus.push(level);
                } else {
                    stimulus.extend_from_slice(value.words());
                }
            }
        }
    }
    let batch = Batch::build(&verilator, &[&design], Optimize::Check).unwrap();
    let outputs = batch.run(2 * trace.len(), &[stimulus]).unwrap().remove(0);
    let per_step = ports.output_words();
    let o = |name: &str| ports.outputs.iter().position(|(n, _)| n == name).expect("output exists");
    let mut received = Vec::new();
    for (k, (inputs, ours)) in trace.iter().enumerate() {
        // Step 2k holds cycle k's inputs with the clock low: the values edge k samples.
        let step = &outputs[2 * k * per_step..(2 * k + 1) * per_step];
        let mut at = 0;
        let theirs: Vec<Bits> = ports
            .outputs
            .iter()
            .map(|(_, w)| {
                let n = w.div_ceil(64) as usize;
                at += n;
                Bits::from_words(&step[at - n..at], *w)
            })
            .collect();
        assert_eq!(&theirs, ours, "Verilator's outputs differ from hdl-sim's before edge {k}");
        let ready = ports.inputs.iter().position(|(n, _)| n == "o_ready").unwrap();
        if theirs[o("o_valid")].to_u64() == 1 && inputs[ready].to_u64() == 1 {
            let (r, g, b) = (
                theirs[o("o_payload_r")].to_u64(),
                theirs[o("o_payload_g")].to_u64(),
                theirs[o("o_payload_b")].to_u64(),
            );
            received.push(Beat {
                payload: b | (g << 8) | (r << 16),
                first: false,
                last: theirs[o("o_last")].to_u64() == 1,
            });
        }
    }
    assert_eq!(received, expected, "Verilator delivers every payload, once, in order");
}

#[test]
fn skid_buffer_moves_one_payload_per_cycle() {
    const PAYLOADS: u64 = 1000;
    let bytes = StreamSignature::new(unsigned(8));
    let design = Design::elaborate(stream::skid_buffer(&bytes).into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let beats = (0..PAYLOADS).map(|k| Beat::new(k & 0xff));
    StreamSource::attach(&mut sim, sync, "i", &bytes, beats, 1, 0).unwrap();
    let sink = StreamSink::attach(&mut sim, sync, "o", &bytes, 2, 100).unwrap();
    ProtocolChecker::attach(&mut sim, sync, "o", &bytes).unwrap();
    // Payload k goes in at edge k and out at edge k + 1.
    let cycles = sim.run_until(sync, 10 * PAYLOADS, |_| sink.count() == PAYLOADS as usize).unwrap();
    assert_eq!(cycles, PAYLOADS + 1);
    let expected: Vec<Beat> = (0..PAYLOADS).map(|k| Beat::new(k & 0xff)).collect();
    assert_eq!(sink.received(), expected);
}

/// A broken source: `valid` and the payload come from a free-running counter.
fn careless_source(valid_from_counter: bool) -> Design {
    let bytes = StreamSignature::new(unsigned(8));
    let mut m = Module::new("careless");
    let o = m.interface("o", &bytes);
    let count = m.signal("count", unsigned(8));
    m.sync(count.eq(count.wrapping_add(1u8)));
    m.comb(o.payload.eq(&count.clone().into()));
    if valid_from_counter {
        m.comb(o.valid.eq(count.bit(0)));
    } else {
        m.comb(o.valid.eq(1u8));
    }
    Design::elaborate(m).unwrap()
}

/// The panic message of running `cycles` cycles of `design` with a stalled sink and a
/// checker on stream `o`.
fn checker_panic(design: &Design, cycles: u64) -> String {
    let bytes = StreamSignature::new(unsigned(8));
    let mut sim = Simulator::new(design).unwrap();
    let sync = sim.domain("sync").unwrap();
    StreamSink::attach(&mut sim, sync, "o", &bytes, 3, 0).unwrap();
    ProtocolChecker::attach(&mut sim, sync, "o", &bytes).unwrap();
    let panic = catch_unwind(AssertUnwindSafe(|| sim.ticks(sync, cycles))).expect_err("the checker must fail the run");
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn the_checker_catches_valid_dropped_without_a_transfer() {
    // valid is low before edge 0, high before edge 1 (ready low), low before edge 2.
    assert_eq!(
        checker_panic(&careless_source(true), 10),
        "stream `o` broke the handshake at cycle 2: valid dropped without a transfer"
    );
}

#[test]
fn the_checker_catches_a_payload_changed_while_waiting() {
    assert_eq!(
        checker_panic(&careless_source(false), 10),
        "stream `o` broke the handshake at cycle 1: the payload changed while valid was high and ready low \
         (Beat { payload: 0, first: false, last: false } became Beat { payload: 1, first: false, last: false })"
    );
}

#[test]
fn a_well_behaved_stream_passes_the_checker() {
    // The same counter, but it only moves on when the payload is taken.
    let bytes = StreamSignature::new(unsigned(8));
    let mut m = Module::new("careful");
    let o = m.interface("o", &bytes);
    let count = m.signal("count", unsigned(8));
    m.if_(o.transfer(), |m| m.sync(count.eq(count.wrapping_add(1u8))));
    m.comb([o.valid.eq(1u8)]);
    m.comb(o.payload.eq(&count.clone().into()));
    let design = Design::elaborate(m).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let sink = StreamSink::attach(&mut sim, sync, "o", &bytes, 5, 50).unwrap();
    ProtocolChecker::attach(&mut sim, sync, "o", &bytes).unwrap();
    sim.ticks(sync, 500);
    let got: Vec<u64> = sink.received().iter().map(|b| b.payload).collect();
    assert!(got.len() > 200, "{} transfers", got.len());
    assert!(got.iter().enumerate().all(|(k, &p)| p == k as u64 % 256));
}

#[test]
fn a_stream_model_names_what_it_cannot_find() {
    let design = careless_source(false);
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let bytes = StreamSignature::new(unsigned(8));
    let err = StreamSink::attach(&mut sim, sync, "out", &bytes, 1, 50)
        .err()
        .expect("no stream `out`");
    assert!(err.to_string().starts_with("no signal `out_payload` in the design"), "{err}");
}
