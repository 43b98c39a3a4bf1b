namespace CommunityConnect.Api.Features.Voting;

/// <summary>What an owners' assembly decides; the rule follows from it.</summary>
public static class Matters
{
    public const string ElectCommittee = "elect_committee";
    public const string Rules = "rules";
    public const string HireProperty = "hire_property";
    public const string UseMaintenanceFund = "use_maintenance_fund";
    public const string RaiseMaintenanceFund = "raise_maintenance_fund";
    public const string Rebuild = "rebuild";
    public const string ChangeCommonUse = "change_common_use";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All =
        [ElectCommittee, Rules, HireProperty, UseMaintenanceFund, RaiseMaintenanceFund, Rebuild, ChangeCommonUse, Other];

    // Civil Code art. 278 ¶2: raising maintenance funds, rebuilding or renovating buildings and their facilities
    // (installing a lift is one), and changing the use of common parts or using them for business need three quarters.
    private static readonly HashSet<string> Special = [RaiseMaintenanceFund, Rebuild, ChangeCommonUse];

    public static string RuleOf(string matter) => Special.Contains(matter) ? Article278.SpecialRule : Article278.OrdinaryRule;
}

/// <summary>Counts of a ballot: owners (heads) and exclusive floor area in hundredths of a square metre, exact integers.</summary>
public readonly record struct Count(long Owners, long AreaCentiSqM)
{
    public static Count operator +(Count a, Count b) => new(a.Owners + b.Owners, a.AreaCentiSqM + b.AreaCentiSqM);
}

/// <summary>The votes of a ballot, by choice, and who could have voted.</summary>
public readonly record struct TallyCounts(Count Eligible, Count Yes, Count No, Count Abstain)
{
    /// <summary>Abstaining is taking part (it counts for the quorum), not agreeing.</summary>
    public Count Participating => Yes + No + Abstain;
}

/// <summary>The decision of art. 278 on a tally.</summary>
public readonly record struct Decision(bool QuorumMet, bool Approved);

/// <summary>
/// Civil Code art. 278, in exact integer arithmetic (no floating point): the quorum is at least two
/// thirds of the area and at least two thirds of the owners taking part; an ordinary matter then passes
/// with more than half of the participating area and of the participating owners, a special one with at
/// least three quarters of each. "At least" includes the boundary; "more than half" does not.
/// </summary>
public static class Article278
{
    public const string OrdinaryRule = "ordinary";
    public const string SpecialRule = "special";

    /// <summary>part ≥ 2/3 of all, as 3 × part ≥ 2 × all.</summary>
    public static bool AtLeastTwoThirds(long part, long all) => 3 * part >= 2 * all;

    /// <summary>part ≥ 3/4 of all, as 4 × part ≥ 3 × all.</summary>
    public static bool AtLeastThreeQuarters(long part, long all) => 4 * part >= 3 * all;

    /// <summary>part &gt; 1/2 of all, as 2 × part &gt; all (exactly half fails).</summary>
    public static bool MoreThanHalf(long part, long all) => 2 * part > all;

    // Civil Code art. 278 ¶2: participation needs two thirds of the area and two thirds of the owners.
    public static bool QuorumMet(Count eligible, Count participating) =>
        eligible.Owners > 0 && eligible.AreaCentiSqM > 0
        && AtLeastTwoThirds(participating.AreaCentiSqM, eligible.AreaCentiSqM)
        && AtLeastTwoThirds(participating.Owners, eligible.Owners);

    public static bool Passes(string rule, Count participating, Count yes) => rule == SpecialRule
        ? AtLeastThreeQuarters(yes.AreaCentiSqM, participating.AreaCentiSqM) && AtLeastThreeQuarters(yes.Owners, participating.Owners)
        : MoreThanHalf(yes.AreaCentiSqM, participating.AreaCentiSqM) && MoreThanHalf(yes.Owners, participating.Owners);

    public static Decision Decide(string rule, TallyCounts tally)
    {
        var quorum = QuorumMet(tally.Eligible, tally.Participating);
        return new Decision(quorum, quorum && tally.Participating.Owners > 0 && Passes(rule, tally.Participating, tally.Yes));
    }
}
