using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Jobs.Surveys;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Surveys;

/// <summary>民主评议: residents evaluate the bodies once a year (or as the community decides), one anonymous answer per household.</summary>
public static class SurveysApi
{
    public static IServiceCollection AddSurveys(this IServiceCollection services) =>
        services.AddSingleton<HouseholdBallots>()
            .AddSingleton<SurveyStore>()
            .AddSingleton<SurveyResultsStore>()
            .AddSingleton<ISurveyClosing>(provider => provider.GetRequiredService<SurveyResultsStore>())
            .AddTransient<CloseDueSurveysJob>();

    public static RouteGroupBuilder MapSurveys(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}/surveys").WithTags("Surveys")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/", Open).WithName("OpenSurvey")
            .WithSummary("Open a 民主评议 survey of some bodies (property, owners_committee, residents_committee) until closesAt.")
            .WithDescription("The residents' committee only (others: 403). Opens the survey of the bodies listed (each once) until closesAt, in the future, " +
                "and tells residents and owners; the surveys-close-due job closes it then and publishes its results as an announcement to the " +
                "community.")
            .ProducesProblem(400).ProducesProblem(403);
        community.MapGet("/", List).WithName("ListSurveys")
            .WithSummary("The community's surveys, newest first, with whether the caller's household has answered.")
            .WithDescription("Members of the community and its street's admins. Reads only: the surveys, newest first, with whether the caller's household " +
                "has answered, paged by cursor.")
            .ProducesProblem(400);

        var survey = v1.MapGroup("/surveys/{surveyId:long}").WithTags("Surveys").RequireAuthorization().ProducesProblem(404);
        survey.MapGet("/", Get).WithName("GetSurvey")
            .WithSummary("One survey: its bodies, closing time, state and whether the caller's household has answered.")
            .WithDescription("Members of its community and its street's admins; for anyone else it does not exist (404). Reads only: the survey with its " +
                "bodies, closing time, state and whether the caller's household has answered.");
        survey.MapPost("/answers", Answer).WithName("AnswerSurvey")
            .WithSummary("The household's one answer: a score 1–5 and an optional comment for every body of the survey.")
            .WithDescription("Residents and owners of a unit (others: 403); a member of several units names the household with unitId. Records a score 1–5 " +
                "(and an optional comment) for each of the survey's bodies, stored with no user, unit, time or order; 409 once it has closed " +
                "and for a second answer from the same unit, by any of its members.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        survey.MapGet("/results", Results).WithName("GetSurveyResults")
            .WithSummary("Per body: mean, distribution and comments, with the response rate; before closing, only the response rate.")
            .WithDescription("Members of its community and its street's admins; for anyone else it does not exist (404). Reads only: the response rate, and " +
                "once the survey has closed, per body the mean, the distribution and the comments.");
        return v1;
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "Survey was not found.");

    private static async Task<Results<Created<Survey>, ValidationProblem, ProblemHttpResult>> Open(
        long communityId, NewSurveyInput input, CommunityAccess access, SurveyStore store, UnitOfWork work, TimeProvider time)
    {
        if (!access.Has(Roles.ResidentsCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee opens a survey.");
        }
        var errors = new Dictionary<string, string[]>();
        var bodies = input.Bodies ?? [];
        if (bodies.Count == 0 || bodies.Any(body => body is null || !Bodies.FirstBodies.Contains(body)) || bodies.Distinct().Count() != bodies.Count)
        {
            errors["bodies"] = [$"bodies must list, once each, one or more of: {string.Join(", ", Bodies.FirstBodies)}."];
        }
        if (input.ClosesAt is { } closesAt && (closesAt <= time.GetUtcNow() || closesAt.Year > 2100))
        {
            errors["closesAt"] = ["closesAt must be in the future (and before 2100)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.OpenAsync(connection, transaction, access, input.Title!.Trim(), input.ClosesAt!.Value, bodies!),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Survey survey) => $"/v1/surveys/{survey.Id}";
    }

    private static async Task<Results<Ok<Page<Survey>>, ValidationProblem>> List(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, SurveyStore store)
    {
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(access, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<CommunityAccess?> AccessAsync(long surveyId, HttpContext http, SurveyStore store, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await store.CommunityOfAsync(surveyId));

    private static async Task<Results<Ok<Survey>, ProblemHttpResult>> Get(long surveyId, HttpContext http, SurveyStore store, Tenancy tenancy)
    {
        var access = await AccessAsync(surveyId, http, store, tenancy);
        var survey = access is null ? null : await store.GetAsync(surveyId, access);
        return survey is null ? NotFound() : TypedResults.Ok(survey);
    }

    private static async Task<Results<Created<SurveyAnswerReceipt>, ValidationProblem, ProblemHttpResult>> Answer(
        long surveyId, SurveyAnswersInput input, HttpContext http, SurveyStore store, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(surveyId, http, store, tenancy);
        var survey = access is null ? null : await store.GetAsync(surveyId, access);
        if (survey is null)
        {
            return NotFound();
        }
        if (access!.UnitIds.Count == 0 || !access.HasAny(Roles.Resident, Roles.Owner))
        {
            return TypedResults.Problem(statusCode: 403, title: "Each household answers: only residents and owners of a unit answer a survey.");
        }
        var errors = new Dictionary<string, string[]>();
        if (!RequestChecks.NoNullItems(input.Answers, "answers", errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var answers = input.Answers!.Select(a => a!).ToList();
        var given = answers.Select(a => a.Body).ToList();
        if (given.Count != survey.Bodies.Count || given.Distinct().Count() != given.Count || given.Any(body => !survey.Bodies.Contains(body!)))
        {
            errors["answers"] = [$"answers must score each of this survey's bodies once: {string.Join(", ", survey.Bodies)}."];
        }
        long unitId = 0;
        if (input.UnitId is { } chosen)
        {
            if (!access.UnitIds.Contains(chosen))
            {
                errors["unitId"] = ["unitId must be a unit you live in."];
            }
            unitId = chosen;
        }
        else if (access.UnitIds.Count > 1)
        {
            errors["unitId"] = ["You belong to several units: say which household answers (unitId)."];
        }
        else
        {
            unitId = access.UnitIds[0];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var location = $"/v1/surveys/{surveyId}/results";
        var outcome = await work.CreateAsync((connection, transaction) => store.AnswerAsync(connection, transaction, surveyId, access, unitId, answers),
            _ => location);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(location, outcome.Value);
    }

    private static async Task<Results<Ok<SurveyResults>, ProblemHttpResult>> Results(
        long surveyId, HttpContext http, SurveyStore store, SurveyResultsStore results, Tenancy tenancy)
    {
        var access = await AccessAsync(surveyId, http, store, tenancy);
        var found = access is null ? null : await results.ResultsAsync(surveyId, access.CommunityId);
        return found is null ? NotFound() : TypedResults.Ok(found);
    }
}
