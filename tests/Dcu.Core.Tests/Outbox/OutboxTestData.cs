using Dcu.Core.Model;

namespace Dcu.Core.Tests.Outbox;

internal static class OutboxTestData
{
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static Reading Reading(int i, string meter = "m-01") =>
        new(new MeterId(meter), ObisCode.VoltageL1, 230 + i / 10.0, "V", T0 + i * 60_000L, T0 + i * 60_000L + 1234,
            i % 7 == 0 ? ReadingQuality.Late : ReadingQuality.Good);

    public static MeterEvent Event(int i) => new(new MeterId("m-01"), EventKinds.MeterOffline, T0 + i, $"event {i}");
}
