using System.Globalization;
using System.Text;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>A word residents write and the word the lexicons know it by (variants.txt).</summary>
public sealed record Replacement(string Written, string Meant, bool WholeAsciiWord);

/// <summary>
/// Turns what a resident typed into the text the lexicons are matched on: NFKC (full-width digits,
/// letters and punctuation become ASCII, DESIGN.md "Text limits"), English lower-cased, invisible
/// characters dropped, traditional characters simplified, then typos, Shanghainese, pinyin initials
/// and English words replaced by their lexicon words (variants.txt), longest first.
/// </summary>
public sealed class TextNormaliser
{
    // Traditional to simplified as a table indexed by the character: one read per character.
    private readonly char[] _simplified;
    private readonly IReadOnlyList<Replacement> _replacements;
    private readonly TermMatcher _matcher;

    public TextNormaliser(IReadOnlyDictionary<char, char> traditional, IReadOnlyList<Replacement> replacements)
    {
        _simplified = new char[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            _simplified[c] = (char)c;
        }
        foreach (var (from, to) in traditional)
        {
            _simplified[from] = to;
        }
        // The written side is matched on text that is already folded, so fold it the same way.
        _replacements = replacements
            .Select(r => r with { Written = Fold(r.Written) })
            .Where(r => r.Written.Length > 0)
            .GroupBy(r => r.Written, StringComparer.Ordinal)
            .Select(g => g.Last())
            .ToList();
        _matcher = TermMatcher.Build(_replacements.Select(r => r.Written).ToList());
    }

    public string Normalise(string text)
    {
        var folded = Fold(text);
        var hits = new List<TermHit>();
        _matcher.FindAll(folded, hits);
        if (hits.Count == 0)
        {
            return folded;
        }
        // Leftmost-longest, without overlaps: 伐来 (不来) before 伐 (吗).
        hits.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var builder = new StringBuilder(folded.Length + 8);
        var at = 0;
        foreach (var hit in hits)
        {
            if (hit.Start < at)
            {
                continue;
            }
            var replacement = _replacements[hit.Term];
            if (replacement.WholeAsciiWord && !IsWholeWord(folded, hit))
            {
                continue;
            }
            builder.Append(folded, at, hit.Start - at).Append(replacement.Meant);
            at = hit.End;
        }
        builder.Append(folded, at, folded.Length - at);
        return builder.ToString();
    }

    /// <summary>A lexicon term, normalised as a message would be (so a traditional or misspelt term still matches).</summary>
    public string NormaliseTerm(string term) => Normalise(term).Trim();

    private static bool IsWholeWord(string text, TermHit hit) =>
        (hit.Start == 0 || !IsAsciiLetter(text[hit.Start - 1])) && (hit.End == text.Length || !IsAsciiLetter(text[hit.End]));

    private static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z';

    private string Fold(string text)
    {
        // NFKC through ICU costs microseconds; most messages are ASCII and common Chinese, which it leaves alone.
        var normalised = IsNfkcStable(text) ? text : text.Normalize(NormalizationForm.FormKC);
        return string.Create(normalised.Length, (normalised, _simplified), static (span, state) =>
        {
            var (source, simplified) = state;
            var length = 0;
            foreach (var raw in source)
            {
                // Full-width ASCII (ＡＢ１２，！) and the ideographic space, as NFKC maps them.
                var c = raw is >= '\uff01' and <= '\uff5e' ? (char)(raw - 0xfee0) : raw == '\u3000' ? ' ' : raw;
                if (c is >= 'A' and <= 'Z')
                {
                    span[length++] = (char)(c + 32);
                }
                else if (c is >= '\u4e00' and <= '\u9fff' or >= ' ' and <= '~')
                {
                    span[length++] = simplified[c];
                }
                else if (c is '\r' or '\n' or '\t')
                {
                    span[length++] = c == '\t' ? ' ' : '\n';
                }
                else if (char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.NonSpacingMark
                         || c is >= '\uFE00' and <= '\uFE0F')
                {
                    // zero-width spaces and joiners, variation selectors: invisible, and they split words
                }
                else
                {
                    span[length++] = simplified[c];
                }
            }
            span[length..].Fill('\0');
        }).TrimEnd('\0');
    }

    /// <summary>
    /// Only characters NFKC leaves alone or that <see cref="Fold"/> maps as NFKC would: printable
    /// ASCII, CJK ideographs, 、 and 。, full-width ASCII, the ideographic space, emoji (surrogates).
    /// </summary>
    private static bool IsNfkcStable(string text)
    {
        foreach (var c in text)
        {
            if (!(c is >= ' ' and <= '~' or >= '\u4e00' and <= '\u9fff' or '\u3001' or '\u3002' or '\u3000' or >= '\uff01' and <= '\uff5e'
                  or '\n' or '\r' or '\t' || char.IsSurrogate(c)))
            {
                return false;
            }
        }
        return true;
    }
}
