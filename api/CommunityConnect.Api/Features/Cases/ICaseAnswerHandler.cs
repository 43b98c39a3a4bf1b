using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Cases;

/// <summary>
/// An item kind with its own way of being answered (an opinion or question answers through the
/// complaint box). When someone answers such a case through <c>POST /v1/cases/{caseId}/responses</c>,
/// the answer goes to the item, so the item and its case never tell different stories.
/// </summary>
public interface ICaseAnswerHandler
{
    IReadOnlyCollection<string> Kinds { get; }

    /// <summary>Answers item <paramref name="itemId"/> inside the caller's unit of work; 404/403/409 as the item decides.</summary>
    Task<Outcome<CaseResponse>> AnswerAsync(DbConnection connection, DbTransaction transaction,
        long itemId, CommunityAccess access, AuthorKeys callerKeys, string displayName, string body);
}
