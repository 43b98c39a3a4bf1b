// The naive peer: what a ten-line minimal API does, measured beside the api in one run.
//   /plain   the framework's ceiling
//   /read    a Dapper read of 20 feed rows from the seeded database, a connection per request
//   /insert  an insert with a connection and a transaction per request (WAL, synchronous=FULL)
using Dapper;
using Microsoft.Data.Sqlite;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var read = $"Data Source={app.Configuration["ReadDb"]};Mode=ReadOnly";
var write = $"Data Source={app.Configuration["WriteDb"]}";
using (var setup = new SqliteConnection(write))
{
    setup.Open();
    setup.Execute("PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL);");
}

app.MapGet("/plain", () => "ok");
app.MapGet("/read", async () =>
{
    await using var connection = new SqliteConnection(read);
    return await connection.QueryAsync<FeedRow>(
        "SELECT id, title, reply_count AS ReplyCount, last_activity_at AS LastActivityAt FROM threads " +
        "WHERE community_id = 101 ORDER BY pinned DESC, last_activity_at DESC, id DESC LIMIT 20;");
});
app.MapPost("/insert", async () =>
{
    await using var connection = new SqliteConnection(write);
    await connection.OpenAsync();
    await connection.ExecuteAsync("PRAGMA synchronous=FULL;");
    await using var transaction = await connection.BeginTransactionAsync();
    var id = await connection.ExecuteScalarAsync<long>(
        "INSERT INTO notes (body, created_at) VALUES ('一条回复', @now) RETURNING id;", new { now = Environment.TickCount64 }, transaction);
    await transaction.CommitAsync();
    return Results.Created($"/notes/{id}", new { id });
});
app.Run();

internal sealed record FeedRow(long Id, string Title, long ReplyCount, long LastActivityAt);
