using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Jobs.Voting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>业主线上表决: owners' assembly votes by Civil Code art. 278 on a snapshot of the owners register, with a verifiable hash chain.</summary>
public static partial class VotingApi
{
    public const string Tag = "Voting";

    public static IServiceCollection AddVoting(this IServiceCollection services) =>
        services.AddSingleton<VoterTokens>()
            .AddSingleton<BallotStore>()
            .AddSingleton<VoteStore>()
            .AddSingleton<PaperVoteStore>()
            .AddSingleton<LedgerStore>()
            .AddSingleton<BallotClosing>()
            .AddSingleton<IBallotClosing>(provider => provider.GetRequiredService<BallotClosing>())
            .AddTransient<CloseDueBallotsJob>();

    public static RouteGroupBuilder MapVoting(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}/ballots").WithTags(Tag)
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/", Create).WithName("CreateBallot")
            .WithSummary("Open an owners' vote on a matter (its rule follows: ordinary or special), for the community or one building.")
            .WithDescription("The owners' committee only (others: 403). Takes a snapshot of the current owners register (409 without one, or with no units " +
                "in scope): its voting owners (units with identical owner sets are one) and their areas; later imports change nothing about the " +
                "ballot. matter decides the rule of Civil Code art. 278 (raise_maintenance_fund, rebuild — a lift is one — and change_common_use are " +
                "special: 3/4; the rest ordinary: more than 1/2). scope.buildingId limits the vote to one building's owners and area. opensAt " +
                "defaults to now; closesAt must follow it. Tells the members of the scope.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        community.MapGet("/", List).WithName("ListBallots")
            .WithSummary("The community's ballots, newest first, with the caller's voting owners on each.")
            .WithDescription("Members of the community and its street's admins. Reads only: the ballots, newest first, paged by cursor, each with its rule, " +
                "status and the voting owners the caller speaks for.")
            .ProducesProblem(400);

        var ballot = v1.MapGroup("/ballots/{ballotId:long}").WithTags(Tag).RequireAuthorization().ProducesProblem(404);
        ballot.MapGet("/", Get).WithName("GetBallot")
            .WithSummary("One ballot: its rule, scope, status, eligible owners and area, the head once closed, and the caller's voting owners.")
            .WithDescription("Members of its community and its street's admins; for anyone else it does not exist (404). Reads only: the ballot, and for the " +
                "caller myVotingOwners (each with its units and whether it has voted or has a paper ballot pending). Once closed: the result " +
                "(approved) and the chain's final head, against which each owner can check their receipt.");
        ballot.MapPost("/votes", Vote).WithName("CastVote")
            .WithSummary("An owner's vote (yes, no or abstain) for a voting owner they speak for; answers the receipt in the chain.")
            .WithDescription("Owners on the ballot's register snapshot and in its scope (others: 403). votingOwnerId is needed only when the caller's keys belong " +
                "to several voting owners (400 without it). One vote per voting owner: a co-owner's or a second unit's second attempt is 409, as is " +
                "a vote before opensAt, after closing, or for a voting owner with a paper ballot pending. Appends the vote to the hash chain and " +
                "answers the receipt { seq, voterToken, choice, castAt, hash, prevHash }. Abstaining is taking part, not agreeing.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        ballot.MapGet("/tally", Tally).WithName("GetBallotTally")
            .WithSummary("The tally by art. 278: eligible and participating owners and area, yes/no/abstain, quorum and approval.")
            .WithDescription("Members of its community and its street's admins. Reads only: live from the chain while open (approved as it would stand if " +
                "the ballot closed now), frozen once the closing job has closed it. Areas in square metres; the law is applied to exact integers " +
                "(hundredths of a square metre).");
        ballot.MapGet("/ledger", Ledger).WithName("GetBallotLedger")
            .WithSummary("The public ledger: the chain's entries by seq (voter pseudonyms, choices, times and hashes), paged.")
            .WithDescription("Members of its community and its street's admins. Reads only: the entries in order, paged by cursor; a voterToken is a " +
                "per-ballot pseudonym, so the ledger does not show who voted what. Anyone can recompute each hash: SHA-256 of " +
                "\"{prevHash}|{seq}|{voterToken}|{choice}|{castAt}\".")
            .ProducesProblem(400);
        ballot.MapGet("/verify", Verify).WithName("VerifyBallot")
            .WithSummary("Recomputes the chain: valid, entries, head and the first invalid seq; once closed, whether it still ends at the published head.")
            .WithDescription("Members of its community and its street's admins. Reads only: recomputes every entry's hash and link; any edit of a stored " +
                "vote, choice or order makes valid false and names the first bad entry (head is then null).");
        ballot.MapGet("/receipt", Receipt).WithName("GetVoteReceipt")
            .WithSummary("The caller's own receipt again (votingOwnerId when they speak for several voting owners).")
            .WithDescription("Owners on the ballot (others: 403; 400 without votingOwnerId when they speak for several). Reads only: the entry of their voting " +
                "owner, or 404 when it has not voted.")
            .ProducesProblem(400).ProducesProblem(403);
        ballot.MapGet("/record.csv", Record).WithName("GetBallotRecord")
            .WithSummary("The named record for the legal archive (owner keys, units, area, choice, online or paper, time), as CSV.")
            .WithDescription("The owners' committee only (residents and others: 403). Reads only: one row per entry of the chain, by seq, UTF-8 CSV.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(403);
        MapPaperVotes(v1, ballot);
        return v1;
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "Ballot was not found.");

    private static async Task<Results<Created<Ballot>, ValidationProblem, ProblemHttpResult>> Create(
        long communityId, NewBallotInput input, CommunityAccess access, BallotStore store, UnitOfWork work, TimeProvider time)
    {
        if (!access.Has(Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the owners' committee opens an owners' vote.");
        }
        var now = time.GetUtcNow();
        var opensAt = input.OpensAt ?? now;
        var errors = new Dictionary<string, string[]>();
        // A phone's clock may run a little behind: an opensAt just past means now.
        if (opensAt < now - TimeSpan.FromMinutes(5) || opensAt.Year > 2100)
        {
            errors["opensAt"] = ["opensAt may not be in the past (leave it out to open now)."];
        }
        if (input.ClosesAt is { } closesAt && (closesAt <= (opensAt < now ? now : opensAt) || closesAt.Year > 2100))
        {
            errors["closesAt"] = ["closesAt must be after opensAt and in the future (and before 2100)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.CreateAsync(connection, transaction, access, input.Title!.Trim(), input.Description?.Trim() ?? "",
                input.Matter!, input.Scope?.BuildingId, opensAt < now ? now : opensAt, input.ClosesAt!.Value),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Ballot ballot) => $"/v1/ballots/{ballot.Id}";
    }

    private static async Task<Results<Ok<Page<Ballot>>, ValidationProblem>> List(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, BallotStore store)
    {
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(access, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<CommunityAccess?> AccessAsync(long ballotId, HttpContext http, BallotStore store, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await store.CommunityOfAsync(ballotId));

    private static async Task<Results<Ok<Ballot>, ProblemHttpResult>> Get(long ballotId, HttpContext http, BallotStore store, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        var ballot = access is null ? null : await store.GetAsync(ballotId, access);
        return ballot is null ? NotFound() : TypedResults.Ok(ballot);
    }

    private static async Task<Results<Created<VoteReceipt>, ProblemHttpResult>> Vote(
        long ballotId, VoteInput input, HttpContext http, BallotStore store, VoteStore votes, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var location = $"/v1/ballots/{ballotId}/receipt";
        var outcome = await work.CreateAsync(
            (connection, transaction) => votes.CastAsync(connection, transaction, ballotId, access, input.Choice!, input.VotingOwnerId), _ => location);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(location, outcome.Value);
    }

    private static async Task<Results<Ok<BallotTally>, ProblemHttpResult>> Tally(
        long ballotId, HttpContext http, BallotStore store, LedgerStore ledger, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        var tally = access is null ? null : await ledger.TallyAsync(ballotId, access.CommunityId);
        return tally is null ? NotFound() : TypedResults.Ok(tally);
    }

    private static async Task<Results<Ok<Page<LedgerEntry>>, ValidationProblem, ProblemHttpResult>> Ledger(
        long ballotId, [AsParameters] PageRequest page, HttpContext http, BallotStore store, LedgerStore ledger, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var errors = page.Read(out SeqCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await ledger.LedgerAsync(ballotId, access.CommunityId, after?.Seq, page.Fetch);
        return rows is null ? NotFound() : TypedResults.Ok(page.Cut(rows, r => new SeqCursor(r.Seq)));
    }

    private static async Task<Results<Ok<BallotVerification>, ProblemHttpResult>> Verify(
        long ballotId, HttpContext http, BallotStore store, LedgerStore ledger, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        var check = access is null ? null : await ledger.VerifyAsync(ballotId, access.CommunityId);
        return check is null ? NotFound() : TypedResults.Ok(check);
    }

    private static async Task<Results<Ok<VoteReceipt>, ProblemHttpResult>> Receipt(
        long ballotId, [FromQuery] long? votingOwnerId, HttpContext http, BallotStore store, VoteStore votes, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var mine = await votes.OwnersOfUserAsync(ballotId, access.UserId);
        if (mine.Count == 0 || (votingOwnerId is { } named && !mine.Contains(named)))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only owners on this ballot have receipts, each for the voting owners they speak for.");
        }
        if (votingOwnerId is null && mine.Count > 1)
        {
            return TypedResults.Problem(statusCode: 400, title: "You speak for several voting owners of this ballot: name one (votingOwnerId).");
        }
        var receipt = await votes.ReceiptAsync(ballotId, votingOwnerId ?? mine[0]);
        return receipt is null
            ? TypedResults.Problem(statusCode: 404, title: "Receipt was not found.", detail: "This voting owner has not voted on this ballot.")
            : TypedResults.Ok(new VoteReceipt(receipt));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Record(
        long ballotId, HttpContext http, BallotStore store, LedgerStore ledger, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the owners' committee exports the named record.");
        }
        var csv = await ledger.RecordCsvAsync(ballotId, access.CommunityId);
        return csv is null ? NotFound() : TypedResults.File(csv, CsvFiles.ContentType, $"ballot-{ballotId}-record.csv");
    }
}
