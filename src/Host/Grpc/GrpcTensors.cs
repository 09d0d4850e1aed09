using System.Text;
using Google.Protobuf;
using ModelActors.Host.Grpc.Protocol;
using ModelActors.Host.V2;
using ModelActors.Onnx;

namespace ModelActors.Host.Grpc;

/// <summary>
/// Tensors in and out of the Open Inference Protocol's gRPC messages: inputs from <c>raw_input_contents</c>
/// (the binary extension's layout, what Triton's clients send) or from typed <c>contents</c>; outputs as
/// <c>raw_output_contents</c>. Checked against the model's signature as the JSON route checks them.
/// </summary>
internal static class GrpcTensors
{
    /// <summary>The request's inputs, and the outputs it asks for (null for all).</summary>
    /// <exception cref="InferRequestException">The request is malformed or does not fit the model (its message names the input).</exception>
    public static (OnnxTensors Inputs, List<string>? Outputs) Read(ModelInferRequest request, string model, TensorSignature? signature)
    {
        if (request.Inputs.Count == 0)
        {
            throw new InferRequestException($"Model '{model}': the request has no inputs.");
        }

        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw new InferRequestException($"Model '{model}': raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; give one per input, in order.");
        }

        var inputs = new OnnxTensors();
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var name = input.Name is { Length: > 0 } n ? n : throw new InferRequestException($"Model '{model}': inputs[{i}] has no name.");
            if (inputs.ContainsKey(name))
            {
                throw new InferRequestException($"Model '{model}': input '{name}' is given twice.");
            }

            var type = V2Signature.ParseDatatype(model, name, input.Datatype);
            V2Signature.CheckInput(signature, model, name, type, input.Datatype);
            var shape = input.Shape.ToArray();
            var what = $"Model '{model}': input '{name}' ({input.Datatype})";
            if (Array.Exists(shape, d => d < 0))
            {
                throw new InferRequestException($"{what} has shape [{string.Join(", ", shape)}]; dimensions are whole numbers ≥ 0.");
            }

            if (raw.Count > 0)
            {
                if (input.Contents is not null)
                {
                    throw new InferRequestException($"{what} has contents while the request uses raw_input_contents; use one or the other.");
                }

                inputs[name] = BinaryTensors.Read(raw[i].Span, type, shape, what);
            }
            else
            {
                inputs[name] = FromContents(input.Contents ?? throw new InferRequestException($"{what} has no contents (and the request has no raw_input_contents)."), type, shape, what);
            }
        }

        V2Signature.CheckComplete(signature, model, inputs);
        List<string>? outputs = null;
        foreach (var output in request.Outputs)
        {
            V2Signature.CheckOutput(signature, model, output.Name);
            (outputs ??= []).Add(output.Name);
        }

        return (inputs, outputs);
    }

    /// <summary>The answer: each output (those asked for, or all) with its datatype and shape, its elements in <c>raw_output_contents</c>.</summary>
    public static ModelInferResponse Write(string model, string? version, string id, OnnxTensors outputs, IReadOnlyList<string>? names)
    {
        var response = new ModelInferResponse { ModelName = model, ModelVersion = version ?? string.Empty, Id = id };
        foreach (var name in names ?? [.. outputs.Keys])
        {
            var tensor = outputs[name];
            var output = new ModelInferResponse.Types.InferOutputTensor { Name = name, Datatype = V2Datatypes.NameOf(tensor.ElementType) };
            output.Shape.AddRange(tensor.Shape);
            response.Outputs.Add(output);
            response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(BinaryTensors.Write(tensor))); // a fresh array, never written again
        }

        return response;
    }

    private static OnnxTensor FromContents(InferTensorContents contents, TensorElementType type, long[] shape, string what)
    {
        var count = BinaryTensors.ElementCount(shape);

        T[] Take<T>(IReadOnlyList<T> values, string field) =>
            values.Count == count
                ? [.. values]
                : throw new InferRequestException($"{what}: shape [{string.Join(", ", shape)}] holds {count} elements, but {field} has {values.Count}.");

        TOut[] Narrow<TIn, TOut>(IReadOnlyList<TIn> values, string field, Func<TIn, TOut?> convert)
            where TOut : struct
        {
            var taken = Take(values, field);
            var result = new TOut[taken.Length];
            for (var i = 0; i < taken.Length; i++)
            {
                result[i] = convert(taken[i]) ?? throw new InferRequestException($"{what}: {field}[{i}] = {taken[i]} is out of range for its datatype.");
            }

            return result;
        }

        return type switch
        {
            TensorElementType.Bool => OnnxTensor.Create(Take(contents.BoolContents, "bool_contents"), shape),
            TensorElementType.Int8 => OnnxTensor.Create(Narrow<int, sbyte>(contents.IntContents, "int_contents", v => v is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)v : null), shape),
            TensorElementType.Int16 => OnnxTensor.Create(Narrow<int, short>(contents.IntContents, "int_contents", v => v is >= short.MinValue and <= short.MaxValue ? (short)v : null), shape),
            TensorElementType.Int32 => OnnxTensor.Create(Take(contents.IntContents, "int_contents"), shape),
            TensorElementType.Int64 => OnnxTensor.Create(Take(contents.Int64Contents, "int64_contents"), shape),
            TensorElementType.UInt8 => OnnxTensor.Create(Narrow<uint, byte>(contents.UintContents, "uint_contents", v => v <= byte.MaxValue ? (byte)v : null), shape),
            TensorElementType.UInt16 => OnnxTensor.Create(Narrow<uint, ushort>(contents.UintContents, "uint_contents", v => v <= ushort.MaxValue ? (ushort)v : null), shape),
            TensorElementType.UInt32 => OnnxTensor.Create(Take(contents.UintContents, "uint_contents"), shape),
            TensorElementType.UInt64 => OnnxTensor.Create(Take(contents.Uint64Contents, "uint64_contents"), shape),
            TensorElementType.Float => OnnxTensor.Create(Take(contents.Fp32Contents, "fp32_contents"), shape),
            TensorElementType.Double => OnnxTensor.Create(Take(contents.Fp64Contents, "fp64_contents"), shape),
            TensorElementType.String => OnnxTensor.FromBytes([.. Take(contents.BytesContents, "bytes_contents").Select(b => b.ToByteArray())], shape),
            _ => throw new InferRequestException($"{what}: FP16 and BF16 have no typed contents in the protocol; send them in raw_input_contents."),
        };
    }
}
