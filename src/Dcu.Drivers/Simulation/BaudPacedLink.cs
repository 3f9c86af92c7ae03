using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// Makes an in-memory link (e.g. <see cref="SimulatedDlt645Bus"/>) take the time of a real serial
/// line: a written frame leaves at the baud rate (characters x bits per character / baud; 2400 baud
/// 8E1 = 4.583 ms a character) before the devices see it, and what they answer starts
/// <see cref="Turnaround"/> after the request's last character and arrives one character time per
/// byte. All on the <see cref="TimeProvider"/>. A read returns every byte that has arrived by then
/// (at least one), so the pacing does not add a timer per byte.
/// </summary>
/// <remarks>Half-duplex, one request at a time (the DL/T 645 bus owner's pattern); bytes the inner
/// link produces without a request are paced from when they were first seen.</remarks>
public sealed class BaudPacedLink : IByteLink
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    private readonly IByteLink _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _character;
    private readonly byte[] _scratch = new byte[512];
    private readonly Lock _gate = new();
    private byte[] _pending = new byte[512];
    private int _pendingCount;
    private long _burstStart;   // timestamp at which the current reply's first character starts
    private int _burstDelivered; // characters of the current reply already handed out
    private bool _requestEnded;
    private long _requestEnd;

    public BaudPacedLink(IByteLink inner, TimeProvider timeProvider, TimeSpan turnaround, int baudRate = 2400, int bitsPerCharacter = 11)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baudRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bitsPerCharacter);
        ArgumentOutOfRangeException.ThrowIfLessThan(turnaround, TimeSpan.Zero);
        _inner = inner;
        _time = timeProvider;
        BaudRate = baudRate;
        BitsPerCharacter = bitsPerCharacter;
        Turnaround = turnaround;
        _character = TimeSpan.FromTicks((long)Math.Round(bitsPerCharacter * (double)TimeSpan.TicksPerSecond / baudRate));
    }

    public string Name => _inner.Name + "@" + BaudRate;

    public int BitsPerCharacter { get; }

    public int BaudRate { get; }

    /// <summary>The device's reply delay: from the request's last character to the reply's first.</summary>
    public TimeSpan Turnaround { get; }

    /// <summary>Time on the wire so far: characters written and read, each one character time.</summary>
    public long CharactersOnWire { get; private set; }

    public ValueTask OpenAsync(CancellationToken cancellationToken) => _inner.OpenAsync(cancellationToken);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var wire = _character * frame.Length;
        await Task.Delay(wire, _time, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            // The line is ours from the first character; the request ended one wire time later (not when the timer fired).
            _requestEnd = started + (long)(wire.TotalSeconds * _time.TimestampFrequency);
            _requestEnded = true;
            CharactersOnWire += frame.Length;
        }
        await _inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.Length == 0) return 0;
        while (true)
        {
            int available;
            lock (_gate) available = _pendingCount;
            if (available == 0)
            {
                var n = await _inner.ReadAsync(_scratch, cancellationToken).ConfigureAwait(false);
                if (n == 0) return 0;
                lock (_gate)
                {
                    if (_pendingCount == 0)
                    {
                        // A new reply: it starts a turnaround after the request, or now when there was no request.
                        var now = _time.GetTimestamp();
                        _burstStart = _requestEnded ? _requestEnd + (long)(Turnaround.TotalSeconds * _time.TimestampFrequency) : now;
                        _requestEnded = false;
                        _burstDelivered = 0;
                    }
                    Append(_scratch.AsSpan(0, n));
                }
                continue;
            }

            long due;
            lock (_gate) due = _burstStart + (long)((_burstDelivered + 1) * _character.TotalSeconds * _time.TimestampFrequency);
            var wait = _time.GetElapsedTime(_time.GetTimestamp(), due);
            // Timers tick in whole milliseconds and may fire up to one early: never ask for less than 1 ms (0 would spin).
            if (wait > TimeSpan.Zero) await Task.Delay(wait < OneMillisecond ? OneMillisecond : wait, _time, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_pendingCount == 0) continue; // discarded meanwhile
                var arrived = (int)(_time.GetElapsedTime(_burstStart).Ticks / _character.Ticks) - _burstDelivered;
                if (arrived < 1) continue; // the timer fired a little early: the next character is not in yet
                var n = Math.Min(arrived, Math.Min(_pendingCount, buffer.Length));
                _pending.AsSpan(0, n).CopyTo(buffer.Span);
                _pending.AsSpan(n, _pendingCount - n).CopyTo(_pending);
                _pendingCount -= n;
                _burstDelivered += n;
                CharactersOnWire += n;
                return n;
            }
        }
    }

    public void DiscardInput()
    {
        lock (_gate)
        {
            _pendingCount = 0;
            _burstDelivered = 0;
        }
        _inner.DiscardInput();
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_pendingCount + bytes.Length > _pending.Length) Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + bytes.Length));
        bytes.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += bytes.Length;
    }
}
