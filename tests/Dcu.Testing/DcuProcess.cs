using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dcu.Testing;

/// <summary>
/// The real DCU executable (dcu.dll) run as a child process, as systemd would run it, so tests
/// can kill it hard (SIGKILL) and start it again on the same data directory.
/// </summary>
public sealed class DcuProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private DcuProcess(Process process) => _process = process;

    public IReadOnlyCollection<string> Output => _lines;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>The DCU's stdin (e.g. for --hash-password, or a console on stdin).</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Environment variable naming a published DCU executable to run instead of dcu.dll (e.g. a ReadyToRun publish).</summary>
    public const string ExecutableVariable = "TEST_DCU_EXECUTABLE";

    /// <summary>Starts dcu.dll (found beside the test assembly), or the executable named by <see cref="ExecutableVariable"/>, with the given arguments.</summary>
    public static DcuProcess Start(IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        var published = Environment.GetEnvironmentVariable(ExecutableVariable);
        var dll = Path.Combine(AppContext.BaseDirectory, "dcu.dll");
        if (published is null && !File.Exists(dll)) throw new FileNotFoundException("dcu.dll not found beside the tests; does the test project reference Dcu.Host?", dll);
        var psi = new ProcessStartInfo(published ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (published is null) psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_gcServer"] = "0";
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet dcu.dll");
        var dcu = new DcuProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) dcu._lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) dcu._lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return dcu;
    }

    public string OutputText => string.Join('\n', _lines);

    public Task WaitForOutputAsync(string fragment, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => _lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)), $"DCU output containing '{fragment}'. Output so far:\n{OutputText}", timeout);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no flush, no dispose, no goodbye, like a power cut to the process.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd stops the service.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
