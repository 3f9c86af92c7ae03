using System.Text;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// The I/O side of the AT command port: one reader loop owns the receive direction from
/// <see cref="OpenAsync"/> on, frames lines (<see cref="AtLineFramer"/>) and hands them to the answer
/// in flight (<see cref="AtResponseAssembler"/>) or, as URCs, to the handler, also between commands.
/// <see cref="SendAsync"/> runs one command at a time: stale input dropped, the command line written
/// with its CR (V.250 5.2.1, S3), the final result code awaited within a timeout on the
/// <see cref="TimeProvider"/>. Bad bytes cost their own line only: counted, logged at Debug, dropped.
/// </summary>
/// <remarks>
/// A link whose read fails (a USB modem gone) ends the reader loop; the command in flight fails with
/// the <see cref="IOException"/>. The next command writes first (a <c>SerialByteLink</c> reopens its
/// port on a write) and then starts the reader again.
/// </remarks>
public sealed class AtChannel : IAsyncDisposable
{
    private readonly IByteLink _link;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string>? _onUnsolicited;
    private readonly bool _ownsLink;
    private readonly SemaphoreSlim _commands = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly AtResponseAssembler _assembler = new();
    // Never holds more than one capped line plus one read: the framer refuses longer lines.
    private readonly byte[] _buffer = new byte[AtLineFramer.MaxLineLength + ReadChunk + 2];
    private int _count;
    private bool _dropToTerminator;
    private TaskCompletionSource<AtResponse>? _pending;
    private Task? _reader;
    private long _badLines;
    private long _strayLines;
    private long _unsolicited;

    private const int ReadChunk = 256;

    /// <param name="onUnsolicited">Called on the reader loop with each URC line; must not block.</param>
    /// <param name="ownsLink">Dispose the link with the channel.</param>
    public AtChannel(IByteLink link, TimeProvider timeProvider, ILogger? logger = null, Action<string>? onUnsolicited = null, bool ownsLink = true)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _link = link;
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _onUnsolicited = onUnsolicited;
        _ownsLink = ownsLink;
    }

    public string Name => _link.Name;

    /// <summary>Lines refused by the framer (over-long, NUL, not text).</summary>
    public long BadLines => Interlocked.Read(ref _badLines);

    /// <summary>Lines with no command in flight that were no known URC (late answers, noise).</summary>
    public long StrayLines => Interlocked.Read(ref _strayLines);

    /// <summary>URCs delivered to the handler.</summary>
    public long UnsolicitedLines => Interlocked.Read(ref _unsolicited);

    /// <summary>Opens the link and starts the reader loop (so URCs are heard before the first command).</summary>
    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        await _link.OpenAsync(cancellationToken).ConfigureAwait(false);
        EnsureReader();
    }

    /// <summary>
    /// Sends <paramref name="command"/> (e.g. "AT+CSQ", without CR) and returns its answer, whatever its
    /// final result code. Throws <see cref="TimeoutException"/> when no final result code arrives within
    /// <paramref name="timeout"/>, <see cref="IOException"/> when the link fails, and
    /// <see cref="OperationCanceledException"/> only for <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<AtResponse> SendAsync(string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (command.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new ArgumentException("A command line holds no CR or LF; the channel adds the CR.", nameof(command));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        await _commands.WaitAsync(cancellationToken).ConfigureAwait(false);
        var answer = new TaskCompletionSource<AtResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            lock (_gate)
            {
                // Whatever came before this command (a late answer, half a line) belongs to no one.
                _link.DiscardInput();
                _count = 0;
                _dropToTerminator = false;
                _assembler.Begin(command);
                _pending = answer;
            }
            using var timer = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await _link.WriteAsync(Encoding.ASCII.GetBytes(command + "\r"), linked.Token).ConfigureAwait(false);
                EnsureReader();
                return await answer.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timer.IsCancellationRequested)
            {
                throw new TimeoutException($"{command} on {Name}: no final result code within {timeout.TotalSeconds:0.###} s");
            }
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_pending, answer)) _pending = null;
                _assembler.Reset();
            }
            _commands.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            try { await _reader.ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException) { }
        }
        if (_ownsLink) await _link.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _commands.Dispose();
    }

    private void EnsureReader()
    {
        lock (_gate)
        {
            if (_reader is { IsCompleted: false } || _stop.IsCancellationRequested) return;
            _count = 0;
            _dropToTerminator = false;
            _reader = Task.Run(() => ReadLoopAsync(_stop.Token), CancellationToken.None);
        }
    }

    private async Task ReadLoopAsync(CancellationToken stop)
    {
        var chunk = new byte[ReadChunk];
        Exception? failure = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var n = await _link.ReadAsync(chunk, stop).ConfigureAwait(false);
                if (n == 0)
                {
                    failure = new IOException($"{Name} was closed");
                    break;
                }
                Receive(chunk.AsSpan(0, n));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or UnauthorizedAccessException)
        {
            failure = ex as IOException ?? new IOException($"{Name}: {ex.Message}", ex);
        }
        if (failure is null) return;
        _logger.LogDebug("AT port {Port}: reader stopped: {Error}", Name, failure.Message);
        TaskCompletionSource<AtResponse>? pending;
        lock (_gate) pending = _pending;
        pending?.TrySetException(failure);
    }

    /// <summary>Appends received bytes and dispatches every whole line in them.</summary>
    private void Receive(ReadOnlySpan<byte> bytes)
    {
        List<string>? urcs = null;
        lock (_gate)
        {
            if (_dropToTerminator)
            {
                // The tail of an over-long line: dropped up to its end.
                var end = AtLineFramer.TerminatorEnd(bytes);
                if (end < 0) return;
                bytes = bytes[end..];
                _dropToTerminator = false;
            }
            bytes.CopyTo(_buffer.AsSpan(_count));
            _count += bytes.Length;
            var offset = 0;
            while (offset < _count)
            {
                var window = _buffer.AsSpan(offset, _count - offset);
                var status = AtLineFramer.TryRead(window, out var range, out var consumed, out var error);
                if (status == AtFrameStatus.Incomplete)
                {
                    // Empty lines carry nothing: what stays buffered is at most one capped line.
                    while (offset < _count && AtLineFramer.IsTerminator(_buffer[offset])) offset++;
                    break;
                }
                offset += consumed;
                if (status == AtFrameStatus.Error)
                {
                    Interlocked.Increment(ref _badLines);
                    _logger.LogDebug("AT port {Port}: dropped a bad line ({Error}, {Bytes} bytes)", Name, error, consumed);
                    if (error == AtFormatError.LineTooLong && AtLineFramer.TerminatorEnd(window[..consumed]) < 0) _dropToTerminator = true;
                    continue;
                }
                var line = Encoding.ASCII.GetString(window[range]);
                switch (_assembler.Accept(line))
                {
                    case AtLineKind.Final:
                        _pending?.TrySetResult(_assembler.Response!);
                        _pending = null;
                        _assembler.Reset();
                        break;
                    case AtLineKind.Unsolicited:
                        (urcs ??= []).Add(line);
                        break;
                    case AtLineKind.Stray:
                        Interlocked.Increment(ref _strayLines);
                        _logger.LogDebug("AT port {Port}: line with no command in flight: {Line}", Name, line);
                        break;
                }
            }
            _buffer.AsSpan(offset, _count - offset).CopyTo(_buffer);
            _count -= offset;
        }
        if (urcs is null) return;
        foreach (var urc in urcs)
        {
            Interlocked.Increment(ref _unsolicited);
            try { _onUnsolicited?.Invoke(urc); }
            catch (Exception ex) { _logger.LogWarning(ex, "AT port {Port}: handling URC '{Urc}' failed", Name, urc); }
        }
    }
}
