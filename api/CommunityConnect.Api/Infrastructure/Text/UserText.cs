using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace CommunityConnect.Api.Infrastructure.Text;

/// <summary>Text as a reader counts it (DESIGN.md "Text limits").</summary>
public static class UserText
{
    public const int TitleMax = 60;
    public const int BodyMax = 2000;

    /// <summary>Length in text elements: a Chinese character or an emoji with its modifiers is one.</summary>
    public static int Length(string? text) => text is null ? 0 : new StringInfo(text).LengthInTextElements;

    /// <summary>
    /// NFKC: full-width digits and letters become ASCII before anything matches or parses them.
    /// Total: input never carries a noncharacter (<see cref="Problem"/> refuses it at the door), but
    /// text from elsewhere might, and NFKC throws on some of them, so those become U+FFFD first.
    /// </summary>
    public static string Normalize(string text)
    {
        if (Problem(text) is null)
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        var clean = new StringBuilder(text.Length);
        foreach (var rune in Runes(text))
        {
            clean.Append(IsNoncharacter(rune.Value) ? Rune.ReplacementChar.ToString() : rune.ToString());
        }
        return clean.ToString().Normalize(NormalizationForm.FormKC);
    }

    /// <summary>
    /// The 66 noncharacters: U+FDD0–U+FDEF, and the last two code points of every plane (U+FFFE,
    /// U+FFFF, U+1FFFE, … U+10FFFF). Unicode keeps them for a program's internal use; they never
    /// belong in interchanged text, and .NET's NFKC refuses some of them.
    /// </summary>
    public static bool IsNoncharacter(int codePoint) =>
        codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;

    /// <summary>
    /// Why <paramref name="text"/> is not text a person can have typed (a lone surrogate, a noncharacter, or NUL), or null.
    /// NUL (U+0000) is refused because PostgreSQL's text cannot hold it: refused at the door, it is a 400 on both engines.
    /// </summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, text[++i]);
                if (IsNoncharacter(codePoint))
                {
                    return $"contains the Unicode noncharacter U+{codePoint:X4}, which text may not carry.";
                }
            }
            else if (char.IsSurrogate(c))
            {
                return $"contains a lone surrogate (\\u{(int)c:X4}), which is not Unicode text.";
            }
            else if (IsNoncharacter(c))
            {
                return $"contains the Unicode noncharacter U+{(int)c:X4}, which text may not carry.";
            }
            else if (c == '\0')
            {
                return "contains U+0000 (NUL), which text may not carry.";
            }
        }
        return null;
    }

    private static IEnumerable<Rune> Runes(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            yield return status == System.Buffers.OperationStatus.Done ? rune : Rune.ReplacementChar;
            i += Math.Max(used, 1);
        }
    }

    /// <summary>The first <paramref name="max"/> text elements, never cutting an emoji in half.</summary>
    public static string Cut(string text, int max)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= max ? text : info.SubstringByTextElements(0, max);
    }

    /// <summary>A phone number as everyone but its owner sees it: 138****1234.</summary>
    public static string? MaskPhone(string? phone) =>
        phone is null ? null : phone.Length >= 7 ? string.Concat(phone.AsSpan(0, 3), "****", phone.AsSpan(phone.Length - 4)) : "****";
}

/// <summary>Required text of 1..Max text elements, not blank.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class TextLengthAttribute(int max) : ValidationAttribute
{
    public int Max { get; } = max;

    public int Min { get; init; } = 1;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null)
        {
            return ValidationResult.Success; // [Required] decides whether null is allowed
        }
        var text = value as string ?? "";
        var length = UserText.Length(text.Trim());
        return length < Min || UserText.Length(text) > Max
            ? new ValidationResult(Min > 0
                ? $"{validationContext.DisplayName} must be {Min} to {Max} characters."
                : $"{validationContext.DisplayName} must be at most {Max} characters.")
            : ValidationResult.Success;
    }
}

/// <summary>One of a fixed set of strings; on a list of strings, every item is one of them.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class OneOfAttribute(params string[] allowed) : ValidationAttribute, IAllowedValues
{
    public IReadOnlyList<string> Allowed { get; } = allowed;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) => value switch
    {
        null => ValidationResult.Success,
        string s when Allowed.Contains(s) => ValidationResult.Success,
        IEnumerable<string?> items when items.All(item => item is not null && Allowed.Contains(item)) => ValidationResult.Success,
        IEnumerable<string?> => new ValidationResult($"{validationContext.DisplayName} may hold only: {string.Join(", ", Allowed)}."),
        _ => new ValidationResult($"{validationContext.DisplayName} must be one of: {string.Join(", ", Allowed)}."),
    };
}
