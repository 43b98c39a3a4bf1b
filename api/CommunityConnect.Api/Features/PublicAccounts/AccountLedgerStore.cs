using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.PublicAccounts;

/// <summary>
/// The append-only ledger: entries, reversing entries, vouchers and questions. Nothing here updates
/// or deletes an entry (the table's triggers refuse it too).
/// </summary>
public sealed class AccountLedgerStore(Database database, OpinionStore opinions, TimeProvider time)
{
    public const string VoucherKind = "vouchers";

    public static string VoucherUrl(long entryId) => $"/v1/account-entries/{entryId}/voucher";

    internal sealed class EntryRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Account { get; init; } = "";
        public string EntryDate { get; init; } = "";
        public long AmountFen { get; init; }
        public string Counterparty { get; init; } = "";
        public string Purpose { get; init; } = "";
        public long? ReversesEntryId { get; init; }
        public long? ReversedByEntryId { get; init; }
        public string? Reason { get; init; }
        public string RecordedBy { get; init; } = "";
        public DateTimeOffset RecordedAt { get; init; }
        public bool HasVoucher { get; init; }
        public int Questions { get; init; }

        public AccountEntry ToEntry() => new(Id, CommunityId, Account, DateOnly.ParseExact(EntryDate, "yyyy-MM-dd"), AmountFen, Counterparty, Purpose,
            ReversesEntryId, ReversedByEntryId, Reason, RecordedBy, RecordedAt, HasVoucher ? VoucherUrl(Id) : null, Questions);
    }

    internal const string EntryColumns =
        """
        e.id AS Id, e.community_id AS CommunityId, e.account AS Account, e.entry_date AS EntryDate, e.amount_fen AS AmountFen,
        e.counterparty AS Counterparty, e.purpose AS Purpose, e.reverses_entry_id AS ReversesEntryId, rev.id AS ReversedByEntryId,
        e.reason AS Reason, u.display_name AS RecordedBy, e.recorded_at AS RecordedAt,
        EXISTS (SELECT 1 FROM account_vouchers v WHERE v.entry_id = e.id) AS HasVoucher,
        (SELECT COUNT(*) FROM account_entry_questions q WHERE q.entry_id = e.id) AS Questions
        FROM account_entries e
        JOIN users u ON u.id = e.recorded_by
        LEFT JOIN account_entries rev ON rev.reverses_entry_id = e.id
        """;

    /// <summary>The entry's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long entryId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM account_entries WHERE id = @entryId;", new { entryId });
    }

    internal static Task<EntryRow?> FindAsync(DbConnection connection, DbTransaction? transaction, long entryId, long communityId) =>
        connection.QuerySingleOrDefaultAsync<EntryRow>(
            $"SELECT {EntryColumns} WHERE e.id = @entryId AND e.community_id = @communityId;", new { entryId, communityId }, transaction);

    /// <summary>Appends an entry (a unit of work; the owners' committee, checked by the endpoint).</summary>
    public async Task<Outcome<AccountEntry>> RecordAsync(DbConnection connection, DbTransaction transaction, long communityId, string account,
        long userId, NewEntryInput input)
    {
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO account_entries (community_id, account, entry_date, amount_fen, counterparty, purpose, recorded_by, recorded_at)
            VALUES (@communityId, @account, @Date, @Amount, @counterparty, @purpose, @userId, @now) RETURNING id;
            """,
            new { communityId, account, input.Date, input.Amount, counterparty = input.Counterparty!.Trim(), purpose = input.Purpose!.Trim(), userId, now = time.GetUtcNow() },
            transaction);
        return (await FindAsync(connection, transaction, id, communityId))!.ToEntry();
    }

    /// <summary>
    /// A correction: a new entry of the opposite amount, dated the day it is made (Asia/Shanghai), so
    /// published months never change. 403 for anyone but the owners' committee; 409 for a reversing
    /// entry or one already reversed (the UNIQUE reverses_entry_id guards two at once).
    /// </summary>
    public async Task<Outcome<AccountEntry>> ReverseAsync(DbConnection connection, DbTransaction transaction, long entryId, CommunityAccess access,
        string reason)
    {
        var original = await FindAsync(connection, transaction, entryId, access.CommunityId);
        if (original is null)
        {
            return Failure.NotFound("Account entry");
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return Failure.Forbidden("Only the owners' committee keeps the public accounts.");
        }
        if (original.ReversesEntryId is not null)
        {
            return Failure.Conflict("A reversing entry is not reversed again; record a new entry instead.");
        }
        if (original.ReversedByEntryId is not null)
        {
            return Failure.Conflict($"This entry is already reversed by entry {original.ReversedByEntryId}.");
        }
        var now = time.GetUtcNow();
        var today = ShanghaiTime.DateOf(now);
        var id = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO account_entries (community_id, account, entry_date, amount_fen, counterparty, purpose, reverses_entry_id, reason, recorded_by, recorded_at)
            VALUES (@CommunityId, @Account, @today, @amount, @Counterparty, @purpose, @entryId, @reason, @UserId, @now)
            ON CONFLICT (reverses_entry_id) DO NOTHING
            RETURNING id;
            """,
            new
            {
                original.CommunityId, original.Account, today, amount = -original.AmountFen, original.Counterparty,
                purpose = $"冲销第{entryId}号记录", entryId, reason, access.UserId, now,
            }, transaction);
        if (id is null)
        {
            return Failure.Conflict("This entry is already reversed.");
        }
        return (await FindAsync(connection, transaction, id.Value, access.CommunityId))!.ToEntry();
    }

    /// <summary>One voucher image per entry (a unit of work): 404, 403 (owners' committee only), 409 for a second.</summary>
    public async Task<Outcome<AccountEntry>> AddVoucherAsync(DbConnection connection, DbTransaction transaction, long entryId, CommunityAccess access,
        string fileName, string contentType, long size)
    {
        if (await FindAsync(connection, transaction, entryId, access.CommunityId) is null)
        {
            return Failure.NotFound("Account entry");
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return Failure.Forbidden("Only the owners' committee adds vouchers.");
        }
        var added = await connection.ExecuteAsync(
            """
            INSERT INTO account_vouchers (entry_id, file_name, content_type, size_bytes, uploaded_by, created_at)
            VALUES (@entryId, @fileName, @contentType, @size, @UserId, @now)
            ON CONFLICT (entry_id) DO NOTHING;
            """, new { entryId, fileName, contentType, size, access.UserId, now = time.GetUtcNow() }, transaction);
        if (added != 1)
        {
            return Failure.Conflict("This entry already has its voucher.");
        }
        return (await FindAsync(connection, transaction, entryId, access.CommunityId))!.ToEntry();
    }

    public sealed record StoredVoucher(string FileName, string ContentType);

    public async Task<StoredVoucher?> FindVoucherAsync(long entryId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.QuerySingleOrDefaultAsync<StoredVoucher>(
            """
            SELECT v.file_name AS FileName, v.content_type AS ContentType
            FROM account_vouchers v JOIN account_entries e ON e.id = v.entry_id
            WHERE v.entry_id = @entryId AND e.community_id = @communityId;
            """, new { entryId, communityId });
    }

    private sealed class QuestionRow
    {
        public long OpinionId { get; init; }
        public long? CaseId { get; init; }
        public string Author { get; init; } = "";
        public string Text { get; init; } = "";
        public string State { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
    }

    /// <summary>An entry with its questions and their public answers.</summary>
    public async Task<AccountEntryDetail?> GetAsync(long entryId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await FindAsync(connection, null, entryId, communityId);
        if (row is null)
        {
            return null;
        }
        var questions = (await connection.QueryAsync<QuestionRow>(
            """
            SELECT o.id AS OpinionId, o.case_id AS CaseId, u.display_name AS Author, o.body AS Text, o.state AS State, o.created_at AS CreatedAt
            FROM account_entry_questions q JOIN opinions o ON o.id = q.opinion_id JOIN users u ON u.id = o.author_id
            WHERE q.entry_id = @entryId ORDER BY o.id;
            """, new { entryId })).ToList();
        var answers = (await connection.QueryAsync<(long OpinionId, long Id, string Author, string AuthorBody, string Body, string Visibility, long CreatedAt)>(
            """
            SELECT a.opinion_id, a.id, u.display_name, a.author_body, a.body, a.visibility, a.created_at
            FROM opinion_answers a JOIN users u ON u.id = a.author_id
            WHERE a.opinion_id IN (SELECT opinion_id FROM account_entry_questions WHERE entry_id = @entryId) AND a.visibility = 'public'
            ORDER BY a.id;
            """, new { entryId })).ToLookup(a => a.OpinionId);
        return new AccountEntryDetail(row.ToEntry(), questions.Select(q => new EntryQuestion(q.OpinionId, q.CaseId, q.Author, q.Text, q.State, q.CreatedAt,
            answers[q.OpinionId].Select(a => new OpinionAnswer(a.Id, a.Author, a.AuthorBody, a.Body, a.Visibility, DateTimeOffset.FromUnixTimeMilliseconds(a.CreatedAt)))
                .ToList())).ToList());
    }

    /// <summary>
    /// A member's question about an entry: a named, public complaint-box opinion of kind question
    /// (category funds), routed to the owners' committee with its clocks, linked to the entry. 403 for
    /// the street admin (not a member).
    /// </summary>
    public async Task<Outcome<Opinion>> AskAsync(DbConnection connection, DbTransaction transaction, long entryId, CommunityAccess access,
        OpinionAuthor author, string authorKey, string text)
    {
        var entry = await FindAsync(connection, transaction, entryId, access.CommunityId);
        if (entry is null)
        {
            return Failure.NotFound("Account entry");
        }
        if (!access.IsMember)
        {
            return Failure.Forbidden("Only members of the community ask about its accounts.");
        }
        var title = $"关于{Accounts.Label(entry.Account)}第{entryId}号记录的询问";
        var created = await opinions.CreateAsync(connection, transaction, access.CommunityId, author, authorKey,
            new NewOpinionInput(OpinionKinds.Question, "funds", title, text, false, OpinionVisibility.Public, false, null), routeTo: Bodies.OwnersCommittee);
        if (created.Failed)
        {
            return created;
        }
        await connection.ExecuteAsync("INSERT INTO account_entry_questions (opinion_id, entry_id) VALUES (@opinionId, @entryId);",
            new { opinionId = created.Value!.Id, entryId }, transaction);
        return created;
    }
}
