using System.Net;
using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CommunityConnect.Tests.App;

/// <summary>
/// The H5 client in a real browser against the real api on loopback: a resident posts, reports a repair with
/// a photo and chats a ticket into being, the property staff work it off their queue, the resident rates it,
/// votes and verifies the receipt, then turns on elder mode. Every page passes axe and the size checks.
/// </summary>
public sealed class H5FlowTests(BrowserApp browser, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    /// <summary>
    /// Logs in by demo handle and waits for the hall. The dev-login answer is awaited and checked first, so a
    /// failed login says what the api answered (a CI run once timed out here with nothing else to go on).
    /// </summary>
    private static async Task LogIn(IPage page, string handle)
    {
        await page.GotoAsync("/app/login");
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.Locator($"[data-handle='{handle}']").ClickAsync(),
            response => response.Url.Contains("/v1/auth/dev-login", StringComparison.Ordinal) && response.Request.Method == "POST",
            new() { Timeout = 60_000 });
        Assert.True(answer.Ok, $"dev-login as {handle} answered {answer.Status}: {await answer.TextAsync()}");
        await page.WaitForURLAsync(new Regex("/app/hall$"), new() { Timeout = 60_000 });
    }

    private void Say(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has ended (a page closing late): nobody is reading any more.
        }
    }

    /// <summary>The page's console errors and failed requests, in the test's output: what a failure here needs to be read.</summary>
    private void Watch(IPage page, string who)
    {
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Say($"[{who} console {message.Type}] {message.Text}");
            }
        };
        page.PageError += (_, error) => Say($"[{who} page error] {error}");
        page.RequestFailed += (_, request) => Say($"[{who} request failed] {request.Method} {request.Url}: {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Say($"[{who} answer {response.Status}] {response.Request.Method} {response.Url}");
            }
        };
    }

    private static ILocator Tab(IPage page, string name) => page.GetByRole(AriaRole.Tab, new() { Name = name });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    [SkippableFact]
    public async Task AResidentAndThePropertyStaffGoThroughTheirDayOnAPhone()
    {
        BrowserApp.Require();
        var ballotId = (await VotingBallot()).Id();

        var resident = await browser.NewPhone();
        Watch(resident, "resident");
        await resident.GotoAsync("/app/");
        await resident.WaitForURLAsync(new Regex("/app/login"));
        await PageChecks.Check(resident, "01-login", output);
        await LogIn(resident, "resident");
        await resident.GetByText("没有更多了").WaitForAsync();
        await PageChecks.Check(resident, "02-hall", output);

        // The hall: post a thread, reply to it, support it.
        await Button(resident, "发帖").ClickAsync();
        await resident.GetByRole(AriaRole.Textbox, new() { Name = "标题", Exact = true }).FillAsync("周末一起清理楼道杂物");
        await resident.GetByRole(AriaRole.Textbox, new() { Name = "内容", Exact = true }).FillAsync("3号楼楼道堆了不少杂物，周六上午九点一起清理，欢迎邻居参加。");
        await PageChecks.Check(resident, "03-new-thread", output);
        await Button(resident, "发布").ClickAsync();
        await resident.WaitForURLAsync(new Regex("/app/threads/\\d+$"));
        await resident.GetByRole(AriaRole.Heading, new() { Name = "周末一起清理楼道杂物" }).WaitForAsync();
        await resident.GetByRole(AriaRole.Textbox, new() { Name = "回复", Exact = true }).FillAsync("我参加，带上扫帚。");
        await Button(resident, "发表回复").ClickAsync();
        await resident.Locator(".reply").GetByText("我参加，带上扫帚。").WaitForAsync();
        await resident.GetByRole(AriaRole.Button, new() { Name = "支持 0" }).ClickAsync();
        await resident.GetByRole(AriaRole.Button, new() { Name = "支持 1" }).WaitForAsync();
        await PageChecks.Check(resident, "04-thread", output);

        // A repair with a photo from the phone.
        await Tab(resident, "报修").ClickAsync();
        await Button(resident, "我要报修").ClickAsync();
        await resident.GetByRole(AriaRole.Radio, new() { Name = "水管漏水" }).ClickAsync();
        await resident.GetByRole(AriaRole.Textbox, new() { Name = "问题描述", Exact = true }).FillAsync("厨房水槽下面的水管在漏水，地上都是水。");
        await resident.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "leak.png", MimeType = "image/png", Buffer = RepairTestKit.Png(48, 48) });
        await resident.GetByText("已选 1 张").WaitForAsync();
        await PageChecks.Check(resident, "05-new-repair", output);
        await Button(resident, "提交报修").ClickAsync();
        await resident.WaitForURLAsync(new Regex("/app/repairs/\\d+$"));
        await resident.GetByAltText("报修照片1").WaitForAsync();
        Assert.True(await resident.GetByAltText("报修照片1").EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 48"));
        await PageChecks.Check(resident, "06-repair", output);

        // The assistant files a ticket from one sentence and a quick reply.
        await Tab(resident, "助手").ClickAsync();
        await resident.Locator(".bubble.bot").First.WaitForAsync();
        await resident.GetByRole(AriaRole.Textbox, new() { Name = "消息", Exact = true }).FillAsync("3号楼电梯坏了");
        await Button(resident, "发送").ClickAsync();
        await Button(resident, "确认提交").ClickAsync();
        var filed = resident.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("查看报修单 #\\d+") });
        await filed.WaitForAsync();
        var ticketId = long.Parse(Regex.Match(await filed.InnerTextAsync(), "#(\\d+)").Groups[1].Value);
        await PageChecks.Check(resident, "07-chat", output);

        // The property staff: the queue with due times, then accept, dispatch, start and resolve.
        var staff = await browser.NewPhone();
        Watch(staff, "staff");
        await LogIn(staff, "property");
        await Tab(staff, "报修").ClickAsync();
        await staff.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("待办工单") }).WaitForAsync();
        await staff.Locator(".case-card").First.WaitForAsync();
        Assert.Contains("首次响应", await staff.Locator(".case-card").First.InnerTextAsync());
        await PageChecks.Check(staff, "08-staff-queue", output);
        await staff.GotoAsync($"/app/repairs/{ticketId}");
        await Button(staff, "受理").ClickAsync();
        await Button(staff, "派单").ClickAsync();
        await Button(staff, "开始维修").ClickAsync();
        await PageChecks.Check(staff, "09-staff-repair", output);
        await Button(staff, "维修完成").ClickAsync();
        await staff.Locator(".ticket-state", new() { HasText = "已完成待评价" }).WaitForAsync();

        // The resident rates it.
        await resident.GotoAsync($"/app/repairs/{ticketId}");
        await resident.GetByRole(AriaRole.Radiogroup, new() { Name = "态度评分" }).GetByRole(AriaRole.Radio, new() { Name = "4星" }).ClickAsync();
        await PageChecks.Check(resident, "10-rate", output);
        await Button(resident, "提交评价").ClickAsync();
        await resident.GetByText("感谢评价！").WaitForAsync();
        await resident.Locator(".rating").GetByText("态度 4星").WaitForAsync();
        var ticket = await (await browser.App.ClientFor("resident")).GetJson($"/v1/repairs/{ticketId}");
        Assert.Equal("closed", ticket.Text("state"));
        Assert.Equal(4, ticket.GetProperty("rating").GetProperty("attitude").GetInt32());

        // The complaint box, anonymously.
        await Tab(resident, "吐槽").ClickAsync();
        await resident.GetByRole(AriaRole.Textbox, new() { Name = "内容", Exact = true }).FillAsync("晚上十点后还有装修噪音，影响休息。");
        await resident.GetByRole(AriaRole.Switch, new() { Name = "匿名提交" }).ClickAsync();
        await Button(resident, "提交").ClickAsync();
        await resident.GetByText("已匿名提交").WaitForAsync();
        await PageChecks.Check(resident, "11-opinions", output);

        // A vote, its receipt, and the receipt verified against the public chain.
        await Tab(resident, "表决").ClickAsync();
        await resident.Locator($"a.ballot-card[href$='/ballots/{ballotId}']").ClickAsync();
        await resident.WaitForURLAsync(new Regex($"/app/ballots/{ballotId}$"));
        await PageChecks.Check(resident, "12-ballot", output);
        await Button(resident, "同意").ClickAsync();
        await resident.GetByText("回执哈希").WaitForAsync();
        await Button(resident, "验证我的回执").ClickAsync();
        await resident.GetByText("验证通过").WaitForAsync();
        await PageChecks.Check(resident, "13-ballot-verified", output);

        // Elder mode: switched on in 我的, then every main page measured again.
        await Tab(resident, "我的").ClickAsync();
        await PageChecks.Check(resident, "14-me", output);
        await resident.GetByRole(AriaRole.Switch, new() { Name = "长辈模式" }).ClickAsync();
        await PageChecks.Check(resident, "15-elder-me", output, elder: true);
        await Tab(resident, "议事厅").ClickAsync();
        await resident.GetByText("周末一起清理楼道杂物").WaitForAsync();
        await PageChecks.Check(resident, "16-elder-hall", output, elder: true);
        await resident.GotoAsync($"/app/repairs/{ticketId}");
        await resident.Locator(".rating").WaitForAsync();
        await PageChecks.Check(resident, "17-elder-repair", output, elder: true);
        await Tab(resident, "助手").ClickAsync();
        await resident.Locator(".bubble.bot").First.WaitForAsync();
        await PageChecks.Check(resident, "18-elder-chat", output, elder: true);
        await resident.GotoAsync($"/app/ballots/{ballotId}");
        await resident.GetByText("回执哈希").WaitForAsync();
        await PageChecks.Check(resident, "19-elder-ballot", output, elder: true);
        await resident.GotoAsync("/app/inbox");
        await resident.GetByText("没有更多了").WaitForAsync();
        await PageChecks.Check(resident, "20-elder-inbox", output, elder: true);
    }

    private async Task<System.Text.Json.JsonElement> VotingBallot()
    {
        var owners = await browser.App.ClientFor("owners");
        return await (await owners.PostJson("/v1/communities/1/ballots", new
        {
            title = "加装非机动车充电桩", description = "在3号楼北侧加装20个电动自行车充电桩，费用由公共收益列支。", matter = "other",
            closesAt = browser.App.Clock.GetUtcNow().AddDays(7),
        })).Expect(HttpStatusCode.Created);
    }
}
