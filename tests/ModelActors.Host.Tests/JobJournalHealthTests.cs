using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ModelActors.Host.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>While the jobs' journal fails, the job routes answer 503 at once naming the failure, not after the manager's retries.</summary>
public sealed class JobJournalHealthTests
{
    [Fact]
    public async Task AFailingJournal_Is503AtOnce_NamingIt_AndAJournalRecoveredIsAskedAgain()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path);
        using var http = server.CreateClient();
        using var before = await http.GetAsync("/jobs");
        var health = server.Services.GetRequiredService<JobJournalHealth>();

        health.Failed("its journal could not be read (SQLite Error 11: 'database disk image is malformed')");
        using var failing = await http.GetAsync("/jobs");
        health.Recovered();
        using var after = await http.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        Assert.NotNull(failing.Headers.RetryAfter);
        Assert.Contains("the job store is failing: its journal could not be read (SQLite Error 11", await failing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
