using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Caching;
using Dapper;
using System.Data.Common;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.Moderation;

public sealed record ModerationSettings(bool PreReview);

public sealed class Moderator
{
    public long UserId { get; init; }
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = "";
    public bool ByOffice { get; init; }
}

public sealed record ModerationLogEntry(long Id, string Actor, string Action, string? TargetKind, long? TargetId, string? Reason, DateTimeOffset At);

/// <summary>Moderators, settings, the word list and the moderation log of a community.</summary>
/// <remarks>
/// Who moderates, the settings and the word list are read on every post and every read of a held
/// post, so they are kept in memory per community while its cache version stands; appointing,
/// dismissing, changing the settings or the list bumps it in the same transaction (migration 0020).
/// </remarks>
public sealed class ModerationStore(Database database, IHostEnvironment environment, TimeProvider time,
    CommunityVersions versions, IOptions<CacheOptions> cacheOptions) : IHallModerators
{
    private readonly Lazy<IReadOnlyList<ModerationWord>> _defaultWords = new(() => WordList.LoadDefault(environment.ContentRootPath));
    private readonly CommunityCache<(long CommunityId, long UserId), bool> _appointed =
        CommunityCache<(long, long), bool>.OfRules(versions, cacheOptions.Value);
    private readonly CommunityCache<long, ModerationSettings> _settings = CommunityCache<long, ModerationSettings>.OfRules(versions, cacheOptions.Value);
    private readonly CommunityCache<long, WordList> _words = CommunityCache<long, WordList>.OfRules(versions, cacheOptions.Value);

    public IReadOnlyList<ModerationWord> DefaultWords => _defaultWords.Value;

    /// <summary>The party secretary moderates by office; residents' committee members when appointed.</summary>
    public async Task<bool> IsModeratorAsync(CommunityAccess access)
    {
        if (access.Has(Roles.PartySecretary))
        {
            return true;
        }
        return await _appointed.GetAsync(access.CommunityId, (access.CommunityId, access.UserId), async () =>
        {
            await using var connection = await database.OpenReadAsync();
            return await IsModeratorAsync(connection, null, access);
        });
    }

    /// <summary>The same rule inside a unit of work: the secretary, or an appointed residents' committee member.</summary>
    internal static async Task<bool> IsModeratorAsync(DbConnection connection, DbTransaction? transaction, CommunityAccess access) =>
        access.Has(Roles.PartySecretary) || await IsAppointedAsync(connection, transaction, access.CommunityId, access.UserId);

    private static Task<bool> IsAppointedAsync(DbConnection connection, DbTransaction? transaction, long communityId, long userId) =>
        connection.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (
                SELECT 1 FROM moderators d
                JOIN memberships m ON m.user_id = d.user_id AND m.community_id = d.community_id AND m.role = 'residents_committee'
                WHERE d.community_id = @communityId AND d.user_id = @userId);
            """, new { communityId, userId }, transaction);

    public async Task<IReadOnlyList<Moderator>> ModeratorsAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<Moderator>(
            """
            SELECT u.id AS UserId, u.display_name AS DisplayName, 'party_secretary' AS Role, 1 AS ByOffice
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.community_id = @communityId AND m.role = 'party_secretary'
            UNION
            SELECT u.id, u.display_name, 'residents_committee', 0
            FROM moderators d JOIN users u ON u.id = d.user_id
            WHERE d.community_id = @communityId
            ORDER BY 4 DESC, 1;
            """, new { communityId })).ToList();
    }

    /// <summary>Appoints a residents' committee member; 404 for someone who is not a member of the community.</summary>
    public Task<Outcome<bool>> AppointAsync(CommunityAccess secretary, long userId, string secretaryName) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var roles = (await connection.QueryAsync<string>(
                "SELECT role FROM memberships WHERE community_id = @CommunityId AND user_id = @userId AND verification = 'verified';",
                new { secretary.CommunityId, userId }, transaction)).ToList();
            if (roles.Count == 0)
            {
                return Failure.NotFound("Member");
            }
            if (!roles.Contains(Roles.ResidentsCommittee))
            {
                return Failure.Conflict("Only residents' committee members can be appointed moderators.");
            }
            var added = await connection.ExecuteAsync(
                """
                INSERT INTO moderators (community_id, user_id, appointed_by, appointed_at) VALUES (@CommunityId, @userId, @UserId, @now)
                ON CONFLICT DO NOTHING;
                """, new { secretary.CommunityId, userId, secretary.UserId, now = time.GetUtcNow() }, transaction);
            if (added == 1)
            {
                await LogAsync(connection, transaction, secretary.CommunityId, secretary.UserId, secretaryName, "appoint_moderator", "user", userId, null);
            }
            return true;
        });

    public Task<Outcome<bool>> DismissAsync(CommunityAccess secretary, long userId, string secretaryName) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var removed = await connection.ExecuteAsync(
                "DELETE FROM moderators WHERE community_id = @CommunityId AND user_id = @userId;",
                new { secretary.CommunityId, userId }, transaction);
            if (removed == 1)
            {
                await LogAsync(connection, transaction, secretary.CommunityId, secretary.UserId, secretaryName, "dismiss_moderator", "user", userId, null);
            }
            return true;
        });

    public Task<ModerationSettings> SettingsAsync(long communityId) =>
        _settings.GetAsync(communityId, communityId, async () =>
        {
            await using var connection = await database.OpenReadAsync();
            return new ModerationSettings(await PreReviewAsync(connection, null, communityId));
        });

    public static Task<bool> PreReviewAsync(DbConnection connection, DbTransaction? transaction, long communityId) =>
        connection.ExecuteScalarAsync<bool>(
            "SELECT COALESCE((SELECT pre_review FROM moderation_settings WHERE community_id = @communityId), 0);", new { communityId }, transaction);

    public Task UpdateSettingsAsync(CommunityAccess access, string actorName, ModerationSettings settings) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO moderation_settings (community_id, pre_review, updated_at, updated_by) VALUES (@CommunityId, @PreReview, @now, @UserId)
                ON CONFLICT (community_id) DO UPDATE SET pre_review = excluded.pre_review, updated_at = excluded.updated_at, updated_by = excluded.updated_by;
                """, new { access.CommunityId, settings.PreReview, now = time.GetUtcNow(), access.UserId }, transaction);
            await LogAsync(connection, transaction, access.CommunityId, access.UserId, actorName,
                settings.PreReview ? "pre_review_on" : "pre_review_off", null, null, null);
            return true;
        });

    /// <summary>The community's own word list once it set one, else the shipped default.</summary>
    public Task<WordList> WordsAsync(long communityId) => _words.GetAsync(communityId, communityId, () => LoadWordsAsync(communityId));

    private async Task<WordList> LoadWordsAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var own = await connection.ExecuteScalarAsync<bool>(
            "SELECT COALESCE((SELECT own_word_list FROM moderation_settings WHERE community_id = @communityId), 0);", new { communityId });
        if (!own)
        {
            return new WordList(DefaultWords);
        }
        return new WordList((await connection.QueryAsync<ModerationWord>(
            "SELECT text AS Text, level AS Level FROM moderation_words WHERE community_id = @communityId ORDER BY level, text;",
            new { communityId })).ToList());
    }

    /// <summary>Replaces the community's word list.</summary>
    public Task ReplaceWordsAsync(CommunityAccess access, string actorName, IReadOnlyList<ModerationWord> words) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(
                """
                INSERT INTO moderation_settings (community_id, own_word_list, updated_at, updated_by) VALUES (@CommunityId, 1, @now, @UserId)
                ON CONFLICT (community_id) DO UPDATE SET own_word_list = 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by;
                DELETE FROM moderation_words WHERE community_id = @CommunityId;
                """, new { access.CommunityId, now, access.UserId }, transaction);
            foreach (var word in words.DistinctBy(w => w.Text))
            {
                await connection.ExecuteAsync(
                    "INSERT INTO moderation_words (community_id, text, level) VALUES (@CommunityId, @Text, @Level);",
                    new { access.CommunityId, word.Text, word.Level }, transaction);
            }
            // The log says that the list changed and how long it is, not the words.
            await LogAsync(connection, transaction, access.CommunityId, access.UserId, actorName, "word_list_replaced", null, null, $"{words.Count} words");
            return true;
        });

    /// <summary>Writes a moderation log row inside the caller's unit of work.</summary>
    public Task LogAsync(DbConnection connection, DbTransaction transaction, long communityId, long? actorId, string actorLabel,
        string action, string? targetKind, long? targetId, string? reason) =>
        connection.ExecuteAsync(
            """
            INSERT INTO moderation_log (community_id, actor_id, actor_label, action, target_kind, target_id, reason, at)
            VALUES (@communityId, @actorId, @actorLabel, @action, @targetKind, @targetId, @reason, @now);
            """, new { communityId, actorId, actorLabel, action, targetKind, targetId, reason, now = time.GetUtcNow() }, transaction);

    public async Task<IReadOnlyList<ModerationLogEntry>> LogAsync(long communityId, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<ModerationLogEntry>(
            """
            SELECT id, actor_label AS actor, action, target_kind, target_id, reason, at
            FROM moderation_log WHERE community_id = @communityId AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC LIMIT @take;
            """, new { communityId, beforeId, take })).ToList();
    }
}
