using ModelActors;

namespace ModelActors.Host;

/// <summary>The KServe v2 / Open Inference Protocol routes the host answers so far: server and model metadata and health.</summary>
public static class InferenceProtocolEndpoints
{
    /// <summary>Maps <c>/v2</c>, <c>/v2/health/live</c>, <c>/v2/health/ready</c>, <c>/v2/models/{m}</c> and <c>/v2/models/{m}/ready</c>.</summary>
    /// <param name="app">The application's route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapInferenceProtocol(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v2 = app.MapGroup("/v2");
        v2.MapGet("/", (ModelLibrary library) => Results.Json(new
        {
            name = "modelactors",
            version = typeof(ModelLibrary).Assembly.GetName().Version?.ToString(),
            extensions = Array.Empty<string>(),
            models = library.ModelNames,
        }));
        v2.MapGet("/health/live", () => Results.Json(new { live = true }));
        v2.MapGet("/health/ready", (ModelLibrary library) =>
        {
            var ready = Required(library).All(d => d.State == ModelState.Ready);
            return Results.Json(new { ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        v2.MapGet("/models/{model}", (string model, ModelLibrary library) => WithModel(library, model, d => Results.Json(new
        {
            name = d.Name,
            platform = "modelactors",
            versions = Array.Empty<string>(),
            item_type = d.ItemType.Name,
            result_type = d.ResultType.Name,
            replicas = d.Replicas,
            router = d.Router.ToString(),
            dependencies = d.Dependencies,
            state = d.State.ToString(),
            load_ms = d.LoadDuration?.TotalMilliseconds,
            error = d.Error,
        })));
        v2.MapGet("/models/{model}/ready", (string model, ModelLibrary library) => WithModel(library, model, d =>
        {
            var ready = d.State == ModelState.Ready;
            return Results.Json(new { name = d.Name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }));
        return app;
    }

    private static IEnumerable<ModelDescription> Required(ModelLibrary library) =>
        library.Options.RequiredModels.Count == 0
            ? library.Describe()
            : library.Describe().Where(d => library.Options.RequiredModels.Contains(d.Name));

    private static IResult WithModel(ModelLibrary library, string model, Func<ModelDescription, IResult> answer)
    {
        try
        {
            return answer(library.Describe(model));
        }
        catch (ModelNotFoundException exception)
        {
            return Results.Json(new { error = exception.Message }, statusCode: StatusCodes.Status404NotFound);
        }
    }
}
