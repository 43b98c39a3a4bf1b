using System.Data;
using System.Reflection;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Times are stored as INTEGER milliseconds since the Unix epoch (UTC): they sort, compare and
/// index the same on SQLite and PostgreSQL (bigint). Calendar dates are stored as 'yyyy-MM-dd' text.
/// Booleans are stored as INTEGER 0/1 on both engines (columns declared <c>INTEGER NOT NULL CHECK (x IN (0, 1))</c>,
/// <c>integer</c> or <c>smallint</c> on PostgreSQL, never <c>boolean</c>): SQL writes and compares them as
/// <c>flag = 1</c> / <c>flag = 0</c>, and C# reads them into <c>bool</c> (Dapper converts 0/1). Microsoft.Data.Sqlite
/// binds a <c>bool</c> parameter as 0/1 already, and a PostgreSQL provider must do the same (a Dapper handler for
/// <c>bool</c>), so a parameter compared with a column (<c>pinned = @was</c>) means the same on both. A bool
/// parameter used alone as a predicate (<c>CASE WHEN @top</c>, <c>@SeesAll OR …</c>) is SQLite-only: write <c>@top = 1</c>.
/// </summary>
/// <remarks>
/// List parameters (<c>id IN @ids</c>): Dapper expands a list into <c>(@ids1, @ids2, …)</c> for every provider but
/// Npgsql, to which it hands one array parameter, and <c>IN $1</c> with an array is a syntax error on PostgreSQL.
/// <see cref="Configure"/> makes Dapper expand lists on Npgsql too, so <c>IN @ids</c> reads the same on both engines
/// (an empty list expands to a query that matches nothing; <see cref="SqlLists.OrNone{T}"/> keeps its type).
/// </remarks>
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
        SqlMapper.TypeMapProvider = type => new UntypedColumnTypeMap(type);
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new UnixMillisecondsHandler());
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateOnly?));
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(bool?));
        SqlMapper.AddTypeHandler(new IntegerBooleanHandler());
        ExpandListsOnPostgres();
    }

    /// <summary>
    /// Dapper decides per connection type (its internal <c>FeatureSupport</c>) whether a list parameter is passed as one
    /// array (Npgsql) or expanded into one parameter per element (everyone else). The portable SQL of the features writes
    /// <c>IN @ids</c>, which only the expansion makes valid on PostgreSQL: turn Npgsql's array support off.
    /// </summary>
    private static void ExpandListsOnPostgres()
    {
        var featureSupport = typeof(SqlMapper).Assembly.GetType("Dapper.FeatureSupport")
            ?? throw new InvalidOperationException("Dapper.FeatureSupport not found: this Dapper version decides list expansion elsewhere (DapperSetup).");
        var postgres = featureSupport.GetField("Postgres", BindingFlags.Static | BindingFlags.NonPublic)?.GetValue(null)
            ?? throw new InvalidOperationException("Dapper.FeatureSupport.Postgres not found (DapperSetup).");
        var arrays = featureSupport.GetField("<Arrays>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Dapper.FeatureSupport.Arrays has no backing field (DapperSetup).");
        arrays.SetValue(postgres, false);
    }

    /// <summary>Booleans as 0/1 integers on both engines (bigint on PostgreSQL); reads 0/1 integers or a real boolean (<c>EXISTS</c>).</summary>
    private sealed class IntegerBooleanHandler : SqlMapper.TypeHandler<bool>
    {
        public override void SetValue(IDbDataParameter parameter, bool value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value ? 1L : 0L;
        }

        public override bool Parse(object value) => value switch
        {
            bool flag => flag,
            string text => text is "1" || bool.TryParse(text, out var parsed) && parsed,
            _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 0,
        };
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

    /// <summary>
    /// SQLite knows a computed column's type (<c>b.name || u.number</c>, <c>COALESCE</c>, <c>CASE</c>,
    /// an aggregate) only from its value: on an empty result, or a row where it is NULL,
    /// Microsoft.Data.Sqlite reports it as BLOB (<c>byte[]</c>), and Dapper then finds no record
    /// constructor whose parameter types match, and an empty page fails with a 500. This map lets such
    /// an untyped column stand for whatever its constructor parameter wants; the value a row brings is
    /// still converted (or refused) as Dapper always does. Every other decision stays Dapper's own.
    /// </summary>
    internal sealed class UntypedColumnTypeMap(Type type) : SqlMapper.ITypeMap
    {
        private readonly DefaultTypeMap _default = new(type);

        public ConstructorInfo? FindConstructor(string[] names, Type[] types)
        {
            var found = _default.FindConstructor(names, types);
            if (found is not null || !types.Contains(typeof(byte[])))
            {
                return found;
            }
            foreach (var constructor in type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var parameters = constructor.GetParameters();
                if (parameters.Length != types.Length)
                {
                    continue;
                }
                var assumed = types.Select((column, i) => column == typeof(byte[])
                    ? Nullable.GetUnderlyingType(parameters[i].ParameterType) ?? parameters[i].ParameterType
                    : column).ToArray();
                if (_default.FindConstructor(names, assumed) == constructor)
                {
                    return constructor;
                }
            }
            return null;
        }

        public ConstructorInfo? FindExplicitConstructor() => _default.FindExplicitConstructor();

        public SqlMapper.IMemberMap? GetConstructorParameter(ConstructorInfo constructor, string columnName) =>
            _default.GetConstructorParameter(constructor, columnName);

        public SqlMapper.IMemberMap? GetMember(string columnName) => _default.GetMember(columnName);
    }
}
