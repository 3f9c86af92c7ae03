using System.Globalization;
using System.Text;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

// Appends readings to a ReadingOutbox until killed, for the kill -9 torture test.
// usage: Dcu.OutboxWriter <path> <firstSeq> <seed>
// Each reading carries its sequence number as its value (exact in a double) and in its interval time.
// Prints, only after the awaited call returned (each line ends in " ;" so a line cut by the kill is recognised):
//   "committed <seq> ;"          after FlushAsync: every seq up to <seq> of this run is committed
//   "removing <seq> <seq> ... ;" before RemoveAsync (in flight: may or may not be removed if killed now)
//   "removed ;"                  after RemoveAsync: the seqs of the last "removing" line are removed
var path = args[0];
var seq = long.Parse(args[1], CultureInfo.InvariantCulture);
var random = new Random(int.Parse(args[2], CultureInfo.InvariantCulture));
var meter = new MeterId("torture");
const long T0 = 1_767_225_600_000;

var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
await using var outbox = new ReadingOutbox(new OutboxOptions { Path = path, BatchSize = 200 });
stdout.WriteLine("opened ;");
var line = new StringBuilder();
while (true)
{
    var n = random.Next(1, 400);
    for (var i = 0; i < n; i++, seq++)
        await outbox.AppendAsync(new Reading(meter, ObisCode.VoltageL1, seq, "V", T0 + seq * 1000, T0 + seq * 1000 + 1), default);
    await outbox.FlushAsync(default);
    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {seq - 1} ;"));

    var oldest = outbox.PeekOldest(OutboxLane.Readings, random.Next(1, 2 * n + 1));
    if (oldest.Length == 0) continue;
    line.Clear().Append("removing");
    foreach (var r in oldest) line.Append(' ').Append(((long)r.Reading!.Value).ToString(CultureInfo.InvariantCulture));
    stdout.WriteLine(line.Append(" ;").ToString());
    await outbox.RemoveAsync(OutboxLane.Readings, oldest.Select(r => r.Id).ToList(), default);
    stdout.WriteLine("removed ;");
}
