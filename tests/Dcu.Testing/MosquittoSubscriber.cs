using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dcu.Testing;

/// <summary>
/// A DCP-side subscriber that is not MQTTnet: Debian's mosquitto_sub, printing "topic payload"
/// lines. Runs with a persistent session (fixed client id, clean session off) at QoS 1 so
/// nothing published while it is connected is missed.
/// </summary>
public sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(string Topic, string Payload)> _messages = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MosquittoSubscriber(Process process) => _process = process;

    public IReadOnlyCollection<(string Topic, string Payload)> Messages => _messages;

    public IEnumerable<string> PayloadsOn(string topicSuffix) =>
        _messages.Where(m => m.Topic.EndsWith(topicSuffix, StringComparison.Ordinal)).Select(m => m.Payload);

    public static async Task<MosquittoSubscriber> StartAsync(int port, string topicFilter, string clientId)
    {
        if (!File.Exists("/usr/bin/mosquitto_sub"))
            throw new InvalidOperationException("mosquitto_sub is missing: run scripts/test.sh, which installs mosquitto-clients");
        // Into a pipe, mosquitto_sub's stdout is block-buffered: the SUBACK debug line (and messages)
        // would arrive only 4 KiB later or at exit. stdbuf (coreutils) makes it line-buffered.
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/stdbuf") ? "/usr/bin/stdbuf" : "/usr/bin/mosquitto_sub")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (psi.FileName == "/usr/bin/stdbuf")
            foreach (var a in new[] { "-oL", "-eL", "/usr/bin/mosquitto_sub" }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topicFilter, "-q", "1", "-c", "-i", clientId, "-v", "-d" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start mosquitto_sub");
        var sub = new MosquittoSubscriber(process);
        process.OutputDataReceived += (_, e) => sub.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sub.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.WithinAsync(sub._subscribed.Task.ContinueWith(_ => true, TaskScheduler.Default), $"mosquitto_sub subscribed to {topicFilter} on port {port}");
        }
        catch
        {
            await sub.DisposeAsync(); // don't leave a mosquitto_sub running after a failed start
            throw;
        }
        return sub;
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrEmpty(line)) return;
        // -d prints protocol debug lines ("Client x received SUBACK"); messages are "topic payload".
        if (line.StartsWith("Client ", StringComparison.Ordinal) || line.StartsWith("Subscribed", StringComparison.Ordinal))
        {
            if (line.Contains("SUBACK", StringComparison.Ordinal)) _subscribed.TrySetResult();
            return;
        }
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0) return;
        _messages.Enqueue((line[..space], line[(space + 1)..]));
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
