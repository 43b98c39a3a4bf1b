using System.Collections.Concurrent;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>
/// Who sees a post of the hall, written once for every route on a thread or a reply (the hall's
/// and moderation's): a published post, every member of its community and the street admin; a
/// held or hidden one, only its author, the hall's moderators and the street admin; a reply, only
/// when its thread is seen too. Decided in the WHERE of the read, so a post the caller may not see
/// is not found (404). The feed and the reply list show less (published posts, and the caller's own
/// held replies), never more.
/// </summary>
public sealed class PostAccess(Database database, Tenancy tenancy, IHallModerators moderators, IOptions<CacheOptions> cacheOptions)
{
    // Which community a post belongs to never changes, so it is remembered without a version; whether
    // the caller sees the post is asked of the database each time (the rule below, in the WHERE, which
    // names the community too: a wrong entry could only hide a post, never show one).
    private readonly ConcurrentDictionary<(string Kind, long Id), long> _communities = new();

    /// <summary>The rule, over a post aliased <c>p</c> (a thread or a reply).</summary>
    private const string Seen = "(p.review_state = 'published' OR p.author_id = @UserId OR @Moderates = 1)";

    private const string ThreadSql = $"SELECT EXISTS (SELECT 1 FROM threads p WHERE p.id = @id AND p.community_id = @CommunityId AND {Seen});";

    // The inner "threads p" is the reply's thread, seen by the same rule.
    private const string ReplySql =
        $"""
         SELECT EXISTS (
             SELECT 1 FROM thread_replies p JOIN threads t ON t.id = p.thread_id
             WHERE p.id = @id AND t.community_id = @CommunityId AND {Seen}
               AND EXISTS (SELECT 1 FROM threads p WHERE p.id = t.id AND {Seen}));
         """;

    /// <summary>The caller's access to the community of a post (<c>thread</c> or <c>reply</c>) they may see; null (404) otherwise.</summary>
    public async Task<CommunityAccess?> ToPostAsync(string kind, long id, HttpContext http)
    {
        long? communityId = _communities.TryGetValue((kind, id), out var known) ? known : null;
        if (communityId is null)
        {
            await using var connection = await database.OpenReadAsync(http.RequestAborted);
            communityId = await connection.ExecuteScalarAsync<long?>(
                kind == "thread"
                    ? "SELECT community_id FROM threads WHERE id = @id;"
                    : "SELECT t.community_id FROM thread_replies r JOIN threads t ON t.id = r.thread_id WHERE r.id = @id;",
                new { id });
            if (communityId is { } found)
            {
                if (_communities.Count >= cacheOptions.Value.MaxEntries)
                {
                    _communities.Clear();
                }
                _communities[(kind, id)] = found;
            }
        }
        var access = await tenancy.ForItemAsync(http, communityId);
        if (access is null)
        {
            return null;
        }
        var moderates = access.IsStreetAdmin || await moderators.IsModeratorAsync(access);
        await using (var connection = await database.OpenReadAsync(http.RequestAborted))
        {
            var seen = await connection.ExecuteScalarAsync<bool>(kind == "thread" ? ThreadSql : ReplySql,
                new { id, access.CommunityId, access.UserId, Moderates = moderates });
            return seen ? access : null;
        }
    }
}
