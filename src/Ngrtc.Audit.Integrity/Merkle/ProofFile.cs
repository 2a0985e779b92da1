using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>Which proof a proof file holds.</summary>
public enum ProofKind
{
    /// <summary>Neither or both sets of fields were present.</summary>
    Unknown,

    /// <summary><c>leafIdx, treeSize, root, leafHash, proof</c>.</summary>
    Inclusion,

    /// <summary><c>size1, size2, root1, root2, proof</c>.</summary>
    Consistency,
}

/// <summary>The outcome of <see cref="ProofFile.Verify(string)"/>.</summary>
/// <param name="Valid">True when the proof verified.</param>
/// <param name="Kind">The kind of proof the file holds.</param>
/// <param name="Failure">Why it did not verify, or <see cref="ProofFailure.None"/>.</param>
/// <param name="Reason">A sentence for people.</param>
public sealed record ProofCheck(bool Valid, ProofKind Kind, ProofFailure Failure, string Reason);

/// <summary>
/// Verifies one proof given as JSON in the shape of the RFC 9162 test vectors of transparency-dev/merkle, for the
/// <c>verify-proof FILE.json</c> command and for anyone holding a proof the service served:
/// <list type="bullet">
/// <item>inclusion: <c>{"leafIdx": 0, "treeSize": 8, "root": "…", "leafHash": "…", "proof": ["…", …]}</c></item>
/// <item>consistency: <c>{"size1": 3, "size2": 8, "root1": "…", "root2": "…", "proof": ["…", …]}</c></item>
/// </list>
/// Hashes are standard base64 (RFC 4648 §4). <c>proof</c> may be missing or null for an empty proof. Other
/// members (such as the vectors' <c>desc</c> and <c>wantErr</c>) are ignored; a member named twice is refused.
/// </summary>
public static class ProofFile
{
    private static readonly string[] InclusionFields = ["leafIdx", "treeSize", "root", "leafHash"];
    private static readonly string[] ConsistencyFields = ["size1", "size2", "root1", "root2"];

    /// <summary>Reads and verifies the proof in <paramref name="json"/>. Never throws on bad input.</summary>
    public static ProofCheck Verify(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return Malformed(ProofKind.Unknown, $"The file is not JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed(ProofKind.Unknown, "The file must hold one JSON object.");
            }

            var inclusion = InclusionFields.Any(f => root.TryGetProperty(f, out _));
            var consistency = ConsistencyFields.Any(f => root.TryGetProperty(f, out _));
            return (inclusion, consistency) switch
            {
                (true, false) => VerifyInclusion(root),
                (false, true) => VerifyConsistency(root),
                (true, true) => Malformed(ProofKind.Unknown, "The file mixes inclusion fields (leafIdx, treeSize, root, leafHash) and consistency fields (size1, size2, root1, root2)."),
                _ => Malformed(ProofKind.Unknown, "The file has neither inclusion fields (leafIdx, treeSize, root, leafHash) nor consistency fields (size1, size2, root1, root2)."),
            };
        }
    }

    private static ProofCheck VerifyInclusion(JsonElement json)
    {
        const ProofKind kind = ProofKind.Inclusion;
        var problems = new[]
        {
            ReadLong(json, "leafIdx", out var leafIndex), ReadLong(json, "treeSize", out var treeSize),
            ReadHash(json, "root", out var root), ReadHash(json, "leafHash", out var leafHash),
            ReadProof(json, out var proof),
        };
        if (problems.FirstOrDefault(p => p is not null) is { } problem)
        {
            return Malformed(kind, problem);
        }

        return From(kind, ProofVerifier.VerifyInclusion(leafIndex, treeSize, leafHash, proof, root));
    }

    private static ProofCheck VerifyConsistency(JsonElement json)
    {
        const ProofKind kind = ProofKind.Consistency;
        var problems = new[]
        {
            ReadLong(json, "size1", out var size1), ReadLong(json, "size2", out var size2),
            ReadHash(json, "root1", out var root1), ReadHash(json, "root2", out var root2),
            ReadProof(json, out var proof),
        };
        if (problems.FirstOrDefault(p => p is not null) is { } problem)
        {
            return Malformed(kind, problem);
        }

        return From(kind, ProofVerifier.VerifyConsistency(size1, size2, root1, root2, proof));
    }

    private static string? ReadLong(JsonElement json, string name, out long value)
    {
        value = 0;
        if (!json.TryGetProperty(name, out var element))
        {
            return $"\"{name}\" is missing.";
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value)
            ? null
            : $"\"{name}\" must be a whole number.";
    }

    private static string? ReadHash(JsonElement json, string name, out byte[] hash)
    {
        hash = [];
        if (!json.TryGetProperty(name, out var element))
        {
            return $"\"{name}\" is missing.";
        }

        return element.ValueKind == JsonValueKind.String && TryBase64(element.GetString()!, out hash)
            ? null
            : $"\"{name}\" must be a base64 string.";
    }

    private static string? ReadProof(JsonElement json, out byte[][] proof)
    {
        proof = [];
        if (!json.TryGetProperty("proof", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return "\"proof\" must be an array of base64 strings.";
        }

        var hashes = new byte[element.GetArrayLength()][];
        var i = 0;
        foreach (var entry in element.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.String || !TryBase64(entry.GetString()!, out hashes[i]))
            {
                return $"\"proof\"[{i}] must be a base64 string.";
            }

            i++;
        }

        proof = hashes;
        return null;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length * 3 / 4];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = [];
            return false;
        }

        bytes = bytes[..written];
        return true;
    }

    private static ProofCheck From(ProofKind kind, ProofVerification verification) =>
        new(verification.IsValid, kind, verification.Failure, verification.Reason);

    private static ProofCheck Malformed(ProofKind kind, string reason) => new(false, kind, ProofFailure.MalformedInput, reason);
}
