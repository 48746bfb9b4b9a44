// A behavioural model of the ECP5 PLL for simulating a whole top under Icarus Verilog,
// written for this project's tests from Lattice TN1263 (ECP5 sysCLOCK PLL/DLL design
// and usage guide). Only what the project uses: feedback from CLKOP
// (FEEDBK_PATH = "CLKOP"), so CLKOP = CLKI * CLKFB_DIV / CLKI_DIV and the VCO runs at
// CLKOP * CLKOP_DIV; CLKOSn = VCO / CLKOSn_DIV. An output's phase relative to CLKOP is
// its (CPHASE + FPHASE / 8) VCO cycles less CLKOP's. The model measures CLKI's period
// from its first two rising edges; at rising edge LOCK_EDGE every enabled output starts,
// and LOCK rises at the falling edge after it, as in hdl-sim's model (so no output's
// first edge races the lock). Outputs are low before lock, and disabled ones
// stay low.
`timescale 1ps/1ps
module EHXPLLL #(
    parameter CLKI_DIV = 1,
    parameter CLKFB_DIV = 1,
    parameter CLKOP_DIV = 8,
    parameter CLKOS_DIV = 8,
    parameter CLKOS2_DIV = 8,
    parameter CLKOS3_DIV = 8,
    parameter CLKOP_ENABLE = "ENABLED",
    parameter CLKOS_ENABLE = "DISABLED",
    parameter CLKOS2_ENABLE = "DISABLED",
    parameter CLKOS3_ENABLE = "DISABLED",
    parameter CLKOP_CPHASE = 0,
    parameter CLKOS_CPHASE = 0,
    parameter CLKOS2_CPHASE = 0,
    parameter CLKOS3_CPHASE = 0,
    parameter CLKOP_FPHASE = 0,
    parameter CLKOS_FPHASE = 0,
    parameter CLKOS2_FPHASE = 0,
    parameter CLKOS3_FPHASE = 0,
    parameter FEEDBK_PATH = "CLKOP",
    parameter PLLRST_ENA = "DISABLED",
    parameter INTFB_WAKE = "DISABLED",
    parameter STDBY_ENABLE = "DISABLED",
    parameter DPHASE_SOURCE = "DISABLED",
    parameter OUTDIVIDER_MUXA = "DIVA",
    parameter OUTDIVIDER_MUXB = "DIVB",
    parameter OUTDIVIDER_MUXC = "DIVC",
    parameter OUTDIVIDER_MUXD = "DIVD"
) (
    input CLKI, CLKFB, RST, STDBY, PHASESEL0, PHASESEL1, PHASEDIR, PHASESTEP,
    input PHASELOADREG, PLLWAKESYNC, ENCLKOP, ENCLKOS, ENCLKOS2, ENCLKOS3,
    output reg CLKOP, CLKOS, CLKOS2, CLKOS3, LOCK,
    output INTLOCK, REFCLK, CLKINTFB
);
    initial {CLKOP, CLKOS, CLKOS2, CLKOS3, LOCK} = 5'b0;
    localparam LOCK_EDGE = 16;
    assign INTLOCK = LOCK;
    assign REFCLK = CLKI;
    assign CLKINTFB = CLKOP;

    event go;
    realtime first_edge = 0, in_period = 0, start = 0;
    integer in_edges = 0;
    real vco_period, op_phase;

    initial begin
        if (FEEDBK_PATH != "CLKOP") begin
            $display("EHXPLLL model: FEEDBK_PATH %s is not modelled (only CLKOP)", FEEDBK_PATH);
            $finish;
        end
    end

    always @(posedge CLKI) begin
        in_edges = in_edges + 1;
        if (in_edges == 1) first_edge = $realtime;
        if (in_edges == 2) in_period = $realtime - first_edge;
        if (in_edges == LOCK_EDGE) begin
            vco_period = in_period * CLKI_DIV / CLKFB_DIV / CLKOP_DIV;
            op_phase = CLKOP_CPHASE + CLKOP_FPHASE / 8.0;
            start = $realtime;
            -> go;
        end
    end

    always @(negedge CLKI) if (in_edges >= LOCK_EDGE) LOCK = 1;

    // One output: `div` VCO cycles a period, high for the first half, starting `phase`
    // VCO cycles after CLKOP's phase; each edge at its exact time from `start`.
    task automatic run(input integer which, input integer div, input real phase);
        real period, next;
        integer k;
        begin
            period = vco_period * div;
            next = start + (phase - op_phase) * vco_period;
            while (next < start) next = next + period;
            k = 0;
            forever begin
                #(next + k * period / 2.0 - $realtime);
                case (which)
                    0: CLKOP = (k % 2 == 0);
                    1: CLKOS = (k % 2 == 0);
                    2: CLKOS2 = (k % 2 == 0);
                    3: CLKOS3 = (k % 2 == 0);
                endcase
                k = k + 1;
            end
        end
    endtask

    always @(go) begin
        fork
            if (CLKOP_ENABLE == "ENABLED") run(0, CLKOP_DIV, CLKOP_CPHASE + CLKOP_FPHASE / 8.0);
            if (CLKOS_ENABLE == "ENABLED") run(1, CLKOS_DIV, CLKOS_CPHASE + CLKOS_FPHASE / 8.0);
            if (CLKOS2_ENABLE == "ENABLED") run(2, CLKOS2_DIV, CLKOS2_CPHASE + CLKOS2_FPHASE / 8.0);
            if (CLKOS3_ENABLE == "ENABLED") run(3, CLKOS3_DIV, CLKOS3_CPHASE + CLKOS3_FPHASE / 8.0);
        join
    end
endmodule
