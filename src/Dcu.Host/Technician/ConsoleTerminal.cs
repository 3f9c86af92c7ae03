using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Dcu.Core.Abstractions;

namespace Dcu.Host.Technician;

/// <summary>
/// The console line as lines in and text out, over an <see cref="IByteLink"/>. One pump task owns the link's
/// reads and hands chunks over a channel, so waiting for a line can time out (idle logout) without cancelling a
/// read on the device: stdin's reads cannot be cancelled at all, and a pump stuck in one is simply left behind
/// when the DCU stops. Output has its '\n' sent as CR LF, as a serial terminal needs.
/// </summary>
internal sealed class ConsoleTerminal
{
    private readonly IByteLink _link;
    private readonly ConsoleLineReader _reader;
    private readonly TimeProvider _time;
    private readonly Channel<byte[]> _input = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
    private readonly ArrayBufferWriter<byte> _echo = new(64);
    private byte[] _pending = [];
    private int _offset;

    public ConsoleTerminal(IByteLink link, bool echo, TimeProvider time, int maxLineLength = ConsoleLineReader.DefaultMaxLength)
    {
        _link = link;
        _time = time;
        _reader = new ConsoleLineReader(maxLineLength) { Echo = echo };
        MaxLineLength = maxLineLength;
    }

    /// <summary>Why the input ended, when it ended with an error (the device went away); null while it runs or after a clean end.</summary>
    public Exception? Error { get; private set; }

    public int MaxLineLength { get; }

    /// <summary>Starts the pump; it ends when the link reports its end, fails, or <paramref name="stop"/> is cancelled.</summary>
    public void Start(CancellationToken stop) => _ = Task.Run(() => PumpAsync(stop), CancellationToken.None);

    /// <summary>
    /// The next line; null when the input has ended. Throws <see cref="TimeoutException"/> when nothing arrived
    /// for <paramref name="idle"/> (what was typed of the line is dropped).
    /// </summary>
    public async Task<ConsoleLine?> ReadLineAsync(bool secret, TimeSpan? idle, CancellationToken cancellationToken)
    {
        _reader.Secret = secret;
        while (true)
        {
            if (_offset < _pending.Length)
            {
                _offset += _reader.Feed(_pending.AsSpan(_offset), _echo, out var line);
                await FlushEchoAsync(cancellationToken).ConfigureAwait(false);
                if (line is not null) return line;
                continue;
            }
            using var timeout = idle is { } t ? new CancellationTokenSource(t, _time) : null;
            using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                _pending = await _input.Reader.ReadAsync(linked?.Token ?? cancellationToken).ConfigureAwait(false);
                _offset = 0;
            }
            catch (ChannelClosedException)
            {
                return null;
            }
            catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
            {
                _reader.Reset();
                throw new TimeoutException($"no input for {idle}");
            }
        }
    }

    /// <summary>Writes <paramref name="text"/>, '\n' as CR LF.</summary>
    public async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        if (text.Length == 0) return;
        var bytes = Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n").Replace("\n", "\r\n", StringComparison.Ordinal));
        await _link.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushEchoAsync(CancellationToken cancellationToken)
    {
        if (_echo.WrittenCount == 0) return;
        await _link.WriteAsync(_echo.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _echo.Clear();
    }

    private async Task PumpAsync(CancellationToken stop)
    {
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var n = await _link.ReadAsync(buffer, stop).ConfigureAwait(false);
                if (n == 0) break;
                await _input.Writer.WriteAsync(buffer.AsSpan(0, n).ToArray(), stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Error = ex;
        }
        finally
        {
            _input.Writer.TryComplete();
        }
    }
}
