using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CommunityConnect.Api.Features.Onboarding;

namespace CommunityConnect.Tests.Support;

/// <summary>A host on an empty database: no demo street, no demo users (dev-login still makes plain users).</summary>
public sealed class EmptyCommunityApp : CommunityApp
{
    public EmptyCommunityApp()
    {
        Settings["Seed:Demo"] = "false";
    }
}

/// <summary>Invitations, the admin command and the owners register, as the tests use them.</summary>
public static partial class OnboardingKit
{
    /// <summary>Runs <c>admin …</c> in-process against the app's database; answers the exit code and what it printed.</summary>
    public static async Task<(int Exit, string Output)> Admin(CommunityApp app, params string[] args)
    {
        app.CreateClient(); // the host (and its migrated database) exists
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCommand.InvokeAsync(app.Services, args, output, error);
        return (exit, output + error.ToString());
    }

    /// <summary>The code of an <c>admin invite</c>'s output.</summary>
    public static string CodeIn(string output) => CodeLine().Match(output) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidOperationException($"No code in: {output}");

    public static async Task<string> AdminInvite(CommunityApp app, string street)
    {
        var (exit, output) = await Admin(app, "invite", "--street", street, "--role", "street_admin");
        Assert.True(exit == 0, output);
        return CodeIn(output);
    }

    /// <summary>Creates an invitation; answers its id and code.</summary>
    public static async Task<(long Id, string Code)> Invite(HttpClient client, object body)
    {
        var created = await (await client.PostJson("/v1/invitations", body)).Expect(HttpStatusCode.Created);
        return (created.Id(), created.Text("code"));
    }

    public static async Task<JsonElement> Redeem(HttpClient client, string code) =>
        await (await client.PostJson("/v1/invitations/redeem", new { code })).Expect(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> ImportRegister(HttpClient client, long communityId, string csv)
    {
        var content = new StringContent(csv, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        return client.PostAsync($"/v1/communities/{communityId}/owners-register", content);
    }

    [GeneratedRegex(@"Code: ([A-Z2-7]+)")]
    private static partial Regex CodeLine();
}
