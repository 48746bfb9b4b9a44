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
    check_row_store(store, 0x7273_0001, 4000);
}

#[test]
fn a_row_store_wider_than_a_block_ram_with_pixels_wider_than_its_word() {
    // Two blocks of columns and two of bits a slot.
    let store = RowStore {
        width: 1100,
        height: 5,
        pixel_bits: 20,
        ports: 3,
        rows: 4,
    };
    check_row_store(store, 0x7273_0002, 3000);
}

/// Random writes and reads of `store`, `cycles` of them, each read checked against
/// what the slots held.
fn check_row_store(store: RowStore, seed: u64, cycles: usize) {
    let RowStore {
        width,
        height,
        pixel_bits,
        ports,
        rows,
    } = store;
    let (w, h) = (u64::from(width), u64::from(height));
    let design = Design::elaborate(row_store(store).into_module()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let [w_en, w_slot, w_col, w_data, r_top, r_col, r_data] =
        ["w_en", "w_slot", "w_col", "w_data", "r_top", "r_col", "r_data"].map(|n| sim.signal(n).unwrap());
    let mut rng = Xorshift::new(seed);
    // What each slot holds, as the store promises: row r in slot r mod rows.
    let mut slots = vec![vec![0u64; width as usize]; rows as usize];
    // `None` where the read meets this cycle's write in one block at one edge, which a
    // DP16KD leaves undefined.
    let mut expected: Vec<Option<Vec<u64>>> = Vec::new();
    let mut seen = Vec::new();
    let mut written = Vec::new();
    for _ in 0..cycles {
        let write = rng.next().is_multiple_of(2);
        let (row, col, data) = (rng.next() % h, rng.next() % w, rng.next() & ((1 << pixel_bits) - 1));
        sim.set(w_en, write as u64).unwrap();
        sim.set(w_slot, row % u64::from(rows)).unwrap();
        sim.set(w_col, col).unwrap();
        sim.set(w_data, data).unwrap();
        // Half the reads go to a column written before, so most of them see data.
        let top = (rng.next() % (h + 7)) as i64 - 4;
        let c = match written.get(rng.next() as usize % written.len().max(1)) {
            Some(&c) if rng.next().is_multiple_of(2) => c as i64,
            _ => (rng.next() % (w + 6)) as i64 - 3,
        };
        sim.set_i64(r_top, top).unwrap();
        sim.set_i64(r_col, c).unwrap();
        // The read sees the slots before this cycle's write.
        let slot_of = |r: i64| r.rem_euclid(i64::from(rows)) as u64;
        let collides = write
            && c == col as i64
            && (0..i64::from(ports)).any(|j| (0..height as i64).contains(&(top + j)) && slot_of(top + j) == row % u64::from(rows));
        let column: Vec<u64> = (0..i64::from(ports))
            .map(|j| {
                let r = top + j;
                let inside = (0..height as i64).contains(&r) && (0..width as i64).contains(&c);
                if inside {
                    slots[(r % i64::from(rows)) as usize][c as usize]
                } else {
                    0
                }
            })
            .collect();
        expected.push((!collides).then_some(column));
        if write {
            slots[(row % u64::from(rows)) as usize][col as usize] = data;
            written.push(col);
        }
        sim.tick(sync);
        let bits = sim.get_bits(r_data);
        seen.push(
            (0..ports)
                .map(|j| (0..pixel_bits).fold(0, |v, b| v | (bits.bit(j * pixel_bits + b) as u64) << b))
                .collect::<Vec<u64>>(),
        );
    }
    // Read `n` is seen after the edge `ROW_STORE_LATENCY - 1` edges after the one that
    // took its address.
    let late = ROW_STORE_LATENCY as usize - 1;
    for (n, (got, want)) in seen[late..].iter().zip(&expected).enumerate() {
        if let Some(want) = want {
            assert_eq!(got, want, "read {n}");
        }
    }
    let with_data = expected.iter().flatten().filter(|column| column.iter().any(|&p| p != 0)).count();
    assert!(with_data > cycles / 4, "only {with_data} of {cycles} reads saw data");
}
