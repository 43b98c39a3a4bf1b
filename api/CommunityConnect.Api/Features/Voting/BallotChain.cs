using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>One entry of a ballot's hash chain, as stored and as the public ledger shows it.</summary>
public sealed record ChainEntry(long Seq, string VoterToken, string Choice, DateTimeOffset CastAt, string PrevHash, string Hash);

/// <summary>The answer of a chain check: whether every entry holds, how many there are, the head, and the first bad entry.</summary>
public sealed record ChainCheck(bool Valid, long Entries, string? Head, long? FirstInvalidSeq);

/// <summary>
/// The hash chain every vote is appended to. Entry hash = lowercase hex SHA-256 of the UTF-8 string
/// <c>{prevHash}|{seq}|{voterToken}|{choice}|{castAt}</c>, seq from 1, the first prevHash 64 zeros, castAt
/// in exactly one format (<see cref="TimeFormat"/>, UTC, milliseconds) so that anyone can recompute it.
/// </summary>
public static class BallotChain
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    public static readonly string Genesis = new('0', 64);

    public static readonly IReadOnlyList<string> Choices = [VoteChoices.Yes, VoteChoices.No, VoteChoices.Abstain];

    /// <summary>The instant as it is hashed and shown.</summary>
    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>An instant cut to whole milliseconds, as the database stores it (so the hash of a stored entry is the hash made).</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    public static string HashOf(string prevHash, long seq, string voterToken, string choice, DateTimeOffset castAt)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{prevHash}|{seq}|{voterToken}|{choice}|{FormatTime(castAt)}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The entry that follows <paramref name="previous"/> (null: the first).</summary>
    public static ChainEntry Next(ChainEntry? previous, string voterToken, string choice, DateTimeOffset castAt)
    {
        var seq = (previous?.Seq ?? 0) + 1;
        var prevHash = previous?.Hash ?? Genesis;
        var at = ToStoredPrecision(castAt);
        return new ChainEntry(seq, voterToken, choice, at, prevHash, HashOf(prevHash, seq, voterToken, choice, at));
    }

    /// <summary>
    /// Recomputes the chain in stored order: each entry must have the next seq, point to the hash
    /// before it, hold a known choice and a voter token seen once, and carry its own hash. The first
    /// entry that does not is named; the head is given only for a chain that holds.
    /// </summary>
    public static ChainCheck Verify(IReadOnlyList<ChainEntry> entries)
    {
        var expectedPrev = Genesis;
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var expectedSeq = i + 1L;
            var holds = entry.Seq == expectedSeq
                && entry.PrevHash == expectedPrev
                && Choices.Contains(entry.Choice)
                && tokens.Add(entry.VoterToken)
                && entry.Hash == HashOf(entry.PrevHash, entry.Seq, entry.VoterToken, entry.Choice, entry.CastAt);
            if (!holds)
            {
                return new ChainCheck(false, entries.Count, null, expectedSeq);
            }
            expectedPrev = entry.Hash;
        }
        return new ChainCheck(true, entries.Count, entries.Count == 0 ? Genesis : expectedPrev, null);
    }
}

/// <summary>
/// A voting owner's pseudonym on one ballot: HMAC-SHA256 of (ballot, voting owner) under a key of its
/// own purpose derived with HKDF from <c>Keys:Seal</c>. The public ledger shows only this, so it does
/// not tell who voted what; the server can recompute it to give an owner their receipt, and it differs
/// per ballot, so an owner cannot be followed from one ballot to the next.
/// </summary>
public sealed class VoterTokens(LocalKeys keys)
{
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("CommunityConnect ballot voter token v1");

    private byte[]? _key;

    private byte[] Key => _key ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Get(LocalKeys.Seal), 32, salt: [], info: Purpose);

    /// <summary>The token of a voting owner (its sorted owner set) on a ballot: 32 lowercase hex digits.</summary>
    public string TokenFor(long ballotId, string ownerSet)
    {
        var mac = HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"ballot:{ballotId}:owner:{ownerSet}")));
        return Convert.ToHexStringLower(mac, 0, 16);
    }
}

public static class VoteChoices
{
    public const string Yes = "yes";
    public const string No = "no";
    public const string Abstain = "abstain";
}
