using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CommunityConnect.Api.Infrastructure.Data;

namespace CommunityConnect.Tests.Support;

/// <summary>Listens to one database's writer meter while a test runs (other hosts in the run have their own).</summary>
public sealed class WriterMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public WriterMetrics(Database database)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, database.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name + ".max", value, (_, max) => Math.Max(max, value)));
        _listener.Start();
    }

    public long this[string name] => _totals.GetValueOrDefault(name);

    public void Dispose() => _listener.Dispose();
}
