using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelActors.Diagnostics;
using ModelActors.Host.Grpc;
using ModelActors.Host.Jobs;
using ModelActors.Host.Streaming;
using OpenTelemetry.Metrics;

namespace ModelActors.Host.Server;

/// <summary>The <c>serve</c> command's web application: configuration, Kestrel limits, the routes and <c>/metrics</c>.</summary>
internal static class ServerApp
{
    /// <summary>Builds the server from the command line (<c>--config</c>, <c>--urls</c>, <c>--model-repository</c>, any configuration key).</summary>
    public static WebApplication Build(string[] args)
    {
        args = ServeArguments.WithoutUrls(args, out var urls); // bound by GrpcEndpoint.Listen, kept out of the web host's own settings
        var builder = WebApplication.CreateBuilder(args);
        var versions = ServerSetup.Configure(builder.Configuration, args, strict: true);

        var serverOptions = builder.Configuration.GetSection("Server").Get<ServerOptions>() ?? new ServerOptions();
        ServerSettings.Check(builder.Configuration, serverOptions);
        builder.WebHost.UseSockets(sockets => sockets.Backlog = serverOptions.ListenBacklog);
        GrpcEndpoint.Listen(builder, serverOptions, urls); // HTTP on --urls (loopback unless told otherwise), gRPC on its own port
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = serverOptions.MaxRequestBodySize);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = serverOptions.LameDuck + serverOptions.ShutdownGrace);
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (serverOptions.Jobs.Store.Equals("sqlite", StringComparison.OrdinalIgnoreCase) && serverOptions.Jobs.ConnectionString is null)
        {
            builder.Services.AddSingleton(_ => DataDirectoryLock.Acquire(serverOptions.DataDirectory)); // taken at once below, freed when the host is disposed
        }

        builder.Services.AddSingleton<LameDuck>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LameDuck>());
        ServerSetup.AddModelActorsServer(builder.Services, builder.Configuration, versions, loadInBackground: true, jobs: serverOptions);
        builder.Services.AddSingleton<ServerReadiness>();
        builder.Services.AddSingleton<Statistics.ModelStatistics>();
        builder.Services.AddSingleton<Triton.RepositoryState>();
        builder.Services.AddSingleton<Triton.ModelRepositoryService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Triton.ModelRepositoryService>());
        builder.Services.AddSingleton<Jobs.JobJournalHealth>();
        builder.Services.AddSingleton<Jobs.JobService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Jobs.JobService>());

        // /metrics in Prometheus text format: the ModelActors meter, plus ASP.NET Core's own request and Kestrel metrics.
        if (serverOptions.Metrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(ModelActorsTelemetry.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter());
        }

        builder.Services.AddModelActorsOpenApi();
        builder.Services.AddJsonStatusPages();

        var app = builder.Build();
        app.Services.GetService<DataDirectoryLock>(); // before anything listens: a second server on the folder stops here
        app.Services.GetRequiredService<Statistics.ModelStatistics>(); // listens from the start
        LameDuck.Use(app);
        app.UseJsonStatusPages();
        app.MapOpenApi(); // /openapi/v1.json
        app.MapInferenceProtocol();
        Triton.RepositoryEndpoints.MapModelRepository(app);
        app.MapTypedModels();
        app.MapModelStreams();
        app.MapJobs();
        GrpcEndpoint.Map(app, serverOptions);
        if (serverOptions.Metrics)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
        return app;
    }
}
