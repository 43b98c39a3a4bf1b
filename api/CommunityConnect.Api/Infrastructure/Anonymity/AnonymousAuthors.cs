using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Infrastructure.Anonymity;

/// <summary>The author of one anonymous item as storage knows them: a pseudonym of that item alone, and the nonce it was made with.</summary>
public sealed record AnonymousAuthor(string Pseudonym, string Nonce);

/// <summary>
/// Every key a caller is known by as an author: their named key (<see cref="RecipientKeys.ForUser"/>, on
/// their named items and notices) and the pseudonyms of their anonymous items. "Mine", the author's
/// private audience, the inbox and the author's own acts read <see cref="All"/>.
/// </summary>
public sealed record AuthorKeys(string Named, IReadOnlyList<string> Anonymous)
{
    public string[] All { get; } = [Named, .. Anonymous];

    public bool Owns(string authorKey) => authorKey == Named || Anonymous.Contains(authorKey);
}

/// <summary>
/// The one rule for what an anonymous item may store, for every feature that files one (the
/// complaint box today; the chat assistant and surveys later call the same methods).
/// <list type="bullet">
/// <item>An anonymous item never stores the author's user id nor <see cref="RecipientKeys.ForUser"/>: its
/// author key, its case's author key, its notices' mailbox, the author's "me too" on it, all carry the
/// item's <see cref="AnonymousAuthor.Pseudonym"/> = HMAC(K, "anonymous-item:" + user + ":" + nonce), with
/// a random nonce per item and K derived (HKDF) from <c>Keys:IdentityHash</c> for this purpose only.
/// Without the key a pseudonym equals nothing else and leads nowhere: not to the person's named
/// items, not to their other anonymous items.</item>
/// <item>The register, <c>anonymous_items</c>, holds each item's pseudonym and nonce: no user, no
/// community and no time. With the keys, <see cref="IsAuthor"/> recomputes whether a user made one.</item>
/// <item>The author finds their own anonymous items again with one read: <see cref="KeysOfAsync"/> opens
/// their keyring (<see cref="AnonymousKeyrings"/>: a row under a keyed hash of the user of its own
/// purpose, the pseudonyms sealed with AES-GCM), which <see cref="RegisterAsync"/> appends to in the
/// unit of work that files the item.</item>
/// <item>The way from an anonymous item to a person is the feature's seal (the complaint box's
/// AES-GCM <c>sealed_author</c>), opened only by an audited unsealing.</item>
/// </list>
/// </summary>
public sealed class AnonymousAuthors(LocalKeys keys, RecipientKeys recipients, AnonymousKeyrings keyrings, Database database)
{
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("CommunityConnect anonymous item pseudonyms v1");

    private byte[]? _key;

    private byte[] Key => _key ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.IdentityHash), 32, salt: [], info: Purpose);

    /// <summary>A fresh pseudonym for one new anonymous item of <paramref name="userId"/>; register it with <see cref="RegisterAsync"/>.</summary>
    public AnonymousAuthor NewAuthor(long userId)
    {
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(16));
        using var hmac = new HMACSHA256(Key);
        return new AnonymousAuthor(Pseudonym(hmac, userId, nonce), nonce);
    }

    /// <summary>
    /// Records the item's pseudonym in the register and in <paramref name="userId"/>'s keyring, inside the
    /// unit of work that files the item.
    /// </summary>
    public async Task RegisterAsync(DbConnection connection, DbTransaction transaction, long userId, AnonymousAuthor author, string itemKind, long itemId)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO anonymous_items (pseudonym, nonce, item_kind, item_id) VALUES (@Pseudonym, @Nonce, @itemKind, @itemId);
            """, new { author.Pseudonym, author.Nonce, itemKind, itemId }, transaction);
        await keyrings.AddAsync(connection, transaction, userId, [author.Pseudonym]);
    }

    /// <summary>Whether an anonymous item's author is <paramref name="userId"/> (the register row's pseudonym recomputed).</summary>
    public bool IsAuthor(long userId, AnonymousAuthor author)
    {
        using var hmac = new HMACSHA256(Key);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Pseudonym(hmac, userId, author.Nonce)), Encoding.ASCII.GetBytes(author.Pseudonym));
    }

    /// <summary>Which of <paramref name="register"/>'s items <paramref name="userId"/> made (one HMAC each): how keyrings are built for items filed before them.</summary>
    public IReadOnlyList<string> RecomputeMine(long userId, IEnumerable<AnonymousAuthor> register)
    {
        using var hmac = new HMACSHA256(Key);
        return register.Where(r => Pseudonym(hmac, userId, r.Nonce) == r.Pseudonym).Select(r => r.Pseudonym).ToList();
    }

    /// <summary>The caller's named key and the pseudonyms of their anonymous items, from their keyring (one row).</summary>
    public async Task<AuthorKeys> KeysOfAsync(long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await KeysOfAsync(connection, null, userId);
    }

    /// <inheritdoc cref="KeysOfAsync(long)"/>
    public async Task<AuthorKeys> KeysOfAsync(DbConnection connection, DbTransaction? transaction, long userId)
    {
        // One keyed lookup, whatever the number of anonymous items (README: measured figures).
        var mine = await keyrings.ReadAsync(connection, transaction, userId);
        return new AuthorKeys(recipients.ForUser(userId), mine);
    }

    private static string Pseudonym(HMACSHA256 hmac, long userId, string nonce) =>
        Base64Url(hmac.ComputeHash(Encoding.UTF8.GetBytes($"anonymous-item:{userId}:{nonce}")).AsSpan(0, 24));

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
