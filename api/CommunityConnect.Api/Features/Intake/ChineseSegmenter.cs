using JiebaNet.Segmenter;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>
/// jieba.NET, the Chinese word segmenter, behind one lock. It loads its dictionaries in one to
/// five seconds and cuts a chat message in 85–250 µs: too slow for the analyser's per-message path
/// (50,000 messages a second needs 20 µs), so it works where time allows: at start-up it cuts the
/// training corpus into the words the statistical model learns (found later by dictionary look-up,
/// not by segmenting again), and it is here for the slower paths that need words: FAQ matching and
/// the hotspot radar. The lexicon words are added to its dictionary, so 漏成河 or 业委会 stay whole.
/// </summary>
public sealed class ChineseSegmenter
{
    // jieba keeps its dictionary in a process-wide singleton, and adding words is not thread-safe.
    private static readonly Lock Gate = new();
    private readonly JiebaSegmenter _segmenter;

    private ChineseSegmenter(JiebaSegmenter segmenter) => _segmenter = segmenter;

    /// <summary>Loads the dictionaries from <paramref name="resourceFolder"/> (jieba's Resources, copied to the output).</summary>
    public static ChineseSegmenter Load(string resourceFolder, IEnumerable<string> userWords)
    {
        if (!File.Exists(Path.Combine(resourceFolder, "dict.txt")))
        {
            throw new FileNotFoundException($"jieba's dictionary is missing from {resourceFolder}.", Path.Combine(resourceFolder, "dict.txt"));
        }
        lock (Gate)
        {
            ConfigManager.ConfigFileBaseDir = resourceFolder;
            var segmenter = new JiebaSegmenter();
            foreach (var word in userWords)
            {
                if (word.Length >= 2)
                {
                    segmenter.AddWord(word);
                }
            }
            return new ChineseSegmenter(segmenter);
        }
    }

    /// <summary>The words of a text in order (precise mode, with the HMM for words no dictionary has).</summary>
    public IReadOnlyList<string> Cut(string text)
    {
        lock (Gate)
        {
            return _segmenter.Cut(text, cutAll: false, hmm: true).ToList();
        }
    }

    /// <summary>The content words of a text: at least two characters and at least one Chinese character.</summary>
    public IReadOnlyList<string> Words(string text) =>
        Cut(text).Where(w => w.Length >= 2 && w.Any(c => c is >= '\u4e00' and <= '\u9fff')).ToList();
}
