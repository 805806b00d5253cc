# Sourced by the device CNN benches: cnn_onnx_cases DIR CLASSPATH writes the random-weight ONNX exports of
# MobileNetV2 1.0, MobileNetV3-Small, MnasNet 1.0 and ResNet18 at 224x224 (the bench test classes CnnOnnx and
# MobileNetV2Onnx, run with $JAVA and ${JV[@]}) under DIR and sets CASES to OrtCompare's name=model.onnx:input.npy list.
cnn_onnx_cases() {
  local d=$1 cp=$2 a
  for a in resnet18 mnasnet1_0 mobilenet_v3_small; do
    "$JAVA" "${JV[@]}" -cp "$cp" dev.minnow.bench.cnn.CnnOnnx $a 224 "$d/$a" >/dev/null 2>&1 || echo "CnnOnnx $a failed"
  done
  "$JAVA" "${JV[@]}" -cp "$cp" dev.minnow.bench.cnn.MobileNetV2Onnx 1.0 224 "$d/mobilenet_v2_1.0" >/dev/null 2>&1 || echo "MobileNetV2Onnx failed"
  CASES=""
  for a in mobilenet_v2_1.0 mobilenet_v3_small mnasnet1_0 resnet18; do CASES="$CASES $a=$d/$a/model.onnx:$d/$a/input.npy"; done
}
