using Microsoft.AspNetCore.Http.HttpResults;
using Dapper;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Data;

public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Seed the demo street, communities and users when the database is new.</summary>
    public bool Demo { get; set; }

    /// <summary>With <see cref="Demo"/>: also tickets, opinions, threads and a project (the run command's lived-in community).</summary>
    public bool DemoContent { get; set; }
}

public static class DataSetup
{
    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.Configure();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Path), "Database:Path must name a file.")
            .ValidateOnStart();
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section));
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        // Uploaded files live beside the database file.
        services.AddSingleton<Files.FileVault>();
        return services;
    }

    /// <summary>Applies migrations, then seeds the demo data if this start created the database.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var applied = await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (seed.Demo && applied.Contains(Migrator.Scripts[0].Version))
        {
            var time = app.Services.GetRequiredService<TimeProvider>();
            await app.Services.GetRequiredService<Database>().WriteAsync(async (connection, transaction) =>
            {
                await DemoData.SeedAsync(connection, transaction, time.GetUtcNow());
                return true;
            });
            if (seed.DemoContent)
            {
                await DemoContent.SeedAsync(app.Services);
            }
        }
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> (Database database) =>
            {
                try
                {
                    await using var connection = await database.OpenReadAsync();
                    await connection.ExecuteScalarAsync<long>("SELECT 1;");
                    return TypedResults.Ok(new HealthStatus("ok"));
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
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
