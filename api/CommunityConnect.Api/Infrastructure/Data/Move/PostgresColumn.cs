using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace CommunityConnect.Api.Infrastructure.Data.Move;

/// <summary>A value SQLite holds that the PostgreSQL column cannot take as it is (the message never repeats the value: it may be private).</summary>
internal sealed class ConversionException(string message) : Exception(message);

/// <summary>
/// A target column as <c>information_schema.columns</c> describes it, and how a SQLite value (long,
/// double, string, byte[]) becomes a value of its type for binary COPY: integers to bigint / integer /
/// smallint (range-checked) or to boolean (0/1 only), text to text (or to timestamptz / date / json when
/// a twin declares one), blobs to bytea. A value that does not fit stops the move, naming the column.
/// </summary>
internal sealed record PostgresColumn(string Table, string Name, string DataType, bool IsIdentity)
{
    /// <summary>The binary COPY type of this column; null when the move does not convert to it.</summary>
    public NpgsqlDbType? DbType => DataType switch
    {
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "smallint" => NpgsqlDbType.Smallint,
        "boolean" => NpgsqlDbType.Boolean,
        "text" => NpgsqlDbType.Text,
        "character varying" => NpgsqlDbType.Varchar,
        "character" => NpgsqlDbType.Char,
        "bytea" => NpgsqlDbType.Bytea,
        "numeric" => NpgsqlDbType.Numeric,
        "real" => NpgsqlDbType.Real,
        "double precision" => NpgsqlDbType.Double,
        "timestamp with time zone" => NpgsqlDbType.TimestampTz,
        "date" => NpgsqlDbType.Date,
        "json" => NpgsqlDbType.Json,
        "jsonb" => NpgsqlDbType.Jsonb,
        _ => null,
    };

    /// <summary>Writes one SQLite value (not null) into the current row of the COPY.</summary>
    public Task WriteAsync(NpgsqlBinaryImporter importer, object value, long row, CancellationToken cancellationToken)
    {
        var type = DbType ?? throw new InvalidOperationException($"{Table}.{Name}: {DataType} is not converted.");
        return type switch
        {
            NpgsqlDbType.Bigint => importer.WriteAsync(ToLong(value, row), type, cancellationToken),
            NpgsqlDbType.Integer => importer.WriteAsync(Checked(row, () => checked((int)ToLong(value, row))), type, cancellationToken),
            NpgsqlDbType.Smallint => importer.WriteAsync(Checked(row, () => checked((short)ToLong(value, row))), type, cancellationToken),
            NpgsqlDbType.Boolean => importer.WriteAsync(ToBool(value, row), type, cancellationToken),
            NpgsqlDbType.Text or NpgsqlDbType.Varchar or NpgsqlDbType.Char or NpgsqlDbType.Json or NpgsqlDbType.Jsonb =>
                importer.WriteAsync(ToText(value, row), type, cancellationToken),
            NpgsqlDbType.Bytea => importer.WriteAsync(ToBytes(value, row), type, cancellationToken),
            NpgsqlDbType.Numeric => importer.WriteAsync(ToDecimal(value, row), type, cancellationToken),
            NpgsqlDbType.Real => importer.WriteAsync((float)ToDouble(value, row), type, cancellationToken),
            NpgsqlDbType.Double => importer.WriteAsync(ToDouble(value, row), type, cancellationToken),
            NpgsqlDbType.TimestampTz => importer.WriteAsync(ToUtc(value, row), type, cancellationToken),
            NpgsqlDbType.Date => importer.WriteAsync(ToDate(value, row), type, cancellationToken),
            _ => throw new InvalidOperationException($"{Table}.{Name}: {DataType} is not converted."),
        };
    }

    private long ToLong(object value, long row) => value switch
    {
        long integer => integer,
        double real when real == Math.Floor(real) && real is >= long.MinValue and < 9.2233720368547758e18 => (long)real,
        _ => throw Unfit(value, row),
    };

    private bool ToBool(object value, long row) => value switch
    {
        long and 0 => false,
        long and 1 => true,
        _ => throw Unfit(value, row),
    };

    private string ToText(object value, long row)
    {
        var text = value switch
        {
            string s => s,
            long integer => integer.ToString(CultureInfo.InvariantCulture),
            double real => real.ToString("R", CultureInfo.InvariantCulture),
            _ => throw Unfit(value, row),
        };
        // PostgreSQL's text cannot hold U+0000; SQLite's can.
        return text.Contains('\0', StringComparison.Ordinal)
            ? throw new ConversionException($"{Table}.{Name}, row {row}: the text holds a NUL character, which PostgreSQL's text cannot store.")
            : text;
    }

    private byte[] ToBytes(object value, long row) => value switch
    {
        byte[] bytes => bytes,
        // A blob column SQLite was given text for: the same bytes.
        string text => Encoding.UTF8.GetBytes(text),
        _ => throw Unfit(value, row),
    };

    private decimal ToDecimal(object value, long row) => value switch
    {
        long integer => integer,
        double real => Checked(row, () => (decimal)real),
        string text when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw Unfit(value, row),
    };

    private double ToDouble(object value, long row) => value switch
    {
        double real => real,
        long integer => integer,
        _ => throw Unfit(value, row),
    };

    /// <summary>Milliseconds since the epoch (how this app stores times) or an ISO 8601 text.</summary>
    private DateTime ToUtc(object value, long row) => value switch
    {
        long ms => Checked(row, () => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime),
        string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) => at.UtcDateTime,
        _ => throw Unfit(value, row),
    };

    private DateOnly ToDate(object value, long row) => value switch
    {
        string text when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) => date,
        _ => throw Unfit(value, row),
    };

    private T Checked<T>(long row, Func<T> convert)
    {
        try
        {
            return convert();
        }
        catch (Exception error) when (error is OverflowException or ArgumentOutOfRangeException)
        {
            throw new ConversionException($"{Table}.{Name}, row {row}: the value is out of the range of PostgreSQL's {DataType}.");
        }
    }

    private ConversionException Unfit(object value, long row) => new(
        $"{Table}.{Name}, row {row}: SQLite holds {SqliteKind(value)} there, which does not convert to PostgreSQL's {DataType}.");

    private static string SqliteKind(object value) => value switch
    {
        long => "an integer",
        double => "a real",
        string => "a text",
        byte[] => "a blob",
        _ => value.GetType().Name,
    };
}
