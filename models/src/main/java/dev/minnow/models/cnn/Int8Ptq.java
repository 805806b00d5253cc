package dev.minnow.models.cnn;

import dev.minnow.nn.Buffers;
import dev.minnow.nn.Int8Quantization;
import dev.minnow.tensor.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Post-training int8 quantization of any network whose convolutions are {@link dev.minnow.nn.Conv2d}s
 * ({@link CnnModel}, MobileR2L, {@code OnnxGraph}): runs the float network over calibration samples and returns the
 * {@link Int8Quantization.Plan}; {@link #int8} wraps the network so each call runs its convolutions in int8.
 */
public final class Int8Ptq {
    private Int8Ptq() {}

    /**
     * Calibrates {@code net} on {@code samples} (NCHW: fed {@code batch} images at a time; any other rank: fed
     * whole). {@code percentile} is used with {@link Int8Quantization.Range#PERCENTILE}.
     */
    public static Int8Quantization.Plan calibrate(UnaryOperator<Tensor> net, Tensor samples, int batch,
                                                  Int8Quantization.Range range, double percentile) {
        Int8Quantization.Calibration cal = Int8Quantization.calibration();
        if (samples.rank() != 4 || samples.dim(0) <= batch) {
            cal.run(() -> net.apply(samples));
        } else {
            long n = samples.dim(0);
            long per = samples.elementCount() / n;
            float[] all = samples.toFloatArray();
            for (long from = 0; from < n; from += batch) {
                long to = Math.min(n, from + batch);
                Tensor part = Buffers.f32(Arrays.copyOfRange(all, (int) (from * per), (int) (to * per)),
                        to - from, samples.dim(1), samples.dim(2), samples.dim(3));
                cal.run(() -> net.apply(part));
            }
        }
        return cal.quantize(range, percentile);
    }

    /** {@code net} with its planned convolutions in int8. */
    public static UnaryOperator<Tensor> int8(UnaryOperator<Tensor> net, Int8Quantization.Plan plan) {
        return t -> plan.run(() -> net.apply(t));
    }
}
