using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using System.Data.Common;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>
/// An answer given on an opinion's or question's case is the opinion's answer: private, like a
/// case response (the author, the bodies, the secretary and the street office see it); who may give
/// it is the one rule of every case answer (<see cref="CaseAccess.AnsweringBodyAsync"/>).
/// </summary>
public sealed class OpinionCaseAnswers(OpinionAnswerStore store) : ICaseAnswerHandler
{
    public IReadOnlyCollection<string> Kinds { get; } = ["opinion", "question"];

    public async Task<Outcome<CaseResponse>> AnswerAsync(DbConnection connection, DbTransaction transaction,
        long itemId, CommunityAccess access, AuthorKeys callerKeys, string displayName, string body)
    {
        var answer = await store.AnswerAsync(connection, transaction, itemId, new OpinionViewer(access, callerKeys, displayName), body,
            OpinionVisibility.Private);
        return answer.Failed
            ? answer.Failure!
            : new CaseResponse(answer.Value!.Id, answer.Value.Author, answer.Value.AuthorBody, answer.Value.Body, answer.Value.CreatedAt);
    }
}
