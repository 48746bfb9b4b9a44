//! Evaluation order of combinational blocks, and which units read each wire and memory.
//!
//! Blocks that feed each other (a strongly connected group, legal when the bits involved
//! form no loop) become one unit that iterates to a fixed point; units are ordered so
//! every unit runs after the units it reads.

use crate::compile::Block;

/// Units in evaluation order, and their readers.
pub(crate) struct Order {
    /// Each unit's blocks.
    pub units: Vec<Vec<usize>>,
    /// Units that read each wire (by wire index), and each memory, in order.
    pub wire_readers: Vec<Vec<u32>>,
    pub memory_readers: Vec<Vec<u32>>,
}

/// Orders `blocks` of a design with `wires` wires and `memories` memories.
pub(crate) fn units(blocks: &[Block], wires: usize, memories: usize) -> Order {
    let mut drivers: Vec<Vec<usize>> = vec![Vec::new(); wires];
    for (b, block) in blocks.iter().enumerate() {
        block.drives.iter().for_each(|w| drivers[w.index()].push(b));
    }
    // Edges from a block to the blocks that read what it drives.
    let mut feeds: Vec<Vec<usize>> = vec![Vec::new(); blocks.len()];
    for (b, block) in blocks.iter().enumerate() {
        for w in &block.reads {
            for &d in &drivers[w.index()] {
                feeds[d].push(b);
            }
        }
    }
    let components = strongly_connected(&feeds);
    let mut unit_of = vec![0; blocks.len()];
    for (u, c) in components.iter().enumerate() {
        c.iter().for_each(|&b| unit_of[b] = u);
    }
    let mut wire_readers: Vec<Vec<u32>> = vec![Vec::new(); wires];
    let mut memory_readers: Vec<Vec<u32>> = vec![Vec::new(); memories];
    for (b, block) in blocks.iter().enumerate() {
        block.reads.iter().for_each(|w| wire_readers[w.index()].push(unit_of[b] as u32));
        if let Some(m) = block.memory {
            memory_readers[m].push(unit_of[b] as u32);
        }
    }
    for r in wire_readers.iter_mut().chain(&mut memory_readers) {
        r.sort_unstable();
        r.dedup();
    }
    Order {
        units: components,
        wire_readers,
        memory_readers,
    }
}

impl Order {
    /// The units in runs of at most `max`, in order: a unit joins the run before it when
    /// everything it reads the run reads or drives — the bits of one word split into
    /// separate wires, a chain of logic — so logic that changes together runs together
    /// and is scheduled once. Any run of consecutive units is a valid unit of
    /// evaluation: nothing outside it can come between two of its members.
    pub fn runs(&self, blocks: &[Block], wires: usize, max: usize) -> Vec<Vec<usize>> {
        let mut seen_by = vec![usize::MAX; wires];
        let mut runs: Vec<Vec<usize>> = Vec::new();
        for (u, unit) in self.units.iter().enumerate() {
            let last = runs.len().wrapping_sub(1);
            let within = unit.iter().all(|&b| blocks[b].reads.iter().all(|w| seen_by[w.index()] == last));
            match runs.last_mut() {
                Some(run) if run.len() < max && within => run.push(u),
                _ => runs.push(vec![u]),
            }
            let r = runs.len() - 1;
            for &b in unit {
                blocks[b].reads.iter().chain(&blocks[b].drives).for_each(|w| seen_by[w.index()] = r);
            }
        }
        runs
    }

    /// Whether `unit` must iterate: several blocks, or one that reads what it drives.
    pub fn iterates(&self, unit: &[usize], blocks: &[Block]) -> bool {
        match unit {
            [b] => blocks[*b].drives.iter().any(|w| blocks[*b].reads.contains(w)),
            _ => true,
        }
    }
}

/// Strongly connected components of a graph, in topological order (sources first).
/// Iterative Tarjan, so deep designs cannot overflow the stack.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    const NONE: usize = usize::MAX;
    let (mut index, mut low) = (vec![NONE; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut out) = (Vec::new(), Vec::new());
    let mut next = 0;
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        let mut calls = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut i)) = calls.last_mut() {
            if *i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*i) {
                *i += 1;
                if index[w] == NONE {
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort();
                out.push(component);
            }
        }
    }
    // Tarjan finishes a component after everything it reaches.
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    #[test]
    fn components_come_in_topological_order() {
        // 0 -> 1 <-> 2 -> 3, and 4 -> 0.
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![], vec![0]];
        assert_eq!(strongly_connected(&edges), vec![vec![4], vec![0], vec![1, 2], vec![3]]);
    }
}
