//! Data layouts: named fields and arrays over the bits of a value.
//!
//! A [`Layout`] says how a value's bits divide into fields — an RGB565 pixel as
//! `{r: 5, g: 6, b: 5}`, a vector of signed coefficients as an array. A [`View`] is a
//! value seen through a layout: field access lowers to slices, so nothing of the layout
//! reaches the netlist. Signals and ports made with a layout are one signal per field
//! (`pix_r`, `pix_g`, `pix_b`), so the emitted Verilog stays flat and keeps the names.
//!
//! The first field takes the least significant bits, as in Amaranth.
//!
//! ```
//! use hdl_dsl::*;
//!
//! let rgb565 = Layout::structure([("r", unsigned(5)), ("g", unsigned(6)), ("b", unsigned(5))]);
//! let mut m = Module::new("swap");
//! let pix = m.input("pix", rgb565.shape());
//! let out = m.output("out", rgb565.shape());
//! let p = rgb565.view(&pix);
//! // Red and blue swapped: `pack` checks every field is given once, at a width that fits.
//! m.comb(out.eq(rgb565.pack([("r", p.field("b")), ("g", p.field("g")), ("b", p.field("r"))])));
//! assert!(Design::elaborate(m).is_ok());
//! ```

use std::fmt;

use crate::error::{Error, ErrorKind, Location};
use crate::shape::{unsigned, Shape};
use crate::stmt::Statement;
use crate::value::{cat, Value, ValueKind};

/// How the bits of a value divide: a plain shape, named fields, or equal elements.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Layout {
    /// No fields: the bits as one number of this shape.
    Plain(Shape),
    /// Named fields, the first at the least significant bits.
    Struct(Vec<(String, Layout)>),
    /// `count` elements of one layout, element 0 at the least significant bits.
    Array(Box<Layout>, u32),
}

impl From<Shape> for Layout {
    fn from(shape: Shape) -> Layout {
        Layout::Plain(shape)
    }
}

impl Layout {
    /// A struct layout from `(name, layout)` pairs; the first is least significant.
    pub fn structure<N: Into<String>, L: Into<Layout>>(fields: impl IntoIterator<Item = (N, L)>) -> Layout {
        Layout::Struct(fields.into_iter().map(|(n, l)| (n.into(), l.into())).collect())
    }

    /// `count` elements of `element`.
    pub fn array(element: impl Into<Layout>, count: u32) -> Layout {
        Layout::Array(Box::new(element.into()), count)
    }

    /// The total width in bits.
    pub fn width(&self) -> u32 {
        match self {
            Layout::Plain(shape) => shape.width,
            Layout::Struct(fields) => fields.iter().map(|(_, l)| l.width()).sum(),
            Layout::Array(element, count) => element.width() * count,
        }
    }

    /// The shape of the whole: the plain shape itself, or unsigned bits for fields.
    pub fn shape(&self) -> Shape {
        match self {
            Layout::Plain(shape) => *shape,
            _ => unsigned(self.width()),
        }
    }

    /// The field `name`: its bit offset and layout.
    fn find(&self, name: &str) -> Option<(u32, &Layout)> {
        let Layout::Struct(fields) = self else { return None };
        let mut offset = 0;
        for (n, l) in fields {
            if n == name {
                return Some((offset, l));
            }
            offset += l.width();
        }
        None
    }

    /// The parts a signal of this layout is made of: `(name suffix, shape)` per leaf,
    /// least significant first (`_r`, `_g`, `_b`; `_0`, `_1`, … for arrays; `""` for a
    /// plain shape).
    pub fn leaves(&self) -> Vec<(String, Shape)> {
        let mut out = Vec::new();
        self.collect_leaves(String::new(), &mut out);
        out
    }

    fn collect_leaves(&self, prefix: String, out: &mut Vec<(String, Shape)>) {
        match self {
            Layout::Plain(shape) => out.push((prefix, *shape)),
            Layout::Struct(fields) => fields.iter().for_each(|(n, l)| l.collect_leaves(format!("{prefix}_{n}"), out)),
            Layout::Array(element, count) => (0..*count).for_each(|i| element.collect_leaves(format!("{prefix}_{i}"), out)),
        }
    }

    /// `value` seen through this layout. A value of another width is an elaboration
    /// error.
    #[track_caller]
    pub fn view(&self, value: impl Into<Value>) -> View {
        let value = value.into();
        if value.width() != self.width() {
            let message = format!(
                "a value of {} bits cannot be viewed as {self} ({} bits)",
                value.width(),
                self.width()
            );
            return View::invalid(self.clone(), message, Location::caller());
        }
        View {
            layout: self.clone(),
            repr: Repr::Packed(value),
        }
    }

    /// A view assembled from one value per field, by name; each is extended to its
    /// field's width by its own signedness. A missing, unknown, repeated or too wide
    /// field is an elaboration error.
    #[track_caller]
    pub fn pack<N: AsRef<str>, V: Into<Value>>(&self, fields: impl IntoIterator<Item = (N, V)>) -> View {
        let location = Location::caller();
        let Layout::Struct(layout_fields) = self else {
            return View::invalid(
                self.clone(),
                format!("`pack` needs a struct layout; {self} has no fields"),
                location,
            );
        };
        let mut given: Vec<(String, Value)> = fields.into_iter().map(|(n, v)| (n.as_ref().to_owned(), v.into())).collect();
        for (name, _) in &given {
            if self.find(name).is_none() {
                return View::invalid(self.clone(), self.no_field(name), location);
            }
            if given.iter().filter(|(n, _)| n == name).count() > 1 {
                return View::invalid(self.clone(), format!("field `{name}` of {self} is given twice"), location);
            }
        }
        let mut parts = Vec::new();
        for (name, layout) in layout_fields {
            let Some(at) = given.iter().position(|(n, _)| n == name) else {
                return View::invalid(self.clone(), format!("field `{name}` of {self} is not given"), location);
            };
            let value = given.swap_remove(at).1;
            if value.width() > layout.width() {
                let message = format!(
                    "field `{name}` of {self} has {} bits; a value of {} bits does not fit (`.trunc({})` drops bits on purpose)",
                    layout.width(),
                    value.width(),
                    layout.width()
                );
                return View::invalid(self.clone(), message, location);
            }
            parts.push(View {
                layout: layout.clone(),
                repr: Repr::Packed(value.resized(layout.shape())),
            });
        }
        View {
            layout: self.clone(),
            repr: Repr::Fields(parts),
        }
    }

    fn no_field(&self, name: &str) -> String {
        match self {
            Layout::Struct(fields) => {
                let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                format!("{self} has no field `{name}`; its fields are: {}", names.join(", "))
            }
            _ => format!("{self} has no field `{name}`; it has no fields"),
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::Plain(shape) => write!(f, "{shape}"),
            Layout::Struct(fields) => {
                write!(f, "{{")?;
                for (i, (n, l)) in fields.iter().enumerate() {
                    write!(f, "{}{n}: {l}", if i == 0 { "" } else { ", " })?;
                }
                write!(f, "}}")
            }
            Layout::Array(element, count) => write!(f, "[{element}; {count}]"),
        }
    }
}

/// A value seen through a [`Layout`]: either one value sliced into fields, or one value
/// per field (signals and ports made with a layout, and [`Layout::pack`]).
#[derive(Clone, Debug)]
pub struct View {
    layout: Layout,
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    Packed(Value),
    /// One view per field or element, least significant first.
    Fields(Vec<View>),
}

impl View {
    pub(crate) fn from_parts(layout: Layout, mut parts: Vec<Value>) -> View {
        parts.reverse();
        View::assemble(layout, &mut parts)
    }

    /// Builds a view of `layout` from leaf values popped off the end of `parts`.
    fn assemble(layout: Layout, parts: &mut Vec<Value>) -> View {
        let repr = match &layout {
            Layout::Plain(_) => Repr::Packed(parts.pop().expect("one part per leaf")),
            Layout::Struct(fields) => Repr::Fields(fields.iter().map(|(_, l)| View::assemble(l.clone(), parts)).collect()),
            Layout::Array(element, count) => Repr::Fields((0..*count).map(|_| View::assemble((**element).clone(), parts)).collect()),
        };
        View { layout, repr }
    }

    fn invalid(layout: Layout, message: String, location: Location) -> View {
        let error = Error::new(ErrorKind::Invalid, message, location);
        let value = Value::new(layout.shape(), ValueKind::Invalid(Box::new(error)));
        View {
            layout,
            repr: Repr::Packed(value),
        }
    }

    /// The layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The whole value, with the layout's shape.
    pub fn value(&self) -> Value {
        match &self.repr {
            Repr::Packed(v) => v.clone(),
            Repr::Fields(parts) => cat(parts.iter().map(View::value)).resized(self.layout.shape()),
        }
    }

    /// The field `name` of a struct layout. A field that does not exist is an
    /// elaboration error naming the fields there are.
    #[track_caller]
    pub fn field(&self, name: &str) -> View {
        let Some((offset, layout)) = self.layout.find(name) else {
            return View::invalid(unsigned(1).into(), self.layout.no_field(name), Location::caller());
        };
        match &self.repr {
            Repr::Fields(parts) => {
                let Layout::Struct(fields) = &self.layout else {
                    unreachable!("found a field")
                };
                parts[fields.iter().position(|(n, _)| n == name).expect("found above")].clone()
            }
            Repr::Packed(v) => View {
                layout: layout.clone(),
                repr: Repr::Packed(v.slice(offset..offset + layout.width()).resized(layout.shape())),
            },
        }
    }

    /// Element `index` of an array layout; an index past the end is an elaboration error.
    #[track_caller]
    pub fn index(&self, index: u32) -> View {
        let Layout::Array(element, count) = &self.layout else {
            let message = format!("{} is not an array; only arrays have elements", self.layout);
            return View::invalid(unsigned(1).into(), message, Location::caller());
        };
        if index >= *count {
            let message = format!("element {index} is past the end of {}", self.layout);
            return View::invalid((**element).clone(), message, Location::caller());
        }
        match &self.repr {
            Repr::Fields(parts) => parts[index as usize].clone(),
            Repr::Packed(v) => {
                let w = element.width();
                View {
                    layout: (**element).clone(),
                    repr: Repr::Packed(v.slice(index * w..(index + 1) * w).resized(element.shape())),
                }
            }
        }
    }

    /// Assigns `rhs`, which must have the layout's width: field by field when both sides
    /// have fields of the same layout (readable Verilog), else by slices of `rhs`.
    #[track_caller]
    pub fn eq(&self, rhs: &View) -> Vec<Statement> {
        self.eq_at(rhs, Location::caller())
    }

    fn eq_at(&self, rhs: &View, location: Location) -> Vec<Statement> {
        match (&self.repr, &rhs.repr) {
            (Repr::Fields(ours), Repr::Fields(theirs)) if self.layout == rhs.layout => {
                ours.iter().zip(theirs).flat_map(|(a, b)| a.eq_at(b, location)).collect()
            }
            (Repr::Packed(v), _) => vec![Statement::assign(v.clone(), rhs.value(), location)],
            (Repr::Fields(ours), _) => {
                let whole = rhs.value();
                if whole.width() != self.layout.width() {
                    let message = format!(
                        "cannot assign {} bits to {} ({} bits)",
                        whole.width(),
                        self.layout,
                        self.layout.width()
                    );
                    let error = Error::new(ErrorKind::Invalid, message, location);
                    let bad = Value::new(whole.shape(), ValueKind::Invalid(Box::new(error)));
                    return vec![Statement::assign(self.value(), bad, location)];
                }
                let mut offset = 0;
                let mut out = Vec::new();
                for part in ours {
                    let w = part.layout.width();
                    let slice = View {
                        layout: part.layout.clone(),
                        repr: Repr::Packed(whole.slice(offset..offset + w).resized(part.layout.shape())),
                    };
                    out.extend(part.eq_at(&slice, location));
                    offset += w;
                }
                out
            }
        }
    }
}

impl From<View> for Value {
    fn from(v: View) -> Value {
        v.value()
    }
}

impl From<&View> for Value {
    fn from(v: &View) -> Value {
        v.value()
    }
}

impl From<Value> for View {
    fn from(v: Value) -> View {
        View {
            layout: Layout::Plain(v.shape()),
            repr: Repr::Packed(v),
        }
    }
}
