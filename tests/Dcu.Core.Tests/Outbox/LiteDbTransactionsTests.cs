using Dcu.Core.Outbox;
using LiteDB;

namespace Dcu.Core.Tests.Outbox;

public sealed class LiteDbTransactionsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Finds_the_open_transaction_of_the_calling_thread_through_LiteDB_internals()
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = _dir.File("t.db"), Connection = ConnectionType.Direct });
        Assert.True(db.BeginTrans());
        db.GetCollection("c").Insert(new BsonDocument { ["x"] = 1 });

        // If a LiteDB upgrade renames the internals, this fails here instead of the guard silently doing nothing.
        Assert.Equal(1, LiteDbTransactions.AbandonAll(db));
        Assert.True(db.Rollback());
    }
}
