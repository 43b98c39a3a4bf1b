using System.Globalization;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>
/// Seals the author of an anonymous opinion with AES-GCM under <c>Keys:Seal</c> (separate from the
/// token and hash keys). The opinion id is the associated data, so a seal copied onto another
/// opinion does not open. Only <see cref="OpinionStore.UnsealAsync"/> opens one.
/// </summary>
public sealed class AuthorSeal(LocalKeys keys)
{
    private readonly SealedBox _box = new(keys, "CommunityConnect opinion author seal v1");

    public string Seal(long userId, long opinionId) => _box.Seal(userId.ToString(CultureInfo.InvariantCulture), AssociatedData(opinionId));

    /// <summary>The author's id; <see cref="System.Security.Cryptography.CryptographicException"/> when the seal does not open.</summary>
    public long Unseal(string sealedAuthor, long opinionId) =>
        long.Parse(_box.Open(sealedAuthor, AssociatedData(opinionId)), CultureInfo.InvariantCulture);

    private static string AssociatedData(long opinionId) => $"opinion:{opinionId}";
}
