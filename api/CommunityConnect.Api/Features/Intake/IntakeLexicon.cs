using System.Globalization;
using CommunityConnect.Api.Features.Cases;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>The lexicon files under Data/intake, one per concern. A term belongs to the file it is in.</summary>
public enum LexiconGroup : byte
{
    Category,
    Intent,
    Urgency,
    Modifier,
    Place,
    Body,
    Cue,
    Dialogue,
}

/// <summary>One line's worth of meaning for a term: which file, which section, how strongly.</summary>
public readonly record struct LexiconEntry(LexiconGroup Group, byte Section, float Weight);

/// <summary>The sections of each lexicon file, as the analyser understands them.</summary>
public static class LexiconSections
{
    public static readonly IReadOnlyList<string> Intents = ["repair", "complaint", "proposal", "question", "other"];

    public static readonly IReadOnlyList<string> Categories = Taxonomy.Categories;

    // intents.txt: the five intents first (their index is the intent's), then the other cue kinds.
    public const byte Problem = 5;
    public const byte Blame = 6;
    public const byte PropertyActor = 7;
    public const byte Resolved = 8;
    public const byte NoCue = 9;
    public static readonly IReadOnlyList<string> IntentFile =
        [.. Intents, "problem", "blame", "property-actor", "resolved", "none"];

    public const byte Danger = 0, Lift = 1, Inside = 2, Stuck = 3, Whole = 4, Outage = 5, Gas = 6, GasSign = 7, Safe = 8;
    public static readonly IReadOnlyList<string> UrgencyFile = ["danger", "lift", "inside", "stuck", "whole", "outage", "gas", "gas-sign", "safe"];

    public const byte Negation = 0, Hedge = 1, Past = 2, Over = 3, NotNegation = 4;
    public static readonly IReadOnlyList<string> ModifierFile = ["negation", "hedge", "past", "over", "not-negation"];

    public const byte CommonArea = 0, Home = 1;
    public static readonly IReadOnlyList<string> PlaceFile = ["common-area", "home"];

    public static readonly IReadOnlyList<string> BodyFile = [Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee];

    public const byte Anonymous = 0, Public = 1, Private = 2;
    public static readonly IReadOnlyList<string> CueFile = ["anonymous", "public", "private"];

    public const byte Yes = 0, No = 1, Cancel = 2;
    public static readonly IReadOnlyList<string> DialogueFile = ["yes", "no", "cancel"];
}

/// <summary>
/// Everything the analyser knows about words, read from the data files a community worker edits
/// (Data/intake/*.txt): the terms of every lexicon in one <see cref="TermMatcher"/>, and the
/// normalisation tables (traditional characters, typos, dialect, pinyin initials, English).
/// </summary>
public sealed class IntakeLexicon
{
    public static readonly IReadOnlyList<(string File, LexiconGroup Group, IReadOnlyList<string> Sections)> Files =
    [
        ("categories.txt", LexiconGroup.Category, LexiconSections.Categories),
        ("intents.txt", LexiconGroup.Intent, LexiconSections.IntentFile),
        ("urgency.txt", LexiconGroup.Urgency, LexiconSections.UrgencyFile),
        ("modifiers.txt", LexiconGroup.Modifier, LexiconSections.ModifierFile),
        ("places.txt", LexiconGroup.Place, LexiconSections.PlaceFile),
        ("bodies.txt", LexiconGroup.Body, LexiconSections.BodyFile),
        ("cues.txt", LexiconGroup.Cue, LexiconSections.CueFile),
        ("dialogue.txt", LexiconGroup.Dialogue, LexiconSections.DialogueFile),
    ];

    private IntakeLexicon(IReadOnlyList<string> terms, LexiconEntry[][] entries, TextNormaliser normaliser)
    {
        Terms = terms;
        Entries = entries;
        Matcher = TermMatcher.Build(terms);
        Normaliser = normaliser;
        LongestTerm = terms.Count == 0 ? 0 : terms.Max(t => t.Length);
    }

    /// <summary>The length of the longest term: how far back a word that hides another can start.</summary>
    public int LongestTerm { get; }

    /// <summary>Every distinct term of every file; a <see cref="TermHit"/>'s Term indexes this list.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>What each term means (a term may sit in several sections or files).</summary>
    public LexiconEntry[][] Entries { get; }

    public TermMatcher Matcher { get; }

    public TextNormaliser Normaliser { get; }

    /// <summary>The terms of one file section (for the segmenter's user dictionary and for tests).</summary>
    public IEnumerable<string> TermsOf(LexiconGroup group) =>
        Terms.Where((_, i) => Entries[i].Any(e => e.Group == group));

    public static IntakeLexicon Load(string folder)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var terms = new List<string>();
        var entries = new List<List<LexiconEntry>>();
        foreach (var (file, group, sections) in Files)
        {
            foreach (var (section, term, weight) in ReadTerms(Path.Combine(folder, file), sections))
            {
                if (!index.TryGetValue(term, out var i))
                {
                    i = terms.Count;
                    index[term] = i;
                    terms.Add(term);
                    entries.Add([]);
                }
                entries[i].Add(new LexiconEntry(group, (byte)section, weight));
            }
        }
        var normaliser = new TextNormaliser(
            ReadTraditional(Path.Combine(folder, "traditional.txt")),
            ReadReplacements(Path.Combine(folder, "variants.txt")));
        // Terms are matched on normalised text: a term written in traditional characters or with a
        // known typo would never match, so it is normalised the same way.
        var normalised = terms.Select(normaliser.NormaliseTerm).ToList();
        if (normalised.SequenceEqual(terms, StringComparer.Ordinal))
        {
            return new IntakeLexicon(terms, entries.Select(e => e.ToArray()).ToArray(), normaliser);
        }
        var merged = new Dictionary<string, List<LexiconEntry>>(StringComparer.Ordinal);
        for (var i = 0; i < terms.Count; i++)
        {
            if (normalised[i].Length == 0)
            {
                continue;
            }
            if (!merged.TryGetValue(normalised[i], out var list))
            {
                merged[normalised[i]] = list = [];
            }
            list.AddRange(entries[i]);
        }
        return new IntakeLexicon(merged.Keys.ToList(), merged.Values.Select(e => e.Distinct().ToArray()).ToArray(), normaliser);
    }

    /// <summary>
    /// Reads a sectioned term file: <c>[section]</c> headers, then lines of an optional weight and
    /// words separated by spaces; <c>#</c> starts a comment. An unknown section stops the load with
    /// the file and line, so a typo in a data file is found at start-up, not in production answers.
    /// </summary>
    public static IEnumerable<(int Section, string Term, float Weight)> ReadTerms(string path, IReadOnlyList<string> sections)
    {
        var section = -1;
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = StripComment(raw);
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('['))
            {
                var name = line.Trim('[', ']', ' ');
                section = IndexOf(sections, name);
                if (section < 0)
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: unknown section [{name}]; known: {string.Join(", ", sections)}.");
                }
                continue;
            }
            if (section < 0)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: words before the first [section].");
            }
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var weight = 1f;
            var first = 0;
            if (float.TryParse(words[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && words.Length > 1)
            {
                weight = w;
                first = 1;
            }
            for (var i = first; i < words.Length; i++)
            {
                yield return (section, words[i].ToLowerInvariant(), weight);
            }
        }
    }

    /// <summary>variants.txt: <c>written => meant</c> lines; the section decides whole-word matching.</summary>
    public static IReadOnlyList<Replacement> ReadReplacements(string path)
    {
        var list = new List<Replacement>();
        var ascii = false;
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = StripComment(raw);
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('['))
            {
                ascii = line.Trim('[', ']', ' ') == "ascii";
                continue;
            }
            var parts = line.Split("=>", 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: expected \"written => meant\".");
            }
            list.Add(new Replacement(parts[0].ToLowerInvariant(), parts[1], ascii));
        }
        return list;
    }

    /// <summary>traditional.txt: pairs of a traditional character and its simplified form.</summary>
    public static IReadOnlyDictionary<char, char> ReadTraditional(string path)
    {
        var map = new Dictionary<char, char>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            foreach (var pair in StripComment(raw).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (pair.Length != 2)
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: \"{pair}\" is not a traditional and a simplified character.");
                }
                map[pair[0]] = pair[1];
            }
        }
        return map;
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf('#');
        return (hash >= 0 ? line[..hash] : line).Trim();
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }
        return -1;
    }
}
