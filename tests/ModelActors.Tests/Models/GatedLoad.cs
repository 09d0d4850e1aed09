using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>A probe model whose load waits for a gate, and which says when its load has begun.</summary>
internal static class GatedLoad
{
    /// <summary>A probe answering each item with itself; its load waits for <paramref name="gate"/>; <c>Loading</c> completes when a load begins.</summary>
    public static (ProbeModel<int, int> Probe, Task Loading) Probe(Task gate)
    {
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ProbeModel<int, int>(i => i)
        {
            OnLoad = _ =>
            {
                loading.TrySetResult();
                return new ValueTask(gate);
            },
        };
        return (probe, loading.Task);
    }
}
