using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>A dependency call inherits its calling model's deadline (Ask semantics: nobody waits after the caller gave up).</summary>
public sealed class DependencyDeadlineTests
{
    [Fact]
    public async Task ADependencyCall_GetsOnlyTheTimeItsCallersCallHasLeft()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var dependency = ProbeModel<int, int>.Holding(gate.Task, i => i);
        var seen = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        IModelClient<int, int>? inner = null;
        var caller = new ProbeModel<int, int>(async (items, token) =>
        {
            try
            {
                return [await inner!.PredictAsync(items[0])]; // no token: the inherited deadline alone ends the call
            }
            catch (Exception exception)
            {
                seen.TrySetResult(exception);
                throw;
            }
        })
        {
            OnLoad = context =>
            {
                inner = context.Dependency<int, int>("dep");
                return ValueTask.CompletedTask;
            },
        };
        await using var library = await LoadedAsync(clock, dependency, "caller", caller);

        try
        {
            var call = library.Get<int, int>("caller").PredictAsync(7).AsTask();
            await dependency.ExpectBatchesAsync(1);
            clock.Advance(TimeSpan.FromSeconds(5)); // the caller's deadline; the dependency's own 60 s are far away

            var error = await Assert.ThrowsAsync<TimeoutException>(() => call);
            Assert.Contains("Model 'caller'", error.Message);
            var dependencyError = Assert.IsType<TimeoutException>(await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Contains("Model 'dep' did not answer within 5000 ms", dependencyError.Message);
            Assert.Equal(("caller", "dep"), (ModelErrors.GetModelName(error), ModelErrors.GetModelName(dependencyError)));
        }
        finally
        {
            gate.TrySetResult(); // the held dependency call ends, so the library can drain
        }
    }

    [Fact]
    public async Task ADependencyCall_MadeAfterItsCallersDeadline_FailsAtOnceAndNeverReachesTheDependency()
    {
        var clock = new ManualTimeProvider();
        var dependency = new ProbeModel<int, int>(i => i);
        var late = new LateCaller();
        await using var library = await LoadedAsync(clock, dependency, "late", late);

        var call = library.Get<int, int>("late").PredictAsync(7).AsTask();
        await late.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<TimeoutException>(() => call);
        late.Go.SetResult(); // the model goes on after its caller gave up, and calls its dependency

        var error = Assert.IsType<TimeoutException>(await late.Seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("Model 'dep' was not called", error.Message);
        Assert.Contains("model 'late'", error.Message);
        Assert.Equal("dep", ModelErrors.GetModelName(error));
        Assert.Empty(dependency.Batches);
    }

    [Fact]
    public async Task ADependencyCall_BetweenCalls_GetsTheDependencysOwnDeadline()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var dependency = ProbeModel<int, int>.Holding(gate.Task, i => i * 10);
        ISyncModelClient<int, int>? inner = null;
        var caller = new ProbeModel<int, int>(i => i)
        {
            OnLoad = context =>
            {
                inner = context.SyncDependency<int, int>("dep");
                return ValueTask.CompletedTask;
            },
        };
        await using var library = await LoadedAsync(clock, dependency, "caller", caller);
        Assert.Equal(1, await library.Get<int, int>("caller").PredictAsync(1)); // a call began and ended

        // Background work of the model, after its call: the dependency's own 60 s apply, not the ended call's 5 s.
        var background = Task.Run(() => inner!.Predict(2));
        try
        {
            await dependency.ExpectBatchesAsync(1);
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        finally
        {
            gate.TrySetResult();
        }

        Assert.Equal(20, await background.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AModelsToken_IsCancelledWhenItsCallersDeadlinePasses_AndItsReplicaGoesOnToTheNextRequest()
    {
        var clock = new ManualTimeProvider();
        var model = new TokenWatcher();
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("watch", o => o.Timeout = TimeSpan.FromSeconds(2), _ => model)
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("watch");

        var first = client.PredictAsync(1).AsTask();
        await model.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(2)); // the caller's deadline, while the model runs

        await Assert.ThrowsAsync<TimeoutException>(() => first);
        Assert.Equal(1, await model.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10))); // it stopped working for nobody
        model.Release.Set();
        Assert.Equal(2, await client.PredictAsync(2).AsTask().WaitAsync(TimeSpan.FromSeconds(10))); // a fresh token: not cancelled
        Assert.Equal([false, false], model.CancelledOnEntry);
    }

    [Fact]
    public async Task WhatAModelLeftRegisteredOnItsToken_DoesNotFire_WhenALaterCallIsGivenUp()
    {
        var model = new RegistersOnItsToken();
        await using var library = ModelLibrary.CreateBuilder().AddModel("careless", factory: _ => model).Build();
        var client = library.Get<int, int>("careless");
        using var cancellation = new CancellationTokenSource();

        Assert.Equal(1, await client.PredictAsync(1)); // leaves its registration behind
        var second = client.PredictAsync(2, cancellation.Token).AsTask();
        await model.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        Assert.Equal(3, await client.PredictAsync(3).AsTask().WaitAsync(TimeSpan.FromSeconds(10))); // the second call has ended

        Assert.Equal([2], model.Fired); // the first call's registration stayed quiet
    }

    [Fact]
    public async Task ADependencyCalledWithItsCallersToken_StopsWhenTheCallersDeadlinePasses()
    {
        var clock = new ManualTimeProvider();
        var dependency = new TokenWatcher();
        IModelClient<int, int>? inner = null;
        var caller = new ProbeModel<int, int>(async (items, token) => [await inner!.PredictAsync(items[0], token)])
        {
            OnLoad = context =>
            {
                inner = context.Dependency<int, int>("dep");
                return ValueTask.CompletedTask;
            },
        };
        await using var library = await LoadedAsync(clock, dependency, "caller", caller);

        var call = library.Get<int, int>("caller").PredictAsync(7).AsTask();
        await dependency.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(5)); // the caller's deadline; the dependency's own 60 s are far away

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Contains("Model 'caller'", error.Message);
        Assert.Equal(7, await dependency.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10))); // the dependency did not work on
        dependency.Release.Set();
    }

    /// <summary>
    /// A sync model that records whether its token was cancelled when a call began, then waits for it to be cancelled
    /// (reporting the item) or to be released.
    /// </summary>
    private sealed class TokenWatcher : Model<int, int>
    {
        public SemaphoreSlim Entered { get; } = new(0);

        public TaskCompletionSource<int> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new();

        public List<bool> CancelledOnEntry { get; } = [];

        protected override int Predict(int item, CancellationToken cancellationToken)
        {
            CancelledOnEntry.Add(cancellationToken.IsCancellationRequested);
            Entered.Release();
            if (WaitHandle.WaitAny([cancellationToken.WaitHandle, Release.WaitHandle], TimeSpan.FromSeconds(30)) == 0)
            {
                Cancelled.TrySetResult(item);
                cancellationToken.ThrowIfCancellationRequested();
            }

            return item;
        }
    }

    /// <summary>
    /// A loaded library on <paramref name="clock"/>: model "dep" (a 60 s deadline) and the model <paramref name="name"/>
    /// that depends on it (a 5 s deadline).
    /// </summary>
    private static async Task<ModelLibrary> LoadedAsync<TDependency, TCaller>(ManualTimeProvider clock, TDependency dependency, string name, TCaller caller)
        where TDependency : class
        where TCaller : class
    {
        var library = ModelLibrary.CreateBuilder()
            .AddModel("dep", o => o.Timeout = TimeSpan.FromSeconds(60), _ => dependency)
            .AddModel(name, o => { o.Timeout = TimeSpan.FromSeconds(5); o.Dependencies = ["dep"]; }, _ => caller)
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        return library;
    }

    /// <summary>A sync model that holds its call until told, then calls its dependency "dep" and records what it got.</summary>
    private sealed class LateCaller : Model<int, int>
    {
        private ISyncModelClient<int, int> _dependency = null!;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Go { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Exception> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override void Load(ModelContext context) => _dependency = context.SyncDependency<int, int>("dep");

        protected override int Predict(int item, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            Go.Task.Wait(TimeSpan.FromSeconds(10));
            try
            {
                return _dependency.Predict(item, CancellationToken.None);
            }
            catch (Exception exception)
            {
                Seen.TrySetResult(exception);
                throw;
            }
        }
    }

    /// <summary>Registers on each call's token and never unregisters (as careless code does); item 2 waits for its token.</summary>
    private sealed class RegistersOnItsToken : AsyncModel<int, int>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<int> _fired = new();

        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<int> Fired => [.. _fired];

        protected override async ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken)
        {
            cancellationToken.Register(() => _fired.Enqueue(item));
            if (item == 2)
            {
                Holding.TrySetResult();
                var given = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => given.TrySetCanceled(cancellationToken)))
                {
                    await given.Task.ConfigureAwait(false); // until its caller gives up
                }
            }

            return item;
        }
    }
}
