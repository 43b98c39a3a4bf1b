using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>A ballot's scope: one building (by its id in the community); leave scope out for the whole community.</summary>
public sealed record BallotScopeInput([property: Required] long? BuildingId);

public sealed record NewBallotInput(
    [property: Required, TextLength(UserText.TitleMax)] string? Title,
    [property: TextLength(UserText.BodyMax, Min = 0)] string? Description,
    [property: Required, OneOf(Matters.ElectCommittee, Matters.Rules, Matters.HireProperty, Matters.UseMaintenanceFund,
        Matters.RaiseMaintenanceFund, Matters.Rebuild, Matters.ChangeCommonUse, Matters.Other)] string? Matter,
    BallotScopeInput? Scope,
    DateTimeOffset? OpensAt,
    [property: Required] DateTimeOffset? ClosesAt);

/// <summary>An owner's vote; <c>votingOwnerId</c> only when the caller's keys belong to more than one voting owner of the ballot.</summary>
public sealed record VoteInput(
    [property: Required, OneOf(VoteChoices.Yes, VoteChoices.No, VoteChoices.Abstain)] string? Choice,
    long? VotingOwnerId);

public sealed record ReasonInput([property: Required, TextLength(500)] string? Reason);

/// <summary>The scope of a ballot: the building it is limited to (null: the whole community).</summary>
public sealed record BallotScope(long? BuildingId, string? Building);

/// <summary>One voting owner the caller speaks for on a ballot: its units, and whether it has voted or has a paper ballot waiting.</summary>
public sealed record MyVotingOwner(long Id, IReadOnlyList<string> Units, decimal Area, bool Voted, bool PaperPending);

public sealed record Ballot(
    long Id, long CommunityId, string Title, string Description, string Matter, string Rule, BallotScope Scope, long RegisterVersion,
    DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string Status, long EligibleOwners, decimal EligibleArea, DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt, string? Head, bool? Approved, IReadOnlyList<MyVotingOwner> MyVotingOwners);

/// <summary>One entry of the chain as the public ledger shows it; castAt in exactly the hashed format (yyyy-MM-ddTHH:mm:ss.fffZ, UTC).</summary>
public sealed record LedgerEntry(long Seq, string VoterToken, string Choice, string CastAt, string PrevHash, string Hash)
{
    public static LedgerEntry Of(ChainEntry entry) =>
        new(entry.Seq, entry.VoterToken, entry.Choice, BallotChain.FormatTime(entry.CastAt), entry.PrevHash, entry.Hash);
}

public sealed record VoteReceipt(LedgerEntry Receipt);

/// <summary>The tally (areas in square metres); approved as it would stand if the ballot closed now, or as frozen at closing.</summary>
public sealed record BallotTally(
    long BallotId, string Status, string Rule, long EligibleOwners, decimal EligibleArea, long ParticipatingOwners, decimal ParticipatingArea,
    long YesOwners, decimal YesArea, long NoOwners, decimal NoArea, long AbstainOwners, decimal AbstainArea, bool QuorumMet, bool Approved,
    bool Frozen)
{
    public static decimal SquareMetres(long centi) => centi / 100m;

    public static BallotTally Of(long ballotId, string status, string rule, TallyCounts counts, bool frozen)
    {
        var decision = Article278.Decide(rule, counts);
        var participating = counts.Participating;
        return new BallotTally(ballotId, status, rule, counts.Eligible.Owners, SquareMetres(counts.Eligible.AreaCentiSqM),
            participating.Owners, SquareMetres(participating.AreaCentiSqM), counts.Yes.Owners, SquareMetres(counts.Yes.AreaCentiSqM),
            counts.No.Owners, SquareMetres(counts.No.AreaCentiSqM), counts.Abstain.Owners, SquareMetres(counts.Abstain.AreaCentiSqM),
            decision.QuorumMet, decision.Approved, frozen);
    }
}

/// <summary>The chain recomputed: whether every entry holds, the entries, the head (null when it does not hold) and the first bad entry.</summary>
public sealed record BallotVerification(bool Valid, long Entries, string? Head, long? FirstInvalidSeq, string? FrozenHead, bool? MatchesFrozenHead);

/// <summary>A paper ballot entered by an owners' committee member, waiting for (or decided by) a second member.</summary>
public sealed record PaperVote(
    long Id, long BallotId, long VotingOwnerId, string OwnerKey, string Choice, string State, long EnteredBy, DateTimeOffset EnteredAt,
    long? DecidedBy, DateTimeOffset? DecidedAt, string? Reason, long? Seq, string PhotoUrl);

public static class BallotStatuses
{
    public const string Scheduled = "scheduled";
    public const string Open = "open";
    public const string Closed = "closed";
}

/// <summary>
/// A ballot's states. Stored: <c>open</c> until the closing job freezes it (<c>open → closed</c>, only
/// once closesAt has passed). Shown: <c>scheduled</c> before opensAt, <c>closed</c> from closesAt on
/// (votes stop then, even before the job runs).
/// </summary>
public static class BallotStates
{
    public const string Open = "open";
    public const string Closed = "closed";

    public static string StatusAt(string state, DateTimeOffset opensAt, DateTimeOffset closesAt, DateTimeOffset now) =>
        state == Closed || now >= closesAt ? BallotStatuses.Closed
        : now < opensAt ? BallotStatuses.Scheduled
        : BallotStatuses.Open;

    /// <summary>Votes (online, or a paper ballot entered or confirmed) are taken only while the ballot shows open.</summary>
    public static bool TakesVotes(string state, DateTimeOffset opensAt, DateTimeOffset closesAt, DateTimeOffset now) =>
        StatusAt(state, opensAt, closesAt, now) == BallotStatuses.Open;
}

/// <summary>A paper ballot's states: <c>pending → confirmed</c> (it counts and enters the chain) or <c>pending → rejected</c>, by a second member.</summary>
public static class PaperVoteStates
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Rejected = "rejected";
}
