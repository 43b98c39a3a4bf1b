using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Which engine holds the data: <c>Database:Provider</c> = <c>sqlite</c> (the default: one file,
/// <see cref="Path"/>) or <c>postgres</c> (a server, <c>ConnectionStrings:Postgres</c>; DESIGN.md's scale-out).
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>, in any case.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The SQLite file, relative to the content root unless absolute. Uploads and Development keys live beside it on either engine.</summary>
    public string Path { get; set; } = "data/community.db";

    /// <summary>From <c>ConnectionStrings:Postgres</c> (bound by <see cref="DataSetup.AddDatabase"/>, not from this section).</summary>
    public string? PostgresConnectionString { get; set; }

    public bool UsesPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Checked at start-up (<c>ValidateOnStart</c>), before the database is touched: a bad setting stops the app with a message naming it.</summary>
internal sealed class DatabaseOptionsValidation : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (!string.Equals(options.Provider, DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase) && !options.UsesPostgres)
        {
            return ValidateOptionsResult.Fail(
                $"Database:Provider is '{options.Provider}': it must be '{DatabaseOptions.Sqlite}' (the default) or '{DatabaseOptions.Postgres}'.");
        }
        if (!options.UsesPostgres)
        {
            return string.IsNullOrWhiteSpace(options.Path)
                ? ValidateOptionsResult.Fail("Database:Path must name a file.")
                : ValidateOptionsResult.Success;
        }
        if (string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            return ValidateOptionsResult.Fail(
                "Database:Provider is postgres, but ConnectionStrings:Postgres is empty: set it, e.g. " +
                "ConnectionStrings__Postgres=\"Host=127.0.0.1;Port=5432;Database=community;Username=community;Password=…\".");
        }
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                return ValidateOptionsResult.Fail("ConnectionStrings:Postgres names no Host: add Host=… (a name, an address or a socket folder).");
            }
        }
        catch (Exception error) when (error is ArgumentException or FormatException or InvalidCastException)
        {
            // The message of a malformed string never repeats the string: it may hold the password.
            return ValidateOptionsResult.Fail($"ConnectionStrings:Postgres is not a valid Npgsql connection string ({error.GetType().Name}).");
        }
        return ValidateOptionsResult.Success;
    }
}
