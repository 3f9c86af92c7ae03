using System.Text;
using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>Runs modem bytes through the codec as the channel does (framer, then assembler), for the codec tests.</summary>
internal sealed class AtWire
{
    private readonly List<byte> _buffer = [];
    private readonly AtResponseAssembler _assembler = new();

    public AtWire(string? command = null)
    {
        if (command is not null) _assembler.Begin(command);
    }

    public List<(AtLineKind Kind, string Line)> Lines { get; } = [];

    public List<AtFormatError> Errors { get; } = [];

    public AtResponse? Response => _assembler.Response;

    public IEnumerable<string> Urcs => Lines.Where(l => l.Kind == AtLineKind.Unsolicited).Select(l => l.Line);

    public static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Feeds bytes; returns the bytes the framer consumed.</summary>
    public int Feed(ReadOnlySpan<byte> bytes)
    {
        _buffer.AddRange(bytes.ToArray());
        var total = 0;
        while (true)
        {
            var input = _buffer.ToArray();
            var status = AtLineFramer.TryRead(input, out var range, out var consumed, out var error);
            if (status == AtFrameStatus.Incomplete)
            {
                Assert.Equal(0, consumed);
                return total;
            }
            _buffer.RemoveRange(0, consumed);
            total += consumed;
            if (status == AtFrameStatus.Error) Errors.Add(error);
            else
            {
                var line = Encoding.ASCII.GetString(input.AsSpan(range));
                Lines.Add((_assembler.Accept(line), line));
            }
        }
    }

    public static AtWire Run(string command, string modemBytes)
    {
        var wire = new AtWire(command);
        wire.Feed(Bytes(modemBytes));
        return wire;
    }
}
