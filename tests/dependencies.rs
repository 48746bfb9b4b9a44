//! The crates' dependencies point one way, as the README's layout says: read from
//! `cargo tree`, so that a new dependency that breaks a rule fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Every crate of the workspace a user's design may link, with what it builds on
/// (normal dependencies only, transitively), by crate name.
fn normal_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // One package at a time: with several, cargo leaves out of a tree what an earlier
    // one printed.
    SHIPPING
        .iter()
        .map(|package| {
            let out = Command::new(&cargo)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["tree", "--offline", "--edges", "normal", "--prefix", "none", "--format", "{p}"])
                .args(["--package", package])
                .output()
                .expect("cargo runs");
            assert!(out.status.success(), "cargo tree failed:\n{}", String::from_utf8_lossy(&out.stderr));
            let names = String::from_utf8_lossy(&out.stdout)
                .lines()
                .skip(1) // the package itself
                .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
                .collect();
            (package.to_string(), names)
        })
        .collect()
}

/// The crates a design may depend on; the test tooling is not one of them.
const SHIPPING: [&str; 9] = [
    "hdl-dsl",
    "hdl-sim",
    "hdl-models",
    "hdl-cores",
    "hdl-video",
    "hdl-boards",
    "hdl-devices",
    "hdl-designs",
    "sr-compiler",
];

#[test]
fn dependencies_point_one_way() {
    let trees = normal_dependencies();
    assert_eq!(
        trees.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        SHIPPING.into_iter().collect()
    );
    let depends = |krate: &str, on: &str| trees[krate].iter().any(|d| d == on || d.starts_with(&format!("{on}-")));
    for krate in SHIPPING {
        assert!(
            !depends(krate, "hdl-testkit"),
            "{krate} pulls in the test tooling: {:?}",
            trees[krate]
        );
    }
    // Only the model compiler, and the designs through it, may build tract.
    for krate in SHIPPING.into_iter().filter(|k| !["sr-compiler", "hdl-designs"].contains(k)) {
        assert!(!depends(krate, "tract"), "{krate} builds tract");
    }
    for on in ["hdl-sim", "hdl-models", "hdl-boards", "hdl-dsl", "hdl-cores"] {
        assert!(!depends("sr-compiler", on), "the model compiler depends on {on}");
    }
    for leaf in ["hdl-video", "hdl-devices"] {
        let ours: Vec<&String> = trees[leaf]
            .iter()
            .filter(|d| d.starts_with("hdl-") || d.starts_with("sr-"))
            .collect();
        assert!(ours.is_empty(), "{leaf} is a leaf but depends on {ours:?}");
    }
    for krate in ["hdl-sim", "hdl-boards", "hdl-cores"] {
        assert!(depends(krate, "hdl-dsl"), "{krate} builds on hdl-dsl");
    }
    assert!(!depends("hdl-boards", "hdl-sim") && !depends("hdl-sim", "hdl-boards"));
    assert!(
        depends("hdl-designs", "sr-compiler"),
        "the designs use the model compiler's fixed-point data"
    );
}
