using Akka.Actor;
using ModelActors.Cluster;

namespace ModelActors.Tests.Cluster;

/// <summary>Nodes whose frame sizes differ: messages between them are kept under the smallest.</summary>
public sealed class FrameSizeTests
{
    [Fact]
    public async Task A_request_over_the_hosting_nodes_smaller_frame_fails_at_once_and_the_node_stays_reachable()
    {
        const long small = 1_048_576;
        await using var b = ClusterNode.Start(["work"], ClusterNode.Tagged("b"), maximumFrameSize: small);
        await using var front = ClusterNode.Start([], ClusterNode.Tagged("front"), maximumFrameSize: 16L * 1024 * 1024);
        b.Join(b);
        front.Join(b);
        await front.WhenUpAsync(2);
        var known = await front.System.ActorSelection("/user/model-actors-frame-sizes")
            .Ask<long>(new FrameSizes.WhenKnown(1), TimeSpan.FromSeconds(30));
        Assert.Equal(small, known);
        var client = front.Library.Get<string, string>("work");

        // Its own frame (16 MiB) would let 2 MB go, and b's transport would drop it with the link to b.
        var error = await Assert.ThrowsAsync<ModelMessageTooLargeException>(() =>
            client.PredictAsync(new string('x', 2_000_000)).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal("work", error.ModelName);
        Assert.InRange(error.Limit, small - 8192, small); // b's frame, less the envelope's allowance
        Assert.Equal("b:small", await client.PredictAsync("small").AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
