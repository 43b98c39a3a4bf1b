using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Files;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.PublicAccounts;

/// <summary>公共收益与维修资金公开: the owners' committee's append-only ledger, monthly statements, vouchers and questions.</summary>
public static class PublicAccountsApi
{
    /// <summary>Amounts up to ¥1,000,000,000 either way.</summary>
    public const long MaxAmountFen = 100_000_000_000;

    public static IServiceCollection AddPublicAccounts(this IServiceCollection services) =>
        services.AddSingleton<AccountLedgerStore>().AddSingleton<AccountStatementStore>();

    public static RouteGroupBuilder MapPublicAccounts(this RouteGroupBuilder v1)
    {
        var account = v1.MapGroup("/communities/{communityId:long}/accounts/{account}").WithTags("Public accounts")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        account.MapPost("/entries", Record).WithName("RecordAccountEntry")
            .WithSummary("Append an entry to common_income or maintenance_fund: { date, amount (fen: + income, − spending), counterparty, purpose }.")
            .WithDescription("The owners' committee only (others: 403; an account other than common_income or maintenance_fund: 404). Appends the entry, " +
                "which never changes afterwards (a correction is a reversing entry): amount in fen, not 0, at most ¥1,000,000,000 either way; " +
                "date an Asia/Shanghai day from 2000 to today.")
            .ProducesProblem(400).ProducesProblem(403);
        account.MapGet("/statements/{month}", Statement).WithName("GetAccountStatement")
            .WithSummary("A month's statement (month = yyyy-MM, Asia/Shanghai): opening balance, entries, income, spending, closing balance.")
            .WithDescription("Members of the community and its street's admins. Reads only: the entries dated in the month, with the balance before and " +
                "after it, and the announcement it was published as, if any.")
            .ProducesProblem(400);
        account.MapPost("/statements/{month}/publish", Publish).WithName("PublishAccountStatement")
            .WithSummary("Publish a finished month as an announcement to the whole community.")
            .WithDescription("The owners' committee only (others: 403). Publishes the month's statement as an announcement to the whole community, whose " +
                "members are notified; only after the month's last day (Asia/Shanghai) and once per account and month (409 otherwise).")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        account.MapGet("/entries.csv", ExportCsv).WithName("ExportAccountEntries")
            .WithSummary("A year's entries as CSV (year in Asia/Shanghai, default this year).")
            .WithDescription("The owners' committee only (others: 403). Reads only: the account's entries dated in the year, reversals included, as UTF-8 " +
                "CSV with a byte-order mark.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(400).ProducesProblem(403);

        var entry = v1.MapGroup("/account-entries/{entryId:long}").WithTags("Public accounts").RequireAuthorization().ProducesProblem(404);
        entry.MapGet("/", Get).WithName("GetAccountEntry")
            .WithSummary("One entry with its reversal links, voucher and the questions asked about it with their public answers.")
            .WithDescription("Members of its community and its street's admins; for anyone else it does not exist (404). Reads only: the entry with what it " +
                "reverses or is reversed by, its voucher, and the questions about it with their public answers.");
        entry.MapPost("/reversal", Reverse).WithName("ReverseAccountEntry")
            .WithSummary("Correct an entry with a reversing entry of the opposite amount, dated today (Shanghai); both stay visible.")
            .WithDescription("The owners' committee only (others: 403). Appends a reversing entry of the opposite amount dated today (Asia/Shanghai), with " +
                "the reason; both stay visible. 409 for an entry that is itself a reversal or is already reversed.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        entry.MapPost("/voucher", AddVoucher).WithName("AddAccountVoucher")
            .WithSummary("Attach the voucher image (multipart field `file`; JPEG, PNG or WebP by their bytes; up to 5 MB).")
            .WithDescription("The owners' committee only (others: 403). Stores the image, checked by its bytes (415 for other bytes, 413 over 5 MB), as the " +
                "entry's voucher; one per entry, 409 for a second.")
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(FileVault.RequestLimit))
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        entry.MapGet("/voucher", GetVoucher).WithName("GetAccountVoucher")
            .WithSummary("The entry's voucher image.")
            .WithDescription("Members of its community and its street's admins; 404 for anyone else and when the entry has none. Reads only: the image as " +
                "stored, cacheable privately for an hour.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp");
        entry.MapPost("/questions", Ask).WithName("AskAboutAccountEntry")
            .WithSummary("Ask about an entry: a public complaint-box question routed to the owners' committee with its clocks; its answer shows under the entry.")
            .WithDescription("Members of the community (the street admin: 403). Creates a public complaint-box opinion of kind question, linked to the " +
                "entry, whose case goes to the owners' committee with its clocks; its answers show under the entry.")
            .ProducesProblem(400).ProducesProblem(403);
        return v1;
    }

    private static ProblemHttpResult AccountNotFound() => TypedResults.Problem(statusCode: 404, title: "Account was not found.", detail: "Accounts: common_income, maintenance_fund.");

    private static ProblemHttpResult EntryNotFound() => TypedResults.Problem(statusCode: 404, title: "Account entry was not found.");

    private static DateOnly ShanghaiToday(TimeProvider time) => ShanghaiTime.Today(time);

    private static async Task<Results<Created<AccountEntry>, ValidationProblem, ProblemHttpResult>> Record(
        long communityId, string account, NewEntryInput input, CommunityAccess access, AccountLedgerStore ledger, UnitOfWork work, TimeProvider time)
    {
        if (!Accounts.IsAccount(account))
        {
            return AccountNotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the owners' committee keeps the public accounts.");
        }
        var errors = new Dictionary<string, string[]>();
        if (input.Amount is 0 || input.Amount is { } amount && Math.Abs(amount) > MaxAmountFen)
        {
            errors["amount"] = [$"amount is in fen: positive for income, negative for spending, not 0, at most {MaxAmountFen} either way."];
        }
        if (input.Date is { } date && (date.Year < 2000 || date > ShanghaiToday(time)))
        {
            errors["date"] = ["date must be a day from 2000 up to today (Asia/Shanghai)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await work.CreateAsync((connection, transaction) => ledger.RecordAsync(connection, transaction, communityId, account, access.UserId, input),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);
    }

    private static string LocationOf(AccountEntry entry) => $"/v1/account-entries/{entry.Id}";

    private static Dictionary<string, string[]> MonthErrors(string month) =>
        new() { ["month"] = [$"month must be yyyy-MM between 2000 and 2100, not '{month}'."] };

    private static async Task<Results<Ok<MonthlyStatement>, ValidationProblem, ProblemHttpResult>> Statement(
        long communityId, string account, string month, CommunityAccess access, AccountStatementStore statements)
    {
        if (!Accounts.IsAccount(account))
        {
            return AccountNotFound();
        }
        return StatementMonth.Parse(month) is { } parsed
            ? TypedResults.Ok(await statements.StatementAsync(communityId, account, parsed))
            : TypedResults.ValidationProblem(MonthErrors(month));
    }

    private static async Task<Results<Created<Announcement>, ValidationProblem, ProblemHttpResult>> Publish(
        long communityId, string account, string month, CommunityAccess access, AccountStatementStore statements, AnnouncementReading reading, UnitOfWork work)
    {
        if (!Accounts.IsAccount(account))
        {
            return AccountNotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the owners' committee publishes the public accounts.");
        }
        if (StatementMonth.Parse(month) is not { } parsed)
        {
            return TypedResults.ValidationProblem(MonthErrors(month));
        }
        var outcome = await work.CreateAsync((connection, transaction) => statements.PublishAsync(connection, transaction, access, account, parsed, reading),
            announcement => $"/v1/announcements/{announcement.Id}");
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created($"/v1/announcements/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ExportCsv(
        long communityId, string account, int? year, CommunityAccess access, AccountStatementStore statements, TimeProvider time)
    {
        if (!Accounts.IsAccount(account))
        {
            return AccountNotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the owners' committee exports the public accounts.");
        }
        if (year is < 2000 or > 2100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["year"] = ["year must be between 2000 and 2100."] });
        }
        var chosen = year ?? ShanghaiToday(time).Year;
        var bytes = await statements.YearCsvAsync(communityId, account, chosen);
        return TypedResults.File(bytes, CsvFiles.ContentType, $"{account}-{chosen}.csv");
    }

    private static async Task<CommunityAccess?> AccessAsync(long entryId, HttpContext http, AccountLedgerStore ledger, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await ledger.CommunityOfAsync(entryId));

    private static async Task<Results<Ok<AccountEntryDetail>, ProblemHttpResult>> Get(long entryId, HttpContext http, AccountLedgerStore ledger, Tenancy tenancy)
    {
        var access = await AccessAsync(entryId, http, ledger, tenancy);
        var detail = access is null ? null : await ledger.GetAsync(entryId, access.CommunityId);
        return detail is null ? EntryNotFound() : TypedResults.Ok(detail);
    }

    private static async Task<Results<Created<AccountEntry>, ProblemHttpResult>> Reverse(
        long entryId, ReversalInput input, HttpContext http, AccountLedgerStore ledger, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(entryId, http, ledger, tenancy);
        if (access is null)
        {
            return EntryNotFound();
        }
        var outcome = await work.CreateAsync((connection, transaction) => ledger.ReverseAsync(connection, transaction, entryId, access, input.Reason!.Trim()),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);
    }

    private static async Task<Results<Created<AccountEntry>, ProblemHttpResult>> AddVoucher(
        long entryId, IFormFile file, HttpContext http, AccountLedgerStore ledger, Tenancy tenancy, FileVault files, UnitOfWork work)
    {
        var access = await AccessAsync(entryId, http, ledger, tenancy);
        if (access is null)
        {
            return EntryNotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the owners' committee adds vouchers.");
        }
        var outcome = await files.UploadAsync(AccountLedgerStore.VoucherKind, file, FileTypes.Images, "a JPEG, PNG or WebP image",
            (fileName, contentType) => work.CreateAsync(
                (connection, transaction) => ledger.AddVoucherAsync(connection, transaction, entryId, access, fileName, contentType, file.Length),
                _ => AccountLedgerStore.VoucherUrl(entryId)),
            http.RequestAborted);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(AccountLedgerStore.VoucherUrl(entryId), outcome.Value);
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetVoucher(
        long entryId, HttpContext http, AccountLedgerStore ledger, Tenancy tenancy, FileVault files)
    {
        var access = await AccessAsync(entryId, http, ledger, tenancy);
        var voucher = access is null ? null : await ledger.FindVoucherAsync(entryId, access.CommunityId);
        return voucher is null
            ? TypedResults.Problem(statusCode: 404, title: "Voucher was not found.")
            : files.Serve(http, AccountLedgerStore.VoucherKind, voucher.FileName, voucher.ContentType);
    }

    private static async Task<Results<Created<Opinion>, ProblemHttpResult>> Ask(
        long entryId, EntryQuestionInput input, HttpContext http, AccountLedgerStore ledger, Tenancy tenancy, RecipientKeys keys, UnitOfWork work)
    {
        var access = await AccessAsync(entryId, http, ledger, tenancy);
        if (access is null)
        {
            return EntryNotFound();
        }
        var author = new OpinionAuthor(access.UserId, http.User.Identity?.Name ?? "");
        var authorKey = keys.ForUser(access.UserId);
        var outcome = await work.CreateAsync(
            (connection, transaction) => ledger.AskAsync(connection, transaction, entryId, access, author, authorKey, input.Text!.Trim()),
            opinion => $"/v1/opinions/{opinion.Id}");
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created($"/v1/opinions/{outcome.Value!.Id}", outcome.Value);
    }
}
