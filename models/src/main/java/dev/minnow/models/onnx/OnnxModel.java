package dev.minnow.models.onnx;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.MappedFile;
import dev.minnow.tensor.io.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model file, memory-mapped and decoded with a hand-written protobuf reader ({@link ProtoReader}): the
 * graph's nodes, initializers (raw_data as views of the mapping, typed fields copied), inputs, outputs and opset
 * imports. Only what inference needs is kept; unknown fields are skipped. External data is rejected.
 *
 * <p>Field numbers follow {@code onnx.proto}: ModelProto {ir_version 1, graph 7, opset_import 8}; GraphProto
 * {node 1, initializer 5, input 11, output 12}; NodeProto {input 1, output 2, name 3, op_type 4, attribute 5,
 * domain 7}; AttributeProto {name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20}; TensorProto {dims 1,
 * data_type 2, float_data 4, int32_data 5, int64_data 7, name 8, raw_data 9, double_data 10, data_location 14}.
 */
public final class OnnxModel implements AutoCloseable {
    public record Attribute(String name, int type, float f, long i, String s, Tensor t, float[] floats, long[] ints) {}

    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {
        public long intAttr(String key, long def) {
            Attribute a = attributes.get(key);
            return a == null ? def : a.i();
        }

        public float floatAttr(String key, float def) {
            Attribute a = attributes.get(key);
            return a == null ? def : a.f();
        }

        public long[] intsAttr(String key) {
            Attribute a = attributes.get(key);
            return a == null ? null : a.ints();
        }

        /** Input i, or "" when absent (ONNX's optional inputs). */
        public String input(int i) {
            return i < inputs.size() ? inputs.get(i) : "";
        }

        @Override
        public String toString() { return opType + " node '" + name + "'"; }
    }

    public record ValueInfo(String name, long[] shape) {}

    static final int MAX_COUNT = 1 << 20;

    private final MappedFile file;
    private final long irVersion;
    private final Map<String, Long> opsets;
    private final List<Node> nodes;
    private final Map<String, Tensor> initializers;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;

    private OnnxModel(MappedFile file, long irVersion, Map<String, Long> opsets, List<Node> nodes, Map<String, Tensor> initializers,
                      List<ValueInfo> inputs, List<ValueInfo> outputs) {
        this.file = file;
        this.irVersion = irVersion;
        this.opsets = opsets;
        this.nodes = nodes;
        this.initializers = initializers;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    public static OnnxModel open(Path path) {
        MappedFile mf = MappedFile.open(path);
        try {
            return parse(mf);
        } catch (RuntimeException e) {
            mf.close();
            throw e;
        }
    }

    private static OnnxModel parse(MappedFile mf) {
        Path path = mf.path();
        ProtoReader r = new ProtoReader(mf.segment(), 0, mf.size(), path);
        long ir = -1;
        Map<String, Long> opsets = new LinkedHashMap<>();
        ProtoReader graph = null;
        while (r.hasMore()) {
            int f = r.next();
            switch (f) {
                case 1 -> ir = r.int64("ir_version");
                case 7 -> {
                    if (graph != null) {
                        throw r.error("two graphs");
                    }
                    graph = r.message("graph");
                }
                case 8 -> {
                    ProtoReader o = r.message("opset_import");
                    String domain = "";
                    long version = -1;
                    while (o.hasMore()) {
                        switch (o.next()) {
                            case 1 -> domain = o.string("opset domain");
                            case 2 -> version = o.int64("opset version");
                            default -> o.skip();
                        }
                    }
                    opsets.put(domain, version);
                }
                default -> r.skip();
            }
        }
        if (graph == null) {
            throw new ModelFormatException(path, 0, "not an ONNX model: no graph (field 7)");
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> inits = new LinkedHashMap<>();
        List<ValueInfo> ins = new ArrayList<>(), outs = new ArrayList<>();
        while (graph.hasMore()) {
            int f = graph.next();
            switch (f) {
                case 1 -> nodes.add(node(graph.message("node"), path));
                case 5 -> {
                    long at = graph.position();
                    ProtoReader t = graph.message("initializer");
                    Map.Entry<String, Tensor> e = tensor(t, path);
                    if (inits.put(e.getKey(), e.getValue()) != null) {
                        throw new ModelFormatException(path, at, "duplicate initializer '" + e.getKey() + "'");
                    }
                }
                case 11 -> ins.add(valueInfo(graph.message("input")));
                case 12 -> outs.add(valueInfo(graph.message("output")));
                default -> graph.skip();
            }
            if (nodes.size() > MAX_COUNT || inits.size() > MAX_COUNT) {
                throw graph.error("more than " + MAX_COUNT + " nodes or initializers");
            }
        }
        return new OnnxModel(mf, ir, Collections.unmodifiableMap(opsets), List.copyOf(nodes), Collections.unmodifiableMap(inits),
                List.copyOf(ins), List.copyOf(outs));
    }

    private static Node node(ProtoReader r, Path path) {
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        String name = "", op = "", domain = "";
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        while (r.hasMore()) {
            switch (r.next()) {
                case 1 -> in.add(r.string("node input"));
                case 2 -> out.add(r.string("node output"));
                case 3 -> name = r.string("node name");
                case 4 -> op = r.string("op_type");
                case 5 -> {
                    Attribute a = attribute(r.message("attribute"), path);
                    attrs.put(a.name(), a);
                }
                case 7 -> domain = r.string("node domain");
                default -> r.skip();
            }
            if (in.size() + out.size() + attrs.size() > 4096) {
                throw r.error("node with more than 4096 inputs, outputs and attributes");
            }
        }
        if (op.isEmpty()) {
            throw r.error("node '" + name + "' has no op_type");
        }
        return new Node(name.isEmpty() ? (out.isEmpty() ? op : out.get(0)) : name, op, domain, List.copyOf(in), List.copyOf(out),
                Collections.unmodifiableMap(attrs));
    }

    private static Attribute attribute(ProtoReader r, Path path) {
        String name = "", s = null;
        int type = 0;
        float f = 0;
        long i = 0;
        Tensor t = null;
        List<Float> floats = new ArrayList<>();
        List<Long> ints = new ArrayList<>();
        while (r.hasMore()) {
            switch (r.next()) {
                case 1 -> name = r.string("attribute name");
                case 2 -> f = r.float32("attribute f");
                case 3 -> i = r.int64("attribute i");
                case 4 -> s = r.string("attribute s");
                case 5 -> t = tensor(r.message("attribute t"), path).getValue();
                case 7 -> r.floats("attribute floats", floats, MAX_COUNT);
                case 8 -> r.int64s("attribute ints", ints, MAX_COUNT);
                case 20 -> type = (int) r.int64("attribute type");
                default -> r.skip();
            }
        }
        float[] fa = new float[floats.size()];
        for (int k = 0; k < fa.length; k++) {
            fa[k] = floats.get(k);
        }
        return new Attribute(name, type, f, i, s, t, fa, ints.stream().mapToLong(Long::longValue).toArray());
    }

    private static ValueInfo valueInfo(ProtoReader r) {
        String name = "";
        List<Long> dims = new ArrayList<>();
        while (r.hasMore()) {
            switch (r.next()) {
                case 1 -> name = r.string("value name");
                case 2 -> { // TypeProto { tensor_type 1 { elem_type 1, shape 2 { dim 1 { dim_value 1 } } } }
                    ProtoReader type = r.message("type");
                    while (type.hasMore()) {
                        if (type.next() != 1) {
                            type.skip();
                            continue;
                        }
                        ProtoReader tt = type.message("tensor_type");
                        while (tt.hasMore()) {
                            if (tt.next() != 2) {
                                tt.skip();
                                continue;
                            }
                            ProtoReader shape = tt.message("shape");
                            while (shape.hasMore()) {
                                if (shape.next() != 1) {
                                    shape.skip();
                                    continue;
                                }
                                ProtoReader dim = shape.message("dim");
                                long v = -1;
                                while (dim.hasMore()) {
                                    if (dim.next() == 1) {
                                        v = dim.int64("dim_value");
                                    } else {
                                        dim.skip();
                                    }
                                }
                                dims.add(v);
                                if (dims.size() > 16) {
                                    throw shape.error("rank above 16");
                                }
                            }
                        }
                    }
                }
                default -> r.skip();
            }
        }
        return new ValueInfo(name, dims.stream().mapToLong(Long::longValue).toArray());
    }

    static DType dtypeOf(int onnxType) {
        return switch (onnxType) {
            case 1 -> DType.F32;
            case 2 -> DType.U8;
            case 3 -> DType.I8;
            case 5 -> DType.I16;
            case 6 -> DType.I32;
            case 7 -> DType.I64;
            case 9 -> DType.BOOL;
            case 10 -> DType.F16;
            case 11 -> DType.F64;
            case 16 -> DType.BF16;
            default -> null;
        };
    }

    private static Map.Entry<String, Tensor> tensor(ProtoReader r, Path path) {
        long at = r.position();
        String name = "";
        int type = 0;
        List<Long> dims = new ArrayList<>();
        long[] raw = null;
        List<Float> floatData = new ArrayList<>();
        List<Long> intData = new ArrayList<>();
        boolean external = false;
        while (r.hasMore()) {
            switch (r.next()) {
                case 1 -> r.int64s("dims", dims, 16);
                case 2 -> type = (int) r.int64("data_type");
                case 4 -> r.floats("float_data", floatData, MAX_COUNT * 4);
                case 5, 7 -> r.int64s("int data", intData, MAX_COUNT * 4);
                case 8 -> name = r.string("tensor name");
                case 9 -> raw = r.bytes("raw_data");
                case 14 -> external = r.int64("data_location") == 1;
                default -> r.skip();
            }
        }
        String label = "tensor '" + name + "'";
        if (external) {
            throw new ModelFormatException(path, at, label + " uses external data, which Minnow does not read");
        }
        DType dt = dtypeOf(type);
        if (dt == null) {
            throw new ModelFormatException(path, at, label + " has unsupported ONNX data type " + type);
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ModelFormatException(path, at, label + " has a negative dimension");
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(path, at, label + " shape overflows");
            }
        }
        long bytes;
        try {
            bytes = dt.byteSize(count);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(path, at, label + " size overflows");
        }
        if (raw != null) {
            if (raw[1] - raw[0] != bytes) {
                throw new ModelFormatException(path, raw[0], label + ": raw_data holds " + (raw[1] - raw[0]) + " bytes, "
                        + dt + java.util.Arrays.toString(shape) + " needs " + bytes);
            }
            MemorySegment s = r.slice(raw);
            return Map.entry(name, Tensor.wrap(s, dt, shape));
        }
        if (dt == DType.F32) {
            if (floatData.size() != count) {
                throw new ModelFormatException(path, at, label + ": float_data holds " + floatData.size() + " values, shape needs " + count);
            }
            float[] v = new float[(int) count];
            for (int k = 0; k < v.length; k++) {
                v[k] = floatData.get(k);
            }
            return Map.entry(name, Buffers.f32(v, shape));
        }
        if (dt == DType.I64 || dt == DType.I32) {
            if (intData.size() != count) {
                throw new ModelFormatException(path, at, label + ": int data holds " + intData.size() + " values, shape needs " + count);
            }
            Tensor t = Tensor.allocate(dt, shape);
            for (int k = 0; k < count; k++) {
                if (dt == DType.I64) {
                    t.segment().setAtIndex(Tensor.I64_LE, k, intData.get(k));
                } else {
                    t.segment().setAtIndex(Tensor.I32_LE, k, (int) (long) intData.get(k));
                }
            }
            return Map.entry(name, t);
        }
        if (count == 0) {
            return Map.entry(name, Tensor.allocate(dt, shape));
        }
        throw new ModelFormatException(path, at, label + ": " + dt + " data must be in raw_data");
    }

    public Path path() { return file.path(); }

    public long irVersion() { return irVersion; }

    /** Opset version of a domain ("" is the default ai.onnx domain), or -1. */
    public long opset(String domain) {
        Long v = opsets.get(domain.equals("ai.onnx") ? "" : domain);
        return v == null ? -1 : v;
    }

    public List<Node> nodes() { return nodes; }

    public Map<String, Tensor> initializers() { return initializers; }

    /** Graph inputs that are not initializers. */
    public List<ValueInfo> inputs() {
        return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
    }

    public List<ValueInfo> outputs() { return outputs; }

    @Override
    public void close() { file.close(); }

    @Override
    public String toString() {
        return "OnnxModel[" + file.path() + ", opset " + opset("") + ", " + nodes.size() + " nodes, " + initializers.size() + " initializers]";
    }
}
