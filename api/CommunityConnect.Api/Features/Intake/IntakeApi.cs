using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>Chat-driven intake (issue 13): the analyser that reads a resident's words.</summary>
public static class IntakeApi
{
    /// <summary>Seconds a caller should wait while the analyser loads (it takes a few at start-up).</summary>
    public const int RetryAfterSeconds = 2;

    public static IServiceCollection AddIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IntakeOptions>().Bind(configuration.GetSection(IntakeOptions.Section));
        services.AddSingleton<IntakeAnalyser>();
        services.AddSingleton<IIntakeEngineSource, IntakeEngineSource>();
        services.AddSingleton<IntakeStore>();
        services.AddHostedService<IntakeWarmUp>();
        return services;
    }

    public static RouteGroupBuilder MapIntake(this RouteGroupBuilder v1)
    {
        var intake = v1.MapGroup("/intake").WithTags("Intake").RequireAuthorization();
        intake.MapPost("/analyze", Analyze).WithName("AnalyzeMessage")
            .WithSummary("Read a resident's message: intent, category, default body, building, unit, urgency, what a filing still lacks.")
            .WithDescription(
                "Any verified member of any community may call it; it changes nothing. The labels are those of the intake taxonomy, " +
                "and responsibleBody is the taxonomy's default routing, not a community's routing table. " +
                "While the analyser is still loading after a start (a few seconds) it answers 503 with Retry-After.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(503);
        return v1;
    }

    private static async Task<Results<Ok<AnalysisView>, ProblemHttpResult>> Analyze(
        AnalyzeInput input, HttpContext http, IntakeAnalyser analyser, IntakeStore store)
    {
        if (!await store.IsVerifiedMemberAsync(http.User.RequiredUserId(), http.RequestAborted))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only verified members of a community use the analyser.");
        }
        if (!analyser.TryAnalyse(input.Text!, out var analysis))
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: 503, title: analyser.Failure is null
                ? "The analyser is still loading; try again in a few seconds."
                : "The analyser could not load its lexicons; the operators have been told.");
        }
        return TypedResults.Ok(AnalysisView.Of(analysis));
    }
}

/// <summary>The one question intake asks the database.</summary>
public sealed class IntakeStore(Database database)
{
    /// <summary>Whether the user holds any verified membership (in a community or a street).</summary>
    public async Task<bool> IsVerifiedMemberAsync(long userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = @userId AND verification = 'verified');
            """, new { userId });
    }
}
