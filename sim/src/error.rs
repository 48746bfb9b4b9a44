//! What can go wrong when driving a simulation, with what would have been accepted.

use std::fmt;

/// A testbench mistake or an I/O failure, reported with the names involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// No signal has this hierarchical name.
    UnknownSignal {
        /// The name asked for.
        name: String,
        /// Existing names that end the same way, or the top-level names.
        candidates: Vec<String>,
    },
    /// A value given to [`Simulator::signal_of`](crate::Simulator::signal_of) that is no
    /// signal of the design.
    NotASignal {
        /// Why: an expression, or a signal of a module outside the design.
        why: String,
    },
    /// The signal is driven by the design, so the testbench cannot set it.
    NotSettable {
        /// The signal.
        name: String,
        /// Names the testbench may set.
        settable: Vec<String>,
    },
    /// The value does not fit the signal.
    ValueTooWide {
        /// The signal.
        name: String,
        /// Its width.
        width: u32,
        /// The value, as written.
        value: String,
    },
    /// No clock domain has this name.
    UnknownDomain {
        /// The name asked for.
        name: String,
        /// The domains there are.
        domains: Vec<String>,
    },
    /// The domain's clock is made by logic or driven by a model, so only time
    /// (`run_for`) or the domain that drives it can advance it.
    DerivedClock {
        /// The domain.
        domain: String,
    },
    /// A condition did not become true in time.
    Timeout {
        /// The domain that was ticked.
        domain: String,
        /// How many cycles were run.
        cycles: u64,
    },
    /// No memory has this name.
    UnknownMemory {
        /// The name asked for.
        name: String,
        /// The memories there are.
        memories: Vec<String>,
    },
    /// An address beyond a memory's depth.
    AddressOutOfRange {
        /// The memory.
        memory: String,
        /// The address.
        address: u64,
        /// Its depth.
        depth: u32,
    },
    /// A stream model cannot carry a payload this wide.
    PayloadTooWide {
        /// The stream's name prefix.
        stream: String,
        /// The payload's width.
        width: u32,
    },
    /// The design instantiates a primitive (or black-box module) that hdl-sim has no
    /// model of, and the testbench did not declare the instance a black box.
    NoModel {
        /// The instance's hierarchical path.
        instance: String,
        /// The primitive or module it instantiates.
        primitive: String,
        /// The primitives that have models.
        modelled: Vec<String>,
    },
    /// An instance sets a parameter to a value its simulation model does not support.
    UnsupportedParam {
        /// The instance's hierarchical path.
        instance: String,
        /// The primitive.
        primitive: String,
        /// The parameter.
        param: String,
        /// Its value, as written in Verilog.
        value: String,
        /// The values the model supports.
        accepted: String,
    },
    /// An instance connects an output pin that its model does not drive.
    UnmodelledPin {
        /// The instance's hierarchical path.
        instance: String,
        /// The primitive.
        primitive: String,
        /// The pin.
        pin: String,
    },
    /// A PLL's `CLKI` is not a clock the simulator runs.
    PllInput {
        /// The PLL instance's hierarchical path.
        instance: String,
        /// What drives `CLKI` instead.
        why: String,
    },
    /// A path declared a black box names no instance of the design.
    NoSuchInstance {
        /// The path given.
        path: String,
    },
    /// The signal is not a clock the testbench runs.
    NotAClock {
        /// The signal.
        name: String,
        /// The clocks the testbench runs.
        clocks: Vec<String>,
    },
    /// The signal is not an inout port of the top module on a modelled pad.
    NotAPad {
        /// The name asked for.
        name: String,
        /// The pads there are.
        pads: Vec<String>,
    },
    /// Native code for the compiled back end could not be generated.
    Backend {
        /// Why.
        why: String,
    },
    /// Writing a waveform failed.
    Io {
        /// The file.
        path: String,
        /// What was being done and what went wrong.
        message: String,
    },
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut text = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    if text.is_empty() {
        text.push_str("none");
    }
    text
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownSignal { name, candidates } => write!(
                f,
                "no signal `{name}` in the design; names are hierarchical (`instance.signal`); did you mean one of: {}",
                list(candidates)
            ),
            SimError::NotASignal { why } => f.write_str(why),
            SimError::NotSettable { name, settable } => write!(
                f,
                "signal `{name}` is driven by the design and cannot be set; a testbench sets inputs of the top module, \
                 outputs of black boxes, and what the board drives onto pads (`<pad>.outside`): {}",
                list(settable)
            ),
            SimError::ValueTooWide { name, width, value } => {
                write!(f, "value {value} does not fit signal `{name}` of {width} bits")
            }
            SimError::UnknownDomain { name, domains } => {
                write!(f, "no clock domain `{name}`; the design has: {}", list(domains))
            }
            SimError::DerivedClock { domain } => write!(
                f,
                "the clock of domain `{domain}` is made by logic in the design or driven by a model (`Simulator::take_clock`), \
                 so it cannot be ticked directly; \
                 tick the domain that makes it, or use `run_for`"
            ),
            SimError::Timeout { domain, cycles } => {
                write!(f, "the condition did not hold within {cycles} cycles of domain `{domain}`")
            }
            SimError::UnknownMemory { name, memories } => {
                write!(f, "no memory `{name}`; the design has: {}", list(memories))
            }
            SimError::AddressOutOfRange { memory, address, depth } => {
                write!(f, "address {address} is beyond memory `{memory}` of {depth} words")
            }
            SimError::PayloadTooWide { stream, width } => write!(
                f,
                "stream `{stream}` has a {width}-bit payload; the stream models carry payloads of up to 64 bits"
            ),
            SimError::NoModel {
                instance,
                primitive,
                modelled,
            } => write!(
                f,
                "instance `{instance}` of `{primitive}` has no simulation model; hdl-sim models {}; to simulate the \
                 design with its outputs set by the testbench, declare it a black box: \
                 `Simulator::with_black_boxes(&design, &[\"{instance}\"])`",
                list(modelled)
            ),
            SimError::UnsupportedParam {
                instance,
                primitive,
                param,
                value,
                accepted,
            } => write!(
                f,
                "instance `{instance}` of `{primitive}`: the simulation model does not support {param} = {value}; it supports {accepted}"
            ),
            SimError::UnmodelledPin { instance, primitive, pin } => write!(
                f,
                "instance `{instance}` of `{primitive}` connects output `{pin}`, which its simulation model does not drive"
            ),
            SimError::PllInput { instance, why } => write!(
                f,
                "PLL `{instance}`: CLKI must be a clock the testbench runs (an input of the top module); it is {why}"
            ),
            SimError::NoSuchInstance { path } => {
                write!(f, "`{path}` was declared a black box, but the design has no instance at that path")
            }
            SimError::NotAClock { name, clocks } => write!(
                f,
                "signal `{name}` is not a clock the testbench runs; the clocks are: {}",
                list(clocks)
            ),
            SimError::NotAPad { name, pads } => write!(
                f,
                "`{name}` is not a pad: a pad is an inout port of the top module on a `BB`; the pads are: {}",
                list(pads)
            ),
            SimError::Backend { why } => write!(
                f,
                "the compiled back end is not available: {why}; the interpreter (`Backend::Interpreter`) runs every design"
            ),
            SimError::Io { path, message } => write!(f, "`{path}`: {message}"),
        }
    }
}

impl std::error::Error for SimError {}
