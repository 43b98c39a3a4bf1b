using System.Net;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The writer commits the units of work waiting together in one transaction, each in its own
/// savepoint: a unit that fails is undone alone, the others commit, and each caller is answered
/// only after the commit that holds its changes.
/// </summary>
public sealed class GroupCommitTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<SqliteConnection> ScratchTableAsync(string table)
    {
        await app.CreateClient().GetAsync("/healthz");
        var connection = new SqliteConnection(app.Service<Database>().ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"CREATE TABLE {table} (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, note TEXT);");
        return connection;
    }

    [Fact]
    public async Task TwoHundredConcurrentWritesWhereEveryTenthBreaksAConstraintCommitTheOtherOneHundredAndEighty()
    {
        await using var connection = await ScratchTableAsync("group_commit_codes");
        await connection.ExecuteAsync("INSERT INTO group_commit_codes (code) VALUES ('taken');");
        var database = app.Service<Database>();
        using var metrics = new WriterMetrics(database);

        // Every tenth unit writes a row first, then breaks the UNIQUE rule: its first row must go too.
        var writes = Enumerable.Range(0, 200).Select(i => database.WriteAsync(async (c, t) =>
        {
            var bad = i % 10 == 9;
            await c.ExecuteAsync("INSERT INTO group_commit_codes (code, note) VALUES (@code, 'first');", new { code = $"unit-{i}" }, t);
            if (bad)
            {
                await c.ExecuteAsync("INSERT INTO group_commit_codes (code) VALUES ('taken');", transaction: t);
            }
            return i;
        })).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                return (Ok: true, Error: (Exception?)null, Value: await w);
            }
            catch (SqliteException error)
            {
                return (Ok: false, Error: error, Value: -1);
            }
        }));

        Assert.Equal(180, outcomes.Count(o => o.Ok));
        Assert.All(outcomes.Where(o => !o.Ok), o => Assert.Equal(19, ((SqliteException)o.Error!).SqliteErrorCode)); // SQLITE_CONSTRAINT
        var kept = (await connection.QueryAsync<string>("SELECT code FROM group_commit_codes WHERE note = 'first';")).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 200).Where(i => i % 10 != 9).Select(i => $"unit-{i}").ToHashSet(), kept);
        Assert.Equal(181, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM group_commit_codes;"));

        Assert.Equal(200, metrics["cc.db.writer.units"]);
        Assert.Equal(20, metrics["cc.db.writer.units.failed"]);
        Assert.InRange(metrics["cc.db.writer.commits"], 1, 199);
        Assert.True(metrics["cc.db.writer.batch_size.max"] > 1, "no two units ever shared a commit");
    }

    [Fact]
    public async Task AFailedOutcomeIsUndoneAloneAndItsNeighboursCommit()
    {
        await using var connection = await ScratchTableAsync("group_commit_outcomes");
        var database = app.Service<Database>();
        var writes = Enumerable.Range(0, 50).Select(i => database.WriteAsync<Outcome<int>>(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO group_commit_outcomes (code) VALUES (@code);", new { code = $"o-{i}" }, t);
            return i % 5 == 0 ? Failure.Conflict("refused") : i;
        })).ToList();
        var outcomes = await Task.WhenAll(writes);

        Assert.Equal(10, outcomes.Count(o => o.Failed));
        Assert.Equal(40, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM group_commit_outcomes;"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM group_commit_outcomes WHERE code IN ('o-0', 'o-5', 'o-45');"));
    }

    [Fact]
    public async Task AWriteAnsweredAsDoneIsReadableAtOnce()
    {
        await using var connection = await ScratchTableAsync("group_commit_reads");
        var database = app.Service<Database>();
        var checks = Enumerable.Range(0, 100).Select(async i =>
        {
            var id = await database.WriteAsync((c, t) => c.ExecuteScalarAsync<long>(
                "INSERT INTO group_commit_reads (code) VALUES (@code) RETURNING id;", new { code = $"r-{i}" }, t));
            await using var reader = await database.OpenReadAsync();
            return await reader.ExecuteScalarAsync<string>("SELECT code FROM group_commit_reads WHERE id = @id;", new { id });
        });
        var codes = await Task.WhenAll(checks);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"r-{i}"), codes);
    }

    [Fact]
    public async Task ConcurrentSignUpsThroughTheApiSettleExactlyWithEachRefusalItsOwnProblem()
    {
        var committee = await app.ClientFor("residents");
        var thread = await committee.PostThread(new
        {
            kind = "volunteer", title = "招募楼组长", body = "每栋楼一位楼组长,协助通知和走访。", category = "community_life", volunteerCap = 500,
        });
        var threadId = thread.Id();
        var volunteers = new List<HttpClient>();
        for (var i = 0; i < 180; i++)
        {
            volunteers.Add(await app.ClientFor($"gc-vol-{i}", communityId: 1, role: "resident", unitId: 1 + i % 40));
        }
        // 200 requests at once: 180 first sign-ups, and every tenth request a second sign-up of someone already in the list.
        var requests = Enumerable.Range(0, 200)
            .Select(i => i % 10 == 9 ? volunteers[i / 10] : volunteers[i - i / 10])
            .ToList();
        var responses = await Task.WhenAll(requests.Select(v => v.PostAsync($"/v1/threads/{threadId}/signups", null)));

        Assert.Equal(180, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await refused.ExpectProblem(HttpStatusCode.Conflict);
        }
        Assert.Equal(180, (await committee.GetJson($"/v1/threads/{threadId}")).GetProperty("signupCount").GetInt32());
    }
}
