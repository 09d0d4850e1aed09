using ModelActors.Cluster;
using ModelActors.Hosting;

namespace ModelActors.Host.Server;

/// <summary>What <c>serve</c> and the in-process CLI commands share: the configuration sources and the model library's services.</summary>
internal static class ServerSetup
{
    /// <summary>Short command-line switches for configuration keys.</summary>
    internal static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--grpc-url"] = "Server:GrpcUrl",
        ["--model-control-mode"] = "Server:ModelControlMode",
        ["--repository-poll-secs"] = "Server:RepositoryPollSecs",
    };

    /// <summary>
    /// Adds <c>config/modelactors.json</c> (copied next to the binary) or the file <c>--config</c> names, then the
    /// command line again (it overrides the file), then the models of <c>--model-repository</c>.
    /// </summary>
    /// <returns>The versions the repository's models are served at.</returns>
    /// <param name="configuration">The configuration to fill.</param>
    /// <param name="args">The command line after the command.</param>
    /// <param name="strict">For <c>serve</c>: a switch or token the configuration would ignore is refused (<see cref="ServeArguments"/>).</param>
    /// <exception cref="ArgumentException">A switch lacks its value, or (strict) names nothing.</exception>
    public static ModelVersions Configure(IConfigurationManager configuration, string[] args, bool strict = false)
    {
        args = Triton.RepositorySwitches.Expand(ClusterSwitches.Expand(args));
        if (strict)
        {
            ServeArguments.Check(args, Switches);
        }

        configuration.AddCommandLine(args, Switches);
        var configPath = configuration["config"] ?? Path.Combine(AppContext.BaseDirectory, "modelactors.json");
        configuration.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
        configuration.AddCommandLine(args, Switches);
        if (configuration["model-repository"] is not { Length: > 0 } repository)
        {
            return new ModelVersions();
        }

        // Explicit model control: only the models --load-model names (* for all) load at start; the others on request.
        var mode = configuration.GetValue("Server:ModelControlMode", Triton.ModelControlMode.None);
        var load = configuration.GetSection("Server:LoadModels").Get<string[]>() ?? [];
        Func<string, bool>? include = mode == Triton.ModelControlMode.Explicit && !load.Contains("*") ? load.Contains : null;
        var (settings, versions) = ModelRepository.Scan(repository, include);
        configuration.AddInMemoryCollection(settings);
        return versions;
    }

    /// <summary>The library from the <c>ModelActors</c> section (model classes of this assembly by name), the server's options and versions.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration <see cref="Configure"/> filled.</param>
    /// <param name="versions">The served versions.</param>
    /// <param name="loadInBackground">
    /// True for the server: the library does not load at start; <see cref="ModelLoader"/> loads every model in the
    /// background so that the server answers (live, not ready) while they load, and a model that fails to load
    /// answers 503 while the others serve.
    /// </param>
    /// <param name="jobs">For the server, its options: the actor system gets the jobs' persistence (<see cref="Jobs.JobPersistence"/>).</param>
    public static void AddModelActorsServer(IServiceCollection services, IConfiguration configuration, ModelVersions versions, bool loadInBackground, ServerOptions? jobs = null)
    {
        services.AddModelActors(models =>
        {
            if (jobs is not null)
            {
                var persistence = Jobs.JobPersistence.Hocon(jobs);
                models.ConfigureAkka((akka, _) => Akka.Hosting.AkkaHostingExtensions.AddHocon(akka, persistence, Akka.Hosting.HoconAddMode.Prepend));
            }

            models.AddModelTypesFrom(typeof(ServerSetup).Assembly).AddModelTypesFrom(typeof(Pretrained.Vad.SpeechSegmentsModel).Assembly);
            foreach (var assembly in ModelAssemblies(configuration))
            {
                models.AddModelTypesFrom(assembly);
            }

            models.Bind(configuration.GetSection("ModelActors"));
            models.UseCluster(ClusterOptions(configuration));
            if (loadInBackground)
            {
                models.Configure(options => options.LazyLoading = true);
            }
        });
        services.Configure<ServerOptions>(configuration.GetSection("Server"));
        services.AddSingleton(versions);
        if (loadInBackground)
        {
            services.AddSingleton<ModelLoader>();
            services.AddHostedService(sp => sp.GetRequiredService<ModelLoader>());
        }
    }

    /// <summary>
    /// The assemblies <c>Server:ModelAssemblies</c> names (paths to .dll files, relative to the working directory): their
    /// model classes can be named in the configuration as the built-in ones are, so a team serves its own C# models
    /// with this server without writing a host.
    /// </summary>
    /// <exception cref="InvalidOperationException">A named file does not exist or is not a .NET assembly.</exception>
    internal static IEnumerable<System.Reflection.Assembly> ModelAssemblies(IConfiguration configuration)
    {
        foreach (var path in configuration.GetSection("Server:ModelAssemblies").Get<string[]>() ?? [])
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new InvalidOperationException($"Server:ModelAssemblies names '{path}', and there is no such file ({full}).");
            }

            System.Reflection.Assembly assembly;
            try
            {
                assembly = System.Reflection.Assembly.LoadFrom(full);
            }
            catch (BadImageFormatException exception)
            {
                throw new InvalidOperationException($"Server:ModelAssemblies names '{path}', which is not a .NET assembly: {exception.Message}", exception);
            }

            yield return assembly;
        }
    }

    /// <summary>
    /// The <c>ModelActors:Cluster</c> section, with the roles <c>http</c> and (unless gRPC is off) <c>grpc</c>; unless it
    /// sets <c>MaximumFrameSize</c>, a message between nodes may be as
    /// large as the largest request body the server accepts (<c>Server:MaxRequestBodySize</c>) plus 1 MiB for the rest of
    /// the message, so that a request the server took can always cross to the node that runs it.
    /// </summary>
    internal static ModelClusterOptions ClusterOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("ModelActors:Cluster").Get<ModelClusterOptions>() ?? new ModelClusterOptions();

        // The node's roles also say what it serves: HTTP always, gRPC unless its URL is empty.
        var server = configuration.GetSection("Server").Get<ServerOptions>() ?? new ServerOptions();
        options.Roles.AddRange(string.IsNullOrEmpty(server.GrpcUrl) ? ["http"] : ["http", "grpc"]);
        if (configuration["ModelActors:Cluster:MaximumFrameSize"] is null)
        {
            options.MaximumFrameSize = Math.Max(options.MaximumFrameSize, server.MaxRequestBodySize + (1L << 20));
        }

        return options;
    }
}
