using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>A thread's text with the labels a moderator chose, for the analyser's training.</summary>
public sealed record RoutingCorrection(long ThreadId, string Text, string Intent, string Category, string ResponsibleBody);

/// <summary>The moderators' corrections as the analyser's training reads them at start-up.</summary>
public sealed class RoutingCorrections(Database database)
{
    /// <summary>The latest correction of each thread (a later one overrides an earlier), oldest thread first.</summary>
    public async Task<IReadOnlyList<RoutingCorrection>> LatestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long ThreadId, string Title, string Body, string Intent, string Category, string ResponsibleBody)>(
            """
            SELECT t.id, t.title, t.body, c.intent, c.category, c.responsible_body
            FROM thread_routing_corrections c JOIN threads t ON t.id = c.thread_id
            WHERE c.id = (SELECT MAX(l.id) FROM thread_routing_corrections l WHERE l.thread_id = c.thread_id)
            ORDER BY t.id;
            """);
        return rows.Select(r => new RoutingCorrection(r.ThreadId, HallTopics.TextOf(r.Title, r.Body), r.Intent, r.Category, r.ResponsibleBody)).ToList();
    }
}
