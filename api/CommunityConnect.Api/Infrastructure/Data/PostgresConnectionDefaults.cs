using System.Data.Common;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The app's defaults for its PostgreSQL connections, applied where <c>ConnectionStrings:Postgres</c> does not name
/// the setting itself (naming it, with any value, keeps that value):
/// <list type="bullet">
/// <item><c>Max Auto Prepare=256</c>, <c>Auto Prepare Min Usages=2</c>: a statement used twice on a pooled connection is
/// prepared on the server, so a hot page is parsed and planned once per connection instead of on every request
/// (Npgsql's default, 0, prepares nothing). <c>Max Auto Prepare=0</c> turns it off, e.g. behind a pooler that
/// cannot carry prepared statements.</item>
/// <item><c>No Reset On Close=true</c>: a connection going back to the pool is not reset with <c>DISCARD ALL</c>, a round
/// trip per unit of work that would also drop the prepared statements; nothing here changes session state beyond a
/// transaction (only <c>SET LOCAL</c>).</item>
/// </list>
/// </summary>
public static class PostgresConnectionDefaults
{
    public static string Apply(string connectionString)
    {
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Names(params string[] keys) => keys.Any(written.ContainsKey);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names("Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 256;
        }
        if (!Names("Auto Prepare Min Usages", "AutoPrepareMinUsages"))
        {
            builder.AutoPrepareMinUsages = 2;
        }
        if (!Names("No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }
}
