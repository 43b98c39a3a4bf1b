namespace CommunityConnect.Api.Infrastructure.Reports;

/// <summary>The figures the reports share (the repair scoreboard, opinion trends, the evaluation of the bodies).</summary>
public static class Statistics
{
    /// <summary>The middle value; the mean of the two middle values for an even count; null for none.</summary>
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Rounds a figure that may be missing.</summary>
    public static double? Round(double? value, int digits) => value is null ? null : Math.Round(value.Value, digits);
}
