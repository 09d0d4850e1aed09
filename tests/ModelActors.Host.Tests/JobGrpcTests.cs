using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Jobs;
using ModelActors.Host.Grpc.Protocol;
using JobsGrpc = ModelActors.Host.Grpc.Jobs.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>The jobs' gRPC service (<c>modelactors.jobs.Jobs</c>): submit typed and tensor jobs, get, watch from an event id, cancel, list, and its errors.</summary>
[Collection(nameof(JobHoldModel))]
public sealed class JobGrpcTests : IAsyncLifetime
{
    private readonly DataFolder _data = new();
    private JobServer _server = null!;
    private GrpcChannel _channel = null!;

    private JobsGrpc.JobsClient Client => new(_channel);

    public Task InitializeAsync()
    {
        _server = new JobServer(_data.Path, new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "2" });
        _channel = GrpcChannel.ForAddress(_server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _server.Server.CreateHandler() });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task ATypedJob_RunsToTheEnd_AndItsResultsAreJson()
    {
        var job = await Client.SubmitAsync(new SubmitJobRequest { Model = "counting", ItemsJson = ByteString.CopyFromUtf8("[1, 2, 3]") });

        var done = await Client.GetAsync(new GetJobRequest { Id = job.Id, WaitSeconds = 60 });
        var listed = await Client.ListAsync(new ListJobsRequest());

        Assert.Equal(("typed", 3), (job.Kind, job.Total));
        Assert.Equal("finished", done.Job.Status);
        Assert.NotNull(done.Job.Ended);
        Assert.InRange(done.Job.Started.ToDateTimeOffset(), done.Job.Created.ToDateTimeOffset(), done.Job.Ended.ToDateTimeOffset());
        Assert.Equal(["2", "4", "6"], done.Results.Select(r => r.ResultJson));
        Assert.Contains(listed.Jobs, j => j.Id == job.Id);
    }

    [Fact]
    public async Task ATensorJob_TakesOpenInferenceProtocolRequests()
    {
        var request = new ModelInferRequest { Id = "r1" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add(2);
        input.Contents.Fp32Contents.Add([1.5f, 2.5f]);
        request.Inputs.Add(input);
        var submit = new SubmitJobRequest { Model = "tensor-echo" };
        submit.Requests.Add(request);

        var job = await Client.SubmitAsync(submit);
        var done = await Client.GetAsync(new GetJobRequest { Id = job.Id, WaitSeconds = 60 });

        Assert.Equal("tensor", job.Kind);
        using var answer = System.Text.Json.JsonDocument.Parse(done.Results.Single().ResultJson);
        Assert.Equal("r1", answer.RootElement.GetProperty("id").GetString());
        Assert.Equal([1.5f, 2.5f], answer.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Watch_StreamsTheJournal_FromTheEventIdGiven()
    {
        var job = await Client.SubmitAsync(new SubmitJobRequest { Model = "counting", ItemsJson = ByteString.CopyFromUtf8("[1, 2, 3, 4, 5]") });
        await Client.GetAsync(new GetJobRequest { Id = job.Id, WaitSeconds = 60 });

        var all = await ReadAllAsync(Client.Watch(new WatchJobRequest { Id = job.Id, Items = true }));
        var rest = await ReadAllAsync(Client.Watch(new WatchJobRequest { Id = job.Id, After = 4 }));

        Assert.Equal(["progress", "item", "item", "progress", "item", "item", "progress", "item", "progress", "finished"], all.Select(e => e.Name));
        Assert.Equal([2, 4, 6, 8, 10], all.Where(e => e.Name == "item").Select(e => int.Parse(e.Item.ResultJson, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("finished", all[^1].End.Status);
        Assert.Equal([5L, 6], rest.Select(e => e.Id)); // the journal: submitted, started, three chunks, finished
        Assert.Equal(5, rest[0].Progress.Done);
    }

    [Fact]
    public async Task Cancel_StopsARunningJob()
    {
        JobHoldModel.Reset();
        var job = await Client.SubmitAsync(new SubmitJobRequest { Model = "held", ItemsJson = ByteString.CopyFromUtf8("[\"a\"]") });
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var cancelled = await Client.CancelAsync(new CancelJobRequest { Id = job.Id });

        Assert.Equal(("cancelled", "cancelled by its client"), (cancelled.Status, cancelled.CancelReason));
        await JobHoldModel.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("nope", "[1]", StatusCode.NotFound, "No model named 'nope'")]
    [InlineData("counting", "", StatusCode.InvalidArgument, "Model 'counting': a job takes a JSON array of items (items_json) or v2 requests (requests), and the request has none.")]
    [InlineData("counting", "[1, \"x\"]", StatusCode.InvalidArgument, "Model 'counting': item 1 of the job is not a Int32")]
    public async Task BadSubmissions_AreRefused_NamingWhatWasWrong(string model, string items, StatusCode code, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.SubmitAsync(new SubmitJobRequest { Model = model, ItemsJson = ByteString.CopyFromUtf8(items) }).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIdempotencyKey_AnswersTheSameJobAgain_AndRefusesOtherItemsAsAlreadyExists()
    {
        SubmitJobRequest Submit(string items, string key) => new() { Model = "counting", ItemsJson = ByteString.CopyFromUtf8(items), IdempotencyKey = key };

        var first = await Client.SubmitAsync(Submit("[1, 2]", "grpc-1"));
        var again = await Client.SubmitAsync(Submit("[1, 2]", "grpc-1"));
        var conflict = await Assert.ThrowsAsync<RpcException>(() => Client.SubmitAsync(Submit("[3]", "grpc-1")).ResponseAsync);
        var bad = await Assert.ThrowsAsync<RpcException>(() => Client.SubmitAsync(Submit("[3]", "no spaces please")).ResponseAsync);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal((StatusCode.AlreadyExists, true), (conflict.StatusCode, conflict.Status.Detail.Contains(first.Id, StringComparison.Ordinal)));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("idempotency_key", bad.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJob_IsNotFound_ForEveryCall()
    {
        var get = await Assert.ThrowsAsync<RpcException>(() => Client.GetAsync(new GetJobRequest { Id = "0123" }).ResponseAsync);
        var cancel = await Assert.ThrowsAsync<RpcException>(() => Client.CancelAsync(new CancelJobRequest { Id = "0123" }).ResponseAsync);
        var watch = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(Client.Watch(new WatchJobRequest { Id = "0123" })));

        Assert.Equal([StatusCode.NotFound, StatusCode.NotFound, StatusCode.NotFound], new[] { get.StatusCode, cancel.StatusCode, watch.StatusCode });
        Assert.Contains("No job '0123'", get.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFullJobStore_IsResourceExhausted_WithARetryAfterTrailer_AsHttpsRetryAfter()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path, new Dictionary<string, string> { ["Server:MaxJobs"] = "1" });
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var client = new JobsGrpc.JobsClient(channel);
        JobHoldModel.Reset();
        var held = await client.SubmitAsync(new SubmitJobRequest { Model = "held", ItemsJson = ByteString.CopyFromUtf8("[\"a\"]") });
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var full = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(new SubmitJobRequest { Model = "counting", ItemsJson = ByteString.CopyFromUtf8("[1]") }).ResponseAsync);
        await client.CancelAsync(new CancelJobRequest { Id = held.Id });

        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Equal("5", full.Trailers.GetValue("retry-after"));
    }

    [Fact]
    public async Task Delete_RemovesAnEndedJob_AndRefusesARunningOne()
    {
        JobHoldModel.Reset();
        var held = await Client.SubmitAsync(new SubmitJobRequest { Model = "held", ItemsJson = ByteString.CopyFromUtf8("[\"a\"]") });
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var running = await Assert.ThrowsAsync<RpcException>(() => Client.DeleteAsync(new DeleteJobRequest { Id = held.Id }).ResponseAsync);
        await Client.CancelAsync(new CancelJobRequest { Id = held.Id });
        var deleted = await Client.DeleteAsync(new DeleteJobRequest { Id = held.Id });
        var gone = await Assert.ThrowsAsync<RpcException>(() => Client.GetAsync(new GetJobRequest { Id = held.Id }).ResponseAsync);
        var again = await Assert.ThrowsAsync<RpcException>(() => Client.DeleteAsync(new DeleteJobRequest { Id = held.Id }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, running.StatusCode);
        Assert.Contains("is running", running.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(held.Id, deleted.Id);
        Assert.Equal((StatusCode.NotFound, StatusCode.NotFound), (gone.StatusCode, again.StatusCode));
    }

    [Fact]
    public async Task Watch_FromANegativeEventId_OrOnePastTheJournal_IsInvalidArgument_NamingIt()
    {
        var job = await Client.SubmitAsync(new SubmitJobRequest { Model = "counting", ItemsJson = ByteString.CopyFromUtf8("[1]") });

        await Client.GetAsync(new GetJobRequest { Id = job.Id, WaitSeconds = 60 });

        var watch = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(Client.Watch(new WatchJobRequest { Id = job.Id, After = -3 })));
        var past = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(Client.Watch(new WatchJobRequest { Id = job.Id, After = 5 })));

        Assert.Equal(StatusCode.InvalidArgument, watch.StatusCode);
        Assert.Contains("after is -3", watch.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, past.StatusCode);
        Assert.Contains("after 5 is past its last event (4)", past.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<List<JobEvent>> ReadAllAsync(AsyncServerStreamingCall<JobEvent> call)
    {
        using (call)
        {
            var events = new List<JobEvent>();
            await foreach (var item in call.ResponseStream.ReadAllAsync())
            {
                events.Add(item);
            }

            return events;
        }
    }
}
