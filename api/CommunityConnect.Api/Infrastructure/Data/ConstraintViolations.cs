using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>Which kind of constraint a failed statement broke, whatever the engine.</summary>
public enum ConstraintViolation
{
    /// <summary>Not a constraint violation (or one this classifier does not know).</summary>
    None,

    /// <summary>A UNIQUE constraint or a primary key: the race a unique constraint settles was lost.</summary>
    Unique,

    /// <summary>A foreign key names a row that does not exist.</summary>
    ForeignKey,

    /// <summary>A CHECK constraint (a cap, an allowed value).</summary>
    Check,

    /// <summary>A NOT NULL column got none.</summary>
    NotNull,
}

/// <summary>
/// The one place that reads an engine's error codes. Stores and endpoints ask <see cref="Classify"/>
/// instead of catching <c>SqliteException</c> or <c>PostgresException</c> and comparing codes: SQLite's extended
/// result codes, PostgreSQL's SQLSTATEs (23505 unique, 23503 foreign key, 23514 check, 23502 not null).
/// </summary>
public static class ConstraintViolations
{
    // SQLite's extended result codes (sqlite.org/rescode.html): SQLITE_CONSTRAINT (19) | (n << 8).
    private const int SqliteConstraint = 19;
    private const int SqliteCheck = 275;
    private const int SqliteForeignKey = 787;
    private const int SqliteNotNull = 1299;
    private const int SqlitePrimaryKey = 1555;
    private const int SqliteUnique = 2067;

    public static ConstraintViolation Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint } sqlite => sqlite.SqliteExtendedErrorCode switch
        {
            SqliteUnique or SqlitePrimaryKey => ConstraintViolation.Unique,
            SqliteForeignKey => ConstraintViolation.ForeignKey,
            SqliteCheck => ConstraintViolation.Check,
            SqliteNotNull => ConstraintViolation.NotNull,
            _ => ConstraintViolation.None,
        },
        PostgresException postgres => postgres.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => ConstraintViolation.Unique,
            PostgresErrorCodes.ForeignKeyViolation => ConstraintViolation.ForeignKey,
            PostgresErrorCodes.CheckViolation => ConstraintViolation.Check,
            PostgresErrorCodes.NotNullViolation => ConstraintViolation.NotNull,
            _ => ConstraintViolation.None,
        },
        DbException => ConstraintViolation.None,
        _ => exception.InnerException is { } inner ? Classify(inner) : ConstraintViolation.None,
    };
}
