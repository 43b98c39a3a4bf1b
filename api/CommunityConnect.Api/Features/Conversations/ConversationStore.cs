using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>
/// The conversations table and its messages. A conversation is its resident's alone: every read
/// names the owner in its WHERE clause (<see cref="Owned"/>), so another user's conversation does
/// not exist for the caller (404).
/// </summary>
public sealed class ConversationStore(Database database, TimeProvider time)
{
    /// <summary>Who sees a conversation: its resident, nobody else. SQL over <c>conversations c</c> with @conversationId and @userId.</summary>
    private const string Owned = "c.id = @conversationId AND c.user_id = @userId";

    /// <summary>At most this many resident messages in one conversation; a longer chat starts a new one.</summary>
    public const int MaxTurns = 100;

    private const string RowColumns =
        """
        c.id AS Id, c.community_id AS CommunityId, c.user_id AS UserId, c.state AS State, c.turn AS Turn, c.kind AS Kind,
        c.category AS Category, c.responsible_body AS ResponsibleBody, c.building AS Building, c.unit AS Unit, c.building_id AS BuildingId,
        c.unit_id AS UnitId, c.common_area AS CommonArea, c.urgent AS Urgent, c.description AS Description, c.anonymous AS Anonymous,
        c.public AS IsPublic, c.awaiting AS Awaiting, c.offered_ticket_id AS OfferedTicketId, c.duplicate_declined AS DuplicateDeclined,
        c.filed_kind AS FiledKind, c.filed_id AS FiledId, c.filed_anonymous AS FiledAnonymous, c.filed_me_too AS FiledMeToo,
        c.created_at AS CreatedAt, c.updated_at AS UpdatedAt
        """;

    private sealed class Row
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public long UserId { get; init; }
        public string State { get; init; } = "";
        public long Turn { get; init; }
        public string? Kind { get; init; }
        public string? Category { get; init; }
        public string? ResponsibleBody { get; init; }
        public string? Building { get; init; }
        public string? Unit { get; init; }
        public long? BuildingId { get; init; }
        public long? UnitId { get; init; }
        public string? CommonArea { get; init; }
        public bool Urgent { get; init; }
        public string? Description { get; init; }
        public bool Anonymous { get; init; }
        public bool IsPublic { get; init; }
        public string? Awaiting { get; init; }
        public long? OfferedTicketId { get; init; }
        public bool DuplicateDeclined { get; init; }
        public string? FiledKind { get; init; }
        public long? FiledId { get; init; }
        public bool FiledAnonymous { get; init; }
        public bool FiledMeToo { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string? LastReply { get; init; }

        public ConversationDraft? Draft => Kind is null ? null : new ConversationDraft
        {
            Kind = Kind, Category = Category ?? "other", ResponsibleBody = ResponsibleBody ?? Cases.Bodies.ResidentsCommittee,
            Building = Building, Unit = Unit, BuildingId = BuildingId, UnitId = UnitId, CommonArea = CommonArea, Urgent = Urgent,
            Description = Description ?? "", Anonymous = Anonymous, Public = IsPublic,
        };

        public FiledItem? Filed => FiledKind is null ? null
            : FiledAnonymous ? new FiledItem(FiledKind, null, Anonymous: true)
            : new FiledItem(FiledKind, FiledId, MeToo: FiledMeToo ? true : null);

        public ConversationSnapshot ToSnapshot() =>
            new(Id, CommunityId, UserId, State, (int)Turn, Draft, Awaiting, OfferedTicketId, DuplicateDeclined);
    }

    // ---- starting ----

    /// <summary>A new conversation with the assistant's greeting (a unit of work).</summary>
    public async Task<Outcome<ConversationTurn>> StartAsync(DbConnection connection, DbTransaction transaction, long communityId, long userId)
    {
        var now = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO conversations (community_id, user_id, state, created_at, updated_at)
            VALUES (@communityId, @userId, 'collecting', @now, @now)
            RETURNING id;
            """, new { communityId, userId, now }, transaction);
        var reply = new AssistantReply(AssistantWords.Greeting, QuickReplies.Start);
        await AddMessageAsync(connection, transaction, id, "assistant", reply.Text, reply.QuickReplies, now);
        return new ConversationTurn(id, reply, null, ConversationStates.Collecting, null);
    }

    // ---- reading ----

    /// <summary>The caller's conversation as the assistant reads it, or null when it is not theirs (404).</summary>
    public async Task<ConversationSnapshot?> FindAsync(long conversationId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {RowColumns} FROM conversations c WHERE {Owned};", new { conversationId, userId });
        return row?.ToSnapshot();
    }

    /// <summary>The caller's conversation replayed, or null when it is not theirs (404).</summary>
    public async Task<Conversation?> GetAsync(long conversationId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {RowColumns} FROM conversations c WHERE {Owned};", new { conversationId, userId });
        if (row is null)
        {
            return null;
        }
        var messages = await connection.QueryAsync<(long Id, string Author, string Text, string? QuickReplies, DateTimeOffset CreatedAt)>(
            $"""
             SELECT m.id, m.author, m.text, m.quick_replies, m.created_at
             FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE {Owned}
             ORDER BY m.id;
             """, new { conversationId, userId });
        return new Conversation(row.Id, row.CommunityId, row.State, row.Draft?.ToView(), row.Filed,
            messages.Select(m => new ConversationMessage(m.Id, m.Author, m.Text, SplitLines(m.QuickReplies), m.CreatedAt)).ToList(),
            row.CreatedAt, row.UpdatedAt);
    }

    /// <summary>The caller's conversations in every community, latest activity first.</summary>
    public async Task<IReadOnlyList<ConversationSummary>> MineAsync(long userId, ConversationCursor? after, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<Row>(
            $"""
             SELECT {RowColumns},
                    (SELECT m.text FROM conversation_messages m
                     WHERE m.conversation_id = c.id AND m.author = 'assistant' ORDER BY m.id DESC LIMIT 1) AS LastReply
             FROM conversations c
             WHERE c.user_id = @userId
               AND (@afterAt IS NULL OR c.updated_at < @afterAt OR (c.updated_at = @afterAt AND c.id < @afterId))
             ORDER BY c.updated_at DESC, c.id DESC
             LIMIT @take;
             """, new { userId, afterAt = after?.UpdatedAt, afterId = after?.Id, take });
        return rows.Select(r => new ConversationSummary(r.Id, r.CommunityId, r.State, r.Kind, r.Draft?.Summary, r.Filed, r.LastReply,
            r.CreatedAt, r.UpdatedAt)).ToList();
    }

    /// <summary>The community's buildings and units, and the resident's own unit (the first of their units).</summary>
    /// <summary>
    /// The community's buildings, and of its units only those a message can name: the rooms in
    /// <paramref name="unitNumbers"/> (what the message and the draft say) in any building, and the
    /// resident's own. A community's register can hold 10,000 units; reading them all for every chat
    /// message was the largest cost of a message (issue 18's profile).
    /// </summary>
    public async Task<CommunityPlaces> PlacesAsync(long communityId, IReadOnlyList<long> homeUnitIds, IReadOnlyCollection<string> unitNumbers)
    {
        await using var connection = await database.OpenReadAsync();
        var buildings = (await connection.QueryAsync<BuildingRow>(
            "SELECT id AS Id, number AS Number FROM buildings WHERE community_id = @communityId ORDER BY id;", new { communityId })).ToList();
        var homeUnitId = homeUnitIds.Count == 0 ? (long?)null : homeUnitIds.Min();
        var units = (await connection.QueryAsync<PlaceRow>(PlacesSql, new { communityId, numbers = SqlLists.OrNone(unitNumbers.Distinct(), ""), homeUnitId })).ToList();
        var home = units.FirstOrDefault(u => u.UnitId == homeUnitId);
        return new CommunityPlaces(units, buildings, home);
    }

    // Each building of the community, then its room by (building_id, number): the UNIQUE index's seek.
    // (The home unit may come twice, when the message names it too; the lookups take the first.)
    internal const string PlacesSql =
        """
        SELECT u.id AS UnitId, b.id AS BuildingId, b.number AS Building, u.number AS Unit
        FROM buildings b JOIN units u ON u.building_id = b.id AND u.number IN @numbers
        WHERE b.community_id = @communityId
        UNION ALL
        SELECT u.id AS UnitId, b.id AS BuildingId, b.number AS Building, u.number AS Unit
        FROM units u JOIN buildings b ON b.id = u.building_id
        WHERE u.id = @homeUnitId AND u.community_id = @communityId;
        """;

    // ---- one message ----

    /// <summary>
    /// Records one message and the assistant's step, inside the unit of work that also files what the
    /// step files. The UPDATE names the state and the turn the message was read in and checks the
    /// row count: a message that lost a race with another is refused (409) and its filing undone.
    /// An anonymous filing redacts the conversation instead: its messages are deleted, its draft
    /// emptied and its activity time set back to its start, keeping only "filed an anonymous opinion".
    /// </summary>
    public async Task<Outcome<ConversationTurn>> RecordAsync(DbConnection connection, DbTransaction transaction, ConversationSnapshot before,
        string text, AssistantDecision decision, string reply, FiledItem? filed)
    {
        if (!ConversationStateMachine.CanMove(before.State, decision.State))
        {
            return Failure.Conflict($"A {before.State} conversation cannot become {decision.State}.");
        }
        var now = time.GetUtcNow();
        var redact = filed?.Anonymous == true;
        var draft = redact ? null : decision.Draft;
        var moved = await connection.ExecuteAsync(
            """
            UPDATE conversations SET
                state = @State, turn = turn + 1,
                kind = @Kind, category = @Category, responsible_body = @ResponsibleBody, building = @Building, unit = @Unit,
                building_id = @BuildingId, unit_id = @UnitId, common_area = @CommonArea, urgent = @Urgent, description = @Description,
                anonymous = @Anonymous, public = @IsPublic, awaiting = @Awaiting, offered_ticket_id = @OfferedTicketId,
                duplicate_declined = @DuplicateDeclined, filed_kind = @FiledKind, filed_id = @FiledId, filed_anonymous = @FiledAnonymous,
                filed_me_too = @FiledMeToo,
                updated_at = CASE WHEN @redact = 1 THEN created_at ELSE @now END
            WHERE id = @Id AND state = @from AND turn = @turn;
            """,
            new
            {
                decision.State, draft?.Kind, draft?.Category, draft?.ResponsibleBody, draft?.Building, draft?.Unit, draft?.BuildingId,
                draft?.UnitId, draft?.CommonArea, Urgent = draft?.Urgent ?? false, draft?.Description, Anonymous = draft?.Anonymous ?? false,
                IsPublic = draft?.Public ?? false, Awaiting = redact ? null : decision.Awaiting,
                OfferedTicketId = redact ? null : decision.OfferedTicketId, DuplicateDeclined = !redact && decision.DuplicateDeclined,
                FiledKind = filed?.Kind, FiledId = filed?.Id, FiledAnonymous = redact, FiledMeToo = filed?.MeToo == true,
                redact, now, before.Id, from = before.State, turn = before.Turn,
            }, transaction);
        if (moved != 1)
        {
            return Failure.Conflict("The conversation moved on while this message was read; look at it again and resend.");
        }
        var answer = new AssistantReply(reply, decision.QuickReplies);
        if (redact)
        {
            await connection.ExecuteAsync("DELETE FROM conversation_messages WHERE conversation_id = @Id;", new { before.Id }, transaction);
        }
        else
        {
            await AddMessageAsync(connection, transaction, before.Id, "resident", text, [], now);
            await AddMessageAsync(connection, transaction, before.Id, "assistant", answer.Text, answer.QuickReplies, now);
        }
        return new ConversationTurn(before.Id, answer, draft?.ToView(), decision.State, filed);
    }

    private static Task AddMessageAsync(DbConnection connection, DbTransaction transaction, long conversationId, string author, string text,
        IReadOnlyList<string> quickReplies, DateTimeOffset now) =>
        connection.ExecuteAsync(
            """
            INSERT INTO conversation_messages (conversation_id, author, text, quick_replies, created_at)
            VALUES (@conversationId, @author, @text, @quick, @now);
            """, new { conversationId, author, text, quick = quickReplies.Count == 0 ? null : string.Join('\n', quickReplies), now }, transaction);

    private static IReadOnlyList<string> SplitLines(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split('\n');
}
