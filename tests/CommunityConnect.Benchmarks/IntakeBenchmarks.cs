using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Benchmarks;

/// <summary>
/// The analyser on every chat message and hall post (issue 13 asks for 50,000 messages a second on
/// one core, 20 µs each): the 240 corpus messages in turn (mean cost per message), a typical chat
/// message, a 200-character hall post, and jieba cutting a chat message (why jieba stays off the
/// per-message path).
/// </summary>
[MemoryDiagnoser]
public class IntakeBenchmarks
{
    private const string ChatMessage = "3号楼电梯又坏了,我妈被困在里面了!快来人";

    private const string HallPost =
        "各位邻居大家好！最近三号楼和五号楼之间的绿化带经常有人乱停电瓶车，晚上回家的老人和孩子走路很不方便，" +
        "上周还有一位阿姨被绊倒了。物业说已经贴过通知，但效果不大。我建议在绿化带旁边划出一块集中停车区，" +
        "再装两个充电桩，这样既安全又方便。另外，楼道里堆放的纸箱和旧家具也应该尽快清理，万一着火后果不堪设想。" +
        "希望居委会和业委会一起商量一下，大家有什么想法也请在下面留言，谢谢！周末我可以帮忙搬东西，需要的话联系我。";

    private IntakeEngine _engine = null!;
    private ChineseSegmenter _segmenter = null!;
    private string[] _corpus = null!;
    private string _post = null!;

    [GlobalSetup]
    public void Setup()
    {
        var components = IntakeEngineSource.Build(IntakeData.Folder, IntakeData.SegmenterFolder);
        _engine = components.Engine;
        _segmenter = components.Segmenter!;
        _corpus = LabelledCorpus.Read(Path.Combine(IntakeData.Folder, LabelledCorpus.CorpusFile)).Select(m => m.Text).ToArray();
        _post = HallPost[..200];
        if (_corpus.Length != 240 || _engine.Analyse(ChatMessage) is not { Intent: "repair", Category: "elevator", Urgent: true })
        {
            throw new InvalidOperationException("The analyser no longer reads the benchmark's messages the way it assumes.");
        }
    }

    /// <summary>Mean cost of one message over the whole corpus (short and long, every category).</summary>
    [Benchmark(OperationsPerInvoke = 240)]
    public int CorpusMessage()
    {
        var missing = 0;
        foreach (var text in _corpus)
        {
            missing += _engine.Analyse(text).Missing.Count;
        }
        return missing;
    }

    [Benchmark]
    public IntakeAnalysis ChatMessageOf22Characters() => _engine.Analyse(ChatMessage);

    [Benchmark]
    public IntakeAnalysis HallPostOf200Characters() => _engine.Analyse(_post);

    [Benchmark]
    public IReadOnlyList<string> JiebaCutsTheChatMessage() => _segmenter.Cut(ChatMessage);
}

/// <summary>
/// What the api does in the background after it starts (it answers /healthz meanwhile): each
/// launch is a fresh process, so jieba's dictionary load is measured cold.
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 3, warmupCount: 0, iterationCount: 1)]
public class IntakeStartupBenchmarks
{
    [Benchmark]
    public IntakeLexicon LoadLexicons() => IntakeLexicon.Load(IntakeData.Folder);

    [Benchmark]
    public IntakeComponents LoadLexiconsSegmenterAndTrain() => IntakeEngineSource.Build(IntakeData.Folder, IntakeData.SegmenterFolder);
}

internal static class IntakeData
{
    public static string Folder => Path.Combine(Repo.ApiFolder(), "Data", "intake");

    /// <summary>jieba's dictionaries as the build copies them beside the binaries (BenchmarkDotNet's own project included).</summary>
    public static string SegmenterFolder
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "Resources", "jieba");
            return Directory.Exists(beside) ? beside : Path.Combine(Repo.ApiFolder(), "bin", "Release", "net10.0", "Resources", "jieba");
        }
    }
}
