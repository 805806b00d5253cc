package dev.minnow.models;

/** The model families Minnow runs, with the files each loads from. */
public enum ModelFamily {
    LLM("small language models", "GGUF"),
    CNN("mobile CNNs", "safetensors, ONNX"),
    LIGHT_FIELD("neural light fields (MobileR2L)", "safetensors");

    private final String description;
    private final String formats;

    ModelFamily(String description, String formats) {
        this.description = description;
        this.formats = formats;
    }

    public String description() { return description; }

    public String formats() { return formats; }
}
