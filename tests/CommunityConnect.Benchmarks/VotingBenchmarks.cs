using BenchmarkDotNet.Attributes;
using CommunityConnect.Api.Features.Voting;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Benchmarks;

/// <summary>
/// A ballot on a register of 100,000 units (90,000 owners of one unit each, 4,000 owners of two, the
/// developer's 2,000 unsold units as one voting owner): 94,001 voting owners, 80,000 of whom have
/// voted, so the chain holds 80,000 entries. Measures <see cref="LedgerStore.TallyAsync"/> (the live
/// tally from the ballot's running totals) and <see cref="LedgerStore.VerifyAsync"/> (reading and rehashing the
/// whole chain), on the api's own database and migrations, not HTTP.
/// </summary>
[MemoryDiagnoser]
public class VotingBenchmarks
{
    public const int Units = 100_000;
    public const int Votes = 80_000;
    private const long BallotId = 1;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 4, 0, 0, TimeSpan.Zero);

    private string _folder = null!;
    private Database _database = null!;
    private LedgerStore _ledger = null!;

    [GlobalSetup]
    public void Setup()
    {
        DapperSetup.Configure();
        _folder = Path.Combine(Path.GetTempPath(), $"cc-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _database = new Database(Options.Create(new DatabaseOptions { Path = Path.Combine(_folder, "bench.db") }),
            new Environment(_folder), NullLogger<Database>.Instance);
        new Migrator(_database, NullLogger<Migrator>.Instance, new FixedClock(Now)).MigrateAsync().GetAwaiter().GetResult();
        _database.WriteAsync(async (connection, transaction) =>
        {
            await SeedAsync(connection, transaction);
            return true;
        }).GetAwaiter().GetResult();
        _ledger = new LedgerStore(_database, new FixedClock(Now));
        var tally = Tally().GetAwaiter().GetResult();
        var check = Verify().GetAwaiter().GetResult();
        if (tally.ParticipatingOwners != Votes || !check.Valid || check.Entries != Votes)
        {
            throw new InvalidOperationException("The ballot did not hold the seeded votes; the benchmark would measure the wrong thing.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public async Task<BallotTally> Tally() => (await _ledger.TallyAsync(BallotId, 1))!;

    [Benchmark]
    public async Task<BallotVerification> Verify() => (await _ledger.VerifyAsync(BallotId, 1))!;

    private static async Task SeedAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        var now = Now.ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(
            """
            INSERT INTO streets (id, name) VALUES (1, '街道');
            INSERT INTO communities (id, street_id, name) VALUES (1, 1, '十万户小区');
            INSERT INTO users (id, display_name, created_at) VALUES (1, '业委会', @now);
            INSERT INTO owners_register_versions (id, community_id, state, created_at) VALUES (1, 1, 'current', @now);
            """, new { now }, transaction);
        var random = new Random(278);
        var units = Enumerable.Range(0, Units).Select(i =>
        {
            var owner = i < 2_000 ? "developer" : i < 10_000 ? $"K{(i - 2_000) / 2:D6}" : $"K{i:D6}";
            return new { Building = (i / 500 + 1).ToString(), Unit = (i % 500 + 101).ToString(), Area = 5_000 + random.Next(10_000), Owner = owner };
        }).ToList();
        await connection.ExecuteAsync(
            "INSERT INTO owners_register_units (version_id, building, unit, floor, area_centi_sq_m, owner_set) VALUES (1, @Building, @Unit, 1, @Area, @Owner);",
            units, transaction);
        var owners = units.GroupBy(u => u.Owner).Select((g, i) => new
        {
            Id = i + 1L, OwnerSet = g.Key, Token = Convert.ToHexStringLower(BitConverter.GetBytes((long)i).Concat(BitConverter.GetBytes(~(long)i)).ToArray()),
            Units = g.Count(), Area = g.Sum(u => (long)u.Area),
        }).ToList();
        await connection.ExecuteAsync(
            """
            INSERT INTO ballots (id, community_id, title, matter, rule, register_version_id, eligible_owners, eligible_area_centi_sq_m,
                                 opens_at, closes_at, created_by, created_at)
            VALUES (1, 1, '加装电梯', 'rebuild', 'special', 1, @count, @area, @now, @later, 1, @now);
            """, new { count = owners.Count, area = owners.Sum(o => o.Area), now, later = now + 86_400_000L * 7 }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO ballot_owners (id, ballot_id, owner_set, voter_token, units, area_centi_sq_m) VALUES (@Id, 1, @OwnerSet, @Token, @Units, @Area);",
            owners, transaction);
        ChainEntry? last = null;
        var entries = new List<ChainEntry>(Votes);
        foreach (var owner in owners.OrderBy(_ => random.Next()).Take(Votes))
        {
            last = BallotChain.Next(last, owner.Token, BallotChain.Choices[random.Next(3)], Now.AddMilliseconds(entries.Count * 37));
            entries.Add(last);
        }
        await connection.ExecuteAsync(
            "INSERT INTO ballot_entries (ballot_id, seq, voter_token, choice, cast_at, prev_hash, hash) VALUES (1, @Seq, @VoterToken, @Choice, @CastAt, @PrevHash, @Hash);",
            entries, transaction);
        // The running totals the api keeps as it appends, built here the way migration 0022 builds them.
        await connection.ExecuteAsync(
            """
            INSERT INTO ballot_totals (ballot_id, choice, owners, area_centi_sq_m)
            SELECT e.ballot_id, e.choice, COUNT(*), SUM(o.area_centi_sq_m)
            FROM ballot_entries e JOIN ballot_owners o ON o.ballot_id = e.ballot_id AND o.voter_token = e.voter_token
            GROUP BY e.ballot_id, e.choice;
            """, transaction: transaction);
    }

    private sealed class Environment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Benchmark";
        public string ApplicationName { get; set; } = "CommunityConnect.Benchmarks";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
