namespace CommunityConnect.Tests.Support;

/// <summary>
/// A <see cref="CommunityApp"/> that stays on its SQLite file in the PostgreSQL pass too (<see cref="TestProvider"/>): for the tests of
/// SQLite itself (its single writer and group commit, its migrator, its query plans, the SQLite side of the schema comparison).
/// </summary>
public sealed class SqliteApp : CommunityApp
{
    public SqliteApp() => Settings["Database:Provider"] = "sqlite";
}
