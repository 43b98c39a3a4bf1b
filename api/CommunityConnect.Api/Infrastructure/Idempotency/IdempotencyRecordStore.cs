using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.Housekeeping;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Idempotency;

public sealed class IdempotencyRecordStore(Database database, TimeProvider time) : IIdempotencyRecords
{
    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "DELETE FROM idempotency_records WHERE expires_at <= @now;", new { now = time.GetUtcNow() }, transaction));
}

public static class IdempotencySetup
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services) =>
        services.AddScoped<IdempotencyFilter>().AddScoped<UnitOfWork>();

    /// <summary>
    /// Makes the body of a keyed POST readable twice: once by the endpoint's binding, once by
    /// <see cref="IdempotencyFilter"/> to hash it.
    /// </summary>
    public static WebApplication UseIdempotency(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Headers.ContainsKey(IdempotencyFilter.Header))
            {
                context.Request.EnableBuffering();
            }
            return next(context);
        });
        return app;
    }
}
