using JasperFx.CommandLine;
using Ngrtc.Audit.Integrity;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

public sealed class VerifyInput : NetCoreInput
{
    [Description("verify the whole store: every leaf, the tree, every tree head (the only mode)")]
    public bool DbFlag { get; set; }

    [Description("a JWKS file with the tree-head public keys (default: the keys in the service's configuration)")]
    public string? JwksFlag { get; set; }

    [Description("verify only this tenant's log (default: every tenant's)")]
    public string? TenantFlag { get; set; }
}

[Description("Recompute every leaf from the store, rebuild each tenant's tree and check every signed tree head; exit 0 clean, 1 tampered", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public override async Task<bool> Execute(VerifyInput input)
    {
        using var host = input.BuildHost();
        var verifier = input.JwksFlag is { } file
            ? TreeHeadVerifier.FromJwks(await File.ReadAllTextAsync(file))
            : host.Services.GetRequiredService<TreeHeadSigning>().Verifier;
        IReadOnlyList<TenantVerification> results;
        try
        {
            results = await VerifyLog.RunAsync(host.Services.GetRequiredService<NpgsqlDataSource>(), verifier, input.TenantFlag, CancellationToken.None);
        }
        catch (InvalidDataException e)
        {
            Console.WriteLine($"verification FAILED: {e.Message}");
            return false;
        }

        foreach (var r in results)
        {
            Console.WriteLine(r.Clean
                ? $"ok        tenant {r.Tenant}: {r.Events} events, {r.SealedSize} sealed, {r.Heads} tree heads"
                : $"TAMPERED  tenant {r.Tenant}: {r.Problem}{(r.LeafIndex is { } i ? $" — leaf index {i}" : "")}{(r.EventId is { } id ? $", event id {id}" : "")}");
        }

        var clean = results.All(r => r.Clean);
        Console.WriteLine(clean ? $"verified: {results.Count} tenant(s) clean" : "verification FAILED");
        return clean;
    }
}

public sealed class VerifyProofInput
{
    [Description("a JSON file: an inclusion proof {leafIdx, treeSize, root, leafHash, proof} or a consistency proof {size1, size2, root1, root2, proof}")]
    public string File { get; set; } = "";
}

[Description("Verify one RFC 9162 inclusion or consistency proof given as JSON; exit 0 valid, 1 invalid", Name = "verify-proof")]
public sealed class VerifyProofCommand : JasperFxCommand<VerifyProofInput>
{
    public VerifyProofCommand()
    {
        Usage("Verify a proof file").Arguments(x => x.File);
    }

    public override bool Execute(VerifyProofInput input)
    {
        var check = ProofFile.Verify(System.IO.File.ReadAllText(input.File));
        Console.WriteLine(check.Valid ? $"valid {check.Kind} proof" : $"INVALID {check.Kind} proof: {check.Reason}");
        return check.Valid;
    }
}
