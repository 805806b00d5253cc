/** Model architectures and their loaders (LLMs from GGUF, CNNs from safetensors/ONNX, light fields). */
module dev.minnow.models {
    requires transitive dev.minnow.nn;
    requires transitive java.desktop;
    requires jdk.management;
    exports dev.minnow.models;
    exports dev.minnow.models.cnn;
    exports dev.minnow.models.lightfield;
    exports dev.minnow.models.onnx;
    exports dev.minnow.models.sparse;
    exports dev.minnow.models.llm;
    exports dev.minnow.models.tokenizer;
}
