using Microsoft.AspNetCore.Http.HttpResults;
using Dapper;
using Microsoft.Extensions.Options;
using CommunityConnect.Api.Infrastructure.Caching;

namespace CommunityConnect.Api.Infrastructure.Data;

public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>
    /// Seed the demo street, communities and users when the database is new. On in Development
    /// (appsettings.Development.json), off elsewhere unless asked for; Production refuses to start with it.
    /// </summary>
    public bool Demo { get; set; }

    /// <summary>With <see cref="Demo"/>: also tickets, opinions, threads and a project (the run command's lived-in community).</summary>
    public bool DemoContent { get; set; }
}

/// <summary>Whether this start seeded the demo street into a new database, so that the demo content (above the features) may follow.</summary>
public sealed class DemoStreetSeeding
{
    public bool SeededThisStart { get; set; }
}

public static class DataSetup
{
    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.Configure();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .Configure(o => o.PostgresConnectionString = configuration.GetConnectionString("Postgres"))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidation>();
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section))
            .Validate<IHostEnvironment>((seed, environment) => !(seed.Demo && environment.IsProduction()),
                "Seed:Demo is on, but Production never seeds the demo street and its users: set Seed:Demo to false (Seed__Demo=false).")
            .ValidateOnStart();
        services.AddSingleton<Database>();
        services.AddCacheVersions(configuration);
        services.AddSingleton<DemoStreetSeeding>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<PostgresMigrator>();
        services.AddDataSource();
        services.AddSingleton<DataMigrator>();
        // Uploaded files live beside the database file.
        services.AddSingleton<Files.FileVault>();
        return services;
    }

    /// <summary>Applies migrations (the schema scripts, then the data migrations features register), then seeds the demo street if this start created the database (the demo content follows in Demo/).</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        // Settings are checked before the database is touched, not only when the host starts after
        // it: a refused Production start must not have created, migrated or seeded anything.
        app.Services.GetService<IStartupValidator>()?.Validate();
        var postgres = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.UsesPostgres;
        // On PostgreSQL the scripts are the twins (Migrations/Postgres); the versions are the same.
        var applied = postgres
            ? await app.Services.GetRequiredService<PostgresMigrator>().MigrateAsync()
            : await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        await app.Services.GetRequiredService<DataMigrator>().MigrateAsync();
        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (seed.Demo && applied.Contains(Migrator.Scripts[0].Version))
        {
            var time = app.Services.GetRequiredService<TimeProvider>();
            await app.Services.GetRequiredService<Database>().WriteAsync(async (connection, transaction) =>
            {
                await DemoData.SeedAsync(connection, transaction, time.GetUtcNow());
                await DemoData.SeedCompaniesAndRegistersAsync(connection, transaction, time.GetUtcNow());
                // The demo street has explicit ids: PostgreSQL's identity sequences move past them.
                await IdentitySequences.CatchUpAsync(connection, transaction);
                return true;
            });
            app.Services.GetRequiredService<DemoStreetSeeding>().SeededThisStart = true;
        }
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> (System.Data.Common.DbDataSource dataSource) =>
            {
                try
                {
                    // Either engine (DataSourceSetup): the read paths' way to a connection.
                    await using var connection = await dataSource.OpenConnectionAsync();
                    await connection.ExecuteScalarAsync<long>("SELECT 1;");
                    return TypedResults.Ok(new HealthStatus("ok"));
                }
                catch (System.Data.Common.DbException)
                {
                    return TypedResults.Problem(statusCode: 503, title: "The database does not answer.");
                }
            })
            .WithTags("Health").WithName("Health").WithSummary("200 when the database answers.")
            .WithDescription("Anyone, without a token (load balancers, uptime checks). Reads only: 200 {\"status\":\"ok\"} when the " +
                "database answers a query, 503 problem when it does not.")
            .ProducesProblem(503).AllowAnonymous();
        return app;
    }

    public sealed record HealthStatus(string Status);
}
