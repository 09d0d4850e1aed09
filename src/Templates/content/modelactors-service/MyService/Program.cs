using Microsoft.AspNetCore.Mvc;
using ModelActors;
using ModelActors.Hosting;

var builder = WebApplication.CreateBuilder(args);

// The models of this assembly, in the host's Akka.NET actor system (Akka.Hosting); they load when the host starts.
builder.Services.AddModelActors(models => models.AddModelsFromAssembly(typeof(Program).Assembly));

var app = builder.Build();

// POST /models/word-count/predict with a JSON string: the model's answer, as JSON.
app.MapPost("/models/{m}/predict", async (string m, [FromBody] string item, ModelLibrary library, CancellationToken cancellationToken) =>
{
    try
    {
        return Results.Ok(await library.Get<string, int>(m).PredictAsync(item, cancellationToken));
    }
    catch (ModelNotFoundException error)
    {
        return Results.NotFound(new { error = error.Message });
    }
});

app.Run();

/// <summary>The service (public for tests that host it).</summary>
public partial class Program;
