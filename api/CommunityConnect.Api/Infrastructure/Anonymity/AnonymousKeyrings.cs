using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Infrastructure.Anonymity;

/// <summary>
/// The keyring of one anonymous author: the pseudonyms of their anonymous items, found with one read
/// (<c>anonymous_keyrings</c>, migration 0019). The row's <c>holder</c> is HMAC(K_h, "keyring:" + user)
/// with K_h HKDF-derived from <c>Keys:IdentityHash</c> for this purpose only (not the named key, not the
/// pseudonym key), so it equals nothing stored with the person's named rows. Its <c>sealed</c> is
/// AES-GCM under a key HKDF-derived from <c>Keys:Seal</c> for this purpose only, the holder as
/// associated data (a keyring copied onto another holder does not open), of the pseudonyms padded to
/// a multiple of <see cref="Bucket"/> entries, so its length says little about how many there are.
/// </summary>
public sealed class AnonymousKeyrings(LocalKeys keys)
{
    /// <summary>Keyrings grow in steps of this many entries.</summary>
    public const int Bucket = 8;

    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int EntrySize = 32; // a pseudonym: 24 bytes, base64url without padding
    private static readonly byte[] HolderPurpose = Encoding.UTF8.GetBytes("CommunityConnect anonymous keyring holders v1");
    private static readonly byte[] SealPurpose = Encoding.UTF8.GetBytes("CommunityConnect anonymous keyring seal v1");

    private byte[]? _holderKey;
    private byte[]? _sealKey;

    private byte[] HolderKey => _holderKey ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.IdentityHash), 32, salt: [], info: HolderPurpose);

    private byte[] SealKey => _sealKey ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.Seal), 32, salt: [], info: SealPurpose);

    /// <summary>The holder of <paramref name="userId"/>'s keyring.</summary>
    public string HolderOf(long userId)
    {
        var mac = HMACSHA256.HashData(HolderKey, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"keyring:{userId}")));
        return Convert.ToBase64String(mac.AsSpan(0, 24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The pseudonyms in <paramref name="userId"/>'s keyring (none when they have none).</summary>
    public async Task<IReadOnlyList<string>> ReadAsync(DbConnection connection, DbTransaction? transaction, long userId)
    {
        var holder = HolderOf(userId);
        var sealedBytes = await connection.QuerySingleOrDefaultAsync<byte[]>(
            "SELECT sealed FROM anonymous_keyrings WHERE holder = @holder;", new { holder }, transaction);
        return sealedBytes is null ? [] : Open(holder, sealedBytes);
    }

    /// <summary>
    /// Adds <paramref name="pseudonyms"/> to <paramref name="userId"/>'s keyring inside the caller's unit
    /// of work (read, open, append, seal again, write). Answers whether the row changed: a keyring that
    /// already holds them all is left as it is.
    /// </summary>
    public async Task<bool> AddAsync(DbConnection connection, DbTransaction transaction, long userId, IReadOnlyCollection<string> pseudonyms)
    {
        var holder = HolderOf(userId);
        var previous = await connection.QuerySingleOrDefaultAsync<byte[]>(
            "SELECT sealed FROM anonymous_keyrings WHERE holder = @holder;", new { holder }, transaction);
        var entries = previous is null ? [] : Open(holder, previous).ToList();
        var missing = pseudonyms.Distinct(StringComparer.Ordinal).Where(p => !entries.Contains(p, StringComparer.Ordinal)).ToList();
        if (missing.Count == 0)
        {
            return false;
        }
        entries.AddRange(missing);
        var next = Seal(holder, entries);
        var rows = previous is null
            ? await connection.ExecuteAsync("INSERT INTO anonymous_keyrings (holder, sealed) VALUES (@holder, @next);", new { holder, next }, transaction)
            : await connection.ExecuteAsync("UPDATE anonymous_keyrings SET sealed = @next WHERE holder = @holder AND sealed = @previous;",
                new { holder, next, previous }, transaction);
        if (rows != 1)
        {
            throw new InvalidOperationException("The anonymous keyring changed under the unit of work.");
        }
        return true;
    }

    /// <summary>Version (1) | nonce (12) | AES-GCM of [count (4) | entries (32 each) | zero padding to a multiple of <see cref="Bucket"/> entries] | tag (16).</summary>
    public byte[] Seal(string holder, IReadOnlyList<string> pseudonyms)
    {
        var capacity = Math.Max(Bucket, (pseudonyms.Count + Bucket - 1) / Bucket * Bucket);
        var plaintext = new byte[4 + capacity * EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(plaintext, pseudonyms.Count);
        for (var i = 0; i < pseudonyms.Count; i++)
        {
            if (pseudonyms[i].Length != EntrySize || Encoding.ASCII.GetBytes(pseudonyms[i], plaintext.AsSpan(4 + i * EntrySize, EntrySize)) != EntrySize)
            {
                throw new ArgumentException("A pseudonym is 32 base64url characters.", nameof(pseudonyms));
            }
        }
        var sealedBytes = new byte[1 + NonceSize + plaintext.Length + TagSize];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(SealKey, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(1 + NonceSize, plaintext.Length), sealedBytes.AsSpan(1 + NonceSize + plaintext.Length), AssociatedData(holder));
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedBytes;
    }

    public IReadOnlyList<string> Open(string holder, byte[] sealedBytes)
    {
        if (sealedBytes.Length < 1 + NonceSize + 4 + TagSize || sealedBytes[0] != Version)
        {
            throw new CryptographicException("Unknown keyring version.");
        }
        var length = sealedBytes.Length - 1 - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(SealKey, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(1, NonceSize), sealedBytes.AsSpan(1 + NonceSize, length), sealedBytes.AsSpan(1 + NonceSize + length), plaintext, AssociatedData(holder));
        var count = BinaryPrimitives.ReadInt32BigEndian(plaintext);
        if (count < 0 || 4 + count * EntrySize > length)
        {
            throw new CryptographicException("A keyring's count exceeds its entries.");
        }
        var entries = new string[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = Encoding.ASCII.GetString(plaintext, 4 + i * EntrySize, EntrySize);
        }
        return entries;
    }

    private static byte[] AssociatedData(string holder) => Encoding.UTF8.GetBytes($"anonymous-keyring:{holder}");
}
