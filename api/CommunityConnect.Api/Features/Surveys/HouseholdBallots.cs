using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.Surveys;

/// <summary>
/// The token that lets a household answer a survey once without the answer naming it: HMAC-SHA256 of
/// (survey, unit) under a key of its own purpose, derived with HKDF from <c>Keys:Seal</c>. The key
/// is used for nothing else, so a token never equals a recipient key, an author key or any other
/// stored hash; it differs per survey, so households cannot be followed from one survey to the next;
/// and it is stored apart from the answers, which hold no user, unit, time or order.
/// </summary>
public sealed class HouseholdBallots(LocalKeys keys)
{
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("CommunityConnect survey household ballot v1");

    private byte[] Key => HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.Seal), 32, salt: [], info: Purpose);

    public string TokenFor(long surveyId, long unitId)
    {
        var mac = HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"survey:{surveyId}:unit:{unitId}")));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
