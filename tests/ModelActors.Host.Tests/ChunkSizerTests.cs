using ModelActors.Host.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>A job's chunk size: grows while chunks come back fast, shrinks when they are slow, within its bounds.</summary>
public sealed class ChunkSizerTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(500);

    private static ChunkSizer Sizer(int least = 128, int most = 1024) =>
        new(new JobOptions { ChunkSize = least, MaxChunkSize = most, ChunkTime = TimeSpan.FromMilliseconds(100) });

    [Fact]
    public void FastChunks_DoubleTheSize_UpToTheMost()
    {
        var sizer = Sizer();
        var sizes = new List<int> { sizer.Size };
        for (var i = 0; i < 5; i++)
        {
            sizer.Took(sizer.Size, Fast);
            sizes.Add(sizer.Size);
        }

        Assert.Equal([128, 256, 512, 1024, 1024, 1024], sizes);
    }

    [Fact]
    public void SlowChunks_HalveTheSize_DownToTheLeast_AndOnesInBetweenKeepIt()
    {
        var sizer = Sizer();
        sizer.Took(128, Fast);
        sizer.Took(256, Fast);
        var grown = sizer.Size;

        sizer.Took(512, TimeSpan.FromMilliseconds(300)); // between the time and four times it: kept
        var kept = sizer.Size;
        sizer.Took(512, Slow);
        var halved = sizer.Size;
        sizer.Took(256, Slow);
        sizer.Took(128, Slow);

        Assert.Equal((512, 512, 256, 128), (grown, kept, halved, sizer.Size));
    }

    [Fact]
    public void AShorterChunk_SaysNothing_AndAMostBelowTheLeastKeepsTheSizeFixed()
    {
        var sizer = Sizer();
        sizer.Took(100, Fast); // the job's last chunk, or one started before the size changed
        var fixedSizer = Sizer(least: 50, most: 10);
        fixedSizer.Took(50, Fast);

        Assert.Equal((128, 50), (sizer.Size, fixedSizer.Size));
    }

    [Fact]
    public void Timeouts_HalveTheSizeBelowTheLeast_DownToOne_ThenTheCallsAtOnce()
    {
        var sizer = Sizer(least: 8);
        var steps = new List<(int Size, int InFlight)>();
        foreach (var count in new[] { 8, 8, 4, 2, 1, 1, 1 })
        {
            sizer.TimedOut(count); // the second 8 was started before the first halving: it says nothing more
            steps.Add((sizer.Size, sizer.InFlight));
        }

        var small = Sizer(least: 8);
        small.TimedOut(8);
        small.Took(4, Slow); // slow chunks halve down to the new least, not past it and not back to 8
        var afterSlow = small.Size;
        small.Took(4, Fast);

        Assert.Equal([(4, 4), (4, 4), (2, 4), (1, 4), (1, 2), (1, 1), (1, 1)], steps);
        Assert.Equal((4, 8), (afterSlow, small.Size)); // fast chunks still grow it
    }
}
