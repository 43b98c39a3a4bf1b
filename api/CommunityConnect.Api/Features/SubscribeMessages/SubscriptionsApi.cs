using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Jobs.SubscribeMessages;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.SubscribeMessages;

/// <summary>What the mini-app reports after wx.requestSubscribeMessage: how many "accept" answers the user gave for a template.</summary>
public sealed record ConsentInput([property: Required] string? TemplateKey, [property: Required, Range(1, 50)] int? Count);

public sealed record Subscription(string TemplateKey, long Remaining);

public static class SubscriptionsApi
{
    public static IServiceCollection AddSubscribeMessages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SubscribeMessageOptions>()
            .Configure(options => configuration.GetSection(SubscribeMessageOptions.Section).Bind(options.Templates))
            .Validate(o => o.Templates.Values.All(t => t.Fields.Count > 0 && t.NoticeKinds.Count > 0),
                "Every WeChat:Templates entry needs Fields and NoticeKinds.")
            .Validate(o => o.Templates.Values.SelectMany(t => t.Fields.Keys).All(field => TemplateValues.TypeOf(field) is
                    "thing" or "phrase" or "character_string" or "name" or "number" or "letter" or "symbol" or "car_number" or "time" or "date" or "amount"),
                "WeChat:Templates field keys must be WeChat field types such as thing1, phrase2, time3.")
            .ValidateOnStart();
        services.AddSingleton<INoticeMirror, SubscribeMessageOutbox>();
        services.AddSingleton<SubscribeMessageSender>();
        services.AddSingleton<ISubscribeMessageOutbox>(provider => provider.GetRequiredService<SubscribeMessageSender>());
        services.AddTransient<DeliverSubscribeMessagesJob>();
        return services;
    }

    public static RouteGroupBuilder MapSubscribeMessages(this RouteGroupBuilder v1)
    {
        var me = v1.MapGroup("/me/subscriptions").WithTags("Inbox").RequireAuthorization();
        me.MapGet("/", List).WithName("ListSubscriptions").WithSummary("How many WeChat messages of each template I have allowed and not yet received.")
            .WithDescription("Any signed-in user, about themself. Reads only: for each WeChat subscribe-message template the server " +
                "knows, how many messages the user has allowed and not yet received.");
        me.MapPost("/", Consent).WithName("RecordConsent")
            .WithSummary("Record consents from wx.requestSubscribeMessage: each allows one WeChat message of that template.")
            .WithDescription("Any signed-in user, after wx.requestSubscribeMessage. Adds count (1 to 50) consents to the template, " +
                "each allowing one WeChat message (a resend with the same Idempotency-Key adds nothing); 400 when the " +
                "server knows no such template.")
            .ProducesProblem(400);
        return v1;
    }

    private static async Task<Ok<IReadOnlyList<Subscription>>> List(HttpContext http, Database database, IOptionsMonitor<SubscribeMessageOptions> options)
    {
        var userId = http.User.RequiredUserId();
        await using var connection = await database.OpenReadAsync();
        var remaining = (await connection.QueryAsync<(string Key, long Remaining)>(
            "SELECT template_key, remaining FROM subscription_consents WHERE user_id = @userId;", new { userId }))
            .ToDictionary(r => r.Key, r => r.Remaining);
        IReadOnlyList<Subscription> list = options.CurrentValue.Templates.Keys.Order()
            .Select(key => new Subscription(key, remaining.GetValueOrDefault(key))).ToList();
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Ok<Subscription>, ValidationProblem, ProblemHttpResult>> Consent(
        ConsentInput input, HttpContext http, UnitOfWork work, IOptionsMonitor<SubscribeMessageOptions> options, TimeProvider time)
    {
        if (!options.CurrentValue.Templates.ContainsKey(input.TemplateKey!))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["templateKey"] = [$"templateKey must be one of: {string.Join(", ", options.CurrentValue.Templates.Keys.Order())}."],
            });
        }
        var userId = http.User.RequiredUserId();
        // Through the creating unit of work: a phone that resends with the same Idempotency-Key must
        // not grant consents the user gave once.
        var outcome = await work.CreateAsync<Subscription>(async (connection, transaction) =>
            new Subscription(input.TemplateKey!, await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO subscription_consents (user_id, template_key, remaining, updated_at)
                VALUES (@userId, @TemplateKey, @Count, @now)
                ON CONFLICT (user_id, template_key) DO UPDATE SET remaining = subscription_consents.remaining + excluded.remaining, updated_at = excluded.updated_at
                RETURNING remaining;
                """, new { userId, input.TemplateKey, input.Count, now = time.GetUtcNow() }, transaction)),
            _ => "/v1/me/subscriptions", StatusCodes.Status200OK);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
