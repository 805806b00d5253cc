package dev.minnow.models.onnx;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.nn.Buffers;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.ConvTranspose2d;
import dev.minnow.nn.Nchwc;
import dev.minnow.nn.Ops;
import dev.minnow.nn.Pool2d;
import dev.minnow.nn.Profile;
import dev.minnow.nn.SqueezeExcitation;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Executes an {@link OnnxModel}'s graph on Minnow's operators. At construction every node is checked against the
 * supported operator set (ai.onnx opset ≤ 13) and compiled into a step, so an unsupported operator, attribute or
 * a non-constant weight fails with a message naming the node, its op type and the opset before any computation.
 * A BatchNormalization whose input is a Conv used nowhere else is folded into that Conv.
 *
 * <pre>{@code
 * try (OnnxModel m = OnnxModel.open(path)) {
 *     OnnxGraph g = new OnnxGraph(m);
 *     Tensor logits = g.run(image);          // single input, single output
 * }
 * }</pre>
 */
public final class OnnxGraph {
    /** The operators Minnow executes. */
    public static final Set<String> SUPPORTED = Set.of("QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "Conv", "ConvTranspose", "BatchNormalization", "Relu", "Clip", "Sigmoid",
            "HardSigmoid", "HardSwish", "Erf", "Add", "Sub", "Mul", "Div", "Concat", "MaxPool", "AveragePool", "GlobalAveragePool",
            "ReduceMean", "Flatten", "Gemm", "Reshape", "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Identity", "Dropout",
            "Cast", "Softmax");
    static final long MAX_OPSET = 13;

    @FunctionalInterface
    private interface Step {
        void run(Map<String, Tensor> values);
    }

    private final Path file;
    private final long opset;
    private final Map<String, Tensor> constants = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    /** The compiled Conv chains, in order, for the layout pass ({@link #chooseNchwc}). */
    private final List<ConvStep> convSteps = new ArrayList<>();

    /**
     * One compiled Conv chain: its input, output, convolution (replaced by the layout pass when its output is to be
     * channel-blocked) and whether a residual Add is fused into it.
     */
    private static final class ConvStep {
        final String in;
        final String out;
        final String shortcut;       // the residual added in the step, or null
        final boolean activatedSum;  // an activation after the residual add
        volatile Conv2d conv;
        final SqueezeExcitation se;  // instead of conv: a fused squeeze-and-excitation, output in its input's layout
        volatile ConcatSlot slot;    // where a channel Concat that alone reads this output wants it (null: nowhere)

        ConvStep(String in, String out, String shortcut, boolean activatedSum, Conv2d conv) {
            this.in = in;
            this.out = out;
            this.shortcut = shortcut;
            this.activatedSum = activatedSum;
            this.conv = conv;
            this.se = null;
        }

        ConvStep(String in, String out, SqueezeExcitation se) {
            this.in = in;
            this.out = out;
            this.shortcut = null;
            this.activatedSum = false;
            this.conv = null;
            this.se = se;
        }

        boolean pointwise() {
            return conv != null && conv.isPointwise();
        }

        boolean depthwise() {
            return conv != null && conv.isDepthwise();
        }
    }
    /**
     * A Conv chain's place in a channel Concat of one image: its output is written straight into channels
     * {@code [offset, offset + its channels)} of the Concat's {@code total}-channel output {@code target}.
     */
    private record ConcatSlot(String target, int offset, int total) {}

    /** How many nodes (and graph outputs) read each value, while the nodes compile. */
    private Map<String, Integer> consumersOf = Map.of();

    /**
     * Runs a Conv chain without a residual: into its Concat slot where it has one, the input is NCHW and the batch is
     * one image (the first chain of the Concat allocates the whole output); otherwise as the layer's own forward.
     * {@code -Dminnow.onnx.concatInPlace=false} (read per call, for A/B runs) always takes the layer's own forward.
     */
    private static Tensor runConv(ConvStep cs, Map<String, Tensor> v) {
        Tensor x = v.get(cs.in);
        ConcatSlot slot = cs.slot;
        if (slot == null || Nchwc.isBlocked(x) || x.rank() != 4 || x.dim(0) != 1 || cs.conv.nchwcOutput()
                || !Boolean.parseBoolean(System.getProperty("minnow.onnx.concatInPlace", "true"))) {
            return cs.conv.forward(x);
        }
        int[] o = cs.conv.outputSize((int) x.dim(2), (int) x.dim(3));
        Tensor target = v.get(slot.target());
        if (target == null || target.rank() != 4 || target.dim(2) != o[0] || target.dim(3) != o[1]) {
            target = Buffers.f32Overwritten(1, slot.total(), o[0], o[1]);   // its Concat checks that every slice was written
            v.put(slot.target(), target);
        }
        return cs.conv.forwardInto(x, target.slice(1, slot.offset(), slot.offset() + cs.conv.outChannels()));
    }

    private final List<String> inputNames;
    /** The graph's input names, known while the nodes compile (a residual shortcut may be one). */
    private final Set<String> graphInputs = new java.util.HashSet<>();
    private final List<String> outputNames;

    public OnnxGraph(OnnxModel model) {
        this.file = model.path();
        this.opset = model.opset("");
        if (opset < 1 || opset > MAX_OPSET) {
            throw new ModelFormatException(file, -1, "ai.onnx opset " + opset + " is not supported (Minnow implements opset 1.." + MAX_OPSET
                    + ")");
        }
        // validate first: nothing is computed when any node is unsupported
        for (OnnxModel.Node n : model.nodes()) {
            if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
                throw unsupported(n, "custom domain '" + n.domain() + "'");
            }
            if (!SUPPORTED.contains(n.opType())) {
                throw unsupported(n, "operator not implemented");
            }
            if (n.outputs().isEmpty() || n.inputs().isEmpty() && !n.opType().equals("Constant")) {
                throw new ModelFormatException(file, -1, n.opType() + " node '" + n.name() + "' (opset " + opset + ") has no "
                        + (n.outputs().isEmpty() ? "outputs" : "inputs"));
            }
        }
        constants.putAll(model.initializers());
        model.inputs().forEach(vi -> graphInputs.add(vi.name()));
        Map<String, Integer> consumers = new HashMap<>();
        consumersOf = consumers;
        for (OnnxModel.Node n : model.nodes()) {
            for (String in : n.inputs()) {
                consumers.merge(in, 1, Integer::sum);
            }
        }
        for (OnnxModel.ValueInfo o : model.outputs()) {
            consumers.merge(o.name(), 1, Integer::sum);
        }
        List<OnnxModel.Node> nodes = model.nodes();
        Set<Integer> fused = new java.util.HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (fused.contains(i)) {
                continue;
            }
            OnnxModel.Node n = nodes.get(i);
            try {
                if (n.opType().equals("Conv")) {
                    compileConvChain(nodes, i, consumers, fused);
                    continue;
                }
                if (n.opType().equals("GlobalAveragePool") && squeezeExcitation(nodes, i, consumers, fused)) {
                    continue;
                }
                if (FOLDABLE.contains(n.opType()) && allInputsConstant(n)) {
                    fold(n);
                } else {
                    compile(n);
                }
            } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
                throw new ModelFormatException(file, -1, n.opType() + " node '" + n.name() + "' (opset " + opset + "): " + e.getMessage(), e);
            }
        }
        chooseNchwc(consumers);
        this.inputNames = model.inputs().stream().map(OnnxModel.ValueInfo::name).toList();
        this.outputNames = model.outputs().stream().map(OnnxModel.ValueInfo::name).toList();
    }

    /** Cheap operators evaluated at load time when all their inputs are constants (weights behind Identity, Cast bounds). */
    static final Set<String> FOLDABLE = Set.of("Identity", "Dropout", "Cast", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape",
            "Add", "Sub", "Mul", "Div");

    private boolean allInputsConstant(OnnxModel.Node n) {
        for (String in : n.inputs()) {
            if (!in.isEmpty() && !constants.containsKey(in)) {
                return false;
            }
        }
        return true;
    }

    private void fold(OnnxModel.Node n) {
        int before = steps.size();
        compile(n);
        Map<String, Tensor> values = new HashMap<>(constants);
        for (int k = before; k < steps.size(); k++) {
            steps.get(k).run(values);
        }
        while (steps.size() > before) {
            steps.remove(steps.size() - 1);
        }
        for (String out : n.outputs()) {
            if (values.containsKey(out)) {
                constants.put(out, values.get(out));
            }
        }
    }

    private ModelFormatException unsupported(OnnxModel.Node n, String why) {
        return new ModelFormatException(file, -1, "unsupported " + n.opType() + " node '" + n.name() + "' (opset " + opset + "): " + why
                + "; supported: " + new java.util.TreeSet<>(SUPPORTED));
    }

    private static int consumerIndex(List<OnnxModel.Node> nodes, int from, String value, Map<String, Integer> consumers) {
        if (consumers.getOrDefault(value, 0) != 1) {
            return -1;
        }
        for (int j = from + 1; j < nodes.size(); j++) {
            if (nodes.get(j).inputs().contains(value)) {
                return nodes.get(j).input(0).equals(value) ? j : -1;
            }
        }
        return -1;
    }

    private boolean constantInputs(OnnxModel.Node n, int from, int to) {
        for (int k = from; k <= to; k++) {
            if (!constants.containsKey(n.input(k))) {
                return false;
            }
        }
        return true;
    }

    private Tensor constant(OnnxModel.Node n, int input, String what) {
        Tensor t = constants.get(n.input(input));
        if (t == null) {
            throw new IllegalArgumentException(what + " '" + n.input(input) + "' must be a constant (initializer or Constant node)");
        }
        return t;
    }

    /** Runs a single-input graph and returns its first output. */
    public Tensor run(Tensor input) {
        if (inputNames.size() != 1) {
            throw new IllegalArgumentException("graph has inputs " + inputNames + "; call run(Map)");
        }
        return Buffers.recycling(() -> run(Map.of(inputNames.get(0), input)).get(outputNames.get(0)));
    }

    /** Runs the graph; returns the graph outputs by name. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        List<List<String>> dead = deadAfter;
        boolean release = dead != null && Boolean.parseBoolean(System.getProperty("minnow.onnx.releaseDead", "true"));
        Values values = new Values(constants, !release);
        for (String name : inputNames) {
            Tensor t = inputs.get(name);
            if (t == null) {
                throw new IllegalArgumentException("missing graph input '" + name + "'");
            }
            values.put(name, t.dtype() == DType.F32 ? t.contiguous() : t);
        }
        for (int k = 0; k < steps.size(); k++) {
            values.step = k;
            steps.get(k).run(values);
            if (release) {
                values.releaseDead(dead.get(k));
            }
        }
        if (!release && deadAfter == null) {
            deadAfter = values.deadAfter(steps.size(), outputNames);
        }
        releasedLastRun = values.released;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : outputNames) {
            out.put(name, values.get(name));
        }
        return out;
    }

    /**
     * Per step, the values no later step reads (graph outputs excepted), learnt from the reads of a first run, or null
     * before one.
     */
    private volatile List<List<String>> deadAfter;

    private volatile int releasedLastRun;

    /** How many buffers the last run handed back to its pool before the pass ended (see {@link #run(Map)}). */
    public int releasedLastRun() { return releasedLastRun; }

    /**
     * The values of one run. A run without a plan records which step last read each value; a run with one hands each
     * value's buffer back to the pass's pool ({@link Buffers#releaseEarly}) after the step that last reads it, unless
     * a live value shares its memory (a reshaped view, say), so later steps reuse memory still in cache instead of
     * each taking a fresh buffer ({@code -Dminnow.onnx.releaseDead=false}, read per run, keeps every buffer to the
     * end of the pass). A released value is gone from the map: a step reading it would fail with "has not been
     * computed", never read reused memory.
     */
    private static final class Values extends HashMap<String, Tensor> {
        final boolean record;   // false when releasing
        final Map<String, Integer> last = new HashMap<>();
        final Map<String, Tensor> made = new HashMap<>();   // the values the steps have put and no release has dropped
        int step = -1;
        int released;

        Values(Map<String, Tensor> constants, boolean record) {
            super(constants);
            this.record = record;
        }

        @Override
        public Tensor get(Object key) {
            if (record && key instanceof String name) {
                last.put(name, step);
            }
            return super.get(key);
        }

        @Override
        public Tensor put(String key, Tensor value) {
            if (record) {
                last.putIfAbsent(key, step);   // a value nothing reads dies where it is made
            }
            if (step >= 0) {
                made.put(key, value);
            }
            return super.put(key, value);
        }

        /** Per step, the values it reads last (from this recorded run), graph outputs left out. */
        List<List<String>> deadAfter(int steps, List<String> outputs) {
            List<List<String>> dead = new ArrayList<>();
            for (int k = 0; k < steps; k++) {
                dead.add(new ArrayList<>());
            }
            for (Map.Entry<String, Integer> e : last.entrySet()) {
                if (!outputs.contains(e.getKey()) && e.getValue() >= 0) {
                    dead.get(e.getValue()).add(e.getKey());
                }
            }
            return dead;
        }

        /** Drops {@code names} from the run and hands back each one's buffer that no live value overlaps. */
        void releaseDead(List<String> names) {
            for (String name : names) {
                Tensor t = remove(name);
                made.remove(name);
                if (t == null) {
                    continue;
                }
                java.lang.foreign.MemorySegment m = t.segment();
                boolean shared = false;
                for (Tensor u : made.values()) {   // any live value overlapping its memory keeps it (only made ones are pooled)
                    java.lang.foreign.MemorySegment o = u.segment();
                    if (o.isNative() && o.address() < m.address() + m.byteSize() && m.address() < o.address() + o.byteSize()) {
                        shared = true;
                        break;
                    }
                }
                if (!shared && Buffers.releaseEarly(t)) {
                    released++;
                }
            }
        }
    }

    public List<String> inputNames() { return inputNames; }

    /** Compiled steps (after folding constants and fusing Conv + BatchNormalization + activation). */
    public int stepCount() { return steps.size(); }

    public List<String> outputNames() { return outputNames; }

    // ---- compilation ----

    private static int[] ints(long[] v, int n, int def) {
        int[] r = new int[n];
        Arrays.fill(r, def);
        if (v != null) {
            if (v.length != n) {
                throw new IllegalArgumentException("expected " + n + " values, got " + Arrays.toString(v));
            }
            for (int i = 0; i < n; i++) {
                r[i] = Math.toIntExact(v[i]);
            }
        }
        return r;
    }

    private static void noAutoPad(OnnxModel.Node n) {
        OnnxModel.Attribute a = n.attributes().get("auto_pad");
        if (a != null && a.s() != null && !a.s().equals("NOTSET")) {
            throw new IllegalArgumentException("auto_pad=" + a.s() + " is not supported (export with explicit pads)");
        }
    }

    private static int[] symmetricPads(OnnxModel.Node n) {
        int[] p = ints(n.intsAttr("pads"), 4, 0);
        if (p[0] != p[2] || p[1] != p[3]) {
            throw new IllegalArgumentException("asymmetric pads " + Arrays.toString(p) + " are not supported");
        }
        return new int[] {p[0], p[1]};
    }

    private Conv2d conv(OnnxModel.Node n) {
        noAutoPad(n);
        Tensor w = constant(n, 0 + 1, "weight");
        if (w.rank() != 4) {
            throw new IllegalArgumentException("only 2-D convolutions are supported, weight " + Arrays.toString(w.shape()));
        }
        Tensor b = n.input(2).isEmpty() ? null : constant(n, 2, "bias");
        return Conv2d.of(w, b, ints(n.intsAttr("strides"), 2, 1), symmetricPads(n), ints(n.intsAttr("dilations"), 2, 1),
                (int) n.intAttr("group", 1));
    }

    /**
     * A Conv, plus the BatchNormalization and then the activation (Relu, Clip(0, 6), Sigmoid, HardSwish) that follow
     * it when each is the only consumer of the previous output: one fused {@link Conv2d} step.
     */
    private void compileConvChain(List<OnnxModel.Node> nodes, int i, Map<String, Integer> consumers, Set<Integer> fused) {
        OnnxModel.Node n = nodes.get(i);
        Conv2d c = conv(n);
        String outName = n.outputs().get(0);
        int last = i;
        int bn = consumerIndex(nodes, last, outName, consumers);
        if (bn >= 0 && nodes.get(bn).opType().equals("BatchNormalization") && constantInputs(nodes.get(bn), 1, 4)) {
            OnnxModel.Node b = nodes.get(bn);
            c = c.foldBatchNorm(constant(b, 1, "scale"), constant(b, 2, "B"), constant(b, 3, "mean"), constant(b, 4, "var"),
                    b.floatAttr("epsilon", 1e-5f));
            fused.add(bn);
            outName = b.outputs().get(0);
            last = bn;
        }
        int act = consumerIndex(nodes, last, outName, consumers);
        if (act >= 0) {
            Activation a = activationOf(nodes, nodes.get(act));
            if (a != null) {
                c = c.withActivation(a);
                fused.add(act);
                outName = nodes.get(act).outputs().get(0);
                last = act;
            }
        } else {
            int[] hs = hardSwishPattern(nodes, last, outName, consumers);
            if (hs != null) {
                c = c.withActivation(Activation.HARD_SWISH);
                fused.add(hs[0]);
                fused.add(hs[1]);
                outName = nodes.get(hs[1]).outputs().get(0);
                last = hs[1];
            }
        }
        Conv2d conv = c;
        String in = n.input(0);
        int add = residualAdd(nodes, i, last, outName, consumers);
        if (add >= 0) {
            // Add(y, shortcut) with y used only there and the shortcut computed before this Conv: one step, the add fused
            // into the convolution's output pass (a shortcut of another shape falls back to the broadcasting Add)
            fused.add(add);
            OnnxModel.Node a = nodes.get(add);
            String y = outName, shortcut = a.input(0).equals(y) ? a.input(1) : a.input(0);
            boolean yFirst = a.input(0).equals(y);
            // an activation after the add (ResNet's ReLU) runs over this step's own output in place: as a separate node
            // it copied every block's output once more (ResNet18: 0.69 ms of a pass, session 9)
            int post = consumerIndex(nodes, add, a.outputs().get(0), consumers);
            Activation after = post >= 0 ? activationOf(nodes, nodes.get(post)) : null;
            if (after != null) {
                fused.add(post);
            }
            String out = after != null ? nodes.get(post).outputs().get(0) : a.outputs().get(0);
            ConvStep cs = new ConvStep(in, out, shortcut, after != null, conv);
            convSteps.add(cs);
            steps.add(v -> {
                Tensor x = v.get(in), r = need(v, shortcut, a);
                Conv2d cv = cs.conv;
                int[] o = cv.outputSize((int) x.dim(2), (int) x.dim(3));
                Tensor sum;
                if (Nchwc.isBlocked(r)
                        || r.dtype() == DType.F32 && java.util.Arrays.equals(r.shape(), new long[] {x.dim(0), cv.outChannels(), o[0], o[1]})) {
                    sum = cv.forwardAdd(x, r);
                } else {
                    Tensor yv = cv.forward(x);
                    sum = yFirst ? Elementwise.binary('A', yv, r) : Elementwise.binary('A', r, yv);
                }
                v.put(out, after == null ? sum : Ops.activateInPlace(after, sum));
            });
            return;
        }
        String out = outName;
        ConvStep cs = new ConvStep(in, out, null, false, conv);
        convSteps.add(cs);
        steps.add(v -> v.put(out, runConv(cs, v)));
    }

    /**
     * The layout pass: which Conv chains write the channel-blocked layout ({@link Nchwc}). A chain does when it is a
     * pointwise convolution (with or without a fused residual Add, but no activation after the add), or a depthwise one
     * (without a residual) whose input is blocked; when a fused residual's shortcut is blocked; and when every use of
     * its output is by a chain that computes in that layout: as the data input of a pointwise chain or of a depthwise
     * one that itself writes it, or as the shortcut of a chain that writes it. So the inverted-residual blocks of
     * MobileNets and MnasNet run expand → depthwise → project and the shortcuts between them in the blocked layout, and
     * a stem over a few NCHW channels ({@link #stem}) writes it when its readers take it; pooling and the classifier stay
     * NCHW, and no layout conversion is ever inserted. A fused
     * squeeze-and-excitation step (MobileNetV3) computes in its input's layout: it is blocked when its input is and every
     * use of its output takes blocked input, as a depthwise chain is.
     * Fixed point from all candidates down.
     */
    private void chooseNchwc(Map<String, Integer> consumers) {
        Map<String, ConvStep> producer = new HashMap<>();
        Map<String, List<ConvStep>> inputUses = new HashMap<>(), shortcutUses = new HashMap<>();
        for (ConvStep cs : convSteps) {
            producer.put(cs.out, cs);
            inputUses.computeIfAbsent(cs.in, k -> new ArrayList<>()).add(cs);
            if (cs.shortcut != null) {
                shortcutUses.computeIfAbsent(cs.shortcut, k -> new ArrayList<>()).add(cs);
            }
        }
        Set<ConvStep> blocked = new java.util.HashSet<>();
        for (ConvStep cs : convSteps) {
            // (a fused squeeze-and-excitation reads its input twice in the file: the pool and the Mul)
            int uses = inputUses.getOrDefault(cs.out, List.of()).stream().mapToInt(u -> u.se != null ? 2 : 1).sum()
                    + shortcutUses.getOrDefault(cs.out, List.of()).size();
            boolean kind = cs.pointwise() && !cs.activatedSum
                    || cs.depthwise() && cs.shortcut == null
                    || cs.se != null
                    || stem(cs);
            if (kind && uses > 0 && uses == consumers.getOrDefault(cs.out, 0)) {
                blocked.add(cs);
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ConvStep cs : convSteps) {
                if (!blocked.contains(cs)) {
                    continue;
                }
                // a pointwise chain reading NCHW writes blocked only into a depthwise one (an expansion) and from at
                // least Nchwc.MIN_EXPAND_IN channels: into another pointwise chain the staging and the channel padding
                // cost more than they save (MobileNetV3's projections after squeeze-and-excitation, 0.89x)
                boolean intoDepthwise = inputUses.getOrDefault(cs.out, List.of()).stream().anyMatch(ConvStep::depthwise);
                boolean ok = (stem(cs) ? !blocked.contains(producer.get(cs.in))
                        : !cs.pointwise() ? blocked.contains(producer.get(cs.in))
                                : blocked.contains(producer.get(cs.in)) || intoDepthwise && cs.conv.inChannels() >= Nchwc.MIN_EXPAND_IN)
                        && (cs.shortcut == null || blocked.contains(producer.get(cs.shortcut)));
                for (ConvStep u : inputUses.getOrDefault(cs.out, List.of())) {
                    // a pointwise chain from blocked to NCHW pays for its transposed stores only over a deep input
                    ok &= u.pointwise() && (blocked.contains(u) || u.conv.inChannels() >= Nchwc.MIN_NCHW_OUT_IN)
                            || (u.depthwise() || u.se != null) && blocked.contains(u);
                }
                for (ConvStep u : shortcutUses.getOrDefault(cs.out, List.of())) {
                    ok &= blocked.contains(u);
                }
                if (!ok) {
                    blocked.remove(cs);
                    changed = true;
                }
            }
        }
        for (ConvStep cs : blocked) {
            if (cs.conv != null) {   // squeeze-and-excitation answers in its input's layout
                cs.conv = cs.conv.withNchwcOutput(true);
            }
        }
        nchwcChains = (int) blocked.stream().filter(cs -> cs.conv != null).count();
        nchwcExcitations = blocked.size() - nchwcChains;
    }

    private int nchwcChains;

    /**
     * A stem that may write the blocked layout from its NCHW input ({@link Conv2d#stemNchwc()}), so that the first
     * depthwise layer runs blocked without a conversion; {@code -Dminnow.onnx.stemBlocked=false} (read when the graph
     * compiles) keeps stems NCHW.
     */
    private static boolean stem(ConvStep cs) {
        return cs.conv != null && cs.shortcut == null && !cs.activatedSum && cs.conv.stemNchwc()
                && Boolean.parseBoolean(System.getProperty("minnow.onnx.stemBlocked", "true"));
    }

    /** How many Conv chains write the channel-blocked layout (the layout pass's choice). */
    public int nchwcChains() { return nchwcChains; }

    private int nchwcExcitations;

    /** How many fused squeeze-and-excitation steps run on the channel-blocked layout. */
    public int nchwcExcitations() { return nchwcExcitations; }

    /**
     * For a Concat along the channels (axis 1) whose inputs are all outputs of distinct Conv chains without a residual,
     * each read only by this Concat (SqueezeNet's Fire modules): gives each chain its slot in the output and returns the
     * inputs' channel offsets; null (and no slots) otherwise.
     */
    private int[] concatSlots(OnnxModel.Node n, int axis) {
        if (axis != 1 || n.inputs().size() < 2 || new java.util.HashSet<>(n.inputs()).size() != n.inputs().size()) {
            return null;
        }
        List<ConvStep> chains = new ArrayList<>();
        for (String in : n.inputs()) {
            ConvStep found = null;
            for (ConvStep cs : convSteps) {
                if (cs.out.equals(in) && cs.conv != null && cs.shortcut == null) {
                    found = cs;
                }
            }
            if (found == null || consumersOf.getOrDefault(in, 0) != 1) {
                return null;
            }
            chains.add(found);
        }
        int[] offsets = new int[chains.size()];
        int total = 0;
        for (int k = 0; k < chains.size(); k++) {
            offsets[k] = total;
            total += chains.get(k).conv.outChannels();
        }
        for (int k = 0; k < chains.size(); k++) {
            chains.get(k).slot = new ConcatSlot(n.outputs().get(0), offsets[k], total);
        }
        concatsInPlace++;
        return offsets;
    }

    private int concatsInPlace;

    /** How many channel Concats have their Conv chains write straight into their output (one image at a time). */
    public int concatsInPlace() { return concatsInPlace; }

    /** Whether each {@code ts[k]} is the view of channels from {@code offsets[k]} of {@code target} (one image, NCHW). */
    private static boolean writtenInPlace(Tensor target, Tensor[] ts, int[] offsets) {
        if (Nchwc.isBlocked(target) || target.rank() != 4 || target.dim(0) != 1) {
            return false;
        }
        long plane = target.dim(2) * target.dim(3), base = target.segment().address();
        long channels = 0;
        for (int k = 0; k < ts.length; k++) {
            Tensor t = ts[k];
            if (t.rank() != 4 || t.dim(0) != 1 || t.dim(2) != target.dim(2) || t.dim(3) != target.dim(3) || !t.isContiguous()
                    || t.segment().address() != base + 4L * offsets[k] * plane || !t.segment().scope().equals(target.segment().scope())) {
                return false;
            }
            channels += t.dim(1);
        }
        return channels == target.dim(1);
    }

    /**
     * Squeeze-and-excitation as torchvision exports it, {@code Mul(x, gate(Conv(inner(Conv(GlobalAveragePool(x))))))}
     * with 1×1 convolutions with bias, ReLU as the inner activation and HardSigmoid (1/6, 1/2) or Sigmoid as the gate,
     * each intermediate used once: compiled into one {@link SqueezeExcitation} step from the pool at {@code i} to the
     * Mul (the layout pass may then run it channel-blocked). False, compiling nothing, for anything else.
     */
    private boolean squeezeExcitation(List<OnnxModel.Node> nodes, int i, Map<String, Integer> consumers, Set<Integer> fused) {
        OnnxModel.Node gap = nodes.get(i);
        String x = gap.input(0);
        int fc1 = consumerIndex(nodes, i, gap.outputs().get(0), consumers);
        if (fc1 < 0 || !pointwiseWithBias(nodes.get(fc1))) {
            return false;
        }
        int act = consumerIndex(nodes, fc1, nodes.get(fc1).outputs().get(0), consumers);
        if (act < 0 || !nodes.get(act).opType().equals("Relu")) {
            return false;
        }
        int fc2 = consumerIndex(nodes, act, nodes.get(act).outputs().get(0), consumers);
        if (fc2 < 0 || !pointwiseWithBias(nodes.get(fc2))) {
            return false;
        }
        int g = consumerIndex(nodes, fc2, nodes.get(fc2).outputs().get(0), consumers);
        if (g < 0) {
            return false;
        }
        OnnxModel.Node gn = nodes.get(g);
        Activation gate = gn.opType().equals("Sigmoid") ? Activation.SIGMOID
                : gn.opType().equals("HardSigmoid") && Math.abs(gn.floatAttr("alpha", 0.2f) - 1f / 6) < 1e-6f
                        && gn.floatAttr("beta", 0.5f) == 0.5f ? Activation.HARD_SIGMOID : null;
        if (gate == null || consumers.getOrDefault(gn.outputs().get(0), 0) != 1) {
            return false;
        }
        int mul = -1;
        for (int j = g + 1; j < nodes.size() && mul < 0; j++) {
            if (nodes.get(j).inputs().contains(gn.outputs().get(0))) {
                mul = j;
            }
        }
        OnnxModel.Node m = mul < 0 ? null : nodes.get(mul);
        if (m == null || !m.opType().equals("Mul") || m.inputs().size() != 2 || !m.inputs().contains(x)) {
            return false;
        }
        OnnxModel.Node c1 = nodes.get(fc1), c2 = nodes.get(fc2);
        Tensor w1 = constant(c1, 1, "W"), w2 = constant(c2, 1, "W");
        if (w1.rank() != 4 || w2.rank() != 4 || w2.dim(0) != w1.dim(1) || w2.dim(1) != w1.dim(0)) {
            return false;
        }
        SqueezeExcitation se = new SqueezeExcitation(w1, constant(c1, 2, "B"), w2, constant(c2, 2, "B"), Activation.RELU, gate);
        String out = m.outputs().get(0);
        ConvStep cs = new ConvStep(x, out, se);
        convSteps.add(cs);
        steps.add(v -> v.put(out, se.forward(need(v, x, gap))));
        fused.addAll(List.of(fc1, act, fc2, g, mul));
        return true;
    }

    /** A Conv node that is 1×1, one group, stride 1, no padding, with constant weights and a bias. */
    private boolean pointwiseWithBias(OnnxModel.Node n) {
        if (!n.opType().equals("Conv") || n.inputs().size() < 3 || n.input(2).isEmpty() || !constants.containsKey(n.input(1))
                || !constants.containsKey(n.input(2)) || n.intAttr("group", 1) != 1) {
            return false;
        }
        Tensor w = constants.get(n.input(1));
        long[] strides = n.intsAttr("strides"), pads = n.intsAttr("pads");
        return w.rank() == 4 && w.dim(2) == 1 && w.dim(3) == 1 && (strides == null || java.util.Arrays.stream(strides).allMatch(v -> v == 1))
                && (pads == null || java.util.Arrays.stream(pads).allMatch(v -> v == 0));
    }

    /**
     * The index of an Add that is the only consumer of {@code y} (the output of the Conv chain at {@code conv..last})
     * and whose other operand is neither a constant nor produced at or after the Conv, or -1.
     */
    private int residualAdd(List<OnnxModel.Node> nodes, int conv, int last, String y, Map<String, Integer> consumers) {
        if (consumers.getOrDefault(y, 0) != 1) {
            return -1;
        }
        for (int j = last + 1; j < nodes.size(); j++) {
            OnnxModel.Node a = nodes.get(j);
            if (!a.inputs().contains(y)) {
                continue;
            }
            if (!a.opType().equals("Add") || a.inputs().size() != 2 || a.input(0).equals(a.input(1))) {
                return -1;
            }
            String other = a.input(0).equals(y) ? a.input(1) : a.input(0);
            if (constants.containsKey(other)) {
                return -1;
            }
            if (graphInputs.contains(other)) {
                return j;
            }
            for (int p = 0; p < conv; p++) {
                if (nodes.get(p).outputs().contains(other)) {
                    return j;
                }
            }
            return -1;
        }
        return -1;
    }

    /**
     * Hard-swish as exporters write it below opset 14, {@code Mul(y, HardSigmoid(y; alpha = 1/6, beta = 1/2))}, where
     * those two nodes are y's only consumers and the HardSigmoid's output feeds only the Mul: their indices
     * {HardSigmoid, Mul}, or null.
     */
    private static int[] hardSwishPattern(List<OnnxModel.Node> nodes, int from, String y, Map<String, Integer> consumers) {
        if (consumers.getOrDefault(y, 0) != 2) {
            return null;
        }
        int hs = -1, mul = -1;
        for (int j = from + 1; j < nodes.size() && (hs < 0 || mul < 0); j++) {
            OnnxModel.Node n = nodes.get(j);
            if (!n.inputs().contains(y)) {
                continue;
            }
            if (hs < 0 && n.opType().equals("HardSigmoid") && n.inputs().size() == 1
                    && Math.abs(n.floatAttr("alpha", 0.2f) - 1f / 6) < 1e-6f && n.floatAttr("beta", 0.5f) == 0.5f) {
                hs = j;
            } else if (n.opType().equals("Mul") && n.inputs().size() == 2) {
                mul = j;
            } else {
                return null;
            }
        }
        if (hs < 0 || mul < 0 || mul < hs) {
            return null;
        }
        String g = nodes.get(hs).outputs().get(0);
        List<String> in = nodes.get(mul).inputs();
        boolean operands = in.get(0).equals(y) && in.get(1).equals(g) || in.get(0).equals(g) && in.get(1).equals(y);
        return operands && consumers.getOrDefault(g, 0) == 1 ? new int[] {hs, mul} : null;
    }

    /** The activation a node computes, when it is one a Conv2d can fuse; null otherwise. */
    private Activation activationOf(List<OnnxModel.Node> nodes, OnnxModel.Node n) {
        return switch (n.opType()) {
            case "Relu" -> Activation.RELU;
            case "Sigmoid" -> Activation.SIGMOID;
            case "HardSwish" -> Activation.HARD_SWISH;
            case "Clip" -> {
                if (opset < 11) {
                    yield null;
                }
                Tensor lo = n.input(1).isEmpty() ? null : constantOrLiteral(nodes, n.input(1));
                Tensor hi = n.input(2).isEmpty() ? null : constantOrLiteral(nodes, n.input(2));
                if (lo == null || lo.elementCount() != 1 || lo.toFloatArray()[0] != 0f) {
                    yield null;
                }
                if (n.input(2).isEmpty()) {
                    yield Activation.RELU;
                }
                yield hi != null && hi.elementCount() == 1 && hi.toFloatArray()[0] == 6f ? Activation.RELU6 : null;
            }
            default -> null;
        };
    }

    /** A known constant, or the value of a later Constant node not compiled yet; null otherwise. */
    private Tensor constantOrLiteral(List<OnnxModel.Node> nodes, String name) {
        Tensor t = constants.get(name);
        if (t != null) {
            return t;
        }
        for (OnnxModel.Node m : nodes) {
            if (m.opType().equals("Constant") && m.outputs().contains(name)) {
                OnnxModel.Attribute a = m.attributes().get("value");
                return a == null ? null : a.t();
            }
        }
        return null;
    }

    private void unary(OnnxModel.Node n, java.util.function.UnaryOperator<Tensor> f) {
        String in = n.input(0), out = n.outputs().get(0);
        steps.add(v -> v.put(out, f.apply(v.get(in))));
    }

    private void compile(OnnxModel.Node n) {
        int before = steps.size();
        compileNode(n);
        if (Profile.ENABLED) {   // -Dminnow.profile=true: the node's steps timed under its op type (convolutions time themselves)
            String kind = "onnx " + n.opType();
            for (int k = before; k < steps.size(); k++) {
                Step s = steps.get(k);
                steps.set(k, v -> {
                    long t0 = Profile.begin();
                    s.run(v);
                    Profile.end(kind, t0, 0);
                });
            }
        }
    }

    private void compileNode(OnnxModel.Node n) {
        String out = n.outputs().isEmpty() ? "" : n.outputs().get(0);
        switch (n.opType()) {
            case "Constant" -> {
                OnnxModel.Attribute a = n.attributes().get("value");
                if (a == null || a.t() == null) {
                    throw new IllegalArgumentException("only the 'value' tensor form of Constant is supported");
                }
                constants.put(out, a.t());
            }
            case "Identity", "Dropout" -> unary(n, x -> x);
            case "QuantizeLinear", "DequantizeLinear" -> {
                boolean q = n.opType().equals("QuantizeLinear");
                long axis = n.intAttr("axis", 1);
                String a = n.input(0), sc = n.input(1), zp = n.inputs().size() > 2 ? n.input(2) : "";
                steps.add(v -> {
                    Tensor z = zp.isEmpty() ? null : need(v, zp, n);
                    v.put(out, q ? Qdq.quantize(need(v, a, n), need(v, sc, n), z, axis) : Qdq.dequantize(need(v, a, n), need(v, sc, n), z, axis));
                });
            }
            case "QLinearConv" -> {
                noAutoPad(n);
                int[] strides = ints(n.intsAttr("strides"), 2, 1), dil = ints(n.intsAttr("dilations"), 2, 1);
                int[] pads = ints(n.intsAttr("pads"), 4, 0);
                int group = (int) n.intAttr("group", 1);
                List<String> in = n.inputs();
                if (in.size() < 8) {
                    throw new IllegalArgumentException("QLinearConv needs 8 or 9 inputs, got " + in.size());
                }
                steps.add(v -> v.put(out, Qdq.qlinearConv(need(v, in.get(0), n), need(v, in.get(1), n), opt(v, in.get(2), n),
                        need(v, in.get(3), n), need(v, in.get(4), n), opt(v, in.get(5), n), need(v, in.get(6), n), opt(v, in.get(7), n),
                        in.size() > 8 ? opt(v, in.get(8), n) : null, strides, pads, dil, group)));
            }
            case "QLinearMatMul" -> {
                List<String> in = n.inputs();
                if (in.size() != 8) {
                    throw new IllegalArgumentException("QLinearMatMul needs 8 inputs, got " + in.size());
                }
                steps.add(v -> v.put(out, Qdq.qlinearMatMul(need(v, in.get(0), n), need(v, in.get(1), n), opt(v, in.get(2), n),
                        need(v, in.get(3), n), need(v, in.get(4), n), opt(v, in.get(5), n), need(v, in.get(6), n), opt(v, in.get(7), n))));
            }
            case "Conv" -> {
                Conv2d c = conv(n);
                unary(n, c::forward);
            }
            case "ConvTranspose" -> {
                noAutoPad(n);
                if (n.intsAttr("output_shape") != null) {
                    throw new IllegalArgumentException("output_shape is not supported; use pads/output_padding");
                }
                int[] s = ints(n.intsAttr("strides"), 2, 1), d = ints(n.intsAttr("dilations"), 2, 1), op = ints(n.intsAttr("output_padding"), 2, 0);
                int[] p = symmetricPads(n);
                if (s[0] != s[1] || d[0] != d[1] || p[0] != p[1] || op[0] != op[1]) {
                    throw new IllegalArgumentException("ConvTranspose needs equal strides, dilations, pads and output_padding along H and W");
                }
                Tensor b = n.input(2).isEmpty() ? null : constant(n, 2, "bias");
                ConvTranspose2d ct = ConvTranspose2d.of(constant(n, 1, "weight"), b, s[0], p[0], op[0], d[0], (int) n.intAttr("group", 1));
                unary(n, ct::forward);
            }
            case "BatchNormalization" -> {
                float[] g = constant(n, 1, "scale").toFloatArray(), b = constant(n, 2, "B").toFloatArray();
                float[] m = constant(n, 3, "mean").toFloatArray(), var = constant(n, 4, "var").toFloatArray();
                double eps = n.floatAttr("epsilon", 1e-5f);
                float[] scale = new float[g.length], shift = new float[g.length];
                for (int c = 0; c < g.length; c++) {
                    double s = g[c] / Math.sqrt(var[c] + eps);
                    scale[c] = (float) s;
                    shift[c] = (float) (b[c] - m[c] * s);
                }
                unary(n, x -> channelAffine(x, scale, shift));
            }
            case "Relu" -> unary(n, x -> Ops.activate(Activation.RELU, x));
            case "Sigmoid" -> unary(n, x -> Ops.activate(Activation.SIGMOID, x));
            case "HardSwish" -> unary(n, x -> Ops.activate(Activation.HARD_SWISH, x));
            case "HardSigmoid" -> {
                float alpha = n.floatAttr("alpha", 0.2f), beta = n.floatAttr("beta", 0.5f);
                unary(n, x -> map(x, e -> Math.max(0f, Math.min(1f, alpha * e + beta))));
            }
            case "Erf" -> unary(n, x -> map(x, e -> (float) erf(e)));
            case "Clip" -> {
                float lo, hi;
                if (opset < 11) {
                    lo = n.floatAttr("min", Float.NEGATIVE_INFINITY);
                    hi = n.floatAttr("max", Float.POSITIVE_INFINITY);
                } else {
                    lo = n.input(1).isEmpty() ? Float.NEGATIVE_INFINITY : constant(n, 1, "min").toFloatArray()[0];
                    hi = n.input(2).isEmpty() ? Float.POSITIVE_INFINITY : constant(n, 2, "max").toFloatArray()[0];
                }
                if (lo == 0f && hi == 6f) {
                    unary(n, x -> Ops.activate(Activation.RELU6, x));
                } else if (lo == 0f && hi == Float.POSITIVE_INFINITY) {
                    unary(n, x -> Ops.activate(Activation.RELU, x));
                } else {
                    unary(n, x -> map(x, e -> Math.min(hi, Math.max(lo, e))));
                }
            }
            case "Add", "Sub", "Mul", "Div" -> {
                String a = n.input(0), b = n.input(1);
                char op = n.opType().charAt(0);
                steps.add(v -> v.put(out, Elementwise.binary(op, need(v, a, n), need(v, b, n))));
            }
            case "Concat" -> {
                int axis = (int) n.intAttr("axis", 0);
                List<String> ins = n.inputs();
                int[] offsets = concatSlots(n, axis);
                steps.add(v -> {
                    Tensor[] ts = new Tensor[ins.size()];
                    for (int k = 0; k < ts.length; k++) {
                        ts[k] = need(v, ins.get(k), n);
                    }
                    Tensor target = offsets == null ? null : v.get(out);
                    if (target != null && writtenInPlace(target, ts, offsets)) {
                        return;   // every input was written into its channels of the output (runConv)
                    }
                    v.put(out, Elementwise.concat(axis, ts));
                });
            }
            case "MaxPool", "AveragePool" -> {
                noAutoPad(n);
                int[] k = ints(n.intsAttr("kernel_shape"), 2, 1), s = ints(n.intsAttr("strides"), 2, 1), p = symmetricPads(n);
                int[] d = ints(n.intsAttr("dilations"), 2, 1);
                if (k[0] != k[1] || s[0] != s[1] || p[0] != p[1] || d[0] != 1 || d[1] != 1) {
                    throw new IllegalArgumentException("only square, undilated pooling with equal strides and pads is supported");
                }
                boolean ceil = n.intAttr("ceil_mode", 0) == 1;
                Pool2d pool = n.opType().equals("MaxPool") ? Pool2d.max(k[0], s[0], p[0], ceil)
                        : Pool2d.avg(k[0], s[0], p[0], ceil, n.intAttr("count_include_pad", 0) == 1);
                if (n.outputs().size() > 1) {
                    throw new IllegalArgumentException("MaxPool indices output is not supported");
                }
                unary(n, pool::forward);
            }
            case "GlobalAveragePool" -> unary(n, Ops::globalAveragePool);
            case "ReduceMean" -> {
                long[] axes = n.intsAttr("axes");
                boolean keep = n.intAttr("keepdims", 1) == 1;
                unary(n, x -> Elementwise.reduceMean(x, axes, keep));
            }
            case "Flatten" -> {
                int axis = (int) n.intAttr("axis", 1);
                unary(n, x -> {
                    int ax = axis < 0 ? axis + x.rank() : axis;
                    long outer = 1;
                    for (int i = 0; i < ax; i++) {
                        outer *= x.dim(i);
                    }
                    return x.reshape(outer, -1);
                });
            }
            case "Gemm" -> {
                if (n.intAttr("transA", 0) != 0) {
                    throw new IllegalArgumentException("transA=1 is not supported");
                }
                boolean transB = n.intAttr("transB", 0) == 1;
                float alpha = n.floatAttr("alpha", 1f), beta = n.floatAttr("beta", 1f);
                // the weights copied out of the mapped file into native memory once, at load: read in place from the
                // mapping, MobileNetV3-Small's two classifier GEMVs took 0.93–1.18 ms a pass, copied 0.63–0.66
                // (ONNX Runtime 0.47–0.52; best passes, AVX2 machine, session 9)
                Tensor w = Ops.copy(constant(n, 1, "B"));   // (Ops.copy converts to F32 itself)
                Tensor c = n.input(2).isEmpty() ? null : Buffers.asF32(constant(n, 2, "C"));
                String a = n.input(0);
                steps.add(v -> v.put(out, gemm(need(v, a, n), w, transB, c, alpha, beta)));
            }
            case "Softmax" -> {
                long axis = n.intAttr("axis", opset >= 13 ? -1 : 1);
                unary(n, x -> {
                    if (axis != -1 && axis != x.rank() - 1) {
                        throw new IllegalArgumentException(n + ": Softmax only over the last axis");
                    }
                    return Ops.softmax(x);
                });
            }
            case "Reshape" -> {
                String shapeName = n.input(1), a = n.input(0);
                steps.add(v -> v.put(out, Elementwise.reshape(need(v, a, n), longs(need(v, shapeName, n)))));
            }
            case "Shape" -> unary(n, x -> Elementwise.int64s(x.shape()));
            case "Gather" -> {
                int axis = (int) n.intAttr("axis", 0);
                String a = n.input(0), idx = n.input(1);
                steps.add(v -> v.put(out, Elementwise.gather(need(v, a, n), need(v, idx, n), axis)));
            }
            case "Unsqueeze", "Squeeze" -> {
                long[] attrAxes = n.intsAttr("axes");
                String a = n.input(0), axesName = n.input(1);
                boolean unsq = n.opType().equals("Unsqueeze");
                steps.add(v -> {
                    long[] axes = attrAxes != null ? attrAxes : axesName.isEmpty() ? null : longs(need(v, axesName, n));
                    Tensor x = need(v, a, n);
                    v.put(out, unsq ? Elementwise.unsqueeze(x, axes) : Elementwise.squeeze(x, axes));
                });
            }
            case "Cast" -> {
                int to = (int) n.intAttr("to", 1);
                DType dt = OnnxModel.dtypeOf(to);
                if (dt != DType.F32 && dt != DType.I64 && dt != DType.I32) {
                    throw new IllegalArgumentException("Cast to ONNX type " + to + " is not supported");
                }
                unary(n, x -> Elementwise.cast(x, dt));
            }
            default -> throw unsupported(n, "operator not implemented");
        }
    }

    private static Tensor need(Map<String, Tensor> v, String name, OnnxModel.Node n) {
        Tensor t = v.get(name);
        if (t == null) {
            throw new IllegalStateException(n + ": input '" + name + "' has not been computed");
        }
        return t;
    }

    /** An optional input: null when its name is empty. */
    private static Tensor opt(Map<String, Tensor> v, String name, OnnxModel.Node n) {
        return name.isEmpty() ? null : need(v, name, n);
    }

    private static long[] longs(Tensor t) {
        long n = t.elementCount();
        long[] r = new long[(int) n];
        for (int i = 0; i < r.length; i++) {
            r[i] = t.dtype() == DType.I64 ? t.contiguous().segment().getAtIndex(Tensor.I64_LE, i) : (long) t.toFloatArray()[i];
        }
        return r;
    }

    /** Most rows of A for which Gemm with transB runs as matrix-vector products ({@code -Dminnow.gemvRows=false}: the GEMM). */
    private static final int GEMV_MAX_ROWS = 4;

    private static Tensor gemm(Tensor a, Tensor w, boolean transB, Tensor c, float alpha, float beta) {
        if (a.rank() != 2) {
            throw new IllegalArgumentException("Gemm input must be 2-D, got " + Arrays.toString(a.shape()));
        }
        int m = (int) a.dim(0), k = (int) a.dim(1);
        int n = (int) (transB ? w.dim(0) : w.dim(1));
        if ((transB ? w.dim(1) : w.dim(0)) != k) {
            throw new IllegalArgumentException("Gemm: A " + Arrays.toString(a.shape()) + " and B " + Arrays.toString(w.shape()) + " do not fit");
        }
        Tensor y = Buffers.f32(m, n);
        Tensor af = Buffers.asF32(a.contiguous());
        if (transB && m <= GEMV_MAX_ROWS && Boolean.parseBoolean(System.getProperty("minnow.gemvRows", "true"))) {
            // a classifier on a few images: W·a per row reads W once, where the GEMM packed all of W on every call
            // (MobileNetV2's 1000×1280 head: 7% of a pass in packing)
            for (int i = 0; i < m; i++) {
                KernelProvider.get().gemv(n, k, w.segment(), 0, af.segment(), (long) i * k, y.segment(), (long) i * n);
            }
        } else {
            KernelProvider.get().gemm(m, n, k, af.segment(), 0, k, w.segment(), 0, transB ? k : n, transB, y.segment(), 0, n, false);
        }
        float[] yv = y.toFloatArray();
        float[] cv = c == null ? null : c.toFloatArray();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = alpha * yv[i * n + j];
                if (cv != null) {
                    v += beta * (cv.length == n ? cv[j] : cv.length == 1 ? cv[0] : cv[i * n + j]);
                }
                yv[i * n + j] = v;
            }
        }
        return Buffers.f32(yv, m, n);
    }

    private static Tensor channelAffine(Tensor x, float[] scale, float[] shift) {
        if (x.rank() < 2 || x.dim(1) != scale.length) {
            throw new IllegalArgumentException("BatchNormalization over " + scale.length + " channels got " + Arrays.toString(x.shape()));
        }
        float[] v = Buffers.asF32(x.contiguous()).toFloatArray();
        long plane = x.elementCount() / (x.dim(0) * x.dim(1));
        for (int i = 0; i < v.length; i++) {
            int c = (int) ((i / plane) % scale.length);
            v[i] = v[i] * scale[c] + shift[c];
        }
        return Buffers.f32(v, x.shape());
    }

    private static Tensor map(Tensor x, FloatOp f) {
        float[] v = Buffers.asF32(x.contiguous()).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = f.apply(v[i]);
        }
        return Buffers.f32(v, x.shape());
    }

    @FunctionalInterface
    private interface FloatOp {
        float apply(float x);
    }

    /** erf via erfc's Chebyshev fit (Numerical Recipes {@code erfcc}, fractional error below 1.2e-7), in double. */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - ans : ans - 1;
    }

    @Override
    public String toString() {
        return "OnnxGraph[" + file + ", opset " + opset + ", " + steps.size() + " steps]";
    }
}
