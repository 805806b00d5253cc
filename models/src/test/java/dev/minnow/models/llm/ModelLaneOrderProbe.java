package dev.minnow.models.llm;

import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-model companion of the kernels' {@code LaneOrderProbe}: writes small Llama models (F32, Q8_0, Q4_0 weights)
 * into the directory given, runs a batched prompt and greedy decoding {@code reps} times, and prints, per model and
 * position, the token chosen and a hash of the logits' bits. {@link ModelLaneOrderTest} runs it interpreted and
 * C2-compiled and compares.
 */
public final class ModelLaneOrderProbe {
    private ModelLaneOrderProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int reps = Integer.parseInt(args[1]);
        Vocabulary vocab = writeModels(dir);
        List<String> out = new ArrayList<>();
        for (DType t : TYPES) {
            Path model = dir.resolve("probe-" + t + ".gguf");
            try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(32).batchSize(3))) {
                List<String> lines = null;
                for (int r = 0; r < reps; r++) {
                    lines = run(lm, t, vocab.bos());
                }
                out.addAll(lines);
            }
        }
        out.forEach(System.out::println);
    }

    private static final DType[] TYPES = {DType.F32, DType.Q8_0, DType.Q4_0};

    /** Writes the probe's models into {@code dir} unless they are there; returns their vocabulary. */
    static Vocabulary writeModels(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        Vocabulary vocab = ModelSynth.byteLevelVocabulary(60);
        for (DType t : TYPES) {
            Path model = dir.resolve("probe-" + t + ".gguf");
            if (!Files.exists(model)) {
                ModelSynth.writeLlama(model, new ModelSynth.Spec(64, 2, 4, 2, 96, 32, t, 17), vocab);
            }
        }
        return vocab;
    }

    private static List<String> run(LanguageModel lm, DType t, int bos) {
        LlamaSession s = lm.session();
        s.reset();
        int[] prompt = {bos, 5, 77, 300, 12, 260, 9, 31};
        List<String> lines = new ArrayList<>();
        float[] logits = s.forward(prompt);
        for (int step = 0; step < 6; step++) {
            int next = Sampler.argmax(logits);
            lines.add(t + " pos " + s.position() + " token " + next + " logits " + Integer.toHexString(hash(logits)));
            logits = s.forward(next);
        }
        return lines;
    }

    private static int hash(float[] v) {
        int h = 1;
        for (float f : v) {
            h = 31 * h + Float.floatToRawIntBits(f);
        }
        return h;
    }
}
