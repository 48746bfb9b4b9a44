//! Testbench models for streams (see `hdl_dsl::stream` for the rules): a source that
//! offers payloads and a sink that takes them, each stalling at random from a seed, and
//! a checker that fails the test at the cycle a rule is broken.
//!
//! Each is attached to a stream of the design by the prefix of its members' names:
//! `"i"` for the top-level ports `i_valid`, `i_payload_r`, …; `"fifo.o"` for a stream
//! of instance `fifo`. It runs as a [`Model`] and hands back a handle for the results.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use hdl_dsl::stream::StreamSignature;

use crate::error::SimError;
use crate::simulator::{Domain, Model, Sampled, Signal, Simulator};

/// One transfer: the payload (its layout's fields packed, the first least significant)
/// and the markers (false when the stream lacks them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Beat {
    /// The payload bits.
    pub payload: u64,
    /// The `first` marker.
    pub first: bool,
    /// The `last` marker.
    pub last: bool,
}

impl Beat {
    /// A beat with no markers.
    pub fn new(payload: u64) -> Beat {
        Beat {
            payload,
            first: false,
            last: false,
        }
    }
}

/// The signals of one stream of the design.
#[derive(Clone)]
struct Ports {
    name: String,
    valid: Option<Signal>,
    ready: Option<Signal>,
    /// The payload's fields, least significant first.
    payload: Vec<Signal>,
    first: Option<Signal>,
    last: Option<Signal>,
}

impl Ports {
    fn find(sim: &Simulator, prefix: &str, signature: &StreamSignature) -> Result<Ports, SimError> {
        let member = |name: &str| sim.signal(&format!("{prefix}_{name}"));
        let payload = signature
            .payload()
            .leaves()
            .iter()
            .map(|(suffix, _)| member(&format!("payload{suffix}")))
            .collect::<Result<Vec<_>, _>>()?;
        if signature.payload().width() > 64 {
            return Err(SimError::PayloadTooWide {
                stream: prefix.to_owned(),
                width: signature.payload().width(),
            });
        }
        Ok(Ports {
            name: prefix.to_owned(),
            valid: if signature.is_always_valid() {
                None
            } else {
                Some(member("valid")?)
            },
            ready: if signature.is_always_ready() {
                None
            } else {
                Some(member("ready")?)
            },
            payload,
            first: signature.has_first().then(|| member("first")).transpose()?,
            last: signature.has_last().then(|| member("last")).transpose()?,
        })
    }

    fn valid(&self, now: &Sampled) -> bool {
        self.valid.is_none_or(|s| now.get(s) == 1)
    }

    fn ready(&self, now: &Sampled) -> bool {
        self.ready.is_none_or(|s| now.get(s) == 1)
    }

    fn beat(&self, now: &Sampled) -> Beat {
        let mut payload = 0;
        let mut at = 0;
        for s in &self.payload {
            payload |= now.get(*s) << at;
            at += s.width();
        }
        Beat {
            payload,
            first: self.first.is_some_and(|s| now.get(s) == 1),
            last: self.last.is_some_and(|s| now.get(s) == 1),
        }
    }

    fn drive(&self, sim: &mut Simulator, beat: Beat) {
        let mut rest = beat.payload;
        for s in &self.payload {
            let w = s.width();
            let field = if w >= 64 { rest } else { rest & ((1 << w) - 1) };
            sim.set(*s, field).expect("a stream model drives the inputs it found");
            rest = if w >= 64 { 0 } else { rest >> w };
        }
        for (s, v) in [(self.first, beat.first), (self.last, beat.last)] {
            if let Some(s) = s {
                sim.set(s, v as u64).expect("a stream model drives the inputs it found");
            }
        }
    }
}

/// A seeded generator for stalls (splitmix64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn percent(&mut self, p: u32) -> bool {
        self.next() % 100 < p as u64
    }
}

/// Offers payloads on a stream the design is the sink of, keeping the rules: it holds a
/// payload until it is taken, and between payloads it pauses `stall_percent` of the
/// cycles (showing random payload bits meanwhile, which a sink must ignore).
pub struct StreamSource {
    ports: Ports,
    queue: VecDeque<Beat>,
    dice: Dice,
    stall_percent: u32,
    offering: bool,
    sent: Rc<RefCell<usize>>,
}

/// What a [`StreamSource`] has done.
#[derive(Clone)]
pub struct SourceHandle {
    sent: Rc<RefCell<usize>>,
    total: usize,
}

impl SourceHandle {
    /// How many payloads the design has taken.
    pub fn sent(&self) -> usize {
        *self.sent.borrow()
    }

    /// Whether every payload has been taken.
    pub fn done(&self) -> bool {
        self.sent() == self.total
    }
}

impl StreamSource {
    /// Attaches a source of `beats` to stream `prefix` of the design, in domain `d`.
    pub fn attach(
        sim: &mut Simulator,
        d: Domain,
        prefix: &str,
        signature: &StreamSignature,
        beats: impl IntoIterator<Item = Beat>,
        seed: u64,
        stall_percent: u32,
    ) -> Result<SourceHandle, SimError> {
        let ports = Ports::find(sim, prefix, signature)?;
        let queue: VecDeque<Beat> = beats.into_iter().collect();
        let handle = SourceHandle {
            sent: Rc::new(RefCell::new(0)),
            total: queue.len(),
        };
        let mut source = StreamSource {
            ports,
            queue,
            dice: Dice(seed),
            stall_percent,
            offering: false,
            sent: handle.sent.clone(),
        };
        source.tick(sim);
        sim.add_model(d, source);
        Ok(handle)
    }
}

impl Model for StreamSource {
    fn before_edge(&mut self, now: &Sampled) {
        if self.offering && self.ports.ready(now) {
            self.queue.pop_front();
            self.offering = false;
            *self.sent.borrow_mut() += 1;
        }
    }

    fn tick(&mut self, sim: &mut Simulator) {
        if self.offering {
            return;
        }
        match self.queue.front() {
            Some(&beat) if !self.dice.percent(self.stall_percent) => {
                self.ports.drive(sim, beat);
                self.offering = true;
            }
            _ => {
                let noise = self.dice.next();
                self.ports.drive(
                    sim,
                    Beat {
                        payload: noise,
                        first: noise >> 62 & 1 == 1,
                        last: noise >> 63 == 1,
                    },
                );
            }
        }
        // An always-valid stream has no `valid` to lower: it must always offer.
        if let Some(valid) = self.ports.valid {
            sim.set(valid, self.offering as u64)
                .expect("a stream model drives the inputs it found");
        }
    }
}

/// Takes payloads from a stream the design is the source of, ready `ready_percent` of
/// the cycles at random.
pub struct StreamSink {
    ports: Ports,
    dice: Dice,
    ready_percent: u32,
    received: Rc<RefCell<Vec<Beat>>>,
}

/// What a [`StreamSink`] has received.
#[derive(Clone)]
pub struct SinkHandle {
    received: Rc<RefCell<Vec<Beat>>>,
}

impl SinkHandle {
    /// Every payload taken so far, in order.
    pub fn received(&self) -> Vec<Beat> {
        self.received.borrow().clone()
    }

    /// How many payloads have been taken.
    pub fn count(&self) -> usize {
        self.received.borrow().len()
    }
}

impl StreamSink {
    /// Attaches a sink to stream `prefix` of the design, in domain `d`.
    pub fn attach(
        sim: &mut Simulator,
        d: Domain,
        prefix: &str,
        signature: &StreamSignature,
        seed: u64,
        ready_percent: u32,
    ) -> Result<SinkHandle, SimError> {
        let ports = Ports::find(sim, prefix, signature)?;
        let handle = SinkHandle {
            received: Rc::new(RefCell::new(Vec::new())),
        };
        let mut sink = StreamSink {
            ports,
            dice: Dice(seed),
            ready_percent,
            received: handle.received.clone(),
        };
        sink.tick(sim);
        sim.add_model(d, sink);
        Ok(handle)
    }
}

impl Model for StreamSink {
    fn before_edge(&mut self, now: &Sampled) {
        if self.ports.valid(now) && self.ports.ready(now) {
            self.received.borrow_mut().push(self.ports.beat(now));
        }
    }

    fn tick(&mut self, sim: &mut Simulator) {
        if let Some(ready) = self.ports.ready {
            let r = self.dice.percent(self.ready_percent);
            sim.set(ready, r as u64).expect("a stream model drives the inputs it found");
        }
    }
}

/// Watches a stream and panics, failing the test, at the first cycle where its source
/// breaks a rule: `valid` dropped without a transfer, or the payload or a marker changed
/// while `valid` was high and `ready` low.
pub struct ProtocolChecker {
    ports: Ports,
    domain: Domain,
    /// `valid`, `ready` and the beat before the previous edge.
    previous: Option<(bool, bool, Beat)>,
}

impl ProtocolChecker {
    /// Attaches a checker to stream `prefix` of the design, in domain `d`.
    pub fn attach(sim: &mut Simulator, d: Domain, prefix: &str, signature: &StreamSignature) -> Result<(), SimError> {
        let checker = ProtocolChecker {
            ports: Ports::find(sim, prefix, signature)?,
            domain: d,
            previous: None,
        };
        sim.add_model(d, checker);
        Ok(())
    }
}

impl Model for ProtocolChecker {
    fn before_edge(&mut self, now: &Sampled) {
        let (valid, ready, beat) = (self.ports.valid(now), self.ports.ready(now), self.ports.beat(now));
        if let Some((true, false, held)) = self.previous {
            let cycle = now.cycles(self.domain);
            let name = &self.ports.name;
            if !valid {
                panic!("stream `{name}` broke the handshake at cycle {cycle}: valid dropped without a transfer");
            }
            if beat != held {
                panic!(
                    "stream `{name}` broke the handshake at cycle {cycle}: {} changed while valid was high and ready low \
                     ({held:?} became {beat:?})",
                    if beat.payload != held.payload { "the payload" } else { "a marker" }
                );
            }
        }
        self.previous = Some((valid, ready, beat));
    }

    fn tick(&mut self, _: &mut Simulator) {}
}
