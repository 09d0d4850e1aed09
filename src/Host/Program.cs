using ModelActors.Host.Cli;

return await ModelActorsCommand.RunAsync(args).ConfigureAwait(false);

/// <summary>The <c>modelactors</c> command's entry point (public so that tests can start the server in memory).</summary>
public partial class Program;
