using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Cases;

/// <summary>
/// The cases table and its history. Items call <see cref="OpenAsync"/> and <see cref="RecordAsync"/>
/// inside their own unit of work, so an item and its case always commit together.
/// </summary>
public sealed class CaseStore(Database database, Inbox.Inbox inbox, ICaseClock clock, RoutingStore routing, TimeProvider time)
{
    private const string SummaryColumns =
        """
        id AS Id, community_id AS CommunityId, kind AS Kind, item_id AS ItemId, category AS Category, urgent AS Urgent,
        responsible_body AS ResponsibleBody, escalation_level AS EscalationLevel, state AS State, created_at AS CreatedAt, updated_at AS UpdatedAt,
        first_response_due AS FirstResponseDue, resolve_due AS ResolveDue, next_escalation_at AS NextEscalationAt
        """;

    private sealed class CaseRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public long ItemId { get; init; }
        public string Category { get; init; } = "";
        public bool Urgent { get; init; }
        public string ResponsibleBody { get; init; } = "";
        public int EscalationLevel { get; init; }
        public string State { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? FirstResponseDue { get; init; }
        public DateTimeOffset? ResolveDue { get; init; }
        public DateTimeOffset? NextEscalationAt { get; init; }
        public string AuthorKey { get; init; } = "";

        public CaseSummary ToSummary() => new(Id, CommunityId, Kind, ItemId, Category, Urgent, ResponsibleBody, EscalationLevel, State, CreatedAt, UpdatedAt,
            FirstResponseDue, ResolveDue, NextEscalationAt);
    }

    /// <summary>
    /// The routed first body of a category in a community (its routing table, else TAXONOMY.md's
    /// default), from the routing table's cache: as committed, not as this unit of work may have changed it.
    /// </summary>
    public Task<string> RouteAsync(long communityId, string category) =>
        routing.BodyForAsync(communityId, category);

    /// <summary>When a case's first response is due (null once it needs none), for telling the resident "by when".</summary>
    public static Task<DateTimeOffset?> FirstResponseDueAsync(DbConnection connection, DbTransaction? transaction, long caseId) =>
        connection.ExecuteScalarAsync<DateTimeOffset?>("SELECT first_response_due FROM cases WHERE id = @caseId;", new { caseId }, transaction);

    /// <summary>
    /// Opens the case of a new item and tells the body it is routed to (unless <paramref name="notifyBody"/> is
    /// false: the caller sends a notice of its own, such as a hotspot's). Answers the case id.
    /// </summary>
    public async Task<long> OpenAsync(DbConnection connection, DbTransaction transaction, NewCase item, bool notifyBody = true)
    {
        var now = time.GetUtcNow();
        var caseId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO cases (community_id, kind, item_id, category, urgent, responsible_body, author_key, created_at, updated_at)
            VALUES (@CommunityId, @Kind, @ItemId, @Category, @Urgent, @ResponsibleBody, @AuthorKey, @now, @now)
            RETURNING id;
            """, new { item.CommunityId, item.Kind, item.ItemId, item.Category, item.Urgent, item.ResponsibleBody, item.AuthorKey, now }, transaction);
        await AddHistoryAsync(connection, transaction, caseId, "created", item.Author, null, CaseStateTable.Open, null, item.ResponsibleBody, null);
        await clock.StartAsync(connection, transaction, caseId);
        if (!notifyBody)
        {
            return caseId;
        }
        await NotifyBodyAsync(connection, transaction, item.CommunityId, item.ResponsibleBody,
            new Notice("case_routed", $"新的{CaseKinds.Label(item.Kind)}待处理", $"一件{CaseKinds.Label(item.Kind)}已分派给{Bodies.Label(item.ResponsibleBody)},请及时响应。",
                item.CommunityId, "case", caseId), item.Author.UserId);
        return caseId;
    }

    /// <summary>
    /// Moves the case of an item by the state table, with a history row. Answers the new state. The item
    /// has already moved (its own guarded UPDATE), so the case must follow: the case moves from the state
    /// it was read in, and a case moved meanwhile (a case answer, another node) is read again and the
    /// event applied to what it is now.
    /// </summary>
    public async Task<string> RecordAsync(DbConnection connection, DbTransaction transaction, long caseId, ItemEvent itemEvent, Actor actor, string? note = null)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var current = await connection.QuerySingleAsync<string>("SELECT state FROM cases WHERE id = @caseId;", new { caseId }, transaction);
            var next = CaseStateTable.Next(current, itemEvent);
            var now = time.GetUtcNow();
            var moved = await connection.ExecuteAsync(
                """
                UPDATE cases SET
                    state = @next,
                    updated_at = @now,
                    responded_at = CASE WHEN @next <> 'open' THEN COALESCE(responded_at, @now) ELSE responded_at END,
                    resolved_at = CASE WHEN @next = 'resolved' THEN @now WHEN @next = 'responded' THEN NULL ELSE resolved_at END,
                    closed_at = CASE WHEN @next = 'closed' THEN COALESCE(closed_at, @now) WHEN @next = 'responded' THEN NULL ELSE closed_at END
                WHERE id = @caseId AND state = @from;
                """, new { caseId, next, from = current, now }, transaction);
            if (moved == 1)
            {
                return await RecordedAsync(connection, transaction, caseId, itemEvent, actor, note, current, next);
            }
            if (attempt == attempts)
            {
                throw new System.Data.DBConcurrencyException($"Case {caseId} kept changing while {itemEvent} was recorded.");
            }
        }
    }

    /// <summary>What follows a case move: its history row (when the state changed, or on a reopen) and its clocks.</summary>
    private async Task<string> RecordedAsync(DbConnection connection, DbTransaction transaction, long caseId, ItemEvent itemEvent, Actor actor,
        string? note, string from, string next)
    {
        if (next != from || itemEvent == ItemEvent.Reopened)
        {
            await AddHistoryAsync(connection, transaction, caseId, CaseStateTable.EventName(itemEvent), actor, from, next, null, null, note);
        }
        await clock.OnEventAsync(connection, transaction, caseId, itemEvent);
        return next;
    }

    /// <summary>A repair waiting for parts: its resolution clock stops until <see cref="ResumeClockAsync"/>.</summary>
    public Task PauseClockAsync(DbConnection connection, DbTransaction transaction, long caseId) =>
        clock.PauseAsync(connection, transaction, caseId);

    /// <summary>The repair goes on: the resolution due time moves by the paused working time.</summary>
    public Task ResumeClockAsync(DbConnection connection, DbTransaction transaction, long caseId) =>
        clock.ResumeAsync(connection, transaction, caseId);

    public Task AddHistoryAsync(DbConnection connection, DbTransaction transaction, long caseId, string eventName, Actor actor,
        string? fromState, string? toState, string? fromBody, string? toBody, string? note) =>
        connection.ExecuteAsync(
            """
            INSERT INTO case_history (case_id, event, actor_id, actor_label, from_state, to_state, from_body, to_body, note, at)
            VALUES (@caseId, @eventName, @UserId, @Label, @fromState, @toState, @fromBody, @toBody, @note, @now);
            """, new { caseId, eventName, actor.UserId, actor.Label, fromState, toState, fromBody, toBody, note, now = time.GetUtcNow() }, transaction);

    /// <summary>Notifies the members of a body (the street admins of the community's street for the street office).</summary>
    public async Task NotifyBodyAsync(DbConnection connection, DbTransaction transaction, long communityId, string body, Notice notice, long? exceptUserId = null)
    {
        if (body == Bodies.StreetAdmin)
        {
            var admins = await connection.QueryAsync<long>(
                """
                SELECT m.user_id FROM memberships m JOIN communities c ON c.street_id = m.street_id
                WHERE c.id = @communityId AND m.role = 'street_admin';
                """, new { communityId }, transaction);
            await inbox.NotifyUsersAsync(connection, transaction, admins.Where(id => id != exceptUserId), notice);
            return;
        }
        await inbox.NotifyRolesAsync(connection, transaction, communityId, [Bodies.RoleOf(body)], notice, exceptUserId);
    }

    // ---- reads and the case endpoints' own writes ----

    private static Task<CaseRow?> FindAsync(DbConnection connection, DbTransaction? transaction, long caseId) =>
        connection.QuerySingleOrDefaultAsync<CaseRow>(
            $"SELECT {SummaryColumns}, author_key AS AuthorKey FROM cases WHERE id = @caseId;", new { caseId }, transaction);

    /// <summary>The case if the reader sees it (<see cref="CaseAccess.Visible"/>), else null (404).</summary>
    private static Task<CaseRow?> FindVisibleAsync(DbConnection connection, DbTransaction? transaction, long caseId, CaseReader reader) =>
        connection.QuerySingleOrDefaultAsync<CaseRow>(
            $"""
             SELECT {SummaryColumns}, author_key AS AuthorKey FROM cases c
             WHERE c.id = @caseId AND {CaseAccess.Visible};
             """, reader.With(new { caseId }), transaction);

    /// <summary>The kind and item of a case.</summary>
    public async Task<(string Kind, long ItemId)?> ItemOfAsync(long caseId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.QuerySingleOrDefaultAsync<(string, long)?>("SELECT kind, item_id FROM cases WHERE id = @caseId;", new { caseId });
    }

    /// <summary>The case's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long caseId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM cases WHERE id = @caseId;", new { caseId });
    }

    /// <summary>The case with its answers and history, or null when the caller may not see it (404).</summary>
    public async Task<CaseDetail?> GetAsync(long caseId, CommunityAccess access, AuthorKeys callerKeys)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await FindVisibleAsync(connection, null, caseId, CaseReader.Of(access, callerKeys));
        if (row is null)
        {
            return null;
        }
        var history = await connection.QueryAsync<CaseHistoryEntry>(
            """
            SELECT id, event, actor_label AS actor, from_state, to_state, from_body, to_body, note, at
            FROM case_history WHERE case_id = @caseId ORDER BY id;
            """, new { caseId });
        var responses = await connection.QueryAsync<CaseResponse>(
            """
            SELECT r.id, u.display_name AS author, r.author_body, r.body, r.created_at
            FROM case_responses r JOIN users u ON u.id = r.author_id
            WHERE r.case_id = @caseId ORDER BY r.id;
            """, new { caseId });
        return new CaseDetail(row.Id, row.CommunityId, row.Kind, row.ItemId, row.Category, row.Urgent, row.ResponsibleBody,
            row.EscalationLevel, row.State, row.CreatedAt, row.UpdatedAt, row.FirstResponseDue, row.ResolveDue, row.NextEscalationAt,
            responses.ToList(), history.ToList());
    }

    /// <summary>A body's work queue: the cases the caller sees (the same rule as the case route), oldest first.</summary>
    // Oldest first from the cursor on, a range on ix_cases_community (HotQueryPlanTests checks the plan).
    internal const string QueueSql =
        $"""
         SELECT {SummaryColumns} FROM cases c
         WHERE {CaseAccess.Visible}
           AND (@responsibleBody IS NULL OR c.responsible_body = @responsibleBody)
           AND (@state IS NULL OR c.state = @state)
           AND c.id > @after
         ORDER BY c.id
         LIMIT @take;
         """;

    public async Task<IReadOnlyList<CaseSummary>> QueueAsync(CaseReader reader, string? responsibleBody, string? state, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<CaseRow>(QueueSql, reader.With(new { responsibleBody, state, after = afterId ?? 0, take }));
        return rows.Select(r => r.ToSummary()).ToList();
    }

    /// <summary>
    /// An answer on the case itself, by a member of a body it is or was with, the secretary or the
    /// street admin. An answer by the current body is the first response. A unit of work: run it
    /// through <c>UnitOfWork.CreateAsync</c> so a resend with the same Idempotency-Key answers once.
    /// </summary>
    public async Task<Outcome<CaseResponse>> RespondAsync(DbConnection connection, DbTransaction transaction,
        long caseId, CommunityAccess access, AuthorKeys callerKeys, string displayName, string body)
    {
        var row = await FindVisibleAsync(connection, transaction, caseId, CaseReader.Of(access, callerKeys));
        if (row is null)
        {
            return Failure.NotFound("Case");
        }
        var actingBody = await CaseAccess.AnsweringBodyAsync(connection, transaction, access, row.ResponsibleBody, caseId);
        if (actingBody is null)
        {
            return Failure.Forbidden("Only a body this case is or was with, the secretary or the street office may answer it.");
        }
        if (row.State == CaseStateTable.Closed)
        {
            return Failure.Conflict("This case is closed.");
        }
        var now = time.GetUtcNow();
        // The answer needs the case still not closed (its item may have closed it meanwhile).
        if (await connection.ExecuteAsync("UPDATE cases SET updated_at = @now WHERE id = @caseId AND state <> 'closed';", new { caseId, now }, transaction) != 1)
        {
            return Failure.Conflict("This case is closed.");
        }
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO case_responses (case_id, author_id, author_body, body, created_at)
            VALUES (@caseId, @UserId, @actingBody, @body, @now) RETURNING id;
            """, new { caseId, access.UserId, actingBody, body, now }, transaction);
        var actor = new Actor(access.UserId, $"{displayName}({Bodies.Label(actingBody)})");
        await AddHistoryAsync(connection, transaction, caseId, "response", actor, null, null, null, null, null);
        if (actingBody == row.ResponsibleBody)
        {
            await RecordAsync(connection, transaction, caseId, ItemEvent.FirstAnswer, actor);
        }
        await inbox.NotifyKeysAsync(connection, transaction, [row.AuthorKey],
            new Notice("case_response", $"{Bodies.Label(actingBody)}回复了您的{CaseKinds.Label(row.Kind)}", UserTextCut(body), row.CommunityId, "case", caseId));
        return new CaseResponse(id, displayName, actingBody, body, now);
    }

    /// <summary>Hands the case to another first body with a reason; the escalation level stays.</summary>
    public Task<Outcome<CaseSummary>> TransferAsync(long caseId, CommunityAccess access, AuthorKeys callerKeys, string displayName, string toBody, string reason) =>
        database.WriteAsync<Outcome<CaseSummary>>(async (connection, transaction) =>
        {
            var row = await FindVisibleAsync(connection, transaction, caseId, CaseReader.Of(access, callerKeys));
            if (row is null)
            {
                return Failure.NotFound("Case");
            }
            if (!access.HasAny(Roles.PartySecretary, Roles.StreetAdmin) && !access.Has(Bodies.RoleOf(row.ResponsibleBody)))
            {
                return Failure.Forbidden("Only the body the case is with, the secretary or the street office may transfer it.");
            }
            if (row.State == CaseStateTable.Closed)
            {
                return Failure.Conflict("This case is closed.");
            }
            if (toBody == row.ResponsibleBody)
            {
                return Failure.Conflict($"The case is already with {Bodies.Label(toBody)}.");
            }
            // The change names the body and the open state it expects; a row changed meanwhile is a conflict.
            var moved = await connection.ExecuteAsync(
                "UPDATE cases SET responsible_body = @toBody, updated_at = @now WHERE id = @caseId AND responsible_body = @fromBody AND state = @state;",
                new { caseId, toBody, fromBody = row.ResponsibleBody, state = row.State, now = time.GetUtcNow() }, transaction);
            if (moved != 1)
            {
                return Failure.Conflict("The case changed while it was being transferred; read it again.");
            }
            // Only the current body, the secretary or the street office transfers: the label is theirs (no earlier body).
            var transferring = await CaseAccess.AnsweringBodyAsync(connection, transaction, access, row.ResponsibleBody, caseId: null);
            var actor = new Actor(access.UserId, $"{displayName}({Bodies.Label(transferring ?? row.ResponsibleBody)})");
            await AddHistoryAsync(connection, transaction, caseId, "transferred", actor, null, null, row.ResponsibleBody, toBody, reason);
            // The new body gets its own time to answer.
            await clock.StartAsync(connection, transaction, caseId);
            await NotifyBodyAsync(connection, transaction, row.CommunityId, toBody,
                new Notice("case_transferred", $"{Bodies.Label(row.ResponsibleBody)}转来一件{CaseKinds.Label(row.Kind)}", $"转交原因:{reason}", row.CommunityId, "case", caseId));
            return (await FindAsync(connection, transaction, caseId))!.ToSummary();
        });

    private static string UserTextCut(string text) => Infrastructure.Text.UserText.Cut(text, 60);
}
