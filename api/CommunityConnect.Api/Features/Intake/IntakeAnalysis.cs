namespace CommunityConnect.Api.Features.Intake;

/// <summary>The intents of TAXONOMY.md.</summary>
public static class Intents
{
    public const string Repair = "repair";
    public const string Complaint = "complaint";
    public const string Proposal = "proposal";
    public const string Question = "question";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = LexiconSections.Intents;
}

/// <summary>The slots a filing still needs (<see cref="IntakeAnalysis.Missing"/>).</summary>
public static class MissingSlots
{
    public const string Location = "location";
    public const string Category = "category";
    public const string Description = "description";
}

/// <summary>Where the problem is, as far as the words say.</summary>
public enum PlaceKind
{
    /// <summary>No place: a repair would need one.</summary>
    None,

    /// <summary>A room number was given (<see cref="IntakeAnalysis.Unit"/>).</summary>
    Unit,

    /// <summary>The resident's own home without a number (我家, 家里): the membership's unit.</summary>
    Home,

    /// <summary>A shared place (楼道, 电梯, 车库): <see cref="IntakeAnalysis.CommonArea"/>.</summary>
    CommonArea,
}

/// <summary>How an opinion filed from these words should be shown, if the resident said.</summary>
public enum VisibilityCue
{
    None,
    Public,
    Private,
}

/// <summary>A short answer in a conversation: 是/对 (yes), 不是 (no), 算了 (cancel).</summary>
public enum DialogueAct
{
    None,
    Yes,
    No,
    Cancel,
}

/// <summary>One lexicon word found in the normalised text, with what it means there.</summary>
/// <param name="Term">The word as the lexicon writes it.</param>
/// <param name="Group">The lexicon file (category, intent, urgency, place, body, cue, dialogue).</param>
/// <param name="Section">The section within it (a category, "problem", "danger", "common-area"...).</param>
/// <param name="Start">Where it starts in <see cref="IntakeAnalysis.NormalizedText"/>.</param>
/// <param name="Negated">A negation just before it (没有漏水).</param>
public sealed record IntakeKeyword(string Term, string Group, string Section, float Weight, int Start, int Length, bool Negated);

/// <summary>
/// What the analyser read in one message. The first eight fields are the API answer
/// (<c>POST /v1/intake/analyze</c>); the rest is for the conversation, the routing job and the
/// hotspot radar, which need to know why and where.
/// </summary>
public sealed record IntakeAnalysis
{
    /// <summary>repair, complaint, proposal, question or other.</summary>
    public required string Intent { get; init; }

    /// <summary>A category of TAXONOMY.md.</summary>
    public required string Category { get; init; }

    /// <summary>The taxonomy's default first body for the intent and category (no community's routing table).</summary>
    public required string ResponsibleBody { get; init; }

    /// <summary>The building number, digits only, or null.</summary>
    public string? Building { get; init; }

    /// <summary>The room number, digits only, or null (a floor or a stairway is not a unit).</summary>
    public string? Unit { get; init; }

    /// <summary>A risk to people or property right now (TAXONOMY.md "Urgency").</summary>
    public bool Urgent { get; init; }

    /// <summary>0..1: how sure the analyser is of the intent and the category together.</summary>
    public double Confidence { get; init; }

    /// <summary>The slots a filing would still need: location, category, description.</summary>
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>The text the lexicons were matched on: NFKC, lower-case English, simplified, variants replaced.</summary>
    public required string NormalizedText { get; init; }

    public PlaceKind PlaceKind { get; init; }

    /// <summary>The first common-area phrase (楼道, 电梯, 地下车库), when there is one.</summary>
    public string? CommonArea { get; init; }

    /// <summary>Every building and unit number found, in order, corrections' rejected ones included (Negated).</summary>
    public required IReadOnlyList<PlaceMention> Places { get; init; }

    /// <summary>Every lexicon word that counted, in order of position (made when first asked for).</summary>
    public IReadOnlyList<IntakeKeyword> Keywords => KeywordSource.Value;

    internal Lazy<IReadOnlyList<IntakeKeyword>> KeywordSource { get; init; } = new(() => []);

    /// <summary>The bodies the message names (物业, 业委会, 居委会, also as wy/ywh/jwh), in order.</summary>
    public required IReadOnlyList<string> MentionedBodies { get; init; }

    /// <summary>The body @-mentioned first (@物业), if any.</summary>
    public string? AddressedBody { get; init; }

    /// <summary>The resident asked not to be named (匿名, 别说是我).</summary>
    public bool Anonymous { get; init; }

    public VisibilityCue Visibility { get; init; }

    /// <summary>The danger or gas phrase that made it urgent (被困, 煤气味), or null.</summary>
    public string? UrgentCue { get; init; }

    /// <summary>A danger was mentioned only as a possibility, in the past or negated (万一困人): not urgent.</summary>
    public bool DangerDiscounted { get; init; }

    /// <summary>Every problem word in the message is negated (没有漏水, 门没坏).</summary>
    public bool ProblemNegated { get; init; }

    /// <summary>The message says the problem is over (修好了, 来水了).</summary>
    public bool Resolved { get; init; }

    /// <summary>The message blames the property company's service (TAXONOMY.md routing rule 3).</summary>
    public bool BlamesProperty { get; init; }

    /// <summary>A short answer: yes, no or cancel (only for short messages).</summary>
    public DialogueAct Act { get; init; }

    /// <summary>A building or unit was rejected in favour of another (不是3号楼,是5号楼).</summary>
    public bool Correction { get; init; }

    /// <summary>The probability of each intent (order of <see cref="Intents.All"/>).</summary>
    public required IReadOnlyList<double> IntentScores { get; init; }
}
