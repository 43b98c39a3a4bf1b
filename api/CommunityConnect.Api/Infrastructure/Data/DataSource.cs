using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The engine-neutral way to open a connection: <see cref="DbDataSource"/> is SQLite's file (pooled
/// connections with foreign keys on, the <see cref="Database"/>'s connection string) or PostgreSQL's
/// <see cref="NpgsqlDataSource"/>, chosen by <c>Database:Provider</c>. Read paths that take a
/// <see cref="DbConnection"/> open it here; writes go through <see cref="Database.WriteAsync{T}"/> on either engine.
/// </summary>
public static class DataSourceSetup
{
    public static IServiceCollection AddDataSource(this IServiceCollection services)
    {
        // The Database's own: one pool per host, shared by reads and writes (disposing it twice is harmless).
        services.AddSingleton<DbDataSource>(provider => provider.GetRequiredService<Database>().DataSource);
        return services;
    }
}

/// <summary>A <see cref="DbDataSource"/> over Microsoft.Data.Sqlite, which has none of its own: each connection is a new (pooled) <see cref="SqliteConnection"/>.</summary>
public sealed class SqliteDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString { get; } = connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);
}

