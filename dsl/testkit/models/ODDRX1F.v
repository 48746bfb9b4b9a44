// A behavioural model of the ECP5 DDR output for simulating a whole top under Icarus
// Verilog, written for this project's tests from Lattice TN1265 (ECP5 high-speed I/O
// interface) and, for the latency, Lattice's own model as Amaranth read it (issue 1667):
// D0 and D1 are registered on the rising edge of SCLK and again on the next; Q sends
// that D0 while SCLK is high, then D1 (held from the falling edge) while it is low. Each
// SCLK period carries D0 first, then D1, one period after they were sampled.
`timescale 1ps/1ps
module ODDRX1F (
    input D0, D1, SCLK, RST,
    output Q
);
    reg in0 = 0, in1 = 0, out0 = 0, out1 = 0, low = 0;
    always @(posedge SCLK or posedge RST) begin
        if (RST) begin
            {in0, in1, out0, out1} <= 4'b0;
        end else begin
            {in0, in1} <= {D0, D1};
            {out0, out1} <= {in0, in1};
        end
    end
    always @(negedge SCLK or posedge RST) begin
        if (RST) low <= 0;
        else low <= out1;
    end
    assign Q = SCLK ? out0 : low;
endmodule
