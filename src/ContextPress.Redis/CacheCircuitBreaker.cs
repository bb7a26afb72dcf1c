namespace ContextPress.Redis;

/// <summary>
/// Bypasses the cache for a cool-down after a fault. After the cool-down calls go through again; the first success
/// ends the outage, a failure starts another cool-down. Reports only the transitions, so an outage is logged once.
/// </summary>
internal sealed class CacheCircuitBreaker(TimeSpan coolDown, TimeProvider timeProvider)
{
    private readonly long _coolDownTicks = (long)(coolDown.TotalSeconds * timeProvider.TimestampFrequency);
    private long _openUntil = long.MinValue;
    private int _inOutage;

    /// <summary>Gets a value indicating whether the last outage has not ended yet.</summary>
    public bool InOutage => Volatile.Read(ref _inOutage) == 1;

    /// <summary>True when a call may use the cache now.</summary>
    public bool AllowsCall() => timeProvider.GetTimestamp() >= Volatile.Read(ref _openUntil);

    /// <summary>Records a fault: opens the breaker for the cool-down.</summary>
    /// <returns>True when this fault started an outage (log it); false while one is already going on.</returns>
    public bool RecordFailure()
    {
        Volatile.Write(ref _openUntil, timeProvider.GetTimestamp() + _coolDownTicks);
        return Interlocked.Exchange(ref _inOutage, 1) == 0;
    }

    /// <summary>Records a success.</summary>
    /// <returns>True when this success ended an outage (log it).</returns>
    public bool RecordSuccess() => Volatile.Read(ref _inOutage) == 1 && Interlocked.Exchange(ref _inOutage, 0) == 1;
}
