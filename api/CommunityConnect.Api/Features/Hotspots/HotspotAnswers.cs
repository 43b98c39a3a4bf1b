using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>
/// An answer on a hotspot's case (<c>POST /v1/cases/{caseId}/responses</c>) is the answer to every
/// resident who reported one of its items, at once, in the same unit of work: named reporters by
/// their user, the author of an opinion through the opinion's case (its keyed hash, as the cases'
/// own answers reach it), so that an anonymous author is reached without being named.
/// </summary>
public sealed class HotspotAnswers(CaseStore cases, Inbox.Inbox inbox) : ICaseAnswerHandler
{
    public IReadOnlyCollection<string> Kinds { get; } = ["hotspot"];

    private sealed class Reporter
    {
        public string Kind { get; init; } = "";
        public long ItemId { get; init; }
        public long? UserId { get; init; }
        public string? CaseKey { get; init; }
    }

    public async Task<Outcome<CaseResponse>> AnswerAsync(DbConnection connection, DbTransaction transaction,
        long itemId, CommunityAccess access, AuthorKeys callerKeys, string displayName, string body)
    {
        var hotspot = await connection.QuerySingleOrDefaultAsync<(long CaseId, long CommunityId, string Category, long? BuildingId)?>(
            "SELECT case_id, community_id, category, building_id FROM hotspots WHERE id = @itemId;", new { itemId }, transaction);
        if (hotspot is not { } found)
        {
            return Failure.NotFound("Case");
        }
        var answer = await cases.RespondAsync(connection, transaction, found.CaseId, access, callerKeys, displayName, body);
        if (answer.Failed)
        {
            return answer;
        }
        var reporters = (await connection.QueryAsync<Reporter>(
            """
            SELECT h.item_kind AS Kind, h.item_id AS ItemId, r.reporter_id AS UserId, NULL AS CaseKey
            FROM hotspot_items h JOIN repair_tickets r ON h.item_kind = 'repair' AND r.id = h.item_id
            WHERE h.hotspot_id = @itemId
            UNION ALL
            SELECT h.item_kind, h.item_id, NULL, c.author_key
            FROM hotspot_items h JOIN opinions o ON h.item_kind = 'opinion' AND o.id = h.item_id JOIN cases c ON c.id = o.case_id
            WHERE h.hotspot_id = @itemId
            UNION ALL
            SELECT h.item_kind, h.item_id, t.author_id, NULL
            FROM hotspot_items h JOIN threads t ON h.item_kind = 'thread' AND t.id = h.item_id
            WHERE h.hotspot_id = @itemId;
            """, new { itemId }, transaction)).ToList();
        var place = await HotspotRadar.PlaceAsync(connection, transaction, found.BuildingId);
        var actingBody = answer.Value!.AuthorBody;
        foreach (var reporter in reporters)
        {
            var notice = new Notice("hotspot_answered", $"{Bodies.Label(actingBody)}答复了大家反映的{place}{CategoryLabels.Of(found.Category)}问题",
                Infrastructure.Text.UserText.Cut(body, 60), found.CommunityId, reporter.Kind, reporter.ItemId);
            if (reporter.UserId is { } userId)
            {
                await inbox.NotifyUserAsync(connection, transaction, userId, notice);
            }
            else if (reporter.CaseKey is { } key)
            {
                await inbox.NotifyKeysAsync(connection, transaction, [key], notice);
            }
        }
        return answer;
    }
}
