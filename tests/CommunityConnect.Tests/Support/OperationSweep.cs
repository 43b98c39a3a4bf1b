using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// What the sweeps over every operation of the document (BadInputSweepTests, DocumentedAnswersTests)
/// share: real items behind id 1 of every kind, so that the calls reach the handlers' own checks and
/// not only "not found", and a path's values filled in so that they name those items.
/// </summary>
public static partial class OperationSweep
{
    /// <summary>The month the sweeps name in a statement's path: the one before the test clock's, finished.</summary>
    public static string Month { get; } = TestClock.Start.ToOffset(TestClock.Shanghai).AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The template with its values: the items behind id 1, the moderation action approve, the account common_income and <see cref="Month"/>.</summary>
    public static string PathOf(string template) => Placeholder().Replace(template, match => match.Value switch
    {
        "{action}" => "approve",
        "{account}" => "common_income",
        "{month}" => Month,
        _ => "1",
    });

    /// <summary>
    /// On a fresh app: a repair ticket, a conversation with the assistant, an opinion, an adopted proposal (and its project), an announcement
    /// asking for acknowledgement with an attachment, a meeting with minutes and an action, an account
    /// entry with its voucher, a survey, a ballot and a paper ballot, each the first of its kind (id 1). Answers the resident who reported and posted.
    /// </summary>
    public static async Task<HttpClient> SeedItemsBehindIdOneAsync(CommunityApp app)
    {
        var resident = await app.ClientFor("resident");
        await RepairTestKit.ReportCommonArea(resident);
        await (await resident.PostJson("/v1/communities/1/conversations", null)).Expect(HttpStatusCode.Created);
        await resident.PostOpinion("complaint", "parking", "消防通道又被堵了");
        var proposal = await resident.PostThread(new { kind = "proposal", title = "增设充电桩", body = "电瓶车飞线充电太危险", category = "parking" });
        var residents = await app.ClientFor("residents");
        await (await residents.PostJson($"/v1/threads/{proposal.Id()}/adopt", new { })).Expect(HttpStatusCode.Created);

        var announcement = await (await residents.PostJson("/v1/communities/1/announcements", new
        {
            title = "停水通知", body = "周五9点至12点停水。", audience = "all", requiresAcknowledgement = true,
        })).Expect(HttpStatusCode.Created);
        await (await residents.PostAsync($"/v1/announcements/{announcement.Id()}/attachments", Png())).Expect(HttpStatusCode.Created);

        var now = app.Clock.GetUtcNow();
        var meeting = await (await residents.PostJson("/v1/communities/1/meetings", new
        {
            kind = "coordination", topic = "充电桩选址", startsAt = now.AddHours(-1), place = "居委会会议室", participants = "各楼组长",
        })).Expect(HttpStatusCode.Created);
        await (await residents.PostJson($"/v1/meetings/{meeting.Id()}/minutes", new
        {
            attendance = "到会8人", positions = "多数支持。", decisions = "在西侧空地安装。",
            actions = new[] { new { text = "物业出具施工方案", responsibleBody = "property", due = now.AddDays(5) } },
        })).Expect(HttpStatusCode.Created);

        var owners = await app.ClientFor("owners");
        var entry = await (await owners.PostJson("/v1/communities/1/accounts/common_income/entries", new
        {
            date = now.ToOffset(TestClock.Shanghai).AddMonths(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            amount = 120_000, counterparty = "某广告公司", purpose = "电梯广告位租金",
        })).Expect(HttpStatusCode.Created);
        await (await owners.PostAsync($"/v1/account-entries/{entry.Id()}/voucher", Png())).Expect(HttpStatusCode.Created);

        await (await residents.PostJson("/v1/communities/1/surveys", new
        {
            title = "年度民主评议", closesAt = now.AddDays(14), bodies = new[] { "property", "owners_committee" },
        })).Expect(HttpStatusCode.Created);

        // A ballot on the demo owners register, and a paper ballot for 1号楼101 waiting for a second member.
        var ballot = await (await owners.PostJson("/v1/communities/1/ballots", new
        {
            title = "续聘物业服务企业", matter = "hire_property", closesAt = now.AddDays(14),
        })).Expect(HttpStatusCode.Created);
        var paper = new MultipartFormDataContent { { new StringContent("SF1101"), "ownerKey" }, { new StringContent("yes"), "choice" } };
        var photo = new ByteArrayContent(RepairTestKit.Png());
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        paper.Add(photo, "file", "ballot.png");
        await (await owners.PostAsync($"/v1/ballots/{ballot.Id()}/paper-votes", paper)).Expect(HttpStatusCode.Created);
        return resident;
    }

    private static MultipartFormDataContent Png()
    {
        var file = new ByteArrayContent(RepairTestKit.Png());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", "voucher.png" } };
    }

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex Placeholder();
}
