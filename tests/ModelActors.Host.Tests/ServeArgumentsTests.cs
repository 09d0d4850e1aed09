using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary><c>serve</c>'s command line: what the configuration would silently ignore is refused, naming the token.</summary>
public sealed class ServeArgumentsTests
{
    [Theory]
    [InlineData("--urls", "http://127.0.0.1:0", "--grpc-url=", "--Server:LameDuck=00:00:02")]
    [InlineData("--model-repository", "/models", "--model-control-mode", "explicit", "--load-model", "mlp", "--repository-poll-secs", "5")]
    [InlineData("--cluster", "--cluster-port", "4100", "--cluster-seeds", "a,b", "--cluster-models=ocr")]
    [InlineData("--config", "my.json", "--environment", "Development", "--ModelActors:DefaultTimeout", "00:00:05")]
    [InlineData("--urls", "--weird-but-a-value", "/Server:Metrics", "false")]
    public void Known_switches_and_configuration_keys_pass(params string[] args) => Check(args);

    [Theory]
    [InlineData("unknown option '--model-repositry'. Did you mean '--model-repository'?", "--model-repositry", "/models")]
    [InlineData("unknown option '--urlz'. Did you mean '--urls'?", "--urlz=http://127.0.0.1:0")]
    [InlineData("unknown option '-urls'. Did you mean '--urls'?", "-urls", "http://127.0.0.1:0")]
    [InlineData("unexpected argument 'models/'", "--urls", "http://127.0.0.1:0", "models/")]
    [InlineData("unknown option '--frobnicate'. Run", "--frobnicate", "1")]
    public void A_token_the_configuration_would_ignore_is_refused_by_name(string message, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => Check(args));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cluster-port")]
    [InlineData("--load-model")]
    public void A_switch_without_its_value_is_refused_by_name(string option)
    {
        var error = Assert.Throws<ArgumentException>(() => Check(option));

        Assert.StartsWith(option, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1", "--urls", "http://127.0.0.1:1", "--grpc-url", "x")]
    [InlineData("http://127.0.0.1:2;http://[::1]:2", "--grpc-url", "x", "--URLS=http://127.0.0.1:2;http://[::1]:2")]
    [InlineData("http://127.0.0.1:4", "/urls", "http://127.0.0.1:3", "--grpc-url", "x", "--urls", "http://127.0.0.1:4")]
    [InlineData(null, "--grpc-url", "x")]
    public void Urls_are_taken_off_the_command_line_and_the_rest_kept_in_order(string? urls, params string[] args)
    {
        var rest = ServeArguments.WithoutUrls(args, out var taken);

        Assert.Equal(urls, taken);
        Assert.Equal(["--grpc-url", "x"], rest);
    }

    private static void Check(params string[] args) =>
        ServeArguments.Check(Triton.RepositorySwitches.Expand(ClusterSwitches.Expand(args)), ServerSetup.Switches);
}
