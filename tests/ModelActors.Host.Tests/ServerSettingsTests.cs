namespace ModelActors.Host.Tests;

/// <summary>The server's job store and model assembly settings: what works, and the clear error when one is wrong.</summary>
public sealed class ServerSettingsTests
{
    [Theory]
    [InlineData("--Server:ModelAssemblies:0=/nowhere/models.dll", "Server:ModelAssemblies names '/nowhere/models.dll', and there is no such file")]
    [InlineData("--Server:Jobs:Store=oracle", "Server:Jobs:Store is 'oracle': use sqlite (the default), postgresql or memory.")]
    [InlineData("--Server:Jobs:Store=postgresql", "Server:Jobs:Store is postgresql but Server:Jobs:ConnectionString is empty")]
    public async Task AWrongSetting_StopsTheServerAtStart_NamingIt(string setting, string message)
    {
        var (code, output, error) = await CliProcess.RunAsync("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", setting);

        Assert.NotEqual(0, code);
        Assert.Contains(message, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelAssembly_LetsTheConfigurationNameItsModels()
    {
        using var server = CliProcess.Start(
            "serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:LameDuck=00:00:00", "--Server:Jobs:Store=memory",
            $"--Server:ModelAssemblies:0={typeof(CountingModel).Assembly.Location}", "--ModelActors:Models:counting:Type=CountingModel");
        using var http = new HttpClient { BaseAddress = new Uri(await server.Listening.WaitAsync(TimeSpan.FromMinutes(1))) };

        using var answer = await http.PostAsync("/models/counting/predict", new StringContent("21", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal("42", await answer.Content.ReadAsStringAsync());
    }
}
