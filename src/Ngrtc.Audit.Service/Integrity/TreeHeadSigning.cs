using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
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

    /// <summary>
    /// The first moment a head signed with this key may be dated: RFC 3339 in whole seconds, UTC unless an offset
    /// is given (open when unset). A successor's NotBefore is the moment of the rotation.
    /// </summary>
    public string? NotBefore { get; set; }

    /// <summary>
    /// When the key retires: no head dated then or later verifies under it, nor is signed with it (same form;
    /// open when unset). Set it on the old key when rotating.
    /// </summary>
    public string? NotAfter { get; set; }
}

public sealed class TreeHeadKeyOptions
{
    public const string Section = "Ngrtc:Integrity:Signing";

    /// <summary>
    /// The key that signs when the periods do not decide (no periods, or two keys whose periods began at the same
    /// moment); it must have its private part.
    /// </summary>
    public string Current { get; set; } = "";

    /// <summary>Every key, current and retired: all are published in the JWKS.</summary>
    public List<SigningKeyOptions> Keys { get; set; } = [];
}

/// <summary>
/// Tree-head keys from configuration. A head is signed by the key, among those with a private part, whose period
/// covers the head's time and began last (<see cref="SignerFor"/>), so a rotation happens at the moment the
/// successor's period begins on every node that has the configuration, whatever their clocks say about when
/// they started. Every key (private or public only) verifies the heads dated within its period.
/// </summary>
public sealed partial class TreeHeadSigning : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyValidity> _validity = new(StringComparer.Ordinal);
    private readonly List<(TreeHeadSigner Signer, KeyValidity Validity, bool Current)> _signers = [];
    private readonly ILogger<TreeHeadSigning> _logger;
    private readonly HashSet<string> _unsignable = new(StringComparer.Ordinal);

    public TreeHeadSigning(IOptions<TreeHeadKeyOptions> options, ILogger<TreeHeadSigning> logger)
    {
        _logger = logger;
        var settings = options.Value;
        foreach (var key in settings.Keys)
        {
            var pem = key.Pem is { Length: > 0 } text ? text : key.PemFile is { Length: > 0 } file ? File.ReadAllText(file) : null;
            if (_keys.ContainsKey(key.KeyId))
            {
                throw new InvalidOperationException($"{TreeHeadKeyOptions.Section}:Keys names key {key.KeyId} twice.");
            }

            var ecdsa = TreeHeadKeys.FromPem(pem ?? throw new InvalidOperationException($"Signing key {key.KeyId} has neither Pem nor PemFile."));
            _keys[key.KeyId] = ecdsa;
            var validity = new KeyValidity(Bound(key.KeyId, nameof(key.NotBefore), key.NotBefore), Bound(key.KeyId, nameof(key.NotAfter), key.NotAfter));
            if (validity != KeyValidity.Always)
            {
                try
                {
                    validity.Validate(key.KeyId);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidOperationException($"{TreeHeadKeyOptions.Section}:Keys: {e.Message}", e);
                }

                _validity[key.KeyId] = validity;
            }

            if (HasPrivatePart(ecdsa))
            {
                _signers.Add((new TreeHeadSigner(ecdsa, key.KeyId), validity, key.KeyId == settings.Current));
            }
        }

        if (!_signers.Any(s => s.Current))
        {
            throw new InvalidOperationException(
                $"{TreeHeadKeyOptions.Section}:Current must name one of its Keys that has its private part (there is no default key outside Development).");
        }

        Verifier = TreeHeadVerifier.FromKeys(_keys, _validity);
        Jwks = Ngrtc.Audit.Integrity.Jwks.Export(_keys, _validity);

        // Which key signs is decided by the periods; say so when that is not Current (a predecessor left open, say).
        var now = SignerFor(DateTimeOffset.UtcNow);
        if (now is null)
        {
            logger.LogError("No configured tree-head key may sign a head dated now: heads wait until one may");
        }
        else if (now.KeyId != settings.Current)
        {
            logger.LogWarning("Tree heads are signed now with key {KeyId}, not Current ({Current}): its period began later", now.KeyId, settings.Current);
        }
    }

    public TreeHeadVerifier Verifier { get; }

    /// <summary>The public keys as an RFC 7517 JWK Set.</summary>
    public string Jwks { get; }

    /// <summary>
    /// The signer of a head dated <paramref name="at"/>: among the keys with a private part whose period covers it,
    /// the one whose period began last (an open beginning is the earliest), Current among equals; null when no key
    /// may sign then.
    /// </summary>
    public TreeHeadSigner? SignerFor(DateTimeOffset at) => _signers
        .Where(s => s.Validity.Covers(at))
        .OrderByDescending(s => s.Validity.NotBefore ?? DateTimeOffset.MinValue)
        .ThenByDescending(s => s.Current)
        .Select(s => s.Signer)
        .FirstOrDefault();

    private static DateTimeOffset? Bound(string keyId, string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // UTC unless the text gives an offset: the configuration binder would read "2026-06-01T00:00:00" in the
        // host's time zone, and nodes in different zones would then publish different periods.
        if (!Rfc3339().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            throw new InvalidOperationException($"{TreeHeadKeyOptions.Section}:Keys: key {keyId}'s {name} is not a date and time (RFC 3339, e.g. 2026-06-01T00:00:00Z).");
        }

        if (at.UtcTicks % TimeSpan.TicksPerSecond != 0)
        {
            throw new InvalidOperationException($"{TreeHeadKeyOptions.Section}:Keys: key {keyId}'s {name} must be a whole second (it is published as a NumericDate).");
        }

        return at;
    }

    /// <summary>RFC 3339 date and time; the offset may be left out (then UTC).</summary>
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    private static bool HasPrivatePart(ECDsa key)
    {
        try
        {
            key.ExportParameters(includePrivateParameters: true);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

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

        // A head is never dated before the one it follows, even when this node's clock is behind the one that
        // signed that head: verification refuses a chain whose time goes back.
        var at = last is null || now > last.Head.Timestamp ? now : last.Head.Timestamp;
        if (SignerFor(at) is not { } signer)
        {
            // A key configuration problem, not damage: events go on being stored and sealed, heads wait for a key.
            lock (_unsignable)
            {
                if (_unsignable.Add(tenant))
                {
                    _logger.LogError("No configured tree-head key may sign a head of tenant {Tenant} dated {At:O} (every period has ended or not begun); its heads wait until one may", tenant, at.UtcDateTime);
                }
            }

            return;
        }

        lock (_unsignable)
        {
            if (_unsignable.Remove(tenant))
            {
                _logger.LogInformation("Tree heads of tenant {Tenant} are signed again, with key {KeyId}", tenant, signer.KeyId);
            }
        }

        var root = edge.Root();
        if (last is not null && !await ExtendsAsync(connection, tx, tenant, last.Head, edge.Size, root, ct))
        {
            throw new InvalidDataException(
                $"The stored tiles of a tenant's tree no longer extend the head signed at size {last.Head.TreeSize}; no head is signed and sealing stops there (`ngrtc-audit repair-tiles --tenant` rebuilds them from the events).");
        }

        var signed = signer.Sign(tenant, edge.Size, root, at, last?.Hash());
        await StoredHeads.AppendAsync(connection, tx, tenant, (last?.Seq ?? 0) + 1, signed, ct);
    }

    /// <summary>
    /// Whether the tree the stored tiles give (<paramref name="size"/> leaves, <paramref name="root"/>) extends the
    /// last signed head, checked with a consistency proof read from the same tiles: the sealer never signs a fork,
    /// so damage to the tiles under that head (those the proof reads) stops this tenant's sealing instead of
    /// putting a second history under the key.
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
