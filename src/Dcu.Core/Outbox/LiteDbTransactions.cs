using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using LiteDB;

namespace Dcu.Core.Outbox;

/// <summary>
/// Keeps a failed LiteDB 5.0.21 engine from killing the process later. When a write fails with an
/// IOException (disk full), LiteDB closes its engine but can leave the open transaction undisposed; its
/// finalizer then runs the whole rollback on the GC finalizer thread against a closed cache, throws
/// ("discarded page must be writable") and terminates the process, long after the failure
/// (litedb-org/LiteDB#2828, seen once in our test host). The outbox discards such an engine anyway
/// (it reopens the file), so the transactions it leaves behind are taken off the finalizer queue.
/// </summary>
/// <remarks>
/// Reflection over internals (<c>LiteDatabase._engine</c> → <c>LiteEngine._monitor</c> → the
/// <c>TransactionMonitor</c>'s <c>_transactions</c> and its thread-local <c>_slot</c>), with literal
/// names so the trimmer keeps them. If a LiteDB version lacks them, nothing happens.
/// </remarks>
internal static class LiteDbTransactions
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly FieldInfo? Engine = Type.GetType("LiteDB.LiteDatabase, LiteDB")?.GetField("_engine", Instance);
    private static readonly FieldInfo? Monitor = Type.GetType("LiteDB.Engine.LiteEngine, LiteDB")?.GetField("_monitor", Instance);
    // Annotated so the trimmer keeps the monitor's fields for the two lookups below (it cannot follow the Type through a field).
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)]
    private static readonly Type? MonitorType = Type.GetType("LiteDB.Engine.TransactionMonitor, LiteDB");
    private static readonly FieldInfo? Transactions = MonitorType?.GetField("_transactions", Instance);
    private static readonly FieldInfo? Slot = MonitorType?.GetField("_slot", Instance);

    /// <summary>
    /// Suppresses the finalizers of every transaction of <paramref name="db"/>'s engine (those of the
    /// monitor and the calling thread's). Only for an engine that is about to be thrown away. Returns how many.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification =
        "ThreadLocal<TransactionService>.IsValueCreated/Value: where a trimmed build has no metadata for them, GetProperty returns null and only the calling thread's transaction is not found (it is usually in the monitor's list too).")]
    public static int AbandonAll(LiteDatabase db)
    {
        try
        {
            var monitor = Monitor?.GetValue(Engine?.GetValue(db));
            if (monitor is null) return 0;
            var found = new HashSet<object>(ReferenceEqualityComparer.Instance);
            if (Transactions?.GetValue(monitor) is IDictionary all)
                foreach (var t in all.Values) if (t is not null) found.Add(t);
            var slot = Slot?.GetValue(monitor);
            if (slot?.GetType().GetProperty("IsValueCreated")?.GetValue(slot) is true && slot.GetType().GetProperty("Value")?.GetValue(slot) is { } mine)
                found.Add(mine);
            foreach (var t in found) GC.SuppressFinalize(t);
            return found.Count;
        }
        catch (Exception ex) when (ex is TargetInvocationException or ObjectDisposedException or InvalidOperationException or ArgumentException)
        {
            return 0; // the engine is gone in a way we cannot see into; nothing more to do
        }
    }
}
