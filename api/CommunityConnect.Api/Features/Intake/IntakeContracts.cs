using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>A message to analyse: 1 to 2,000 characters of text.</summary>
public sealed record AnalyzeInput([property: Required, TextLength(UserText.BodyMax), ReadableText] string? Text);

/// <summary>The analyser's answer (labels of shared/intake/TAXONOMY.md).</summary>
/// <param name="Intent">repair, complaint, proposal, question or other.</param>
/// <param name="Category">A taxonomy category (water, electric, elevator, gas, access, ...).</param>
/// <param name="ResponsibleBody">The taxonomy's default first body: property, owners_committee or residents_committee.</param>
/// <param name="Building">The building number, digits only, or null.</param>
/// <param name="Unit">The room number, digits only, or null (a floor or a stairway is not a unit).</param>
/// <param name="Urgent">A risk to people or property right now.</param>
/// <param name="Confidence">0..1.</param>
/// <param name="Missing">What a filing would still need: location, category, description.</param>
public sealed record AnalysisView(
    string Intent, string Category, string ResponsibleBody, string? Building, string? Unit, bool Urgent, double Confidence,
    IReadOnlyList<string> Missing)
{
    public static AnalysisView Of(IntakeAnalysis analysis) => new(
        analysis.Intent, analysis.Category, analysis.ResponsibleBody, analysis.Building, analysis.Unit, analysis.Urgent,
        analysis.Confidence, analysis.Missing);
}

/// <summary>
/// Text a person wrote: no control characters (but line breaks and tabs) and no broken surrogate
/// pairs, which no keyboard produces and which would garble a stored message.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class ReadableTextAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text)
        {
            return ValidationResult.Success;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var broken = char.IsHighSurrogate(c) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[++i]) : char.IsLowSurrogate(c);
            if (broken || (char.GetUnicodeCategory(c) == UnicodeCategory.Control && c is not ('\n' or '\r' or '\t')))
            {
                return new ValidationResult($"{validationContext.DisplayName} contains characters that are not text (control characters or broken surrogate pairs).");
            }
        }
        return ValidationResult.Success;
    }
}
