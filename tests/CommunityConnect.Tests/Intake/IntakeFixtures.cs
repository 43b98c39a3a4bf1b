using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Tests.Intake;

/// <summary>The intake data as the product ships it (copied beside the test binaries), and engines built from it.</summary>
public static class IntakeFixtures
{
    public static string DataFolder { get; } = Path.Combine(AppContext.BaseDirectory, "Data", "intake");

    public static string SegmenterFolder { get; } = Path.Combine(AppContext.BaseDirectory, "Resources", "jieba");

    private static readonly Lazy<IntakeComponents> Product = new(() => IntakeEngineSource.Build(DataFolder, SegmenterFolder));

    /// <summary>The engine the api runs: the lexicons and a model trained on every labelled line.</summary>
    public static IntakeEngine Engine => Product.Value.Engine;

    public static ChineseSegmenter Segmenter => Product.Value.Segmenter!;

    public static IntakeLexicon Lexicon => Engine.Lexicon;

    /// <summary>corpus.jsonl with each line's 0-based index.</summary>
    public static IReadOnlyList<LabelledMessage> Corpus { get; } = LabelledCorpus.Read(Path.Combine(DataFolder, LabelledCorpus.CorpusFile));

    public static IReadOnlyList<LabelledMessage> Cases { get; } = LabelledCorpus.Read(Path.Combine(DataFolder, LabelledCorpus.CasesFile));

    /// <summary>
    /// The lines set aside before any rule was written (0-based index a multiple of 5). Never read
    /// while writing rules or lexicons; tests report only aggregate figures for them.
    /// </summary>
    public static bool IsHeldOut(int index) => index % 5 == 0;
}
