using System.Diagnostics;

namespace Dcu.Testing;

/// <summary>Waits on a condition with a deadline instead of sleeping a guessed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> every <paramref name="poll"/> until true; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        var step = poll ?? TimeSpan.FromMilliseconds(20);
        while (!condition())
        {
            if (deadline.Elapsed > limit) throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(step);
        }
    }

    /// <summary>Same as <see cref="TrueAsync(Func{bool}, string, TimeSpan?, TimeSpan?)"/> for an async condition.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        var step = poll ?? TimeSpan.FromMilliseconds(20);
        while (!await condition())
        {
            if (deadline.Elapsed > limit) throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(step);
        }
    }

    /// <summary>Awaits a task with a deadline, failing with <paramref name="what"/> when it takes longer.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try { return await task.WaitAsync(limit); }
        catch (TimeoutException) { throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}"); }
    }
}
