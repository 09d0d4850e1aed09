using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>The server loads its models in the background; tests that depend on them being loaded await that.</summary>
internal static class ServerLoading
{
    /// <summary>Completes when the server has tried every model.</summary>
    public static Task ModelsLoadedAsync<T>(this WebApplicationFactory<T> factory)
        where T : class => factory.Services.GetRequiredService<ModelLoader>().Completion;
}
