//! Typed arenas: a netlist's entities live in vectors and refer to each other by typed
//! ids, so a wire id cannot be used where an expression id is meant, and ids are made
//! only by the arena that holds their entities.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

pub(crate) mod private {
    /// Implemented by the id types of this module only: outside it, ids come from an
    /// [`Arena`](super::Arena) and nowhere else.
    pub trait Sealed: Copy {
        fn from_index(index: usize) -> Self;
    }
}

/// A typed index into an [`Arena`].
pub trait Id: private::Sealed {
    /// The position in its arena.
    fn index(self) -> usize;
}

macro_rules! ids {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The position in its arena, for side tables indexed like it.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl private::Sealed for $name {
            fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 2^32 entities"))
            }
        }

        impl Id for $name {
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", stringify!($name).trim_end_matches("Id").to_lowercase(), self.0)
            }
        }
    )*};
}

ids!(
    /// A module of a [`Netlist`](super::Netlist).
    ModuleId,
    /// A wire (signal) of a module.
    WireId,
    /// An expression of a module.
    ExprId,
    /// A clock domain of a module.
    DomainId,
    /// A named constant of a module (a state of a state machine).
    SymbolId,
    /// A process of a module.
    ProcessId,
    /// A memory of a module.
    MemoryId,
    /// A cell (submodule instance or black box) of a module.
    CellId,
);

/// Entities of one kind, each found by the id [`Arena::push`] gave it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Arena<I, T> {
    items: Vec<T>,
    id: PhantomData<fn() -> I>,
}

impl<I, T> Default for Arena<I, T> {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            id: PhantomData,
        }
    }
}

impl<I: Id, T> Arena<I, T> {
    /// An empty arena.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `item`; returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    /// How many entities there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The entity `id`, if this arena holds it.
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Every entity with its id, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items.iter().enumerate().map(|(i, t)| (I::from_index(i), t))
    }

    /// Every entity, in order.
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Every entity, in order, to change.
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// The id the next [`Arena::push`] will give.
    pub fn next_id(&self) -> I {
        I::from_index(self.items.len())
    }
}

impl<I: Id, T> Index<I> for Arena<I, T> {
    type Output = T;

    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for Arena<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<I, T: fmt::Debug> fmt::Debug for Arena<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

impl<'a, I: Id, T> IntoIterator for &'a Arena<I, T> {
    type Item = (I, &'a T);
    type IntoIter = std::iter::Map<std::iter::Enumerate<std::slice::Iter<'a, T>>, fn((usize, &'a T)) -> (I, &'a T)>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().enumerate().map(|(i, t)| (I::from_index(i), t))
    }
}
