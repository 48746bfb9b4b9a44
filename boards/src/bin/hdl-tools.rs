//! Makes sure the open ECP5 flow's tools are there, as a build would: found on `PATH`
//! or in the cached install, or installed there at the tested versions. Prints each
//! tool's path and version. CI runs it before the tests, so both provision the same way.
//!
//! ```text
//! cargo run -p hdl-boards --bin hdl-tools [-- --no-install-tools]
//! ```

use hdl_dsl::tools::{provision, Tool};

fn main() {
    let mut install = true;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--no-install-tools" => install = false,
            other => {
                eprintln!("hdl-tools: unknown argument `{other}`; accepted: --no-install-tools");
                std::process::exit(2);
            }
        }
    }
    let tools = [Tool::Yosys, Tool::NextpnrEcp5, Tool::Ecppack, Tool::Ecppll, Tool::Ecpbram];
    match provision(&tools, install, &mut |line| eprintln!("==> {line}")) {
        Ok(found) => {
            for warning in &found.warnings {
                eprintln!("warning: {warning}");
            }
            for (tool, path, version) in &found.tools {
                println!("{:<14} {:<20} {}", tool.name(), version.as_deref().unwrap_or("-"), path.display());
            }
        }
        Err(e) => {
            eprintln!("hdl-tools: {e}");
            std::process::exit(1);
        }
    }
}
