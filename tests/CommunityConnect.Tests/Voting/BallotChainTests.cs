using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Features.Voting;

namespace CommunityConnect.Tests.Voting;

public sealed class BallotChainTests
{
    private static readonly DateTimeOffset At = new(2030, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);

    private static IReadOnlyList<ChainEntry> Chain(int length)
    {
        var entries = new List<ChainEntry>();
        for (var i = 0; i < length; i++)
        {
            entries.Add(BallotChain.Next(entries.LastOrDefault(), $"token{i:D2}", BallotChain.Choices[i % 3], At.AddSeconds(i)));
        }
        return entries;
    }

    [Fact]
    public void TheHashIsSha256OfTheDocumentedStringComputedIndependently()
    {
        var first = BallotChain.Next(null, "abc123", "yes", At.AddTicks(1234));
        var text = $"{new string('0', 64)}|1|abc123|yes|2030-03-04T05:06:07.089Z";
        var expected = string.Concat(SHA256.HashData(Encoding.UTF8.GetBytes(text)).Select(b => b.ToString("x2")));
        Assert.Equal(expected, first.Hash);
        Assert.Equal(1, first.Seq);
        Assert.Equal(At, first.CastAt);
        var second = BallotChain.Next(first, "def456", "abstain", At);
        Assert.Equal(first.Hash, second.PrevHash);
        Assert.Equal(2, second.Seq);
    }

    [Fact]
    public void AnIntactChainIsValidAndEndsAtItsHead()
    {
        var chain = Chain(5);
        Assert.Equal(new ChainCheck(true, 5, chain[^1].Hash, null), BallotChain.Verify(chain));
        Assert.Equal(new ChainCheck(true, 0, BallotChain.Genesis, null), BallotChain.Verify([]));
    }

    [Fact]
    public void AnEditedChoiceTimeOrTokenIsNamed()
    {
        var chain = Chain(5).ToList();
        Assert.Equal(3, BallotChain.Verify(chain.Select((e, i) => i == 2 ? e with { Choice = e.Choice == "yes" ? "no" : "yes" } : e).ToList()).FirstInvalidSeq);
        Assert.Equal(4, BallotChain.Verify(chain.Select((e, i) => i == 3 ? e with { CastAt = e.CastAt.AddMilliseconds(1) } : e).ToList()).FirstInvalidSeq);
        Assert.Equal(1, BallotChain.Verify(chain.Select((e, i) => i == 0 ? e with { VoterToken = "someone-else" } : e).ToList()).FirstInvalidSeq);
        // A rehashed edit still breaks the next link.
        var edited = chain[1] with { Choice = "yes" };
        edited = edited with { Hash = BallotChain.HashOf(edited.PrevHash, edited.Seq, edited.VoterToken, edited.Choice, edited.CastAt) };
        var check = BallotChain.Verify(chain.Select((e, i) => i == 1 ? edited : e).ToList());
        Assert.False(check.Valid);
        Assert.Null(check.Head);
        Assert.Equal(3, check.FirstInvalidSeq);
    }

    [Fact]
    public void ReorderedOrMissingEntriesAreNamed()
    {
        var chain = Chain(4).ToList();
        Assert.Equal(2, BallotChain.Verify([chain[0], chain[2], chain[1], chain[3]]).FirstInvalidSeq);
        Assert.Equal(2, BallotChain.Verify([chain[0], chain[2], chain[3]]).FirstInvalidSeq);
        Assert.Equal(5, BallotChain.Verify([.. chain, chain[3] with { Seq = 5 }]).FirstInvalidSeq);
    }

    [Fact]
    public void TimesAreHashedInOneFormatAtMillisecondPrecision() =>
        Assert.Equal("2030-03-04T05:06:07.089Z", BallotChain.FormatTime(new DateTimeOffset(2030, 3, 4, 13, 6, 7, 89, TimeSpan.FromHours(8))));
}
