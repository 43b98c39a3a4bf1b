using CommunityConnect.Api.Features.Voting;

namespace CommunityConnect.Tests.Voting;

/// <summary>The law's boundaries, on exact integers (areas in hundredths of a square metre).</summary>
public sealed class Article278Tests
{
    private static TallyCounts Tally(Count eligible, Count yes, Count no, Count abstain = default) => new(eligible, yes, no, abstain);

    [Theory]
    [InlineData("raise_maintenance_fund", "special")]
    [InlineData("rebuild", "special")]
    [InlineData("change_common_use", "special")]
    [InlineData("elect_committee", "ordinary")]
    [InlineData("rules", "ordinary")]
    [InlineData("hire_property", "ordinary")]
    [InlineData("use_maintenance_fund", "ordinary")]
    [InlineData("other", "ordinary")]
    public void TheRuleFollowsFromTheMatter(string matter, string rule) => Assert.Equal(rule, Matters.RuleOf(matter));

    [Fact]
    public void ExactlyTwoThirdsOfAreaAndOwnersIsAQuorumAndJustUnderIsNot()
    {
        var eligible = new Count(9, 900_00);
        Assert.True(Article278.QuorumMet(eligible, new Count(6, 600_00)));
        Assert.False(Article278.QuorumMet(eligible, new Count(6, 599_99)));
        Assert.False(Article278.QuorumMet(eligible, new Count(5, 900_00)));
        // 2/3 of 10 owners is 6.67: 7 is enough, 6 is not.
        Assert.True(Article278.QuorumMet(new Count(10, 1000), new Count(7, 667)));
        Assert.False(Article278.QuorumMet(new Count(10, 1000), new Count(6, 1000)));
        Assert.False(Article278.QuorumMet(new Count(10, 1000), new Count(7, 666)));
    }

    [Fact]
    public void ExactlyHalfFailsAnOrdinaryMatterAndJustOverPasses()
    {
        var eligible = new Count(4, 400);
        Assert.False(Article278.Decide("ordinary", Tally(eligible, new Count(2, 200), new Count(2, 200))).Approved);
        Assert.True(Article278.Decide("ordinary", Tally(eligible, new Count(3, 201), new Count(1, 199))).Approved);
        Assert.False(Article278.Decide("ordinary", Tally(eligible, new Count(3, 200), new Count(1, 200))).Approved);
    }

    [Fact]
    public void ExactlyThreeQuartersPassesASpecialMatterAndJustUnderFails()
    {
        var eligible = new Count(8, 800);
        Assert.True(Article278.Decide("special", Tally(eligible, new Count(6, 600), new Count(2, 200))).Approved);
        Assert.False(Article278.Decide("special", Tally(eligible, new Count(6, 599), new Count(2, 201))).Approved);
        Assert.False(Article278.Decide("special", Tally(eligible, new Count(5, 700), new Count(3, 100))).Approved);
        // The same votes pass an ordinary matter.
        Assert.True(Article278.Decide("ordinary", Tally(eligible, new Count(5, 700), new Count(3, 100))).Approved);
    }

    [Fact]
    public void AreaAndHeadcountMustBothAgreeEitherWayRound()
    {
        var eligible = new Count(10, 10_000);
        // Many small flats say yes, a few large ones no: heads pass, area fails.
        Assert.False(Article278.Decide("ordinary", Tally(eligible, new Count(7, 3_000), new Count(3, 7_000))).Approved);
        // A few large flats say yes: area passes, heads fail.
        Assert.False(Article278.Decide("ordinary", Tally(eligible, new Count(3, 7_000), new Count(7, 3_000))).Approved);
        // The quorum too: enough heads without the area, enough area without the heads.
        Assert.False(Article278.QuorumMet(eligible, new Count(7, 6_000)));
        Assert.False(Article278.QuorumMet(eligible, new Count(6, 9_000)));
    }

    [Fact]
    public void AbstainingCountsForTheQuorumButNotForApproval()
    {
        var eligible = new Count(6, 600);
        var tally = Tally(eligible, new Count(2, 200), new Count(0, 0), new Count(2, 200));
        var decision = Article278.Decide("ordinary", tally);
        Assert.True(decision.QuorumMet);
        Assert.False(decision.Approved);
        Assert.True(Article278.Decide("ordinary", Tally(eligible, new Count(3, 300), new Count(0, 0), new Count(1, 100))).Approved);
    }

    [Fact]
    public void NoQuorumNoDecisionEvenIfEveryVoterAgrees() =>
        Assert.Equal(new Decision(false, false), Article278.Decide("ordinary", Tally(new Count(3, 300), new Count(1, 100), default)));

    [Fact]
    public void HugeAreasCompareExactly()
    {
        // 10^13 hundredths of a m² (a district): no overflow, no rounding.
        const long all = 10_000_000_000_000;
        Assert.True(Article278.AtLeastTwoThirds(6_666_666_666_667, all));
        Assert.False(Article278.AtLeastTwoThirds(6_666_666_666_666, all));
        Assert.False(Article278.MoreThanHalf(5_000_000_000_000, all));
        Assert.True(Article278.MoreThanHalf(5_000_000_000_001, all));
    }
}
