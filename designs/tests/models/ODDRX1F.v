// A behavioural model of the ECP5 DDR output for simulating a whole top under Icarus
// Verilog, written for this project's tests from Lattice TN1265 (ECP5 high-speed I/O
// interface): D0 and D1 are registered on the rising edge of SCLK; Q sends D0 while SCLK
// is high, then D1 while it is low, so each SCLK period carries D0 first, then D1.
`timescale 1ps/1ps
module ODDRX1F (
    input D0, D1, SCLK, RST,
    output Q
);
    reg first = 0, second = 0;
    always @(posedge SCLK or posedge RST) begin
        if (RST) begin
            first <= 0;
            second <= 0;
        end else begin
            first <= D0;
            second <= D1;
        end
    end
    assign Q = SCLK ? first : second;
endmodule
