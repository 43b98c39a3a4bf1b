using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>
/// Seals the author of an anonymous opinion with AES-GCM under <c>Keys:Seal</c> (separate from the
/// token and hash keys). The opinion id is the associated data, so a seal copied onto another
/// opinion does not open. Only <see cref="OpinionStore.UnsealAsync"/> opens one.
/// </summary>
public sealed class AuthorSeal(LocalKeys keys)
{
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("CommunityConnect opinion author seal v1");

    private byte[] Key => HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.Seal), 32, salt: [], info: Purpose);

    public string Seal(long userId, long opinionId)
    {
        var plaintext = Encoding.UTF8.GetBytes(userId.ToString(CultureInfo.InvariantCulture));
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), AssociatedData(opinionId));
        return Version + Convert.ToBase64String(sealedBytes);
    }

    public long Unseal(string sealedAuthor, long opinionId)
    {
        if (!sealedAuthor.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("Unknown seal version.");
        }
        var sealedBytes = Convert.FromBase64String(sealedAuthor[Version.Length..]);
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(Key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plaintext, AssociatedData(opinionId));
        return long.Parse(Encoding.UTF8.GetString(plaintext), CultureInfo.InvariantCulture);
    }

    private static byte[] AssociatedData(long opinionId) => Encoding.UTF8.GetBytes($"opinion:{opinionId}");
}
