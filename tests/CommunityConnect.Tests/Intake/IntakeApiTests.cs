using System.Net;
using System.Text;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Intake;

public sealed class IntakeApiTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<HttpClient> Ready(string handle)
    {
        var client = await app.ClientFor(handle);
        await app.Service<IntakeAnalyser>().WhenReady;
        return client;
    }

    [Fact]
    public async Task AResidentsMessageIsReadIntoTheTaxonomysLabels()
    {
        var resident = await Ready("resident");
        var response = await resident.PostJson("/v1/intake/analyze", new { text = "3号楼电梯又坏了,我妈被困在里面了!快来人" });
        var analysis = await response.Expect(HttpStatusCode.OK);
        Assert.Equal("repair", analysis.Text("intent"));
        Assert.Equal("elevator", analysis.Text("category"));
        Assert.Equal("property", analysis.Text("responsibleBody"));
        Assert.Equal("3", analysis.Text("building"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, analysis.GetProperty("unit").ValueKind);
        Assert.True(analysis.GetProperty("urgent").GetBoolean());
        Assert.InRange(analysis.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.Empty(analysis.GetProperty("missing").EnumerateArray());
    }

    [Fact]
    public async Task MissingSlotsAndChineseComeBackAsWritten()
    {
        var tenant = await Ready("tenant");
        var response = await tenant.PostJson("/v1/intake/analyze", new { text = "我要报修" });
        var body = await response.Content.ReadAsStringAsync();
        var analysis = await response.Expect(HttpStatusCode.OK);
        Assert.Equal(["location", "category", "description"], analysis.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("residents_committee", analysis.Text("responsibleBody"));
        Assert.DoesNotContain("\\u", body);
    }

    [Theory]
    [InlineData("resident2")]
    [InlineData("property")]
    [InlineData("street")]
    public async Task AnyVerifiedMemberOfAnyCommunityMayAsk(string handle)
    {
        var client = await Ready(handle);
        var analysis = await (await client.PostJson("/v1/intake/analyze", new { text = "谢谢居委会" })).Expect(HttpStatusCode.OK);
        Assert.Equal("other", analysis.Text("intent"));
    }

    [Fact]
    public async Task AnUnverifiedUserIsForbiddenAndAnAnonymousCallerUnauthorised()
    {
        var newcomer = await Ready("intake-newcomer");
        await (await newcomer.PostJson("/v1/intake/analyze", new { text = "电梯坏了" })).ExpectProblem(HttpStatusCode.Forbidden);
        var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJson("/v1/intake/analyze", new { text = "电梯坏了" })).StatusCode);
    }

    public static TheoryData<string> BadBodies => new()
    {
        "{}",
        "{\"text\": null}",
        "{\"text\": \"\"}",
        "{\"text\": \"   \\n \"}",
        "{\"text\": 5}",
        "{\"text\": \"电梯\\u0000坏了\"}",
        "{\"text\": \"broken \\ud83d surrogate\"}",
        "{\"text\": \"" + new string('漏', 2001) + "\"}",
        "[\"电梯坏了\"]",
        "{\"text\": ",
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadTextIsABadRequestNamingTheField(string json)
    {
        var resident = await Ready("resident");
        var response = await resident.PostAsync("/v1/intake/analyze", new StringContent(json, Encoding.UTF8, "application/json"));
        await response.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EmptyAndOverlongTextNameTheTextField()
    {
        var resident = await Ready("resident");
        foreach (var text in new[] { "", new string('漏', 2001) })
        {
            var problem = await (await resident.PostJson("/v1/intake/analyze", new { text })).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _), problem.ToString());
        }
    }

    [Fact]
    public async Task TwoThousandCharactersCountedAsAReaderCountsThemAreAccepted()
    {
        var resident = await Ready("resident");
        // 2,000 text elements, each a family emoji of seven UTF-16 code units: one character each.
        var text = "楼道灯坏了" + string.Concat(Enumerable.Repeat("👨‍👩‍👧", 1995));
        await (await resident.PostJson("/v1/intake/analyze", new { text })).Expect(HttpStatusCode.OK);
    }
}
