using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>The small ONNX models the tests build themselves.</summary>
internal static class TestModelFiles
{
    public static readonly float[] Weights = [1, 2, 3, 4, 5, 6]; // 3x2
    public static readonly float[] Bias = [0.5f, -1];

    /// <summary>y = x·W + b, x: float[N, 3], y: float[N, 2], N symbolic.</summary>
    public static byte[] Linear() => new OnnxGraphBuilder()
        .Input("x", TensorElementType.Float, "N", 3)
        .Initializer("w", Weights, 3, 2)
        .Initializer("b", Bias, 2)
        .Node("MatMul", ["x", "w"], ["xw"])
        .Node("Add", ["xw", "b"], ["y"])
        .Output("y", TensorElementType.Float, "N", 2)
        .Build();

    /// <summary>Echoes an int64 input and a string input.</summary>
    public static byte[] IdsAndWords() => new OnnxGraphBuilder()
        .Input("ids", TensorElementType.Int64, "N")
        .Input("words", TensorElementType.String, "N")
        .Node("Identity", ["ids"], ["ids_out"])
        .Node("Identity", ["words"], ["words_out"])
        .Output("ids_out", TensorElementType.Int64, "N")
        .Output("words_out", TensorElementType.String, "N")
        .Build();

    /// <summary>Two outputs: sum and product of a and b (float[N, 2]).</summary>
    public static byte[] SumAndProduct() => new OnnxGraphBuilder()
        .Input("a", TensorElementType.Float, "N", 2)
        .Input("b", TensorElementType.Float, "N", 2)
        .Node("Add", ["a", "b"], ["sum"])
        .Node("Mul", ["a", "b"], ["product"])
        .Output("sum", TensorElementType.Float, "N", 2)
        .Output("product", TensorElementType.Float, "N", 2)
        .Build();

    /// <summary>Identity on one input of <paramref name="type"/> with shape [N].</summary>
    public static byte[] Identity(TensorElementType type) => new OnnxGraphBuilder()
        .Input("in", type, "N")
        .Node("Identity", ["in"], ["out"])
        .Output("out", type, "N")
        .Build();

    public static float[] LinearExpected(float[] x)
    {
        var rows = x.Length / 3;
        var y = new float[rows * 2];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < 2; c++)
            {
                var sum = Bias[c];
                for (var k = 0; k < 3; k++)
                {
                    sum += x[(r * 3) + k] * Weights[(k * 2) + c];
                }

                y[(r * 2) + c] = sum;
            }
        }

        return y;
    }
}
