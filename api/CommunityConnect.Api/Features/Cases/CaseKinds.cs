namespace CommunityConnect.Api.Features.Cases;

/// <summary>The kinds of case (the <c>cases</c> table's CHECK): what a notice calls each, and the order a report lists them in.</summary>
public static class CaseKinds
{
    public static IReadOnlyList<string> All { get; } = ["repair", "opinion", "question", "proposal", "meeting_action", "thread", "hotspot"];

    public static string Label(string kind) => kind switch
    {
        "repair" => "报修",
        "opinion" => "意见",
        "proposal" => "议题",
        "question" => "咨询",
        "meeting_action" => "会议事项",
        "thread" => "议事厅话题",
        "hotspot" => "热点问题",
        _ => kind,
    };
}
