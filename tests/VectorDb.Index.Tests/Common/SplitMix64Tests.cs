using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Common;

public class SplitMix64Tests
{
    /// <summary>Reference outputs of SplitMix64 seeded with 1234567 (from the published C reference code).</summary>
    [Fact]
    public void NextUInt64_MatchesReferenceSequence()
    {
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL];
        foreach (ulong value in expected)
        {
            Assert.Equal(value, rng.NextUInt64());
        }
    }
}
