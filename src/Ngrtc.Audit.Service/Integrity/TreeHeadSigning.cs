using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Integrity;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

public sealed class SigningKeyOptions
{
    /// <summary>The key id heads are signed under (the JWS <c>kid</c>).</summary>
    public string KeyId { get; set; } = "";

    /// <summary>PEM of the P-256 private key (PKCS#8), or of the public key only for a retired key that still verifies old heads.</summary>
    public string? Pem { get; set; }

    /// <summary>Or a file holding that PEM.</summary>
    public string? PemFile { get; set; }

    /// <summary>The first moment a head signed with this key may be dated (whole seconds; open when unset).</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>
    /// When the key retires: no head dated then or later verifies under it, so a retired key that leaks cannot sign
    /// new heads (whole seconds; open when unset). Set it on the old key when rotating.
    /// </summary>
    public DateTimeOffset? NotAfter { get; set; }
}

public sealed class TreeHeadKeyOptions
{
    public const string Section = "Ngrtc:Integrity:Signing";

    /// <summary>The key new heads are signed with.</summary>
    public string Current { get; set; } = "";

    /// <summary>Every key, current and retired: all are published in the JWKS.</summary>
    public List<SigningKeyOptions> Keys { get; set; } = [];
}

/// <summary>Tree-head keys from configuration (rotation: add a key, make it current, keep the old one's public part).</summary>
public sealed class TreeHeadSigning : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyValidity> _validity = new(StringComparer.Ordinal);
    private readonly TreeHeadSigner _signer;
    private readonly string _currentId;

    public TreeHeadSigning(IOptions<TreeHeadKeyOptions> options, TimeProvider clock)
    {
        var settings = options.Value;
        foreach (var key in settings.Keys)
        {
            var pem = key.Pem is { Length: > 0 } text ? text : key.PemFile is { Length: > 0 } file ? File.ReadAllText(file) : null;
            _keys[key.KeyId] = TreeHeadKeys.FromPem(pem ?? throw new InvalidOperationException($"Signing key {key.KeyId} has neither Pem nor PemFile."));
            if (key.NotBefore is not null || key.NotAfter is not null)
            {
                _validity[key.KeyId] = new KeyValidity(key.NotBefore, key.NotAfter);
            }
        }

        if (!_keys.TryGetValue(settings.Current, out var current))
        {
            throw new InvalidOperationException($"{TreeHeadKeyOptions.Section}:Current must name one of its Keys (there is no default key outside Development).");
        }

        _currentId = settings.Current;
        if (_validity.TryGetValue(_currentId, out var period) && !period.Covers(clock.GetUtcNow()))
        {
            throw new InvalidOperationException($"{TreeHeadKeyOptions.Section}:Current names key {_currentId}, which signs heads dated {period}, not now: make a key valid now current.");
        }

        _signer = new TreeHeadSigner(current, settings.Current);
        Verifier = TreeHeadVerifier.FromKeys(_keys, _validity);
        Jwks = Ngrtc.Audit.Integrity.Jwks.Export(_keys, _validity);
    }

    public TreeHeadVerifier Verifier { get; }

    /// <summary>The public keys as an RFC 7517 JWK Set.</summary>
    public string Jwks { get; }

    /// <summary>Signs a head if one is due: enough new events, or long enough since the last (even with nothing new).</summary>
    public async Task SignIfDueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, TileEdge edge, DateTimeOffset now, SealerOptions options, CancellationToken ct)
    {
        var last = await StoredHeads.LatestAsync(connection, tx, tenant, ct);
        var due = last is null
            || edge.Size - last.Head.TreeSize >= options.HeadEveryEvents
            || now - last.Head.Timestamp >= options.HeadEvery;
        if (!due)
        {
            return;
        }

        var root = edge.Root();
        if (last is not null && !await ExtendsAsync(connection, tx, tenant, last.Head, edge.Size, root, ct))
        {
            throw new InvalidDataException(
                $"The stored tiles of a tenant's tree no longer extend the head signed at size {last.Head.TreeSize}; no head is signed and sealing stops there.");
        }

        // A head is never dated before the one it follows, even when this node's clock is behind the one that
        // signed that head: verification refuses a chain whose time goes back.
        var at = last is null || now > last.Head.Timestamp ? now : last.Head.Timestamp;
        if (_validity.TryGetValue(_currentId, out var period) && !period.Covers(at))
        {
            // A key configuration problem, not damage: the service stops loudly rather than sign heads nobody can verify.
            throw new InvalidOperationException($"The current tree-head key {_currentId} signs heads dated {period}, not {at.UtcDateTime:O}: make a key valid now current.");
        }

        var signed = _signer.Sign(tenant, edge.Size, root, at, last?.Hash());
        await StoredHeads.AppendAsync(connection, tx, tenant, (last?.Seq ?? 0) + 1, signed, ct);
    }

    /// <summary>
    /// Whether the tree the stored tiles give (<paramref name="size"/> leaves, <paramref name="root"/>) extends the
    /// last signed head, checked with a consistency proof read from the same tiles: the sealer never signs a fork,
    /// so tiles damaged under it stop its signing instead of putting a second history under the key.
    /// </summary>
    private static async Task<bool> ExtendsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, TreeHead last, long size, byte[] root, CancellationToken ct)
    {
        if (size == last.TreeSize)
        {
            return root.AsSpan().SequenceEqual(last.RootHash);
        }

        if (size < last.TreeSize)
        {
            return false;
        }

        if (last.TreeSize == 0)
        {
            return true;
        }

        var plan = MerkleProofs.PlanConsistency(last.TreeSize, size);
        try
        {
            var nodes = await TileNodeReader.ForAsync(connection, tx, tenant, plan.Nodes, ct);
            return ProofVerifier.VerifyConsistency(last.TreeSize, size, last.RootHash, root, plan.Rehash(nodes)).IsValid;
        }
        catch (InvalidOperationException)
        {
            // A tile the proof needs is missing or short.
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
