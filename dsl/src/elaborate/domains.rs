use super::*;

impl<'a> Lower<'a> {
    /// Every domain name used here or by a child, in order of first use, with whether
    /// anything in it is reset (memory ports are not).
    pub(super) fn used_domains(&self, children: &[Child]) -> Vec<UsedDomain> {
        let mut used: Vec<UsedDomain> = Vec::new();
        let mut add = |name: &str, location: Location, resets: bool| match used.iter_mut().find(|u| u.name == name) {
            Some(u) => u.resets |= resets,
            None => used.push(UsedDomain {
                name: name.to_owned(),
                location,
                resets,
            }),
        };
        for d in &self.src.domains {
            add(&d.name, d.location, false);
        }
        fn walk(stmts: &[Stmt], add: &mut dyn FnMut(&str, Location, bool)) {
            for s in stmts {
                match s {
                    Stmt::Assign {
                        domain: Some(d),
                        statement,
                    } => add(d, statement.location, true),
                    Stmt::Assign { domain: None, .. } | Stmt::FsmBody(_) | Stmt::FsmNext { .. } => {}
                    Stmt::If(branches) => branches.iter().for_each(|b| walk(&b.body, add)),
                    Stmt::Switch { cases, .. } => cases.iter().for_each(|c| walk(&c.body, add)),
                }
            }
        }
        walk(self.src.body(), &mut add);
        for f in &self.src.fsms {
            add(&f.domain, f.location, true);
            for s in &f.states {
                walk(&s.body, &mut add);
            }
        }
        for m in &self.src.memories {
            for p in &m.read_ports {
                if let Some(d) = &p.domain {
                    add(d, p.location, false);
                }
            }
            for p in &m.write_ports {
                add(&p.domain, p.location, false);
            }
        }
        for c in children {
            for d in self.modules[c.id].domains.values().filter(|d| d.from_ports) {
                add(&d.name, c.location, d.reset.is_some());
            }
        }
        used
    }

    fn port_names(name: &str) -> (String, String) {
        if name == SYNC {
            ("clk".into(), "rst".into())
        } else {
            (format!("{name}_clk"), format!("{name}_rst"))
        }
    }

    /// Domains entering through ports come first, so their ports lead the port list.
    pub(super) fn declare_port_domains(&mut self, used: &[UsedDomain]) {
        for UsedDomain { name, location, resets } in used {
            let decls: Vec<_> = self.src.domains.iter().filter(|d| &d.name == name).collect();
            if decls.len() > 1 {
                self.error(
                    ErrorKind::Invalid,
                    format!("clock domain `{name}` is declared twice"),
                    decls[1].location,
                );
            }
            if name == "comb" {
                self.error(
                    ErrorKind::BadName,
                    "`comb` is not a clock domain; use `Module::comb` for combinational logic".into(),
                    *location,
                );
                continue;
            }
            if let Some(why) = names::check(name) {
                self.error(ErrorKind::BadName, format!("clock domain name: {why}"), *location);
                continue;
            }
            // An undeclared domain gets a synchronous reset port, if anything uses it.
            let reset = match decls.first().map(|d| (&d.source, d.reset)) {
                Some((DomainSource::Local { .. }, _)) => continue,
                Some((DomainSource::Ports, reset)) => reset,
                None if *resets => ResetKind::Sync,
                None => ResetKind::None,
            };
            let (clk_name, rst_name) = Self::port_names(name);
            let clk = self.port_wire(&clk_name, *location);
            let reset = (reset != ResetKind::None).then(|| nl::Reset {
                wire: self.port_wire(&rst_name, *location),
                asynchronous: reset == ResetKind::Async,
            });
            self.out.domains.push(nl::Domain {
                name: name.clone(),
                clk,
                reset,
                from_ports: true,
                location: Some(*location),
            });
        }
    }

    fn port_wire(&mut self, name: &str, location: Location) -> WireId {
        if self.names.contains(name) || self.src.signals.iter().any(|s| s.port.is_some() && s.name == name) {
            self.error(
                ErrorKind::BadName,
                format!("port `{name}` is needed for a clock domain but a port of that name exists already"),
                location,
            );
        }
        let name = self.names.unique(name);
        self.add_wire(nl::Wire {
            name,
            width: 1,
            signed: false,
            init: Bits::zero(1),
            port: Some(nl::Direction::Input),
            location: Some(location),
            keep: false,
        })
    }

    pub(super) fn add_wire(&mut self, wire: nl::Wire) -> WireId {
        let id = self.out.wires.push(wire);
        self.drivers.push(Vec::new());
        if self.out.wires[id].port == Some(nl::Direction::Input) {
            let width = self.out.wires[id].width;
            let location = self.out.wires[id].location;
            self.drivers[id.index()].push(Use {
                tag: Tag::Input,
                lo: 0,
                width,
                location,
            });
        }
        id
    }

    pub(super) fn declare_local_domains(&mut self, used: &[UsedDomain]) {
        for UsedDomain { name, .. } in used {
            let Some(decl) = self.src.domains.iter().find(|d| &d.name == name) else {
                continue;
            };
            let DomainSource::Local { clk, rst } = &decl.source else { continue };
            let clk = self.signal_wire_of(clk, &format!("the clock of domain `{name}`"), decl.location);
            let rst = rst
                .as_ref()
                .map(|r| self.signal_wire_of(r, &format!("the reset of domain `{name}`"), decl.location));
            if let Some(clk) = clk {
                self.out.domains.push(nl::Domain {
                    name: name.clone(),
                    clk,
                    reset: rst.flatten().map(|wire| nl::Reset {
                        wire,
                        asynchronous: decl.reset == ResetKind::Async,
                    }),
                    from_ports: false,
                    location: Some(decl.location),
                });
            }
        }
    }

    /// The wire of a one-bit signal of this module, used as a clock or reset.
    fn signal_wire_of(&mut self, v: &Value, what: &str, location: Location) -> Option<WireId> {
        match v.kind() {
            ValueKind::Signal(s) if s.module == self.src.uid && v.width() == 1 => Some(self.signal_wires[s.index as usize]),
            _ => {
                self.error(
                    ErrorKind::Invalid,
                    format!("{what} must be a one-bit signal of this module"),
                    location,
                );
                None
            }
        }
    }

    /// The domain called `name`; `None` only for a name already reported as bad.
    pub(super) fn domain_id(&self, name: &str) -> Option<DomainId> {
        self.out.domains.iter().find(|(_, d)| d.name == name).map(|(id, _)| id)
    }
}
