using ModelActors.Hosting;
using MyService;

var builder = WebApplication.CreateBuilder(args);

// The models of this assembly, in the host's Akka.NET actor system (Akka.Hosting); they load when the host starts.
builder.Services.AddModelActors(models => models.AddModelsFromAssembly(typeof(Program).Assembly));

var app = builder.Build();

// POST /models/word-count/predict with a JSON string: the model's answer, as JSON (every model, whatever its types).
app.MapModelRoutes();

app.Run();

/// <summary>The service (public for tests that host it).</summary>
public partial class Program;
