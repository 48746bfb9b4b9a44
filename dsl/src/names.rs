//! Legal Verilog names: identifiers that are not keywords, made unique per module.

use crate::hashing::{FastMap, FastSet};

/// Keywords of Verilog-2005 and SystemVerilog-2017: a name that is one of these would
/// break some tool reading the output, so it is refused.
const KEYWORDS: &[&str] = &[
    "accept_on",
    "alias",
    "always",
    "always_comb",
    "always_ff",
    "always_latch",
    "and",
    "assert",
    "assign",
    "assume",
    "automatic",
    "before",
    "begin",
    "bind",
    "bins",
    "binsof",
    "bit",
    "break",
    "buf",
    "bufif0",
    "bufif1",
    "byte",
    "case",
    "casex",
    "casez",
    "cell",
    "chandle",
    "checker",
    "class",
    "clocking",
    "cmos",
    "config",
    "const",
    "constraint",
    "context",
    "continue",
    "cover",
    "covergroup",
    "coverpoint",
    "cross",
    "deassign",
    "default",
    "defparam",
    "design",
    "disable",
    "dist",
    "do",
    "edge",
    "else",
    "end",
    "endcase",
    "endchecker",
    "endclass",
    "endclocking",
    "endconfig",
    "endfunction",
    "endgenerate",
    "endgroup",
    "endinterface",
    "endmodule",
    "endpackage",
    "endprimitive",
    "endprogram",
    "endproperty",
    "endsequence",
    "endspecify",
    "endtable",
    "endtask",
    "enum",
    "event",
    "eventually",
    "expect",
    "export",
    "extends",
    "extern",
    "final",
    "first_match",
    "for",
    "force",
    "foreach",
    "forever",
    "fork",
    "forkjoin",
    "function",
    "generate",
    "genvar",
    "global",
    "highz0",
    "highz1",
    "if",
    "iff",
    "ifnone",
    "ignore_bins",
    "illegal_bins",
    "implements",
    "implies",
    "import",
    "incdir",
    "include",
    "initial",
    "inout",
    "input",
    "inside",
    "instance",
    "int",
    "integer",
    "interconnect",
    "interface",
    "intersect",
    "join",
    "join_any",
    "join_none",
    "large",
    "let",
    "liblist",
    "library",
    "local",
    "localparam",
    "logic",
    "longint",
    "macromodule",
    "matches",
    "medium",
    "modport",
    "module",
    "nand",
    "negedge",
    "nettype",
    "new",
    "nexttime",
    "nmos",
    "nor",
    "noshowcancelled",
    "not",
    "notif0",
    "notif1",
    "null",
    "or",
    "output",
    "package",
    "packed",
    "parameter",
    "pmos",
    "posedge",
    "primitive",
    "priority",
    "program",
    "property",
    "protected",
    "pull0",
    "pull1",
    "pulldown",
    "pullup",
    "pulsestyle_ondetect",
    "pulsestyle_onevent",
    "pure",
    "rand",
    "randc",
    "randcase",
    "randsequence",
    "rcmos",
    "real",
    "realtime",
    "ref",
    "reg",
    "reject_on",
    "release",
    "repeat",
    "restrict",
    "return",
    "rnmos",
    "rpmos",
    "rtran",
    "rtranif0",
    "rtranif1",
    "s_always",
    "s_eventually",
    "s_nexttime",
    "s_until",
    "s_until_with",
    "scalared",
    "sequence",
    "shortint",
    "shortreal",
    "showcancelled",
    "signed",
    "small",
    "soft",
    "solve",
    "specify",
    "specparam",
    "static",
    "string",
    "strong",
    "strong0",
    "strong1",
    "struct",
    "super",
    "supply0",
    "supply1",
    "sync_accept_on",
    "sync_reject_on",
    "table",
    "tagged",
    "task",
    "this",
    "throughout",
    "time",
    "timeprecision",
    "timeunit",
    "tran",
    "tranif0",
    "tranif1",
    "tri",
    "tri0",
    "tri1",
    "triand",
    "trior",
    "trireg",
    "type",
    "typedef",
    "union",
    "unique",
    "unique0",
    "unsigned",
    "until",
    "until_with",
    "untyped",
    "use",
    "uwire",
    "var",
    "vectored",
    "virtual",
    "void",
    "wait",
    "wait_order",
    "wand",
    "weak",
    "weak0",
    "weak1",
    "while",
    "wildcard",
    "wire",
    "with",
    "within",
    "wor",
    "xnor",
    "xor",
];

/// Why `name` cannot be a Verilog name, or `None` if it can.
pub fn check(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let legal = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => chars.all(|c| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    };
    if !legal {
        Some(format!(
            "`{name}` is not a legal name: use letters, digits and `_`, not starting with a digit"
        ))
    } else if KEYWORDS.binary_search(&name).is_ok() {
        Some(format!(
            "`{name}` is a Verilog keyword and cannot name anything; choose another name (e.g. `{name}_`)"
        ))
    } else {
        None
    }
}

/// The names taken in one module, handing out unique ones.
#[derive(Default)]
pub(crate) struct Namespace {
    /// Membership only: nothing is ever listed in the order of a hash set.
    taken: FastSet<String>,
    /// For each name asked for, the last suffix tried: names are never given back, so
    /// the search for the next free one resumes there (asking for `_t` a thousand
    /// times costs a thousand lookups, not half a million).
    last_suffix: FastMap<String, u32>,
}

impl Namespace {
    /// Whether `name` is taken already.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `name` if it is free, else `name_1`, `name_2`, ...
    pub(crate) fn unique(&mut self, name: &str) -> String {
        let mut n = self.last_suffix.get(name).copied().unwrap_or(0);
        let mut candidate = if n == 0 { name.to_owned() } else { format!("{name}_{n}") };
        while self.taken.contains(&candidate) || KEYWORDS.binary_search(&candidate.as_str()).is_ok() {
            n += 1;
            candidate = format!("{name}_{n}");
        }
        if n > 0 {
            self.last_suffix.insert(name.to_owned(), n);
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn names_are_checked_and_made_unique() {
        assert!(check("count").is_none());
        assert!(check("always").unwrap().contains("keyword"));
        assert!(check("9lives").unwrap().contains("not a legal name"));
        let mut ns = Namespace::default();
        assert_eq!(ns.unique("x"), "x");
        assert_eq!(ns.unique("x"), "x_1");
    }
}
