using System.Diagnostics.Metrics;

namespace ModelActors.Benchmarks;

/// <summary>Mean items per model call, from the <c>modelactors.batch.size</c> histogram of the library alive during a measurement.</summary>
internal sealed class BatchSizeListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _calls;
    private long _items;

    public BatchSizeListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ModelActors" && instrument.Name == "modelactors.batch.size")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref _calls);
            Interlocked.Add(ref _items, value);
        });
        _listener.Start();
    }

    public double Mean => _calls == 0 ? 0 : (double)Interlocked.Read(ref _items) / Interlocked.Read(ref _calls);

    public void Reset()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _items, 0);
    }

    public void Dispose() => _listener.Dispose();
}
