using ModelActors;
using ModelActors.Diagnostics;
using ModelActors.Hosting;
using ModelActors.Host;
using ModelActors.Host.Streaming;
using OpenTelemetry.Metrics;

var builder = WebApplication.CreateBuilder(args);

// config/modelactors.json (copied next to the binary) unless --config names another file.
var configPath = builder.Configuration["config"] ?? Path.Combine(AppContext.BaseDirectory, "modelactors.json");
builder.Configuration.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
builder.Configuration.AddCommandLine(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["Urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080"); // loopback unless told otherwise
}

// --model-repository DIR: every DIR/<model>/[<version>/]model.onnx becomes an OnnxModel (Triton's layout).
var versions = new ModelVersions();
if (builder.Configuration["model-repository"] is { Length: > 0 } repository)
{
    var (repositorySettings, served) = ModelRepository.Scan(repository);
    builder.Configuration.AddInMemoryCollection(repositorySettings);
    foreach (var (model, version) in served)
    {
        versions.Add(model, version);
    }
}

builder.Services.AddModelActors(models => models
    .AddModelTypesFrom(typeof(Program).Assembly)
    .Bind(builder.Configuration.GetSection("ModelActors")));

// /metrics in Prometheus text format: the ModelActors meter, plus ASP.NET Core's own request and Kestrel metrics.
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(ModelActorsTelemetry.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
    .AddPrometheusExporter());

builder.Services.Configure<ServerOptions>(builder.Configuration.GetSection("Server"));
var serverOptions = builder.Configuration.GetSection("Server").Get<ServerOptions>() ?? new ServerOptions();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = serverOptions.MaxRequestBodySize);
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = serverOptions.ShutdownGrace);
builder.Services.AddSingleton(versions);
builder.Services.AddSingleton<ServerReadiness>();

var app = builder.Build();
app.MapInferenceProtocol();
app.MapTypedModels();
app.MapModelStreams();
app.MapPrometheusScrapingEndpoint("/metrics");
app.Run();

/// <summary>The host's entry point (public so that tests can start it in memory).</summary>
public partial class Program;
