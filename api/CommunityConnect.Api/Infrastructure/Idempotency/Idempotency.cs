using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Http.Json;
using System.Data.Common;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Idempotency;

/// <summary>What the filter found out about this request's Idempotency-Key, for the unit of work to record.</summary>
public sealed record IdempotencyScope(string KeyHash, string RequestHash, DateTimeOffset ExpiresAt);

/// <summary>
/// Phones on bad networks resend. A creating POST with an <c>Idempotency-Key</c> header answers the
/// first answer again (status, Location and body) to the same user with the same key; the same key
/// with another body is 422. Records are kept under a keyed hash of (user, key) for 24 hours.
/// </summary>
public sealed class IdempotencyFilter(Database database, RecipientKeys keys, TimeProvider time) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        var userId = http.User.UserId();
        if (!HttpMethods.IsPost(http.Request.Method) || string.IsNullOrEmpty(key) || userId is null)
        {
            return await next(context);
        }
        if (key.Length > 200)
        {
            return TypedResults.Problem(statusCode: 400, title: "The Idempotency-Key header is too long (at most 200 characters).");
        }

        var keyHash = keys.Hash($"idempotency:{userId}:{key}");
        var requestHash = await HashRequestAsync(http.Request);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenReadAsync(http.RequestAborted);
        var stored = await connection.QuerySingleOrDefaultAsync<StoredResponse>(
            """
            SELECT request_hash AS RequestHash, status AS Status, location AS Location, body AS Body
            FROM idempotency_records
            WHERE key_hash = @keyHash AND expires_at > @now;
            """, new { keyHash, now });
        if (stored is not null)
        {
            return stored.RequestHash == requestHash
                ? stored
                : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "This Idempotency-Key was already used with a different request.");
        }
        http.Features.Set(new IdempotencyScope(keyHash, requestHash, now + Lifetime));
        return await next(context);
    }

    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        request.Body.Position = 0;
        while ((read = await request.Body.ReadAsync(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>A first answer, replayed as it was.</summary>
    internal sealed class StoredResponse : IResult
    {
        public string RequestHash { get; init; } = "";
        public long Status { get; init; }
        public string? Location { get; init; }
        public string Body { get; init; } = "";

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = (int)Status;
            if (Location is not null)
            {
                httpContext.Response.Headers.Location = Location;
            }
            httpContext.Response.Headers["Idempotent-Replay"] = "true";
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await httpContext.Response.WriteAsync(Body);
        }
    }
}

/// <summary>
/// The write path as features use it. <see cref="CreateAsync{T}"/> runs a creating unit of work and,
/// when the request carried an Idempotency-Key, stores the 201 answer in the same transaction as
/// what it created, so a resend can never create a second one.
/// </summary>
public sealed class UnitOfWork(Database database, IHttpContextAccessor accessor, IOptions<JsonOptions> json, TimeProvider time)
{
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work) => database.WriteAsync(work);

    public Task<Outcome<T>> CreateAsync<T>(Func<DbConnection, DbTransaction, Task<Outcome<T>>> work, Func<T, string> location, int status = StatusCodes.Status201Created)
    {
        // Read on the request's thread: the writer thread has no HttpContext.
        var scope = accessor.HttpContext?.Features.Get<IdempotencyScope>();
        return database.WriteAsync(async (connection, transaction) =>
        {
            var outcome = await work(connection, transaction);
            if (outcome.Failed || scope is null)
            {
                return outcome;
            }
            var inserted = await connection.ExecuteAsync(
                """
                INSERT INTO idempotency_records (key_hash, request_hash, status, location, body, created_at, expires_at)
                VALUES (@KeyHash, @RequestHash, @status, @location, @body, @now, @ExpiresAt)
                ON CONFLICT (key_hash) DO UPDATE SET
                    request_hash = excluded.request_hash, status = excluded.status, location = excluded.location,
                    body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at
                WHERE idempotency_records.expires_at <= excluded.created_at;
                """,
                new
                {
                    scope.KeyHash,
                    scope.RequestHash,
                    status,
                    location = location(outcome.Value!),
                    body = JsonSerializer.Serialize(outcome.Value, json.Value.SerializerOptions),
                    now = time.GetUtcNow(),
                    scope.ExpiresAt,
                }, transaction);
            // Two resends racing: the one that lost rolls back what it created. (An expired record is replaced.)
            return inserted == 1 ? outcome : Failure.Conflict("A request with this Idempotency-Key is already being processed; retry shortly.");
        });
    }
}
