package dev.minnow.models.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.models.llm.ArchitecturesTest;
import dev.minnow.models.llm.LanguageModel;
import dev.minnow.models.llm.LlamaSession;
import dev.minnow.models.llm.ModelSynth;
import dev.minnow.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sparse switch on every supported architecture (llama, qwen2, stablelm with and without parallel residual,
 * phi3 with its fused gate+up tensor split by rows), on the synthetic models of {@link ArchitecturesTest} (dim 64,
 * 2 layers, FFN 96): CoreInfer's whole decode against the naive reference forward pass with the same neurons zeroed,
 * and the threshold and gathered paths with every neuron kept against dense decoding, for F32 and Q8_0 weights.
 */
class SparseArchitecturesTest {
    static final int[] IDS = {5, 77, 290, 12, 260, 9, 31};
    static final int PREFILL = 4, FFN = 96, LAYERS = 2;

    @TempDir
    static Path dir;

    /** ArchitecturesTest's synthetic model of that variant and weight type. */
    static Path model(String variant, DType type) {
        Path p = dir.resolve(variant + "-" + type + ".gguf");
        if (!Files.exists(p)) {
            ModelSynth.write(p, ArchitecturesTest.spec(type), ArchitecturesTest.variant(variant), ModelSynth.byteLevelVocabulary(40));
        }
        return p;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static LanguageModel load(Path p) {
        return LanguageModel.load(p, LanguageModel.Options.defaults().contextSize(16).batchSize(PREFILL));
    }

    /** Logits of the decode steps after a dense prefill of the first PREFILL ids. */
    static float[][] decode(LlamaSession s) {
        s.forward(Arrays.copyOf(IDS, PREFILL));
        float[][] out = new float[IDS.length - PREFILL][];
        for (int t = PREFILL; t < IDS.length; t++) {
            out[t - PREFILL] = s.forward(IDS[t]);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-rope-freqs", "qwen2", "stablelm", "stablelm-parallel", "phi3"})
    void coreInferDecodeMatchesMaskedReference(String arch) {
        Path p = model(arch, DType.F32);
        try (LanguageModel lm = load(p)) {
            LlamaSession s = lm.session();
            s.sparsity(new Sparsity.CoreInfer(0.2, 0.5, 0, 0));
            float[][] got = decode(s);
            SparseFfn sf = s.sparseFfn();
            boolean[][] keep = new boolean[LAYERS][FFN];
            for (int l = 0; l < LAYERS; l++) {
                int[] kept = sf.kept(l);
                assertNotNull(kept, arch + " layer " + l);
                assertEquals(FFN / 2, kept.length, arch + " layer " + l);
                for (int i : kept) {
                    keep[l][i] = true;
                }
            }
            // the prefill runs dense; each decode step uses the prompt's core neurons
            float[][] ref = ArchitecturesTest.referenceAll(p, IDS, 16, (l, t) -> t < PREFILL ? null : keep[l]);
            float[][] dense = ArchitecturesTest.referenceAll(p, IDS, 16, null);
            for (int t = PREFILL; t < IDS.length; t++) {
                float err = maxAbsDiff(ref[t], got[t - PREFILL]);
                assertTrue(err <= 1e-4f, arch + " step " + t + ": max abs diff vs masked reference " + err);
                assertTrue(maxAbsDiff(dense[t], got[t - PREFILL]) > 1e-3f, arch + " step " + t + ": sparse decode equals dense");
            }
        }
    }

    /**
     * Every neuron through the sparse kernels (forced past the dense shortcut: gathered sets of all neurons, and a
     * threshold below every activation) equals dense decoding: the matrices are wired as gate, up and down for every
     * architecture (phi3: the row halves of the fused tensor). Q8_0 with the exact down (f32 columns, activations
     * rounded through Q8_0 as the dense down does) and the dense down for the threshold method.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-rope-freqs:F32", "qwen2:F32", "stablelm:F32", "stablelm-parallel:F32", "phi3:F32",
            "llama-rope-freqs:Q8_0", "qwen2:Q8_0", "stablelm:Q8_0", "stablelm-parallel:Q8_0", "phi3:Q8_0"})
    void everyNeuronThroughTheSparseKernelsEqualsDense(String archAndType) {
        String arch = archAndType.split(":")[0];
        DType type = DType.valueOf(archAndType.split(":")[1]);
        Path p = model(arch, type);
        String oldDown = System.getProperty("minnow.sparse.down"), oldThr = System.getProperty("minnow.sparse.thresholdDown");
        System.setProperty("minnow.sparse.down", "exact");
        System.setProperty("minnow.sparse.thresholdDown", type == DType.F32 ? "rows" : "dense");
        try (LanguageModel lm = load(p)) {
            LlamaSession s = lm.session();
            decode(s); // warm-up: the dense path sums in another order before JIT compilation
            s.reset();
            float[][] dense = decode(s);
            float tol = 1e-4f * Math.max(1, maxAbs(dense));
            s.reset();
            s.sparsity(new Sparsity.HotNeurons(0.5));
            for (int l = 0; l < LAYERS; l++) {
                s.sparseFfn().useNeurons(l, IntStream.range(0, FFN).toArray());
            }
            float[][] gathered = decode(s);
            s.reset();
            s.sparsity(new Sparsity.Threshold(0.5));
            for (int l = 0; l < LAYERS; l++) {
                s.sparseFfn().useThreshold(l, Float.MIN_VALUE);
            }
            float[][] threshold = decode(s);
            assertTrue(s.sparseFfn().keptFraction() > 0.99, archAndType + " threshold keeps " + s.sparseFfn().keptFraction());
            for (int t = 0; t < dense.length; t++) {
                float eg = maxAbsDiff(dense[t], gathered[t]), et = maxAbsDiff(dense[t], threshold[t]);
                assertTrue(eg <= tol, archAndType + " step " + t + ": every neuron gathered vs dense " + eg + " > " + tol);
                assertTrue(et <= tol, archAndType + " step " + t + ": threshold keeping every neuron vs dense " + et + " > " + tol);
            }
        } finally {
            restore("minnow.sparse.down", oldDown);
            restore("minnow.sparse.thresholdDown", oldThr);
        }
    }

    static float maxAbs(float[][] v) {
        float m = 0;
        for (float[] row : v) {
            for (float x : row) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }

    static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
