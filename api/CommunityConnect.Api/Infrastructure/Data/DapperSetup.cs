using System.Data;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Times are stored as INTEGER milliseconds since the Unix epoch (UTC): they sort, compare and
/// index the same on SQLite and PostgreSQL (bigint). Calendar dates are stored as 'yyyy-MM-dd' text.
/// </summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new UnixMillisecondsHandler());
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateOnly?));
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
    }

    private sealed class UnixMillisecondsHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value.ToUnixTimeMilliseconds();
        }

        public override DateTimeOffset Parse(object value) =>
            DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value));
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value.ToString("yyyy-MM-dd");
        }

        public override DateOnly Parse(object value) => DateOnly.ParseExact((string)value, "yyyy-MM-dd");
    }
}
