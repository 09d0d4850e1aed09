using System.CommandLine;
using ModelActors.Host.Server;
using Spectre.Console;

namespace ModelActors.Host.Cli;

/// <summary>
/// The <c>modelactors</c> command (System.CommandLine): <c>serve</c> (the default when no command is given),
/// <c>describe</c>, <c>predict</c>, <c>bench</c>.
/// </summary>
internal static class ModelActorsCommand
{
    /// <summary>Parses <paramref name="args"/> and runs the command; its exit code.</summary>
    public static Task<int> RunAsync(string[] args) =>
        // "@file" is our own notation for a JSON file (read whole), not System.CommandLine's response file (split into tokens).
        // The server handles SIGTERM itself (stop accepting, drain within Server:ShutdownGrace, exit 0): System.CommandLine
        // must not end the process first. Exceptions propagate so that a failed start is a non-zero exit with the error.
        Create(CreateConsole(), Console.Error, args).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });

    /// <summary>The terminal, or, when the output is redirected, a console 200 columns wide so that tables are not wrapped.</summary>
    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings());
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    /// <summary>The command tree for <paramref name="args"/>, writing to <paramref name="console"/> and <paramref name="error"/>.</summary>
    public static RootCommand Create(IAnsiConsole console, TextWriter error, string[] args)
    {
        // serve takes every token after the command as configuration (--config, --urls, --model-repository, --Key=value).
        string[] serverArgs = args is ["serve", .. var rest] ? rest : args;
        var root = new RootCommand("ModelActors: serve, describe, call and measure machine-learning models on Akka.NET. With no command, serves.");
        var serve = Serve(serverArgs);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(DescribeCommand.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console, error));
        root.Subcommands.Add(BenchCommand.Create(console, error));
        root.Subcommands.Add(SamplesCommand.Create(console, error));
        root.Subcommands.Add(JobCommand.Create(console, error));

        // No command: serve, with every token passed through as configuration (as "serve" does).
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((_, ct) => ServeAsync(serverArgs, ct));
        return root;
    }

    private static Command Serve(string[] serverArgs)
    {
        var command = new Command("serve", "Serve the configured models over HTTP (KServe v2, typed JSON, streams, /metrics) and gRPC (KServe v2).")
        {
            CliOptions.Config(),
            CliOptions.ModelRepository(),
            new Option<string?>("--urls") { Description = "Where to listen (default http://127.0.0.1:5080; any configuration key may follow as --Key=value)." },
            new Option<string?>("--grpc-url") { Description = "Where the gRPC service (Open Inference Protocol, HTTP/2) listens (default http://127.0.0.1:5081; empty: no gRPC).", Arity = ArgumentArity.ZeroOrOne },
            new Option<string?>("--model-control-mode") { Description = "How repository models load (Triton's): none (all at start), poll (and rescan every --repository-poll-secs), explicit (--load-model at start, then the repository API)." },
            new Option<int?>("--repository-poll-secs") { Description = "With --model-control-mode poll, seconds between two scans of the repository (default 15)." },
            new Option<string[]>("--load-model") { Description = "With --model-control-mode explicit, a model to load at start (repeatable; * for all).", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false },

            // The cluster's switches (ClusterSwitches expands them to ModelActors:Cluster keys; docs/SCALING.md).
            new Option<bool>("--cluster") { Description = "Make this server a node of an Akka cluster (ModelActors:Cluster:Enabled)." },
            new Option<string?>("--cluster-seeds") { Description = "The seed nodes, comma separated (akka.tcp://model-actors@host:port); give every node the same two or more.", Arity = ArgumentArity.ZeroOrOne },
            new Option<string?>("--cluster-models") { Description = "The models this node hosts, comma separated (* every model, empty none); it reaches the others on the nodes that host them.", Arity = ArgumentArity.ZeroOrOne },
            new Option<string?>("--cluster-hostname") { Description = "The address the node listens on for the cluster (default 0.0.0.0).", Arity = ArgumentArity.ZeroOrOne },
            new Option<string?>("--cluster-public-hostname") { Description = "The address other nodes reach it by (set it when listening on 0.0.0.0).", Arity = ArgumentArity.ZeroOrOne },
            new Option<string?>("--cluster-port") { Description = "The cluster port (default 4053; 0 picks a free one).", Arity = ArgumentArity.ZeroOrOne },
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((_, ct) => ServeAsync(serverArgs, ct));
        return command;
    }

    /// <summary>Runs the server until it is stopped (SIGTERM, Ctrl+C); the host, not the parser's token, decides when.</summary>
    private static async Task<int> ServeAsync(string[] args, CancellationToken _)
    {
        try
        {
            await using var app = ServerApp.Build(args);
            if (app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>() is { } server && ServerEndpoints.Listens(server))
            {
                app.Services.GetRequiredService<ServerEndpoints>().EnsureFree(); // before the models load: a port in use is said at once
            }
            Akka.Actor.ActorSystem? system = null; // taken once started: RunAsync disposes the services before it returns
            app.Lifetime.ApplicationStarted.Register(() => system = app.Services.GetService<Akka.Actor.ActorSystem>());
            await app.RunAsync().ConfigureAwait(false);
            return ServerExitCode.For(system);
        }
        catch (Exception exception) when (exception is ArgumentException or IOException or InvalidDataException or InvalidOperationException or ModelRegistrationException or FormatException or UnauthorizedAccessException)
        {
            // An unknown switch or one without its value, a port in use, a missing or malformed configuration file (InvalidDataException), a
            // repository missing, a bad model configuration, a URL that is not one (FormatException): say so and exit 1
            // instead of crashing with an unhandled exception.
            await Console.Error.WriteLineAsync($"modelactors serve: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
