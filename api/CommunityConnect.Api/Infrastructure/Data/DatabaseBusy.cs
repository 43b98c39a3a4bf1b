using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// A database that has no connection left for this request: the node's pool is exhausted (every one of its
/// <c>Maximum Pool Size</c> connections busy for the pool's whole <c>Timeout</c>) or the server refuses
/// another client (SQLSTATE 53300 <c>too_many_connections</c>: its <c>max_connections</c>, or a role's or a
/// database's connection limit). Nothing was written and the request may simply be sent again, so it is a
/// 503 with <c>Retry-After</c>, not a 500: a node under more load than its pool sheds it instead of failing.
/// </summary>
public static class DatabaseBusy
{
    /// <summary>Seconds a client waits before sending the request again.</summary>
    public const int RetryAfterSeconds = 2;

    private const string TooManyConnections = "53300";

    public static bool Is(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState == TooManyConnections,
        // Npgsql's own message for a pool wait that timed out (ConnectorPool), the one NpgsqlException that says so.
        NpgsqlException npgsql when npgsql.Message.StartsWith("The connection pool has been exhausted", StringComparison.Ordinal) => true,
        _ => exception.InnerException is { } inner && Is(inner),
    };
}

/// <summary>Answers <see cref="DatabaseBusy"/> as a 503 problem with <c>Retry-After</c>.</summary>
internal sealed class DatabaseBusyExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseBusyExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseBusy.Is(exception) || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("No database connection for {Method} {Path}: answered 503 ({Reason})",
            context.Request.Method, context.Request.Path, exception.GetBaseException().Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = DatabaseBusy.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is busy.",
                Detail = $"Every database connection of this node is in use; nothing was changed. Send the request again in {DatabaseBusy.RetryAfterSeconds} seconds.",
            },
        });
    }
}
