using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>A conversation as the assistant reads it before a message.</summary>
public sealed record ConversationSnapshot(
    long Id, long CommunityId, long UserId, string State, int Turn, ConversationDraft? Draft, string? Awaiting, long? OfferedTicketId,
    bool DuplicateDeclined);

/// <summary>An open ticket like the draft, offered for "me too".</summary>
public sealed record DuplicateTicket(long Id, string Description, string State, DateTimeOffset CreatedAt);

/// <summary>What the assistant needs from the database while it reads a message.</summary>
public interface IAssistantLookups
{
    /// <summary>The community's first body for a category (its routing table, else the taxonomy's default).</summary>
    Task<string> RouteAsync(string category);

    /// <summary>The FAQ entry that answers the question, or null.</summary>
    Task<FaqEntry?> AnswerAsync(string text, string category);

    /// <summary>An open ticket of the last 48 hours like the draft that the resident may join, or null.</summary>
    Task<DuplicateTicket?> DuplicateAsync(ConversationDraft draft);
}

public enum AssistantAction
{
    /// <summary>Only the conversation changes.</summary>
    None,

    /// <summary>File the draft through its feature (the resident said yes).</summary>
    File,

    /// <summary>Add the resident's "me too" to the offered ticket.</summary>
    MeToo,
}

/// <summary>What one message does: the next state and draft, the reply, and what to file.</summary>
public sealed record AssistantDecision(
    string State, ConversationDraft? Draft, string? Awaiting, string Reply, IReadOnlyList<string> QuickReplies,
    AssistantAction Action = AssistantAction.None, long? OfferedTicketId = null, bool DuplicateDeclined = false);

/// <summary>
/// The dialogue: reads one message in the context of the conversation (what was asked last, the
/// draft so far, the community's buildings and units, the resident's own unit) and decides the
/// next step. It never files anything itself: <see cref="AssistantAction.File"/> comes only from a
/// conversation that is confirming and a yes (是, 对, 确认, 好的, 嗯 or the quick reply).
/// </summary>
public sealed class ConversationAssistant(IAssistantLookups lookups)
{
    public async Task<AssistantDecision> ReadAsync(ConversationSnapshot conversation, string text, IntakeAnalysis analysis, CommunityPlaces places)
    {
        var said = text.Trim();
        var act = said switch
        {
            QuickReplies.Confirm or QuickReplies.Anonymous or QuickReplies.MeToo => DialogueAct.Yes,
            QuickReplies.Cancel => DialogueAct.Cancel,
            QuickReplies.Separate => DialogueAct.No,
            _ => analysis.Act,
        };
        var draft = conversation.State == ConversationStates.Answered ? null : conversation.Draft;

        if (act == DialogueAct.Cancel)
        {
            return new AssistantDecision(ConversationStates.Cancelled, null, null, AssistantWords.Cancelled, []);
        }

        var bringsPlace = analysis.Places.Count > 0 || analysis.PlaceKind != PlaceKind.None;
        if (draft is not null && conversation.Awaiting == Awaiting.MeToo && !bringsPlace)
        {
            if (act == DialogueAct.Yes)
            {
                return new AssistantDecision(ConversationStates.Filed, draft, null, "", [], AssistantAction.MeToo, conversation.OfferedTicketId);
            }
            if (act == DialogueAct.No)
            {
                return Confirm(draft with { }, declined: true);
            }
        }
        if (draft is not null && conversation.Awaiting == Awaiting.Confirm && !bringsPlace && act == DialogueAct.Yes)
        {
            var confirmed = draft with
            {
                Anonymous = draft.Anonymous || said == QuickReplies.Anonymous || analysis.Anonymous,
                Public = draft.Public || analysis.Visibility == VisibilityCue.Public,
            };
            return new AssistantDecision(ConversationStates.Filed, Allowed(confirmed), null, "", [], AssistantAction.File,
                DuplicateDeclined: conversation.DuplicateDeclined);
        }
        if (draft is not null && act == DialogueAct.No && !bringsPlace && analysis.Intent == Intents.Other)
        {
            return new AssistantDecision(ConversationStates.Collecting, draft, Awaiting.Description, AssistantWords.WhatToChange, [QuickReplies.Cancel],
                DuplicateDeclined: conversation.DuplicateDeclined);
        }

        if (draft is null)
        {
            var kind = DraftKinds.Of(analysis.Intent);
            if (kind is null)
            {
                // Chit-chat, thanks, or a bare answer with nothing asked: a short friendly reply.
                return new AssistantDecision(ConversationStates.Answered, null, null, AssistantWords.ChitChat(analysis), QuickReplies.Start);
            }
            draft = new ConversationDraft { Kind = kind };
        }

        if (act == DialogueAct.No && analysis.Intent != Intents.Other && analysis.Category != "other" && analysis.Category != draft.Category)
        {
            // 不是漏水,是停电: the resident corrects what it is about.
            draft = draft with { Category = analysis.Category, Description = "" };
        }
        var merged = Merge(draft, said, analysis, places, conversation.Awaiting, out var problem);
        merged = merged with { ResponsibleBody = await RouteAsync(merged) };
        var notes = new List<string>();
        if (analysis.Urgent || merged.Urgent)
        {
            notes.Add(AssistantWords.UrgentAdvice(merged, analysis.UrgentCue));
        }
        if (analysis.Anonymous && merged.Kind is DraftKinds.Repair or DraftKinds.Proposal)
        {
            notes.Add(merged.Kind == DraftKinds.Repair ? AssistantWords.RepairIsNamed : AssistantWords.ProposalIsNamed);
        }

        if (problem is not null)
        {
            notes.Add(problem);
            return Ask(merged, Awaiting.Location, notes, [QuickReplies.MyHome, QuickReplies.Stairway, QuickReplies.Cancel], conversation.DuplicateDeclined);
        }
        var missing = merged.Missing;
        if (missing.Contains(MissingSlots.Description) || missing.Contains(MissingSlots.Category))
        {
            notes.Add(AssistantWords.AskDescription);
            return Ask(merged, Awaiting.Description, notes, [QuickReplies.Cancel], conversation.DuplicateDeclined);
        }
        if (missing.Contains(MissingSlots.Location))
        {
            notes.Add(merged.Building is { } building && merged.Unit is null ? AssistantWords.WhereInBuilding(building)
                : merged.Unit is { } unit ? AssistantWords.WhichBuilding(unit)
                : AssistantWords.AskLocation);
            return Ask(merged, Awaiting.Location, notes, [QuickReplies.MyHome, QuickReplies.Stairway, QuickReplies.Cancel], conversation.DuplicateDeclined);
        }

        if (merged.Kind == DraftKinds.Question)
        {
            var entry = await lookups.AnswerAsync(merged.Description, merged.Category);
            if (entry is not null)
            {
                return new AssistantDecision(ConversationStates.Answered, null, null, entry.Answer, QuickReplies.Start);
            }
            notes.Add(AssistantWords.OfferQuestion(merged));
            return new AssistantDecision(ConversationStates.Confirming, merged, Awaiting.Confirm, string.Join("\n", notes),
                [QuickReplies.Confirm, QuickReplies.Anonymous, QuickReplies.Cancel], DuplicateDeclined: conversation.DuplicateDeclined);
        }
        if (merged.Kind == DraftKinds.Repair && !conversation.DuplicateDeclined && await lookups.DuplicateAsync(merged) is { } duplicate)
        {
            notes.Add(AssistantWords.OfferMeToo(duplicate.Description, Repairs.RepairQueries.StateLabel(duplicate.State), duplicate.CreatedAt));
            return new AssistantDecision(ConversationStates.Confirming, merged, Awaiting.MeToo, string.Join("\n", notes),
                [QuickReplies.MeToo, QuickReplies.Separate, QuickReplies.Cancel], OfferedTicketId: duplicate.Id);
        }
        return Confirm(merged, conversation.DuplicateDeclined, notes);
    }

    private async Task<string> RouteAsync(ConversationDraft draft)
    {
        var body = await lookups.RouteAsync(draft.Category);
        // TAXONOMY.md routing rule 2, as the hall applies it to a proposal's case.
        return draft.Kind == DraftKinds.Proposal ? Cases.Taxonomy.ForProposal(body) : body;
    }

    /// <summary>Anonymity is for the complaint box: a repair or a proposal is filed under the resident's name.</summary>
    private static ConversationDraft Allowed(ConversationDraft draft) =>
        draft.Kind is DraftKinds.Opinion or DraftKinds.Question ? draft : draft with { Anonymous = false };

    private static AssistantDecision Ask(ConversationDraft draft, string awaiting, List<string> notes, IReadOnlyList<string> quickReplies, bool declined) =>
        new(ConversationStates.Collecting, draft, awaiting, string.Join("\n", notes), quickReplies, DuplicateDeclined: declined);

    private static AssistantDecision Confirm(ConversationDraft draft, bool declined, List<string>? notes = null)
    {
        notes ??= [];
        if (draft.Urgent && notes.Count == 0)
        {
            notes.Add(AssistantWords.UrgentAdvice(draft, null));
        }
        notes.Add(AssistantWords.Confirm(draft));
        IReadOnlyList<string> quick = draft.Kind == DraftKinds.Opinion
            ? [QuickReplies.Confirm, QuickReplies.Anonymous, QuickReplies.Cancel]
            : [QuickReplies.Confirm, QuickReplies.Cancel];
        return new AssistantDecision(ConversationStates.Confirming, draft, Awaiting.Confirm, string.Join("\n", notes), quick, DuplicateDeclined: declined);
    }

    private static readonly string[] BuildingAreas = ["楼道", "楼梯", "电梯", "轿厢", "单元门", "走廊", "过道", "楼顶", "屋顶", "天台", "顶楼", "门厅", "大堂", "信报箱", "外墙", "管道井", "电表箱"];

    /// <summary>Whether a common area lies inside one building (a stairway), rather than in the estate (the gate, the garage).</summary>
    internal static bool IsInABuilding(string commonArea) => BuildingAreas.Any(area => commonArea.StartsWith(area, StringComparison.Ordinal));

    /// <summary>
    /// The draft with what this message adds: the category if the draft had none, urgency, the words
    /// that describe it, and the place, read in context (就我家 is the resident's own unit; a unit
    /// without a building is in the resident's own building when it has one; 不是3号楼,是5号楼 keeps
    /// the room and moves the building), checked against the community's buildings and units.
    /// <paramref name="problem"/> is the question to ask again when a building or room does not exist.
    /// </summary>
    internal static ConversationDraft Merge(ConversationDraft draft, string text, IntakeAnalysis analysis, CommunityPlaces places, string? awaiting,
        out string? problem)
    {
        problem = null;
        var actionable = analysis.Intent != Intents.Other;
        var next = draft;
        // 我想咨询, then 3号楼楼道灯坏了: the first words that say what it is decide the kind.
        if (actionable && string.IsNullOrEmpty(draft.Description) && !analysis.Missing.Contains(MissingSlots.Description)
            && DraftKinds.Of(analysis.Intent) is { } kind && kind != draft.Kind)
        {
            next = next with { Kind = kind, Category = "other" };
        }
        if (actionable && next.Category == "other" && analysis.Category != "other")
        {
            next = next with { Category = analysis.Category };
        }
        if (analysis.Urgent || next.Category == "gas")
        {
            next = next with { Urgent = true };
        }
        if (actionable && !analysis.Missing.Contains(MissingSlots.Description) && !next.Description.Contains(text, StringComparison.Ordinal))
        {
            next = next with { Description = string.IsNullOrEmpty(next.Description) ? text : $"{next.Description};{text}" };
        }
        next = next with
        {
            Anonymous = next.Anonymous || analysis.Anonymous,
            Public = analysis.Visibility switch { VisibilityCue.Public => true, VisibilityCue.Private => false, _ => next.Public },
        };

        // The place: a room number, "my home", or a common area, each replacing what was there.
        var building = analysis.Building ?? next.Building;
        var unit = next.Unit;
        var commonArea = next.CommonArea;
        // A place is taken when one was asked for, when there is none yet, or when the message is only a place (就我家, 楼道里).
        var placeAsked = awaiting == Awaiting.Location || !next.HasLocation || !actionable;
        if (analysis.Unit is not null)
        {
            unit = analysis.Unit;
            commonArea = null;
            // 201, 隔壁603: a room without a building is in the resident's own building, if it has one.
            if (analysis.Building is null && places.Home is { } home && (next.Building is null || next.Building == home.Building)
                && places.Unit(home.Building, analysis.Unit) is not null)
            {
                building = home.Building;
            }
        }
        else if (analysis.PlaceKind == PlaceKind.Home && placeAsked && places.Home is { } home && analysis.Building is null)
        {
            building = home.Building;
            unit = home.Unit;
            commonArea = null;
        }
        else if (analysis.PlaceKind == PlaceKind.CommonArea && analysis.CommonArea is not null && (placeAsked || analysis.Building is not null))
        {
            commonArea = analysis.CommonArea;
            unit = null;
        }

        // 楼道灯坏了: a stairway, a lift or a roof belongs to a building; without one, the resident's own.
        if (building is null && unit is null && commonArea is not null && IsInABuilding(commonArea))
        {
            building = places.Home?.Building;
            if (building is null)
            {
                problem = AssistantWords.WhichBuildingsArea(commonArea);
                return next with { CommonArea = commonArea, Unit = null, UnitId = null };
            }
        }

        long? buildingId = null, unitId = null;
        if (building is not null)
        {
            buildingId = places.BuildingId(building);
            if (buildingId is null)
            {
                problem = AssistantWords.UnknownBuilding(building, places.BuildingNumbers);
                return next with { Building = null, BuildingId = null, UnitId = null, Unit = unit, CommonArea = commonArea };
            }
        }
        if (unit is not null && building is not null)
        {
            var found = places.Unit(building, unit);
            if (found is null)
            {
                problem = AssistantWords.UnknownUnit(building, unit);
                return next with { Building = building, BuildingId = buildingId, Unit = null, UnitId = null, CommonArea = null };
            }
            unitId = found.UnitId;
        }
        return next with { Building = building, BuildingId = buildingId, Unit = unit, UnitId = unitId, CommonArea = commonArea };
    }
}
