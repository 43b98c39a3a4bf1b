using System.Data;
using System.Globalization;
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
        SqlMapper.AddTypeHandler(typeof(DateTimeOffset), new UnixMillisecondsHandler());
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateOnly?));
        SqlMapper.AddTypeHandler(typeof(DateOnly), new DateOnlyHandler());
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(bool?));
        SqlMapper.AddTypeHandler(typeof(bool), new IntegerBooleanHandler());
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

    /// <summary>
    /// A handler that types its parameter even when the value is null: Dapper's <c>TypeHandler&lt;T&gt;</c> leaves a null
    /// untyped, which SQLite takes but PostgreSQL cannot place (<c>@afterAt IS NULL</c>: "could not determine data type").
    /// </summary>
    private abstract class TypedHandler<T>(DbType dbType) : SqlMapper.ITypeHandler where T : struct
    {
        public void SetValue(IDbDataParameter parameter, object value)
        {
            parameter.DbType = dbType;
            parameter.Value = value is null or DBNull ? DBNull.Value : ToDatabase((T)value);
        }

        public object? Parse(Type destinationType, object value) => value is null or DBNull ? null : FromDatabase(value);

        protected abstract object ToDatabase(T value);

        protected abstract T FromDatabase(object value);
    }

    private sealed class UnixMillisecondsHandler() : TypedHandler<DateTimeOffset>(DbType.Int64)
    {
        protected override object ToDatabase(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

        protected override DateTimeOffset FromDatabase(object value) =>
            DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    private sealed class DateOnlyHandler() : TypedHandler<DateOnly>(DbType.String)
    {
        protected override object ToDatabase(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        protected override DateOnly FromDatabase(object value) => DateOnly.ParseExact((string)value, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>Booleans as 0/1 integers on both engines (bigint on PostgreSQL); reads 0/1 integers or a real boolean (<c>EXISTS</c>).</summary>
    private sealed class IntegerBooleanHandler() : TypedHandler<bool>(DbType.Int64)
    {
        protected override object ToDatabase(bool value) => value ? 1L : 0L;

        protected override bool FromDatabase(object value) => value switch
        {
            bool flag => flag,
            string text => text is "1" || bool.TryParse(text, out var parsed) && parsed,
            _ => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        };
    }

    /// <summary>
    /// SQLite knows a computed column's type (<c>b.name || u.number</c>, <c>COALESCE</c>, <c>CASE</c>,
    /// an aggregate) only from its value: on an empty result, or a row where it is NULL,
    /// Microsoft.Data.Sqlite reports it as BLOB (<c>byte[]</c>), and Dapper then finds no record
    /// constructor whose parameter types match, and an empty page fails with a 500. This map lets such
    /// an untyped column stand for whatever its constructor parameter wants; the value a row brings is
    /// still converted (or refused) as Dapper always does. Every other decision stays Dapper's own.
    /// PostgreSQL types every column, but not as SQLite's one INTEGER: an integer literal is <c>integer</c>
    /// (Int32), <c>SUM</c> over <c>bigint</c> is <c>numeric</c> (decimal), a comparison is <c>boolean</c>; a number
    /// or boolean column likewise stands for a number or boolean parameter, and Dapper converts its value.
    /// </summary>
    internal sealed class UntypedColumnTypeMap(Type type) : SqlMapper.ITypeMap
    {
        private readonly DefaultTypeMap _default = new(type);

        public ConstructorInfo? FindConstructor(string[] names, Type[] types)
        {
            var found = _default.FindConstructor(names, types);
            if (found is not null || !types.Any(column => column == typeof(byte[]) || IsNumber(column)))
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
                var assumed = types.Select((column, i) =>
                {
                    var wanted = Nullable.GetUnderlyingType(parameters[i].ParameterType) ?? parameters[i].ParameterType;
                    return column == typeof(byte[]) || IsNumber(column) && IsNumber(wanted) ? wanted : column;
                }).ToArray();
                if (_default.FindConstructor(names, assumed) == constructor)
                {
                    return constructor;
                }
            }
            return null;
        }

        private static bool IsNumber(Type type) =>
            type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(decimal)
            || type == typeof(double) || type == typeof(float) || type == typeof(bool);

        public ConstructorInfo? FindExplicitConstructor() => _default.FindExplicitConstructor();

        public SqlMapper.IMemberMap? GetConstructorParameter(ConstructorInfo constructor, string columnName) =>
            _default.GetConstructorParameter(constructor, columnName);

        public SqlMapper.IMemberMap? GetMember(string columnName) => _default.GetMember(columnName);
    }
}
