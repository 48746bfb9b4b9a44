// A behavioural model of the ECP5 sysDSP 18x18 multiplier, written for this project's
// tests from Lattice TN1267 (ECP5 and ECP5-5G sysDSP usage guide), to check hdl-sim's
// own model against under Verilator and Icarus. P = A * B in 36 bits, each operand
// signed when its SIGNEDA/SIGNEDB pin is high; the sign pins travel with their
// operands through the input registers, and SIGNEDP (either operand signed) with the
// product. Each of the input (A, B, C), pipeline and output registers is present when
// its REG_*_CLK names a clock, with the clock enable and reset its REG_*_CE and
// REG_*_RST name (RESETMODE: reset at the edge or at once; reset wins over enable).
// ROA/SROA, ROB/SROB and ROC give the registered operands. The cascade inputs (SRIA,
// SRIB), MULT_BYPASS and GSR are not modelled. The silicon reads an unconnected clock
// enable as high; so does this model where the simulator leaves the pin floating
// (Icarus: z). Verilator has no z and reads it low: connect the enables there.
`timescale 1ps/1ps
module MULT18X18D #(
    parameter REG_INPUTA_CLK = "NONE",
    parameter REG_INPUTA_CE = "CE0",
    parameter REG_INPUTA_RST = "RST0",
    parameter REG_INPUTB_CLK = "NONE",
    parameter REG_INPUTB_CE = "CE0",
    parameter REG_INPUTB_RST = "RST0",
    parameter REG_INPUTC_CLK = "NONE",
    parameter REG_INPUTC_CE = "CE0",
    parameter REG_INPUTC_RST = "RST0",
    parameter REG_PIPELINE_CLK = "NONE",
    parameter REG_PIPELINE_CE = "CE0",
    parameter REG_PIPELINE_RST = "RST0",
    parameter REG_OUTPUT_CLK = "NONE",
    parameter REG_OUTPUT_CE = "CE0",
    parameter REG_OUTPUT_RST = "RST0",
    parameter CLK0_DIV = "ENABLED",
    parameter CLK1_DIV = "ENABLED",
    parameter CLK2_DIV = "ENABLED",
    parameter CLK3_DIV = "ENABLED",
    parameter HIGHSPEED_CLK = "NONE",
    parameter GSR = "ENABLED",
    parameter CAS_MATCH_REG = "FALSE",
    parameter SOURCEB_MODE = "B_SHIFT",
    parameter MULT_BYPASS = "DISABLED",
    parameter RESETMODE = "SYNC"
) (
    input A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17,
    input B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14, B15, B16, B17,
    input C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17,
    input SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
    input CLK0, CLK1, CLK2, CLK3,
    input RST0, RST1, RST2, RST3,
    input CE0, CE1, CE2, CE3,
    input SRIA0, SRIA1, SRIA2, SRIA3, SRIA4, SRIA5, SRIA6, SRIA7, SRIA8, SRIA9, SRIA10, SRIA11, SRIA12, SRIA13, SRIA14, SRIA15, SRIA16, SRIA17,
    input SRIB0, SRIB1, SRIB2, SRIB3, SRIB4, SRIB5, SRIB6, SRIB7, SRIB8, SRIB9, SRIB10, SRIB11, SRIB12, SRIB13, SRIB14, SRIB15, SRIB16, SRIB17,
    output SROA0, SROA1, SROA2, SROA3, SROA4, SROA5, SROA6, SROA7, SROA8, SROA9, SROA10, SROA11, SROA12, SROA13, SROA14, SROA15, SROA16, SROA17,
    output SROB0, SROB1, SROB2, SROB3, SROB4, SROB5, SROB6, SROB7, SROB8, SROB9, SROB10, SROB11, SROB12, SROB13, SROB14, SROB15, SROB16, SROB17,
    output ROA0, ROA1, ROA2, ROA3, ROA4, ROA5, ROA6, ROA7, ROA8, ROA9, ROA10, ROA11, ROA12, ROA13, ROA14, ROA15, ROA16, ROA17,
    output ROB0, ROB1, ROB2, ROB3, ROB4, ROB5, ROB6, ROB7, ROB8, ROB9, ROB10, ROB11, ROB12, ROB13, ROB14, ROB15, ROB16, ROB17,
    output ROC0, ROC1, ROC2, ROC3, ROC4, ROC5, ROC6, ROC7, ROC8, ROC9, ROC10, ROC11, ROC12, ROC13, ROC14, ROC15, ROC16, ROC17,
    output P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17, P18, P19, P20, P21, P22, P23, P24, P25, P26, P27, P28, P29, P30, P31, P32, P33, P34, P35,
    output SIGNEDP
);
    wire [3:0] clk = {CLK3, CLK2, CLK1, CLK0};
    wire [3:0] ce = {CE3 !== 1'b0, CE2 !== 1'b0, CE1 !== 1'b0, CE0 !== 1'b0};
    wire [3:0] rst = {RST3, RST2, RST1, RST0};

    wire [18:0] a_in, b_in;
    wire [17:0] c_in;
    wire [36:0] piped, out;
    MULT18X18D_stage #(19, REG_INPUTA_CLK, REG_INPUTA_CE, REG_INPUTA_RST, RESETMODE) input_a (
        clk, ce, rst, {SIGNEDA, {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0}}, a_in);
    MULT18X18D_stage #(19, REG_INPUTB_CLK, REG_INPUTB_CE, REG_INPUTB_RST, RESETMODE) input_b (
        clk, ce, rst, {SIGNEDB, {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0}}, b_in);
    MULT18X18D_stage #(18, REG_INPUTC_CLK, REG_INPUTC_CE, REG_INPUTC_RST, RESETMODE) input_c (
        clk, ce, rst, {C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0}, c_in);

    wire signed [35:0] a_wide = a_in[18] ? {{18{a_in[17]}}, a_in[17:0]} : {18'b0, a_in[17:0]};
    wire signed [35:0] b_wide = b_in[18] ? {{18{b_in[17]}}, b_in[17:0]} : {18'b0, b_in[17:0]};
    wire [35:0] product = a_wide * b_wide;
    MULT18X18D_stage #(37, REG_PIPELINE_CLK, REG_PIPELINE_CE, REG_PIPELINE_RST, RESETMODE) pipeline (
        clk, ce, rst, {a_in[18] | b_in[18], product}, piped);
    MULT18X18D_stage #(37, REG_OUTPUT_CLK, REG_OUTPUT_CE, REG_OUTPUT_RST, RESETMODE) output_reg (
        clk, ce, rst, piped, out);

    assign {SIGNEDP, {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0}} = out;
    assign {ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0} = a_in[17:0];
    assign {SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0} = a_in[17:0];
    assign {ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0} = b_in[17:0];
    assign {SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0} = b_in[17:0];
    assign {ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0} = c_in;
endmodule

// One register stage of MULT18X18D: `d` through a register on the clock, enable and
// reset the parameters name, or straight through when the clock is "NONE".
module MULT18X18D_stage #(
    parameter W = 18,
    parameter CLK = "NONE",
    parameter CE = "CE0",
    parameter RST = "RST0",
    parameter RESETMODE = "SYNC"
) (
    input [3:0] clk, ce, rst,
    input [W-1:0] d,
    output [W-1:0] q
);
    function integer index(input [31:0] name);
        index = (name[7:0] >= "0" && name[7:0] <= "3") ? name[7:0] - "0" : 0;
    endfunction
    wire c = clk[index(CLK)], e = ce[index(CE)], r = rst[index(RST)];
    wire arst = r & (RESETMODE == "ASYNC");
    reg [W-1:0] held = 0;
    always @(posedge c or posedge arst) begin
        if (r) held <= 0;
        else if (e) held <= d;
    end
    assign q = CLK == "NONE" ? d : held;
endmodule
