namespace Dcu.Drivers.Simulation;

/// <summary>
/// An in-memory RS485 line (2400 baud 8E1 by default) with <see cref="SimulatedDlt645Meter"/>s on
/// it. Each <see cref="WriteAsync"/> is one request frame; every meter sees it (broadcasts and
/// wildcards reach all) and the replies come back through <see cref="ReadAsync"/>, whole or in
/// chunks of <see cref="ReplyChunkSize"/> bytes, optionally late, after line noise, or after an echo
/// of the request (adapters without echo suppression). Two meters answering at once just queue
/// their replies one after the other here; on a real line they would collide.
/// </summary>
public sealed class SimulatedDlt645Bus : SimulatedLink
{
    private readonly List<SimulatedDlt645Meter> _meters = [];

    public SimulatedDlt645Bus(TimeProvider timeProvider, string name = "sim:dlt645", int baudRate = 2400)
        : base(timeProvider, name)
    {
        BaudRate = baudRate;
    }

    /// <summary>8E1: start, 8 data, even parity, stop.</summary>
    public override int BitsPerCharacter => 11;

    public override int BaudRate { get; }

    /// <summary>Split every reply into reads of at most this many bytes (1 = a UART delivering byte by byte); 0 = whole.</summary>
    public int ReplyChunkSize { get; set; }

    /// <summary>Replies arrive only after this long on the bus's <see cref="TimeProvider"/>.</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>Bytes delivered before each reply (line noise).</summary>
    public byte[] NoiseBeforeReply { get; set; } = [];

    /// <summary>Deliver each request back to the reader before the replies (half-duplex echo).</summary>
    public bool EchoRequests { get; set; }

    public long FramesReceived { get; private set; }

    public long FramesAnswered { get; private set; }

    /// <summary>Every frame written, for assertions.</summary>
    public List<byte[]> Written { get; } = [];

    public IReadOnlyList<SimulatedDlt645Meter> Meters => _meters;

    public void Attach(SimulatedDlt645Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (_meters.Any(m => m.Address == meter.Address)) throw new ArgumentException($"meter {meter.Address} is already on {Name}", nameof(meter));
        _meters.Add(meter);
    }

    protected override int DeliveryChunkSize => ReplyChunkSize;

    protected override void OnFrame(ReadOnlyMemory<byte> frame)
    {
        FramesReceived++;
        Written.Add(frame.ToArray());
        var output = new List<byte>();
        if (EchoRequests) output.AddRange(frame.Span);
        var answered = false;
        foreach (var meter in _meters)
        {
            if (meter.Respond(frame.Span) is not { } reply) continue;
            output.AddRange(NoiseBeforeReply);
            output.AddRange(reply);
            answered = true;
        }

        if (answered) FramesAnswered++;
        if (output.Count == 0) return;
        var bytes = output.ToArray();
        if (ReplyDelay > TimeSpan.Zero) _ = DeliverLaterAsync(bytes, ReplyDelay);
        else Deliver(bytes);
    }
}
