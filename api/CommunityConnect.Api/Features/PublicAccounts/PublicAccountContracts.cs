using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.PublicAccounts;

/// <summary>The two public accounts: common income (公共收益) and the maintenance fund (维修资金).</summary>
public static class Accounts
{
    public const string CommonIncome = "common_income";
    public const string MaintenanceFund = "maintenance_fund";

    public static readonly IReadOnlyList<string> All = [CommonIncome, MaintenanceFund];

    public static bool IsAccount(string? account) => account is CommonIncome or MaintenanceFund;

    public static string Label(string account) => account == CommonIncome ? "公共收益" : "维修资金";

    /// <summary>Fen as yuan with two decimals (12345 → "123.45").</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>A statement month, <c>yyyy-MM</c>, between 2000 and 2100.</summary>
public readonly record struct StatementMonth(int Year, int Month)
{
    public static StatementMonth? Parse(string? text) =>
        text is { Length: 7 } && DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            && day.Year is >= 2000 and <= 2100
            ? new StatementMonth(day.Year, day.Month)
            : null;

    public DateOnly First => new(Year, Month, 1);

    public DateOnly NextFirst => First.AddMonths(1);

    public override string ToString() => $"{Year:0000}-{Month:00}";
}

public sealed record NewEntryInput(
    [property: Required] DateOnly? Date,
    [property: Required] long? Amount,
    [property: Required, TextLength(100)] string? Counterparty,
    [property: Required, TextLength(500)] string? Purpose);

public sealed record ReversalInput([property: Required, TextLength(500)] string? Reason);

public sealed record EntryQuestionInput([property: Required, TextLength(UserText.BodyMax)] string? Text);

/// <summary>
/// One ledger entry: <see cref="Amount"/> in fen, positive income, negative spending. A reversing
/// entry names the one it reverses; a reversed one names its reversal. Both stay visible.
/// </summary>
public sealed record AccountEntry(
    long Id, long CommunityId, string Account, DateOnly Date, long Amount, string Counterparty, string Purpose,
    long? ReversesEntryId, long? ReversedByEntryId, string? Reason, string RecordedBy, DateTimeOffset RecordedAt, string? VoucherUrl, int Questions);

/// <summary>A question about an entry (a complaint-box opinion of kind question) with its public answers.</summary>
public sealed record EntryQuestion(long OpinionId, long? CaseId, string Author, string Text, string State, DateTimeOffset CreatedAt, IReadOnlyList<OpinionAnswer> Answers);

public sealed record AccountEntryDetail(AccountEntry Entry, IReadOnlyList<EntryQuestion> Questions);

/// <summary>
/// A month of one account (entries dated in that Asia/Shanghai calendar month): the balance before
/// it, its entries, the income and spending (both as positive fen) and the balance after it.
/// </summary>
public sealed record MonthlyStatement(
    long CommunityId, string Account, string Month, long OpeningBalance, long Income, long Spending, long ClosingBalance,
    IReadOnlyList<AccountEntry> Entries, long? AnnouncementId);
