//! Interfaces: groups of ports declared once, instantiated as ports, flipped, nested,
//! and connected member by member with every name, direction and shape checked.
//!
//! A [`Signature`] describes an interface: its `build` asks a [`Builder`] for each member
//! and returns a plain Rust struct holding them, so members are fields, not strings.
//! [`Module::interface`] makes them ports of a module, [`Submodule::interface`] finds
//! them on an instance, and [`Module::connect`] joins two of them. A core is a function
//! that returns a [`Component`]: a module together with the signature of its ports, so
//! that [`Module::add`] hands the parent a typed interface to the instance.
//!
//! ```
//! use hdl_dsl::*;
//!
//! /// A byte-wide bus with a strobe, from the writer's side.
//! #[derive(Clone)]
//! struct Bus { data: Value, strobe: Value }
//! struct BusSignature;
//! impl Signature for BusSignature {
//!     type Interface = Bus;
//!     fn build(&self, b: &mut Builder) -> Bus {
//!         Bus { data: b.output("data", unsigned(8)), strobe: b.output("strobe", unsigned(1)) }
//!     }
//! }
//!
//! // A writer that strobes a count, and a reader that latches it.
//! let writer = Component::build("writer", BusSignature, |m, bus| {
//!     let n = m.signal("n", unsigned(8));
//!     m.sync(n.eq(n.wrapping_add(1u8)));
//!     m.comb([bus.data.eq(&n), bus.strobe.eq(n.bit(0))]);
//! });
//! let reader = Component::build("reader", BusSignature.flip(), |m, bus| {
//!     let last = m.output("last", unsigned(8));
//!     m.if_(&bus.strobe, |m| m.sync(last.eq(&bus.data)));
//! });
//! let mut top = Module::new("top");
//! let w = top.add("w", writer);
//! let r = top.add("r", reader);
//! top.connect(&w, &r);
//! assert!(Design::elaborate(top).is_ok());
//! ```

use std::ops::Deref;

use crate::error::{Error, ErrorKind, Location};
use crate::layout::{Layout, View};
use crate::module::{Direction, Module, Submodule};
use crate::shape::Shape;
use crate::value::{Value, ValueKind};

/// Which way a member flows, seen from the component whose interface it is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flow {
    /// Driven by the component.
    Out,
    /// Driven from outside the component.
    In,
}

impl Flow {
    /// The other way.
    pub fn flip(self) -> Flow {
        match self {
            Flow::Out => Flow::In,
            Flow::In => Flow::Out,
        }
    }
}

/// One port of an instantiated interface: its path (`payload_r`), flow and value.
#[derive(Clone, Debug)]
pub struct Member {
    /// The member's path below the interface, joined with `_`.
    pub path: String,
    /// Which way it flows.
    pub flow: Flow,
    /// The signal in the current module (or a constant, for a member held fixed).
    pub value: Value,
}

/// The declaration of an interface: which members it has, and the struct that holds
/// them once instantiated.
pub trait Signature {
    /// The struct holding the members.
    type Interface: Clone;

    /// Declares every member through `b` and returns them.
    fn build(&self, b: &mut Builder) -> Self::Interface;

    /// The same interface seen from the other side: every flow reversed.
    fn flip(self) -> Flipped<Self>
    where
        Self: Sized,
    {
        Flipped(self)
    }
}

/// A signature with every flow reversed; see [`Signature::flip`].
#[derive(Clone, Debug)]
pub struct Flipped<S>(pub S);

impl<S: Signature> Signature for Flipped<S> {
    type Interface = S::Interface;

    fn build(&self, b: &mut Builder) -> S::Interface {
        b.flipped = !b.flipped;
        let interface = self.0.build(b);
        b.flipped = !b.flipped;
        interface
    }
}

/// What a [`Builder`] makes members into.
enum Target<'a> {
    /// Ports of the module.
    Ports(&'a mut Module),
    /// Internal signals of the module.
    Signals(&'a mut Module),
    /// The parent's signals for the ports of an instance.
    Instance(&'a Submodule),
}

/// Makes the members a [`Signature`] declares: ports, internal signals, or the ports of
/// an instance, named `<interface>_<member>`.
pub struct Builder<'a> {
    target: Target<'a>,
    /// What port names start with: the interface's name.
    root: String,
    /// The path of the interface being built below the root, for nested interfaces.
    rel: String,
    /// The interface's name in messages.
    display: String,
    flipped: bool,
    members: Vec<Member>,
    location: Location,
}

impl<'a> Builder<'a> {
    fn new(target: Target<'a>, root: &str, display: String, location: Location) -> Builder<'a> {
        Builder {
            target,
            root: root.to_owned(),
            rel: String::new(),
            display,
            flipped: false,
            members: Vec::new(),
            location,
        }
    }

    /// Builds `signature` into an interface.
    fn run<S: Signature>(mut self, signature: &S) -> Interface<S::Interface> {
        let inner = signature.build(&mut self);
        Interface {
            inner,
            members: self.members,
            name: self.display,
        }
    }

    /// A member the component drives.
    pub fn output(&mut self, name: &str, shape: Shape) -> Value {
        self.member(name, Flow::Out, shape)
    }

    /// A member driven from outside the component.
    pub fn input(&mut self, name: &str, shape: Shape) -> Value {
        self.member(name, Flow::In, shape)
    }

    /// A member the component drives, with a layout: one port per field.
    pub fn output_layout(&mut self, name: &str, layout: &Layout) -> View {
        self.layout_member(name, Flow::Out, layout)
    }

    /// A member driven from outside, with a layout: one port per field.
    pub fn input_layout(&mut self, name: &str, layout: &Layout) -> View {
        self.layout_member(name, Flow::In, layout)
    }

    /// A member held at a constant: no port is made, and [`Module::connect`] checks the
    /// other side against it (a stream that is always valid has `valid` held at 1).
    pub fn fixed(&mut self, name: &str, flow: Flow, value: impl Into<Value>) -> Value {
        let value = value.into();
        let flow = if self.flipped { flow.flip() } else { flow };
        self.members.push(Member {
            path: join(&self.rel, name),
            flow,
            value: value.clone(),
        });
        value
    }

    /// A nested interface, its members named `<name>_<member>`.
    pub fn nest<S: Signature>(&mut self, name: &str, signature: &S) -> Interface<S::Interface> {
        let outer = std::mem::take(&mut self.rel);
        self.rel = join(&outer, name);
        let first = self.members.len();
        let inner = signature.build(self);
        let rel = std::mem::replace(&mut self.rel, outer);
        let below = format!("{rel}_");
        let members = self.members[first..]
            .iter()
            .map(|m| Member {
                path: m.path.strip_prefix(&below).unwrap_or(&m.path).to_owned(),
                ..m.clone()
            })
            .collect();
        Interface {
            inner,
            members,
            name: join(&self.display, &rel),
        }
    }

    fn layout_member(&mut self, name: &str, flow: Flow, layout: &Layout) -> View {
        let parts = layout
            .leaves()
            .into_iter()
            .map(|(suffix, shape)| self.member(&format!("{name}{suffix}"), flow, shape))
            .collect();
        View::from_parts(layout.clone(), parts)
    }

    fn member(&mut self, name: &str, flow: Flow, shape: Shape) -> Value {
        let flow = if self.flipped { flow.flip() } else { flow };
        let path = join(&self.rel, name);
        let full = join(&self.root, &path);
        let location = self.location;
        let value = match &mut self.target {
            Target::Ports(m) => {
                let direction = match flow {
                    Flow::Out => Direction::Output,
                    Flow::In => Direction::Input,
                };
                m.add_signal(full, shape, Value::from(false), Some(direction), location)
            }
            Target::Signals(m) => m.add_signal(full, shape, Value::from(false), None, location),
            Target::Instance(sub) => instance_port(sub, &full, flow, shape, location),
        };
        self.members.push(Member {
            path,
            flow,
            value: value.clone(),
        });
        value
    }
}

fn join(prefix: &str, name: &str) -> String {
    match (prefix.is_empty(), name.is_empty()) {
        (true, _) => name.to_owned(),
        (_, true) => prefix.to_owned(),
        _ => format!("{prefix}_{name}"),
    }
}

/// The parent's signal for port `port` of `sub`, checked against the flow and shape a
/// signature expects of it.
fn instance_port(sub: &Submodule, port: &str, flow: Flow, shape: Shape, location: Location) -> Value {
    let invalid = |message: String, kind: ErrorKind| Value::new(shape, ValueKind::Invalid(Box::new(Error::new(kind, message, location))));
    let Some((direction, value)) = sub.port_decl(port) else {
        return invalid(sub.no_port_message(port), ErrorKind::NoSuchPort);
    };
    let expected = match flow {
        Flow::Out => Direction::Output,
        Flow::In => Direction::Input,
    };
    if direction != expected {
        return invalid(
            format!(
                "port `{port}` of submodule `{}` is an {} but the interface expects an {}",
                sub.name(),
                direction_name(direction),
                direction_name(expected)
            ),
            ErrorKind::InterfaceMismatch,
        );
    }
    if value.shape() != shape {
        return invalid(
            format!(
                "port `{port}` of submodule `{}` has shape {} but the interface expects {shape}",
                sub.name(),
                value.shape()
            ),
            ErrorKind::InterfaceMismatch,
        );
    }
    value
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Input => "input",
        Direction::Output => "output",
        Direction::InOut => "inout",
    }
}

/// An instantiated interface: the members as the signature's struct (through `Deref`),
/// and as a list for [`Module::connect`].
#[derive(Clone, Debug)]
pub struct Interface<I> {
    inner: I,
    members: Vec<Member>,
    name: String,
}

impl<I> Deref for Interface<I> {
    type Target = I;

    fn deref(&self) -> &I {
        &self.inner
    }
}

impl<I: Clone> Interface<I> {
    /// The name its members are prefixed with (empty for a component's own ports).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every member, in declaration order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The same members seen from inside the component: every flow reversed. Connect a
    /// component's own port interface to a submodule's through this view.
    pub fn flipped(&self) -> Interface<I> {
        let mut out = self.clone();
        out.members.iter_mut().for_each(|m| m.flow = m.flow.flip());
        out
    }

    fn member_name(&self, m: &Member) -> String {
        if self.name.is_empty() {
            m.path.clone()
        } else {
            join(&self.name, &m.path)
        }
    }
}

/// A module with a typed interface: what a core returns. [`Module::add`] instantiates it.
pub struct Component<S: Signature> {
    module: Module,
    signature: S,
}

impl<S: Signature> Component<S> {
    /// A component called `name` whose ports are `signature`'s members (unprefixed); `body`
    /// builds its insides with the interface at hand.
    #[track_caller]
    pub fn build(name: impl Into<String>, signature: S, body: impl FnOnce(&mut Module, &Interface<S::Interface>)) -> Component<S> {
        let mut module = Module::new(name);
        let ports = module.interface("", &signature);
        body(&mut module, &ports);
        Component { module, signature }
    }

    /// The module, for elaborating the component on its own.
    pub fn into_module(self) -> Module {
        self.module
    }

    /// The signature of its ports.
    pub fn signature(&self) -> &S {
        &self.signature
    }
}

impl Module {
    /// Makes the members of `signature` ports of this module, named `<name>_<member>`
    /// (just `<member>` when `name` is empty): outputs for members that flow out.
    #[track_caller]
    pub fn interface<S: Signature>(&mut self, name: &str, signature: &S) -> Interface<S::Interface> {
        Builder::new(Target::Ports(self), name, name.to_owned(), Location::caller()).run(signature)
    }

    /// Makes the members of `signature` internal signals of this module: an interface
    /// to connect components through inside one module.
    #[track_caller]
    pub fn interface_signals<S: Signature>(&mut self, name: &str, signature: &S) -> Interface<S::Interface> {
        Builder::new(Target::Signals(self), name, name.to_owned(), Location::caller()).run(signature)
    }

    /// Adds `component` as submodule `name` and returns its interface as this module
    /// sees it.
    #[track_caller]
    pub fn add<S: Signature>(&mut self, name: impl Into<String>, component: Component<S>) -> Interface<S::Interface> {
        let sub = self.submodule(name, component.module);
        Builder::new(Target::Instance(&sub), "", sub.name().to_owned(), Location::caller()).run(&component.signature)
    }

    /// Joins two interfaces member by member: each member of one must be a member of the
    /// other with the same path and shape and the opposite flow; what flows out of one
    /// side drives the other. A member held at a constant on the receiving side must be
    /// held at the same constant on the driving side. Every mismatch is an elaboration
    /// error naming both members and this call's source line.
    #[track_caller]
    pub fn connect<A: Clone, B: Clone>(&mut self, a: &Interface<A>, b: &Interface<B>) {
        let location = Location::caller();
        let mut errors = Vec::new();
        let mut assigns = Vec::new();
        for ma in &a.members {
            let Some(mb) = b.members.iter().find(|m| m.path == ma.path) else {
                errors.push(format!(
                    "cannot connect `{}` and `{}`: `{}` has no member `{}` to match `{}`",
                    a.name,
                    b.name,
                    b.name,
                    ma.path,
                    a.member_name(ma)
                ));
                continue;
            };
            let (na, nb) = (a.member_name(ma), b.member_name(mb));
            if ma.flow == mb.flow {
                let both = match ma.flow {
                    Flow::Out => "both flow out (both would drive it)",
                    Flow::In => "both flow in (nothing would drive it)",
                };
                errors.push(format!("cannot connect `{na}` and `{nb}`: {both}; connect an output to an input"));
                continue;
            }
            if ma.value.shape() != mb.value.shape() {
                errors.push(format!(
                    "cannot connect `{na}` ({}) and `{nb}` ({}): the shapes differ",
                    ma.value.shape(),
                    mb.value.shape()
                ));
                continue;
            }
            let ((source, ns), (sink, nk)) = match ma.flow {
                Flow::Out => ((&ma.value, &na), (&mb.value, &nb)),
                Flow::In => ((&mb.value, &nb), (&ma.value, &na)),
            };
            match (source.as_const(), sink.as_const()) {
                (_, Some(held)) if source.as_const() != Some(held) => errors.push(format!(
                    "cannot connect `{ns}` to `{nk}`: `{nk}` is held at {held}, so `{ns}` must be held at the same constant"
                )),
                (_, Some(_)) => {}
                _ => assigns.push((sink.clone(), source.clone())),
            }
        }
        for mb in &b.members {
            if !a.members.iter().any(|m| m.path == mb.path) {
                errors.push(format!(
                    "cannot connect `{}` and `{}`: `{}` has no member `{}` to match `{}`",
                    a.name,
                    b.name,
                    a.name,
                    mb.path,
                    b.member_name(mb)
                ));
            }
        }
        for message in errors {
            self.errors.push(Error::new(ErrorKind::InterfaceMismatch, message, location));
        }
        let statements: Vec<_> = assigns
            .into_iter()
            .map(|(sink, source)| crate::stmt::Statement::assign(sink, source, location))
            .collect();
        self.comb(statements);
    }
}

impl Submodule {
    /// The interface `signature` on this instance, its members named `<name>_<member>`
    /// (the instance's own ports, as [`Module::interface`] made them). A missing port, or
    /// one of another direction or shape, is an elaboration error.
    #[track_caller]
    pub fn interface<S: Signature>(&self, name: &str, signature: &S) -> Interface<S::Interface> {
        Builder::new(Target::Instance(self), name, join(self.name(), name), Location::caller()).run(signature)
    }
}
