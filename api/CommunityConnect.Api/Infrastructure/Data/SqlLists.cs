namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// List parameters for <c>IN @ids</c> (expanded by Dapper on both engines, see <see cref="DapperSetup"/>). Dapper turns an
/// empty list into <c>(SELECT @ids WHERE 1 = 0)</c> with an untyped NULL, which PostgreSQL cannot type; a list that
/// holds only a value no row has matches nothing the same way on both engines.
/// </summary>
public static class SqlLists
{
    /// <summary>The list, or when it is empty a one-element list of <paramref name="none"/> (a value that names no row, e.g. 0 for an id).</summary>
    public static IReadOnlyCollection<T> OrNone<T>(IEnumerable<T> values, T none)
    {
        var list = values as IReadOnlyCollection<T> ?? values.ToList();
        return list.Count == 0 ? [none] : list;
    }
}
