using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The journal both runners keep in <c>schema_migrations</c> (version, applied_at, checksum): what
/// ran, when, and the SHA-256 of the script as it ran, so that a script edited after it was applied
/// stops the start instead of going unnoticed (the old runner recorded versions only). Data migrations
/// (<see cref="IDataMigration"/>) are code, recorded without a checksum.
/// </summary>
/// <remarks>
/// Why not DbUp (<c>dbup-sqlite</c> / <c>dbup-postgresql</c>): it journals script names only (a
/// checksum is DbUp's open issue #277), so it would need a journal of our own anyway; it cannot run
/// SQLite's scripts with foreign keys off and <c>foreign_key_check</c> before the one commit (how
/// 0013 and 0017 rebuild <c>cases</c>); and its code scripts do not take Dapper and the single writer
/// the data migrations use. What it would add beyond this class is the runner loop, ten lines per engine.
/// </remarks>
internal static class MigrationJournal
{
    private const string ResourcePrefix = "CommunityConnect.Api.Infrastructure.Data.Migrations.";

    /// <summary>SHA-256 of the script with its line endings as LF, so a checkout with CRLF endings is the same script.</summary>
    public static string Checksum(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    /// <summary>
    /// The embedded <c>Migrations/*.sql</c> (<paramref name="folder"/> null) or <c>Migrations/<paramref name="folder"/>/*.sql</c>,
    /// in version order; a version is the file name without <c>.sql</c>.
    /// </summary>
    public static IReadOnlyList<(string Version, string Sql)> LoadScripts(string? folder)
    {
        var prefix = folder is null ? ResourcePrefix : $"{ResourcePrefix}{folder}.";
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Name: name, Version: name[prefix.Length..^".sql".Length]))
            // A script's version has no dot; a name with one lives in a subfolder (another engine's scripts).
            .Where(script => !script.Version.Contains('.'))
            .Select(script =>
            {
                using var stream = assembly.GetManifestResourceStream(script.Name)!;
                using var reader = new StreamReader(stream);
                return (script.Version, Sql: reader.ReadToEnd());
            })
            .OrderBy(script => script.Version, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Reads the journal inside the runner's transaction and answers the scripts still to apply, in order.
    /// A version the old runner recorded without a checksum takes the script's checksum now (trusted
    /// once: it is the script this database ran, unless someone edited it before this runner came). A
    /// recorded script whose checksum differs from the embedded one stops the start, naming it.
    /// </summary>
    public static async Task<IReadOnlyList<(string Version, string Sql)>> PendingAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Version, string Sql)> scripts, ILogger logger)
    {
        var recorded = (await connection.QueryAsync<(string Version, string? Checksum)>(
                "SELECT version, checksum FROM schema_migrations;", transaction: transaction))
            .ToDictionary(row => row.Version, row => row.Checksum, StringComparer.Ordinal);
        var pending = new List<(string, string)>();
        var edited = new List<string>();
        foreach (var (version, sql) in scripts)
        {
            if (!recorded.TryGetValue(version, out var checksum))
            {
                pending.Add((version, sql));
                continue;
            }
            var now = Checksum(sql);
            if (checksum is null)
            {
                await connection.ExecuteAsync(
                    "UPDATE schema_migrations SET checksum = @now WHERE version = @version AND checksum IS NULL;",
                    new { now, version }, transaction);
                logger.LogInformation("Journal: migration {Version} (recorded by the old runner) now carries its checksum", version);
            }
            else if (!string.Equals(checksum, now, StringComparison.Ordinal))
            {
                edited.Add($"{version} (applied as {checksum[..12]}…, now {now[..12]}…)");
            }
        }
        if (edited.Count > 0)
        {
            throw new InvalidOperationException(
                $"Migration script(s) {string.Join(", ", edited)} changed after this database applied them. A script that has run " +
                "never changes: restore it as it was and put the change in a new numbered script. Nothing was applied.");
        }
        return pending;
    }

    public static Task RecordAsync(DbConnection connection, DbTransaction transaction, string version, string? checksum, long appliedAt) =>
        connection.ExecuteAsync(
            "INSERT INTO schema_migrations (version, applied_at, checksum) VALUES (@version, @appliedAt, @checksum);",
            new { version, appliedAt, checksum }, transaction);
}
