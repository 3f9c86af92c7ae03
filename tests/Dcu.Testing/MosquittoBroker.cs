using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dcu.Testing;

/// <summary>A TLS listener for <see cref="MosquittoBroker"/>: PEM files, client certificates required by default.</summary>
public sealed record MosquittoTls(string CaFile, string CertFile, string KeyFile, bool RequireCertificate = true);

/// <summary>
/// A real Mosquitto (<c>/usr/sbin/mosquitto</c>) on free loopback ports with a generated config in a
/// temp dir. <see cref="StopAsync"/> kills it (an outage), <see cref="StartAsync"/> brings it back on
/// the same ports, dispose kills it and deletes the temp dir.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    readonly DirectoryInfo _dir;
    readonly string _configPath;
    readonly StringBuilder _log = new();
    Process? _process;

    MosquittoBroker(DirectoryInfo dir, int port, int? tlsPort, string configPath)
    {
        _dir = dir;
        Port = port;
        TlsPort = tlsPort;
        _configPath = configPath;
    }

    /// <summary>The plain (non-TLS) listener on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The TLS listener on 127.0.0.1, when one was asked for.</summary>
    public int? TlsPort { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Mosquitto's own log (stderr) so far, for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Starts a broker. With <paramref name="users"/> (user → password) anonymous clients are refused.
    /// </summary>
    public static async Task<MosquittoBroker> StartNewAsync(MosquittoTls? tls = null, IReadOnlyDictionary<string, string>? users = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"Mosquitto is not installed ({Executable} not found): apt-get install mosquitto mosquitto-clients");

        var dir = Directory.CreateTempSubdirectory("dcu-mosquitto-");
        var port = FreeTcpPort.Get();
        int? tlsPort = tls is null ? null : FreeTcpPort.Get();

        var conf = new StringBuilder();
        conf.AppendLine("per_listener_settings false");
        conf.AppendLine("persistence false");
        conf.AppendLine("log_dest stderr");
        conf.AppendLine("log_type error");
        conf.AppendLine("log_type warning");
        conf.AppendLine("log_type notice");
        conf.AppendLine("log_type information");
        conf.AppendLine("connection_messages true");
        // As root, mosquitto would switch to the 'mosquitto' user, which cannot read our 0700 temp dir.
        if (Environment.UserName == "root") conf.AppendLine("user root");
        if (users is { Count: > 0 })
        {
            var passwordFile = Path.Combine(dir.FullName, "passwd");
            foreach (var (user, password) in users) await CreatePasswordAsync(passwordFile, user, password, cancellationToken);
            conf.AppendLine("allow_anonymous false");
            conf.AppendLine($"password_file {passwordFile}");
        }
        else
        {
            conf.AppendLine("allow_anonymous true");
        }
        conf.AppendLine($"listener {port} 127.0.0.1");
        if (tls is not null)
        {
            conf.AppendLine($"listener {tlsPort} 127.0.0.1");
            conf.AppendLine($"cafile {tls.CaFile}");
            conf.AppendLine($"certfile {tls.CertFile}");
            conf.AppendLine($"keyfile {tls.KeyFile}");
            conf.AppendLine($"require_certificate {(tls.RequireCertificate ? "true" : "false")}");
        }
        var configPath = Path.Combine(dir.FullName, "mosquitto.conf");
        await File.WriteAllTextAsync(configPath, conf.ToString(), cancellationToken);

        var broker = new MosquittoBroker(dir, port, tlsPort, configPath);
        try
        {
            await broker.StartAsync(cancellationToken);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
        return broker;
    }

    /// <summary>Starts (again) on the same ports and waits until every listener accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning) return;
        var info = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-c", _configPath },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;

        var clock = Stopwatch.StartNew();
        foreach (var port in TlsPort is { } tls ? new[] { Port, tls } : [Port])
        {
            while (!await AcceptsAsync(port, cancellationToken))
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"mosquitto exited with code {process.ExitCode} before listening on 127.0.0.1:{port}. Log:\n{Log}");
                if (clock.Elapsed > StartTimeout)
                    throw new TimeoutException($"mosquitto did not listen on 127.0.0.1:{port} within {StartTimeout.TotalSeconds} s. Log:\n{Log}");
                await Task.Delay(25, cancellationToken);
            }
        }
    }

    /// <summary>Kills the broker (SIGKILL, no clean goodbye to clients): an outage.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is null) return;
        _process = null;
        try
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { _dir.Delete(recursive: true); }
        catch (IOException) { }
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    static async Task CreatePasswordAsync(string file, string user, string password, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("mosquitto_passwd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-b");
        if (!File.Exists(file)) info.ArgumentList.Add("-c");
        info.ArgumentList.Add(file);
        info.ArgumentList.Add(user);
        info.ArgumentList.Add(password);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto_passwd did not start");
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"mosquitto_passwd failed ({process.ExitCode}): {error}");
    }
}

/// <summary>Free TCP ports on 127.0.0.1, handed out by the kernel.</summary>
public static class FreeTcpPort
{
    /// <summary>A port that was free a moment ago (the kernel picks it, so parallel tests do not collide).</summary>
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
