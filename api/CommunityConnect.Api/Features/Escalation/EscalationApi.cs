using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Jobs.Escalation;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Escalation;

public static class EscalationApi
{
    public static IServiceCollection AddEscalation(this IServiceCollection services) =>
        services.AddSingleton<SlaClock>()
            .AddSingleton<ICaseClock>(provider => provider.GetRequiredService<SlaClock>())
            .AddSingleton<SlaStore>()
            .AddSingleton<EscalationStore>()
            .AddSingleton<EvaluationStore>()
            .AddSingleton<ICaseEscalations>(provider => provider.GetRequiredService<EscalationStore>())
            .AddTransient<EscalationSweepJob>();

    public static RouteGroupBuilder MapEscalation(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Escalation")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/sla", GetSla).WithName("GetSlaPolicies").WithSummary("Clock targets per item kind and urgency (minutes).")
            .WithDescription("Members of the community and its street's admins. Reads only: for each item kind (repair, opinion, " +
                "proposal, question) and urgency, the minutes to first response and to resolution; urgent items count " +
                "around the clock, the others in working minutes of the street's calendar.");
        community.MapPut("/sla", PutSla).WithName("UpdateSlaPolicies")
            .WithSummary("Change the policies listed (residents' committee or secretary).")
            .WithDescription("The residents' committee or the party secretary (others: 403). Sets the targets listed (at least one; 1 " +
                "to 525,600 minutes, first response no later than resolution) and leaves the others; clocks started from " +
                "now on use them. Answers every policy.")
            .ProducesProblem(403);
        community.MapGet("/evaluation", Evaluate).WithName("GetEvaluation")
            .WithSummary("Measured service of the property company and the two committees in a quarter (period=2026-Q4), with 1–5 stars.")
            .WithDescription("Members of the community and its street's admins. Reads only: for the quarter named by period (such as " +
                "2026-Q4; default the current one, Shanghai time), per body the cases it received first, the shares " +
                "answered and resolved in time, escalations suffered, median minutes, residents' satisfaction and 1 to 5 " +
                "stars (none without cases).");

        v1.MapPost("/cases/{caseId:long}/escalate", Escalate).WithTags("Escalation").RequireAuthorization()
            .WithName("EscalateCase").WithSummary("The author escalates a case one rung once its first-response time has passed.")
            .WithDescription("Only the case's author (others who see the case: 403; anyone else: 404). Moves the case one rung up 物业 → " +
                "业委会 → 居委会 → 党支部 → 街道 with the reason, once per case and only after its first-response time has passed; " +
                "the new body and the author are notified. 409 when the case is resolved or closed, already with the " +
                "street office, already escalated by hand, or not yet overdue.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var street = v1.MapGroup("/streets/{streetId:long}").WithTags("Escalation").RequireAuthorization().ProducesProblem(404);
        street.MapGet("/calendar", GetCalendar).WithName("GetStreetCalendar")
            .WithSummary("The street's working-day calendar: hours, holidays and make-up working days.")
            .WithDescription("Members of the street's communities and its admins; for anyone else the street does not exist (404). " +
                "Reads only: the time zone, working hours, holidays and make-up working days that due times are counted " +
                "in.");
        street.MapPut("/calendar", PutCalendar).WithName("UpdateStreetCalendar")
            .WithSummary("Replace the street's working-day calendar (street admin).")
            .WithDescription("Only the street's admin (members of its communities: 403; anyone else: 404). Replaces the whole " +
                "calendar: a known IANA time zone, workStart before workEnd (HH:mm), and holidays and make-up workdays " +
                "that do not overlap (omitted: none). Due times computed from now on use it.")
            .ProducesProblem(403);
        street.MapGet("/escalations", StreetEscalations).WithName("ListStreetEscalations")
            .WithSummary("Cases that reached the street office, across the street's communities (street admin).")
            .WithDescription("Only the street's admins; for anyone else the street does not exist (404). Reads only: the cases of the " +
                "street's communities that are with the street office now, newest first, with when they reached it, paged " +
                "by cursor.");
        street.MapGet("/evaluation", EvaluateStreet).WithName("GetStreetEvaluation")
            .WithSummary("The street's communities side by side for a quarter (street admin).")
            .WithDescription("Only the street's admins; for anyone else the street does not exist (404). Reads only: each community's " +
                "evaluation for the quarter named by period (default the current one), side by side.");
        return v1;
    }

    private static async Task<Ok<SlaPolicies>> GetSla(long communityId, CommunityAccess access, SlaStore store) =>
        TypedResults.Ok(await store.GetPoliciesAsync(communityId));

    private static async Task<Results<Ok<SlaPolicies>, ValidationProblem, ProblemHttpResult>> PutSla(
        long communityId, SlaPolicies input, CommunityAccess access, SlaStore store)
    {
        if (!access.HasAny(Roles.ResidentsCommittee, Roles.PartySecretary))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee or the secretary changes the clocks.");
        }
        var errors = new Dictionary<string, string[]>();
        if (!RequestChecks.NoNullItems(input.Policies, "policies", errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (input.Policies!.Count == 0)
        {
            errors["policies"] = ["policies must list at least one policy."];
        }
        if (input.Policies.Any(p => p.FirstResponseMinutes > p.ResolveMinutes))
        {
            errors["policies"] = ["firstResponseMinutes cannot be more than resolveMinutes."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await store.UpdatePoliciesAsync(communityId, access.UserId, input.Policies);
        return TypedResults.Ok(await store.GetPoliciesAsync(communityId));
    }

    private static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Escalate(
        long caseId, EscalateInput input, HttpContext http, CaseStore cases, EscalationStore store, Tenancy tenancy, AnonymousAuthors keys)
    {
        var access = await CasesApi.AccessToCaseAsync(caseId, http, cases, tenancy);
        if (access is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Case was not found.");
        }
        var callerKeys = await keys.KeysOfAsync(access.UserId);
        var outcome = await store.EscalateByAuthorAsync(caseId, access, callerKeys, input.Reason!.Trim());
        if (outcome.Failed)
        {
            return outcome.Failure!.ToResult();
        }
        return TypedResults.Ok((await cases.GetAsync(caseId, access, callerKeys))!);
    }

    /// <summary>Members of the street's communities read the calendar; only its street admin changes it; others: 404.</summary>
    private static Task<(bool Sees, bool Admin)> StreetAccessAsync(long streetId, HttpContext http, Database database) =>
        http.RequestServices.GetRequiredService<Tenancy>().ForStreetAsync(http.User.RequiredUserId(), streetId, http.RequestAborted);

    private static async Task<Results<Ok<StreetCalendar>, ProblemHttpResult>> GetCalendar(long streetId, HttpContext http, Database database, SlaStore store)
    {
        var (sees, _) = await StreetAccessAsync(streetId, http, database);
        return sees ? TypedResults.Ok(await store.GetCalendarAsync(streetId)) : TypedResults.Problem(statusCode: 404, title: "Street was not found.");
    }

    private static async Task<Results<Ok<StreetCalendar>, ValidationProblem, ProblemHttpResult>> PutCalendar(
        long streetId, StreetCalendar input, HttpContext http, Database database, SlaStore store)
    {
        var (sees, admin) = await StreetAccessAsync(streetId, http, database);
        if (!sees)
        {
            return TypedResults.Problem(statusCode: 404, title: "Street was not found.");
        }
        if (!admin)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the street admin changes the working-day calendar.");
        }
        var errors = new Dictionary<string, string[]>();
        if (SlaStore.FindTimeZone(input.TimeZone!) is null)
        {
            errors["timeZone"] = [$"'{input.TimeZone}' is not a known IANA time zone."];
        }
        if (string.CompareOrdinal(input.WorkStart, input.WorkEnd) >= 0)
        {
            errors["workEnd"] = ["workEnd must be after workStart."];
        }
        var both = (input.Holidays ?? []).Intersect(input.Workdays ?? []).ToList();
        if (both.Count > 0)
        {
            errors["workdays"] = [$"A day cannot be both a holiday and a working day: {string.Join(", ", both.Select(d => d.ToString("yyyy-MM-dd")))}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await store.UpdateCalendarAsync(streetId, http.User.RequiredUserId(), input);
        return TypedResults.Ok(await store.GetCalendarAsync(streetId));
    }

    private static async Task<Results<Ok<Page<StreetEscalation>>, ValidationProblem, ProblemHttpResult>> StreetEscalations(
        long streetId, [AsParameters] PageRequest page, HttpContext http, Database database, EscalationStore store)
    {
        var (_, admin) = await StreetAccessAsync(streetId, http, database);
        if (!admin)
        {
            return TypedResults.Problem(statusCode: 404, title: "Street was not found.");
        }
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.StreetEscalationsAsync(streetId, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.CaseId)));
    }

    private static Dictionary<string, string[]> PeriodErrors(string? period) => new()
    {
        ["period"] = [$"period must be a quarter such as 2026-Q4, not '{period}'."],
    };

    private static async Task<Results<Ok<CommunityEvaluation>, ValidationProblem>> Evaluate(
        long communityId, string? period, CommunityAccess access, EvaluationStore store, TimeProvider time)
    {
        var parsed = Period.Parse(period ?? Period.Current(time.GetUtcNow()));
        return parsed is null
            ? TypedResults.ValidationProblem(PeriodErrors(period))
            : TypedResults.Ok((await store.ForCommunityAsync(communityId, parsed))!);
    }

    private static async Task<Results<Ok<IReadOnlyList<CommunityEvaluation>>, ValidationProblem, ProblemHttpResult>> EvaluateStreet(
        long streetId, string? period, HttpContext http, Database database, EvaluationStore store, TimeProvider time)
    {
        var (_, admin) = await StreetAccessAsync(streetId, http, database);
        if (!admin)
        {
            return TypedResults.Problem(statusCode: 404, title: "Street was not found.");
        }
        var parsed = Period.Parse(period ?? Period.Current(time.GetUtcNow()));
        return parsed is null
            ? TypedResults.ValidationProblem(PeriodErrors(period))
            : TypedResults.Ok(await store.ForStreetAsync(streetId, parsed));
    }
}
