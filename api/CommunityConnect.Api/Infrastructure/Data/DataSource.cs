using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The engine-neutral way to open a connection: <see cref="DbDataSource"/> is SQLite's file (pooled
/// connections with foreign keys on, the <see cref="Database"/>'s connection string) or PostgreSQL's
/// <see cref="NpgsqlDataSource"/>, chosen by <c>Database:Provider</c>. Read paths that take a
/// <see cref="DbConnection"/> open it here; writes on SQLite still go through <see cref="Database.WriteAsync{T}"/>.
/// </summary>
public static class DataSourceSetup
{
    public static IServiceCollection AddDataSource(this IServiceCollection services)
    {
        services.AddSingleton<DbDataSource>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return options.UsesPostgres
                ? NpgsqlDataSource.Create(options.PostgresConnectionString!)
                : new SqliteDataSource(provider.GetRequiredService<Database>().ConnectionString);
        });
        return services;
    }
}

/// <summary>A <see cref="DbDataSource"/> over Microsoft.Data.Sqlite, which has none of its own: each connection is a new (pooled) <see cref="SqliteConnection"/>.</summary>
public sealed class SqliteDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString { get; } = connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);
}
