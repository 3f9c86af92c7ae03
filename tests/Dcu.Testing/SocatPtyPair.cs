using System.Diagnostics;
using System.Text;

namespace Dcu.Testing;

/// <summary>
/// A pair of connected pseudo-terminals made by socat, standing in for two ends of a serial line:
/// what is written to <see cref="PortA"/> is read from <see cref="PortB"/> and back. No baud timing.
/// Started by <see cref="StartAsync"/>, which returns once both links exist; killed on dispose.
/// </summary>
public sealed class SocatPtyPair : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private SocatPtyPair(Process process, string portA, string portB, StringBuilder log)
    {
        _process = process;
        PortA = portA;
        PortB = portB;
        _log = log;
    }

    /// <summary>Path of one end (a symlink to /dev/pts/N), e.g. for the master under test.</summary>
    public string PortA { get; }

    /// <summary>Path of the other end, e.g. for the pymodbus server.</summary>
    public string PortB { get; }

    /// <summary>socat's diagnostic output so far (for failure messages).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Where socat is, or null when it is not installed.</summary>
    public static string? SocatPath => FindOnPath("socat");

    public static async Task<SocatPtyPair> StartAsync(TimeSpan? timeout = null)
    {
        var socat = SocatPath ?? throw new InvalidOperationException(
            "socat is not installed, so serial integration tests cannot make a pty pair. Install it: apt-get install socat");
        var stem = Path.Combine(Path.GetTempPath(), $"dcu-pty-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var portA = stem + "-a";
        var portB = stem + "-b";

        var info = new ProcessStartInfo(socat)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-d", "-d", $"pty,raw,echo=0,link={portA}", $"pty,raw,echo=0,link={portB}"]) info.ArgumentList.Add(arg);

        var log = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var pair = new SocatPtyPair(process, portA, portB, log);
        try
        {
            await Eventually.TrueAsync(
                () => process.HasExited || (File.Exists(portA) && File.Exists(portB)),
                $"socat to create {portA} and {portB}", timeout ?? TimeSpan.FromSeconds(10));
            if (process.HasExited)
                throw new InvalidOperationException($"socat exited with code {process.ExitCode} before creating the pty pair:\n{pair.Log}");
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        // socat removes its links on a clean exit; make sure after a kill.
        foreach (var link in (string[])[PortA, PortB])
        {
            try { File.Delete(link); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
