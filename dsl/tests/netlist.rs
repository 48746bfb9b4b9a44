//! The netlist's verifier: every example elaborates to a netlist that passes, and each
//! kind of broken invariant is caught with a message naming the module and the fault.

use hdl_dsl::netlist::{self, CellPort, Expr, ExprKind, Netlist, Stmt, WireSlice};
use hdl_dsl::Bits;
use hdl_testkit::examples;

fn netlist_of(name: &str) -> Netlist {
    examples::design(name).expect("an example").netlist().clone()
}

fn broken(netlist: &Netlist) -> String {
    netlist::verify(netlist).expect_err("the verifier should refuse it").to_string()
}

#[test]
fn every_example_passes() {
    for (name, _) in examples::all() {
        netlist::verify(&netlist_of(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn an_expression_wider_than_its_operands_is_caught() {
    let mut nl = netlist_of("counter");
    let top = nl.top;
    let m = &mut nl.modules[top];
    let first = m.exprs.ids().next().expect("the counter has expressions");
    let width = m.exprs[first].width;
    let id = m.exprs.push(Expr {
        width: width + 1,
        kind: ExprKind::Unary(netlist::UnaryOp::Not, first),
    });
    assert_eq!(
        broken(&nl),
        format!(
            "netlist invariant broken in module `counter`: {id:?} ({} bits) does not fit its operands: Unary(Not, {first:?})",
            width + 1
        )
    );
}

#[test]
fn a_bit_with_two_drivers_is_caught() {
    let mut nl = netlist_of("counter");
    let top = nl.top;
    let m = &mut nl.modules[top];
    let count = m.find_wire("count").expect("the counter's output");
    let zero = m.exprs.push(Expr {
        width: m.wire(count).width,
        kind: ExprKind::Const(Bits::zero(m.wire(count).width)),
    });
    let width = m.wire(count).width;
    let location = m.location.expect("modules have locations");
    let second = m.processes.push(netlist::Process {
        domain: None,
        drives: vec![count],
        body: vec![Stmt::Assign {
            lhs: vec![WireSlice { wire: count, lo: 0, width }],
            rhs: zero,
            location,
        }],
    });
    let message = broken(&nl);
    assert!(
        message.starts_with("netlist invariant broken in module `counter`: bit 0 of `count` is driven by process ")
            && message.ends_with(&format!("and by process {}", second.index())),
        "{message}"
    );
}

#[test]
fn a_connection_to_a_port_the_child_lacks_is_caught() {
    let mut nl = netlist_of("hierarchy");
    let top = nl.top;
    let m = &mut nl.modules[top];
    let cell = m.cells.ids().next().expect("the hierarchy example has a submodule");
    let (port, _) = m.cells[cell].inputs[0].clone();
    m.cells[cell].inputs[0].0 = CellPort::Pin("nowhere".into());
    let message = broken(&nl);
    assert!(matches!(port, CellPort::Wire(_)), "a submodule's port is its wire");
    assert_eq!(
        message,
        format!(
            "netlist invariant broken in module `{}`: cell `{}` names a port the way the other kind of cell does",
            nl.modules[top].name, nl.modules[top].cells[cell].name
        )
    );
}
