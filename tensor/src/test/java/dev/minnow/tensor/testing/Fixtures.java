package dev.minnow.tensor.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference fixtures ({@code ../shared/fixtures}, made with PyTorch and llama.cpp). Tests that use them carry
 * {@code @Tag("conformance")}. A missing fixture is a failure, never a skip: {@code ./minnow test} excludes the tag
 * (and says so) on machines without the fixtures, and CI refuses to run without them.
 */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        String p = System.getProperty("minnow.fixtures");
        if (p == null || p.isBlank()) {
            throw new IllegalStateException("system property minnow.fixtures is not set; run ./minnow test");
        }
        Path root = Path.of(p);
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("fixtures not found at " + root + " (run ./minnow test, which skips the conformance suite when they are absent)");
        }
        return root;
    }

    /** A file or folder under the fixtures root; fails when it does not exist. */
    public static Path path(String relative) {
        Path f = root().resolve(relative);
        if (!Files.exists(f)) {
            throw new IllegalStateException("fixture missing: " + f);
        }
        return f;
    }
}
