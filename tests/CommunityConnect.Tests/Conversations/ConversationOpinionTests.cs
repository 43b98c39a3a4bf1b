using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Conversations;

/// <summary>Questions (FAQ or filed), complaints (private unless public, anonymous with the conversation redacted), proposals, chit-chat.</summary>
public sealed class ConversationOpinionTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task SetFaq()
    {
        var residents = await app.ClientFor("residents");
        await (await residents.PutJson("/v1/communities/1/faq", new
        {
            entries = new object[]
            {
                new
                {
                    question = "物业费怎么交?", answer = "物业费每季度初在物业服务中心或小程序“生活缴费”里交,支持微信支付。",
                    keywords = new[] { "物业费", "缴费", "交费" }, category = "property_service",
                },
                new
                {
                    question = "怎么开居住证明?", answer = "带身份证和房产证(或租赁合同)到居委会办理,工作日 9:00–17:00。",
                    keywords = new[] { "居住证明", "开证明" }, category = (string?)null,
                },
            },
        })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AQuestionIsAnsweredFromTheFaqAndTheResidentMayGoOn()
    {
        await SetFaq();
        var resident = await app.NewResident(21);
        var chat = await resident.StartChat();
        var answered = await resident.Say(chat, "请问物业费在哪里交啊?");
        Assert.Equal("answered", answered.State());
        Assert.Contains("生活缴费", answered.Reply());
        Assert.Equal(JsonValueKind.Null, answered.Draft().ValueKind);

        var thanks = await resident.Say(chat, "好的谢谢");
        Assert.Equal("answered", thanks.State());
        var proof = await resident.Say(chat, "开居住证明要带什么?");
        Assert.Contains("身份证", proof.Reply());
    }

    [Fact]
    public async Task AnUnansweredQuestionIsFiledPrivatelyToTheRoutedBodyWithItsDueTime()
    {
        var resident = await app.NewResident(22);
        var chat = await resident.StartChat();
        var offered = await resident.Say(chat, "小区的专项维修资金现在还剩多少钱?");
        Assert.Equal("confirming", offered.State());
        Assert.Equal("question", offered.Draft().Text("kind"));
        Assert.Equal("owners_committee", offered.Draft().Text("responsibleBody"));
        Assert.Contains("业委会", offered.Reply());

        var filed = await resident.Say(chat, "好的");
        Assert.Equal("filed", filed.State());
        Assert.Equal("opinion", filed.Filed().Text("kind"));
        var opinion = await resident.GetJson($"/v1/opinions/{filed.Filed().Id()}");
        Assert.Equal("question", opinion.Text("kind"));
        Assert.Equal("private", opinion.Text("visibility"));
        Assert.Equal("owners_committee", opinion.Text("responsibleBody"));
        var caseDetail = await (await app.ClientFor("owners")).GetJson($"/v1/cases/{opinion.GetProperty("caseId").GetInt64()}");
        var due = caseDetail.GetProperty("firstResponseDue").GetDateTimeOffset();
        Assert.Contains($"在{due.ToOffset(TimeSpan.FromHours(8)):M月d日 HH:mm}前答复", filed.Reply());
    }

    [Fact]
    public async Task AComplaintFromTheChatIsPrivateUnlessTheResidentSaysItMayBePublic()
    {
        var resident = await app.NewResident(23);
        var chat = await resident.StartChat();
        await resident.Say(chat, "物业保安态度太差了,跟他说话爱理不理的,我要投诉");
        var filed = await resident.Say(chat, "确认提交");
        var opinion = await resident.GetJson($"/v1/opinions/{filed.Filed().Id()}");
        Assert.Equal("complaint", opinion.Text("kind"));
        Assert.Equal("private", opinion.Text("visibility"));
        Assert.False(opinion.GetProperty("anonymous").GetBoolean());

        var other = await resident.StartChat();
        await resident.Say(other, "垃圾箱房臭烘烘的好几天没人清理,我要投诉,可以公开");
        var shown = await resident.Say(other, "是");
        var open = await resident.GetJson($"/v1/opinions/{shown.Filed().Id()}");
        Assert.Equal("public", open.Text("visibility"));
    }

    [Fact]
    public async Task AnAnonymousComplaintIsSealedAndTheConversationRedacted()
    {
        var resident = await app.NewResident(24);
        var chat = await resident.StartChat();
        const string words = "楼上邻居天天半夜装修,吵得根本睡不着,我要投诉";
        var confirming = await resident.Say(chat, words);
        Assert.Equal("confirming", confirming.State());
        Assert.Contains("匿名提交", confirming.QuickReplies());

        var filed = await resident.Say(chat, "匿名提交");
        Assert.Equal("filed", filed.State());
        Assert.Equal(JsonValueKind.Null, filed.Draft().ValueKind);
        Assert.Equal("opinion", filed.Filed().Text("kind"));
        Assert.True(filed.Filed().GetProperty("anonymous").GetBoolean());
        Assert.False(filed.Filed().TryGetProperty("id", out _));

        var replay = await resident.GetJson($"/v1/conversations/{chat}");
        Assert.Empty(replay.GetProperty("messages").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, replay.GetProperty("draft").ValueKind);
        Assert.False(replay.GetProperty("filed").TryGetProperty("id", out _));
        Assert.True(replay.GetProperty("filed").GetProperty("anonymous").GetBoolean());
        Assert.Equal(replay.GetProperty("createdAt").GetDateTimeOffset(), replay.GetProperty("updatedAt").GetDateTimeOffset());

        // The resident finds it under "my opinions"; nobody sees who wrote it.
        var mine = await resident.GetJson("/v1/me/opinions");
        var opinion = mine.GetProperty("items").EnumerateArray().Single(o => o.Text("body").Contains("半夜装修"));
        Assert.True(opinion.GetProperty("anonymous").GetBoolean());
        Assert.Equal("private", opinion.Text("visibility"));
        var staffView = await (await app.ClientFor("residents")).GetJson($"/v1/opinions/{opinion.Id()}");
        Assert.Equal(JsonValueKind.Null, staffView.GetProperty("authorId").ValueKind);

        // Nothing of the chat is left in storage.
        await using var connection = app.Connection();
        var row = await connection.QuerySingleAsync<(long Messages, string? Description, long? FiledId)>(
            """
            SELECT (SELECT COUNT(*) FROM conversation_messages WHERE conversation_id = @chat), description, filed_id
            FROM conversations WHERE id = @chat;
            """, new { chat });
        Assert.Equal((0L, null, null), row);
    }

    [Fact]
    public async Task AnonymousInTheMessageItselfIsHonoured()
    {
        var resident = await app.NewResident(25);
        var chat = await resident.StartChat();
        var confirming = await resident.Say(chat, "隔壁天天在楼道里堆杂物,我要投诉,匿名");
        Assert.Equal("confirming", confirming.State());
        var filed = await resident.Say(chat, "对");
        Assert.True(filed.Filed().GetProperty("anonymous").GetBoolean());
        Assert.Empty((await resident.GetJson($"/v1/conversations/{chat}")).GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task AProposalIsPostedToTheHallAfterAYes()
    {
        var resident = await app.NewResident(26);
        var chat = await resident.StartChat();
        var confirming = await resident.Say(chat, "建议在小区里增设电瓶车充电桩,现在大家都飞线充电太危险了");
        Assert.Equal("confirming", confirming.State());
        Assert.Equal("proposal", confirming.Draft().Text("kind"));
        Assert.Equal("residents_committee", confirming.Draft().Text("responsibleBody"));
        var filed = await resident.Say(chat, "确认");
        Assert.Equal("proposal", filed.Filed().Text("kind"));
        var thread = await resident.GetJson($"/v1/threads/{filed.Filed().Id()}");
        Assert.Equal("proposal", thread.Text("kind"));
        Assert.Equal("parking", thread.Text("category"));
    }

    [Fact]
    public async Task ChitChatGetsAShortFriendlyReplyAndTheQuickReplies()
    {
        var resident = await app.NewResident(27);
        var chat = await resident.StartChat();
        var turn = await resident.Say(chat, "你好呀");
        Assert.Equal("answered", turn.State());
        Assert.Contains("我要报修", turn.QuickReplies());
        var next = await resident.Say(chat, "我要报修");
        Assert.Equal("collecting", next.State());
    }
}
