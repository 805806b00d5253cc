package dev.minnow.quant;

import dev.minnow.tensor.DType;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-tensor type choice of {@code llama-quantize}'s presets ({@code llama_tensor_get_type} in llama-quant.cpp),
 * for the non-IQ presets: which 2-D weights get quantized, the preset's default type, and the bumps it gives
 * {@code output.weight}, {@code attn_v}, {@code ffn_down}, {@code attn_output} and {@code attn_qkv} depending on
 * the layer ({@code use_more_bits}: the first and last eighth of the layers and every third in between).
 *
 * <pre>{@code
 * QuantMix.Model m = new QuantMix.Model("llama", 4, 4, 2, 0, true);
 * DType t = QuantMix.typeFor(QuantMix.Preset.Q4_K_M, "blk.3.ffn_down.weight", new long[] {256, 512}, m); // Q6_K
 * }</pre>
 *
 * <p>Layer counters: llama.cpp counts attn_v / ffn_down tensors in processing order, which is layer order; here the
 * layer is read from the {@code blk.N.} prefix, which gives the same answer. Not modelled: the 70B-only attn_v
 * bump (llama.cpp decides it from the parameter count) and the importance-matrix-dependent rules.
 */
public final class QuantMix {
    private QuantMix() {}

    /** llama-quantize presets ({@code llama_ftype}) with their default tensor type and GGUF {@code general.file_type}. */
    public enum Preset {
        F32(DType.F32, 0), F16(DType.F16, 1), BF16(DType.BF16, 32),
        Q4_0(DType.Q4_0, 2), Q4_1(DType.Q4_1, 3), Q5_0(DType.Q5_0, 8), Q5_1(DType.Q5_1, 9), Q8_0(DType.Q8_0, 7),
        Q2_K(DType.Q2_K, 10), Q2_K_S(DType.Q2_K, 21),
        Q3_K_S(DType.Q3_K, 11), Q3_K_M(DType.Q3_K, 12), Q3_K_L(DType.Q3_K, 13),
        Q4_K_S(DType.Q4_K, 14), Q4_K_M(DType.Q4_K, 15), Q5_K_S(DType.Q5_K, 16), Q5_K_M(DType.Q5_K, 17),
        Q6_K(DType.Q6_K, 18);

        private final DType defaultType;
        private final int fileType;

        Preset(DType defaultType, int fileType) {
            this.defaultType = defaultType;
            this.fileType = fileType;
        }

        public DType defaultType() { return defaultType; }

        /** The value llama-quantize writes to {@code general.file_type}. */
        public int fileType() { return fileType; }

        /** Parses a preset name as llama-quantize spells it (case-insensitive). */
        public static Preset parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown quantization type '" + name + "'; expected one of "
                        + java.util.Arrays.toString(values()));
            }
        }
    }

    /**
     * What the rules need to know about the model: GGUF architecture, layer count, attention heads and KV heads
     * (their ratio is n_gqa), experts (0 or 1 for dense models) and whether a separate output.weight exists.
     */
    public record Model(String arch, int layers, int heads, int kvHeads, int experts, boolean hasOutput) {
        int gqa() { return kvHeads <= 0 ? 1 : heads / kvHeads; }

        boolean falcon() { return arch.equals("falcon"); }
    }

    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

    /** Whether llama-quantize quantizes this tensor at all (2-D+ weights except norms, gates of MoE routers, ...). */
    public static boolean quantizes(String name, long[] shape) {
        return name.endsWith("weight") && shape.length >= 2 && !name.contains("_norm.weight")
                && !name.contains("ffn_gate_inp.weight") && !name.equals("position_embd.weight")
                && !name.equals("token_types.weight") && !name.contains("ssm_conv1d.weight");
    }

    /**
     * The type {@code llama-quantize [--pure]} gives tensor {@code name} (GGUF dims order irrelevant: only the
     * row length, the last entry of the row-major {@code shape}, matters).
     */
    public static DType typeFor(Preset preset, String name, long[] shape, Model model, boolean pure) {
        if (!quantizes(name, shape)) {
            return DType.F32;
        }
        DType t = preset.defaultType();
        if (!pure && t.isQuantized()) {
            t = mixed(preset, t, name, shape[shape.length - 1], model);
        }
        long rowLength = shape[shape.length - 1];
        if (rowLength % t.blockSize() != 0) {
            t = switch (t) {
                case Q4_K -> DType.Q5_0;
                case Q5_K -> DType.Q5_1;
                case Q6_K -> DType.Q8_0;
                default -> throw new IllegalArgumentException("tensor " + name + ": rows of " + rowLength
                        + " are not a multiple of the " + t + " block size " + t.blockSize()
                        + " (llama.cpp falls back to IQ4_NL, which Minnow does not implement)");
            };
        }
        return t;
    }

    private static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    private static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        if (!m.find()) {
            throw new IllegalArgumentException("cannot tell the layer of tensor " + name + " (expected a blk.N. prefix)");
        }
        return Integer.parseInt(m.group(1));
    }

    private static DType mixed(Preset f, DType t, String name, long nx, Model m) {
        if (name.equals("output.weight") || !m.hasOutput() && name.equals("token_embd.weight")) {
            if (m.falcon() || nx % t.blockSize() != 0) {
                return DType.Q8_0;
            }
            return t != DType.Q8_0 ? DType.Q6_K : t;
        }
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) {
            return t;
        }
        if (name.contains("attn_v.weight")) {
            int i = layerOf(name);
            int n = m.layers();
            if (f == Preset.Q2_K) {
                t = m.gqa() >= 4 ? DType.Q4_K : DType.Q3_K;
            } else if (f == Preset.Q2_K_S && m.gqa() >= 4) {
                t = DType.Q4_K;
            } else if (f == Preset.Q3_K_M) {
                t = i < 2 ? DType.Q5_K : DType.Q4_K;
            } else if (f == Preset.Q3_K_L) {
                t = DType.Q5_K;
            } else if ((f == Preset.Q4_K_M || f == Preset.Q5_K_M) && useMoreBits(i, n)) {
                t = DType.Q6_K;
            } else if (f == Preset.Q4_K_S && i < 4) {
                t = DType.Q5_K;
            }
            if (m.experts() == 8) {
                t = DType.Q8_0;
            }
            return t;
        }
        if (name.contains("attn_k.weight")) {
            return m.experts() == 8 ? DType.Q8_0 : t;
        }
        if (name.contains("attn_q.weight")) {
            return t;
        }
        if (name.contains("ffn_down")) {
            int i = layerOf(name);
            int n = m.layers();
            if (f == Preset.Q2_K) {
                t = DType.Q3_K;
            } else if (f == Preset.Q2_K_S) {
                if (i < n / 8) {
                    t = DType.Q4_K;
                }
            } else if (f == Preset.Q3_K_M) {
                t = i < n / 16 ? DType.Q5_K : !m.falcon() || useMoreBits(i, n) ? DType.Q4_K : DType.Q3_K;
            } else if (f == Preset.Q3_K_L) {
                t = m.falcon() ? DType.Q4_K : DType.Q5_K;
            } else if (f == Preset.Q4_K_M) {
                if (m.falcon()) {
                    t = i < n / 16 ? DType.Q6_K : useMoreBits(i, n) ? DType.Q5_K : DType.Q4_K;
                } else if (useMoreBits(i, n)) {
                    t = DType.Q6_K;
                }
            } else if (f == Preset.Q5_K_M && useMoreBits(i, n)) {
                t = DType.Q6_K;
            } else if (f == Preset.Q4_K_S && !m.falcon() && i < n / 8) {
                t = DType.Q5_K;
            }
            return t;
        }
        if (name.contains("attn_output.weight")) {
            if (!m.falcon()) {
                if (m.experts() == 8) {
                    if (f == Preset.Q2_K || f == Preset.Q3_K_S || f == Preset.Q3_K_M || f == Preset.Q4_K_S
                            || f == Preset.Q4_K_M) {
                        t = DType.Q5_K;
                    }
                } else if (f == Preset.Q2_K) {
                    t = DType.Q3_K;
                } else if (f == Preset.Q3_K_M) {
                    t = DType.Q4_K;
                } else if (f == Preset.Q3_K_L) {
                    t = DType.Q5_K;
                }
            } else if (f == Preset.Q3_K_L) {
                t = DType.Q4_K;
            }
            return t;
        }
        if (name.contains("attn_qkv.weight")) {
            if (f == Preset.Q3_K_M || f == Preset.Q3_K_L) {
                t = DType.Q4_K;
            } else if (f == Preset.Q4_K_M) {
                t = DType.Q5_K;
            } else if (f == Preset.Q5_K_M) {
                t = DType.Q6_K;
            }
            return t;
        }
        return t;
    }
}
