using System.Security.Cryptography;
using System.Text;

namespace CommunityConnect.Api.Infrastructure.Auth;

/// <summary>
/// The seal format the app keeps secrets at rest in: <c>v1.</c> then base64 of nonce (12 bytes), AES-GCM
/// ciphertext and tag (16 bytes), under a key HKDF-derived from <c>Keys:Seal</c> for one purpose only, with
/// associated data that ties a seal to the row it belongs to. The complaint box's author seal and the
/// WeChat access token seal differ only in their purpose, associated data and plaintext.
/// </summary>
public sealed class SealedBox(LocalKeys keys, string purpose)
{
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _purpose = Encoding.UTF8.GetBytes(purpose);
    private byte[]? _key;

    private byte[] Key => _key ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.Seal), 32, salt: [], info: _purpose);

    public string Seal(string plaintext, string associatedData)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(associatedData));
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The plaintext; <see cref="CryptographicException"/> when the seal does not open (unknown version, too short, other keys or associated data, damaged).</summary>
    public string Open(string sealedText, string associatedData)
    {
        if (!sealedText.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("Unknown seal version.");
        }
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(sealedText[Version.Length..]);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The seal is not base64.", e);
        }
        var length = sealedBytes.Length - NonceSize - TagSize;
        if (length < 0)
        {
            throw new CryptographicException("The seal is too short.");
        }
        var plain = new byte[length];
        using var aes = new AesGcm(Key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }
}
