/** Model architectures and their loaders (LLMs from GGUF, CNNs from safetensors/ONNX, light fields). */
module dev.minnow.models {
    requires transitive dev.minnow.nn;
    exports dev.minnow.models;
    exports dev.minnow.models.cnn;
}
