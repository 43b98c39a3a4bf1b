using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Infrastructure.WeChat;

/// <summary>
/// Seals the shared access token at rest: AES-GCM under a key HKDF-derived from <c>Keys:Seal</c> for
/// this purpose only, the app id as associated data. The token lets anyone call WeChat as the app for
/// up to two hours (send messages to its users, read its data), so a copy of the database alone (a
/// backup, an export, a support dump) must not carry a working one; the nodes share the keys already.
/// </summary>
public sealed class AccessTokenSeal(LocalKeys keys)
{
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("CommunityConnect WeChat access token seal v1");

    private byte[]? _key;

    private byte[] Key => _key ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.Seal), 32, salt: [], info: Purpose);

    public string Seal(string token, string appId)
    {
        var plaintext = Encoding.UTF8.GetBytes(token);
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), AssociatedData(appId));
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The token, or null when the seal does not open (another installation's keys, another app id, a damaged row).</summary>
    public string? Open(string sealedToken, string appId)
    {
        if (!sealedToken.StartsWith(Version, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var sealedBytes = Convert.FromBase64String(sealedToken[Version.Length..]);
            var length = sealedBytes.Length - NonceSize - TagSize;
            if (length < 0)
            {
                return null;
            }
            var plaintext = new byte[length];
            using var aes = new AesGcm(Key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plaintext, AssociatedData(appId));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static byte[] AssociatedData(string appId) => Encoding.UTF8.GetBytes($"wechat-access-token:{appId}");
}
