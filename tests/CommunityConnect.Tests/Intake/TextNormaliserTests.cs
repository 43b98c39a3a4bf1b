using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Tests.Intake;

/// <summary>What the lexicons are matched on: the resident's words in the lexicons' spelling.</summary>
public sealed class TextNormaliserTests
{
    private static string Normalise(string text) => IntakeFixtures.Lexicon.Normaliser.Normalise(text);

    [Theory]
    [InlineData("１２幢３０１", "12幢301")]
    [InlineData("ＬＩＦＴ坏了！", "电梯坏了!")]
    [InlineData("電梯壞了,麻煩修一下", "电梯坏了,麻烦修一下")]
    [InlineData("9號樓702室", "9号楼702室")]
    public void FullWidthAndTraditionalCharactersBecomeTheLexiconsSpelling(string written, string normalised) =>
        Assert.Equal(normalised, Normalise(written));

    [Theory]
    [InlineData("wy来修一下", "物业来修一下")]
    [InlineData("ywh什么时候换届", "业委会什么时候换届")]
    [InlineData("jwh电话多少", "居委会电话多少")]
    [InlineData("找WY", "找物业")]
    public void PinyinInitialsNameTheBodies(string written, string normalised) => Assert.Equal(normalised, Normalise(written));

    [Fact]
    public void PinyinInitialsInsideAnEnglishWordStayAsTheyAre() =>
        Assert.Equal("anyway 谢谢", Normalise("anyway thanks"));

    [Theory]
    [InlineData("物业伐来修", "物业不来修")]
    [InlineData("帮我修一修伐", "帮我修一修吗")]
    [InlineData("阿拉屋里厢水管漏了", "我家里水管漏了")]
    [InlineData("侬覅急", "你不要急")]
    [InlineData("关勿牢", "关不紧")]
    [InlineData("老早就讲好了", "早就讲好了")]
    [InlineData("困觉困不着", "睡觉睡不着")]
    public void ShanghaineseIsReadAsMandarin(string written, string normalised) => Assert.Equal(normalised, Normalise(written));

    [Theory]
    [InlineData("麻烦维休一下", "麻烦维修一下")]
    [InlineData("有梅气味", "有煤气味")]
    [InlineData("门进卡刷不开", "门禁卡刷不开")]
    [InlineData("楼到灯不亮", "楼道灯不亮")]
    public void CommonTyposAreCorrected(string written, string normalised) => Assert.Equal(normalised, Normalise(written));

    [Fact]
    public void InvisibleCharactersAndVariationSelectorsAreDropped() =>
        Assert.Equal("电梯坏了❤", Normalise("电\u200b梯坏了❤\ufe0f"));
}
