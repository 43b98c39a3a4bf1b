using System.Reflection;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Applies the numbered <c>Migrations/*.sql</c> files embedded in this assembly that the database
/// has not recorded in <c>schema_migrations</c>, in order, all in one transaction with their rows
/// there, so starting twice applies nothing twice and a failed script leaves no trace.
/// </summary>
public sealed class Migrator(Database database, ILogger<Migrator> logger)
{
    private const string ResourcePrefix = "CommunityConnect.Api.Infrastructure.Data.Migrations.";

    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies what is missing; answers the versions it applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync()
    {
        await using (var connection = await database.OpenReadAsync())
        {
            // WAL is a property of the file: set once, it stays.
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        }

        return await database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    TEXT    PRIMARY KEY,
                    applied_at INTEGER NOT NULL
                );
                """, transaction: transaction);
            var applied = (await connection.QueryAsync<string>(
                "SELECT version FROM schema_migrations;", transaction: transaction)).ToHashSet();
            var newlyApplied = new List<string>();
            foreach (var (version, sql) in Scripts)
            {
                if (applied.Contains(version))
                {
                    continue;
                }
                await connection.ExecuteAsync(sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now);",
                    new { version, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction);
                logger.LogInformation("Applied migration {Version}", version);
                newlyApplied.Add(version);
            }
            return (IReadOnlyList<string>)newlyApplied;
        });
    }

    private static IReadOnlyList<(string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                return (Version: name[ResourcePrefix.Length..^".sql".Length], Sql: reader.ReadToEnd());
            })
            .OrderBy(script => script.Version, StringComparer.Ordinal)
            .ToList();
    }
}
