using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;
using static CommunityConnect.Api.Features.ComplaintBox.OpinionQueries;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>Dropping an opinion in the box, reading the box, and "me too".</summary>
public sealed class OpinionStore(Database database, CaseStore cases, AuthorSeal seal, AnonymousAuthors anonymousAuthors, TimeProvider time)
{
    // ---- creating ----

    /// <summary>
    /// Creates an opinion inside the request's unit of work. Every kind but praise opens its case
    /// (routed by the community's routing table) in the same transaction; praise only notifies the
    /// body it thanks. <paramref name="routeTo"/> names the first body where the asker decides it (a
    /// question on a public-accounts entry goes to the owners' committee, who keeps the accounts).
    /// <paramref name="namedKey"/> is the author's named key (<c>RecipientKeys.ForUser</c>); an anonymous
    /// opinion never stores it: it and its case carry a pseudonym of their own (<see cref="AnonymousAuthors"/>).
    /// </summary>
    public async Task<Outcome<Opinion>> CreateAsync(DbConnection connection, DbTransaction transaction, long communityId,
        OpinionAuthor author, string namedKey, NewOpinionInput input, string? routeTo = null)
    {
        var now = time.GetUtcNow();
        var praise = input.Kind == OpinionKinds.Praise;
        var anonymous = input.Anonymous!.Value;
        var pseudonymous = anonymous ? anonymousAuthors.NewAuthor(author.UserId) : null;
        var authorKey = pseudonymous?.Pseudonym ?? namedKey;
        var title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO opinions (community_id, kind, category, title, body, anonymous, visibility, urgent, to_body,
                                  author_id, author_key, state, created_at, closed_at, closed_reason)
            VALUES (@communityId, @Kind, @Category, @title, @body, @anonymous, @Visibility, @urgent, @ToBody,
                    @authorId, @authorKey, @state, @now, @closedAt, @closedReason)
            RETURNING id;
            """,
            new
            {
                communityId, input.Kind, input.Category, title, body = input.Body!.Trim(), anonymous, input.Visibility,
                urgent = input.Urgent ?? false, ToBody = praise ? input.ToBody : null,
                authorId = anonymous ? (long?)null : author.UserId, authorKey,
                state = praise ? OpinionStates.Closed : OpinionStates.Open, now,
                closedAt = praise ? now : (DateTimeOffset?)null, closedReason = praise ? "praise" : null,
            }, transaction);
        if (anonymous)
        {
            await connection.ExecuteAsync("UPDATE opinions SET sealed_author = @sealedAuthor WHERE id = @id;",
                new { id, sealedAuthor = seal.Seal(author.UserId, id) }, transaction);
            await anonymousAuthors.RegisterAsync(connection, transaction, author.UserId, pseudonymous!, OpinionItem, id);
        }
        var actor = anonymous ? Actor.Anonymous : new Actor(author.UserId, author.DisplayName);
        if (praise)
        {
            await cases.NotifyBodyAsync(connection, transaction, communityId, input.ToBody!,
                new Notice("opinion_praise", $"{actor.Label}表扬了{Bodies.Label(input.ToBody!)}", UserText.Cut(input.Body.Trim(), 60), communityId, "opinion", id),
                anonymous ? null : author.UserId);
        }
        else
        {
            var body = routeTo ?? await cases.RouteAsync(communityId, input.Category!);
            var caseId = await cases.OpenAsync(connection, transaction,
                new NewCase(communityId, OpinionKinds.CaseKind(input.Kind!), id, input.Category!, input.Urgent ?? false, authorKey, actor, body));
            await connection.ExecuteAsync("UPDATE opinions SET case_id = @caseId WHERE id = @id;", new { id, caseId }, transaction);
        }
        var caller = new AuthorKeys(namedKey, pseudonymous is null ? [] : [pseudonymous.Pseudonym]);
        var row = (await FindAsync(connection, transaction, id, communityId, caller))!;
        return row.ToDetail(caller, await AnswersAsync(connection, transaction, id, privateAudience: true));
    }

    /// <summary>The item kind of an opinion in the register of anonymous items.</summary>
    public const string OpinionItem = "opinion";

    // ---- reading ----

    /// <summary>The opinion's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long opinionId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM opinions WHERE id = @opinionId;", new { opinionId });
    }

    public async Task<Opinion?> GetAsync(long opinionId, OpinionViewer viewer)
    {
        await using var connection = await database.OpenReadAsync();
        var seen = await SeeAsync(connection, null, opinionId, viewer);
        return seen is { } s ? s.Row.ToDetail(viewer.Keys, await AnswersAsync(connection, null, opinionId, s.PrivateAudience)) : null;
    }

    /// <summary>A filter of the community list.</summary>
    public sealed record ListQuery(string? Kind, string? Category, string? State, bool ByAgreement, long? AfterAgreeCount, long? AfterId, int Take);

    /// <summary>Newest first, or most agreed first (ties newest first); the cursor carries the sort key.</summary>
    public async Task<IReadOnlyList<OpinionSummary>> ListAsync(long communityId, OpinionViewer viewer, ListQuery query)
    {
        await using var connection = await database.OpenReadAsync();
        var parameters = new
        {
            communityId, kind = query.Kind, category = query.Category, state = query.State, query.AfterAgreeCount, query.AfterId, query.Take,
            callerKeys = viewer.CallerKeys, seesEverything = viewer.SeesEverything, bodies = viewer.Bodies,
        };
        var rows = query.ByAgreement
            ? await connection.QueryAsync<OpinionRow>(
                $"""
                 SELECT {ViewerColumns}
                 WHERE {Filters} AND {Visible}
                   AND (@AfterId IS NULL OR o.agree_count < @AfterAgreeCount OR (o.agree_count = @AfterAgreeCount AND o.id < @AfterId))
                 ORDER BY o.agree_count DESC, o.id DESC
                 LIMIT @Take;
                 """, parameters)
            : await connection.QueryAsync<OpinionRow>(
                $"""
                 SELECT {ViewerColumns}
                 WHERE {Filters} AND {Visible}
                   AND (@AfterId IS NULL OR o.id < @AfterId)
                 ORDER BY o.id DESC
                 LIMIT @Take;
                 """, parameters);
        return rows.Select(r => r.ToSummary(viewer.Keys)).ToList();
    }

    /// <summary>
    /// The caller's own opinions in every community: the named ones by their named key, the anonymous
    /// ones by their pseudonyms (which only the server's keys tie to the caller).
    /// </summary>
    public async Task<IReadOnlyList<OpinionSummary>> MineAsync(AuthorKeys caller, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<OpinionRow>(
            $"""
             SELECT {Columns}{From}
             WHERE o.author_key IN @callerKeys AND (@beforeId IS NULL OR o.id < @beforeId)
             ORDER BY o.id DESC
             LIMIT @take;
             """, new { callerKeys = caller.All, beforeId, take });
        return rows.Select(r => r.ToSummary(caller)).ToList();
    }

    // ---- "me too" ----

    /// <summary>Adds (or removes) the caller's "me too"; doing it twice changes nothing.</summary>
    public Task<Outcome<bool>> SetAgreementAsync(long opinionId, OpinionViewer viewer, bool agree) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            if (await SeeAsync(connection, transaction, opinionId, viewer) is not { } seen)
            {
                return Failure.NotFound("Opinion");
            }
            if (!viewer.Access.IsMember)
            {
                return Failure.Forbidden("Only members of the community say \"me too\".");
            }
            if (seen.Row.Visibility != OpinionVisibility.Public)
            {
                return Failure.Conflict("Only public opinions take \"me too\".");
            }
            // The author's own "me too" on their anonymous opinion is kept under its pseudonym, never their named key.
            var key = seen.Row.Anonymous && viewer.Keys.Owns(seen.Row.AuthorKey) ? seen.Row.AuthorKey : viewer.Key;
            var changed = agree
                ? await connection.ExecuteAsync(
                    """
                    INSERT INTO opinion_agreements (opinion_id, user_key, created_at) VALUES (@opinionId, @key, @now)
                    ON CONFLICT (opinion_id, user_key) DO NOTHING;
                    """, new { opinionId, key, now = time.GetUtcNow() }, transaction)
                : await connection.ExecuteAsync(
                    "DELETE FROM opinion_agreements WHERE opinion_id = @opinionId AND user_key = @key;", new { opinionId, key }, transaction);
            if (changed > 0)
            {
                await connection.ExecuteAsync(
                    "UPDATE opinions SET agree_count = agree_count + @delta WHERE id = @opinionId;",
                    new { opinionId, delta = agree ? 1 : -1 }, transaction);
            }
            return true;
        });
}
