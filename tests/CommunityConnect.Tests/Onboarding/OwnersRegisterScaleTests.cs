using System.Diagnostics;
using System.Net;
using System.Text;
using CommunityConnect.Tests.Support;
using Xunit.Abstractions;

namespace CommunityConnect.Tests.Onboarding;

/// <summary>
/// A 100,000-unit register imports in seconds, and the single writer keeps serving other writes while
/// it does: the version is built in chunks of 5,000 rows, each its own unit of work.
/// </summary>
public sealed class OwnersRegisterScaleTests(CommunityApp app, ITestOutputHelper output) : IClassFixture<CommunityApp>
{
    private static string File(int buildings, int unitsPerBuilding, string suffix)
    {
        var csv = new StringBuilder("building,unit,area,owners\n");
        for (var b = 1; b <= buildings; b++)
        {
            for (var u = 0; u < unitsPerBuilding; u++)
            {
                var unit = (u / 4 + 1) * 100 + u % 4 + 1;
                csv.Append(b).Append(',').Append(unit).Append(',').Append(60 + (b * 7 + u) % 80).Append(".5,")
                    .Append($"K{b}-{unit}{suffix}").Append('\n');
            }
        }
        return csv.ToString();
    }

    [Fact]
    public async Task AHundredThousandUnitsImportInSecondsWithoutHoldingTheWriter()
    {
        var street = await app.ClientFor("street");
        var communityId = (await (await street.PostJson("/v1/streets/1/communities", new { name = "十万户小区", address = "某路" })).Expect(HttpStatusCode.Created)).Id();
        var first = File(500, 200, "");

        var probes = new List<double>();
        using var stop = new CancellationTokenSource();
        var prober = Task.Run(async () =>
        {
            var client = app.CreateClient();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await (await client.PostJson("/v1/auth/dev-login", new { handle = $"probe-{i}" })).Expect(HttpStatusCode.OK);
                probes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(20);
            }
        });

        var clock = Stopwatch.StartNew();
        var summary = await (await OnboardingKit.ImportRegister(street, communityId, first)).Expect(HttpStatusCode.Created);
        var firstImport = clock.Elapsed;
        clock.Restart();
        var again = await (await OnboardingKit.ImportRegister(street, communityId, File(500, 200, "b"))).Expect(HttpStatusCode.Created);
        var reImport = clock.Elapsed;
        await stop.CancelAsync();
        await prober;

        Assert.Equal((100_000, 100_000), (summary.GetProperty("units").GetInt32(), summary.GetProperty("owners").GetInt32()));
        Assert.Equal(100_000, again.GetProperty("units").GetInt32());
        var slowest = probes.Max();
        output.WriteLine($"first import {firstImport.TotalSeconds:F1} s, re-import {reImport.TotalSeconds:F1} s; " +
                         $"{probes.Count} writes meanwhile, slowest {slowest:F0} ms, median {probes.Order().ElementAt(probes.Count / 2):F0} ms");
        Assert.True(firstImport < TimeSpan.FromSeconds(60) && reImport < TimeSpan.FromSeconds(60), $"{firstImport} / {reImport}");
    }
}
