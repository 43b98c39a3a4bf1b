using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>Who is asking, as the complaint box needs to know it.</summary>
public sealed record OpinionViewer(CommunityAccess Access, AuthorKeys Keys, string DisplayName)
{
    public long UserId => Access.UserId;

    /// <summary>The caller's named key, for what they do under their own name.</summary>
    public string Key => Keys.Named;

    /// <summary>Every key the caller is an author by (named, and each anonymous opinion's pseudonym): the SQL's <c>@callerKeys</c>.</summary>
    public IReadOnlyCollection<string> CallerKeys => SqlLists.OrNone(Keys.All, "");

    /// <summary>The secretary and the street office see every opinion of the community, private ones too.</summary>
    public bool SeesEverything => Access.HasAny(Roles.PartySecretary, Roles.StreetAdmin);

    /// <summary>The bodies the caller acts for.</summary>
    public IReadOnlyCollection<string> Bodies => SqlLists.OrNone(Cases.Bodies.ActedForBy(Access), "");
}

/// <summary>The author of a new opinion. Never logged, never a job argument, never answered to anyone but the author.</summary>
public sealed record OpinionAuthor(long UserId, string DisplayName);

/// <summary>
/// How the complaint box reads an opinion, for every use case: its columns, who sees it (one rule
/// in SQL, for the list and the item), its answers, and how its author is told. Anonymous authors
/// live only in <c>sealed_author</c> (AES-GCM) and as the item's pseudonym <c>author_key</c>
/// (<see cref="AnonymousAuthors"/>), never as the author's named key; every reply shows them as "匿名居民".
/// </summary>
internal static class OpinionQueries
{
    internal const string Columns =
        """
        o.id AS Id, o.community_id AS CommunityId, o.kind AS Kind, o.category AS Category, o.title AS Title, o.body AS Body,
        o.anonymous AS Anonymous, o.visibility AS Visibility, o.urgent AS Urgent, o.author_id AS AuthorId, u.display_name AS AuthorName,
        o.author_key AS AuthorKey, o.state AS State, o.case_id AS CaseId, c.responsible_body AS ResponsibleBody, o.to_body AS ToBody,
        o.agree_count AS AgreeCount, o.reopen_count AS ReopenCount, o.satisfied AS Satisfied, o.satisfaction_comment AS SatisfactionComment,
        o.created_at AS CreatedAt, o.first_answered_at AS FirstAnsweredAt, o.answered_at AS AnsweredAt, o.closed_at AS ClosedAt,
        EXISTS (SELECT 1 FROM opinion_agreements g WHERE g.opinion_id = o.id AND g.user_key IN @callerKeys) AS Agreed
        """;

    internal const string From =
        """

        FROM opinions o
        LEFT JOIN cases c ON c.id = o.case_id
        LEFT JOIN users u ON u.id = o.author_id
        """;

    /// <summary>
    /// The private audience of an opinion, who also sees its private answers: the author, the
    /// secretary and the street office, and the bodies the case is or was with (or the body a
    /// praise thanks). Parameters: <c>@callerKeys</c>, <c>@seesEverything</c>, <c>@bodies</c>.
    /// </summary>
    internal const string PrivateAudience =
        """
        (@seesEverything = 1 OR o.author_key IN @callerKeys OR o.to_body IN @bodies OR c.responsible_body IN @bodies
         OR EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = o.case_id AND h.to_body IN @bodies))
        """;

    /// <summary>Who sees an opinion, the one rule of the list and the item: public ones, and private ones to their private audience.</summary>
    internal const string Visible = $"(o.visibility = 'public' OR {PrivateAudience})";

    /// <summary>An opinion as a viewer reads it: whether they are its private audience, and nothing they may not see.</summary>
    internal const string ViewerColumns = Columns + ", " + PrivateAudience + " AS PrivateAudience" + From;

    internal const string Filters =
        """
        o.community_id = @communityId
        AND (@kind IS NULL OR o.kind = @kind)
        AND (@category IS NULL OR o.category = @category)
        AND (@state IS NULL OR o.state = @state)
        """;

    internal sealed class OpinionRow
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
        public bool PrivateAudience { get; init; }

        /// <summary>What everyone sees as the author: anonymous authors are "匿名居民" to all, staff included.</summary>
        public string AuthorLabel => Anonymous ? Actor.AnonymousLabel : AuthorName ?? "";

        public long? ShownAuthorId => Anonymous ? null : AuthorId;

        /// <summary>The author as the case history shows them.</summary>
        public Actor AuthorActor => Anonymous ? Actor.Anonymous : new Actor(AuthorId, AuthorName ?? "");

        public OpinionSummary ToSummary(AuthorKeys caller) => new(
            Id, CommunityId, Kind, Category, Title, Body, Anonymous, Visibility, Urgent, AuthorLabel, ShownAuthorId, caller.Owns(AuthorKey),
            State, CaseId, ResponsibleBody, ToBody, AgreeCount, Agreed, ReopenCount > 0, Satisfied, CreatedAt, AnsweredAt, ClosedAt);

        public Opinion ToDetail(AuthorKeys caller, IReadOnlyList<OpinionAnswer> answers) => new(
            Id, CommunityId, Kind, Category, Title, Body, Anonymous, Visibility, Urgent, AuthorLabel, ShownAuthorId, caller.Owns(AuthorKey),
            State, CaseId, ResponsibleBody, ToBody, AgreeCount, Agreed, ReopenCount > 0, Satisfied, SatisfactionComment,
            CreatedAt, AnsweredAt, ClosedAt, answers);
    }

    /// <summary>An opinion of the community, whoever asks (a write that has checked the caller already).</summary>
    internal static Task<OpinionRow?> FindAsync(DbConnection connection, DbTransaction? transaction, long opinionId, long communityId, AuthorKeys caller) =>
        connection.QuerySingleOrDefaultAsync<OpinionRow>(
            $"""
             SELECT {Columns}{From}
             WHERE o.id = @opinionId AND o.community_id = @communityId;
             """, new { opinionId, communityId, callerKeys = caller.All }, transaction);

    /// <summary>The opinion if the viewer may see it (<see cref="Visible"/>), with whether they are its private audience; else null (404).</summary>
    internal static async Task<(OpinionRow Row, bool PrivateAudience)?> SeeAsync(DbConnection connection, DbTransaction? transaction, long opinionId, OpinionViewer viewer)
    {
        var row = await connection.QuerySingleOrDefaultAsync<OpinionRow>(
            $"""
             SELECT {ViewerColumns}
             WHERE o.id = @opinionId AND o.community_id = @communityId AND {Visible};
             """,
            new { opinionId, communityId = viewer.Access.CommunityId, callerKeys = viewer.CallerKeys, seesEverything = viewer.SeesEverything, bodies = viewer.Bodies },
            transaction);
        return row is null ? null : (row, row.PrivateAudience);
    }

    /// <summary>The answers the reader may see: all of them for the private audience, else the public ones.</summary>
    internal static async Task<IReadOnlyList<OpinionAnswer>> AnswersAsync(DbConnection connection, DbTransaction? transaction, long opinionId, bool privateAudience) =>
        (await connection.QueryAsync<OpinionAnswer>(
            """
            SELECT a.id AS Id, u.display_name AS Author, a.author_body AS AuthorBody, a.body AS Body, a.visibility AS Visibility, a.created_at AS CreatedAt
            FROM opinion_answers a JOIN users u ON u.id = a.author_id
            WHERE a.opinion_id = @opinionId AND (@privateAudience = 1 OR a.visibility = 'public')
            ORDER BY a.id;
            """, new { opinionId, privateAudience }, transaction)).ToList();

    /// <summary>
    /// Every notice to an opinion's author goes here. A named author is notified as a user (so a
    /// WeChat message may mirror it); an anonymous author only at the opinion's pseudonym, which
    /// never reaches the WeChat outbox, since a message would carry the author's openid.
    /// </summary>
    internal static Task NotifyAuthorAsync(Inbox.Inbox inbox, DbConnection connection, DbTransaction transaction, OpinionRow row, Notice notice) =>
        row.AuthorId is { } authorId && !row.Anonymous
            ? inbox.NotifyUserAsync(connection, transaction, authorId, notice)
            : inbox.NotifyKeysAsync(connection, transaction, [row.AuthorKey], notice);
}
