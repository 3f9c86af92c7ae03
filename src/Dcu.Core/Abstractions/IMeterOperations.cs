using Dcu.Core.Model;

namespace Dcu.Core.Abstractions;

/// <summary>
/// How commands act on meters without breaking "one owner per bus": every operation runs as an
/// on-demand job of the bus worker that owns the meter's bus (ahead of scheduled reads, never beside
/// another request on a serial line). Implemented in Collection by the scheduler over its bus workers.
/// </summary>
public interface IMeterOperations
{
    /// <summary>The archive entry of a meter, or false when it is not in the archive.</summary>
    bool TryGetMeter(MeterId id, out Meter meter);

    /// <summary>
    /// Runs <paramref name="operation"/> on the meter's bus as an on-demand job, with the bus's
    /// <see cref="IMeterControl"/> (null when the bus's protocol has none). Throws
    /// <see cref="ArgumentException"/> for a meter not in the archive; otherwise what the operation threw.
    /// </summary>
    Task<T> RunOnMeterAsync<T>(MeterId meter, Func<Meter, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/> once per bus (bus name, its control or null), each as an
    /// on-demand job of that bus holding the whole bus (no read in flight beside it), all buses in parallel.
    /// </summary>
    Task<IReadOnlyList<T>> RunOnEachBusAsync<T>(Func<string, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken);
}
