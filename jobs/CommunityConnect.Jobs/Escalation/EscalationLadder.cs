namespace CommunityConnect.Jobs.Escalation;

/// <summary>
/// DESIGN.md "Routing and escalation": property → owners' committee → residents' committee →
/// party secretary → street office. Each first body joins the ladder at its own rung, so one
/// order serves all three ladders; nothing climbs past the street office.
/// </summary>
public static class EscalationLadder
{
    public static readonly IReadOnlyList<string> Rungs =
        ["property", "owners_committee", "residents_committee", "party_secretary", "street_admin"];

    /// <summary>The next body up, or null at the street office.</summary>
    public static string? Next(string body)
    {
        var index = Rungs.IndexOf(body);
        if (index < 0)
        {
            throw new ArgumentException($"'{body}' is not on the escalation ladder.", nameof(body));
        }
        return index + 1 < Rungs.Count ? Rungs[index + 1] : null;
    }

    public static bool IsTop(string body) => Next(body) is null;

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }
}
