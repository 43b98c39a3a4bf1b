using System.Globalization;
using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>Its own host, so the set of opinions is exactly the one below.</summary>
public sealed class OpinionTrendsTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static string WeekOf(DateTimeOffset at)
    {
        var local = at.ToOffset(Shanghai).DateTime;
        return $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}";
    }

    private static DateOnly DateOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Shanghai).DateTime);

    private static string Counts(JsonElement list) =>
        string.Join(", ", list.EnumerateArray().Select(c => $"{c.Text("category")} {c.GetProperty("count").GetInt32()}"));

    [Fact]
    public async Task TrendsCountByCategoryAndWeekAndMeasureAnswersOnAKnownSet()
    {
        var resident = await app.ClientFor("resident");
        var tenant = await app.ClientFor("tenant");
        var owners = await app.ClientFor("owners");
        var committee = await app.ClientFor("residents");
        var property = await app.ClientFor("property");

        // Week one.
        var weekOne = app.Clock.GetUtcNow();
        var o1 = await resident.PostOpinion("complaint", "property_service", "物业费涨价不公示");
        var o2 = await tenant.PostOpinion("complaint", "property_service", "物业客服态度差", anonymous: true);
        var o3 = await tenant.PostOpinion("suggestion", "pets", "设宠物便便箱");
        await resident.PostOpinion("praise", "public_facility", "谢谢物业修好健身器材", toBody: "property");
        await (await resident.PutAsync($"/v1/opinions/{o3.Id()}/agree", null)).Expect(HttpStatusCode.NoContent);
        await (await owners.PutAsync($"/v1/opinions/{o3.Id()}/agree", null)).Expect(HttpStatusCode.NoContent);
        app.Clock.Advance(TimeSpan.FromHours(2));
        await owners.Answer(o1.Id(), "已要求物业公示涨价依据。");                // first answer after 2 h
        app.Clock.Advance(TimeSpan.FromHours(2));
        await owners.Answer(o2.Id(), "已与物业经理沟通。");                     // after 4 h
        await resident.Reply(o1.Id(), true);                                   // satisfied
        await tenant.Reply(o2.Id(), false);                                    // not satisfied: reopened, open again

        // Week two (seven days later is always the next ISO week).
        app.Clock.Advance(TimeSpan.FromDays(7));
        var weekTwo = app.Clock.GetUtcNow();
        var o4 = await resident.PostOpinion("question", "parking", "访客车怎么登记?", visibility: "private");
        var o5 = await tenant.PostOpinion("complaint", "sanitation", "垃圾清运不及时");
        await (await resident.PutAsync($"/v1/opinions/{o5.Id()}/agree", null)).Expect(HttpStatusCode.NoContent);
        app.Clock.Advance(TimeSpan.FromHours(6));
        await property.Answer(o4.Id(), "在门岗扫码登记即可。");                   // after 6 h, no reply

        var from = DateOf(weekOne).AddDays(-1);
        var to = DateOf(weekTwo).AddDays(1);
        var trends = await committee.GetJson($"/v1/communities/1/opinions/trends?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal(5, trends.GetProperty("total").GetInt32());
        Assert.Equal(1, trends.GetProperty("praise").GetInt32());
        Assert.Equal("property_service 2, parking 1, pets 1, sanitation 1", Counts(trends.GetProperty("categories")));
        var weeks = trends.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal([WeekOf(weekOne), WeekOf(weekTwo)], weeks.Select(w => w.Text("week")));
        Assert.Equal(3, weeks[0].GetProperty("count").GetInt32());
        Assert.Equal("property_service 2, pets 1", Counts(weeks[0].GetProperty("categories")));
        Assert.Equal("parking 1, sanitation 1", Counts(weeks[1].GetProperty("categories")));
        Assert.Equal(3.0 / 5, trends.GetProperty("answeredShare").GetDouble(), 6);          // o1, o2, o4
        Assert.Equal(4.0, trends.GetProperty("medianHoursToFirstAnswer").GetDouble(), 6);   // median of 2, 4, 6
        Assert.Equal(0.5, trends.GetProperty("satisfactionRate").GetDouble(), 6);           // o1 yes, o2 no
        // Open, public and agreed: o3 (2), o5 (1); o2 is open again but nobody agreed with it.
        Assert.Equal([o3.Id(), o5.Id()], trends.GetProperty("topAgreedOpen").EnumerateArray().Select(o => o.Id()));

        // Week one alone.
        var first = await (await app.ClientFor("street")).GetJson(
            $"/v1/communities/1/opinions/trends?from={DateOf(weekOne):yyyy-MM-dd}&to={DateOf(weekOne):yyyy-MM-dd}");
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(1.0 * 2 / 3, first.GetProperty("answeredShare").GetDouble(), 6);
        Assert.Equal(3.0, first.GetProperty("medianHoursToFirstAnswer").GetDouble(), 6);    // median of 2, 4

        // Nothing in range: nothing to divide.
        var empty = await owners.GetJson($"/v1/communities/1/opinions/trends?from={to.AddDays(30):yyyy-MM-dd}&to={to.AddDays(31):yyyy-MM-dd}");
        Assert.Equal(0, empty.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("answeredShare").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("medianHoursToFirstAnswer").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("satisfactionRate").ValueKind);

        // Default range (the last twelve weeks) covers both weeks.
        Assert.Equal(5, (await (await app.ClientFor("secretary")).GetJson("/v1/communities/1/opinions/trends")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task TrendsAreForTheCommitteesTheSecretaryAndTheStreet()
    {
        await (await (await app.ClientFor("resident")).GetAsync("/v1/communities/1/opinions/trends")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("tenant")).GetAsync("/v1/communities/1/opinions/trends")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("property")).GetAsync("/v1/communities/1/opinions/trends")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/opinions/trends")).ExpectProblem(HttpStatusCode.NotFound);
        var owners = await app.ClientFor("owners");
        await (await owners.GetAsync("/v1/communities/1/opinions/trends?from=2026-03-01&to=2026-02-01")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await owners.GetAsync("/v1/communities/1/opinions/trends?from=2024-01-01&to=2026-01-01")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await owners.GetAsync("/v1/communities/1/opinions/trends?from=yesterday")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("street")).GetAsync("/v1/communities/1/opinions/trends")).Expect(HttpStatusCode.OK);
    }
}
