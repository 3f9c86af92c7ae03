using System.Runtime.InteropServices;

namespace Dcu.Core.Persistence;

/// <summary>
/// Power-cut-safe file replacement: write a temp file, fsync it, rename it over the target, fsync the
/// directory (the rename is only durable once the directory entry is): after a crash or power cut the
/// file holds the old or the new content, whole; a stale .tmp is overwritten by the next write, never read.
/// Used by the command ledger, the config overrides and the persisted archive and tasks.
/// </summary>
public static class DurableFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = full + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
        SyncDirectory(dir);
    }

    /// <summary>fsync of a directory, so created, renamed or deleted entries in it survive a power cut (Linux; a no-op elsewhere).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        // .NET cannot open a directory as a FileStream; open(2) it read-only and fsync the descriptor.
        var fd = Open(System.Text.Encoding.UTF8.GetBytes(directory + "\0"), ORdOnly | OCloexec);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int ORdOnly = 0;
    private const int OCloexec = 0x80000; // the same on x86-64, arm and arm64 (O_DIRECTORY is not, so it is not used)

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
