using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Reports;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.ComplaintBox;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>The complaint box (大家来吐槽 / 人民意见征集): opinions with sealed anonymity (issue 4).</summary>
public static class ComplaintBoxApi
{
    public static IServiceCollection AddComplaintBox(this IServiceCollection services) =>
        services.AddSingleton<AuthorSeal>()
            .AddSingleton<OpinionStore>()
            .AddSingleton<OpinionAnswerStore>()
            .AddSingleton<AuditStore>()
            .AddSingleton<OpinionTrendStore>()
            .AddSingleton<IAnsweredOpinions>(provider => provider.GetRequiredService<OpinionAnswerStore>())
            .AddSingleton<Cases.ICaseAnswerHandler, OpinionCaseAnswers>()
            .AddSingleton<Infrastructure.Data.IDataMigration, SealingMigration>()
            .AddTransient<AutoCloseAnsweredOpinionsJob>();

    public static RouteGroupBuilder MapComplaintBox(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Complaint box")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/opinions", Create).WithName("CreateOpinion")
            .WithSummary("Drop a complaint, suggestion, question (each a case for the routed body) or praise (a notice to toBody), optionally anonymous.")
            .WithDescription("Members of the community (the street admin: 403). Creates a complaint, suggestion or question, which " +
                "opens a case for the body the routing table names for its category, or praise, which thanks toBody " +
                "(given for praise only) with a notice and is closed at once. An anonymous author is sealed from " +
                "everyone, staff included; a private opinion is seen only by its author, the bodies concerned, the " +
                "secretary and the street admin.")
            .ProducesProblem(403);
        community.MapGet("/opinions", List).WithName("ListOpinions")
            .WithSummary("Public opinions, and the private ones the caller may see; sort=recent|agreed.")
            .WithDescription("Members of the community and its street's admins. Reads only: public opinions and the private ones the " +
                "caller is an audience of, optionally of one kind, category and state, newest first or most agreed first " +
                "(sort=agreed), paged by cursor; anonymous authors show as 匿名居民.");
        community.MapGet("/opinions/trends", Trends).WithName("GetOpinionTrends")
            .WithSummary("Counts by category and ISO week, share answered, median hours to first answer, satisfaction rate, top agreed open opinions.")
            .WithDescription("The committees, the party secretary and the street admin (others: 403). Reads only: for the opinions " +
                "created from `from` to `to` (Shanghai dates, default the last 12 weeks), counts by category and ISO " +
                "week, the share answered, median hours to a first answer, the satisfaction rate and the most agreed open " +
                "opinions; praise is counted apart.")
            .ProducesProblem(403);
        community.MapGet("/audit", Audit).WithName("ListAudit")
            .WithSummary("The community's append-only audit log (unsealings), for the secretary and the street office.")
            .WithDescription("The party secretary and the street admin (others: 403). Reads only: the community's append-only audit " +
                "log (who unsealed which anonymous author, and why), newest first, paged by cursor.")
            .ProducesProblem(403);

        var opinion = v1.MapGroup("/opinions/{opinionId:long}").WithTags("Complaint box").RequireAuthorization().ProducesProblem(404);
        opinion.MapGet("/", Get).WithName("GetOpinion").WithSummary("One opinion with its answers, state and caseId.")
            .WithDescription("A public opinion: members of its community and the street's admins; a private one: its author, the " +
                "bodies concerned, the secretary and the street admin; for anyone else it does not exist (404), as for " +
                "every route under /v1/opinions/{opinionId}. Reads only: the opinion with its state, caseId and the " +
                "answers the caller may see (private answers to its private audience).");
        opinion.MapPut("/agree", Agree).WithName("AgreeWithOpinion").WithSummary("\"Me too\" on a public opinion (idempotent).")
            .WithDescription("Members who may see the opinion (the street admin: 403). Adds the caller's \"me too\" (twice: no change); " +
                "409 for a private opinion.")
            .ProducesProblem(403).ProducesProblem(409);
        opinion.MapDelete("/agree", Disagree).WithName("WithdrawOpinionAgreement").WithSummary("Take back a \"me too\" (idempotent).")
            .WithDescription("Members who may see the opinion (the street admin: 403). Removes the caller's \"me too\"; without one it " +
                "changes nothing. 409 for a private opinion.")
            .ProducesProblem(403).ProducesProblem(409);
        opinion.MapPost("/responses", Answer).WithName("AnswerOpinion")
            .WithSummary("Answer as the body the case is with (or the secretary / street office); the first answer resolves the case.")
            .WithDescription("A member of the body the opinion's case is with, the party secretary or the street admin (others: 403). " +
                "Adds a public or private answer and notifies the author; the first answer moves the opinion from open to " +
                "answered and resolves its case. 409 for praise or a closed opinion.")
            .ProducesProblem(403).ProducesProblem(409);
        opinion.MapPost("/satisfaction", Reply).WithName("ReplyToOpinionAnswer")
            .WithSummary("The author's reply: satisfied closes it; not satisfied reopens it to the same body once, then closes it.")
            .WithDescription("Only the author (others: 403), on an answered opinion: satisfied closes it; not satisfied reopens it to " +
                "the same body, which is notified, the first time, and closes it as unsatisfied the second. 409 when it " +
                "has not been answered yet or is closed.")
            .ProducesProblem(403).ProducesProblem(409);
        opinion.MapPost("/unseal", Unseal).WithName("UnsealOpinionAuthor")
            .WithSummary("The party secretary reveals an anonymous author, with a reason (≥ 10 characters) kept in the audit log.")
            .WithDescription("Only the party secretary, for abuse cases (others: 403). Reveals who wrote an anonymous opinion, with a " +
                "reason of at least 10 characters that the community's append-only audit log keeps; 409 when the opinion " +
                "is not anonymous.")
            .ProducesProblem(403).ProducesProblem(409);

        v1.MapGet("/me/opinions", Mine).WithTags("Complaint box").RequireAuthorization().WithName("ListMyOpinions")
            .WithSummary("My opinions in every community, anonymous ones included, newest first.")
            .WithDescription("Any signed-in user, about themself. Reads only: their own opinions in every community, anonymous ones " +
                "included (known to them alone), newest first, paged by cursor.");
        return v1;
    }

    /// <summary>The caller as a viewer, known by their named key and the pseudonyms of their anonymous opinions.</summary>
    private static async Task<OpinionViewer> ViewerOf(CommunityAccess access, HttpContext http, AnonymousAuthors keys) =>
        new(access, await keys.KeysOfAsync(access.UserId), http.User.Identity?.Name ?? "");

    /// <summary>The caller as a viewer of an opinion's community; null when the opinion does not exist for them (404).</summary>
    private static async Task<OpinionViewer?> ViewerOfOpinionAsync(long opinionId, HttpContext http, OpinionStore store, Tenancy tenancy, AnonymousAuthors keys)
    {
        var access = await tenancy.ForItemAsync(http, await store.CommunityOfAsync(opinionId));
        return access is null ? null : await ViewerOf(access, http, keys);
    }

    private static ProblemHttpResult OpinionNotFound() => TypedResults.Problem(statusCode: 404, title: "Opinion was not found.");

    private static async Task<Results<Created<Opinion>, ValidationProblem, ProblemHttpResult>> Create(
        long communityId, NewOpinionInput input, CommunityAccess access, HttpContext http, OpinionStore store, UnitOfWork work, RecipientKeys keys)
    {
        if (!access.IsMember)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only members of the community post opinions.");
        }
        var praise = input.Kind == OpinionKinds.Praise;
        if (praise != (input.ToBody is not null))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["toBody"] = [praise
                    ? "toBody is required for praise: the body it thanks."
                    : "toBody is for praise only; other opinions go to the body the routing table names."],
            });
        }
        // Captured here: the unit of work runs on the writer thread, without HttpContext.
        var author = new OpinionAuthor(access.UserId, http.User.Identity?.Name ?? "");
        var namedKey = keys.ForUser(access.UserId);
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.CreateAsync(connection, transaction, communityId, author, namedKey, input),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Opinion opinion) => $"/v1/opinions/{opinion.Id}";
    }

    private static async Task<Results<Ok<Page<OpinionSummary>>, ValidationProblem>> List(
        long communityId, string? kind, string? category, string? state, string? sort, [AsParameters] PageRequest page,
        CommunityAccess access, HttpContext http, OpinionStore store, AnonymousAuthors keys)
    {
        var errors = page.Read(out OpinionCursor? after);
        if (kind is not null && !OpinionKinds.All.Contains(kind))
        {
            errors["kind"] = [$"kind must be one of: {string.Join(", ", OpinionKinds.All)}."];
        }
        if (category is not null && !Cases.Taxonomy.IsCategory(category))
        {
            errors["category"] = [$"category must be one of: {string.Join(", ", Cases.Taxonomy.Categories)}."];
        }
        if (state is not null && !OpinionStates.All.Contains(state))
        {
            errors["state"] = [$"state must be one of: {string.Join(", ", OpinionStates.All)}."];
        }
        sort ??= "recent";
        if (sort is not ("recent" or "agreed"))
        {
            errors["sort"] = ["sort must be recent or agreed."];
        }
        // A cursor of one sort is refused by the other.
        if (after is not null && after.Sort != sort)
        {
            errors["after"] = ["after is not a cursor this list gave out for this sort."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(communityId, await ViewerOf(access, http, keys),
            new OpinionStore.ListQuery(kind, category, state, sort == "agreed", after?.AgreeCount, after?.Id, page.Fetch));
        return TypedResults.Ok(page.Cut(rows, r => new OpinionCursor(sort, r.AgreeCount, r.Id)));
    }

    private static async Task<Results<Ok<Opinion>, ProblemHttpResult>> Get(
        long opinionId, HttpContext http, OpinionStore store, Tenancy tenancy, AnonymousAuthors keys)
    {
        var viewer = await ViewerOfOpinionAsync(opinionId, http, store, tenancy, keys);
        var opinion = viewer is null ? null : await store.GetAsync(opinionId, viewer);
        return opinion is null ? OpinionNotFound() : TypedResults.Ok(opinion);
    }

    private static Task<Results<NoContent, ProblemHttpResult>> Agree(long opinionId, HttpContext http, OpinionStore store, Tenancy tenancy, AnonymousAuthors keys) =>
        SetAgreementAsync(opinionId, true, http, store, tenancy, keys);

    private static Task<Results<NoContent, ProblemHttpResult>> Disagree(long opinionId, HttpContext http, OpinionStore store, Tenancy tenancy, AnonymousAuthors keys) =>
        SetAgreementAsync(opinionId, false, http, store, tenancy, keys);

    private static async Task<Results<NoContent, ProblemHttpResult>> SetAgreementAsync(
        long opinionId, bool agree, HttpContext http, OpinionStore store, Tenancy tenancy, AnonymousAuthors keys)
    {
        var viewer = await ViewerOfOpinionAsync(opinionId, http, store, tenancy, keys);
        if (viewer is null)
        {
            return OpinionNotFound();
        }
        var outcome = await store.SetAgreementAsync(opinionId, viewer, agree);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.NoContent();
    }

    private static async Task<Results<Created<OpinionAnswer>, ProblemHttpResult>> Answer(
        long opinionId, OpinionAnswerInput input, HttpContext http, OpinionStore store, OpinionAnswerStore answers, Tenancy tenancy, AnonymousAuthors keys,
        UnitOfWork work)
    {
        var viewer = await ViewerOfOpinionAsync(opinionId, http, store, tenancy, keys);
        if (viewer is null)
        {
            return OpinionNotFound();
        }
        var body = input.Body!.Trim();
        var outcome = await work.CreateAsync(
            (connection, transaction) => answers.AnswerAsync(connection, transaction, opinionId, viewer, body, input.Visibility!),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        string LocationOf(OpinionAnswer answer) => $"/v1/opinions/{opinionId}#answer-{answer.Id}";
    }

    private static async Task<Results<Ok<Opinion>, ProblemHttpResult>> Reply(
        long opinionId, SatisfactionInput input, HttpContext http, OpinionStore store, OpinionAnswerStore answers, Tenancy tenancy, AnonymousAuthors keys)
    {
        var viewer = await ViewerOfOpinionAsync(opinionId, http, store, tenancy, keys);
        if (viewer is null)
        {
            return OpinionNotFound();
        }
        var comment = string.IsNullOrWhiteSpace(input.Comment) ? null : input.Comment.Trim();
        var outcome = await answers.ReplyAsync(opinionId, viewer, input.Satisfied!.Value, comment);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<UnsealedAuthor>, ProblemHttpResult>> Unseal(
        long opinionId, UnsealInput input, HttpContext http, OpinionStore store, AuditStore audit, Tenancy tenancy, AnonymousAuthors keys)
    {
        var viewer = await ViewerOfOpinionAsync(opinionId, http, store, tenancy, keys);
        if (viewer is null)
        {
            return OpinionNotFound();
        }
        var outcome = await audit.UnsealAsync(opinionId, viewer, input.Reason!.Trim());
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<Page<AuditEntry>>, ValidationProblem, ProblemHttpResult>> Audit(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, AuditStore store)
    {
        if (!access.HasAny(Roles.PartySecretary, Roles.StreetAdmin))
        {
            return TypedResults.Problem(statusCode: 403, title: "The audit log is for the party secretary and the street office.");
        }
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.AuditAsync(communityId, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Results<Ok<OpinionTrends>, ValidationProblem, ProblemHttpResult>> Trends(
        long communityId, DateOnly? from, DateOnly? to, CommunityAccess access, OpinionTrendStore store, TimeProvider time)
    {
        if (!access.HasAny(Roles.OwnersCommittee, Roles.ResidentsCommittee, Roles.PartySecretary, Roles.StreetAdmin))
        {
            return TypedResults.Problem(statusCode: 403, title: "Trends are for the committees, the secretary and the street office.");
        }
        // Default: the last twelve weeks, today included (Shanghai dates).
        var errors = new Dictionary<string, string[]>();
        if (ReportRange.Parse(from, to, ShanghaiTime.Today(time), defaultDays: 84, errors) is not var (first, last))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await store.TrendsAsync(communityId, first, last));
    }

    private static async Task<Results<Ok<Page<OpinionSummary>>, ValidationProblem>> Mine(
        [AsParameters] PageRequest page, HttpContext http, OpinionStore store, AnonymousAuthors keys)
    {
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.MineAsync(await keys.KeysOfAsync(http.User.RequiredUserId()), before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }
}
