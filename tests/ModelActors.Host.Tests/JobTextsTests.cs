using ModelActors.Host.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>What a job that cannot run says: its model as the job names it, never the library's inside names.</summary>
public sealed class JobTextsTests
{
    [Fact]
    public void AModelUnloadedUnderTheJob_IsSaidToBeSo_WithoutTheLibrarysInsideNames()
    {
        var gone = new ModelNotFoundException("heavy2", ["echo", "heavy#2", "heavy2#1"], "heavy#2");

        var text = JobTexts.CannotRun("heavy2", gone);

        Assert.Equal("Model 'heavy2': the job cannot run: the model is not served now (it was unloaded or removed while the job ran).", text);
        Assert.DoesNotContain("#", text, StringComparison.Ordinal);
        Assert.Equal("Model 'm': the job cannot run: types changed", JobTexts.CannotRun("m", new InvalidOperationException("types changed")));
    }
}
