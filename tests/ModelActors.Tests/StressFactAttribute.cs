namespace ModelActors.Tests;

/// <summary>A test that runs only when asked for: set <c>MODELACTORS_STRESS=1</c>. CI runs the deterministic versions.</summary>
public sealed class StressFactAttribute : FactAttribute
{
    public StressFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MODELACTORS_STRESS") != "1")
        {
            Skip = "Opt-in stress test: set MODELACTORS_STRESS=1 to run it.";
        }
    }
}
