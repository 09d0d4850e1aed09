using ModelActors.Host.Server;

namespace ModelActors.Host.V2;

/// <summary>Finds the model (and version) a v2 route names, answering 404 with what exists when it does not.</summary>
internal static class V2Models
{
    /// <summary>Null when found (with its description), else the 404 answer.</summary>
    public static IResult? Find(ModelLibrary library, ModelVersions versions, string model, string? version, out ModelDescription description)
    {
        description = null!;
        try
        {
            description = library.Describe(model);
        }
        catch (ModelNotFoundException exception)
        {
            return HttpErrors.Error(StatusCodes.Status404NotFound, exception.Message);
        }

        if (version is null || version == versions.Of(model))
        {
            return null;
        }

        return HttpErrors.Error(StatusCodes.Status404NotFound, versions.Of(model) is { } served
            ? $"Model '{model}' has no version '{version}'; version '{served}' is served."
            : $"Model '{model}' has no versions; call /v2/models/{model} without one.");
    }
}
