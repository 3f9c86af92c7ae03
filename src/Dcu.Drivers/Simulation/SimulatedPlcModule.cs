using Dcu.Drivers.Plc;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// An in-memory PLC carrier module speaking real Q/GDW 1376.2 bytes both ways: main node address,
/// a route table, AFN 01/03/05/10/11/12 answered at once, AFN 13 F1 relayed to meter responders
/// after a random latency with a configurable loss, unsolicited AFN 06 reports, resets that forget
/// the route table and announce the run mode (AFN 03 F10), and corrupted frames on demand.
/// </summary>
/// <remarks>Meters are responders keyed by address: they take one whole meter frame and return the
/// reply frame, or null for silence (e.g. a simulated DL/T 645 meter's <c>Respond</c>).</remarks>
public sealed class SimulatedPlcModule : SimulatedLink
{
    private readonly SimulatedPlcModuleOptions _options;
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly Dictionary<PlcAddress, Func<ReadOnlyMemory<byte>, byte[]?>> _meters = [];
    private readonly List<PlcAddress> _routeTable = [];
    private readonly List<byte> _confirmed = [];
    private int _inFlight;
    private int _epoch;
    private byte _ownSequence = 0x80;
    private bool _corruptNext;

    public SimulatedPlcModule(TimeProvider timeProvider, SimulatedPlcModuleOptions? options = null, string name = "sim:plc")
        : base(timeProvider, name)
    {
        _options = options ?? new SimulatedPlcModuleOptions();
        _random = new Random(_options.Seed);
        MainNodeAddress = _options.MainNodeAddress;
    }

    public override int BitsPerCharacter => 11;

    public override int BaudRate => 9600;

    public PlcAddress MainNodeAddress { get; private set; }

    /// <summary>Answer relays as if from this node instead of the meter asked (a foreign reply).</summary>
    public PlcAddress? ForgeReplySource { get; set; }

    public long FramesReceived { get; private set; }

    public long ForwardsDropped { get; private set; }

    public long ForwardsAnswered { get; private set; }

    public long ForwardsDenied { get; private set; }

    /// <summary>AFN 05 F3 broadcasts passed to the meters.</summary>
    public long BroadcastsSent { get; private set; }

    public int MaxForwardsInFlight { get; private set; }

    public IReadOnlyList<PlcAddress> RouteTable
    {
        get { lock (_gate) return [.. _routeTable]; }
    }

    /// <summary>Sequence numbers of module-initiated frames the concentrator confirmed (AFN 00 F1 or an AFN 14 answer).</summary>
    public IReadOnlyList<byte> Confirmed
    {
        get { lock (_gate) return [.. _confirmed]; }
    }

    public void AddMeter(string address, Func<ReadOnlyMemory<byte>, byte[]?> responder)
    {
        ArgumentNullException.ThrowIfNull(responder);
        lock (_gate) _meters[PlcAddress.Parse(address)] = responder;
    }

    /// <summary>Puts a node into the route table directly (as if added earlier).</summary>
    public void AddRouteEntry(string address)
    {
        var a = PlcAddress.Parse(address);
        lock (_gate) if (!_routeTable.Contains(a)) _routeTable.Add(a);
    }

    /// <summary>Power-cycles the module: forgets the route table and relays in flight, then announces its run mode (AFN 03 F10, PRM=1).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _routeTable.Clear();
            _epoch++;
            _inFlight = 0;
        }
        SendModuleInitiated(Q13762Afn.Query, Q13762Fn.F10, Q13762Data.RunMode(RunMode()));
    }

    /// <summary>Sends a module-initiated AFN 06 report; returns its sequence number.</summary>
    public byte EmitReport(Q13762Fn fn, byte[] data, PlcAddress? meter = null) => SendModuleInitiated(Q13762Afn.Report, fn, data, meter);

    /// <summary>Sends a module-initiated frame of any AFN; returns its sequence number.</summary>
    public byte SendModuleInitiated(Q13762Afn afn, Q13762Fn fn, byte[] data, PlcAddress? meter = null)
    {
        byte seq;
        lock (_gate) seq = _ownSequence++;
        Transmit(Q13762Frame.Encode(new Q13762Message
        {
            Control = Q13762Control.Create(uplink: true, initiator: true, _options.CommMode),
            Info = Q13762Info.Uplink(seq, hasAddress: meter is not null, hasEvent: afn == Q13762Afn.Report),
            Source = meter,
            Destination = meter is null ? null : MainNodeAddress,
            Afn = afn,
            Fn = fn,
            Data = data,
        }));
        return seq;
    }

    /// <summary>Puts raw bytes on the line (garbage, partial frames).</summary>
    public void InjectBytes(byte[] bytes) => Transmit(bytes);

    /// <summary>The next frame the module sends gets a wrong checksum.</summary>
    public void CorruptNextFrame()
    {
        lock (_gate) _corruptNext = true;
    }

    protected override int DeliveryChunkSize => _options.ReplyChunkSize;

    protected override void OnFrame(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        while (!span.IsEmpty)
        {
            var status = Q13762Frame.TryParse(span, out var message, out var consumed, out _);
            if (status == Q13762FrameStatus.Incomplete) break;
            if (status == Q13762FrameStatus.Error)
            {
                span = span[1..];
                continue;
            }
            span = span[consumed..];
            FramesReceived++;
            Handle(message!);
        }
    }

    private PlcRunMode RunMode()
    {
        lock (_gate)
            return new PlcRunMode((int)_options.CommMode == 3 ? 2 : 1, _options.SlaveMonitorTimeout, 512, MainNodeAddress, _options.MaxSlaveNodes, _routeTable.Count);
    }

    private void Handle(Q13762Message request)
    {
        if (request.IsUplink) return;
        if (!request.Control.IsInitiator)
        {
            // The concentrator's answer to one of our frames.
            lock (_gate) _confirmed.Add(request.Sequence);
            return;
        }
        var data = request.Data.Span;
        var fn = request.Fn.Number;
        switch (request.Afn)
        {
            case Q13762Afn.Initialise when fn is 1 or 2 or 3:
                if (fn == 2) lock (_gate) _routeTable.Clear();
                Confirm(request);
                break;
            case Q13762Afn.Query when fn == 1:
                Answer(request, Q13762Data.ModuleInfo(_options.Info));
                break;
            case Q13762Afn.Query when fn == 4:
                Answer(request, MainNodeAddress.ToBytes());
                break;
            case Q13762Afn.Query when fn == 10:
                Answer(request, Q13762Data.RunMode(RunMode()));
                break;
            case Q13762Afn.Control when fn == 1 && data.Length >= PlcAddress.Length:
                MainNodeAddress = PlcAddress.Read(data);
                Confirm(request);
                break;
            case Q13762Afn.Control when fn == 3 && _options.SupportsBroadcast && Q13762Data.TryParseBroadcastRequest(data, out _, out var broadcast):
                Broadcast(request, broadcast);
                break;
            case Q13762Afn.RouteQuery when fn == 1:
                lock (_gate) Answer(request, Q13762Data.SlaveCount(_routeTable.Count, _options.MaxSlaveNodes));
                break;
            case Q13762Afn.RouteQuery when fn == 2 && Q13762Data.TryParseSlaveListRequest(data, out var start, out var count):
                lock (_gate)
                {
                    var page = _routeTable.Skip(Math.Max(start - 1, 0)).Take(count).Select(a => new PlcSlaveNode(a, 0x1000)).ToList();
                    Answer(request, Q13762Data.SlaveList(_routeTable.Count, page));
                }
                break;
            case Q13762Afn.RouteSet when fn == 1 && Q13762Data.TryParseAddSlaves(data, _options.Edition, out var add):
                lock (_gate)
                {
                    if (_routeTable.Count + add.Count > _options.MaxSlaveNodes) { Deny(request, Q13762DenyCode.FormatError); break; }
                    foreach (var a in add) if (!_routeTable.Contains(a)) _routeTable.Add(a);
                }
                Confirm(request);
                break;
            case Q13762Afn.RouteSet when fn == 2 && Q13762Data.TryParseDeleteSlaves(data, out var remove):
                lock (_gate) _routeTable.RemoveAll(remove.Contains);
                Confirm(request);
                break;
            case Q13762Afn.RouteControl when fn is 1 or 2 or 3:
                Confirm(request);
                break;
            case Q13762Afn.RouteForward when fn == 1:
                Forward(request);
                break;
            default:
                Deny(request, Q13762DenyCode.MainNodeUnsupported);
                break;
        }
    }

    private void Forward(Q13762Message request)
    {
        if (request.Destination is not { } meter || !Q13762Data.TryParseForwardRequest(request.Data.Span, _options.Edition, out var protocol, out var frame))
        {
            Deny(request, Q13762DenyCode.FormatError);
            return;
        }
        int epoch;
        TimeSpan latency;
        bool drop;
        Func<ReadOnlyMemory<byte>, byte[]?>? responder;
        lock (_gate)
        {
            if (_options.RequireRouteEntry && !_routeTable.Contains(meter))
            {
                ForwardsDenied++;
                Deny(request, Q13762DenyCode.SlaveNodeNotInNetwork);
                return;
            }
            if (_inFlight >= _options.MaxConcurrentForwards)
            {
                ForwardsDenied++;
                Deny(request, Q13762DenyCode.MainNodeBusy);
                return;
            }
            _inFlight++;
            MaxForwardsInFlight = Math.Max(MaxForwardsInFlight, _inFlight);
            epoch = _epoch;
            var span = Math.Max(0, (_options.ForwardLatencyMax - _options.ForwardLatencyMin).Ticks);
            latency = _options.ForwardLatencyMin + TimeSpan.FromTicks((long)(_random.NextDouble() * span));
            drop = _random.NextDouble() < _options.DropRate;
            responder = _meters.GetValueOrDefault(meter);
        }
        _ = RelayAsync(request, meter, protocol, frame, epoch, latency, drop, responder);
    }

    private async Task RelayAsync(Q13762Message request, PlcAddress meter, PlcProtocolType protocol, byte[] frame, int epoch, TimeSpan latency, bool drop,
        Func<ReadOnlyMemory<byte>, byte[]?>? responder)
    {
        try
        {
            if (latency > TimeSpan.Zero) await DelayAsync(latency);
            lock (_gate)
            {
                if (epoch != _epoch) return; // the module reset meanwhile: the relay is forgotten
                _inFlight--;
                if (drop)
                {
                    ForwardsDropped++;
                    return;
                }
                ForwardsAnswered++;
            }
            var reply = responder?.Invoke(frame) ?? [];
            var source = ForgeReplySource ?? meter;
            Send(new Q13762Message
            {
                Control = Q13762Control.Create(uplink: true, initiator: false, _options.CommMode),
                Info = Q13762Info.Uplink(request.Sequence, hasAddress: true, phase: 1, signalQuality: 10),
                Source = source,
                Destination = MainNodeAddress,
                Afn = Q13762Afn.RouteForward,
                Fn = Q13762Fn.F1,
                Data = Q13762Data.ForwardReply(_options.Edition, protocol, reply, (ushort)Math.Round(latency.TotalSeconds)),
            });
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>AFN 05 F3: confirmed at once; every meter hears the frame (nobody answers a broadcast).</summary>
    private void Broadcast(Q13762Message request, byte[] frame)
    {
        Func<ReadOnlyMemory<byte>, byte[]?>[] meters;
        lock (_gate)
        {
            BroadcastsSent++;
            meters = [.. _meters.Values];
        }
        var wait = (ushort)Math.Ceiling(_options.BroadcastDuration.TotalSeconds);
        Answer(request, Q13762Data.Confirm(wait), Q13762Afn.Confirm, Q13762Fn.F1);
        if (wait == 0)
        {
            foreach (var meter in meters) meter(frame);
            return;
        }
        _ = DeliverBroadcastAsync(meters, frame, _options.BroadcastDuration);
    }

    private async Task DeliverBroadcastAsync(Func<ReadOnlyMemory<byte>, byte[]?>[] meters, byte[] frame, TimeSpan after)
    {
        try
        {
            await DelayAsync(after);
            foreach (var meter in meters) meter(frame);
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    private void Confirm(Q13762Message request) => Answer(request, Q13762Data.Confirm(), Q13762Afn.Confirm, Q13762Fn.F1);

    private void Deny(Q13762Message request, Q13762DenyCode code) => Answer(request, Q13762Data.Deny(code), Q13762Afn.Confirm, Q13762Fn.F2);

    private void Answer(Q13762Message request, byte[] data, Q13762Afn? afn = null, Q13762Fn? fn = null) => Send(new Q13762Message
    {
        Control = Q13762Control.Create(uplink: true, initiator: false, _options.CommMode),
        Info = Q13762Info.Uplink(request.Sequence, hasAddress: false),
        Afn = afn ?? request.Afn,
        Fn = fn ?? request.Fn,
        Data = data,
    });

    private void Send(Q13762Message message) => Transmit(Q13762Frame.Encode(message));

    /// <summary>Everything the module sends passes here, so <see cref="CorruptNextFrame"/> hits the next frame whatever its kind.</summary>
    private void Transmit(byte[] frame)
    {
        lock (_gate)
        {
            if (_corruptNext && frame.Length > 2 && frame[0] == Q13762Frame.Start)
            {
                frame[^2] ^= 0xFF;
                _corruptNext = false;
            }
        }
        Deliver(frame);
    }
}
