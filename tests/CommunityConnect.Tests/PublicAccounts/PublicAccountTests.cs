using System.Net;
using System.Text;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.PublicAccounts;

public sealed class PublicAccountTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private DateOnly Today => DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(Shanghai).DateTime);

    private async Task<JsonElement> Record(string account, DateOnly date, long amount, string counterparty, string purpose) =>
        await (await (await app.ClientFor("owners")).PostJson($"/v1/communities/1/accounts/{account}/entries",
            new { date = date.ToString("yyyy-MM-dd"), amount, counterparty, purpose })).Expect(HttpStatusCode.Created);

    [Fact]
    public async Task AMonthBalancesWithAReversingEntryAndBothStayVisible()
    {
        // A month of its own, so other tests' entries do not enter it: the month before the clock's.
        var month = new DateOnly(Today.Year, Today.Month, 1).AddMonths(-1);
        var before = await Record("maintenance_fund", month.AddDays(-3), 500_000, "业主专项维修资金", "上年结余划入");
        var income = await Record("maintenance_fund", month.AddDays(1), 120_000, "某广告公司", "电梯广告收入");
        var spending = await Record("maintenance_fund", month.AddDays(5), -30_000, "某维修公司", "更换水泵");
        var reversal = await (await (await app.ClientFor("owners")).PostJson($"/v1/account-entries/{spending.Id()}/reversal", new { reason = "发票金额有误,重新入账" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal(30_000, reversal.GetProperty("amount").GetInt64());
        Assert.Equal(spending.Id(), reversal.GetProperty("reversesEntryId").GetInt64());
        await (await (await app.ClientFor("owners")).PostJson($"/v1/account-entries/{spending.Id()}/reversal", new { reason = "再来一次" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("owners")).PostJson($"/v1/account-entries/{reversal.Id()}/reversal", new { reason = "冲销冲销" })).ExpectProblem(HttpStatusCode.Conflict);

        var statement = await (await app.ClientFor("tenant")).GetJson($"/v1/communities/1/accounts/maintenance_fund/statements/{month:yyyy-MM}");
        Assert.Equal(500_000, statement.GetProperty("openingBalance").GetInt64());
        Assert.Equal(120_000, statement.GetProperty("income").GetInt64());
        Assert.Equal(30_000, statement.GetProperty("spending").GetInt64());
        Assert.Equal(590_000, statement.GetProperty("closingBalance").GetInt64());
        var entries = statement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.Id() == spending.Id() && e.GetProperty("reversedByEntryId").GetInt64() == reversal.Id());

        // The reversal is dated today, so it balances the current month: the spending is undone there.
        var current = await (await app.ClientFor("tenant")).GetJson($"/v1/communities/1/accounts/maintenance_fund/statements/{Today:yyyy-MM}");
        Assert.Equal(590_000, current.GetProperty("openingBalance").GetInt64());
        Assert.Contains(current.GetProperty("entries").EnumerateArray(), e => e.Id() == reversal.Id());
        Assert.Equal(590_000 + current.GetProperty("income").GetInt64() - current.GetProperty("spending").GetInt64(), current.GetProperty("closingBalance").GetInt64());

        // Entries cannot be changed in storage either.
        await using var connection = app.Connection();
        await connection.OpenAsync();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync("UPDATE account_entries SET amount_fen = 1 WHERE id = @id;", new { id = before.Id() }));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync("DELETE FROM account_entries WHERE id = @id;", new { id = income.Id() }));

        // Publishing the finished month is an announcement to everyone, once.
        var announcement = await (await (await app.ClientFor("owners")).PostJson($"/v1/communities/1/accounts/maintenance_fund/statements/{month:yyyy-MM}/publish", new { }))
            .Expect(HttpStatusCode.Created);
        Assert.Contains("5900.00", announcement.Text("body"));
        await (await app.ClientFor("tenant")).GetJson($"/v1/announcements/{announcement.Id()}");
        await (await (await app.ClientFor("owners")).PostJson($"/v1/communities/1/accounts/maintenance_fund/statements/{month:yyyy-MM}/publish", new { }))
            .ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("owners")).PostJson($"/v1/communities/1/accounts/maintenance_fund/statements/{Today:yyyy-MM}/publish", new { }))
            .ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AQuestionOnAnEntryIsAnOpinionOfKindQuestionRoutedToTheOwnersCommitteeAndItsAnswerShowsUnderTheEntry()
    {
        // Even where the routing table sends funds to the residents' committee, the accounts' keeper answers.
        await (await (await app.ClientFor("residents")).PutJson("/v1/communities/1/routing", new { routes = new[] { new { category = "funds", responsibleBody = "residents_committee" } } }))
            .Expect(HttpStatusCode.OK);
        var entry = await Record("common_income", Today, 86_000, "某快递柜公司", "快递柜场地费");
        var opinion = await (await (await app.ClientFor("tenant")).PostJson($"/v1/account-entries/{entry.Id()}/questions", new { text = "快递柜场地费是按年收的吗?合同在哪里看?" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("question", opinion.Text("kind"));
        Assert.Equal("owners_committee", opinion.Text("responsibleBody"));
        var caseId = opinion.GetProperty("caseId").GetInt64();
        var routed = await (await app.ClientFor("owners")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal("question", routed.Text("kind"));
        Assert.NotEqual(JsonValueKind.Null, routed.GetProperty("firstResponseDue").ValueKind);

        await (await (await app.ClientFor("owners")).PostJson($"/v1/opinions/{opinion.Id()}/responses", new { body = "按年收取,合同已贴在公告栏。", visibility = "public" }))
            .Expect(HttpStatusCode.Created);
        var detail = await (await app.ClientFor("resident")).GetJson($"/v1/account-entries/{entry.Id()}");
        var question = Assert.Single(detail.GetProperty("questions").EnumerateArray());
        Assert.Equal("按年收取,合同已贴在公告栏。", Assert.Single(question.GetProperty("answers").EnumerateArray()).Text("body"));
        await (await (await app.ClientFor("street")).PostJson($"/v1/account-entries/{entry.Id()}/questions", new { text = "街道询问" })).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OnlyTheOwnersCommitteeKeepsTheAccountsAndOtherCommunitiesSeeNothing()
    {
        var body = new { date = Today.ToString("yyyy-MM-dd"), amount = 100, counterparty = "x", purpose = "y" };
        foreach (var handle in new[] { "resident", "property", "residents", "secretary" })
        {
            await (await (await app.ClientFor(handle)).PostJson("/v1/communities/1/accounts/common_income/entries", body)).ExpectProblem(HttpStatusCode.Forbidden);
        }
        await (await (await app.ClientFor("resident2")).PostJson("/v1/communities/1/accounts/common_income/entries", body)).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("owners")).PostJson("/v1/communities/1/accounts/petty_cash/entries", body)).ExpectProblem(HttpStatusCode.NotFound);
        var owners = await app.ClientFor("owners");
        var zero = await (await owners.PostJson("/v1/communities/1/accounts/common_income/entries", body with { amount = 0 })).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(zero.GetProperty("errors").TryGetProperty("amount", out _));
        var future = await (await owners.PostJson("/v1/communities/1/accounts/common_income/entries", body with { date = Today.AddDays(2).ToString("yyyy-MM-dd") }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(future.GetProperty("errors").TryGetProperty("date", out _));
        await (await (await app.ClientFor("tenant")).GetAsync("/v1/communities/1/accounts/common_income/statements/2026-13")).ExpectProblem(HttpStatusCode.BadRequest);

        var entry = await Record("common_income", Today, 5_000, "某停车公司", "临时停车费");
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/account-entries/{entry.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/account-entries/{entry.Id()}/reversal", new { reason = "不对" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("tenant")).GetAsync($"/v1/communities/1/accounts/common_income/entries.csv")).ExpectProblem(HttpStatusCode.Forbidden);

        var csv = await owners.GetAsync($"/v1/communities/1/accounts/common_income/entries.csv?year={Today.Year}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var text = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        Assert.StartsWith("id,date,amount_fen", text);
        Assert.Contains($"{entry.Id()},{Today:yyyy-MM-dd},5000,50.00,某停车公司,临时停车费", text);

        // A voucher is an image by its bytes, one per entry.
        var png = RepairTestKit.Png();
        var upload = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "voucher.png" } };
        await (await owners.PostAsync($"/v1/account-entries/{entry.Id()}/voucher", upload)).Expect(HttpStatusCode.Created);
        var again = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "voucher.png" } };
        await (await owners.PostAsync($"/v1/account-entries/{entry.Id()}/voucher", again)).ExpectProblem(HttpStatusCode.Conflict);
        var text2 = new MultipartFormDataContent { { new ByteArrayContent(Encoding.ASCII.GetBytes("not an image")), "file", "voucher.png" } };
        var other = await Record("common_income", Today, 1_000, "x", "y");
        await (await owners.PostAsync($"/v1/account-entries/{other.Id()}/voucher", text2)).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(png, await (await (await app.ClientFor("tenant")).GetAsync($"/v1/account-entries/{entry.Id()}/voucher")).Content.ReadAsByteArrayAsync());
    }
}
