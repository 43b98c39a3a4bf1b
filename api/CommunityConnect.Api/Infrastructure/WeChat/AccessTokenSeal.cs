using System.Security.Cryptography;
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
    private readonly SealedBox _box = new(keys, "CommunityConnect WeChat access token seal v1");

    public string Seal(string token, string appId) => _box.Seal(token, AssociatedData(appId));

    /// <summary>The token, or null when the seal does not open (another installation's keys, another app id, a damaged row).</summary>
    public string? Open(string sealedToken, string appId)
    {
        try
        {
            return _box.Open(sealedToken, AssociatedData(appId));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string AssociatedData(string appId) => $"wechat-access-token:{appId}";
}
