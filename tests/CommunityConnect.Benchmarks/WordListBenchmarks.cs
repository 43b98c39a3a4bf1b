using BenchmarkDotNet.Attributes;
using CommunityConnect.Api.Features.Moderation;

namespace CommunityConnect.Benchmarks;

/// <summary>
/// The moderation check every post and reply goes through: a 200-character Chinese post against
/// the shipped default list (Data/moderation-words.default.txt). A clean post reads the whole list;
/// the second hides a review word behind spaces and punctuation, so folding has work to do.
/// </summary>
[MemoryDiagnoser]
public class WordListBenchmarks
{
    private const string Text =
        "各位邻居大家好！最近三号楼和五号楼之间的绿化带经常有人乱停电瓶车，晚上回家的老人和孩子走路很不方便，" +
        "上周还有一位阿姨被绊倒了。物业说已经贴过通知，但效果不大。我建议在绿化带旁边划出一块集中停车区，" +
        "再装两个充电桩，这样既安全又方便。另外，楼道里堆放的纸箱和旧家具也应该尽快清理，万一着火后果不堪设想。" +
        "希望居委会和业委会一起商量一下，大家有什么想法也请在下面留言，谢谢！周末我可以帮忙搬东西，需要的话联系我。";

    private WordList _list = null!;
    private string _clean = null!;
    private string _flagged = null!;

    [GlobalSetup]
    public void Setup()
    {
        _list = new WordList(WordList.LoadDefault(Repo.ApiFolder()));
        _clean = Text[..200];
        // Same length, ends with "加 微-信" (review): spaces and punctuation are folded away.
        _flagged = Text[..194] + "加 微-信！";
        if (_clean.Length != 200 || _flagged.Length != 200 || _list.Words.Count == 0)
        {
            throw new InvalidOperationException("The post must be 200 characters and the list must load.");
        }
        if (_list.Match(_clean) is not null || _list.Match(_flagged) != WordLevels.Review)
        {
            throw new InvalidOperationException("The shipped list no longer matches the way this benchmark assumes.");
        }
    }

    [Benchmark]
    public string? CleanPost() => _list.Match(_clean);

    [Benchmark]
    public string? PostWithReviewWord() => _list.Match(_flagged);
}
