using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Tests.Intake;

/// <summary>The rules of TAXONOMY.md that the lexicons implement: urgency, negation, hedges, routing.</summary>
public sealed class UrgencyAndIntentTests
{
    private static IntakeAnalysis Analyse(string text) => IntakeFixtures.Engine.Analyse(text);

    [Theory]
    [InlineData("电梯困人了,我妈被关在里面出不来")]
    [InlineData("救命 电梯卡在8楼和9楼中间了 我和孩子在里面")]
    [InlineData("楼道里好大一股煤气味")]
    [InlineData("厨房闻到燃气味,阀门已经关了还是有味道")]
    [InlineData("smell gas in the kitchen")]
    [InlineData("楼道电表箱在冒烟,有一股烧焦的味道")]
    [InlineData("家里水管爆了,水喷得到处都是")]
    [InlineData("楼上漏水漏成河了")]
    [InlineData("整栋楼都停电了")]
    [InlineData("外墙瓷砖掉下来砸到人了,头破了在流血")]
    [InlineData("楼下阿婆摔倒了起不来")]
    [InlineData("插座冒火花了")]
    public void AnImmediateRiskIsUrgent(string text)
    {
        var analysis = Analyse(text);
        Assert.True(analysis.Urgent, $"{text}: not urgent");
        Assert.NotNull(analysis.UrgentCue);
    }

    [Theory]
    [InlineData("我家没有漏水,是楼下天花板有水印")]
    [InlineData("电梯没有困人,就是显示屏乱码了")]
    [InlineData("楼道灯没有冒火花,就是不亮了")]
    [InlineData("2号楼电梯的紧急按钮坏了,万一困人都联系不上")]
    [InlineData("电梯老是抖,就怕哪天出事")]
    [InlineData("楼道电线老化了,就怕哪天着火")]
    [InlineData("路面有个坑,电瓶车骑过去差点摔倒")]
    [InlineData("建议每家装燃气报警器,万一漏气能及时发现")]
    [InlineData("已经没有煤气味了,谢谢大家")]
    [InlineData("上个月有个老人在这里摔倒了,建议装个扶手")]
    [InlineData("电梯困人的事已经处理了,人已经救出来了")]
    public void ANegatedHedgedPastOrOverRiskIsNotUrgent(string text)
    {
        var analysis = Analyse(text);
        Assert.False(analysis.Urgent, $"{text}: urgent because of {analysis.UrgentCue}");
    }

    [Theory]
    [InlineData("我的车位又被占了!!!急死了,我要去上班")]
    [InlineData("燃气灶打不着火了")]
    [InlineData("楼上天天半夜跺脚,阿拉困觉都困不着")]
    [InlineData("【紧急】门禁卡刷不开,急!")]
    public void SayingUrgentIsNotARisk(string text) => Assert.False(Analyse(text).Urgent, text);

    [Fact]
    public void GasIsUrgentWhateverTheIntent()
    {
        var analysis = Analyse("请问闻到煤气味应该打什么电话?");
        Assert.Equal("question", analysis.Intent);
        Assert.Equal("gas", analysis.Category);
        Assert.True(analysis.Urgent);
    }

    [Theory]
    [InlineData("楼上漏水漏成河了,快来人", "repair", "water")]
    [InlineData("2号楼电梯又罢工了", "repair", "elevator")]
    [InlineData("楼道里乌漆嘛黑的,灯坏了好几天", "repair", "electric")]
    [InlineData("垃圾箱房臭烘烘的,好几天没人清运", "complaint", "sanitation")]
    [InlineData("物业伐来修,打了几趟电话了", "complaint", "property_service")]
    [InlineData("wy拖着不修,物业费白交了", "complaint", "property_service")]
    [InlineData("门口保安态度太差了,爱理不理", "complaint", "property_service")]
    [InlineData("请问ywh什么时候换届?", "question", "funds")]
    [InlineData("jwh开居住证明要带什么?", "question", "community_life")]
    [InlineData("楼上的狗从早叫到晚,吵死了", "complaint", "pets")]
    [InlineData("谢谢物业师傅,电梯修好了👍", "other", "other")]
    [InlineData("你好", "other", "other")]
    [InlineData("lift broken again, please fix", "repair", "elevator")]
    public void ColloquialDialectAndPinyinAreUnderstood(string text, string intent, string category)
    {
        var analysis = Analyse(text);
        Assert.Equal((intent, category), (analysis.Intent, analysis.Category));
    }

    [Theory]
    [InlineData("建议小区增设电瓶车充电桩", "proposal", "parking", "residents_committee")]
    [InlineData("提议用专项维修资金给老楼做外墙翻新", "proposal", "funds", "owners_committee")]
    [InlineData("3号楼电梯坏了", "repair", "elevator", "property")]
    [InlineData("楼上邻居装修噪音太大,天天扰民", "complaint", "neighbor", "residents_committee")]
    [InlineData("谢谢居委会", "other", "other", "residents_committee")]
    public void ResponsibleBodyFollowsTheTaxonomysDefaultRouting(string text, string intent, string category, string body)
    {
        var analysis = Analyse(text);
        Assert.Equal((intent, category, body), (analysis.Intent, analysis.Category, analysis.ResponsibleBody));
    }

    [Theory]
    [InlineData("我要报修", new[] { "location", "category", "description" })]
    [InlineData("水管漏水了", new[] { "location" })]
    [InlineData("家里水管漏水了", new string[0])]
    [InlineData("5号楼电梯坏了", new string[0])]
    [InlineData("3号楼502卫生间漏水", new string[0])]
    [InlineData("谢谢", new string[0])]
    public void MissingNamesWhatAFilingStillNeeds(string text, string[] missing) =>
        Assert.Equal(missing, Analyse(text).Missing);

    [Fact]
    public void ThePlaceKindTellsTheConversationWhereToLook()
    {
        Assert.Equal(PlaceKind.Home, Analyse("阿拉屋里厢水管漏了").PlaceKind);
        var lift = Analyse("5号楼电梯坏了");
        Assert.Equal((PlaceKind.CommonArea, "电梯"), (lift.PlaceKind, lift.CommonArea));
        Assert.Equal(PlaceKind.Unit, Analyse("隔壁603漏水").PlaceKind);
        Assert.Equal(PlaceKind.None, Analyse("水管漏了").PlaceKind);
    }

    [Fact]
    public void MentionsAnonymityAndShortAnswersAreReported()
    {
        var complaint = Analyse("@物业 我要匿名投诉保安,不要公开");
        Assert.Equal("property", complaint.AddressedBody);
        Assert.Contains("property", complaint.MentionedBodies);
        Assert.True(complaint.Anonymous);
        Assert.Equal(VisibilityCue.Private, complaint.Visibility);
        Assert.Equal(DialogueAct.Yes, Analyse("对的").Act);
        Assert.Equal(DialogueAct.No, Analyse("不是").Act);
        Assert.Equal(DialogueAct.Cancel, Analyse("算了,不用了").Act);
        Assert.False(Analyse("我不匿名").Anonymous);
    }
}
