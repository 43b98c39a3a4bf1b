using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.DiscussionHall;

public sealed class VolunteerTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> PostVolunteerCallAsync(int cap) =>
        (await (await app.ClientFor("residents")).PostThread(new
        {
            kind = "volunteer",
            title = "招募垃圾分类志愿者",
            body = "每天早上 7:00–9:00 在垃圾箱房值守,指导分类投放。",
            category = "sanitation",
            volunteerCap = cap,
        })).Id();

    [Fact]
    public async Task TwentyParallelSignUpsForTheLastThreePlacesLetExactlyThreeIn()
    {
        var threadId = await PostVolunteerCallAsync(cap: 5);
        await (await (await app.ClientFor("resident")).PostAsync($"/v1/threads/{threadId}/signups", null)).Expect(HttpStatusCode.Created);
        await (await (await app.ClientFor("tenant")).PostAsync($"/v1/threads/{threadId}/signups", null)).Expect(HttpStatusCode.Created);

        var volunteers = new List<HttpClient>();
        for (var i = 0; i < 20; i++)
        {
            volunteers.Add(await app.ClientFor($"vol-{i}", communityId: 1, role: "resident", unitId: 1 + i));
        }
        var responses = await Task.WhenAll(volunteers.Select(v => v.PostAsync($"/v1/threads/{threadId}/signups", null)));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(17, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await refused.ExpectProblem(HttpStatusCode.Conflict);
        }
        var thread = await (await app.ClientFor("residents")).GetJson($"/v1/threads/{threadId}");
        Assert.Equal(5, thread.GetProperty("signupCount").GetInt32());
        Assert.Equal(5, thread.GetProperty("volunteerCap").GetInt32());
    }

    [Fact]
    public async Task ASecondSignUpIsAConflictAndWithdrawingFreesThePlace()
    {
        var threadId = await PostVolunteerCallAsync(cap: 1);
        var tenant = await app.ClientFor("tenant");
        var signup = await (await tenant.PostAsync($"/v1/threads/{threadId}/signups", null)).Expect(HttpStatusCode.Created);
        Assert.Equal(1, signup.GetProperty("signupCount").GetInt32());
        Assert.True((await tenant.GetJson($"/v1/threads/{threadId}")).GetProperty("signedUpByMe").GetBoolean());
        await (await tenant.PostAsync($"/v1/threads/{threadId}/signups", null)).ExpectProblem(HttpStatusCode.Conflict);

        var resident = await app.ClientFor("resident");
        await (await resident.PostAsync($"/v1/threads/{threadId}/signups", null)).ExpectProblem(HttpStatusCode.Conflict);
        await (await tenant.DeleteAsync($"/v1/threads/{threadId}/signups")).Expect(HttpStatusCode.NoContent);
        await (await tenant.DeleteAsync($"/v1/threads/{threadId}/signups")).Expect(HttpStatusCode.NoContent);
        Assert.Equal(0, (await tenant.GetJson($"/v1/threads/{threadId}")).GetProperty("signupCount").GetInt32());
        await (await resident.PostAsync($"/v1/threads/{threadId}/signups", null)).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task OnlyMembersSignUpAndOnlyForVolunteerCalls()
    {
        var threadId = await PostVolunteerCallAsync(cap: 10);
        await (await (await app.ClientFor("street")).PostAsync($"/v1/threads/{threadId}/signups", null)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostAsync($"/v1/threads/{threadId}/signups", null)).ExpectProblem(HttpStatusCode.NotFound);
        var discussion = await (await app.ClientFor("resident")).PostDiscussion("不是招募帖");
        await (await (await app.ClientFor("tenant")).PostAsync($"/v1/threads/{discussion.Id()}/signups", null)).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal(JsonValueKind.Null, discussion.GetProperty("signupCount").ValueKind);
    }
}
