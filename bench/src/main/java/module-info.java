/** Benchmarks: JMH kernels (scalar/vector pairs) and the machine probes behind {@code minnow bench}. */
module dev.minnow.bench {
    requires transitive dev.minnow.models;
    requires jmh.core;
    requires java.management;
    exports dev.minnow.bench;
    exports dev.minnow.bench.cnn;
    exports dev.minnow.bench.jmh;
    exports dev.minnow.bench.quant;
    opens dev.minnow.bench.jmh;
}
