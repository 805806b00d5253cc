package dev.minnow.bench.quant;

import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.vector.DensityProbe;
import java.util.Locale;

/**
 * Read bandwidth against compute density ({@link DensityProbe}): GB/s at 1 and 2 threads for a plain vector sum and
 * for the 4-bit decode GEMV's work per loaded vector (2, 4, 8 levels, i.e. about 7, 13 and 26 vector operations per
 * 64-byte line at 512 bits), from memory (a buffer far larger than the caches) and from the caches (many passes over
 * 256 KiB per thread). Variants at 8 levels: two streams per thread, the exponent trick instead of the conversion, and four streams with it.
 *
 * <p>Usage: {@code DensityBench [bytes]} (default 1 GB), with {@code -Dminnow.threads=2}.
 */
public final class DensityBench {
    private DensityBench() {}

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        long bytes = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000_000L;
        int max = Math.min(2, Parallel.threads());
        System.out.printf("DensityBench: %d-bit vectors, %d MB from memory, 256 KiB per thread from cache%n",
                DensityProbe.bits(), bytes / 1_000_000);
        System.out.printf("%-22s %8s | %9s %9s | %9s %9s%n", "loop", "ops/line", "mem 1t", "mem " + max + "t", "cache 1t", "cache " + max + "t");
        Object[][] cases = {
                {"sum", 0, 1, false, "2"}, {"levels 2", 2, 1, false, "7"}, {"levels 4", 4, 1, false, "13"},
                {"levels 8 (panel)", 8, 1, false, "26"}, {"levels 8, 2 streams", 8, 2, false, "26"},
                {"levels 8, exp. trick", 8, 1, true, "21/29"}, {"exp. trick, 2 streams", 8, 2, true, "21/29"},
                {"exp. trick, 4 streams", 8, 4, true, "21/29"}};
        for (Object[] c : cases) {
            int levels = (Integer) c[1], streams = (Integer) c[2];
            boolean bits = (Boolean) c[3];
            double m1 = DensityProbe.stream(levels, streams, bits, 1, bytes, 3, 1);
            double m2 = DensityProbe.stream(levels, streams, bits, max, bytes, 3, 1);
            double c1 = DensityProbe.stream(levels, streams, bits, 1, 256 << 10, 3, 2000);
            double c2 = DensityProbe.stream(levels, streams, bits, max, (256L << 10) * max, 3, 2000);
            System.out.printf("%-22s %8s | %9.2f %9.2f | %9.2f %9.2f%n", c[0], c[4], m1, m2, c1, c2);
        }
        System.out.println("GB/s read; ops/line = vector operations per 64 bytes at 512 bits (the exponent trick: 21 if C2 fuses AND+OR into vpternlogd, else 29)");
    }
}
