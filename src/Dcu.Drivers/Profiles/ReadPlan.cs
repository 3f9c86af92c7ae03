using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// Which requests read a set of register-map entries in as few round trips as possible. Pure.
/// </summary>
/// <remarks>
/// Entries are grouped by function (FC 03 and FC 04 address different tables, so they are never
/// merged), sorted by address, and swept greedily: an entry joins the current request when the
/// registers between the request's end and the entry's start number at most
/// <see cref="ReadPlanOptions.MaxGap"/> and the grown request stays within
/// <see cref="ReadPlanOptions.MaxRegistersPerRequest"/> (125 by the spec). Otherwise it starts a new
/// request. Overlapping or duplicate entries share registers. FC 03 requests come before FC 04,
/// each in address order, so the same input always gives the same plan.
/// </remarks>
public sealed class ReadPlan
{
    private ReadPlan(IReadOnlyList<ReadRequest> requests) => Requests = requests;

    public IReadOnlyList<ReadRequest> Requests { get; }

    /// <summary>Registers read in total, gaps included.</summary>
    public int TotalRegisters => Requests.Sum(r => r.Count);

    public static ReadPlan Create(IEnumerable<RegisterMapEntry> entries, ReadPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        options ??= ReadPlanOptions.Default;
        options.Validate();

        var requests = new List<ReadRequest>();
        foreach (var group in entries.Distinct().GroupBy(e => e.Function).OrderBy(g => g.Key))
        {
            if (group.Key is not (ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters))
                throw new ArgumentException($"{group.First().Obis}: function {group.Key} does not read registers", nameof(entries));

            var sorted = group.OrderBy(e => e.Address).ThenBy(e => e.EndAddress).ToList();
            var start = sorted[0].Address;
            var end = sorted[0].EndAddress;
            var members = new List<RegisterMapEntry> { sorted[0] };
            foreach (var entry in sorted.Skip(1))
            {
                var gap = entry.Address - end;
                var grownEnd = Math.Max(end, entry.EndAddress);
                if (gap <= options.MaxGap && grownEnd - start <= options.MaxRegistersPerRequest)
                {
                    end = grownEnd;
                    members.Add(entry);
                    continue;
                }
                requests.Add(new ReadRequest(group.Key, start, (ushort)(end - start), members));
                start = entry.Address;
                end = entry.EndAddress;
                members = [entry];
            }
            requests.Add(new ReadRequest(group.Key, start, (ushort)(end - start), members));
        }
        return new ReadPlan(requests);
    }
}
