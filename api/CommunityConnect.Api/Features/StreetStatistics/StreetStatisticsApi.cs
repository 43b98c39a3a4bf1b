using System.Globalization;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.StreetStatistics;

/// <summary>Statistics for the street office: per community and in total, as JSON or CSV.</summary>
public static class StreetStatisticsApi
{
    public static IServiceCollection AddStreetStatistics(this IServiceCollection services) =>
        services.AddSingleton<StreetStatisticsStore>();

    public static RouteGroupBuilder MapStreetStatistics(this RouteGroupBuilder v1)
    {
        v1.MapGet("/streets/{streetId:long}/statistics", Get).WithTags("Street statistics").RequireAuthorization()
            .WithName("GetStreetStatistics")
            .WithSummary("Per community and in total: items by kind and category, first-response and resolution minutes (median, p90), escalations by rung, " +
                "satisfaction, announcements' read and acknowledgement rates, meetings held and their open actions, the latest survey (format=csv for a sheet).")
            .WithDescription("The street admin of the street (members of its communities: 403; anyone else: 404). Reads only: the days from `from` to `to` " +
                "(Asia/Shanghai dates, default the last 365 days, at most 366 days apart), per community and in total; format=csv answers the " +
                "same as a sheet.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The same 200 as a sheet: one status, two media types with their own schemas.
                operation.Responses!["200"].Content!["text/csv"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "With format=csv: one row per community and a last row for the total.",
                    },
                };
                return Task.CompletedTask;
            })
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        return v1;
    }

    private static async Task<Results<Ok<StreetStatistics>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        long streetId, DateOnly? from, DateOnly? to, string? format, HttpContext http, Tenancy tenancy, StreetStatisticsStore store, TimeProvider time)
    {
        var (sees, admin) = await tenancy.ForStreetAsync(http.User.RequiredUserId(), streetId, http.RequestAborted);
        if (!sees)
        {
            return TypedResults.Problem(statusCode: 404, title: "Street was not found.");
        }
        if (!admin)
        {
            return TypedResults.Problem(statusCode: 403, title: "Street statistics are for the street office.");
        }
        var errors = new Dictionary<string, string[]>();
        if (format is not (null or "json" or "csv"))
        {
            errors["format"] = ["format must be json or csv."];
        }
        var today = ShanghaiTime.Today(time);
        var range = ReportRange.Parse(from, to, today, 365, errors);
        if (range is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var statistics = (await store.ForStreetAsync(streetId, range.Value.From, range.Value.To))!;
        return format == "csv"
            ? TypedResults.File(Csv(statistics), CsvFiles.ContentType, $"street-{streetId}-{statistics.From:yyyyMMdd}-{statistics.To:yyyyMMdd}.csv")
            : TypedResults.Ok(statistics);
    }

    /// <summary>One row per community and a last row for the total; categories as columns in TAXONOMY.md's order.</summary>
    private static byte[] Csv(StreetStatistics statistics)
    {
        var rungs = Bodies.All.Skip(1).ToList();
        string? Number(double? value) => value?.ToString(CultureInfo.InvariantCulture);
        string Count(IReadOnlyList<NamedCount> counts, string name) => (counts.FirstOrDefault(c => c.Name == name)?.Count ?? 0).ToString(CultureInfo.InvariantCulture);
        var header = new List<string> { "community_id", "community", "from", "to", "items" };
        header.AddRange(CaseKinds.All.Select(k => $"items_{k}"));
        header.AddRange(Taxonomy.Categories.Select(c => $"category_{c}"));
        header.AddRange(["first_response_count", "first_response_median_min", "first_response_p90_min",
            "resolution_count", "resolution_median_min", "resolution_p90_min", "escalations"]);
        header.AddRange(rungs.Select(r => $"escalations_to_{r}"));
        header.AddRange(["repair_ratings", "repair_rating_mean", "opinion_replies", "opinion_satisfied_rate",
            "announcements", "announcements_requiring_ack", "read_rate", "acknowledgement_rate",
            "meetings_held", "meeting_actions", "open_actions", "overdue_actions",
            "latest_survey_id", "latest_survey_response_rate"]);
        header.AddRange(Bodies.FirstBodies.Select(b => $"survey_mean_{b}"));
        var rows = statistics.Communities.Append(statistics.Total).Select(s =>
        {
            var row = new List<string?>
            {
                s.CommunityId?.ToString(CultureInfo.InvariantCulture), s.Community, statistics.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                statistics.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), s.Items.ToString(CultureInfo.InvariantCulture),
            };
            row.AddRange(CaseKinds.All.Select(k => Count(s.ItemsByKind, k)));
            row.AddRange(Taxonomy.Categories.Select(c => Count(s.ItemsByCategory, c)));
            row.AddRange([s.FirstResponse.Count.ToString(CultureInfo.InvariantCulture), Number(s.FirstResponse.MedianMinutes), Number(s.FirstResponse.P90Minutes),
                s.Resolution.Count.ToString(CultureInfo.InvariantCulture), Number(s.Resolution.MedianMinutes), Number(s.Resolution.P90Minutes),
                s.Escalations.ToString(CultureInfo.InvariantCulture)]);
            row.AddRange(rungs.Select(r => Count(s.EscalationsByRung, r)));
            row.AddRange([s.Satisfaction.RepairRatings.ToString(CultureInfo.InvariantCulture), Number(s.Satisfaction.RepairRatingMean),
                s.Satisfaction.OpinionReplies.ToString(CultureInfo.InvariantCulture), Number(s.Satisfaction.OpinionSatisfiedRate),
                s.Announcements.Published.ToString(CultureInfo.InvariantCulture), s.Announcements.RequiringAcknowledgement.ToString(CultureInfo.InvariantCulture),
                Number(s.Announcements.ReadRate), Number(s.Announcements.AcknowledgementRate),
                s.Meetings.Held.ToString(CultureInfo.InvariantCulture), s.Meetings.Actions.ToString(CultureInfo.InvariantCulture),
                s.Meetings.OpenActions.ToString(CultureInfo.InvariantCulture), s.Meetings.OverdueActions.ToString(CultureInfo.InvariantCulture),
                s.LatestSurvey?.SurveyId?.ToString(CultureInfo.InvariantCulture), Number(s.LatestSurvey?.ResponseRate)]);
            row.AddRange(Bodies.FirstBodies.Select(b => Number(s.LatestSurvey?.Bodies.FirstOrDefault(x => x.Body == b)?.Mean)));
            return row.ToArray();
        });
        return CsvFiles.Write(header, rows);
    }
}
