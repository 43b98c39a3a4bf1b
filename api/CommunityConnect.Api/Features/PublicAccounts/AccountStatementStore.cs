using System.Globalization;
using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using Dapper;
using System.Data.Common;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.PublicAccounts;

/// <summary>Monthly statements, their publication as an announcement, and a year's entries as CSV.</summary>
public sealed class AccountStatementStore(Database database, AnnouncementPublishing announcements, TimeProvider time)
{
    private static async Task<MonthlyStatement> StatementAsync(DbConnection connection, DbTransaction? transaction, long communityId, string account,
        StatementMonth month)
    {
        var range = new { communityId, account, first = month.First, next = month.NextFirst };
        // Dates are 'yyyy-MM-dd' text, so comparing them as text compares the calendar days.
        var opening = await connection.ExecuteScalarAsync<long>(
            """
            SELECT COALESCE(SUM(amount_fen), 0) FROM account_entries
            WHERE community_id = @communityId AND account = @account AND entry_date < @first;
            """, range, transaction);
        var entries = (await connection.QueryAsync<AccountLedgerStore.EntryRow>(
            $"""
             SELECT {AccountLedgerStore.EntryColumns}
             WHERE e.community_id = @communityId AND e.account = @account AND e.entry_date >= @first AND e.entry_date < @next
             ORDER BY e.entry_date, e.id;
             """, range, transaction)).Select(e => e.ToEntry()).ToList();
        var announcementId = await connection.ExecuteScalarAsync<long?>(
            "SELECT announcement_id FROM account_statement_publications WHERE community_id = @communityId AND account = @account AND month = @month;",
            new { communityId, account, month = month.ToString() }, transaction);
        var income = entries.Where(e => e.Amount > 0).Sum(e => e.Amount);
        var spending = -entries.Where(e => e.Amount < 0).Sum(e => e.Amount);
        return new MonthlyStatement(communityId, account, month.ToString(), opening, income, spending, opening + income - spending, entries, announcementId);
    }

    public async Task<MonthlyStatement> StatementAsync(long communityId, string account, StatementMonth month)
    {
        await using var connection = await database.OpenReadAsync();
        return await StatementAsync(connection, null, communityId, account, month);
    }

    /// <summary>
    /// Publishes a month as an announcement to the whole community, once per account and month (409
    /// after), and only once the month is over in Asia/Shanghai (409 before). 403 for anyone but the
    /// owners' committee. Answers the announcement as the publisher sees it.
    /// </summary>
    public async Task<Outcome<Announcement>> PublishAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, string account,
        StatementMonth month, AnnouncementReading reading)
    {
        if (!access.Has(Roles.OwnersCommittee))
        {
            return Failure.Forbidden("Only the owners' committee publishes the public accounts.");
        }
        var today = ShanghaiTime.Today(time);
        if (month.NextFirst > today)
        {
            return Failure.Conflict($"{month} is not over yet; a month is published after its last day.");
        }
        var statement = await StatementAsync(connection, transaction, access.CommunityId, account, month);
        var label = Accounts.Label(account);
        var body = $"{month.Year}年{month.Month}月{label}:期初余额{Accounts.Yuan(statement.OpeningBalance)}元,收入{Accounts.Yuan(statement.Income)}元," +
                   $"支出{Accounts.Yuan(statement.Spending)}元,期末余额{Accounts.Yuan(statement.ClosingBalance)}元,共{statement.Entries.Count}笔。" +
                   "明细可在小程序“居务公开”中查看,如有疑问可对任一笔记录提问。";
        var announcementId = await announcements.PublishAsync(connection, transaction, new AnnouncementDraft(access.CommunityId, access.UserId,
            Bodies.OwnersCommittee, $"{month.Year}年{month.Month}月{label}收支公示", body, Audiences.All, [], false, null));
        var recorded = await connection.ExecuteAsync(
            """
            INSERT INTO account_statement_publications (community_id, account, month, announcement_id)
            VALUES (@CommunityId, @account, @month, @announcementId)
            ON CONFLICT (community_id, account, month) DO NOTHING;
            """, new { access.CommunityId, account, month = month.ToString(), announcementId }, transaction);
        if (recorded != 1)
        {
            return Failure.Conflict($"The {label} statement of {month} is already published.");
        }
        return (await reading.DetailAsync(connection, transaction, announcementId, access))!;
    }

    /// <summary>A year's entries (Asia/Shanghai calendar dates) as CSV, UTF-8 with a byte-order mark so spreadsheet programs read the Chinese.</summary>
    public async Task<byte[]> YearCsvAsync(long communityId, string account, int year)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<AccountLedgerStore.EntryRow>(
            $"""
             SELECT {AccountLedgerStore.EntryColumns}
             WHERE e.community_id = @communityId AND e.account = @account AND e.entry_date >= @first AND e.entry_date < @next
             ORDER BY e.entry_date, e.id;
             """, new { communityId, account, first = new DateOnly(year, 1, 1), next = new DateOnly(year + 1, 1, 1) })).Select(r => r.ToEntry());
        return CsvFiles.Write(
            ["id", "date", "amount_fen", "amount_yuan", "counterparty", "purpose", "reverses_entry_id", "reversed_by_entry_id", "reason", "recorded_by", "recorded_at"],
            rows.Select(entry => new[]
            {
                entry.Id.ToString(CultureInfo.InvariantCulture), entry.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                entry.Amount.ToString(CultureInfo.InvariantCulture), Accounts.Yuan(entry.Amount), entry.Counterparty, entry.Purpose,
                entry.ReversesEntryId?.ToString(CultureInfo.InvariantCulture), entry.ReversedByEntryId?.ToString(CultureInfo.InvariantCulture),
                entry.Reason, entry.RecordedBy, entry.RecordedAt.ToString("O", CultureInfo.InvariantCulture),
            }));
    }
}
