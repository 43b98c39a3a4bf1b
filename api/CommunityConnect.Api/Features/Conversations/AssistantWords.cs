using System.Globalization;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>The quick replies the assistant offers; tapped, each comes back as the next message's text.</summary>
public static class QuickReplies
{
    public const string Repair = "我要报修";
    public const string Complain = "我要投诉";
    public const string Suggest = "我有建议";
    public const string Ask = "我想咨询";
    public const string Confirm = "确认提交";
    public const string Anonymous = "匿名提交";
    public const string MeToo = "我也遇到了";
    public const string Separate = "单独报修";
    public const string MyHome = "就我家";
    public const string Stairway = "楼道里";
    public const string Cancel = "算了";

    public static readonly IReadOnlyList<string> Start = [Repair, Complain, Suggest, Ask];
}

/// <summary>What the assistant says. Short sentences a resident reads on a phone.</summary>
public static class AssistantWords
{
    public const string Greeting = "您好,我是社区小助手。报修、投诉、提建议或咨询,直接告诉我就行,比如“3号楼楼道灯不亮”。";

    public const string Cancelled = "好的,已取消,没有提交任何内容。有需要随时找我。";

    public const string AskLocation = "是哪栋楼哪个房间?还是公共区域(比如楼道、电梯、车库)?";

    public const string AskDescription = "能具体说说是什么问题吗?比如“厨房水管漏水”。";

    public const string WhatToChange = "好的,哪里需要改?直接告诉我正确的楼号、房间或问题。";

    public const string RepairIsNamed = "报修需要实名,方便师傅上门联系,这张工单不会匿名。";

    public const string ProposalIsNamed = "议题在议事厅实名发布,不能匿名。";

    public const string Refused = "这条内容不符合议事厅的发帖规范,请换个说法再发给我。";

    public static string KindLabel(string kind) => kind switch
    {
        DraftKinds.Repair => "报修",
        DraftKinds.Opinion => "投诉",
        DraftKinds.Proposal => "建议",
        DraftKinds.Question => "咨询",
        _ => kind,
    };

    public static string CategoryLabel(string category) => category switch
    {
        "water" => "给排水",
        "electric" => "电力照明",
        "elevator" => "电梯",
        "gas" => "燃气",
        "access" => "门禁道闸",
        "public_facility" => "公共设施",
        "sanitation" => "环境卫生",
        "greenery" => "绿化",
        "parking" => "停车",
        "security" => "安全秩序",
        "property_service" => "物业服务",
        "funds" => "公共收益与维修资金",
        "neighbor" => "邻里",
        "pets" => "宠物",
        "community_life" => "社区生活",
        _ => "其他",
    };

    public static string ChitChat(IntakeAnalysis analysis) =>
        analysis.NormalizedText.Contains('谢') || analysis.Resolved
            ? "不客气!还有别的需要,随时告诉我。"
            : "您好!我可以帮您报修、投诉、提建议或咨询,直接说遇到了什么事就行。";

    public static string UnknownBuilding(string building, IReadOnlyList<string> buildings) =>
        $"本小区没有{building}号楼(现有{string.Join("、", buildings)}号楼)。请问是哪一栋?";

    public static string UnknownUnit(string building, string unit) => $"{building}号楼没有{unit}室,请再确认一下房间号?";

    public static string WhichBuilding(string unit) => $"是哪栋楼的{unit}室?";

    public static string WhichBuildingsArea(string commonArea) => $"是哪栋楼的{commonArea}?";

    public static string WhereInBuilding(string building) => $"是{building}号楼的哪个房间?还是楼道、电梯等公共区域?";

    public static string Confirm(ConversationDraft draft) =>
        $"我帮您整理好了:{draft.Summary},由{Bodies.Label(draft.ResponsibleBody)}处理。确认提交吗?";

    public static string OfferQuestion(ConversationDraft draft) =>
        $"这个问题我这里还没有现成的答案。要我转给{Bodies.Label(draft.ResponsibleBody)},请他们答复您吗?";

    public static string OfferMeToo(string description, string state, DateTimeOffset reportedAt) =>
        $"{Local(reportedAt)}已有邻居报了同样的问题:“{Infrastructure.Text.UserText.Cut(description, 40)}”({state})。" +
        "要加一个“我也遇到了”,一起催办吗?也可以单独报修。";

    public static string FiledRepair(long ticketId, string body, DateTimeOffset? due) =>
        $"已提交报修,工单号 {ticketId}。{Bodies.Label(body)}会{Due(due)}响应,进展会通知您。";

    public static string JoinedTicket(long ticketId) => $"已在工单 {ticketId} 上记下“我也遇到了”,物业会一并处理。";

    public static string FiledOpinion(string body, DateTimeOffset? due, bool isPublic) =>
        $"已提交您的投诉({(isPublic ? "公开" : "不公开,只有您和处理方能看到")}),{Bodies.Label(body)}会{Due(due)}答复。";

    public static string FiledAnonymously(string body, DateTimeOffset? due) =>
        $"已匿名提交,{Bodies.Label(body)}会{Due(due)}答复。您的身份对所有人保密,进展可在“我的意见”里查看;为保护您,这段对话已清除。";

    public static string FiledQuestion(string body, DateTimeOffset? due) =>
        $"已把您的问题转给{Bodies.Label(body)},他们会{Due(due)}答复您,答复会通知您。";

    public static string FiledProposal(string title, string body, bool held) => held
        ? $"您的建议“{title}”已提交,审核通过后发布到议事厅,由{Bodies.Label(body)}跟进。"
        : $"您的建议“{title}”已发布到议事厅,邻居们可以附议,由{Bodies.Label(body)}跟进。";

    private static string Due(DateTimeOffset? due) => due is { } at ? $"在{Local(at)}前" : "尽快";

    /// <summary>An instant as a resident in Shanghai reads it: 3月4日 17:00.</summary>
    public static string Local(DateTimeOffset at) => at.ToOffset(ShanghaiTime.Offset).ToString("M月d日 HH:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// What to do now, before anyone comes, for an urgent draft. Gas: leave, switch nothing on or off,
    /// call the gas emergency line from outside; people trapped in a lift: the lift's emergency phone and 110/119.
    /// </summary>
    public static string UrgentAdvice(ConversationDraft draft, string? cue)
    {
        var text = (cue ?? "") + draft.Description;
        if (draft.Category == "gas" || text.Contains("燃气") || text.Contains("煤气") || text.Contains("天然气"))
        {
            return "⚠️ 请马上离开屋里,打开门窗通风;不要开关任何电器和电灯,不要点火,不要在屋里打电话;到室外安全处拨打燃气抢修电话 962777。";
        }
        if (draft.Category == "elevator" && (text.Contains('困') || text.Contains("关在")))
        {
            return "⚠️ 请被困的人保持冷静,不要扒门、不要撬门;按轿厢里的紧急呼叫按钮或拨打电梯里张贴的应急电话;情况危急请拨打 110 或 119。";
        }
        if (text.Contains('火') || text.Contains('烟') || text.Contains("火花"))
        {
            return "⚠️ 请立即拨打 119,带家人离开,不要乘电梯;能安全做到的话先切断电源。";
        }
        if (text.Contains('伤') || text.Contains('摔') || text.Contains('砸'))
        {
            return "⚠️ 有人受伤请立即拨打 120;不要搬动摔倒的老人,等专业人员来。";
        }
        if (draft.Category == "water")
        {
            return "⚠️ 请先关掉总水阀,并断开进水处附近的电源,小心触电和滑倒。";
        }
        if (draft.Category == "electric")
        {
            return "⚠️ 请不要触碰电线和电箱,远离积水;有危险请拨打 110。";
        }
        return "⚠️ 有人身危险请立即拨打 110、119 或 120。";
    }
}
