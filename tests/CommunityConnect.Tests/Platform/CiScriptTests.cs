using System.Diagnostics;

namespace CommunityConnect.Tests.Platform;

/// <summary>.ci/run must fail when a test run (the SQLite pass or the PostgreSQL pass) executed no test, and pass runs that did.</summary>
public sealed class CiScriptTests
{
    private static (int ExitCode, string Output) CountTests(string log) => CountTests([(null, log)]);

    /// <summary>count-tests over one log per pass, each given as LABEL=FILE when it has a label (.ci/run's sqlite= and postgres=).</summary>
    private static (int ExitCode, string Output) CountTests((string? Label, string Log)[] logs)
    {
        var files = logs.Select(l => (l.Label, File: Path.GetTempFileName())).ToList();
        for (var i = 0; i < logs.Length; i++)
        {
            File.WriteAllText(files[i].File, logs[i].Log);
        }
        var script = Path.Combine(Path.GetDirectoryName(OpenApiDocumentTests.CommittedPath)!, "..", ".ci", "count-tests");
        var arguments = new List<string> { script };
        arguments.AddRange(files.Select(f => f.Label is null ? f.File : $"{f.Label}={f.File}"));
        using var process = Process.Start(new ProcessStartInfo("bash", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        files.ForEach(f => File.Delete(f.File));
        return (process.ExitCode, output);
    }

    private const string RanTests =
        "Passed!  - Failed:     0, Passed:    58, Skipped:     1, Total:    59, Duration: 7 s - CommunityConnect.Tests.dll (net10.0)\n";

    [Fact]
    public void BothPassesAreCountedEachUnderItsLabel()
    {
        var (exitCode, output) = CountTests([("sqlite", RanTests),
            ("postgres", "Failed!  - Failed:     2, Passed:    55, Skipped:     2, Total:    59, Duration: 9 s - CommunityConnect.Tests.dll (net10.0)\n")]);
        Assert.Equal(0, exitCode);
        Assert.Contains("sqlite: 58 passed, 0 failed", output);
        Assert.Contains("postgres: 55 passed, 2 failed", output);
    }

    [Fact]
    public void APostgresPassThatRanNoTestFailsTheRunThoughTheSqlitePassRan()
    {
        var (exitCode, output) = CountTests([("sqlite", RanTests), ("postgres", "PostgreSQL is not running: the PostgreSQL pass cannot run\n")]);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("sqlite: 58 passed, 0 failed", output);
        Assert.Contains("postgres: count-tests: no test ran", output);
    }

    [Fact]
    public void ARunWithNoTestFails()
    {
        var (exitCode, output) = CountTests("Build succeeded.\nNo test is available in CommunityConnect.Tests.dll.\n");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("0 passed, 0 failed", output);
    }

    [Fact]
    public void ARunWithTestsIsCounted()
    {
        var (exitCode, output) = CountTests(
            "Passed!  - Failed:     0, Passed:    58, Skipped:     1, Total:    59, Duration: 7 s - CommunityConnect.Tests.dll (net10.0)\n");
        Assert.Equal(0, exitCode);
        Assert.Contains("58 passed, 0 failed", output);
    }
}
