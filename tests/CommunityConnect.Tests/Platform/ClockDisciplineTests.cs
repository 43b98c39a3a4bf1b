using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// No test reads the real clock: a suite that passes only before some date blocks every submission
/// after it. Test clocks start at <see cref="TestClock.Start"/> or an instant the test chooses; only
/// the support folder (polling on the wall clock, the fake WeChat server's token expiry) may read
/// the system clock.
/// </summary>
public sealed class ClockDisciplineTests
{
    // Built from parts so that this file does not match itself.
    private static readonly Regex RealClock = new(
        string.Join("|", new[] { "DateTime" + @"\s*\.\s*" + "(Utc)?Now", "DateTimeOffset" + @"\s*\.\s*" + "(Utc)?Now", "TimeProvider" + @"\s*\.\s*" + "System", "Date" + "Time" + @"\s*\.\s*" + "Today" }),
        RegexOptions.Compiled);

    [Fact]
    public void NoTestCodeOutsideSupportReadsTheRealClock()
    {
        var testsFolder = Path.Combine(Repository.Root, "tests");
        var offenders = Directory.EnumerateFiles(testsFolder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsUnder(path, "bin") && !IsUnder(path, "obj") && !IsUnder(path, "Support"))
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, index)))
            .Where(x => RealClock.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.path)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "Test code reads the real clock:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheCheckFindsTheRealClock()
    {
        Assert.Matches(RealClock, "var now = DateTimeOffset" + ".UtcNow;");
        Assert.Matches(RealClock, "services.AddSingleton(TimeProvider" + ".System);");
        Assert.DoesNotMatch(RealClock, "var now = app.Clock.GetUtcNow();");
    }

    [Fact]
    public async Task EveryHostClockStartsAtTheChosenInstant()
    {
        var expected = Environment.GetEnvironmentVariable(TestClock.Variable) is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal)
            : TestClock.DefaultStart;
        Assert.Equal(expected.ToUnixTimeMilliseconds(), TestClock.Start.ToUnixTimeMilliseconds());

        IAsyncLifetime app = new CommunityApp();
        Assert.Equal(TestClock.Start, ((CommunityApp)app).Clock.GetUtcNow());
        await app.DisposeAsync();
        var chosen = TestClock.Start.AddDays(400);
        IAsyncLifetime later = CommunityApp.StartingAt(chosen);
        Assert.Equal(chosen, ((CommunityApp)later).Clock.GetUtcNow());
        await later.DisposeAsync();
    }

    private static bool IsUnder(string path, string folder) =>
        path.Split(Path.DirectorySeparatorChar).Contains(folder);
}
