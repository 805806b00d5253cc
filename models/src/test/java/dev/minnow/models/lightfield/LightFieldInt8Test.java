package dev.minnow.models.lightfield;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Int8Quantization;
import dev.minnow.tensor.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Int8 rendering of the fixture light field against the float render of views not used for calibration. */
@Tag("conformance")
class LightFieldInt8Test {
    @Test
    void int8RenderIsCloseToFloat() {
        Path dir = Fixtures.path("lightfield");
        try (LightField lf = LightField.load(dir.resolve("model.safetensors"))) {
            List<Camera> calib = List.of(Camera.orbit(4, 0, 15, 12, 16, 14, 2, 6, 8, 6), Camera.orbit(4, 120, 25, 12, 16, 14, 2, 6, 8, 6),
                    Camera.orbit(4, 240, 5, 12, 16, 14, 2, 6, 8, 6));
            for (Int8Quantization.Range range : Int8Quantization.Range.values()) {
                Int8Quantization.Plan plan = lf.quantizeInt8(calib, range, 99.99);
                double worst = Double.POSITIVE_INFINITY;
                for (double az : new double[] {30, 75, 200}) {
                    Camera view = Camera.orbit(4, az, 15, 12, 16, 14, 2, 6, 8, 6);
                    double psnr = LightField.psnr(lf.render(view), lf.render(view, plan));
                    worst = Math.min(worst, psnr);
                }
                System.out.printf("lightfield int8 %s (%d convs): worst PSNR vs float %.2f dB over 3 held-out views%n", range, plan.layers(), worst);
                assertTrue(worst > 30 && worst < Double.POSITIVE_INFINITY, range + ": PSNR " + worst);
            }
        }
    }
}
