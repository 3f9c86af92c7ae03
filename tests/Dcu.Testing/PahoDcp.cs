using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dcu.Testing;

/// <summary>
/// The DCP in contract tests, played by a client nobody here wrote: Debian's python3-paho-mqtt over
/// MQTT 5 (<c>tests/Dcu.Testing/scripts/dcp_client.py</c>). It subscribes to a filter at QoS 1,
/// records every message (with its MQTT 5 content type), and publishes what the test asks, each
/// publish awaited until paho reports it done (PUBACK at QoS 1).
/// </summary>
public sealed class PahoDcp : IAsyncDisposable
{
    public const string ScriptRelativePath = "tests/Dcu.Testing/scripts/dcp_client.py";

    private readonly Process _process;
    private readonly ConcurrentQueue<DcpMessage> _messages = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _publishes = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _errors = new();
    private int _next;

    private PahoDcp(Process process) => _process = process;

    public IReadOnlyCollection<DcpMessage> Messages => _messages;

    /// <summary>Messages whose topic ends with <paramref name="topicSuffix"/>, in arrival order.</summary>
    public IEnumerable<DcpMessage> On(string topicSuffix) => _messages.Where(m => m.Topic.EndsWith(topicSuffix, StringComparison.Ordinal));

    public string Errors { get { lock (_errors) return _errors.ToString(); } }

    public static async Task<PahoDcp> StartAsync(int port, string topicFilter, string clientId)
    {
        var psi = new ProcessStartInfo(PymodbusServer.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-u", LocateScript(), "--port", port.ToString(CultureInfo.InvariantCulture), "--client-id", clientId, "--filter", topicFilter })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dcp_client.py");
        var dcp = new PahoDcp(process);
        process.OutputDataReceived += (_, e) => dcp.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (dcp._errors) dcp._errors.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.WithinAsync(dcp._subscribed.Task.ContinueWith(_ => true, TaskScheduler.Default),
                $"paho subscribed to {topicFilter} on port {port} (python3-paho-mqtt installed by scripts/test.sh)");
        }
        catch (Exception ex)
        {
            var errors = dcp.Errors;
            await dcp.DisposeAsync();
            throw new InvalidOperationException($"dcp_client.py did not subscribe: {errors}", ex);
        }
        return dcp;
    }

    /// <summary>Publishes at QoS 1 and returns once the broker acknowledged it.</summary>
    public async Task PublishAsync(string topic, string payload, bool retain = false)
    {
        var n = Interlocked.Increment(ref _next);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _publishes[n] = done;
        var line = JsonSerializer.Serialize(new Dictionary<string, object> { ["n"] = n, ["topic"] = topic, ["payload"] = payload, ["qos"] = 1, ["retain"] = retain });
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
        await Eventually.WithinAsync(done.Task.ContinueWith(_ => true, TaskScheduler.Default), $"paho PUBACK for publish {n} on {topic}");
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        switch (root.GetProperty("event").GetString())
        {
            case "subscribed":
                _subscribed.TrySetResult();
                break;
            case "published":
                if (_publishes.TryRemove(root.GetProperty("n").GetInt32(), out var tcs)) tcs.TrySetResult();
                break;
            case "message":
                _messages.Enqueue(new DcpMessage(
                    root.GetProperty("topic").GetString()!,
                    root.GetProperty("payload").ValueKind == JsonValueKind.String ? root.GetProperty("payload").GetString() : null,
                    Convert.FromBase64String(root.GetProperty("b64").GetString()!),
                    root.GetProperty("contentType").ValueKind == JsonValueKind.String ? root.GetProperty("contentType").GetString() : null,
                    root.GetProperty("retain").GetBoolean()));
                break;
            default:
                lock (_errors) _errors.AppendLine(line);
                break;
        }
    }

    public static string LocateScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ScriptRelativePath);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{ScriptRelativePath} not found above {AppContext.BaseDirectory}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close(); // the script disconnects cleanly at end of input
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { await _process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>One message the DCP received: text when it was UTF-8, the raw bytes always.</summary>
public sealed record DcpMessage(string Topic, string? Payload, byte[] Bytes, string? ContentType, bool Retain);
