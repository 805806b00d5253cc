package dev.minnow.cli;

import dev.minnow.models.llm.KvCacheType;
import dev.minnow.models.llm.LanguageModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow logits}: the logits after a prompt, as a .npy file. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Run a prompt (with BOS) and write the logits after its last token as float32 .npy.")
final class LogitsCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "prompt text")
    String prompt;

    @Option(names = {"-o", "--output"}, required = true, description = "output .npy file (float32, shape (vocab,))")
    Path output;

    @Option(names = "--ctx", defaultValue = "0", description = "context size; 0 is min(trained context, 2048)")
    int ctx;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Option(names = "--kv-type", defaultValue = "f32", description = "KV cache type: f32 or f16 (default ${DEFAULT-VALUE})")
    String kvType;

    @Override
    public Integer call() {
        Timing.threads(threads);
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(ctx)
                .kvCacheType(KvCacheType.parse(kvType)))) {
            int n = lm.tokenizer().encode(prompt, true).length;
            float[] logits = lm.logits(prompt);
            writeNpy(output, logits);
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            System.out.printf(Locale.ROOT, "%d prompt tokens, %d logits -> %s (argmax %d, %.4f)%n", n, logits.length, output, best, logits[best]);
        }
        return 0;
    }

    /** NumPy .npy v1.0, little-endian float32, 1-D. */
    static void writeNpy(Path path, float[] data) {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + data.length + ",), }";
        int unpadded = 10 + header.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        b.asFloatBuffer().put(data);
        try {
            Files.write(path, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
