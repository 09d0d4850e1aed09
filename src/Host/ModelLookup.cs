using ModelActors.Host.Server;
using ModelActors.Onnx;

namespace ModelActors.Host;

/// <summary>Finds the model (and version) a route names, answering what a route must answer when it cannot serve it.</summary>
internal static class ModelLookup
{
    /// <summary>Null when found (with its description), else the 404 answer naming what exists.</summary>
    public static IResult? Find(ModelLibrary library, string model, out ModelDescription description) =>
        Problem(library, null, model, null, out description) is { } problem ? HttpErrors.Error(problem.Status, problem.Message) : null;

    /// <summary>As <see cref="Find(ModelLibrary, string, out ModelDescription)"/> for the version asked for (the newest without one), and 404 for a version not served.</summary>
    public static IResult? Find(ModelLibrary library, ModelVersions versions, string model, string? version, out ModelDescription description) =>
        Problem(library, versions, model, version, out description) is { } problem ? HttpErrors.Error(problem.Status, problem.Message) : null;

    /// <summary>
    /// Null when the model (and the version, when one is asked for) is served, with its description; else the
    /// status and message every protocol answers (404 naming what exists). <paramref name="versions"/> may be null when no version is asked for.
    /// </summary>
    public static (int Status, string Message)? Problem(ModelLibrary library, ModelVersions? versions, string model, string? version, out ModelDescription description)
    {
        description = null!;
        var resolved = versions?.Resolve(model, version);
        var name = resolved ?? model;
        if (resolved is null && versions is not null && versions.Serves(model) && !string.IsNullOrEmpty(version))
        {
            return (StatusCodes.Status404NotFound, versions.All(model) is { Count: > 0 } served
                ? $"Model '{model}' has no version '{version}'; served: {string.Join(", ", served)}."
                : $"Model '{model}' has no versions; call /v2/models/{model} without one.");
        }

        try
        {
            description = library.Describe(name);
        }
        catch (ModelNotFoundException exception)
        {
            // A repository model being replaced or unloaded: the newest serving it now, or not found under the name asked
            // for; what exists is told by the names clients call (a repository model's versions are library models of
            // their own, named name#g@v inside).
            if (versions?.ServedBy(name) is not null)
            {
                return (StatusCodes.Status404NotFound, $"Model '{model}' is not served now (it was unloaded).");
            }

            var known = versions?.PublicNames(exception.KnownNames) ?? exception.KnownNames;
            return (StatusCodes.Status404NotFound, new ModelNotFoundException(model, known, ModelActors.Models.NameSuggester.Nearest(model, known)).Message);
        }

        return string.IsNullOrEmpty(version) || (versions?.Serves(model) ?? false)
            ? null
            : (StatusCodes.Status404NotFound, $"Model '{model}' has no versions; call /v2/models/{model} without one.");
    }

    /// <summary>
    /// Why a model's metadata cannot be told (every protocol's 503): it failed to load, or it is a tensor model whose
    /// inputs and outputs are known only once it has loaded; null when they are known (or it is a typed model, or a
    /// loaded C# tensor model that declares none: it takes any tensors).
    /// </summary>
    public static string? SignatureUnknown(ModelDescription description, TensorSignature? signature) =>
        HttpErrors.FailedToLoadMessage(description)
        ?? (signature is null && description.ItemType == typeof(OnnxTensors) && description.State != ModelState.Ready
            ? $"Model '{description.Name}' is {description.State}: its inputs and outputs are known once it has loaded."
            : null);

    /// <summary>Null when the typed JSON routes can serve the model, else the answer: 404, 503 (it failed to load) or 400 (a tensor model).</summary>
    public static IResult? FindTyped(ModelLibrary library, string model, out ModelDescription description)
    {
        if (Find(library, model, out description) is { } notFound)
        {
            return notFound;
        }

        return HttpErrors.FailedToLoad(description)
            ?? (description.ItemType == typeof(OnnxTensors)
                ? HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}' is a tensor model: call POST /v2/models/{model}/infer with a v2 JSON request.")
                : null);
    }
}
