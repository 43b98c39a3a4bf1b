namespace CommunityConnect.Api.Infrastructure.Statistics;

/// <summary>
/// Order statistics of durations and scores. Percentiles interpolate linearly between the two
/// nearest ranks (the "inclusive" definition of Excel's PERCENTILE.INC and R's default type 7), so
/// the 50th percentile is the usual median: the middle value, or the mean of the two middle values.
/// </summary>
public static class Percentiles
{
    /// <summary>The <paramref name="percent"/>th percentile (0–100), rounded to one decimal; null for no values.</summary>
    public static double? Of(IEnumerable<double> values, double percent)
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
        var value = sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
        return Math.Round(value, 1, MidpointRounding.AwayFromZero);
    }

    public static double? Median(IEnumerable<double> values) => Of(values, 50);

    public static double? P90(IEnumerable<double> values) => Of(values, 90);
}
