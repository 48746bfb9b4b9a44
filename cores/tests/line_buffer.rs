//! The line buffers against pictures held in Rust: every window of two frames, with
//! random gaps on the input and random back-pressure on the output, for odd and even
//! window sides; and a row store under random writes and reads, every read compared.

use hdl_cores::line_buffer::{row_store, window_generator, RowStore, Window, ROW_STORE_LATENCY};
use hdl_dsl::Design;
use hdl_sim::{Simulator, Xorshift};

/// The window around `(x, y)` of `picture` as the generator packs it, zeros outside.
fn window_at(w: &Window, picture: &[u64], x: i64, y: i64) -> Vec<u64> {
    let b = w.before() as i64;
    let mut out = Vec::new();
    for dy in 0..w.k as i64 {
        for dx in 0..w.k as i64 {
            let (sx, sy) = (x - b + dx, y - b + dy);
            let inside = (0..w.width as i64).contains(&sx) && (0..w.height as i64).contains(&sy);
            out.push(if inside { picture[(sy * w.width as i64 + sx) as usize] } else { 0 });
        }
    }
    out
}

/// A window as the sink took it: its pixels unpacked, its `first` and its `last`.
type Seen = (Vec<u64>, bool, bool);

/// Runs `frames` random pictures through the generator; returns the windows it gave and
/// the pictures.
fn run_windows(w: Window, frames: usize, seed: u64) -> (Vec<Seen>, Vec<Vec<u64>>) {
    let design = Design::elaborate(window_generator(w).into_module()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let [i_valid, i_ready, i_payload, o_valid, o_ready, o_payload, o_first, o_last] = [
        "i_valid",
        "i_ready",
        "i_payload",
        "o_valid",
        "o_ready",
        "o_payload",
        "o_first",
        "o_last",
    ]
    .map(|n| sim.signal(n).unwrap());
    let mut rng = Xorshift::new(seed);
    let mask = (1u64 << w.pixel_bits) - 1;
    let pictures: Vec<Vec<u64>> = (0..frames)
        .map(|_| (0..w.width * w.height).map(|_| rng.next() & mask).collect())
        .collect();
    let pixels: Vec<u64> = pictures.iter().flatten().copied().collect();
    let want = frames * (w.width * w.height) as usize;
    let (mut sent, mut got) = (0usize, Vec::new());
    let mut cycles = 0;
    while got.len() < want {
        cycles += 1;
        assert!(cycles < 100 * want + 10_000, "the generator stopped after {} windows", got.len());
        let offer = sent < pixels.len() && !rng.next().is_multiple_of(4);
        sim.set(i_valid, offer as u64).unwrap();
        sim.set(i_payload, if offer { pixels[sent] } else { 0 }).unwrap();
        sim.set(o_ready, (!rng.next().is_multiple_of(3)) as u64).unwrap();
        sim.settle();
        let took = offer && sim.get(i_ready) == 1;
        if sim.get(o_valid) == 1 && sim.get(o_ready) == 1 {
            let bits = sim.get_bits(o_payload);
            let window = (0..w.k * w.k)
                .map(|c| (0..w.pixel_bits).fold(0, |v, b| v | (bits.bit(c * w.pixel_bits + b) as u64) << b))
                .collect();
            got.push((window, sim.get(o_first) == 1, sim.get(o_last) == 1));
        }
        sim.tick(sync);
        sent += took as usize;
    }
    (got, pictures)
}

fn assert_windows(w: Window, frames: usize, seed: u64) {
    let (got, pictures) = run_windows(w, frames, seed);
    let per_frame = (w.width * w.height) as usize;
    for (n, (window, first, last)) in got.iter().enumerate() {
        let (f, at) = (n / per_frame, n % per_frame);
        let (x, y) = ((at as u32 % w.width) as i64, (at as u32 / w.width) as i64);
        assert_eq!(window, &window_at(&w, &pictures[f], x, y), "frame {f}, window at ({x}, {y})");
        assert_eq!(*first, at == 0, "first, frame {f} at ({x}, {y})");
        assert_eq!(*last, x == w.width as i64 - 1, "last, frame {f} at ({x}, {y})");
    }
}

#[test]
fn every_3x3_window_of_two_frames_with_gaps_and_back_pressure() {
    let w = Window {
        width: 13,
        height: 7,
        k: 3,
        pixel_bits: 8,
    };
    assert_windows(w, 2, 0x6c62_0001);
}

#[test]
fn every_6x6_window_of_rgb565_pixels() {
    let w = Window {
        width: 9,
        height: 8,
        k: 6,
        pixel_bits: 16,
    };
    assert_eq!((w.before(), w.after()), (2, 3));
    assert_windows(w, 2, 0x6c62_0002);
}

#[test]
fn a_window_wider_than_the_picture_is_mostly_zeros() {
    let w = Window {
        width: 2,
        height: 3,
        k: 5,
        pixel_bits: 4,
    };
    assert_windows(w, 3, 0x6c62_0003);
}

#[test]
fn a_row_store_reads_columns_of_consecutive_rows_with_zeros_outside() {
    let store = RowStore {
        width: 20,
        height: 11,
        pixel_bits: 16,
        ports: 6,
        rows: 8,
    };
    let design = Design::elaborate(row_store(store).into_module()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let [w_en, w_slot, w_col, w_data, r_top, r_col, r_data] =
        ["w_en", "w_slot", "w_col", "w_data", "r_top", "r_col", "r_data"].map(|n| sim.signal(n).unwrap());
    let mut rng = Xorshift::new(0x7273_0001);
    // What each slot holds, as the store promises: row r in slot r mod 8.
    let mut slots = vec![vec![0u64; 20]; 8];
    let mut expected: Vec<Vec<u64>> = Vec::new();
    let mut seen = Vec::new();
    for _ in 0..4000 {
        let write = rng.next().is_multiple_of(2);
        let (row, col, data) = (rng.next() % 11, rng.next() % 20, rng.next() & 0xffff);
        sim.set(w_en, write as u64).unwrap();
        sim.set(w_slot, row % 8).unwrap();
        sim.set(w_col, col).unwrap();
        sim.set(w_data, data).unwrap();
        let (top, c) = ((rng.next() % 18) as i64 - 4, (rng.next() % 26) as i64 - 3);
        sim.set_i64(r_top, top).unwrap();
        sim.set_i64(r_col, c).unwrap();
        // The read sees the slots before this edge's write.
        let column: Vec<u64> = (0..6)
            .map(|j| {
                let r = top + j;
                let inside = (0..11).contains(&r) && (0..20).contains(&c);
                if inside {
                    slots[(r % 8) as usize][c as usize]
                } else {
                    0
                }
            })
            .collect();
        expected.push(column);
        if write {
            slots[(row % 8) as usize][col as usize] = data;
        }
        sim.tick(sync);
        let bits = sim.get_bits(r_data);
        seen.push(
            (0..6)
                .map(|j| (0..16).fold(0, |v, b| v | (bits.bit(j * 16 + b) as u64) << b))
                .collect::<Vec<u64>>(),
        );
    }
    // Read `n` is seen after the edge `ROW_STORE_LATENCY - 1` edges after the one that
    // took its address.
    let late = ROW_STORE_LATENCY as usize - 1;
    for (n, (got, want)) in seen[late..].iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "read {n}");
    }
}
