using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Dcu.Drivers.Links;

namespace Dcu.Drivers.Modbus;

/// <summary>
/// What the RTU and TCP masters share: argument checks, the request PDU, one request in flight,
/// retries, timeouts on a <see cref="TimeProvider"/>, and failure logging. Transports implement
/// <see cref="TransactAsync"/> (one attempt: send, then receive the matching reply).
/// The link is opened and owned by the caller (the bus worker); the master never opens or disposes it.
/// </summary>
public abstract class ModbusMasterBase : IModbusMaster
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    protected ModbusMasterBase(IByteLink link, ModbusMasterOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Link = link;
        Options = options;
        Logger = logger ?? NullLogger.Instance;
    }

    public ModbusBusCounters Counters { get; } = new();

    protected IByteLink Link { get; }

    protected ModbusMasterOptions Options { get; }

    protected ILogger Logger { get; }

    protected TimeProvider TimeProvider => Options.TimeProvider;

    public async Task<byte[]> ReadRegistersAsync(byte unit, ModbusFunction function, ushort start, ushort count, CancellationToken cancellationToken)
    {
        ValidateUnit(unit, isWrite: false);
        var pdu = new byte[5];
        ModbusPdu.WriteReadRequest(pdu, function, start, count);
        return await ExecuteAsync(ModbusRequest.Read(unit, function, start, count), pdu, cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteSingleRegisterAsync(byte unit, ushort address, ushort value, CancellationToken cancellationToken)
    {
        ValidateUnit(unit, isWrite: true);
        var pdu = new byte[5];
        ModbusPdu.WriteSingleRegisterRequest(pdu, address, value);
        await ExecuteAsync(ModbusRequest.WriteSingle(unit, address, value), pdu, cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteMultipleRegistersAsync(byte unit, ushort start, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken)
    {
        ValidateUnit(unit, isWrite: true);
        var pdu = new byte[6 + (2 * values.Length)];
        ModbusPdu.WriteMultipleRegistersRequest(pdu, start, values.Span);
        await ExecuteAsync(ModbusRequest.WriteMultiple(unit, start, (ushort)values.Length), pdu, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a unit this transport cannot address.</summary>
    protected abstract void ValidateUnit(byte unit, bool isWrite);

    /// <summary>
    /// One attempt: send the request and return the reply data (register bytes for reads, empty for
    /// writes). Throws <see cref="TimeoutException"/>, <see cref="MeterProtocolException"/> or
    /// <see cref="ModbusDeviceException"/>; counts what it sees in <see cref="Counters"/>.
    /// </summary>
    protected abstract Task<byte[]> TransactAsync(ModbusRequest request, ReadOnlyMemory<byte> pdu, CancellationToken cancellationToken);

    /// <summary>Reads with a timeout; null when <paramref name="timeout"/> passed first. Caller cancellation propagates.</summary>
    protected Task<int?> ReadWithTimeoutAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken) =>
        Link.ReadWithinAsync(buffer, timeout, TimeProvider, cancellationToken);

    /// <summary>Writes a whole frame within the response timeout; <see cref="TimeoutException"/> if the link stalls.</summary>
    protected Task WriteWithTimeoutAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        Link.WriteWithinAsync(frame, Options.ResponseTimeout, TimeProvider, $"{Options.ResponseTimeout.TotalMilliseconds:0} ms", cancellationToken);

    private async Task<byte[]> ExecuteAsync(ModbusRequest request, byte[] pdu, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (attempt > 0)
                {
                    Counters.AddRetry();
                }

                try
                {
                    return await TransactAsync(request, pdu, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ShouldRetry(ex, attempt, request, cancellationToken))
                {
                    if (ex is ModbusDeviceException)
                    {
                        await Task.Delay(Options.BusyRetryDelay, TimeProvider, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool ShouldRetry(Exception ex, int attempt, in ModbusRequest request, CancellationToken cancellationToken)
    {
        var reason = ex switch
        {
            TimeoutException => "timeout",
            MeterProtocolException protocol => protocol.Reason,
            _ => null,
        };
        if (reason is null || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var retryable = ex is not ModbusDeviceException device || device.IsTransient;
        if (retryable && attempt < Options.Retries)
        {
            Logger.LogDebug("Modbus {Link} unit {Unit} {Function} {Address}: attempt {Attempt} failed ({Reason}), retrying",
                Link.Name, request.Unit, request.Function, request.Address, attempt + 1, reason);
            return true;
        }

        var level = ex is ModbusDeviceException ? LogLevel.Information : LogLevel.Warning;
        Logger.Log(level, "Modbus {Link} unit {Unit} {Function} {Address}: failed after {Attempts} attempt(s) ({Reason}): {Message}",
            Link.Name, request.Unit, request.Function, request.Address, attempt + 1, reason, ex.Message);
        return false;
    }
}
