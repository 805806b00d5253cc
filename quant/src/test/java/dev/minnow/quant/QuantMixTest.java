package dev.minnow.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantMixTest {
    static final QuantMix.Model LLAMA_32 = new QuantMix.Model("llama", 32, 32, 8, 0, true);
    static final long[] SQUARE = {4096, 4096};

    @Test
    void q4_kMGivesMoreBitsToTheFirstLastAndEveryThirdLayer() {
        List<Integer> bumped = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            DType t = QuantMix.typeFor(QuantMix.Preset.Q4_K_M, "blk." + i + ".ffn_down.weight", SQUARE, LLAMA_32, false);
            if (t == DType.Q6_K) {
                bumped.add(i);
            } else {
                assertEquals(DType.Q4_K, t);
            }
        }
        // use_more_bits: i < 4, i >= 28, (i - 4) % 3 == 2
        assertEquals(List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31), bumped);
        assertEquals(DType.Q6_K, QuantMix.typeFor(QuantMix.Preset.Q4_K_M, "output.weight", new long[] {32000, 4096}, LLAMA_32, false));
        assertEquals(DType.Q4_K, QuantMix.typeFor(QuantMix.Preset.Q4_K_M, "token_embd.weight", new long[] {32000, 4096}, LLAMA_32, false));
        assertEquals(DType.Q4_K, QuantMix.typeFor(QuantMix.Preset.Q4_K_M, "output.weight", new long[] {32000, 4096}, LLAMA_32, true));
    }

    @Test
    void gqaAndTiedEmbeddingsAndFallbacks() {
        QuantMix.Model gqa8 = new QuantMix.Model("llama", 32, 64, 8, 0, false);
        assertEquals(DType.Q4_K, QuantMix.typeFor(QuantMix.Preset.Q2_K, "blk.0.attn_v.weight", SQUARE, gqa8, false));
        assertEquals(DType.Q3_K, QuantMix.typeFor(QuantMix.Preset.Q2_K, "blk.0.attn_v.weight", SQUARE,
                new QuantMix.Model("llama", 32, 32, 32, 0, true), false)); // n_gqa 1
        // no output.weight: token_embd is treated as the output
        assertEquals(DType.Q6_K, QuantMix.typeFor(QuantMix.Preset.Q4_K_M, "token_embd.weight", SQUARE, gqa8, false));
        // rows not a multiple of 256: K types fall back like llama.cpp
        assertEquals(DType.Q5_0, QuantMix.typeFor(QuantMix.Preset.Q4_K_S, "blk.9.attn_q.weight", new long[] {64, 96}, LLAMA_32, false));
        assertEquals(DType.Q8_0, QuantMix.typeFor(QuantMix.Preset.Q6_K, "blk.9.attn_q.weight", new long[] {64, 96}, LLAMA_32, true));
        assertThrows(IllegalArgumentException.class,
                () -> QuantMix.typeFor(QuantMix.Preset.Q3_K_S, "blk.9.attn_q.weight", new long[] {64, 96}, LLAMA_32, true));
        // not quantized at all
        assertEquals(DType.F32, QuantMix.typeFor(QuantMix.Preset.Q4_0, "blk.0.attn_norm.weight", new long[] {4096}, LLAMA_32, false));
        assertFalse(QuantMix.quantizes("blk.0.ffn_norm.weight", SQUARE));
        assertTrue(QuantMix.quantizes("blk.0.ffn_up.weight", SQUARE));
        assertEquals(QuantMix.Preset.Q4_K_M, QuantMix.Preset.parse("q4_k_m"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantMix.Preset.parse("Q7"));
        assertTrue(e.getMessage().contains("unknown quantization type 'Q7'"));
    }
}
