using System.Collections.Concurrent;
using System.Diagnostics;
using CommunityConnect.Api.Features.DiscussionHall;
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
/// <remarks>
/// The moderators' corrections of hall routing labels (<see cref="RoutingCorrections"/>, issue 14) are
/// read at start-up and trained on with the files: a correction teaches the next start, and hosts
/// whose databases hold the same corrections still share one build.
/// </remarks>
public sealed class IntakeEngineSource(IOptions<IntakeOptions> options, IHostEnvironment environment, RoutingCorrections? corrections = null,
    ILogger<IntakeEngineSource>? logger = null) : IIntakeEngineSource
{
    private static readonly ConcurrentDictionary<string, Lazy<IntakeComponents>> Built = new();

    public string DataFolder => Folder(options.Value.DataFolder, "Data", "intake");

    public string SegmenterFolder => Folder(options.Value.SegmenterFolder, "Resources", "jieba");

    public async Task<IntakeComponents> LoadAsync(CancellationToken cancellationToken)
    {
        var extra = await CorrectionsAsync(cancellationToken);
        var key = DataFolder + "|" + SegmenterFolder + "|" + KeyOf(extra);
        var lazy = Built.GetOrAdd(key, _ => new Lazy<IntakeComponents>(() => Build(DataFolder, SegmenterFolder, extra)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Built.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>The engine of the product: the lexicons and a model trained on every labelled line (and <paramref name="extra"/>).</summary>
    public static IntakeComponents Build(string dataFolder, string segmenterFolder, IReadOnlyList<LabelledMessage>? extra = null)
    {
        var clock = Stopwatch.StartNew();
        var lexicon = IntakeLexicon.Load(dataFolder);
        var segmenter = ChineseSegmenter.Load(segmenterFolder, lexicon.TermsOf(LexiconGroup.Category).Concat(lexicon.TermsOf(LexiconGroup.Intent)));
        var engine = IntakeTraining.Build(lexicon, [.. LabelledCorpus.ReadTraining(dataFolder), .. extra ?? []], segmenter);
        return new IntakeComponents(engine, segmenter, clock.Elapsed);
    }

    /// <summary>
    /// The corrections as training lines. Those of a thread the analyser read as "other" train nothing: the
    /// taxonomy ties that intent to the category other, so a correction cannot say which intent it was.
    /// </summary>
    private async Task<IReadOnlyList<LabelledMessage>> CorrectionsAsync(CancellationToken cancellationToken)
    {
        if (corrections is null)
        {
            return [];
        }
        try
        {
            var latest = await corrections.LatestAsync(cancellationToken);
            return latest.Where(c => c.Intent != Intents.Other)
                .Select(c => new LabelledMessage(c.Text, c.Intent, c.Category, c.ResponsibleBody, null, null, false))
                .ToList();
        }
        catch (System.Data.Common.DbException e)
        {
            logger?.LogWarning(e, "The routing corrections could not be read; the analyser trains on its files alone.");
            return [];
        }
    }

    private static string KeyOf(IReadOnlyList<LabelledMessage> extra)
    {
        if (extra.Count == 0)
        {
            return "";
        }
        var text = string.Join("\n", extra.Select(m => $"{m.Intent}|{m.Category}|{m.Text}"));
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
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
