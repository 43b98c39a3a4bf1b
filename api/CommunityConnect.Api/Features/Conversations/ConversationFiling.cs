using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Repairs;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>Who files, captured on the request's thread (the unit of work runs on the writer's).</summary>
/// <param name="Access">The resident's access to the conversation's community.</param>
/// <param name="DisplayName">Their name, as the complaint box's own endpoint takes it.</param>
/// <param name="AuthorKey">Their key, as the complaint box's own endpoint computes it.</param>
/// <param name="Verdict">The hall's gate verdict for a proposal (asked before the unit of work).</param>
public sealed record Filer(CommunityAccess Access, string DisplayName, string AuthorKey, GateVerdict Verdict = GateVerdict.Publish);

/// <summary>
/// Files a confirmed draft through the feature that owns the item, inside the message's unit of
/// work, so the item, its case (routing and clocks are the owner's), the conversation's step and
/// the idempotency record commit together: a repair through <see cref="RepairStore"/>, an opinion
/// or an unanswered question through the complaint box's <see cref="OpinionStore"/> (the same
/// creation its endpoint runs, so anonymity is sealed exactly as there), a proposal through the
/// hall's <see cref="ThreadStore"/>, a "me too" through the repairs' agree.
/// </summary>
public sealed class ConversationFiling(RepairStore repairs, OpinionStore opinions, ThreadStore threads)
{
    public async Task<Outcome<(FiledItem Filed, string Reply)>> FileAsync(DbConnection connection, DbTransaction transaction,
        ConversationDraft draft, Filer filer, string? urgentAdvice)
    {
        var description = UserText.Cut(draft.Description.Trim(), UserText.BodyMax);
        switch (draft.Kind)
        {
            case DraftKinds.Repair:
            {
                var input = new NewRepairTicket(draft.Category, description, draft.UnitId, draft.UnitId is null ? draft.BuildingId : null,
                    draft.UnitId is null ? UserText.Cut(draft.CommonArea!, UserText.TitleMax) : null, draft.Urgent);
                var ticket = await repairs.CreateAsync(connection, transaction, filer.Access, input, filer.Access.UserId, "app",
                    draft.BuildingId, null, draft.Urgent || draft.Category == "gas");
                if (ticket.Failed)
                {
                    return ticket.Failure!;
                }
                var due = await CaseStore.FirstResponseDueAsync(connection, transaction, ticket.Value!.CaseId);
                // The ticket's case was routed by the same routing table as the draft.
                var reply = AssistantWords.FiledRepair(ticket.Value.Id, draft.ResponsibleBody, due);
                return (new FiledItem("repair", ticket.Value.Id), urgentAdvice is null ? reply : $"{urgentAdvice}\n{reply}");
            }
            case DraftKinds.Opinion or DraftKinds.Question:
            {
                var question = draft.Kind == DraftKinds.Question;
                // A complaint from the chat is private unless the resident said it may be public; a question always is.
                var visibility = !question && draft.Public ? OpinionVisibility.Public : OpinionVisibility.Private;
                var input = new NewOpinionInput(question ? OpinionKinds.Question : OpinionKinds.Complaint, draft.Category, null, description,
                    draft.Anonymous, visibility, draft.Urgent);
                var opinion = await opinions.CreateAsync(connection, transaction, filer.Access.CommunityId,
                    new OpinionAuthor(filer.Access.UserId, filer.DisplayName), filer.AuthorKey, input);
                if (opinion.Failed)
                {
                    return opinion.Failure!;
                }
                var caseId = opinion.Value!.CaseId;
                var due = caseId is { } id ? await CaseStore.FirstResponseDueAsync(connection, transaction, id) : null;
                var body = opinion.Value.ResponsibleBody ?? draft.ResponsibleBody;
                var reply = draft.Anonymous ? AssistantWords.FiledAnonymously(body, due)
                    : question ? AssistantWords.FiledQuestion(body, due)
                    : AssistantWords.FiledOpinion(body, due, visibility == OpinionVisibility.Public);
                var filed = draft.Anonymous ? new FiledItem("opinion", null, Anonymous: true) : new FiledItem("opinion", opinion.Value.Id);
                return (filed, urgentAdvice is null ? reply : $"{urgentAdvice}\n{reply}");
            }
            case DraftKinds.Proposal:
            {
                var title = ProposalTitle(description);
                var input = new NewThread(ThreadKinds.Proposal, title, description, draft.Category);
                var thread = await threads.CreateAsync(connection, transaction, filer.Access, input, ReviewStates.Of(filer.Verdict));
                if (thread.Failed)
                {
                    return thread.Failure!;
                }
                var held = thread.Value!.ReviewState == ReviewStates.Pending;
                return (new FiledItem("proposal", thread.Value.Id),
                    AssistantWords.FiledProposal(title, thread.Value.ResponsibleBody ?? draft.ResponsibleBody, held));
            }
            default:
                return Failure.Invalid($"A {draft.Kind} draft cannot be filed.");
        }
    }

    /// <summary>Adds the resident's "me too" to the offered ticket (the repairs' own agree, with its checks).</summary>
    public async Task<Outcome<(FiledItem Filed, string Reply)>> JoinAsync(DbConnection connection, DbTransaction transaction, long ticketId,
        Filer filer)
    {
        var agreed = await repairs.AgreeAsync(connection, transaction, ticketId, filer.Access);
        if (agreed.Failed)
        {
            return agreed.Failure!;
        }
        return (new FiledItem("repair", ticketId, MeToo: true), AssistantWords.JoinedTicket(ticketId));
    }

    /// <summary>The first line of a proposal, cut to a title's length (at most 30 characters).</summary>
    internal static string ProposalTitle(string description)
    {
        var end = description.IndexOfAny(['。', '!', '?', '\n', '!', '?', ';', ';']);
        var first = (end > 0 ? description[..end] : description).Trim();
        return UserText.Cut(first.Length == 0 ? description : first, 30);
    }
}
