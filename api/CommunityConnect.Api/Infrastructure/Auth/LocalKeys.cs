using System.Security.Cryptography;
using System.Text;
using CommunityConnect.Api.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Auth;

/// <summary>
/// Secret keys the app needs: the token signing key, the key of the keyed hashes that stand in for
/// user ids (inbox, idempotency), and later the key that seals anonymous authors. Each comes from
/// configuration (<c>Keys:Name</c>, base64, at least 32 bytes); outside Production a missing key is
/// generated once and kept beside the database, so a development machine keeps its sessions.
/// </summary>
public sealed class LocalKeys(IConfiguration configuration, IHostEnvironment environment, IOptions<DatabaseOptions> database)
{
    public const string TokenSigning = "TokenSigning";
    public const string IdentityHash = "IdentityHash";
    public const string Seal = "Seal";

    private readonly Dictionary<string, byte[]> _cache = new();
    private readonly Lock _gate = new();

    public byte[] Get(string name)
    {
        lock (_gate)
        {
            if (_cache.TryGetValue(name, out var cached))
            {
                return cached;
            }
            var key = Load(name);
            _cache[name] = key;
            return key;
        }
    }

    private byte[] Load(string name)
    {
        var configured = configuration[$"Keys:{name}"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var bytes = Convert.FromBase64String(configured);
            if (bytes.Length < 32)
            {
                throw new InvalidOperationException($"Keys:{name} must be at least 32 bytes (base64).");
            }
            return bytes;
        }
        if (environment.IsProduction())
        {
            throw new InvalidOperationException($"Keys:{name} is not configured; Production never generates keys.");
        }
        var databaseFile = Path.GetFullPath(Path.Combine(environment.ContentRootPath, database.Value.Path));
        var file = Path.Combine(Path.GetDirectoryName(databaseFile)!, "keys", $"{name}.key");
        if (File.Exists(file))
        {
            return Convert.FromBase64String(File.ReadAllText(file).Trim());
        }
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var generated = RandomNumberGenerator.GetBytes(64);
        File.WriteAllText(file, Convert.ToBase64String(generated));
        return generated;
    }

    /// <summary>Throws at start-up, not at the first request, when Production lacks a key.</summary>
    public void EnsureConfigured()
    {
        foreach (var name in new[] { TokenSigning, IdentityHash, Seal })
        {
            Get(name);
        }
    }
}

/// <summary>
/// Keyed hashes that stand in for a user where a row must find the user again without naming them
/// (the inbox, idempotency records, an anonymous author's own lookups).
/// </summary>
public sealed class RecipientKeys(LocalKeys keys)
{
    public string ForUser(long userId) => Hash($"user:{userId}");

    public string Hash(string value)
    {
        var mac = HMACSHA256.HashData(keys.Get(LocalKeys.IdentityHash), Encoding.UTF8.GetBytes(value));
        return Convert.ToBase64String(mac.AsSpan(0, 24)).Replace('+', '-').Replace('/', '_');
    }
}
