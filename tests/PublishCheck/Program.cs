using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

// Builds y = x + x, runs it through the ONNX Runtime package from wherever this app was published, and prints the answer.
var model = new OnnxGraphBuilder()
    .Input("x", TensorElementType.Float, 3)
    .Node("Add", ["x", "x"], ["y"])
    .Output("y", TensorElementType.Float, 3)
    .Build();
using var session = new InferenceSession(model);
var y = session.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new float[] { 1, 2, 3 }, 3) })["y"].GetData<float>();
Console.WriteLine($"onnxruntime {InferenceSession.RuntimeVersion}: {string.Join(",", y)}");
