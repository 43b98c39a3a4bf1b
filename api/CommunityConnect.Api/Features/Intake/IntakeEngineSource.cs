using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.Intake;

public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>The folder of the lexicons and corpora; default Data/intake beside the binaries.</summary>
    public string? DataFolder { get; set; }

    /// <summary>jieba's dictionaries; default Resources/jieba beside the binaries.</summary>
    public string? SegmenterFolder { get; set; }
}

/// <summary>What the analyser runs on once loaded: the engine and the segmenter for the slower paths.</summary>
public sealed record IntakeComponents(IntakeEngine Engine, ChineseSegmenter? Segmenter, TimeSpan LoadTime);

/// <summary>Loads the analyser (swapped in tests that need to hold the start-up back).</summary>
public interface IIntakeEngineSource
{
    Task<IntakeComponents> LoadAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Reads the lexicons, loads the segmenter, cuts the corpus into words and trains the statistical
/// part. The result is a pure function of the files, so hosts in one process (the test suite)
/// share one build instead of each paying seconds of CPU for the same model.
/// </summary>
public sealed class IntakeEngineSource(IOptions<IntakeOptions> options, IHostEnvironment environment) : IIntakeEngineSource
{
    private static readonly ConcurrentDictionary<string, Lazy<IntakeComponents>> Built = new();

    public string DataFolder => Folder(options.Value.DataFolder, "Data", "intake");

    public string SegmenterFolder => Folder(options.Value.SegmenterFolder, "Resources", "jieba");

    public Task<IntakeComponents> LoadAsync(CancellationToken cancellationToken)
    {
        var key = DataFolder + "|" + SegmenterFolder;
        var lazy = Built.GetOrAdd(key, _ => new Lazy<IntakeComponents>(() => Build(DataFolder, SegmenterFolder)));
        try
        {
            return Task.FromResult(lazy.Value);
        }
        catch
        {
            Built.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>The engine of the product: the lexicons and a model trained on every labelled line.</summary>
    public static IntakeComponents Build(string dataFolder, string segmenterFolder)
    {
        var clock = Stopwatch.StartNew();
        var lexicon = IntakeLexicon.Load(dataFolder);
        var segmenter = ChineseSegmenter.Load(segmenterFolder, lexicon.TermsOf(LexiconGroup.Category).Concat(lexicon.TermsOf(LexiconGroup.Intent)));
        var engine = IntakeTraining.Build(lexicon, LabelledCorpus.ReadTraining(dataFolder), segmenter);
        return new IntakeComponents(engine, segmenter, clock.Elapsed);
    }

    private string Folder(string? configured, params string[] parts)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured, environment.ContentRootPath);
        }
        var beside = Path.Combine([AppContext.BaseDirectory, .. parts]);
        return Directory.Exists(beside) ? beside : Path.Combine([environment.ContentRootPath, .. parts]);
    }
}

/// <summary>Training the statistical part, shared by start-up, the held-out test and the k-fold test.</summary>
public static class IntakeTraining
{
    /// <summary>Words that occur at least this often in the training messages become model features.</summary>
    public const int MinimumWordCount = 2;

    public static IntakeEngine Build(IntakeLexicon lexicon, IReadOnlyList<LabelledMessage> training, ChineseSegmenter? segmenter)
    {
        var examples = Examples(lexicon, training);
        var vocabulary = segmenter is null ? [] : Vocabulary(examples, segmenter);
        var model = NgramModel.Train(examples, vocabulary, Intents.All.Count, Cases.Taxonomy.Categories.Count);
        return new IntakeEngine(lexicon, model);
    }

    public static List<TrainingExample> Examples(IntakeLexicon lexicon, IEnumerable<LabelledMessage> messages) =>
        messages.Select(m => new TrainingExample(
            lexicon.Normaliser.Normalise(m.Text),
            IndexOf(Intents.All, m.Intent),
            IndexOf(Cases.Taxonomy.Categories, m.Category))).ToList();

    /// <summary>The words jieba cuts from the training messages, kept when frequent enough to learn from.</summary>
    public static IReadOnlyList<string> Vocabulary(IEnumerable<TrainingExample> examples, ChineseSegmenter segmenter)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var example in examples)
        {
            foreach (var word in segmenter.Words(example.Text))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }
        return counts.Where(c => c.Value >= MinimumWordCount).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        throw new ArgumentException($"Unknown label {value}.");
    }
}
