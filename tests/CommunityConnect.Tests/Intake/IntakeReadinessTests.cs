using System.Net;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityConnect.Tests.Intake;

/// <summary>
/// The analyser loads in the background: the api answers /healthz while it loads, and the analyser
/// answers 503 with Retry-After until it is ready. The loading is held back by a gate the test opens.
/// </summary>
public sealed class IntakeReadinessTests : IAsyncLifetime
{
    private readonly GatedApp _app = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task WhileTheAnalyserLoadsHealthAnswersAndTheAnalyserAsksToRetry()
    {
        var resident = await _app.ClientFor("resident");
        await (await _app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.False(_app.Service<IntakeAnalyser>().IsReady);

        var response = await resident.PostJson("/v1/intake/analyze", new { text = "电梯坏了" });
        await response.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(IntakeApi.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        // Bad input is still a bad request, ready or not.
        await (await resident.PostJson("/v1/intake/analyze", new { text = "" })).ExpectProblem(HttpStatusCode.BadRequest);

        _app.Gate.SetResult();
        await _app.Service<IntakeAnalyser>().WhenReady;
        var analysis = await (await resident.PostJson("/v1/intake/analyze", new { text = "电梯坏了" })).Expect(HttpStatusCode.OK);
        Assert.Equal("elevator", analysis.Text("category"));
    }

    [Fact]
    public async Task AnAnalyserThatCannotLoadKeepsAnswering503AndTheApiKeepsRunning()
    {
        var resident = await _app.ClientFor("resident");
        _app.Gate.SetException(new InvalidDataException("categories.txt line 3: unknown section [watr]"));
        await Assert.ThrowsAnyAsync<Exception>(() => _app.Service<IntakeAnalyser>().WhenReady);
        var problem = await (await resident.PostJson("/v1/intake/analyze", new { text = "电梯坏了" })).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain("watr", problem.ToString());
        await (await _app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
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
