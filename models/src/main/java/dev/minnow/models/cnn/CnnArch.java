package dev.minnow.models.cnn;

import dev.minnow.nn.Layer;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** The CNN architectures Minnow loads from torchvision-named safetensors, with the names {@code --arch} accepts. */
public enum CnnArch {
    MOBILENET_V2("mobilenet_v2", MobileNetV2::build),
    MOBILENET_V3("mobilenet_v3", MobileNetV3::build),
    SQUEEZENET("squeezenet", SqueezeNet::build),
    RESNET("resnet", ResNet::build),
    MNASNET("mnasnet", MnasNet::build),
    DIGITS("digits", DigitsNet::build);

    private final String id;
    private final Function<StateDict, Layer> builder;

    CnnArch(String id, Function<StateDict, Layer> builder) {
        this.id = id;
        this.builder = builder;
    }

    public String id() { return id; }

    Layer build(StateDict sd) { return builder.apply(sd); }

    /**
     * The architecture named {@code name}: an id above or a torchvision constructor name that starts with one
     * ({@code squeezenet1_1}, {@code resnet50}, {@code mobilenet_v3_small}, {@code mnasnet1_0}).
     */
    public static CnnArch parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (CnnArch a : values()) {
            if (n.equals(a.id) || n.startsWith(a.id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + name + "'; known: mobilenet_v2, mobilenet_v3_small|large, "
                + "squeezenet1_0|1_1, resnet18|34|50|101|152, mnasnet0_5|0_75|1_0|1_3, digits");
    }

    /** Guesses the architecture from the state_dict names, or null. */
    public static CnnArch detect(Set<String> names) {
        if (names.contains("features.1.conv.0.0.weight")) {
            return MOBILENET_V2;
        }
        if (names.contains("features.1.block.0.0.weight")) {
            return MOBILENET_V3;
        }
        if (names.contains("features.3.squeeze.weight")) {
            return SQUEEZENET;
        }
        if (names.contains("layer1.0.conv1.weight")) {
            return RESNET;
        }
        if (names.contains("layers.8.0.layers.0.weight")) {
            return MNASNET;
        }
        if (names.contains("conv1.weight") && names.contains("dw.weight") && names.contains("pw.weight")) {
            return DIGITS;
        }
        return null;
    }
}
