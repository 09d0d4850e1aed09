namespace ModelActors.Host.Tests;

/// <summary>The server's job store and model assembly settings: what works, and the clear error when one is wrong.</summary>
public sealed class ServerSettingsTests
{
    [Theory]
    [InlineData("--Server:ModelAssemblies:0=/nowhere/models.dll", "Server:ModelAssemblies names '/nowhere/models.dll', and there is no such file")]
    [InlineData("--Server:Jobs:Store=oracle", "Server:Jobs:Store is 'oracle': use sqlite (the default), postgresql or memory.")]
    [InlineData("--Server:Jobs:Store=postgresql", "Server:Jobs:Store is postgresql but Server:Jobs:ConnectionString is empty")]
    [InlineData("--Server:MaxJob=3", "The server's configuration: 'Server:MaxJob' is not a setting, and would be ignored. Did you mean 'MaxJobs'?")]
    [InlineData("--Server:Jobs:Stor=memory", "The jobs' configuration: 'Server:Jobs:Stor' is not a setting, and would be ignored. Did you mean 'Store'?")]
    [InlineData("--ModelActors:DefaultTimout=00:00:05", "The library's configuration 'ModelActors': 'ModelActors:DefaultTimout' is not a setting, and would be ignored. Did you mean 'DefaultTimeout'?")]
    [InlineData("--ModelActors:Models:echo:Replcias=5", "Model 'echo' (configuration 'ModelActors:Models:echo'): 'ModelActors:Models:echo:Replcias' is not a setting, and would be ignored. Did you mean 'Replicas'?")]
    [InlineData("--Server:Jobs:ChunkSize=0", "Server:Jobs:ChunkSize is 0: it must be at least 1.")]
    [InlineData("--Server:MaxJobs=0", "Server:MaxJobs is 0: it must be at least 1.")]
    [InlineData("--Server:JobRetention=-00:00:01", "Server:JobRetention is -00:00:01: it must be above zero.")]
    [InlineData("--Server:Jobs:MaxChunkSize=8192", "Server:Jobs:MaxChunkSize is 8192: it must be at least Server:Jobs:ChunkSize (128) and at most 4096")]
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
