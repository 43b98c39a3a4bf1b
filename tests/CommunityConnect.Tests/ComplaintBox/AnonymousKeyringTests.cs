using System.Diagnostics;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>
/// The keyring of anonymous authors (0019): <see cref="AnonymousAuthors.KeysOfAsync(long)"/> finds a
/// user's pseudonyms with one read, filing appends to it, another user finds none of them, and the
/// data migration 0019_anonymous_keyrings_data builds keyrings for items registered before them.
/// </summary>
public sealed class AnonymousKeyringTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task KeysOfFindsTheAuthorsPseudonymsAfterTwoAnonymousFilingsAndAnotherUserFindsNone()
    {
        var author = await app.ClientFor("resident");
        var authorId = await CommunityApp.UserIdOf(author);
        var tenant = await app.ClientFor("tenant");
        var tenantId = await CommunityApp.UserIdOf(tenant);
        var authors = app.Service<AnonymousAuthors>();
        var keyrings = app.Service<AnonymousKeyrings>();
        var before = await authors.KeysOfAsync(authorId);

        var first = await author.PostOpinion("complaint", "property_service", "楼道灯坏了一周。", anonymous: true, visibility: "private", title: "楼道灯");
        var sealedAfterOne = await SealedOfAsync(keyrings.HolderOf(authorId));
        var second = await author.PostOpinion("question", "funds", "公共收益用在哪里了?", anonymous: true, visibility: "public");
        var sealedAfterTwo = await SealedOfAsync(keyrings.HolderOf(authorId));
        var named = await author.PostOpinion("suggestion", "community_life", "办个旧物交换。");

        var pseudonyms = new[] { await AuthorKeyOfAsync(first.Id()), await AuthorKeyOfAsync(second.Id()) };
        var keys = await authors.KeysOfAsync(authorId);
        Assert.Equal(app.Service<RecipientKeys>().ForUser(authorId), keys.Named);
        Assert.Equal([.. before.Anonymous, .. pseudonyms], keys.Anonymous);
        Assert.DoesNotContain(await AuthorKeyOfAsync(named.Id()), keys.Anonymous);
        Assert.All(pseudonyms, p => Assert.True(keys.Owns(p)));
        // Padding: one entry or two, the same length (a bucket of 8), yet sealed afresh each time.
        Assert.Equal(sealedAfterOne.Length, sealedAfterTwo.Length);
        Assert.NotEqual(sealedAfterOne, sealedAfterTwo);

        var others = await authors.KeysOfAsync(tenantId);
        Assert.Empty(others.Anonymous.Intersect(pseudonyms));
        Assert.All(pseudonyms, p => Assert.False(others.Owns(p)));
        // A keyring copied onto another holder does not open.
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => keyrings.Open(keyrings.HolderOf(tenantId), sealedAfterTwo));
    }

    [Fact]
    public async Task TheDataMigrationBuildsKeyringsForItemsRegisteredBeforeThemAndASecondRunChangesNothing()
    {
        var author = await app.ClientFor("keyring-resident", communityId: 1, role: "resident", unitId: 5);
        var authorId = await CommunityApp.UserIdOf(author);
        var first = await author.PostOpinion("complaint", "sanitation", "垃圾站三天没清。", anonymous: true);
        var second = await author.PostOpinion("complaint", "parking", "消防通道被占。", anonymous: true, visibility: "private");
        var pseudonyms = new[] { await AuthorKeyOfAsync(first.Id()), await AuthorKeyOfAsync(second.Id()) };
        var everyone = await KeyringsByUserAsync();

        // As before 0019: the register holds the items, no keyring exists, the data migration not recorded.
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync("DELETE FROM anonymous_keyrings; DELETE FROM schema_migrations WHERE version = '0019_anonymous_keyrings_data';");
        }
        Assert.Empty((await app.Service<AnonymousAuthors>().KeysOfAsync(authorId)).Anonymous);

        Assert.Equal(["0019_anonymous_keyrings_data"], await app.Service<DataMigrator>().MigrateAsync());
        Assert.Equal(pseudonyms.Order(), (await app.Service<AnonymousAuthors>().KeysOfAsync(authorId)).Anonymous.Order());
        var rebuilt = await KeyringsByUserAsync();
        Assert.Equal(everyone.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(everyone, e => Assert.Equal(e.Value.Order(), rebuilt[e.Key].Order()));

        // A second run (its record removed) changes nothing, not even the sealed bytes.
        var snapshot = await SnapshotAsync();
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = '0019_anonymous_keyrings_data';");
        }
        Assert.Equal(["0019_anonymous_keyrings_data"], await app.Service<DataMigrator>().MigrateAsync());
        Assert.Empty(await app.Service<DataMigrator>().MigrateAsync());
        Assert.Equal(snapshot, await SnapshotAsync());
        // The author still follows them.
        Assert.Equal([second.Id(), first.Id()], (await author.GetJson("/v1/me/opinions")).GetProperty("items").EnumerateArray().Select(o => o.Id()));
    }

    /// <summary>A throwaway measurement (README): KeysOfAsync per call with 100,000 registered items.</summary>
    [Fact(Skip = "Measurement only: remove Skip and run with --filter AnonymousKeyringTests.Measure")]
    public async Task Measure()
    {
        var author = await app.ClientFor("resident");
        var authorId = await CommunityApp.UserIdOf(author);
        await author.PostOpinion("complaint", "property_service", "楼道灯坏了一周。", anonymous: true);
        var authors = app.Service<AnonymousAuthors>();
        await app.Service<Database>().WriteAsync(async (connection, transaction) =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                var item = authors.NewAuthor(1_000_000 + i % 500);
                await connection.ExecuteAsync("INSERT INTO anonymous_items (pseudonym, nonce, item_kind, item_id) VALUES (@Pseudonym, @Nonce, 'measure', @i);",
                    new { item.Pseudonym, item.Nonce, i }, transaction);
            }
            return true;
        });
        for (var i = 0; i < 20; i++)
        {
            await authors.KeysOfAsync(authorId);
        }
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            Assert.Single((await authors.KeysOfAsync(authorId)).Anonymous);
        }
        Console.WriteLine($"KeysOfAsync with 100,000 items: {watch.Elapsed.TotalMilliseconds / 200:F3} ms per call");
    }

    private async Task<string> AuthorKeyOfAsync(long opinionId)
    {
        await using var connection = app.Connection();
        return await connection.ExecuteScalarAsync<string>("SELECT author_key FROM opinions WHERE id = @opinionId;", new { opinionId }) ?? "";
    }

    private async Task<byte[]> SealedOfAsync(string holder)
    {
        await using var connection = app.Connection();
        return await connection.ExecuteScalarAsync<byte[]>("SELECT sealed FROM anonymous_keyrings WHERE holder = @holder;", new { holder }) ?? [];
    }

    private async Task<Dictionary<string, IReadOnlyList<string>>> KeyringsByUserAsync()
    {
        await using var connection = app.Connection();
        var keyrings = app.Service<AnonymousKeyrings>();
        return (await connection.QueryAsync<(string Holder, byte[] Sealed)>("SELECT holder, sealed FROM anonymous_keyrings;"))
            .ToDictionary(r => r.Holder, r => keyrings.Open(r.Holder, r.Sealed));
    }

    private async Task<string> SnapshotAsync()
    {
        await using var connection = app.Connection();
        var rows = await connection.QueryAsync<(string Holder, byte[] Sealed)>("SELECT holder, sealed FROM anonymous_keyrings ORDER BY holder;");
        return string.Join("\n", rows.Select(r => $"{r.Holder}:{Convert.ToBase64String(r.Sealed)}"));
    }
}
