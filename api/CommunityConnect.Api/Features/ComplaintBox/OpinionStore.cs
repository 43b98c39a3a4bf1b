using System.Globalization;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.ComplaintBox;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>Who is asking, as the complaint box needs to know it.</summary>
public sealed record OpinionViewer(CommunityAccess Access, string Key, string DisplayName)
{
    public long UserId => Access.UserId;

    /// <summary>The secretary and the street office see every opinion of the community, private ones too.</summary>
    public bool SeesEverything => Access.HasAny(Roles.PartySecretary, Roles.StreetAdmin);

    /// <summary>The bodies the caller acts for.</summary>
    public IReadOnlyList<string> Bodies => Access.Roles.Select(Cases.Bodies.BodyOf).OfType<string>().Distinct().ToList();
}

/// <summary>The author of a new opinion. Never logged, never a job argument, never answered to anyone but the author.</summary>
public sealed record OpinionAuthor(long UserId, string DisplayName);

/// <summary>
/// Opinions, their answers, "me too"s, unsealing and the audit log. Anonymous authors live only in
/// <c>sealed_author</c> (AES-GCM) and as the keyed hash <c>author_key</c>; every reply shows them
/// as "匿名居民".
/// </summary>
public sealed class OpinionStore(Database database, CaseStore cases, Inbox.Inbox inbox, AuthorSeal seal, TimeProvider time) : IAnsweredOpinions
{
    private const string Columns =
        """
        o.id AS Id, o.community_id AS CommunityId, o.kind AS Kind, o.category AS Category, o.title AS Title, o.body AS Body,
        o.anonymous AS Anonymous, o.visibility AS Visibility, o.urgent AS Urgent, o.author_id AS AuthorId, u.display_name AS AuthorName,
        o.author_key AS AuthorKey, o.state AS State, o.case_id AS CaseId, c.responsible_body AS ResponsibleBody, o.to_body AS ToBody,
        o.agree_count AS AgreeCount, o.reopen_count AS ReopenCount, o.satisfied AS Satisfied, o.satisfaction_comment AS SatisfactionComment,
        o.created_at AS CreatedAt, o.first_answered_at AS FirstAnsweredAt, o.answered_at AS AnsweredAt, o.closed_at AS ClosedAt,
        EXISTS (SELECT 1 FROM opinion_agreements g WHERE g.opinion_id = o.id AND g.user_key = @callerKey) AS Agreed
        FROM opinions o
        LEFT JOIN cases c ON c.id = o.case_id
        LEFT JOIN users u ON u.id = o.author_id
        """;

    /// <summary>
    /// Public opinions, or private ones the caller is the audience of: the author, the secretary and
    /// the street office, and the bodies the case is or was with (or the body a praise thanks).
    /// </summary>
    private const string Visible =
        """
        (o.visibility = 'public' OR @seesEverything OR o.author_key = @callerKey OR o.to_body IN @bodies OR c.responsible_body IN @bodies
         OR EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = o.case_id AND h.to_body IN @bodies))
        """;

    private const string Filters =
        """
        o.community_id = @communityId
        AND (@kind IS NULL OR o.kind = @kind)
        AND (@category IS NULL OR o.category = @category)
        AND (@state IS NULL OR o.state = @state)
        """;

    private sealed class OpinionRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public string Category { get; init; } = "";
        public string? Title { get; init; }
        public string Body { get; init; } = "";
        public bool Anonymous { get; init; }
        public string Visibility { get; init; } = "";
        public bool Urgent { get; init; }
        public long? AuthorId { get; init; }
        public string? AuthorName { get; init; }
        public string AuthorKey { get; init; } = "";
        public string State { get; init; } = "";
        public long? CaseId { get; init; }
        public string? ResponsibleBody { get; init; }
        public string? ToBody { get; init; }
        public long AgreeCount { get; init; }
        public long ReopenCount { get; init; }
        public bool? Satisfied { get; init; }
        public string? SatisfactionComment { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? FirstAnsweredAt { get; init; }
        public DateTimeOffset? AnsweredAt { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public bool Agreed { get; init; }

        /// <summary>What everyone sees as the author: anonymous authors are "匿名居民" to all, staff included.</summary>
        public string AuthorLabel => Anonymous ? Actor.AnonymousLabel : AuthorName ?? "";

        public long? ShownAuthorId => Anonymous ? null : AuthorId;

        /// <summary>The author as the case history shows them.</summary>
        public Actor AuthorActor => Anonymous ? Actor.Anonymous : new Actor(AuthorId, AuthorName ?? "");

        public OpinionSummary ToSummary(string callerKey) => new(
            Id, CommunityId, Kind, Category, Title, Body, Anonymous, Visibility, Urgent, AuthorLabel, ShownAuthorId, AuthorKey == callerKey,
            State, CaseId, ResponsibleBody, ToBody, AgreeCount, Agreed, ReopenCount > 0, Satisfied, CreatedAt, AnsweredAt, ClosedAt);

        public Opinion ToDetail(string callerKey, IReadOnlyList<OpinionAnswer> answers) => new(
            Id, CommunityId, Kind, Category, Title, Body, Anonymous, Visibility, Urgent, AuthorLabel, ShownAuthorId, AuthorKey == callerKey,
            State, CaseId, ResponsibleBody, ToBody, AgreeCount, Agreed, ReopenCount > 0, Satisfied, SatisfactionComment,
            CreatedAt, AnsweredAt, ClosedAt, answers);
    }

    // ---- creating ----

    /// <summary>
    /// Creates an opinion inside the request's unit of work. Every kind but praise opens its case
    /// (routed by the community's routing table) in the same transaction; praise only notifies the
    /// body it thanks. <paramref name="routeTo"/> names the first body where the asker decides it (a
    /// question on a public-accounts entry goes to the owners' committee, who keeps the accounts).
    /// </summary>
    public async Task<Outcome<Opinion>> CreateAsync(SqliteConnection connection, SqliteTransaction transaction, long communityId,
        OpinionAuthor author, string authorKey, NewOpinionInput input, string? routeTo = null)
    {
        var now = time.GetUtcNow();
        var praise = input.Kind == OpinionKinds.Praise;
        var anonymous = input.Anonymous!.Value;
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
            var body = routeTo ?? await CaseStore.RouteAsync(connection, transaction, communityId, input.Category!);
            var caseId = await cases.OpenAsync(connection, transaction,
                new NewCase(communityId, OpinionKinds.CaseKind(input.Kind!), id, input.Category!, input.Urgent ?? false, authorKey, actor, body));
            await connection.ExecuteAsync("UPDATE opinions SET case_id = @caseId WHERE id = @id;", new { id, caseId }, transaction);
        }
        var row = (await FindAsync(connection, transaction, id, communityId, authorKey))!;
        return row.ToDetail(authorKey, await AnswersAsync(connection, transaction, id, privateAudience: true));
    }

    // ---- reading ----

    /// <summary>The opinion's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long opinionId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM opinions WHERE id = @opinionId;", new { opinionId });
    }

    private static Task<OpinionRow?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, long opinionId, long communityId, string callerKey) =>
        connection.QuerySingleOrDefaultAsync<OpinionRow>(
            $"""
             SELECT {Columns}
             WHERE o.id = @opinionId AND o.community_id = @communityId;
             """, new { opinionId, communityId, callerKey }, transaction);

    /// <summary>Whether the caller is the private audience of the opinion (and so sees private answers).</summary>
    private static async Task<bool> InPrivateAudienceAsync(SqliteConnection connection, SqliteTransaction? transaction, OpinionRow row, OpinionViewer viewer)
    {
        if (viewer.SeesEverything || row.AuthorKey == viewer.Key)
        {
            return true;
        }
        var bodies = viewer.Bodies;
        if ((row.ToBody is not null && bodies.Contains(row.ToBody)) || (row.ResponsibleBody is not null && bodies.Contains(row.ResponsibleBody)))
        {
            return true;
        }
        return row.CaseId is not null && bodies.Count > 0 && await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM case_history WHERE case_id = @CaseId AND to_body IN @bodies);",
            new { row.CaseId, bodies }, transaction);
    }

    /// <summary>The opinion if the caller may see it (public, or its private audience), with whether they are its private audience.</summary>
    private static async Task<(OpinionRow Row, bool PrivateAudience)?> SeeAsync(SqliteConnection connection, SqliteTransaction? transaction, long opinionId, OpinionViewer viewer)
    {
        var row = await FindAsync(connection, transaction, opinionId, viewer.Access.CommunityId, viewer.Key);
        if (row is null)
        {
            return null;
        }
        var privateAudience = await InPrivateAudienceAsync(connection, transaction, row, viewer);
        return row.Visibility == OpinionVisibility.Public || privateAudience ? (row, privateAudience) : null;
    }

    private static async Task<IReadOnlyList<OpinionAnswer>> AnswersAsync(SqliteConnection connection, SqliteTransaction? transaction, long opinionId, bool privateAudience) =>
        (await connection.QueryAsync<OpinionAnswer>(
            """
            SELECT a.id AS Id, u.display_name AS Author, a.author_body AS AuthorBody, a.body AS Body, a.visibility AS Visibility, a.created_at AS CreatedAt
            FROM opinion_answers a JOIN users u ON u.id = a.author_id
            WHERE a.opinion_id = @opinionId AND (@privateAudience OR a.visibility = 'public')
            ORDER BY a.id;
            """, new { opinionId, privateAudience }, transaction)).ToList();

    public async Task<Opinion?> GetAsync(long opinionId, OpinionViewer viewer)
    {
        await using var connection = await database.OpenReadAsync();
        var seen = await SeeAsync(connection, null, opinionId, viewer);
        return seen is { } s ? s.Row.ToDetail(viewer.Key, await AnswersAsync(connection, null, opinionId, s.PrivateAudience)) : null;
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
            callerKey = viewer.Key, seesEverything = viewer.SeesEverything, bodies = viewer.Bodies,
        };
        var rows = query.ByAgreement
            ? await connection.QueryAsync<OpinionRow>(
                $"""
                 SELECT {Columns}
                 WHERE {Filters} AND {Visible}
                   AND (@AfterId IS NULL OR o.agree_count < @AfterAgreeCount OR (o.agree_count = @AfterAgreeCount AND o.id < @AfterId))
                 ORDER BY o.agree_count DESC, o.id DESC
                 LIMIT @Take;
                 """, parameters)
            : await connection.QueryAsync<OpinionRow>(
                $"""
                 SELECT {Columns}
                 WHERE {Filters} AND {Visible}
                   AND (@AfterId IS NULL OR o.id < @AfterId)
                 ORDER BY o.id DESC
                 LIMIT @Take;
                 """, parameters);
        return rows.Select(r => r.ToSummary(viewer.Key)).ToList();
    }

    /// <summary>The caller's own opinions in every community, anonymous ones included, found by their keyed hash.</summary>
    public async Task<IReadOnlyList<OpinionSummary>> MineAsync(string callerKey, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<OpinionRow>(
            $"""
             SELECT {Columns}
             WHERE o.author_key = @callerKey AND (@beforeId IS NULL OR o.id < @beforeId)
             ORDER BY o.id DESC
             LIMIT @take;
             """, new { callerKey, beforeId, take });
        return rows.Select(r => r.ToSummary(callerKey)).ToList();
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
            var changed = agree
                ? await connection.ExecuteAsync(
                    """
                    INSERT INTO opinion_agreements (opinion_id, user_key, created_at) VALUES (@opinionId, @Key, @now)
                    ON CONFLICT (opinion_id, user_key) DO NOTHING;
                    """, new { opinionId, viewer.Key, now = time.GetUtcNow() }, transaction)
                : await connection.ExecuteAsync(
                    "DELETE FROM opinion_agreements WHERE opinion_id = @opinionId AND user_key = @Key;", new { opinionId, viewer.Key }, transaction);
            if (changed > 0)
            {
                await connection.ExecuteAsync(
                    "UPDATE opinions SET agree_count = agree_count + @delta WHERE id = @opinionId;",
                    new { opinionId, delta = agree ? 1 : -1 }, transaction);
            }
            return true;
        });

    // ---- answering ----

    /// <summary>The body the caller answers for: the case's current body, else the secretary or the street office.</summary>
    private static async Task<string?> AnsweringBodyAsync(SqliteConnection connection, SqliteTransaction? transaction, OpinionRow row, OpinionViewer viewer,
        bool earlierBodies)
    {
        var current = row.ResponsibleBody ?? row.ToBody;
        if (current is not null && viewer.Access.Has(Bodies.RoleOf(current)))
        {
            return current;
        }
        // On the case itself (POST /v1/cases/{id}/responses), a body the case was with before it was
        // transferred or escalated may still answer, as the repairs issue allows for every case.
        if (earlierBodies && row.CaseId is { } caseId)
        {
            var earlier = await connection.QueryAsync<string>(
                "SELECT DISTINCT to_body FROM case_history WHERE case_id = @caseId AND to_body IS NOT NULL;", new { caseId }, transaction);
            if (earlier.FirstOrDefault(body => Bodies.FirstBodies.Contains(body) && viewer.Access.Has(Bodies.RoleOf(body))) is { } mine)
            {
                return mine;
            }
        }
        return viewer.Access.Has(Roles.PartySecretary) ? Bodies.PartySecretary
            : viewer.Access.Has(Roles.StreetAdmin) ? Bodies.StreetAdmin
            : null;
    }

    /// <summary>
    /// An answer by the body the case is with (or the secretary / street office). The first answer
    /// moves the opinion to answered and its case to resolved: the body has given its answer.
    /// </summary>
    public async Task<Outcome<OpinionAnswer>> AnswerAsync(SqliteConnection connection, SqliteTransaction transaction, long opinionId, OpinionViewer viewer,
        string body, string visibility, bool earlierBodies = false)
    {
        if (await SeeAsync(connection, transaction, opinionId, viewer) is not { } seen)
        {
            return Failure.NotFound("Opinion");
        }
        var row = seen.Row;
        var answeringBody = await AnsweringBodyAsync(connection, transaction, row, viewer, earlierBodies);
        if (answeringBody is null)
        {
            return Failure.Forbidden("Only the body the opinion is or was with, the secretary or the street office answers it.");
        }
        if (row.Kind == OpinionKinds.Praise)
        {
            return Failure.Conflict("Praise awaits no answer.");
        }
        var next = OpinionStates.Next(row.State, OpinionEvent.Answered, (int)row.ReopenCount);
        if (next is null)
        {
            return Failure.Conflict("This opinion is closed.");
        }
        // Whole milliseconds, as stored, so this answer reads the same as when it is read back.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO opinion_answers (opinion_id, author_id, author_body, body, visibility, created_at)
            VALUES (@opinionId, @UserId, @answeringBody, @body, @visibility, @now) RETURNING id;
            """, new { opinionId, viewer.UserId, answeringBody, body, visibility, now }, transaction);
        var actor = new Actor(viewer.UserId, $"{viewer.DisplayName}({Bodies.Label(answeringBody)})");
        await cases.AddHistoryAsync(connection, transaction, row.CaseId!.Value, "response", actor, null, null, null, null, null);
        if (row.State == OpinionStates.Open)
        {
            await connection.ExecuteAsync(
                """
                UPDATE opinions SET state = @next, answered_at = @now, first_answered_at = COALESCE(first_answered_at, @now)
                WHERE id = @opinionId;
                """, new { opinionId, next, now }, transaction);
            // FirstAnswer first, so the case records when it was first responded to; then resolved.
            await cases.RecordAsync(connection, transaction, row.CaseId.Value, ItemEvent.FirstAnswer, actor);
            await cases.RecordAsync(connection, transaction, row.CaseId.Value, ItemEvent.Resolved, actor);
        }
        await NotifyAuthorAsync(connection, transaction, row,
            new Notice("opinion_answered", $"{Bodies.Label(answeringBody)}答复了您的{OpinionKinds.Label(row.Kind)}", UserText.Cut(body, 60),
                row.CommunityId, "opinion", row.Id));
        return new OpinionAnswer(id, viewer.DisplayName, answeringBody, body, visibility, now);
    }

    /// <summary>
    /// Every notice to an opinion's author goes here. A named author is notified as a user (so a
    /// WeChat message may mirror it); an anonymous author only by the keyed hash, which never
    /// reaches the WeChat outbox, since a message would carry the author's openid.
    /// </summary>
    private Task NotifyAuthorAsync(SqliteConnection connection, SqliteTransaction transaction, OpinionRow row, Notice notice) =>
        row.AuthorId is { } authorId && !row.Anonymous
            ? inbox.NotifyUserAsync(connection, transaction, authorId, notice)
            : inbox.NotifyKeysAsync(connection, transaction, [row.AuthorKey], notice);

    // ---- the author's satisfaction ----

    /// <summary>
    /// The author's reply to the answer: satisfied closes it; not satisfied reopens it to the same
    /// body once, and closes it (as unsatisfied) the second time.
    /// </summary>
    public Task<Outcome<Opinion>> ReplyAsync(long opinionId, OpinionViewer viewer, bool satisfied, string? comment) =>
        database.WriteAsync<Outcome<Opinion>>(async (connection, transaction) =>
        {
            if (await SeeAsync(connection, transaction, opinionId, viewer) is not { } seen)
            {
                return Failure.NotFound("Opinion");
            }
            var row = seen.Row;
            if (row.AuthorKey != viewer.Key)
            {
                return Failure.Forbidden("Only the author replies to the answer.");
            }
            var next = OpinionStates.Next(row.State, satisfied ? OpinionEvent.Satisfied : OpinionEvent.NotSatisfied, (int)row.ReopenCount);
            if (next is null)
            {
                return Failure.Conflict(row.State == OpinionStates.Open ? "This opinion has not been answered yet." : "This opinion is closed.");
            }
            var now = time.GetUtcNow();
            var reopen = next == OpinionStates.Open;
            await connection.ExecuteAsync(
                """
                UPDATE opinions SET
                    state = @next, satisfied = @satisfied, satisfaction_comment = @comment,
                    reopen_count = reopen_count + @reopened,
                    answered_at = CASE WHEN @reopened = 1 THEN NULL ELSE answered_at END,
                    closed_at = CASE WHEN @next = 'closed' THEN @now ELSE closed_at END,
                    closed_reason = CASE WHEN @next = 'closed' THEN @closedReason ELSE closed_reason END
                WHERE id = @opinionId;
                """,
                new { opinionId, next, satisfied, comment, reopened = reopen ? 1 : 0, now, closedReason = satisfied ? "satisfied" : "unsatisfied" },
                transaction);
            var note = comment is null ? (satisfied ? "满意" : "不满意") : $"{(satisfied ? "满意" : "不满意")}:{comment}";
            await cases.RecordAsync(connection, transaction, row.CaseId!.Value, reopen ? ItemEvent.Reopened : ItemEvent.Closed, row.AuthorActor, note);
            if (reopen)
            {
                await cases.NotifyBodyAsync(connection, transaction, row.CommunityId, row.ResponsibleBody!,
                    new Notice("opinion_reopened", $"{OpinionKinds.Label(row.Kind)}的提出人对答复不满意", comment ?? "请重新处理并再次答复。",
                        row.CommunityId, "opinion", row.Id));
            }
            var updated = (await FindAsync(connection, transaction, opinionId, row.CommunityId, viewer.Key))!;
            return updated.ToDetail(viewer.Key, await AnswersAsync(connection, transaction, opinionId, privateAudience: true));
        });

    /// <summary>The auto-close job's step: answered seven days ago, no reply from the author.</summary>
    public Task<int> CloseUnrepliedAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var due = (await connection.QueryAsync<OpinionRow>(
                $"""
                 SELECT {Columns}
                 WHERE o.state = 'answered' AND o.answered_at <= @cutoff
                 ORDER BY o.id;
                 """, new { cutoff = now - AutoCloseAnsweredOpinionsJob.ReplyWindow, callerKey = "" }, transaction)).ToList();
            foreach (var row in due)
            {
                await connection.ExecuteAsync(
                    "UPDATE opinions SET state = 'closed', closed_at = @now, closed_reason = 'no_reply' WHERE id = @Id AND state = 'answered';",
                    new { row.Id, now }, transaction);
                await cases.RecordAsync(connection, transaction, row.CaseId!.Value, ItemEvent.Closed, Actor.System, "答复后 7 天未回复,自动关闭");
                await NotifyAuthorAsync(connection, transaction, row,
                    new Notice("opinion_closed", $"您的{OpinionKinds.Label(row.Kind)}已自动关闭", "答复后 7 天内未收到您的回复,已自动关闭。",
                        row.CommunityId, "opinion", row.Id));
            }
            return due.Count;
        });

    // ---- unsealing and the audit log ----

    /// <summary>
    /// Opens the seal of an anonymous opinion for the party secretary, writing the audit row (who,
    /// what, why) in the same transaction: no unsealing without its record.
    /// </summary>
    public Task<Outcome<UnsealedAuthor>> UnsealAsync(long opinionId, OpinionViewer viewer, string reason) =>
        database.WriteAsync<Outcome<UnsealedAuthor>>(async (connection, transaction) =>
        {
            if (await SeeAsync(connection, transaction, opinionId, viewer) is not { } seen)
            {
                return Failure.NotFound("Opinion");
            }
            if (!viewer.Access.Has(Roles.PartySecretary))
            {
                return Failure.Forbidden("Only the party secretary may unseal an anonymous author.");
            }
            var sealedAuthor = await connection.ExecuteScalarAsync<string?>(
                "SELECT sealed_author FROM opinions WHERE id = @opinionId;", new { opinionId }, transaction);
            if (!seen.Row.Anonymous || sealedAuthor is null)
            {
                return Failure.Conflict("This opinion is not anonymous: its author is shown on it.");
            }
            var auditId = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO audit_log (community_id, action, actor_id, actor_label, item_kind, item_id, reason, at)
                VALUES (@CommunityId, 'unseal_opinion_author', @UserId, @actorLabel, 'opinion', @opinionId, @reason, @now)
                RETURNING id;
                """,
                new { seen.Row.CommunityId, viewer.UserId, actorLabel = viewer.DisplayName, opinionId, reason, now = time.GetUtcNow() },
                transaction);
            var authorId = seal.Unseal(sealedAuthor, opinionId);
            var displayName = await connection.ExecuteScalarAsync<string>(
                "SELECT display_name FROM users WHERE id = @authorId;", new { authorId }, transaction);
            return new UnsealedAuthor(opinionId, new UnsealedUser(authorId, displayName ?? ""), auditId);
        });

    /// <summary>The community's audit log, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(long communityId, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<AuditEntry>(
            """
            SELECT id AS Id, action AS Action, actor_id AS ActorId, actor_label AS Actor, item_kind AS ItemKind, item_id AS ItemId, reason AS Reason, at AS At
            FROM audit_log
            WHERE community_id = @communityId AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC
            LIMIT @take;
            """, new { communityId, beforeId, take })).ToList();
    }

    // ---- trends ----

    private sealed class TrendRow
    {
        public string Kind { get; init; } = "";
        public string Category { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? FirstAnsweredAt { get; init; }
        public bool? Satisfied { get; init; }
    }

    /// <summary>Shanghai keeps China Standard Time all year (no daylight saving): weeks and dates are counted at UTC+8.</summary>
    public static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);

    public static string IsoWeekOf(DateTimeOffset at)
    {
        var local = at.ToOffset(ShanghaiOffset).DateTime;
        return $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}";
    }

    public async Task<OpinionTrends> TrendsAsync(long communityId, DateOnly from, DateOnly to)
    {
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), ShanghaiOffset);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), ShanghaiOffset);
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<TrendRow>(
            """
            SELECT kind AS Kind, category AS Category, created_at AS CreatedAt, first_answered_at AS FirstAnsweredAt, satisfied AS Satisfied
            FROM opinions
            WHERE community_id = @communityId AND created_at >= @start AND created_at < @end;
            """, new { communityId, start, end })).ToList();
        var top = (await connection.QueryAsync<TopOpinion>(
            """
            SELECT id AS Id, kind AS Kind, category AS Category, title AS Title, agree_count AS AgreeCount, created_at AS CreatedAt
            FROM opinions
            WHERE community_id = @communityId AND created_at >= @start AND created_at < @end
              AND state = 'open' AND visibility = 'public' AND agree_count > 0
            ORDER BY agree_count DESC, id DESC
            LIMIT 5;
            """, new { communityId, start, end })).ToList();

        var counted = rows.Where(r => r.Kind != OpinionKinds.Praise).ToList();
        var answered = counted.Where(r => r.FirstAnsweredAt is not null).ToList();
        var replies = counted.Where(r => r.Satisfied is not null).ToList();
        var categories = counted.GroupBy(r => r.Category)
            .Select(g => new CategoryCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).ToList();
        var weeks = counted.GroupBy(r => IsoWeekOf(r.CreatedAt)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new WeekCount(g.Key, g.Count(), g.GroupBy(r => r.Category)
                .Select(c => new CategoryCount(c.Key, c.Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).ToList()))
            .ToList();
        return new OpinionTrends(from, to, counted.Count, rows.Count - counted.Count, categories, weeks,
            counted.Count == 0 ? null : (double)answered.Count / counted.Count,
            Median(answered.Select(r => (r.FirstAnsweredAt!.Value - r.CreatedAt).TotalHours).ToList()),
            replies.Count == 0 ? null : (double)replies.Count(r => r.Satisfied == true) / replies.Count,
            top);
    }

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
