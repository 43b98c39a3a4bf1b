using System.Globalization;
using System.Text.RegularExpressions;
using CommunityConnect.Api.Infrastructure.Text;
using CsvHelper;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>What an owner key is: the text on a property certificate (or <c>developer</c>), NFKC-normalised and trimmed.</summary>
public static class OwnerKeys
{
    public const int MaxLength = 64;

    /// <summary>The developer's unsold units: all of them together are one voting owner.</summary>
    public const string Developer = "developer";

    public static string Normalize(string key) => UserText.Normalize(key).Trim();
}

/// <summary>One unit of the register as the file gives it.</summary>
public sealed record RegisterRow(string Building, string Unit, int Floor, long AreaCentiSqM, string OwnerSet, IReadOnlyList<string> Keys);

/// <summary>A parsed file: its rows, or every bad line with what is wrong with it.</summary>
public sealed record RegisterFile(IReadOnlyList<RegisterRow> Rows, IReadOnlyDictionary<string, string[]> Errors)
{
    public long Buildings => Rows.Select(r => r.Building).Distinct().LongCount();

    /// <summary>
    /// Voting owners as the Supreme People's Court counts them (建筑物区分所有权司法解释 art. 9): units
    /// whose owner sets are identical belong to one owner (one person with several units; the
    /// developer's unsold units together), and a co-owned unit is one owner. Sets that differ are
    /// different owners even when they share a key.
    /// </summary>
    public long Owners => Rows.Select(r => r.OwnerSet).Distinct(StringComparer.Ordinal).LongCount();

    public long TotalAreaCentiSqM => Rows.Sum(r => r.AreaCentiSqM);
}

/// <summary>
/// Reads an owners-register CSV (header <c>building,unit,area,owners</c>, optional <c>floor</c>): one row
/// per unit, the exclusive floor area in square metres with up to two decimals, the owner keys separated
/// by <c>;</c>. Every bad line is reported, so a file is fixed in one go.
/// </summary>
public static partial class OwnersRegisterFile
{
    public const string ContentType = "text/csv";
    private static readonly string[] Required = ["building", "unit", "area", "owners"];

    public static async Task<RegisterFile> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        var rows = new List<RegisterRow>();
        var errors = new Dictionary<string, string[]>();
        var seen = new Dictionary<(string, string), long>();
        try
        {
            await using var csv = CsvReader.Create(body, new CsvReaderOptions { Separator = ',', TrackLineNumbers = true, TrimWhitespace = true }, leaveOpen: true);
            await csv.ReadHeaderAsync(cancellationToken);
            var header = csv.Headers.Select(h => UserText.Normalize(h).Trim().ToLowerInvariant()).ToList();
            var missing = Required.Where(column => !header.Contains(column)).ToList();
            if (missing.Count > 0)
            {
                errors["line 1"] = [$"The header must name the columns building, unit, area and owners (floor is optional); missing: {string.Join(", ", missing)}."];
                return new RegisterFile([], errors);
            }
            var (building, unit, area, owners, floor) =
                (header.IndexOf("building"), header.IndexOf("unit"), header.IndexOf("area"), header.IndexOf("owners"), header.IndexOf("floor"));
            while (await csv.ReadAsync(cancellationToken))
            {
                var line = csv.LineNumber;
                var problems = new List<string>();
                string Field(int index) => index < csv.FieldCount ? UserText.Normalize(csv.GetString(index)).Trim() : "";
                if (csv.FieldCount < header.Count)
                {
                    problems.Add($"the line has {csv.FieldCount} columns, the header {header.Count}.");
                }
                var buildingNumber = BuildingNumber(Field(building));
                var unitNumber = Field(unit);
                if (buildingNumber.Length is 0 or > 20)
                {
                    problems.Add("building is missing (or longer than 20 characters).");
                }
                if (unitNumber.Length is 0 or > 20)
                {
                    problems.Add("unit is missing (or longer than 20 characters).");
                }
                var areaCenti = Area(Field(area));
                if (areaCenti is null)
                {
                    problems.Add("area must be a number of square metres above 0 with up to two decimals.");
                }
                var keys = Field(owners).Split(';').Select(OwnerKeys.Normalize).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal).ToList();
                if (keys.Count == 0)
                {
                    problems.Add("owners must name at least one owner key (co-owners separated by ';', developer for unsold units).");
                }
                else if (keys.Any(k => k.Length > OwnerKeys.MaxLength || k.Contains(',') || UserText.Problem(k) is not null))
                {
                    problems.Add($"an owner key is longer than {OwnerKeys.MaxLength} characters or holds a character that is not text.");
                }
                var floorNumber = floor >= 0 && Field(floor) is { Length: > 0 } given ? FloorOf(given) : FloorFromUnit(unitNumber);
                if (floorNumber is null)
                {
                    problems.Add(floor >= 0 && Field(floor).Length > 0
                        ? "floor must be a whole number between -10 and 300."
                        : "floor cannot be read from the unit number (502 is on floor 5): add a floor column.");
                }
                if (buildingNumber.Length > 0 && unitNumber.Length > 0)
                {
                    if (seen.TryGetValue((buildingNumber, unitNumber), out var first))
                    {
                        problems.Add($"unit {buildingNumber}号楼{unitNumber} is already on line {first}.");
                    }
                    else
                    {
                        seen[(buildingNumber, unitNumber)] = line;
                    }
                }
                if (problems.Count > 0)
                {
                    errors[$"line {line}"] = [.. problems];
                    continue;
                }
                rows.Add(new RegisterRow(buildingNumber, unitNumber, floorNumber!.Value, areaCenti!.Value, string.Join(';', keys), keys));
            }
        }
        catch (CsvFormatException e)
        {
            errors[$"line {e.LineNumber}"] = ["the line is not well-formed CSV."];
        }
        if (rows.Count == 0 && errors.Count == 0)
        {
            errors["body"] = ["The file has no units."];
        }
        return new RegisterFile(rows, errors);
    }

    /// <summary>"3", "3号楼" and "3号" name building 3.</summary>
    private static string BuildingNumber(string text) =>
        text.EndsWith("号楼", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('号') ? text[..^1] : text;

    private static long? Area(string text)
    {
        var match = AreaPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }
        var whole = long.Parse(match.Groups["whole"].Value, CultureInfo.InvariantCulture);
        var fraction = match.Groups["fraction"].Value.PadRight(2, '0');
        var centi = whole * 100 + (fraction.Length > 0 ? int.Parse(fraction, CultureInfo.InvariantCulture) : 0);
        return centi > 0 ? centi : null;
    }

    private static int? FloorOf(string text) =>
        FloorPattern().IsMatch(text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var floor) && floor is >= -10 and <= 300
            ? floor
            : null;

    /// <summary>The unit number without its last two digits: 502 is on floor 5, 1201 on floor 12.</summary>
    private static int? FloorFromUnit(string unit) =>
        unit.Length >= 3 && unit.All(char.IsAsciiDigit) && int.TryParse(unit[..^2], CultureInfo.InvariantCulture, out var floor) && floor is >= 1 and <= 300
            ? floor
            : null;

    [GeneratedRegex("^(?<whole>[0-9]{1,7})(?:\\.(?<fraction>[0-9]{1,2}))?$")]
    private static partial Regex AreaPattern();

    [GeneratedRegex("^-?[0-9]{1,3}$")]
    private static partial Regex FloorPattern();
}
