using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// SQLite types a computed column only from its values; on an empty result or a NULL first row a
/// record read through Dapper must still map (it used to be a 500 on every empty page of membership
/// requests).
/// </summary>
public sealed class ComputedColumnMappingTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public sealed record Labelled(long Id, string? Label, long? Doubled, DateTimeOffset? At);

    private const string Query =
        """
        SELECT t.id, t.building || t.unit || '室' AS label, t.n * 2 AS doubled, COALESCE(t.at, NULL) AS at
        FROM t WHERE t.id >= @from ORDER BY t.id;
        """;

    public async Task InitializeAsync()
    {
        DapperSetup.Configure();
        await _connection.OpenAsync();
        await _connection.ExecuteAsync(
            """
            CREATE TABLE t (id INTEGER PRIMARY KEY, building TEXT, unit TEXT, n INTEGER, at INTEGER);
            INSERT INTO t VALUES (1, NULL, NULL, NULL, NULL), (2, '3号楼', '502', 2, 1700000000000);
            """);
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task AnEmptyResultOfComputedColumnsMapsToARecord()
    {
        Assert.Empty(await _connection.QueryAsync<Labelled>(Query, new { from = 99 }));
        Assert.Null(await _connection.QuerySingleOrDefaultAsync<Labelled>(Query, new { from = 99 }));
    }

    [Fact]
    public async Task AComputedColumnThatIsNullOnTheFirstRowMapsToARecord()
    {
        var rows = (await _connection.QueryAsync<Labelled>(Query, new { from = 1 })).ToList();
        Assert.Equal(new Labelled(1, null, null, null), rows[0]);
        Assert.Equal(new Labelled(2, "3号楼502室", 4, DateTimeOffset.FromUnixTimeMilliseconds(1700000000000)), rows[1]);
    }

    [Fact]
    public async Task AComputedColumnWithAValueMapsAsBefore()
    {
        var row = Assert.Single(await _connection.QueryAsync<Labelled>(Query, new { from = 2 }));
        Assert.Equal("3号楼502室", row.Label);
    }
}
