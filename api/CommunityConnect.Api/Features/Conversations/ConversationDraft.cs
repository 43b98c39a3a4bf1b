using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>What the assistant asked last, so that the next message is read as its answer.</summary>
public static class Awaiting
{
    public const string Location = "location";
    public const string Description = "description";
    public const string Confirm = "confirm";
    public const string MeToo = "me_too";
}

/// <summary>
/// The item the conversation is filling in. Immutable: each message makes the next draft with
/// <c>with</c>. <see cref="ResponsibleBody"/> is the community's routing of the category (the
/// proposal rule applied), set by the assistant after every change.
/// </summary>
public sealed record ConversationDraft
{
    public required string Kind { get; init; }
    public string Category { get; init; } = "other";
    public string ResponsibleBody { get; init; } = Cases.Bodies.ResidentsCommittee;
    public string? Building { get; init; }
    public string? Unit { get; init; }
    public long? BuildingId { get; init; }
    public long? UnitId { get; init; }
    public string? CommonArea { get; init; }
    public bool Urgent { get; init; }

    /// <summary>The resident's own words that describe the matter (not the bare answers such as 5栋201).</summary>
    public string Description { get; init; } = "";

    public bool Anonymous { get; init; }

    /// <summary>The resident said the opinion may be public (otherwise a complaint from the chat is private).</summary>
    public bool Public { get; init; }

    public bool HasLocation => UnitId is not null || CommonArea is not null;

    /// <summary>What filing still needs, in the analyser's slot names.</summary>
    public IReadOnlyList<string> Missing
    {
        get
        {
            var missing = new List<string>(3);
            if (Kind == DraftKinds.Repair && !HasLocation)
            {
                missing.Add(MissingSlots.Location);
            }
            if (Kind == DraftKinds.Repair && Category == "other")
            {
                missing.Add(MissingSlots.Category);
            }
            if (string.IsNullOrWhiteSpace(Description))
            {
                missing.Add(MissingSlots.Description);
            }
            return missing;
        }
    }

    /// <summary>Where, as a resident says it: 3号楼502室, 5号楼楼道, 小区大门.</summary>
    public string? PlaceLabel =>
        UnitId is not null ? $"{Building}号楼{Unit}室"
        : CommonArea is not null ? (Building is null ? CommonArea : $"{Building}号楼{CommonArea}")
        : Building is not null ? $"{Building}号楼" : null;

    /// <summary>One line: 报修·给排水·3号楼502室:厨房水管漏水.</summary>
    public string Summary
    {
        get
        {
            var head = $"{AssistantWords.KindLabel(Kind)}·{AssistantWords.CategoryLabel(Category)}";
            if (Urgent)
            {
                head = "紧急" + head;
            }
            if (PlaceLabel is { } place)
            {
                head += "·" + place;
            }
            return string.IsNullOrWhiteSpace(Description) ? head : $"{head}:{UserText.Cut(Description, 60)}";
        }
    }

    public DraftView ToView() => new(Kind, Category, ResponsibleBody, Building, Unit, CommonArea, Urgent, Summary, Missing);
}

/// <summary>The community's buildings and the units a message can name (what it and the draft say), to check them, and the resident's own unit (就我家).</summary>
public sealed class CommunityPlaces(IReadOnlyList<PlaceRow> units, IReadOnlyList<BuildingRow> buildings, PlaceRow? home)
{
    /// <summary>The resident's own unit from their membership, or null (staff without a unit).</summary>
    public PlaceRow? Home { get; } = home;

    public IReadOnlyList<string> BuildingNumbers { get; } = buildings.Select(b => b.Number).ToList();

    public long? BuildingId(string number) => buildings.FirstOrDefault(b => b.Number == number)?.Id;

    public PlaceRow? Unit(string building, string unit) => units.FirstOrDefault(u => u.Building == building && u.Unit == unit);
}

public sealed record PlaceRow(long UnitId, long BuildingId, string Building, string Unit);

public sealed record BuildingRow(long Id, string Number);
