using System.Globalization;
using System.Text;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Moderation;

public static class WordLevels
{
    public const string Block = "block";
    public const string Review = "review";
}

public sealed record ModerationWord(string Text, string Level);

/// <summary>
/// Matches text against a word list the way a dodger cannot easily slip past: both sides are
/// NFKC-normalised (full-width letters and digits become ASCII), lower-cased, and stripped of
/// spaces, punctuation, symbols and control characters, so "傻 逼", "傻*逼" and "ＳＢ" match.
/// </summary>
public sealed class WordList(IReadOnlyList<ModerationWord> words)
{
    private readonly IReadOnlyList<(string Key, string Level)> _keys = words
        .Select(w => (Key: Fold(w.Text), w.Level))
        .Where(w => w.Key.Length > 0)
        .ToList();

    public IReadOnlyList<ModerationWord> Words { get; } = words;

    /// <summary>The strongest level any word reaches in the texts (block over review), or null.</summary>
    public string? Match(params string?[] texts)
    {
        var folded = string.Concat(texts.Where(t => t is not null).Select(t => Fold(t!)));
        string? found = null;
        foreach (var (key, level) in _keys)
        {
            if (folded.Contains(key, StringComparison.Ordinal))
            {
                if (level == WordLevels.Block)
                {
                    return WordLevels.Block;
                }
                found = WordLevels.Review;
            }
        }
        return found;
    }

    public static string Fold(string text)
    {
        var normalized = UserText.Normalize(text).ToLowerInvariant();
        var builder = new StringBuilder(normalized.Length);
        foreach (var rune in normalized.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var skip = category is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol
                or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol or UnicodeCategory.NonSpacingMark;
            if (!skip)
            {
                builder.Append(rune.ToString());
            }
        }
        return builder.ToString();
    }

    /// <summary>Reads the shipped default list (Data/moderation-words.default.txt).</summary>
    public static IReadOnlyList<ModerationWord> LoadDefault(string contentRoot)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Data", "moderation-words.default.txt");
        if (!File.Exists(file))
        {
            file = Path.Combine(contentRoot, "Data", "moderation-words.default.txt");
        }
        return File.ReadAllLines(file)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2 && parts[0] is WordLevels.Block or WordLevels.Review)
            .Select(parts => new ModerationWord(parts[1], parts[0]))
            .ToList();
    }
}
