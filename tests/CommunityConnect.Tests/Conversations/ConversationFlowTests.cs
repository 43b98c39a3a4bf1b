using System.Net;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Conversations;

/// <summary>The assistant's dialogue for repairs: slots in context, checks against the community, corrections, cancel, "me too", urgency.</summary>
public sealed class ConversationFlowTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task StartingAConversationGreetsWithQuickReplies()
    {
        var resident = await app.NewResident(11);
        var started = await (await resident.PostJson("/v1/communities/1/conversations", null)).Expect(HttpStatusCode.Created);
        Assert.Equal("collecting", started.State());
        Assert.Contains("我要报修", started.QuickReplies());
        Assert.Equal(JsonValueKindNull, started.GetProperty("draft").ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task AOneShotCompleteRepairIsSummarisedAndFiledAfterAYes()
    {
        var resident = await app.NewResident(12);
        var chat = await resident.StartChat();
        var turn = await resident.Say(chat, "2号楼楼道灯坏了,晚上乌漆嘛黑的");
        Assert.Equal("confirming", turn.State());
        var draft = turn.Draft();
        Assert.Equal("repair", draft.Text("kind"));
        Assert.Equal("electric", draft.Text("category"));
        Assert.Equal("property", draft.Text("responsibleBody"));
        Assert.Equal("2", draft.Text("building"));
        Assert.Empty(draft.GetProperty("missing").EnumerateArray());
        Assert.Contains("确认提交", turn.QuickReplies());
        Assert.Equal(JsonValueKindNull, turn.Filed().ValueKind);

        var filed = await resident.Say(chat, "确认提交");
        Assert.Equal("filed", filed.State());
        Assert.Equal("repair", filed.Filed().Text("kind"));
        var ticket = await RepairTestKit.Get(resident, filed.Filed().Id());
        Assert.Equal("electric", ticket.Text("category"));
        Assert.Equal("submitted", ticket.Text("state"));
        Assert.Equal(2L, ticket.GetProperty("location").GetProperty("buildingId").GetInt64());
        Assert.Contains("楼道", ticket.GetProperty("location").Text("commonArea"));
        Assert.Contains(filed.Filed().Id().ToString(), filed.Reply());
        Assert.Contains("前响应", filed.Reply());
    }

    [Fact]
    public async Task AMissingPlaceIsAskedOnceAndUnderstoodInContext()
    {
        var resident = await app.NewResident(13);
        var chat = await resident.StartChat();
        var asked = await resident.Say(chat, "水管漏水了,快来看看");
        Assert.Equal("collecting", asked.State());
        Assert.Contains("哪栋楼哪个房间", asked.Reply());
        Assert.Equal(["location"], asked.Draft().GetProperty("missing").EnumerateArray().Select(m => m.GetString()));

        var answered = await resident.Say(chat, "5栋201");
        Assert.Equal("confirming", answered.State());
        Assert.Equal("5", answered.Draft().Text("building"));
        Assert.Equal("201", answered.Draft().Text("unit"));
        Assert.Contains("5号楼201室", answered.Reply());

        var filed = await resident.Say(chat, "对");
        var ticket = await RepairTestKit.Get(await app.ClientFor("property"), filed.Filed().Id());
        Assert.Equal("5号楼201室", ticket.GetProperty("location").Text("unitLabel"));
        Assert.Equal("water", ticket.Text("category"));
    }

    [Fact]
    public async Task MyHomeIsTheUnitOfMyMembership()
    {
        var resident = await app.NewResident(14); // 2号楼202
        var chat = await resident.StartChat();
        await resident.Say(chat, "下水道堵了");
        var answered = await resident.Say(chat, "就我家");
        Assert.Equal("confirming", answered.State());
        Assert.Equal("2", answered.Draft().Text("building"));
        Assert.Equal("202", answered.Draft().Text("unit"));
    }

    [Fact]
    public async Task AStairwayWithoutABuildingIsInMyBuildingAndABarePlaceReplacesTheOneBefore()
    {
        var resident = await app.NewResident(19); // 2号楼501
        var chat = await resident.StartChat();
        var turn = await resident.Say(chat, "楼道里的灯不亮了");
        Assert.Equal("confirming", turn.State());
        Assert.Equal("2", turn.Draft().Text("building"));
        var home = await resident.Say(chat, "就我家");
        Assert.Equal("confirming", home.State());
        Assert.Equal("501", home.Draft().Text("unit"));
    }

    [Fact]
    public async Task ABuildingTheCommunityDoesNotHaveIsAskedAboutAgain()
    {
        var resident = await app.NewResident(15);
        var chat = await resident.StartChat();
        var asked = await resident.Say(chat, "4号楼的电梯又坏了");
        Assert.Equal("collecting", asked.State());
        Assert.Contains("没有4号楼", asked.Reply());
        Assert.Equal(JsonValueKindNull, asked.Draft().GetProperty("building").ValueKind);

        var still = await resident.Say(chat, "6号楼");
        Assert.Equal("collecting", still.State());
        Assert.Contains("没有6号楼", still.Reply());

        var answered = await resident.Say(chat, "1号楼");
        Assert.Equal("confirming", answered.State());
        Assert.Equal("1", answered.Draft().Text("building"));
        Assert.Equal("elevator", answered.Draft().Text("category"));
    }

    [Fact]
    public async Task ARoomTheBuildingDoesNotHaveIsAskedAboutAgain()
    {
        var resident = await app.NewResident(16);
        var chat = await resident.StartChat();
        var asked = await resident.Say(chat, "5号楼902卫生间漏水");
        Assert.Equal("collecting", asked.State());
        Assert.Contains("没有902室", asked.Reply());
    }

    [Fact]
    public async Task TheResidentCorrectsTheBuildingAndKeepsTheRoom()
    {
        var resident = await app.NewResident(17);
        var chat = await resident.StartChat();
        var first = await resident.Say(chat, "3号楼402厨房水管漏水");
        Assert.Equal("confirming", first.State());
        Assert.Equal("3", first.Draft().Text("building"));

        var corrected = await resident.Say(chat, "不是3号楼,是5号楼");
        Assert.Equal("confirming", corrected.State());
        Assert.Equal("5", corrected.Draft().Text("building"));
        Assert.Equal("402", corrected.Draft().Text("unit"));

        var filed = await resident.Say(chat, "是的");
        var ticket = await RepairTestKit.Get(await app.ClientFor("property"), filed.Filed().Id());
        Assert.Equal("5号楼402室", ticket.GetProperty("location").Text("unitLabel"));
    }

    [Fact]
    public async Task TheResidentCancelsAndNothingIsFiled()
    {
        var resident = await app.NewResident(18);
        var chat = await resident.StartChat();
        await resident.Say(chat, "小区北门的道闸坏了,抬不起来");
        var cancelled = await resident.Say(chat, "算了,不用了");
        Assert.Equal("cancelled", cancelled.State());
        Assert.Equal(JsonValueKindNull, cancelled.Filed().ValueKind);
        var mine = await resident.GetJson("/v1/communities/1/repairs?mine=true");
        Assert.Empty(mine.GetProperty("items").EnumerateArray());

        await (await resident.PostJson($"/v1/conversations/{chat}/messages", new { text = "还是报一下吧" })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AnOpenTicketOfTheSameProblemIsOfferedForMeTooAndJoined()
    {
        var first = await app.NewResident(1);
        var firstChat = await first.StartChat();
        await first.Say(firstChat, "1号楼楼道灯不亮了");
        var ticketId = (await first.Say(firstChat, "好的")).Filed().Id();

        var second = await app.NewResident(2);
        var chat = await second.StartChat();
        var offered = await second.Say(chat, "1号楼楼道里的灯坏了,黑乎乎的");
        Assert.Equal("confirming", offered.State());
        Assert.Contains("我也遇到了", offered.QuickReplies());
        Assert.Contains("已有邻居报了同样的问题", offered.Reply());

        var joined = await second.Say(chat, "我也遇到了");
        Assert.Equal("filed", joined.State());
        Assert.Equal(ticketId, joined.Filed().Id());
        Assert.True(joined.Filed().GetProperty("meToo").GetBoolean());
        var ticket = await RepairTestKit.Get(second, ticketId);
        Assert.Equal(1, ticket.GetProperty("agreeCount").GetInt32());
        Assert.True(ticket.GetProperty("agreedByMe").GetBoolean());
        var mine = await second.GetJson("/v1/communities/1/repairs?mine=true");
        Assert.Empty(mine.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task TheResidentMayReportSeparatelyInsteadOfMeToo()
    {
        var first = await app.NewResident(3);
        var firstChat = await first.StartChat();
        await first.Say(firstChat, "1号楼单元门门禁坏了,刷卡没反应");
        await first.Say(firstChat, "确认提交");

        var second = await app.NewResident(4);
        var chat = await second.StartChat();
        var offered = await second.Say(chat, "1号楼单元门刷卡刷不开");
        Assert.Contains("单独报修", offered.QuickReplies());
        var confirming = await second.Say(chat, "单独报修");
        Assert.Equal("confirming", confirming.State());
        Assert.Contains("确认提交吗", confirming.Reply());
        var filed = await second.Say(chat, "确认提交");
        Assert.Equal("filed", filed.State());
        Assert.Null(filed.Filed().TryGetProperty("meToo", out var meToo) ? meToo.ToString() : null);
    }

    [Fact]
    public async Task AGasSmellIsUrgentAndTheReplySaysWhatToDoNow()
    {
        var resident = await app.NewResident(31); // 5号楼101
        var chat = await resident.StartChat();
        var turn = await resident.Say(chat, "家里厨房好大一股煤气味");
        Assert.True(turn.Draft().GetProperty("urgent").GetBoolean());
        Assert.Equal("gas", turn.Draft().Text("category"));
        var reply = turn.Reply();
        Assert.Contains("离开", reply);
        Assert.Contains("不要开关任何电器", reply);
        Assert.Contains("962777", reply);

        var filed = await resident.Say(chat, "嗯");
        Assert.Equal("filed", filed.State());
        Assert.Contains("962777", filed.Reply());
        var ticket = await RepairTestKit.Get(resident, filed.Filed().Id());
        Assert.True(ticket.GetProperty("urgent").GetBoolean());
        Assert.Equal("5号楼101室", ticket.GetProperty("location").Text("unitLabel"));
    }

    [Fact]
    public async Task PeopleTrappedInALiftAreToldTheLiftsEmergencyPhoneAnd110Or119()
    {
        var resident = await app.NewResident(32);
        var chat = await resident.StartChat();
        var turn = await resident.Say(chat, "5号楼电梯困人了,我老公被关在里面");
        Assert.True(turn.Draft().GetProperty("urgent").GetBoolean());
        Assert.Contains("紧急呼叫", turn.Reply());
        Assert.Contains("110", turn.Reply());
        Assert.Contains("119", turn.Reply());
    }
}
