using ModelActors.Host.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>A job's unwritten answers: what is written in order, and which items run again in which calls.</summary>
public sealed class JobAnswersTests
{
    private static JobItem Answer(int i) => new(System.Text.Json.JsonSerializer.SerializeToElement(i), null);

    [Fact]
    public void UnansweredItems_RunAgainInCallsOfAtMostTheGivenSize_AndFillTheirGaps()
    {
        var answers = new JobAnswers();
        answers.Reset(0);
        JobItem?[] chunk = [Answer(0), null, null, null, null, null, Answer(6), null];
        Assert.True(answers.Take(0, 0, chunk));
        var first = answers.TakeWritable().Single(); // item 0; the rest waits from item 1
        Assert.Equal([1], answers.NewRetries());

        var calls = answers.RetryStretches(1, most: 2);
        Assert.True(answers.Retrying);
        foreach (var (offset, count) in calls)
        {
            Assert.False(answers.Take(1, offset, [.. Enumerable.Range(1 + offset, count).Select(Answer)]));
        }

        var rest = answers.TakeWritable().Single();
        Assert.Equal((0, 1), (first.Start, first.Items.Count));
        Assert.Equal([(0, 2), (2, 2), (4, 1), (6, 1)], calls); // items 1-2, 3-4, 5, 7 (6 was answered)
        Assert.False(answers.Retrying);
        Assert.Equal((1, 7, 8), (rest.Start, rest.Items.Count, answers.Written));
        Assert.Equal(Enumerable.Range(1, 7), rest.Items.Select(i => i.Result!.Value.GetInt32()));
    }
}
