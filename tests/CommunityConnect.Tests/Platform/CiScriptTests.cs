using System.Diagnostics;

namespace CommunityConnect.Tests.Platform;

/// <summary>.ci/run must fail when the test run executed no test, and pass a run that did.</summary>
public sealed class CiScriptTests
{
    private static (int ExitCode, string Output) CountTests(string log)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, log);
        var script = Path.Combine(Path.GetDirectoryName(OpenApiDocumentTests.CommittedPath)!, "..", ".ci", "count-tests");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        File.Delete(file);
        return (process.ExitCode, output);
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
