package dev.minnow.nn;

import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Post-training int8 quantization of every {@link Conv2d} a network runs, without touching the network's code:
 * a {@link Calibration} observes each convolution's input while float passes run inside {@link Calibration#run},
 * {@link Calibration#quantize} turns the statistics into a {@link Plan}, and passes run inside {@link Plan#run}
 * execute each quantized convolution in integers ({@link Int8Conv}).
 *
 * <p>Scheme: weights per-output-channel symmetric int8 ({@code scale_c = max|W_c|/127}, codes in [−127, 127]);
 * each convolution's input per-tensor affine uint8 ({@code scale = (max − min)/255} over a range widened to hold
 * 0, {@code zp = rint(−min/scale)}), the range from the calibration min/max or from a percentile of the observed
 * values (clipping outliers). Rounding is half-to-even everywhere. Layers that are not Conv2d (the linear
 * classifier, pooling, residual adds) stay float; each quantized convolution dequantizes its int32 sums in a fused
 * epilogue (rescale, bias, activation) to F32, which the next convolution requantizes with its own parameters.
 */
public final class Int8Quantization {
    private Int8Quantization() {}

    /** How an activation range comes from the calibration statistics. */
    public enum Range { MIN_MAX, PERCENTILE }

    interface Session {
        /** The convolution's output, or null to run the float path. */
        Tensor conv(Conv2d conv, Tensor x);
    }

    private static final ScopedValue<Session> SESSION = ScopedValue.newInstance();

    /** Whether a calibration or int8 session is active on this thread (convolutions then go through {@link #intercept}). */
    static boolean active() {
        return SESSION.isBound();
    }

    static Tensor intercept(Conv2d conv, Tensor x) {
        return SESSION.isBound() ? SESSION.get().conv(conv, x) : null;
    }

    public static Calibration calibration() {
        return new Calibration();
    }

    /** Per-convolution statistics of the inputs seen: min, max and a uniform sample (reservoir of 2¹⁸ values). */
    public static final class Calibration implements Session {
        private static final int RESERVOIR = 1 << 18;
        private final Map<Conv2d, Observer> observers = new IdentityHashMap<>();
        private final List<Conv2d> order = new ArrayList<>();

        private Calibration() {}

        /** Runs {@code body} (float passes) while observing every convolution's input. */
        public <T> T run(Supplier<T> body) {
            return ScopedValue.where(SESSION, this).call(body::get);
        }

        /** Convolutions observed so far. */
        public synchronized int layers() { return order.size(); }

        @Override
        public synchronized Tensor conv(Conv2d conv, Tensor x) {
            Observer o = observers.get(conv);
            if (o == null) {
                o = new Observer(order.size());
                observers.put(conv, o);
                order.add(conv);
            }
            o.observe(x.toFloatArray());
            return null;
        }

        /**
         * The plan: {@code percentile} (e.g. 99.99, used with {@link Range#PERCENTILE}) clips each input range to
         * the [100 − p, p] percentiles of the observed values.
         */
        public synchronized Plan quantize(Range range, double percentile) {
            if (order.isEmpty()) {
                throw new IllegalStateException("int8 calibration saw no convolution: run float passes inside Calibration.run first");
            }
            if (range == Range.PERCENTILE && !(percentile > 50 && percentile <= 100)) {
                throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
            }
            Map<Conv2d, Int8Conv> q = new IdentityHashMap<>();
            for (Conv2d c : order) {
                float[] mm = observers.get(c).range(range, percentile);
                q.put(c, Int8Conv.of(c, mm[0], mm[1]));
            }
            return new Plan(q);
        }
    }

    /** The quantized convolutions of one network. */
    public static final class Plan implements Session {
        private final Map<Conv2d, Int8Conv> convs;

        private Plan(Map<Conv2d, Int8Conv> convs) {
            this.convs = convs;
        }

        /** Runs {@code body} with every planned convolution in int8. */
        public <T> T run(Supplier<T> body) {
            return ScopedValue.where(SESSION, this).call(body::get);
        }

        /** Quantized convolutions. */
        public int layers() { return convs.size(); }

        @Override
        public Tensor conv(Conv2d conv, Tensor x) {
            Int8Conv q = convs.get(conv);
            return q == null ? null : q.forward(x);
        }
    }

    private static final class Observer {
        private final SplittableRandom random;
        private final float[] sample = new float[Calibration.RESERVOIR];
        private long seen;
        private float min = Float.POSITIVE_INFINITY;
        private float max = Float.NEGATIVE_INFINITY;

        Observer(int index) {
            random = new SplittableRandom(0x51ab1e + index);
        }

        void observe(float[] x) {
            for (float v : x) {
                if (v != v) {
                    continue; // NaN carries no range
                }
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (seen < sample.length) {
                    sample[(int) seen] = v;
                } else {
                    long j = random.nextLong(seen + 1);
                    if (j < sample.length) {
                        sample[(int) j] = v;
                    }
                }
                seen++;
            }
        }

        float[] range(Range range, double p) {
            if (seen == 0) {
                return new float[] {0f, 0f};
            }
            if (range == Range.MIN_MAX) {
                return new float[] {min, max};
            }
            int n = (int) Math.min(seen, sample.length);
            float[] s = Arrays.copyOf(sample, n);
            Arrays.sort(s);
            int lo = (int) Math.floor((100 - p) / 100 * (n - 1)), hi = (int) Math.ceil(p / 100 * (n - 1));
            return new float[] {s[lo], s[hi]};
        }
    }
}
