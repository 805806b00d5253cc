package dev.minnow.models.sparse;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.Q4Panels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.SparseKernels;
import dev.minnow.models.llm.WeightMatrix;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The sparse FFN state of one decoding session: it watches the dense multi-token runs (prefill, calibration) and
 * computes the SwiGLU FFN of single-token decode steps from a neuron subset.
 *
 * <p>The session calls {@link #beginRun} before every forward call, {@link #record} after each dense FFN of a
 * multi-token batch (the FFN input and SiLU(gate)·up), and {@link #decode} instead of the dense FFN of a
 * single-token step (it returns false when the layer stays dense).
 *
 * <ul>
 *   <li>{@link Sparsity.CoreInfer}: every prefill (a run of more than one token) replaces the recorded prompt
 *       activations; the first decode step after it selects {@link CoreNeurons#sentenceCore} per sparsified layer and
 *       gathers the weights once ({@link Gathered}).</li>
 *   <li>{@link Sparsity.HotNeurons}: {@link #calibrate} counts, per layer, how often each neuron is token-core
 *       (alpha 0.2) over the calibration text and gathers the {@code keep·N} most frequent once.</li>
 *   <li>{@link Sparsity.Threshold}: {@link #calibrate} sets per layer the {@code target}-quantile of |SiLU(gate)|;
 *       decode computes the gate densely and the up rows and down columns of the survivors only
 *       ({@link ThresholdLayer}).</li>
 * </ul>
 *
 * <p>Every neuron kept ({@link #keepsEverything}, or a selection that happens to be full): nothing is recorded,
 * selected or copied and the layer takes the dense path, so the result is the dense one exactly.
 *
 * <p>Gathered weights (kernels: {@link SparseKernels}): the kept gate rows and then the kept up rows are packed into
 * one buffer in their own type (whole blocks) and computed as one row-sparse GEMV (one activation quantization, one
 * parallel loop, the dense dot kernels) — or, for Q8_0/Q4_0/Q4_K/Q6_K where the dense decode uses 16-row panels
 * ({@link #panels}), repacked into panels and computed by the dense decode's panel GEMV. ffn_down has its blocks along
 * the FFN dimension, so its columns are gathered as: F32 → F32 and F16 → F16 (bit-exact copies); block-quantized → by
 * default <b>requantized to Q8_0</b> (K padded to a multiple of 32 with zero columns: 34 bytes per 32 weights — the
 * bandwidth of Q8_0, 1.9× that of Q4_0 — and one extra rounding of the weights, ≤ 1/254 of each block's largest
 * magnitude), or with system property {@code minnow.sparse.down=exact} <b>dequantized to F32</b> (4 bytes per weight:
 * exact weights, and the activations are rounded through the same Q8_0/Q8_K format the dense matrix uses, so the
 * result equals the dense one up to float reassociation — but it streams ~3.8× the bytes of a Q8_0 down matrix), or
 * with {@code minnow.sparse.down=q4_0} (opt-in, for A/B runs) <b>requantized to Q4_0</b>: 18 bytes per 32 weights and a
 * panel type (the dense decode's panel GEMV where panels are on), but a coarse extra rounding (≤ 1/16 of each new
 * block's largest magnitude, about the size of the file's own 4-bit rounding). The threshold method sums its
 * survivors' down columns as rows of a transposed copy of W_down in the same types ({@link TransposedDown}).
 */
public final class SparseFfn implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * Threshold method: the transposed Q8_0 down is laid out in panels from this kept fraction on. Measured (TinyLlama
     * shape, 1 thread CPU time, busy machine): panels 4–5 GB/s at 50–70% of the rows but about the time of reading
     * the whole matrix at 20–30% (the selected 68-byte pieces are too sparse for the prefetcher, it fetches them
     * all); row layout ~2.5–4 GB/s at 20–30% and 1.3–2.5 GB/s at 50–70%.
     */
    static final double PANEL_MIN_KEEP = 0.4;
    /** Token-wise alpha used to count "hot" neurons on calibration text. */
    static final double HOT_ALPHA = 0.2;

    private final Sparsity sparsity;
    private final Kernels kernels;
    private final SparseKernels sk = KernelProvider.sparse();
    private final QuantKernels qk = KernelProvider.quant();
    private final int dim;
    private final int ffn;
    private final WeightMatrix[] gate, up, down;
    private final boolean exactDown;
    private final Gathered[] gathered;
    private final ThresholdLayer[] thresholds;
    private final TransposedDown[] transposed; // threshold: W_down transposed, per layer, built once
    // CoreInfer: the prompt activations of the current prefill, per layer; HotNeurons: counts; Threshold: |gate| samples
    private final float[][] prompt;
    private final int[] promptTokens;
    private final int[][] hotCounts;
    private final float[][] gateSamples;
    private final int[] gateSampleCount;
    private boolean calibrating;
    private boolean pendingSelection;
    /**
     * Whether gathered Q4_0/Q4_K/Q6_K gate+up rows are repacked into 16-row panels ({@link Gathered}): the dense
     * decode's rule ({@link WeightMatrix.QuantMatrix#panelsByDefault}: property {@code minnow.decode.panels}, else
     * 512-bit quantized kernels). Tests switch it before {@link #useNeurons}.
     */
    boolean panels = WeightMatrix.QuantMatrix.panelsByDefault(qk);
    /** The type a block-quantized down is requantized to when gathered (not exact): Q8_0, or Q4_0 (opt-in). */
    DType requantDown = "q4_0".equalsIgnoreCase(System.getProperty("minnow.sparse.down")) ? DType.Q4_0 : DType.Q8_0;

    public SparseFfn(Sparsity sparsity, Kernels kernels, int dim, int ffn, WeightMatrix[] gate, WeightMatrix[] up,
                     WeightMatrix[] down) {
        this(sparsity, kernels, dim, ffn, gate, up, down, "exact".equals(System.getProperty("minnow.sparse.down")));
    }

    public SparseFfn(Sparsity sparsity, Kernels kernels, int dim, int ffn, WeightMatrix[] gate, WeightMatrix[] up,
                     WeightMatrix[] down, boolean exactDown) {
        this.sparsity = sparsity;
        this.kernels = kernels;
        this.dim = dim;
        this.ffn = ffn;
        this.gate = gate.clone();
        this.up = up.clone();
        this.down = down.clone();
        this.exactDown = exactDown;
        int layers = gate.length;
        gathered = new Gathered[layers];
        thresholds = new ThresholdLayer[layers];
        transposed = new TransposedDown[layers];
        prompt = new float[layers][];
        promptTokens = new int[layers];
        hotCounts = new int[layers][];
        gateSamples = new float[layers][];
        gateSampleCount = new int[layers];
    }

    public Sparsity sparsity() { return sparsity; }

    public int layers() { return gate.length; }

    /** Whether layer {@code l} is sparsified at all by this policy. */
    public boolean sparsifies(int l) {
        return switch (sparsity) {
            case Sparsity.Dense d -> false;
            case Sparsity.CoreInfer c -> c.sparsifies(l, gate.length);
            case Sparsity.Threshold t -> true;
            case Sparsity.HotNeurons h -> true;
        };
    }

    /**
     * Whether the policy keeps every neuron whatever the activations (CoreInfer/hot with floor(keep·N) = N, threshold
     * 0): then nothing is recorded or selected, and decode steps take the dense path, which is exactly the dense result.
     */
    public boolean keepsEverything() {
        return switch (sparsity) {
            case Sparsity.Dense d -> true;
            case Sparsity.CoreInfer c -> (int) Math.floor(c.beta() * ffn) >= ffn;
            case Sparsity.Threshold t -> t.target() <= 0;
            case Sparsity.HotNeurons h -> (int) Math.floor(h.keep() * ffn) >= ffn;
        };
    }

    /** Needs {@link #calibrate} before decoding sparsely (static policies). */
    public boolean needsCalibration() {
        return sparsity instanceof Sparsity.HotNeurons || sparsity instanceof Sparsity.Threshold;
    }

    /** Starts (true) or ends (false) a calibration pass: the dense runs in between feed the static statistics. */
    public void calibrate(boolean start) {
        if (start) {
            calibrating = true;
            Arrays.fill(gateSampleCount, 0);
            Arrays.fill(hotCounts, null);
            Arrays.fill(gateSamples, null);
            return;
        }
        calibrating = false;
        for (int l = 0; l < gate.length; l++) {
            if (!sparsifies(l)) {
                continue;
            }
            switch (sparsity) {
                case Sparsity.HotNeurons h -> {
                    int[] counts = hotCounts[l] == null ? new int[ffn] : hotCounts[l];
                    replace(l, CoreNeurons.mostFrequent(counts, Math.min(ffn, (int) Math.floor(h.keep() * ffn))));
                }
                case Sparsity.Threshold t -> {
                    float thr = 0f;
                    int n = gateSampleCount[l];
                    if (n > 0 && t.target() > 0) {
                        float[] s = Arrays.copyOf(gateSamples[l], n);
                        Arrays.sort(s);
                        thr = s[Math.min(n - 1, (int) Math.floor(t.target() * n))];
                    }
                    thresholds[l] = new ThresholdLayer(l, thr);
                }
                default -> { }
            }
        }
    }

    /** Called before each forward call of {@code tokens} tokens. */
    public void beginRun(int tokens) {
        if (tokens > 1 && !calibrating && sparsity instanceof Sparsity.CoreInfer) {
            Arrays.fill(prompt, null);
            Arrays.fill(promptTokens, 0);
            pendingSelection = true;
        }
    }

    /** Whether {@link #record} wants layer {@code l}'s multi-token activations. */
    public boolean records(int l) {
        if (!sparsifies(l) || keepsEverything()) {
            return false;
        }
        return calibrating ? needsCalibration() : sparsity instanceof Sparsity.CoreInfer;
    }

    /**
     * After the dense FFN of a multi-token batch: {@code x} the FFN input [n × dim], {@code acts} SiLU(gate)·up
     * [n × ffn] (offsets 0).
     */
    public void record(int l, int n, MemorySegment x, MemorySegment acts) {
        if (!records(l)) {
            return;
        }
        float[] a = new float[n * ffn];
        MemorySegment.copy(acts, F32, 0, a, 0, a.length);
        if (!calibrating) {
            float[] old = prompt[l] == null ? new float[0] : prompt[l];
            float[] all = Arrays.copyOf(old, old.length + a.length);
            System.arraycopy(a, 0, all, old.length, a.length);
            prompt[l] = all;
            promptTokens[l] += n;
            return;
        }
        switch (sparsity) {
            case Sparsity.HotNeurons h -> {
                if (hotCounts[l] == null) {
                    hotCounts[l] = new int[ffn];
                }
                int k = CoreNeurons.tokenLimit(a, n, ffn, HOT_ALPHA);
                long[] scratch = new long[ffn];
                for (int t = 0; t < n; t++) {
                    for (int i : CoreNeurons.tokenCore(a, t, ffn, k, scratch)) {
                        hotCounts[l][i]++;
                    }
                }
            }
            case Sparsity.Threshold t -> {
                float[] g = gateActivations(l, n, x);
                float[] s = gateSamples[l] == null ? new float[g.length] : gateSamples[l];
                if (s.length < gateSampleCount[l] + g.length) {
                    s = Arrays.copyOf(s, Math.max(2 * s.length, gateSampleCount[l] + g.length));
                }
                for (float v : g) {
                    s[gateSampleCount[l]++] = Math.abs(v);
                }
                gateSamples[l] = s;
            }
            default -> { }
        }
    }

    /** SiLU(x·W_gateᵀ) for n rows. */
    private float[] gateActivations(int l, int n, MemorySegment x) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = arena.allocate((long) n * ffn * 4, 64);
            for (int t = 0; t < n; t++) {
                gate[l].gemv(x, (long) t * dim, g, (long) t * ffn);
            }
            kernels.activate(Activation.SILU, n * ffn, g, 0);
            float[] out = new float[n * ffn];
            MemorySegment.copy(g, F32, 0, out, 0, out.length);
            return out;
        }
    }

    /**
     * The FFN of one decode token: out[0..dim) = FFN_l(x[0..dim)) restricted to the kept neurons. Returns false (and
     * writes nothing) when the layer stays dense.
     */
    public boolean decode(int l, MemorySegment x, MemorySegment out) {
        if (calibrating || !sparsifies(l)) {
            return false;
        }
        if (pendingSelection) {
            select();
        }
        if (sparsity instanceof Sparsity.Threshold) {
            ThresholdLayer t = thresholds[l];
            if (t == null || t.threshold <= 0) { // threshold 0 keeps every neuron: the dense path is exact
                return false;
            }
            t.forward(x, out);
            return true;
        }
        Gathered g = gathered[l];
        if (g == null || g.full) { // every neuron kept: the dense path (no copies, exact)
            return false;
        }
        g.forward(x, out);
        return true;
    }

    /**
     * Does a pending CoreInfer selection now (selection and gathering otherwise happen at the first decode step
     * after a prefill); returns its time in nanoseconds (0 when nothing was pending).
     */
    public long prepare() {
        if (!pendingSelection) {
            return 0;
        }
        long t0 = System.nanoTime();
        select();
        return System.nanoTime() - t0;
    }

    /** CoreInfer: select the sentence-wise core neurons of the recorded prompt and gather them, per layer. */
    private void select() {
        pendingSelection = false;
        Sparsity.CoreInfer c = (Sparsity.CoreInfer) sparsity;
        boolean all = keepsEverything();
        for (int l = 0; l < gate.length; l++) {
            if (all && sparsifies(l)) {
                replace(l, allNeurons());
                continue;
            }
            if (prompt[l] == null) {
                if (gathered[l] != null) {
                    gathered[l].close();
                    gathered[l] = null;
                }
                continue;
            }
            replace(l, CoreNeurons.sentenceCore(prompt[l], promptTokens[l], ffn, c.alpha(), c.beta()));
        }
    }

    /** Test hook: use a fixed neuron set on layer l, gathered even when it is every neuron. */
    void useNeurons(int l, int[] neurons) {
        if (gathered[l] != null) {
            gathered[l].close();
        }
        gathered[l] = new Gathered(l, neurons, true);
    }

    private int[] allNeurons() {
        int[] all = new int[ffn];
        for (int i = 0; i < ffn; i++) {
            all[i] = i;
        }
        return all;
    }

    /** Whether layer l's gathered gate+up rows decode through 16-row panels (tests). */
    boolean gatheredPanels(int l) {
        return gathered[l] != null && gathered[l].panelled();
    }

    /** Test hook: use a fixed |SiLU(gate)| threshold on layer l. */
    void useThreshold(int l, float threshold) {
        thresholds[l] = new ThresholdLayer(l, threshold);
    }

    private void replace(int l, int[] neurons) {
        if (gathered[l] != null) {
            gathered[l].close();
        }
        gathered[l] = new Gathered(l, neurons, false);
    }

    /** The activations recorded for layer l at the last prefill ([tokens × ffn]; null if none), for tests. */
    float[] promptActivations(int l) {
        return prompt[l] == null ? null : prompt[l].clone();
    }

    /** The neurons layer l currently keeps (null when dense or not yet selected). */
    public int[] kept(int l) {
        if (pendingSelection) {
            select();
        }
        return gathered[l] == null ? null : gathered[l].neurons.clone();
    }

    /** Kept fraction of the sparsified layers' FFN neurons (mean over layers), for reports; 1 when dense. */
    public double keptFraction() {
        double sum = 0;
        int n = 0;
        for (int l = 0; l < gate.length; l++) {
            if (gathered[l] != null) {
                sum += gathered[l].neurons.length / (double) ffn;
                n++;
            } else if (thresholds[l] != null && thresholds[l].steps > 0) {
                sum += thresholds[l].kept / (double) thresholds[l].steps / ffn;
                n++;
            }
        }
        return n == 0 ? 1.0 : sum / n;
    }

    @Override
    public void close() {
        for (int l = 0; l < gathered.length; l++) {
            if (gathered[l] != null) {
                gathered[l].close();
                gathered[l] = null;
            }
            if (transposed[l] != null) {
                transposed[l].arena.close();
                transposed[l] = null;
            }
        }
    }

    /** The dot-product activation format ggml pairs with a weight type (null: activations stay f32). */
    static DType activationFormat(DType w) {
        return switch (w) {
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            case Q4_0, Q5_0, Q8_0 -> DType.Q8_0;
            case Q4_1, Q5_1 -> DType.Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> DType.Q8_K;
            default -> null;
        };
    }

    /** Whether {@link QuantKernels#dequantize} takes rows of type t (the block formats with an integer dot). */
    static boolean hasQuantKernels(DType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Layer l's FFN restricted to a neuron subset, pre-packed once per selection so a decode step streams contiguous
     * memory: the K kept gate rows followed by the K kept up rows in one buffer, in their own type (whole blocks),
     * run as one row-sparse GEMV ({@link SparseKernels#gemvRows}: one activation quantization, one parallel loop for
     * gate and up), then SiLU(gate)·up; and the kept down columns as a [dim × K] matrix (see the class comment for
     * its type). A set holding every neuron is {@link #full}: nothing is copied and decode takes the dense path.
     *
     * <p>Panels ({@link SparseFfn#panels}, Q4_0/Q4_K/Q6_K gate and up of one type): each half is padded to
     * K<sub>p</sub> = K rounded up to 16 rows with zero rows (all-zero blocks: scale 0, value 0), so the 2K<sub>p</sub>
     * rows are whole panels — gate panels, then up panels, none straddling the two and no tail rows — and are repacked
     * once per selection ({@link Q4Panels#pack}); decode is one {@link Q4Panels#gemv} (one activation quantization,
     * the panels split over the threads), as the dense decode on the same machine. The GGML copy is freed after the
     * packing, so a selection holds 2K<sub>p</sub> rows in panel layout: Q4_0 18 bytes per 32 weights as the file,
     * Q4_K 152 per 256 (file 144), Q6_K 212 per 256 (file 210); both copies exist only while packing. A matrix that
     * cannot be packed (a non-finite Q4_0 scale) keeps the padded GGML copy and the row dots.
     */
    final class Gathered implements AutoCloseable {
        final int[] neurons;
        final boolean full;
        private final Arena arena = Arena.ofShared();
        private int k;               // kept neurons
        private int kDown;           // columns of the gathered down matrix (k, or k padded to 32 when requantized)
        private DType gateUpType;    // type of gateUp (null: g and u are used instead)
        private int upRow;           // first up row of gateUp / gu: K, or K padded to 16 with panels
        private Arena rowsArena;     // holds gateUp (GGML layout); closed once it is packed into panels
        private MemorySegment gateUp; // [2·upRow × dim]: gate rows, then up rows (null once packed into panels)
        private MemorySegment gateUpPanels; // the same rows in 16-row panels (null: row dots on gateUp)
        private WeightMatrix g, u;   // types gemvRows does not take (BF16, ...): gathered matrices
        private WeightMatrix d;      // down [dim × kDown], F32, Q8_0 or Q4_0 (null when F16)
        private MemorySegment downF16; // down [dim × K] f16
        private DType roundThrough;  // exact quantized down: activations rounded through this format
        private MemorySegment hidden, gu;

        Gathered(int l, int[] neurons, boolean force) {
            this.neurons = neurons.clone();
            this.full = !force && neurons.length == ffn;
            if (full) {
                return;
            }
            k = neurons.length;
            upRow = k;
            DType gt = gate[l].type();
            if (gt == up[l].type() && SparseKernels.supportsRows(gt, dim)) {
                long rowBytes = gt.byteSize(dim);
                gateUpType = gt;
                boolean panelled = panels && k > 0 && Q4Panels.supports(gt);
                if (panelled) {
                    upRow = (k + Q4Panels.ROWS - 1) / Q4Panels.ROWS * Q4Panels.ROWS; // zero rows pad each half
                }
                rowsArena = Arena.ofShared(); // shared: the packing reads it from the pool's threads
                gateUp = rowsArena.allocate(Math.max(1, 2L * upRow) * rowBytes, 64); // zero-filled
                MemorySegment gs = gate[l].data(), us = up[l].data();
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(gs, neurons[j] * rowBytes, gateUp, j * rowBytes, rowBytes);
                    MemorySegment.copy(us, neurons[j] * rowBytes, gateUp, (upRow + j) * rowBytes, rowBytes);
                }
                if (panelled) {
                    try {
                        gateUpPanels = Q4Panels.pack(gt, 2 * upRow, dim, gateUp, 0, arena);
                        rowsArena.close();
                        rowsArena = null;
                        gateUp = null;
                    } catch (IllegalArgumentException e) { // a non-finite Q4_0 scale: the row dots reproduce it
                        gateUpPanels = null;
                    }
                }
            } else {
                g = gatherRows("blk." + l + ".ffn_gate(sparse)", gate[l], neurons);
                u = gatherRows("blk." + l + ".ffn_up(sparse)", up[l], neurons);
            }
            WeightMatrix dn = down[l];
            DType dt = dn.type();
            boolean requant = dt != DType.F32 && dt != DType.F16 && !exactDown;
            kDown = requant ? Math.max(32, (k + 31) / 32 * 32) : Math.max(k, 1);
            roundThrough = (dt != DType.F32 && dt != DType.F16 && exactDown) ? activationFormat(dt) : null;
            hidden = arena.allocate((long) Math.max(kDown, 1) * 4, 64);
            gu = arena.allocate(Math.max(2L * upRow, 1) * 4, 64);
            gatherColumns("blk." + l + ".ffn_down(sparse)", dn, neurons, requant);
        }

        private WeightMatrix gatherRows(String name, WeightMatrix w, int[] idx) {
            long rowBytes = w.type().byteSize(w.cols());
            MemorySegment src = w.data();
            MemorySegment dst = arena.allocate(Math.max(1, idx.length) * rowBytes, 64);
            for (int j = 0; j < idx.length; j++) {
                MemorySegment.copy(src, idx[j] * rowBytes, dst, j * rowBytes, rowBytes);
            }
            return WeightMatrix.of(name, Tensor.wrap(dst, w.type(), Math.max(1, idx.length), w.cols()), kernels);
        }

        private void gatherColumns(String name, WeightMatrix w, int[] idx, boolean requant) {
            int rows = w.rows(), cols = w.cols();
            DType t = w.type();
            if (t == DType.F16) {
                MemorySegment src = w.data();
                MemorySegment dst = arena.allocate((long) rows * kDown * 2, 64);
                for (int r = 0; r < rows; r++) {
                    long s = (long) r * cols, o = (long) r * kDown;
                    for (int j = 0; j < idx.length; j++) {
                        dst.setAtIndex(I16, o + j, src.getAtIndex(I16, s + idx[j]));
                    }
                }
                downF16 = dst;
                return;
            }
            DType outType = requant ? requantDown : DType.F32;
            long outRowBytes = outType.byteSize(kDown);
            MemorySegment dst = arena.allocate(rows * outRowBytes, 64);
            MemorySegment src = w.data();
            long srcRowBytes = t.byteSize(cols);
            boolean kernelFormat = hasQuantKernels(t);
            // per row: dequantize the whole row with the (vector) kernel, bit-identical to dequantize_row_*, pick
            // the kept elements, requantize them to Q8_0 with the activation quantizer (quantize_row_q8_0_ref)
            Parallel.forRange(rows, 16, (r0, r1) -> {
                float[] fullRow = new float[cols];
                float[] picked = new float[kDown];
                try (Arena local = Arena.ofConfined()) {
                    MemorySegment rowSeg = local.allocate(4L * cols, 64), pickedSeg = local.allocate(4L * kDown, 64);
                    for (int r = r0; r < r1; r++) {
                        if (kernelFormat) {
                            qk.dequantize(t, cols, src, r * srcRowBytes, rowSeg, 0);
                            MemorySegment.copy(rowSeg, F32, 0, fullRow, 0, cols);
                        } else if (t == DType.F32) {
                            MemorySegment.copy(src, F32, r * srcRowBytes, fullRow, 0, cols);
                        } else {
                            GgmlQuant.dequantizeRow(t, src, r * srcRowBytes, fullRow, 0, cols);
                        }
                        for (int j = 0; j < idx.length; j++) {
                            picked[j] = fullRow[idx[j]];
                        }
                        if (requant && outType == DType.Q4_0) {
                            GgmlQuant.quantizeRow(DType.Q4_0, picked, 0, dst, r * outRowBytes, kDown);
                        } else if (requant) {
                            MemorySegment.copy(picked, 0, pickedSeg, F32, 0, kDown);
                            qk.quantizeQ8_0(kDown, pickedSeg, 0, dst, r * outRowBytes);
                        } else {
                            MemorySegment.copy(picked, 0, dst, F32, r * outRowBytes, kDown);
                        }
                    }
                }
            });
            d = WeightMatrix.of(name, Tensor.wrap(dst, outType, rows, kDown), kernels);
            if (Q4Panels.supports(outType)) { // a Q4_0 down packs its panels on its first GEMV: now, not in a decode step
                d.gemv(hidden, 0, arena.allocate(4L * rows, 64), 0); // hidden is still zero
            }
        }

        void forward(MemorySegment x, MemorySegment out) {
            if (k == 0) {
                out.asSlice(0, dim * 4L).fill((byte) 0);
                return;
            }
            if (gateUpPanels != null) { // 2·upRow rows, a multiple of 16: no tail rows, so no GGML copy is read
                Q4Panels.gemv(qk, gateUpType, 2 * upRow, dim, gateUpPanels, MemorySegment.NULL, 0,
                        x, 0, gu, 0);
            } else if (gateUp != null) {
                sk.gemvRows(gateUpType, 2 * upRow, null, dim, gateUp, 0, x, 0, gu, 0);
            } else {
                g.gemv(x, 0, gu, 0);
                u.gemv(x, 0, gu, k);
            }
            kernels.activate(Activation.SILU, k, gu, 0);
            kernels.mul(k, gu, 0, gu, upRow, hidden, 0);
            if (roundThrough != null && k % roundThrough.blockSize() == 0) {
                float[] h = new float[k];
                MemorySegment.copy(hidden, F32, 0, h, 0, k);
                MemorySegment q = MemorySegment.ofArray(new byte[(int) GgmlQuant.rowBytes(roundThrough, k)]);
                GgmlQuant.quantizeRow(roundThrough, h, 0, q, 0, k);
                GgmlQuant.dequantizeRow(roundThrough, q, 0, h, 0, k);
                MemorySegment.copy(h, 0, hidden, F32, 0, k);
            }
            if (downF16 != null) {
                sk.gemvRows(DType.F16, dim, null, k, downF16, 0, hidden, 0, out, 0);
            } else {
                d.gemv(hidden, 0, out, 0); // padding columns of a requantized down are zero weights; hidden's tail stays 0
            }
        }

        /** Whether the gate+up rows decode through 16-row panels (tests). */
        boolean panelled() {
            return gateUpPanels != null;
        }

        @Override
        public void close() {
            if (rowsArena != null) {
                rowsArena.close();
                rowsArena = null;
            }
            arena.close();
        }
    }

    private TransposedDown transposedDown(int l) {
        if (transposed[l] == null) {
            transposed[l] = new TransposedDown(down[l]);
        }
        return transposed[l];
    }

    /**
     * W_down transposed, [ffn × dim]: row i is neuron i's down column, so a token's surviving neurons are summed as
     * rows ({@link SparseKernels#axpyRows}). F32 and F16 models keep their values exactly; block-quantized models get
     * Q8_0 rows (one extra rounding, as the gathered down) unless {@code minnow.sparse.down=exact} (then f32).
     */
    final class TransposedDown {
        final Arena arena = Arena.ofShared();
        final DType type;
        final MemorySegment rows;
        /** Q8_0 rows in panel layout ({@link SparseKernels#axpyPanelsQ8_0}) rather than row layout. */
        final boolean panels;

        TransposedDown(WeightMatrix w) {
            DType dt = w.type();
            type = dt == DType.F16 ? DType.F16 : dt != DType.F32 && !exactDown && dim % 32 == 0 ? DType.Q8_0 : DType.F32;
            String layout = System.getProperty("minnow.sparse.panels", "auto");
            double keep = sparsity instanceof Sparsity.Threshold t ? 1 - t.target() : 1;
            panels = type == DType.Q8_0 && ("on".equals(layout) || "auto".equals(layout) && keep >= PANEL_MIN_KEEP);
            long rowBytes = type.byteSize(dim);
            rows = arena.allocate(Math.max(1, (long) ffn * rowBytes), 64);
            if (type == DType.F16) {
                MemorySegment src = w.data();
                for (int r = 0; r < dim; r++) {
                    for (int i = 0; i < ffn; i++) {
                        rows.setAtIndex(I16, (long) i * dim + r, src.getAtIndex(I16, (long) r * ffn + i));
                    }
                }
                return;
            }
            float[] t = new float[Math.multiplyExact(ffn, dim)];
            float[] row = new float[ffn];
            for (int r = 0; r < dim; r++) {
                w.row(r, row);
                for (int i = 0; i < ffn; i++) {
                    t[i * dim + r] = row[i];
                }
            }
            if (type == DType.F32) {
                MemorySegment.copy(t, 0, rows, F32, 0, t.length);
            } else if (!panels) {
                Parallel.forRange(ffn, 64, (a, b) -> {
                    for (int i = a; i < b; i++) {
                        GgmlQuant.quantizeRow(DType.Q8_0, t, i * dim, rows, i * rowBytes, dim);
                    }
                });
            } else { // Q8_0 rows written in panel layout (SparseKernels.panelOffset) for axpyPanelsQ8_0
                Parallel.forRange(ffn, 64, (a, b) -> {
                    MemorySegment q = MemorySegment.ofArray(new byte[(int) rowBytes]);
                    for (int i = a; i < b; i++) {
                        GgmlQuant.quantizeRow(DType.Q8_0, t, i * dim, q, 0, dim);
                        for (int blk = 0; blk < dim / 32; blk++) {
                            MemorySegment.copy(q, 34L * blk, rows, SparseKernels.panelOffset(dim, ffn, i, blk), 34);
                        }
                    }
                });
            }
        }
    }

    /**
     * CATS on one layer: the gate GEMV stays dense; neurons with |SiLU(gate)| below the threshold are dropped; the
     * up rows of the survivors go through one row-sparse GEMV ({@link SparseKernels#gemvRows}, the same dot kernels
     * as the dense GEMV), and their down columns are summed as rows of the transposed down
     * ({@link SparseKernels#axpyRows}).
     */
    final class ThresholdLayer {
        final int l;
        final float threshold;
        private final MemorySegment g;
        private final MemorySegment upSel;
        private final int[] survivors = new int[ffn];
        private final float[] coef = new float[ffn];
        long steps, kept;

        /**
         * How the survivors' down columns are summed: "rows" = the transposed rows ({@link SparseKernels#axpyRows},
         * or {@link SparseKernels#axpyPanelsQ8_0} in panel layout), "dense" = the dense down GEMV on the masked
         * activations (zeros for dropped neurons; no copy, the dense down's bytes), "auto" (default; system property
         * {@code minnow.sparse.thresholdDown}), per step: row layout while the survivors' rows are under 3/4 of the
         * dense down's bytes; panel layout unless the whole transposed matrix is over twice the dense down's bytes
         * (measured in models/SPARSE-NOTES.md, "where the sparse decode time went").
         */
        private final String downMode = System.getProperty("minnow.sparse.thresholdDown", "auto");
        private final boolean denseDown = "dense".equals(downMode);
        private final MemorySegment masked;

        ThresholdLayer(int l, float threshold) {
            this.l = l;
            this.threshold = threshold;
            Arena a = Arena.ofAuto();
            g = a.allocate(ffn * 4L, 64);
            upSel = a.allocate(ffn * 4L, 64);
            masked = a.allocate(ffn * 4L, 64);
            if (threshold > 0 && !denseDown) {
                transposedDown(l); // built here, not in the first decode step
            }
        }

        void forward(MemorySegment x, MemorySegment out) {
            gate[l].gemv(x, 0, g, 0);
            kernels.activate(Activation.SILU, ffn, g, 0);
            int m = 0;
            for (int i = 0; i < ffn; i++) {
                if (Math.abs(g.getAtIndex(F32, i)) >= threshold) {
                    survivors[m++] = i;
                }
            }
            steps++;
            kept += m;
            WeightMatrix uw = up[l];
            if (SparseKernels.supportsRows(uw.type(), dim)) {
                sk.gemvRows(uw.type(), m, survivors, dim, uw.data(), 0, x, 0, upSel, 0);
                for (int j = 0; j < m; j++) {
                    coef[j] = g.getAtIndex(F32, survivors[j]) * upSel.getAtIndex(F32, j);
                }
            } else { // other types: dense up (quality-equivalent, no bandwidth saved on up)
                MemorySegment fullUp = Arena.ofAuto().allocate(ffn * 4L, 64);
                uw.gemv(x, 0, fullUp, 0);
                for (int j = 0; j < m; j++) {
                    coef[j] = g.getAtIndex(F32, survivors[j]) * fullUp.getAtIndex(F32, survivors[j]);
                }
            }
            boolean useDense = denseDown;
            if (!useDense && !"rows".equals(downMode)) {
                TransposedDown td = transposedDown(l);
                long denseBytes = down[l].type().byteSize((long) dim * ffn), rowBytes = td.type.byteSize(dim);
                // row layout: the survivors' rows, while under 3/4 of the dense bytes; panel layout: a pass streams
                // about the whole transposed matrix, kept unless that is over twice the dense bytes (Q2_K/Q3_K downs)
                useDense = td.panels ? (long) ffn * rowBytes > 2 * denseBytes : 4L * m * rowBytes > 3 * denseBytes;
            }
            if (useDense) {
                masked.fill((byte) 0);
                for (int j = 0; j < m; j++) {
                    masked.setAtIndex(F32, survivors[j], coef[j]);
                }
                down[l].gemv(masked, 0, out, 0);
                return;
            }
            TransposedDown td = transposedDown(l);
            if (td.panels) {
                sk.axpyPanelsQ8_0(m, survivors, coef, dim, ffn, td.rows, 0, out, 0);
            } else {
                sk.axpyRows(td.type, m, survivors, coef, dim, td.rows, 0, out, 0);
            }
        }
    }
}
