namespace CommunityConnect.Jobs.Escalation;

/// <summary>
/// DESIGN.md's default clocks: urgent items 30 minutes to first response and 4 hours to
/// resolution around the clock; others 1 working day (480 minutes) to first response and 3
/// working days (repairs) or 7 (opinions, proposals, questions) to resolution.
/// </summary>
public static class SlaDefaults
{
    public static readonly IReadOnlyList<string> Kinds = ["repair", "opinion", "proposal", "question"];

    public static (int FirstResponseMinutes, int ResolveMinutes) For(string kind, bool urgent) =>
        urgent ? (30, 240) : kind == "repair" ? (480, 1440) : (480, 3360);
}
