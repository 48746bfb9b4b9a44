// A behavioural model of the ECP5 18-kbit true dual-port block RAM, written for this
// project's tests from Lattice TN1264 (ECP5 and ECP5-5G memory usage guide), to check
// hdl-sim's own model against under Verilator and Icarus. The array is 1024 rows of 18
// bits. A port DATA_WIDTH bits wide addresses it as: 18 bits at AD[13:4], AD[1:0]
// enabling the low and high 9-bit byte of a write; 9 bits at AD[13:3], AD[3] picking
// the byte; 4, 2 or 1 bits at AD[13:2], AD[13:1] or AD[13:0], the word packed into the
// row's 16 data bits (row bits 0-7 and 9-16; bits 8 and 17 are the bytes' ninth bits).
// A port acts on the rising edge of its CLK when CE is high and CS equals CSDECODE:
// it writes when WE is high, and its output latch takes the word read, except during a
// write, where WRITEMODE decides (NORMAL keeps the latch, WRITETHROUGH shows the new
// word, READBEFOREWRITE the old). REGMODE OUTREG adds an output register loaded from
// the latch when OCE is high. RST clears latch and register, at the edge (SYNC) or at
// once (ASYNC). A port reads the row as it was before the edge's writes. INITVAL_xx
// holds rows 16*xx to 16*xx+15, 20 bits a row, the low 18 used.
// Pin inversion (the <pin>MUX parameters) and GSR are not modelled.
`timescale 1ps/1ps
module DP16KD #(
    parameter DATA_WIDTH_A = 18,
    parameter DATA_WIDTH_B = 18,
    parameter REGMODE_A = "NOREG",
    parameter REGMODE_B = "NOREG",
    parameter RESETMODE = "SYNC",
    parameter ASYNC_RESET_RELEASE = "SYNC",
    parameter CSDECODE_A = "0b000",
    parameter CSDECODE_B = "0b000",
    parameter WRITEMODE_A = "NORMAL",
    parameter WRITEMODE_B = "NORMAL",
    parameter GSR = "ENABLED",
    parameter INIT_DATA = "STATIC",
    parameter CLKAMUX = "CLKA",
    parameter CLKBMUX = "CLKB",
    parameter INITVAL_00 = 320'h0,
    parameter INITVAL_01 = 320'h0,
    parameter INITVAL_02 = 320'h0,
    parameter INITVAL_03 = 320'h0,
    parameter INITVAL_04 = 320'h0,
    parameter INITVAL_05 = 320'h0,
    parameter INITVAL_06 = 320'h0,
    parameter INITVAL_07 = 320'h0,
    parameter INITVAL_08 = 320'h0,
    parameter INITVAL_09 = 320'h0,
    parameter INITVAL_0A = 320'h0,
    parameter INITVAL_0B = 320'h0,
    parameter INITVAL_0C = 320'h0,
    parameter INITVAL_0D = 320'h0,
    parameter INITVAL_0E = 320'h0,
    parameter INITVAL_0F = 320'h0,
    parameter INITVAL_10 = 320'h0,
    parameter INITVAL_11 = 320'h0,
    parameter INITVAL_12 = 320'h0,
    parameter INITVAL_13 = 320'h0,
    parameter INITVAL_14 = 320'h0,
    parameter INITVAL_15 = 320'h0,
    parameter INITVAL_16 = 320'h0,
    parameter INITVAL_17 = 320'h0,
    parameter INITVAL_18 = 320'h0,
    parameter INITVAL_19 = 320'h0,
    parameter INITVAL_1A = 320'h0,
    parameter INITVAL_1B = 320'h0,
    parameter INITVAL_1C = 320'h0,
    parameter INITVAL_1D = 320'h0,
    parameter INITVAL_1E = 320'h0,
    parameter INITVAL_1F = 320'h0,
    parameter INITVAL_20 = 320'h0,
    parameter INITVAL_21 = 320'h0,
    parameter INITVAL_22 = 320'h0,
    parameter INITVAL_23 = 320'h0,
    parameter INITVAL_24 = 320'h0,
    parameter INITVAL_25 = 320'h0,
    parameter INITVAL_26 = 320'h0,
    parameter INITVAL_27 = 320'h0,
    parameter INITVAL_28 = 320'h0,
    parameter INITVAL_29 = 320'h0,
    parameter INITVAL_2A = 320'h0,
    parameter INITVAL_2B = 320'h0,
    parameter INITVAL_2C = 320'h0,
    parameter INITVAL_2D = 320'h0,
    parameter INITVAL_2E = 320'h0,
    parameter INITVAL_2F = 320'h0,
    parameter INITVAL_30 = 320'h0,
    parameter INITVAL_31 = 320'h0,
    parameter INITVAL_32 = 320'h0,
    parameter INITVAL_33 = 320'h0,
    parameter INITVAL_34 = 320'h0,
    parameter INITVAL_35 = 320'h0,
    parameter INITVAL_36 = 320'h0,
    parameter INITVAL_37 = 320'h0,
    parameter INITVAL_38 = 320'h0,
    parameter INITVAL_39 = 320'h0,
    parameter INITVAL_3A = 320'h0,
    parameter INITVAL_3B = 320'h0,
    parameter INITVAL_3C = 320'h0,
    parameter INITVAL_3D = 320'h0,
    parameter INITVAL_3E = 320'h0,
    parameter INITVAL_3F = 320'h0
) (
    input DIA0, DIA1, DIA2, DIA3, DIA4, DIA5, DIA6, DIA7, DIA8, DIA9, DIA10, DIA11, DIA12, DIA13, DIA14, DIA15, DIA16, DIA17,
    input ADA0, ADA1, ADA2, ADA3, ADA4, ADA5, ADA6, ADA7, ADA8, ADA9, ADA10, ADA11, ADA12, ADA13,
    input CEA, OCEA, CLKA, WEA, RSTA, CSA0, CSA1, CSA2,
    input DIB0, DIB1, DIB2, DIB3, DIB4, DIB5, DIB6, DIB7, DIB8, DIB9, DIB10, DIB11, DIB12, DIB13, DIB14, DIB15, DIB16, DIB17,
    input ADB0, ADB1, ADB2, ADB3, ADB4, ADB5, ADB6, ADB7, ADB8, ADB9, ADB10, ADB11, ADB12, ADB13,
    input CEB, OCEB, CLKB, WEB, RSTB, CSB0, CSB1, CSB2,
    output DOA0, DOA1, DOA2, DOA3, DOA4, DOA5, DOA6, DOA7, DOA8, DOA9, DOA10, DOA11, DOA12, DOA13, DOA14, DOA15, DOA16, DOA17,
    output DOB0, DOB1, DOB2, DOB3, DOB4, DOB5, DOB6, DOB7, DOB8, DOB9, DOB10, DOB11, DOB12, DOB13, DOB14, DOB15, DOB16, DOB17
);
    reg [17:0] mem [0:1023];

    function [319:0] chunk(input integer c);
        case (c)
            0: chunk = INITVAL_00;
            1: chunk = INITVAL_01;
            2: chunk = INITVAL_02;
            3: chunk = INITVAL_03;
            4: chunk = INITVAL_04;
            5: chunk = INITVAL_05;
            6: chunk = INITVAL_06;
            7: chunk = INITVAL_07;
            8: chunk = INITVAL_08;
            9: chunk = INITVAL_09;
            10: chunk = INITVAL_0A;
            11: chunk = INITVAL_0B;
            12: chunk = INITVAL_0C;
            13: chunk = INITVAL_0D;
            14: chunk = INITVAL_0E;
            15: chunk = INITVAL_0F;
            16: chunk = INITVAL_10;
            17: chunk = INITVAL_11;
            18: chunk = INITVAL_12;
            19: chunk = INITVAL_13;
            20: chunk = INITVAL_14;
            21: chunk = INITVAL_15;
            22: chunk = INITVAL_16;
            23: chunk = INITVAL_17;
            24: chunk = INITVAL_18;
            25: chunk = INITVAL_19;
            26: chunk = INITVAL_1A;
            27: chunk = INITVAL_1B;
            28: chunk = INITVAL_1C;
            29: chunk = INITVAL_1D;
            30: chunk = INITVAL_1E;
            31: chunk = INITVAL_1F;
            32: chunk = INITVAL_20;
            33: chunk = INITVAL_21;
            34: chunk = INITVAL_22;
            35: chunk = INITVAL_23;
            36: chunk = INITVAL_24;
            37: chunk = INITVAL_25;
            38: chunk = INITVAL_26;
            39: chunk = INITVAL_27;
            40: chunk = INITVAL_28;
            41: chunk = INITVAL_29;
            42: chunk = INITVAL_2A;
            43: chunk = INITVAL_2B;
            44: chunk = INITVAL_2C;
            45: chunk = INITVAL_2D;
            46: chunk = INITVAL_2E;
            47: chunk = INITVAL_2F;
            48: chunk = INITVAL_30;
            49: chunk = INITVAL_31;
            50: chunk = INITVAL_32;
            51: chunk = INITVAL_33;
            52: chunk = INITVAL_34;
            53: chunk = INITVAL_35;
            54: chunk = INITVAL_36;
            55: chunk = INITVAL_37;
            56: chunk = INITVAL_38;
            57: chunk = INITVAL_39;
            58: chunk = INITVAL_3A;
            59: chunk = INITVAL_3B;
            60: chunk = INITVAL_3C;
            61: chunk = INITVAL_3D;
            62: chunk = INITVAL_3E;
            63: chunk = INITVAL_3F;
            default: chunk = 320'h0;
        endcase
    endfunction

    integer c, r;
    reg [319:0] bits;
    initial begin
        for (c = 0; c < 64; c = c + 1) begin
            bits = chunk(c);
            for (r = 0; r < 16; r = r + 1) mem[c * 16 + r] = bits[r * 20 +: 18];
        end
    end

    // The 16 data bits of a row, and a row with its data bits replaced.
    function [15:0] data_of(input [17:0] row);
        data_of = {row[16:9], row[7:0]};
    endfunction
    function [17:0] with_data(input [17:0] row, input [15:0] data);
        with_data = {row[17], data[15:8], row[8], data[7:0]};
    endfunction

    // The word a port `width` bits wide at address `ad` reads from `row`.
    function [17:0] word_of(input [17:0] row, input [13:0] ad, input integer width);
        reg [15:0] data;
        begin
            data = data_of(row);
            case (width)
                18: word_of = row;
                9: word_of = ad[3] ? row[17:9] : row[8:0];
                4: word_of = (data >> (ad[3:2] * 4)) & 18'hf;
                2: word_of = (data >> (ad[3:1] * 2)) & 18'h3;
                default: word_of = (data >> ad[3:0]) & 18'h1;
            endcase
        end
    endfunction

    // `row` after a port `width` bits wide writes `di` at address `ad`.
    function [17:0] written(input [17:0] row, input [13:0] ad, input [17:0] di, input integer width);
        reg [15:0] data, mask;
        begin
            data = data_of(row);
            case (width)
                18: written = {ad[1] ? di[17:9] : row[17:9], ad[0] ? di[8:0] : row[8:0]};
                9: written = ad[3] ? {di[8:0], row[8:0]} : {row[17:9], di[8:0]};
                default: begin
                    mask = ((16'h1 << width) - 1) << ((ad[3:0] >> $clog2(width)) * width);
                    written = with_data(row, (data & ~mask) | (({16{1'b0}} | di[15:0]) << ((ad[3:0] >> $clog2(width)) * width) & mask));
                end
            endcase
        end
    endfunction

    function [2:0] decode(input [39:0] text);
        decode = {text[23:16] == "1", text[15:8] == "1", text[7:0] == "1"};
    endfunction

    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0}, adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
    wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0}, dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
    wire active_a = CEA && {CSA2, CSA1, CSA0} == decode(CSDECODE_A);
    wire active_b = CEB && {CSB2, CSB1, CSB0} == decode(CSDECODE_B);
    wire async_reset = RESETMODE == "ASYNC";
    wire arst_a = RSTA & async_reset, arst_b = RSTB & async_reset;
    reg [17:0] latch_a = 0, latch_b = 0, out_a = 0, out_b = 0;

    // Port A.
    always @(posedge CLKA or posedge arst_a) begin
        if (RSTA) begin
            latch_a <= 0;
            out_a <= 0;
        end else begin
            if (active_a) begin
                if (!WEA) latch_a <= word_of(mem[ada[13:4]], ada, DATA_WIDTH_A);
                else if (WRITEMODE_A == "WRITETHROUGH")
                    latch_a <= word_of(written(mem[ada[13:4]], ada, dia, DATA_WIDTH_A), ada, DATA_WIDTH_A);
                else if (WRITEMODE_A == "READBEFOREWRITE") latch_a <= word_of(mem[ada[13:4]], ada, DATA_WIDTH_A);
            end
            if (OCEA) out_a <= latch_a;
        end
    end
    always @(posedge CLKA) if (active_a && WEA) mem[ada[13:4]] <= written(mem[ada[13:4]], ada, dia, DATA_WIDTH_A);

    // Port B.
    always @(posedge CLKB or posedge arst_b) begin
        if (RSTB) begin
            latch_b <= 0;
            out_b <= 0;
        end else begin
            if (active_b) begin
                if (!WEB) latch_b <= word_of(mem[adb[13:4]], adb, DATA_WIDTH_B);
                else if (WRITEMODE_B == "WRITETHROUGH")
                    latch_b <= word_of(written(mem[adb[13:4]], adb, dib, DATA_WIDTH_B), adb, DATA_WIDTH_B);
                else if (WRITEMODE_B == "READBEFOREWRITE") latch_b <= word_of(mem[adb[13:4]], adb, DATA_WIDTH_B);
            end
            if (OCEB) out_b <= latch_b;
        end
    end
    always @(posedge CLKB) if (active_b && WEB) mem[adb[13:4]] <= written(mem[adb[13:4]], adb, dib, DATA_WIDTH_B);

    wire [17:0] doa = REGMODE_A == "OUTREG" ? out_a : latch_a;
    wire [17:0] dob = REGMODE_B == "OUTREG" ? out_b : latch_b;
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob;
endmodule
