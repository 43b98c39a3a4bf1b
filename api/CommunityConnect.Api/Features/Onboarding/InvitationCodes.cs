using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;
using QRCoder;

namespace CommunityConnect.Api.Features.Onboarding;

/// <summary>
/// Invitation codes: 32 random bytes written in base32 (52 letters and digits, no look-alikes to
/// mistype when read aloud), shown once. Only a keyed hash (HMAC-SHA256 under the identity-hash key)
/// is stored, so a database reader cannot redeem a code; the admin command and the api share the key.
/// </summary>
public sealed class InvitationCodes(LocalKeys keys, IConfiguration configuration)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The mini-app page that redeems a code (the QR code opens it with <c>?code=</c>).</summary>
    public string RedeemPath => configuration["Invitations:MiniAppPath"] ?? "pages/invitation/redeem";

    public string NewCode()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var text = new StringBuilder(52);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }
        return text.ToString();
    }

    /// <summary>The stored form of a code: case, spaces and dashes do not matter (people type codes from paper).</summary>
    public string Hash(string code)
    {
        var normalized = new string(code.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant).ToArray());
        var mac = HMACSHA256.HashData(keys.Get(LocalKeys.IdentityHash), Encoding.UTF8.GetBytes($"invitation:{normalized}"));
        return Convert.ToHexString(mac);
    }

    /// <summary>What the QR code holds: the mini-app path with the code.</summary>
    public string LinkOf(string code) => $"{RedeemPath}?code={code}";

    public string PngBase64(string code)
    {
        using var data = new QRCodeGenerator().CreateQrCode(LinkOf(code), QRCodeGenerator.ECCLevel.M);
        return Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(8));
    }

    /// <summary>The QR code drawn with block characters for a terminal.</summary>
    public string Terminal(string code)
    {
        using var data = new QRCodeGenerator().CreateQrCode(LinkOf(code), QRCodeGenerator.ECCLevel.M);
        return new AsciiQRCode(data).GetGraphicSmall(drawQuietZones: true, invert: false);
    }
}
