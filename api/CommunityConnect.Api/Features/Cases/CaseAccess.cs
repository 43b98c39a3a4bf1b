using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Cases;

/// <summary>
/// Who reads cases: the caller in one community, the bodies they act for, and every key they are an
/// author by (their named key and their anonymous items' pseudonyms), to know their own cases.
/// </summary>
public sealed record CaseReader(long CommunityId, string[] CallerKeys, bool SeesAll, string[] Bodies)
{
    public static CaseReader Of(CommunityAccess access, AuthorKeys callerKeys) => new(
        access.CommunityId, callerKeys.All, access.HasAny(Roles.PartySecretary, Roles.StreetAdmin),
        Cases.Bodies.ActedForBy(access));

    /// <summary>The reader's parameters of <see cref="CaseAccess.Visible"/>, with the query's own.</summary>
    public DynamicParameters With(object parameters)
    {
        var all = new DynamicParameters(new { CommunityId, CallerKeys = SqlLists.OrNone(CallerKeys, ""), SeesAll, Bodies = SqlLists.OrNone(Bodies, "") });
        all.AddDynamicParams(parameters);
        return all;
    }
}

/// <summary>
/// The two rules of who may do what with a case, each written once: who sees a case (every read
/// of a case and the work queue filter by <see cref="Visible"/> in SQL, so the queue never lists a
/// case its item route hides), and which body an answer speaks for (<see cref="AnsweringBodyAsync"/>,
/// for a case response and an opinion's answer alike).
/// </summary>
public static class CaseAccess
{
    /// <summary>
    /// A case of the reader's community seen by its author, the party secretary and the street office,
    /// and the members of every body it is or was with (routed, transferred, escalated). SQL over
    /// <c>cases c</c> with a <see cref="CaseReader"/>'s parameters (<see cref="CaseReader.With"/>).
    /// </summary>
    public const string Visible =
        """
        c.community_id = @CommunityId
        AND (@SeesAll = 1 OR c.author_key IN @CallerKeys OR c.responsible_body IN @Bodies
             OR EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.to_body IN @Bodies))
        """;

    /// <summary>Whether the reader sees the case (<see cref="Visible"/>).</summary>
    public static Task<bool> MaySeeAsync(DbConnection connection, DbTransaction? transaction, long caseId, CaseReader reader) =>
        connection.ExecuteScalarAsync<bool>(
            $"SELECT EXISTS (SELECT 1 FROM cases c WHERE c.id = @caseId AND {Visible});", reader.With(new { caseId }), transaction);

    /// <summary>
    /// The body the caller answers for: the body the case is with now; else a body it was with
    /// before (a transfer or an escalation moved it on, and the body passed over may still answer,
    /// as the repairs issue allows on every case); else the party secretary or the street office.
    /// Null for anyone else (403). <paramref name="caseId"/> null: an item without a case (praise),
    /// where only <paramref name="currentBody"/> counts.
    /// </summary>
    public static async Task<string?> AnsweringBodyAsync(DbConnection connection, DbTransaction? transaction, CommunityAccess access,
        string? currentBody, long? caseId)
    {
        if (currentBody is not null && access.Has(Cases.Bodies.RoleOf(currentBody)))
        {
            return currentBody;
        }
        if (caseId is not null)
        {
            var earlier = await connection.QueryAsync<string>(
                "SELECT to_body FROM case_history WHERE case_id = @caseId AND to_body IS NOT NULL ORDER BY id;", new { caseId }, transaction);
            if (earlier.FirstOrDefault(body => access.Has(Cases.Bodies.RoleOf(body))) is { } mine)
            {
                return mine;
            }
        }
        return access.Has(Roles.PartySecretary) ? Cases.Bodies.PartySecretary
            : access.Has(Roles.StreetAdmin) ? Cases.Bodies.StreetAdmin
            : null;
    }
}
