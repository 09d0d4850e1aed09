using Microsoft.Extensions.Options;
using ModelActors.Onnx;

using ModelActors.Host.Server;

namespace ModelActors.Host.V2;

/// <summary><c>POST /v2/models/{m}[/versions/{v}]/infer</c>: JSON tensors in, the tensor model's outputs back; the call is cancelled when the client disconnects.</summary>
internal static class InferEndpoint
{
    public static async Task<IResult> ServeAsync(string model, string? version, HttpContext context, ModelLibrary library, ModelVersions versions, IOptions<ServerOptions> options)
    {
        if (ModelLookup.Find(library, versions, model, version, out var description) is { } notFound)
        {
            return notFound;
        }

        if (description.ItemType != typeof(OnnxTensors) || description.ResultType != typeof(OnnxTensors))
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest,
                $"Model '{model}' takes {description.ItemType.Name} items, not tensors: call POST /models/{model}/predict with a JSON item.");
        }

        if (HttpErrors.FailedToLoad(description) is { } failed)
        {
            return failed;
        }

        // A version other than the newest is a model of its own (name@version): requests go to it, errors name it.
        var served = description.Name;
        if (HttpErrors.Saturated(library, served, context) is { } saturated)
        {
            return saturated;
        }

        var limit = options.Value.MaxRequestBodySize;
        if (await RequestBodies.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false) is not { } body)
        {
            return RequestBodies.TooLarge(limit);
        }

        // A model replaced while the body was read: the request goes to the version serving now.
        served = versions.Resolve(model, version) ?? served;
        var servedVersion = versions.Of(served); // read now: a replace may retire this generation while it answers
        InferRequest request;
        try
        {
            long? headerLength = context.Request.Headers.TryGetValue(InferResponse.HeaderLength, out var header)
                ? long.TryParse(header.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
                    ? length
                    : throw new InferRequestException($"Model '{model}': {InferResponse.HeaderLength} is '{header}', not a byte count.")
                : null;
            request = InferRequestReader.Read(body, served, library.GetTensorSignature(served), headerLength);
        }
        catch (InferRequestException exception)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
        }

        try
        {
            var outputs = await library.Get<OnnxTensors, OnnxTensors>(served).PredictAsync(request.Inputs, context.RequestAborted).ConfigureAwait(false);
            if (V2Signature.MissingOutput(model, request.Outputs, outputs) is { } missing)
            {
                return HttpErrors.Error(StatusCodes.Status400BadRequest, missing);
            }

            if (InferResponse.NotText(model, request, outputs) is { } notText)
            {
                return HttpErrors.Error(StatusCodes.Status400BadRequest, notText);
            }

            return new InferResponse(model, servedVersion, request, outputs);
        }
        catch (Exception exception)
        {
            return HttpErrors.For(exception, served, context);
        }
    }
}
