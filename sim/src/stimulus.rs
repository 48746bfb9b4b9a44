//! Reproducible stimulus: a small seeded pseudo-random sequence for testbenches.

/// xorshift64 (shifts 13, 7, 17): the same sequence on every machine, cheap enough to
/// call every cycle. The Verilator benchmark harness generates the same steps in C++.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Xorshift(u64);

impl Xorshift {
    /// Starts from `seed` (which must not be 0: zero stays zero).
    pub fn new(seed: u64) -> Xorshift {
        Xorshift(seed)
    }

    /// The next value.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
