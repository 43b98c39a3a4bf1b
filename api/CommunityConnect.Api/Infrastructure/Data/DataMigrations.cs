using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// A change of existing rows that SQL alone cannot make (it needs the server's keys, say). A feature
/// registers one; it runs once at start-up, after every schema script, recorded in
/// <c>schema_migrations</c> under <see cref="Version"/> like a script. It must be re-runnable: run
/// again over its own result, it changes nothing.
/// </summary>
public interface IDataMigration
{
    /// <summary>The version it is recorded under, e.g. <c>0014_sealing_data</c> (after its schema script).</summary>
    string Version { get; }

    /// <summary>Does the work inside the unit of work that also records it; answers how many rows it changed.</summary>
    Task<int> RunAsync(DbConnection connection, DbTransaction transaction);
}

/// <summary>Runs the registered data migrations the database has not recorded, in version order, each in one unit of work with its record.</summary>
public sealed class DataMigrator(Database database, IEnumerable<IDataMigration> migrations, ILogger<DataMigrator> logger, TimeProvider time)
{
    /// <summary>Runs what is missing; answers the versions it ran.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync()
    {
        var ran = new List<string>();
        foreach (var migration in migrations.OrderBy(m => m.Version, StringComparer.Ordinal))
        {
            var changed = await database.WriteAsync(async (connection, transaction) =>
            {
                var recorded = await connection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = @Version);", new { migration.Version }, transaction);
                if (recorded)
                {
                    return (int?)null;
                }
                var rows = await migration.RunAsync(connection, transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@Version, @now);",
                    new { migration.Version, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
                return rows;
            });
            if (changed is { } rows)
            {
                logger.LogInformation("Applied data migration {Version} ({Rows} rows)", migration.Version, rows);
                ran.Add(migration.Version);
            }
        }
        return ran;
    }
}
