use super::*;

impl<'a> Lower<'a> {
    pub(super) fn declare_signals(&mut self) {
        let src = self.src;
        // Ports keep their names (a clash is an error); internal signals are made unique.
        let mut order: Vec<usize> = (0..src.signals.len()).filter(|&i| src.signals[i].port.is_some()).collect();
        order.extend((0..src.signals.len()).filter(|&i| src.signals[i].port.is_none()));
        let mut wires = vec![None; src.signals.len()];
        for i in order {
            let decl = &src.signals[i];
            if let Some(why) = names::check(&decl.name) {
                self.error(ErrorKind::BadName, why, decl.location);
            }
            if decl.shape.width == 0 || decl.shape.width > shape::MAX_WIDTH {
                self.error(
                    ErrorKind::Invalid,
                    format!(
                        "signal `{}` has width {}; widths are 1..={}",
                        decl.name,
                        decl.shape.width,
                        shape::MAX_WIDTH
                    ),
                    decl.location,
                );
            }
            if decl.port.is_some() && self.names.contains(&decl.name) {
                self.error(ErrorKind::BadName, format!("two ports are named `{}`", decl.name), decl.location);
            }
            let init = match Module::init_bits(decl) {
                Ok(bits) => bits,
                Err(why) => {
                    self.error(ErrorKind::Invalid, why, decl.location);
                    Bits::zero(decl.shape.width)
                }
            };
            let name = self.names.unique(&decl.name);
            wires[i] = Some(self.add_wire(nl::Wire {
                name,
                width: decl.shape.width.max(1),
                signed: decl.shape.signed,
                init,
                port: decl.port,
                location: Some(decl.location),
                keep: decl.keep,
            }));
        }
        self.signal_wires = wires.into_iter().map(|w| w.expect("every signal declared")).collect();
    }

    pub(super) fn declare_fsms(&mut self) {
        for decl in &self.src.fsms {
            if let Some(why) = names::check(&decl.name) {
                self.error(ErrorKind::BadName, format!("state machine name: {why}"), decl.location);
            }
            if decl.states.is_empty() {
                self.error(
                    ErrorKind::Invalid,
                    format!("state machine `{}` has no states; define them with `Module::state`", decl.name),
                    decl.location,
                );
                self.fsms.push(None);
                continue;
            }
            let width = (32 - (decl.states.len() as u32 - 1).leading_zeros()).max(1);
            let mut states = Vec::new();
            for (code, state) in decl.states.iter().enumerate() {
                if let Some(why) = names::check(&state.name) {
                    self.error(ErrorKind::BadName, format!("state name: {why}"), state.location);
                }
                if states.iter().any(|(n, _): &(String, nl::SymbolId)| n == &state.name) {
                    self.error(
                        ErrorKind::Invalid,
                        format!("state `{}` of `{}` is defined twice", state.name, decl.name),
                        state.location,
                    );
                }
                let symbol = self.names.unique(&format!("{}_{}", decl.name, state.name).to_uppercase());
                let symbol = self.out.symbols.push(nl::Symbol {
                    name: symbol,
                    value: Bits::from_u128(code as u128, width),
                });
                states.push((state.name.clone(), symbol));
            }
            let name = self.names.unique(&format!("{}_state", decl.name));
            let wire = self.add_wire(nl::Wire {
                name,
                width,
                signed: false,
                init: Bits::zero(width),
                port: None,
                location: Some(decl.location),
                keep: false,
            });
            self.fsms.push(Some(FsmInfo { wire, states }));
        }
    }

    pub(super) fn fsm_state(&mut self, fsm: crate::fsm::FsmRef, state: &str, location: Location) -> Option<(WireId, nl::SymbolId)> {
        if fsm.module != self.src.uid {
            self.error(
                ErrorKind::ForeignSignal,
                format!("state machine used in module `{}` belongs to another module", self.src.name),
                location,
            );
            return None;
        }
        let info = self.fsms[fsm.index as usize].as_ref()?;
        match info.states.iter().find(|(n, _)| n == state) {
            Some((_, sym)) => Some((info.wire, *sym)),
            None => {
                let decl = &self.src.fsms[fsm.index as usize];
                let known: Vec<&str> = info.states.iter().map(|(n, _)| n.as_str()).collect();
                let message = format!(
                    "state machine `{}` has no state `{state}`; its states are: {}",
                    decl.name,
                    known.join(", ")
                );
                self.error(ErrorKind::Invalid, message, location);
                None
            }
        }
    }
}
