using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Moderation;

public static class ModerationApi
{
    public static IServiceCollection AddModeration(this IServiceCollection services) =>
        services.AddSingleton<ModerationStore>().AddSingleton<ContentCheck>();

    public static RouteGroupBuilder MapModeration(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Moderation")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/moderators", ListModerators).WithName("ListModerators")
            .WithSummary("The hall's moderators: the party secretary, and residents' committee members the secretary appointed.")
            .WithDescription("Members of the community and its street's admins. Reads only: the hall's moderators: the party secretary " +
                "by office, and the residents' committee members the secretary appointed.");
        community.MapPut("/moderators/{userId:long}", Appoint).WithName("AppointModerator")
            .WithSummary("Appoint a residents' committee member as moderator (secretary).")
            .WithDescription("Only the party secretary (others: 403). Makes a verified residents' committee member of this community a " +
                "moderator (again: no change) and logs it; 404 when the user is not a member, 409 when they are not on " +
                "the residents' committee. Answers the moderators.")
            .ProducesProblem(403).ProducesProblem(409);
        community.MapDelete("/moderators/{userId:long}", Dismiss).WithName("DismissModerator")
            .WithSummary("Dismiss an appointed moderator (secretary).")
            .WithDescription("Only the party secretary (others: 403). Removes an appointed moderator and logs it; the secretary stays " +
                "one by office, and dismissing someone who is not a moderator changes nothing.")
            .ProducesProblem(403);
        community.MapGet("/moderation/settings", GetSettings).WithName("GetModerationSettings")
            .WithSummary("Whether new threads wait for review before they are shown (先审后发).")
            .WithDescription("Moderators and the street's admins (other members: 403). Reads only: whether pre-review (先审后发) holds " +
                "every new thread until a moderator approves it.")
            .ProducesProblem(403);
        community.MapPut("/moderation/settings", PutSettings).WithName("UpdateModerationSettings")
            .WithSummary("Turn pre-review on or off (secretary).")
            .WithDescription("Only the party secretary (others: 403). Turns pre-review on or off for threads posted from now on, and " +
                "logs it.")
            .ProducesProblem(403);
        community.MapGet("/moderation/words", GetWords).WithName("GetModerationWords")
            .WithSummary("The word list: block refuses a post, review holds it (moderators).")
            .WithDescription("Moderators and the street's admins (other members: 403). Reads only: the community's word list, or the " +
                "shipped default until it sets its own (isDefault): a block word refuses a post, a review word holds it " +
                "for a moderator.")
            .ProducesProblem(403);
        community.MapPut("/moderation/words", PutWords).WithName("UpdateModerationWords")
            .WithSummary("Replace the word list (secretary).")
            .WithDescription("Only the party secretary (others: 403). Replaces the whole list (an empty list holds nothing back); a " +
                "word needs a letter, digit or character, not only spaces or symbols. The log records how many words, not " +
                "which.")
            .ProducesProblem(403);
        community.MapGet("/moderation/log", Log).WithName("GetModerationLog")
            .WithSummary("Every moderation action: who, what, why, when (moderators, street admin).")
            .WithDescription("Moderators and the street's admins (other members: 403). Reads only: every moderation action (who, what, " +
                "on which post, why, when), newest first, paged by cursor.")
            .ProducesProblem(403);
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
        long communityId, string? after, int? limit, CommunityAccess access, ModerationStore store)
    {
        if (!await MayReadAsync(access, store))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only moderators and the street admin read the moderation log.");
        }
        var errors = new Dictionary<string, string[]>();
        var take = Paging.Limit(limit, errors);
        var beforeId = Paging.DecodeId(after, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.LogAsync(communityId, beforeId, take + 1);
        return TypedResults.Ok(Paging.Cut(rows, take, r => Paging.Encode(r.Id)));
    }
}
