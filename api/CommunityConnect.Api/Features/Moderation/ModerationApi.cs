using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Moderation;

public static class ModerationApi
{
    public static IServiceCollection AddModeration(this IServiceCollection services) =>
        services.AddSingleton<ModerationStore>()
            .AddSingleton<IHallModerators>(provider => provider.GetRequiredService<ModerationStore>())
            .AddSingleton<ContentCheck>();

    public static RouteGroupBuilder MapModeration(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Moderation")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/moderators", ListModerators).WithName("ListModerators")
            .WithSummary("The hall's moderators: the party secretary, and residents' committee members the secretary appointed.");
        community.MapPut("/moderators/{userId:long}", Appoint).WithName("AppointModerator")
            .WithSummary("Appoint a residents' committee member as moderator (secretary).").ProducesProblem(403).ProducesProblem(409);
        community.MapDelete("/moderators/{userId:long}", Dismiss).WithName("DismissModerator")
            .WithSummary("Dismiss an appointed moderator (secretary).").ProducesProblem(403);
        community.MapGet("/moderation/settings", GetSettings).WithName("GetModerationSettings")
            .WithSummary("Whether new threads wait for review before they are shown (先审后发).").ProducesProblem(403);
        community.MapPut("/moderation/settings", PutSettings).WithName("UpdateModerationSettings")
            .WithSummary("Turn pre-review on or off (secretary).").ProducesProblem(403);
        community.MapGet("/moderation/words", GetWords).WithName("GetModerationWords")
            .WithSummary("The word list: block refuses a post, review holds it (moderators).").ProducesProblem(403);
        community.MapPut("/moderation/words", PutWords).WithName("UpdateModerationWords")
            .WithSummary("Replace the word list (secretary).").ProducesProblem(403);
        community.MapGet("/moderation/log", Log).WithName("GetModerationLog")
            .WithSummary("Every moderation action: who, what, why, when (moderators, street admin).").ProducesProblem(403);
        return v1;
    }

    private static string NameOf(HttpContext http) => http.User.Identity?.Name ?? "";

    private static ProblemHttpResult SecretaryOnly(string what) =>
        TypedResults.Problem(statusCode: 403, title: $"Only the party secretary {what}.");

    private static async Task<bool> MayReadAsync(CommunityAccess access, ModerationStore store) =>
        access.IsStreetAdmin || await store.IsModeratorAsync(access);

    private static async Task<Ok<IReadOnlyList<Moderator>>> ListModerators(long communityId, CommunityAccess access, ModerationStore store) =>
        TypedResults.Ok(await store.ModeratorsAsync(communityId));

    private static async Task<Results<Ok<IReadOnlyList<Moderator>>, ProblemHttpResult>> Appoint(
        long communityId, long userId, CommunityAccess access, HttpContext http, ModerationStore store)
    {
        if (!access.Has(Roles.PartySecretary))
        {
            return SecretaryOnly("appoints moderators");
        }
        var outcome = await store.AppointAsync(access, userId, NameOf(http));
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(await store.ModeratorsAsync(communityId));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Dismiss(
        long communityId, long userId, CommunityAccess access, HttpContext http, ModerationStore store)
    {
        if (!access.Has(Roles.PartySecretary))
        {
            return SecretaryOnly("dismisses moderators");
        }
        await store.DismissAsync(access, userId, NameOf(http));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ModerationSettings>, ProblemHttpResult>> GetSettings(long communityId, CommunityAccess access, ModerationStore store) =>
        await MayReadAsync(access, store)
            ? TypedResults.Ok(await store.SettingsAsync(communityId))
            : TypedResults.Problem(statusCode: 403, title: "Only moderators see the moderation settings.");

    private static async Task<Results<Ok<ModerationSettings>, ProblemHttpResult>> PutSettings(
        long communityId, SettingsInput input, CommunityAccess access, HttpContext http, ModerationStore store)
    {
        if (!access.Has(Roles.PartySecretary))
        {
            return SecretaryOnly("changes the moderation settings");
        }
        await store.UpdateSettingsAsync(access, NameOf(http), new ModerationSettings(input.PreReview!.Value));
        return TypedResults.Ok(await store.SettingsAsync(communityId));
    }

    private static async Task<Results<Ok<WordListView>, ProblemHttpResult>> GetWords(long communityId, CommunityAccess access, ModerationStore store)
    {
        if (!await MayReadAsync(access, store))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only moderators see the word list.");
        }
        var list = await store.WordsAsync(communityId);
        return TypedResults.Ok(new WordListView(ReferenceEquals(list.Words, store.DefaultWords), list.Words));
    }

    private static async Task<Results<Ok<WordListView>, ValidationProblem, ProblemHttpResult>> PutWords(
        long communityId, WordListInput input, CommunityAccess access, HttpContext http, ModerationStore store)
    {
        if (!access.Has(Roles.PartySecretary))
        {
            return SecretaryOnly("changes the word list");
        }
        var errors = new Dictionary<string, string[]>();
        if (!RequestChecks.NoNullItems(input.Words, "words", errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var blank = input.Words!.Where(w => WordList.Fold(w.Text!).Length == 0).Select(w => w.Text).ToList();
        if (blank.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["words"] = ["A word must contain a letter, digit or character, not only spaces or symbols."],
            });
        }
        await store.ReplaceWordsAsync(access, NameOf(http), input.Words!.Select(w => new ModerationWord(w.Text!.Trim(), w.Level!)).ToList());
        var list = await store.WordsAsync(communityId);
        return TypedResults.Ok(new WordListView(false, list.Words));
    }

    private static async Task<Results<Ok<Page<ModerationLogEntry>>, ValidationProblem, ProblemHttpResult>> Log(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, ModerationStore store)
    {
        if (!await MayReadAsync(access, store))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only moderators and the street admin read the moderation log.");
        }
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.LogAsync(communityId, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }
}
