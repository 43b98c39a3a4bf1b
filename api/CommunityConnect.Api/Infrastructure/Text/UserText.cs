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

    /// <summary>NFKC: full-width digits and letters become ASCII before anything matches or parses them.</summary>
    public static string Normalize(string text) => text.Normalize(NormalizationForm.FormKC);

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
