namespace CommunityConnect.Api.Infrastructure.Reports;

/// <summary>
/// The figures the reports share (the repair scoreboard, opinion trends, the evaluation of the bodies,
/// the street statistics). Percentiles interpolate linearly between the two nearest ranks (the
/// "inclusive" definition of Excel's PERCENTILE.INC and R's default type 7), so the 50th percentile
/// is the usual median: the middle value, or the mean of the two middle values.
/// </summary>
public static class Statistics
{
    /// <summary>The <paramref name="percent"/>th percentile (0–100); null for no values.</summary>
    public static double? Percentile(IEnumerable<double> values, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }
        var rank = percent / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }

    /// <summary>The middle value; the mean of the two middle values for an even count; null for none.</summary>
    public static double? Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>The value nine in ten stay at or under; null for none.</summary>
    public static double? P90(IEnumerable<double> values) => Percentile(values, 90);

    /// <summary>Rounds a figure that may be missing (halves away from zero, as people round).</summary>
    public static double? Round(double? value, int digits) =>
        value is null ? null : Math.Round(value.Value, digits, MidpointRounding.AwayFromZero);
}
