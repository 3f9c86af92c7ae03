using System.IO.Ports;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Links;

/// <summary>
/// A UART (RS485 bus) as an <see cref="IByteLink"/>, over System.IO.Ports. Only the async
/// BaseStream is used, never DataReceived; timeouts come from the caller's token (async reads
/// ignore ReadTimeout, dotnet/runtime#28968). Writes are drained (tcdrain) before returning so the
/// caller's silent-interval clock starts when the last bit has left. A port that cannot be opened
/// or that fails under I/O (device unplugged) is dropped and opened again by a later write, at most
/// once per <see cref="SerialLinkOptions.ReopenInterval"/>; meanwhile every exchange fails fast
/// with an <see cref="IOException"/>, which the bus worker counts like a meter that did not answer.
/// </summary>
public sealed class SerialByteLink : IByteLink
{
    private readonly SerialLinkOptions _options;
    private readonly ILogger _logger;
    private SerialPort? _port;
    private bool _rs485Reported;
    private long? _lastOpenAttempt;
    private bool _everOpened;

    public SerialByteLink(SerialLinkOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => _options.PortName;

    public int BitsPerCharacter => _options.BitsPerCharacter;

    public int BaudRate => _options.BaudRate;

    /// <summary>True when the kernel accepted RS485 mode at the last open.</summary>
    public bool Rs485Active { get; private set; }

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_port is { IsOpen: true })
        {
            return ValueTask.CompletedTask;
        }

        _port?.Dispose();
        _port = null;
        _lastOpenAttempt = _options.TimeProvider.GetTimestamp();
        if (_options.Rs485Mode)
        {
            EnableRs485();
        }

        var port = new SerialPort(_options.PortName, _options.BaudRate, ToParity(_options.Parity), _options.DataBits, _options.StopBits == 2 ? StopBits.Two : StopBits.One)
        {
            Handshake = Handshake.None,
        };
        try
        {
            port.Open();
        }
        catch
        {
            port.Dispose();
            throw;
        }

        _port = port;
        _everOpened = true;
        _logger.LogInformation("Serial {Port} open at {Baud} {DataBits}{Parity}{StopBits}",
            _options.PortName, _options.BaudRate, _options.DataBits, _options.Parity.ToString()[0], _options.StopBits);
        return ValueTask.CompletedTask;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var stream = (await EnsureOpenAsync(cancellationToken).ConfigureAwait(false)).BaseStream;
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            stream.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw Drop(ex);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_port is not { IsOpen: true } port)
        {
            throw _everOpened
                ? new IOException($"Serial link {Name} is down; it is reopened by the next request")
                : new InvalidOperationException($"Serial link {Name} is not open.");
        }
        try
        {
            return await port.BaseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw Drop(ex);
        }
    }

    public void DiscardInput()
    {
        if (_port is { IsOpen: true } port)
        {
            port.DiscardInBuffer();
        }
    }

    public ValueTask DisposeAsync()
    {
        _port?.Dispose();
        _port = null;
        return ValueTask.CompletedTask;
    }

    private void EnableRs485()
    {
        var errno = Rs485Native.TryEnable(_options.PortName, _options.Rs485RtsOnSend, _options.Rs485DelayBeforeSendMs, _options.Rs485DelayAfterSendMs);
        Rs485Active = errno == 0;
        if (_rs485Reported)
        {
            return;
        }

        _rs485Reported = true;
        if (Rs485Active)
        {
            _logger.LogInformation("Serial {Port}: kernel RS485 mode enabled", _options.PortName);
        }
        else
        {
            // ENOTTY on ptys and UARTs without RS485 support: the adapter must switch direction itself.
            _logger.LogInformation("Serial {Port}: kernel RS485 mode not supported here (errno {Errno}); relying on automatic direction control",
                _options.PortName, errno);
        }
    }

    /// <summary>The open port; a port that is down is opened again when its reopen interval has passed.</summary>
    private async ValueTask<SerialPort> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_port is { IsOpen: true } open) return open;
        var time = _options.TimeProvider;
        if (_lastOpenAttempt is { } last && time.GetElapsedTime(last) < _options.ReopenInterval)
            throw new IOException($"Serial link {Name} is down; next attempt to open it in {(_options.ReopenInterval - time.GetElapsedTime(last)).TotalSeconds:0.#} s");
        var reopening = _everOpened;
        try
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new IOException($"Serial link {Name} is down: {ex.Message}", ex);
        }
        if (reopening) _logger.LogInformation("Serial {Port} is back", _options.PortName);
        return _port!;
    }

    /// <summary>Forgets a port that failed under I/O so the next write opens it again.</summary>
    private IOException Drop(Exception ex)
    {
        if (_port is not null)
        {
            _logger.LogWarning("Serial {Port} failed ({Error}); closing it, reopening in {Interval}", _options.PortName, ex.Message, _options.ReopenInterval);
            try { _port.Dispose(); } catch (IOException) { }
            _port = null;
        }
        return ex as IOException ?? new IOException($"Serial link {Name} failed: {ex.Message}", ex);
    }

    private static Parity ToParity(SerialParity parity) => parity switch
    {
        SerialParity.Even => Parity.Even,
        SerialParity.Odd => Parity.Odd,
        _ => Parity.None,
    };
}
