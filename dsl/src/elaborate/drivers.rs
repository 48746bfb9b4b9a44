use super::*;

impl<'a> Lower<'a> {
    pub(super) fn add_use(&mut self, parts: &[WireSlice], tag: Tag, location: Option<Location>) {
        for p in parts {
            self.drivers[p.wire.index()].push(Use {
                tag,
                lo: p.lo,
                width: p.width,
                location,
            });
        }
    }

    fn describe_tag(&self, tag: Tag) -> String {
        match tag {
            Tag::Input => "its input port (it is driven from outside the module)".into(),
            Tag::Domain(None) => "combinational logic".into(),
            Tag::Domain(Some(d)) => format!("clock domain `{}`", self.out.domains[d].name),
            Tag::Cell(i) => format!("instance `{}`", self.out.cells[i].name),
            Tag::Pad(i) => format!("the pad pin of instance `{}`", self.out.cells[i].name),
            Tag::Memory(i) => format!("a read port of memory `{}`", self.out.memories[i].name),
        }
    }

    /// An inout port: only pad pins connect to it, and each of its bits to one. Returns
    /// whether it reported an error.
    fn check_pad(&mut self, name: &str, width: u32, location: Option<Location>, uses: &[Use]) -> bool {
        if let Some(u) = uses.iter().find(|u| !matches!(u.tag, Tag::Pad(_))) {
            let message = format!(
                "inout `{name}` is a pad and only the bidirectional pin of a pad primitive connects to it, but {} drives it; \
                 drive the pad through the `I` and `T` of its `BB`, and read it through `O`",
                self.describe_tag(u.tag)
            );
            self.error(ErrorKind::Invalid, message, u.location.or(location).unwrap_or(self.src.location));
            return true;
        }
        let mut covered = vec![false; width as usize];
        for u in uses {
            (u.lo..u.lo + u.width).for_each(|b| covered[b as usize] = true);
        }
        if let Some(bit) = covered.iter().position(|c| !c) {
            let message = format!(
                "inout `{name}`: bit {bit} is connected to no pad primitive; connect each bit to the `B` pin of a `BB` with `InstanceBuilder::inout`"
            );
            self.error(ErrorKind::UndrivenOutput, message, location.unwrap_or(self.src.location));
            return true;
        }
        false
    }

    pub(super) fn check_drivers(&mut self) {
        for w in self.out.wires.ids() {
            let mut uses = std::mem::take(&mut self.drivers[w.index()]);
            // A conflict is reported where the later driver (in the source) was added.
            uses.sort_by_key(|u| u.location.map(|l| (l.file, l.line, l.column)));
            let wire = &self.out.wires[w];
            let (name, width, location) = (wire.name.clone(), wire.width, wire.location);
            let is_pad = self.out.wires[w].port == Some(nl::Direction::InOut);
            if is_pad && self.check_pad(&name, width, location, &uses) {
                continue;
            }
            if let Some(first) = uses.first() {
                for u in &uses[1..] {
                    let overlap = u.lo < first.lo + first.width && first.lo < u.lo + u.width;
                    let cell = |t: Tag| matches!(t, Tag::Cell(_) | Tag::Pad(_));
                    let conflict = u.tag != first.tag && (overlap || !(cell(u.tag) && cell(first.tag)));
                    if conflict {
                        let at = |l: Option<Location>| l.map(|l| format!(" (at {l})")).unwrap_or_default();
                        let message = format!(
                            "`{name}` is driven from two places: {}{} and {}{}; each bit must have one driver, and a signal belongs to one domain",
                            self.describe_tag(first.tag),
                            at(first.location),
                            self.describe_tag(u.tag),
                            at(u.location),
                        );
                        self.error(
                            ErrorKind::MultipleDrivers,
                            message,
                            u.location.or(location).unwrap_or(self.src.location),
                        );
                        break;
                    }
                }
            }
            if self.out.wires[w].port == Some(nl::Direction::Output) {
                let mut covered = vec![false; width as usize];
                for u in &uses {
                    for b in u.lo..u.lo + u.width {
                        covered[b as usize] = true;
                    }
                }
                if let Some(missing) = covered.iter().position(|c| !c) {
                    let what = if uses.is_empty() {
                        "is never driven".to_owned()
                    } else {
                        format!("has undriven bit {missing}")
                    };
                    let message = format!("output `{name}` {what}; assign it with `comb` or `sync`, or connect it to an instance output");
                    self.error(ErrorKind::UndrivenOutput, message, location.unwrap_or(self.src.location));
                }
            }
        }
    }
}
