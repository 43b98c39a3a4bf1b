using CommunityConnect.Api.Features.Moderation;

namespace CommunityConnect.Tests.Moderation;

public sealed class WordListTests
{
    private static readonly WordList List = new([new("傻逼", "block"), new("SB", "block"), new("加微信", "review")]);

    [Theory]
    [InlineData("你个傻逼")]
    [InlineData("你个傻 逼")]
    [InlineData("你个傻*逼")]
    [InlineData("你个傻。逼!")]
    [InlineData("傻\u200b逼")]
    [InlineData("ＳＢ一个")]
    [InlineData("s b")]
    [InlineData("S-B")]
    public void DodgesWithSpacesSymbolsAndFullWidthLettersStillMatch(string text) => Assert.Equal("block", List.Match(text));

    [Theory]
    [InlineData("想买的加 微 信")]
    [InlineData("加·微·信 聊")]
    public void ReviewWordsHoldThePost(string text) => Assert.Equal("review", List.Match(text));

    [Fact]
    public void BlockWinsOverReviewAndTitlesCountToo()
    {
        Assert.Equal("block", List.Match("加微信", "傻逼"));
        Assert.Null(List.Match("电梯又坏了", "请物业尽快修理"));
    }

    [Fact]
    public void TheShippedDefaultListLoads()
    {
        var words = WordList.LoadDefault(AppContext.BaseDirectory);
        Assert.Contains(words, w => w.Level == "block");
        Assert.Contains(words, w => w.Level == "review");
        Assert.Equal("block", new WordList(words).Match("草 泥 马"));
    }
}
