using System.Net;
using System.Text;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityConnect.Tests.Conversations;

/// <summary>Conversations are their resident's own; bad input, final states, resends and the FAQ's editors.</summary>
public sealed class ConversationAccessTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AnotherUsersConversationDoesNotExistForTheCaller()
    {
        var owner = await app.NewResident(5);
        var chat = await owner.StartChat();
        await owner.Say(chat, "你好");
        foreach (var handle in new[] { "tenant", "residents", "secretary", "street" })
        {
            var other = await app.ClientFor(handle);
            await (await other.GetAsync($"/v1/conversations/{chat}")).ExpectProblem(HttpStatusCode.NotFound);
            await (await other.PostJson($"/v1/conversations/{chat}/messages", new { text = "是" })).ExpectProblem(HttpStatusCode.NotFound);
            var theirs = await other.GetJson("/v1/me/conversations");
            Assert.DoesNotContain(theirs.GetProperty("items").EnumerateArray(), c => c.Id() == chat);
        }
        await (await owner.GetAsync("/v1/conversations/999999")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnotherCommunityDoesNotExistForTheCaller()
    {
        var resident = await app.ClientFor("resident");
        await (await resident.PostJson("/v1/communities/2/conversations", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident.GetAsync("/v1/communities/2/faq")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident.PostJson("/v1/communities/999/conversations", null)).ExpectProblem(HttpStatusCode.NotFound);
        // The street admin oversees the community but does not chat in it.
        await (await (await app.ClientFor("street")).PostJson("/v1/communities/1/conversations", null)).ExpectProblem(HttpStatusCode.Forbidden);
    }

    public static TheoryData<string> BadBodies => new()
    {
        "{}",
        "{\"text\": null}",
        "{\"text\": \"\"}",
        "{\"text\": \"   \"}",
        "{\"text\": 5}",
        "{\"text\": \"" + new string('漏', 2001) + "\"}",
        "{\"text\": \"电梯\\u0000坏了\"}",
        "[\"电梯坏了\"]",
        "{\"text\": ",
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task AnEmptyOrOverlongMessageIsABadRequestAndChangesNothing(string json)
    {
        var resident = await app.NewResident(6);
        var chat = await resident.StartChat();
        var response = await resident.PostAsync($"/v1/conversations/{chat}/messages", new StringContent(json, Encoding.UTF8, "application/json"));
        await response.ExpectProblem(HttpStatusCode.BadRequest);
        var replay = await resident.GetJson($"/v1/conversations/{chat}");
        Assert.Single(replay.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task AFiledConversationTakesNoMoreMessages()
    {
        var resident = await app.NewResident(7);
        var chat = await resident.StartChat();
        await resident.Say(chat, "2号楼楼顶在渗水");
        await resident.Say(chat, "确认提交");
        var problem = await (await resident.PostJson($"/v1/conversations/{chat}/messages", new { text = "还有一件事" }))
            .ExpectProblem(HttpStatusCode.Conflict);
        Assert.Contains("filed", problem.Text("title"));
    }

    [Fact]
    public async Task AResentMessageWithTheSameIdempotencyKeyFilesOnce()
    {
        var resident = await app.NewResident(8);
        var chat = await resident.StartChat();
        await resident.Say(chat, "2号楼信报箱的门掉了");

        async Task<HttpResponseMessage> Send()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{chat}/messages")
            {
                Content = new StringContent("{\"text\":\"确认提交\"}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "chat-confirm-1");
            return await resident.SendAsync(request);
        }

        var first = await (await Send()).Expect(HttpStatusCode.Created);
        var again = await Send();
        var replayed = await again.Expect(HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(first.Filed().Id(), replayed.Filed().Id());
        var mine = await resident.GetJson("/v1/communities/1/repairs?mine=true");
        Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Equal(5, (await resident.GetJson($"/v1/conversations/{chat}")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task MyConversationsAreListedLatestFirstAndPaged()
    {
        var resident = await app.NewResident(9);
        var chats = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            chats.Add(await resident.StartChat());
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await resident.Say(chats[0], "谢谢");
        var page = await resident.GetJson("/v1/me/conversations?limit=2");
        Assert.Equal([chats[0], chats[2]], page.GetProperty("items").EnumerateArray().Select(c => c.Id()));
        var next = await resident.GetJson($"/v1/me/conversations?limit=2&after={page.Text("next")}");
        Assert.Equal([chats[1]], next.GetProperty("items").EnumerateArray().Select(c => c.Id()));
        await (await resident.GetAsync("/v1/me/conversations?after=bm90LWEtY3Vyc29y")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OnlyTheResidentsCommitteeEditsTheFaq()
    {
        var body = new { entries = new[] { new { question = "垃圾几点扔?", answer = "早 7–9 点,晚 18–20 点。", keywords = new[] { "垃圾", "扔垃圾" } } } };
        foreach (var handle in new[] { "resident", "property", "owners", "street" })
        {
            await (await (await app.ClientFor(handle)).PutJson("/v1/communities/1/faq", body)).ExpectProblem(HttpStatusCode.Forbidden);
        }
        var saved = await (await (await app.ClientFor("residents")).PutJson("/v1/communities/1/faq", body)).Expect(HttpStatusCode.OK);
        Assert.Equal("垃圾几点扔?", saved.GetProperty("entries")[0].Text("question"));
        var read = await (await app.ClientFor("tenant")).GetJson("/v1/communities/1/faq");
        Assert.Equal(["垃圾", "扔垃圾"], read.GetProperty("entries")[0].GetProperty("keywords").EnumerateArray().Select(k => k.GetString()));
    }

    [Theory]
    [InlineData("{\"entries\": [null]}", "entries[0]")]
    [InlineData("{\"entries\": [{\"question\": \"问\", \"answer\": \"答\", \"keywords\": [null]}]}", "entries[0].keywords[0]")]
    [InlineData("{\"entries\": [{\"question\": \"问\", \"answer\": \"答\", \"keywords\": [\"一二三四五六七八九十一二三四五六七八九十一\"]}]}", "entries[0].keywords[0]")]
    [InlineData("{\"entries\": [{\"question\": \"问\", \"answer\": \"答\", \"keywords\": [], \"category\": \"weather\"}]}", null)]
    [InlineData("{}", "entries")]
    public async Task ABadFaqIsABadRequestNamingTheField(string json, string? field)
    {
        var residents = await app.ClientFor("residents");
        var response = await residents.PutAsync("/v1/communities/1/faq", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.ExpectProblem(HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }
}

/// <summary>While the analyser loads, a conversation can start but its messages answer 503 with Retry-After.</summary>
public sealed class ConversationReadinessTests : IAsyncLifetime
{
    private readonly GatedApp _app = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task WhileTheAnalyserLoadsAMessageAsksToRetry()
    {
        var resident = await _app.ClientFor("resident");
        var chat = await resident.StartChat();
        var response = await resident.PostJson($"/v1/conversations/{chat}/messages", new { text = "电梯坏了" });
        await response.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(IntakeApi.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);

        _app.Gate.SetResult();
        await _app.Service<IntakeAnalyser>().WhenReady;
        var turn = await resident.Say(chat, "电梯坏了");
        Assert.Equal("elevator", turn.Draft().Text("category"));
    }

    private sealed class GatedApp : CommunityApp
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override void ConfigureMore(IWebHostBuilder builder) =>
            builder.ConfigureTestServices(services => services.AddSingleton<IIntakeEngineSource>(provider =>
                new GatedSource(Gate.Task, ActivatorUtilities.CreateInstance<IntakeEngineSource>(provider))));
    }

    private sealed class GatedSource(Task gate, IIntakeEngineSource inner) : IIntakeEngineSource
    {
        public async Task<IntakeComponents> LoadAsync(CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.LoadAsync(cancellationToken);
        }
    }
}
