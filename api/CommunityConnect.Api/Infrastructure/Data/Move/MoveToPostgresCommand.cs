using System.CommandLine;
using System.Data.Common;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data.Move;

/// <summary>
/// <c>CommunityConnect.Api move-to-postgres --from data/community.db --to "Host=…;Database=…"</c>: moves the
/// SQLite file's data into an empty PostgreSQL database (<see cref="MoveToPostgres"/>), prints a
/// per-table summary and exits without starting the web host. Exit codes: 0 moved; 1 the arguments do
/// not parse; 2 refused (the message says why; nothing was copied); 3 failed on the way (a connection
/// or I/O error; the copy transaction rolled back). The connection string's password is never printed.
/// </summary>
public static class MoveToPostgresCommand
{
    public const string Verb = "move-to-postgres";
    public const int Moved = 0;
    public const int Refused = 2;
    public const int Failed = 3;

    public static bool IsRequested(string[] args) => args is [Verb, ..];

    /// <summary>The api's arguments without the command's (its connection string is not configuration).</summary>
    public static string[] HostArguments(string[] args) => IsRequested(args) ? [] : args;

    /// <summary>
    /// The command's host points its (unused) SQLite door at the file being moved, so that resolving the app's
    /// services never creates a database file of its own elsewhere; the move itself opens the file read-only.
    /// </summary>
    public static WebApplicationBuilder ForMoveCommand(this WebApplicationBuilder builder, string[] args)
    {
        if (IsRequested(args) && FromOf(args) is { } from)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Path"] = Path.GetFullPath(from),
                ["Seed:Demo"] = "false",
                ["Seed:DemoContent"] = "false",
            });
        }
        return builder;
    }

    /// <summary>The value of <c>--from</c> as the parser will read it (<c>--from x</c>, <c>--from=x</c> or <c>--from:x</c>), or null.</summary>
    private static string? FromOf(string[] args)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--from" && i + 1 < args.Length)
            {
                return args[i + 1];
            }
            if (args[i].StartsWith("--from=", StringComparison.Ordinal) || args[i].StartsWith("--from:", StringComparison.Ordinal))
            {
                return args[i]["--from=".Length..];
            }
        }
        return null;
    }

    /// <summary>Runs the command (<paramref name="args"/> with the verb first); answers the exit code.</summary>
    public static Task<int> RunAsync(WebApplication app, string[] args) =>
        InvokeAsync(app.Services, args[1..], Console.Out, Console.Error);

    /// <summary>Runs the command with the services' data migrations (the tests call this in-process).</summary>
    public static Task<int> InvokeAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        var from = new Option<string>("--from") { Description = "The SQLite file to move (the app's Database:Path; the app stopped).", Required = true };
        var to = new Option<string?>("--to")
        {
            Description = "The empty PostgreSQL database, as an Npgsql connection string (default: the configured ConnectionStrings:Postgres, " +
                          "e.g. from ConnectionStrings__Postgres, which keeps the password out of the shell's history).",
        };
        var root = new RootCommand("Move a community's data from its SQLite file into an empty PostgreSQL database.") { from, to };
        root.SetAction((parse, cancellationToken) =>
            MoveAsync(services, parse.GetValue(from)!, parse.GetValue(to), output, error, cancellationToken));
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static async Task<int> MoveAsync(
        IServiceProvider services, string from, string? to, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        to ??= services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(to))
        {
            await error.WriteLineAsync($"{Verb}: name the PostgreSQL database with --to \"Host=…;Database=…;Username=…\" or ConnectionStrings__Postgres.");
            return Refused;
        }
        NpgsqlConnectionStringBuilder target;
        try
        {
            target = new NpgsqlConnectionStringBuilder(to);
        }
        catch (Exception parse) when (parse is ArgumentException or FormatException or InvalidCastException)
        {
            // Never the string itself: it may hold the password.
            await error.WriteLineAsync($"{Verb}: --to is not a valid Npgsql connection string ({parse.GetType().Name}).");
            return Refused;
        }
        if (string.IsNullOrWhiteSpace(target.Host) || string.IsNullOrWhiteSpace(target.Database))
        {
            await error.WriteLineAsync($"{Verb}: --to must name a Host and a Database (Host=…;Database=…).");
            return Refused;
        }
        var described = MoveToPostgres.Describe(target);
        await output.WriteLineAsync($"Moving {Path.GetFullPath(from)} into {described}.");
        try
        {
            // Resolved only now that the file is known to exist (see ForMoveCommand).
            if (!File.Exists(from))
            {
                throw new MoveRefusedException($"There is no SQLite file at {Path.GetFullPath(from)} (--from).");
            }
            var move = new MoveToPostgres(services.GetServices<IDataMigration>(), services.GetRequiredService<ILoggerFactory>(),
                services.GetRequiredService<TimeProvider>());
            var report = await move.RunAsync(from, to, cancellationToken);
            await WriteSummaryAsync(output, report);
            return Moved;
        }
        catch (MoveRefusedException refusal)
        {
            await error.WriteLineAsync($"{Verb} refused: {Scrub(refusal.Message, target)}");
            return Refused;
        }
        catch (Exception failure) when (failure is DbException or IOException or TimeoutException or OperationCanceledException)
        {
            await error.WriteLineAsync(
                $"{Verb} failed: {failure.GetType().Name}: {Scrub(failure.Message, target)} Nothing was committed to {described}.");
            return Failed;
        }
    }

    private static async Task WriteSummaryAsync(TextWriter output, MoveReport report)
    {
        await output.WriteLineAsync(report.Migrations.Count == 0
            ? "The target was at this build's migrations already."
            : $"Migrated the target first: {report.Migrations.Count} migration(s), {string.Join(", ", report.Migrations.Order(StringComparer.Ordinal))}.");
        var width = Math.Max(5, report.Tables.Select(t => t.Name.Length).DefaultIfEmpty(0).Max());
        await output.WriteLineAsync($"{"table".PadRight(width)}  rows");
        foreach (var table in report.Tables)
        {
            await output.WriteLineAsync($"{table.Name.PadRight(width)}  {table.Rows}");
        }
        await output.WriteLineAsync(
            $"Moved {report.Tables.Sum(t => t.Rows)} rows in {report.Tables.Count} tables into {report.Target} (one transaction, counts compared, " +
            "identity sequences set). Start the app with Database:Provider=postgres and ConnectionStrings:Postgres; keep the SQLite file as the backup.");
    }

    /// <summary>A message with the password taken out, should any layer below have repeated it.</summary>
    private static string Scrub(string message, NpgsqlConnectionStringBuilder target) =>
        string.IsNullOrEmpty(target.Password) ? message : message.Replace(target.Password, "***", StringComparison.Ordinal);
}
