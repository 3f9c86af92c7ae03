using System.Text;
using Dcu.Testing;

namespace Dcu.Host.Tests.Technician;

/// <summary>
/// The technician's side of a console line: collects what the DCU writes (read by a background loop from
/// <c>read</c>) and types lines. <see cref="ExpectAsync"/> waits for a fragment after what was already matched,
/// like expect(1), with a deadline instead of a sleep.
/// </summary>
internal sealed class TerminalProbe : IAsyncDisposable
{
    private readonly Func<Memory<byte>, CancellationToken, ValueTask<int>> _read;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _write;
    private readonly StringBuilder _text = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _cursor;

    public TerminalProbe(Func<Memory<byte>, CancellationToken, ValueTask<int>> read, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write)
    {
        _read = read;
        _write = write;
        _loop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Everything received so far.</summary>
    public string Text { get { lock (_text) return _text.ToString(); } }

    public Task SendAsync(string text) => _write(Encoding.UTF8.GetBytes(text), CancellationToken.None).AsTask();

    /// <summary>Types a line ending in CR, as a terminal's Enter key does.</summary>
    public Task LineAsync(string line) => SendAsync(line + "\r");

    /// <summary>Waits for <paramref name="fragment"/> after the last match; returns the text from there up to and including it.</summary>
    public async Task<string> ExpectAsync(string fragment, TimeSpan? timeout = null)
    {
        var found = -1;
        await Eventually.TrueAsync(() =>
        {
            found = Text.IndexOf(fragment, _cursor, StringComparison.Ordinal);
            return found >= 0;
        }, $"'{fragment}' on the console; after the last match it showed:\n{Text[Math.Min(_cursor, Text.Length)..]}", timeout ?? TimeSpan.FromSeconds(20));
        var end = found + fragment.Length;
        var seen = Text[_cursor..end];
        _cursor = end;
        return seen;
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[1024];
        try
        {
            while (true)
            {
                var n = await _read(buffer, _stop.Token);
                if (n == 0) return;
                var c = decoder.GetChars(buffer, 0, n, chars, 0);
                lock (_text) _text.Append(chars, 0, c);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
