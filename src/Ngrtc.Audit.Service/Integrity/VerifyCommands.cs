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
    /// <summary>The tree-head keys of a JWKS file, or (none given) those of the service's configuration.</summary>
    internal static async Task<TreeHeadVerifier> VerifierAsync(string? jwksFile, IHost host) => jwksFile is { } file
        ? TreeHeadVerifier.FromJwks(await File.ReadAllTextAsync(file))
        : host.Services.GetRequiredService<TreeHeadSigning>().Verifier;

    public override async Task<bool> Execute(VerifyInput input)
    {
        using var host = input.BuildHost();
        var verifier = await VerifyCommand.VerifierAsync(input.JwksFlag, host);
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

public sealed class RepairTilesInput : NetCoreInput
{
    [Description("the tenant whose tiles to rebuild (required)")]
    public string? TenantFlag { get; set; }

    [Description("a JWKS file with the tree-head public keys (default: the keys in the service's configuration)")]
    public string? JwksFlag { get; set; }
}

[Description("Rebuild a tenant's Merkle tiles from its stored events, written only if they give every signed tree head's root; exit 0 rebuilt, 1 refused", Name = "repair-tiles")]
public sealed class RepairTilesCommand : JasperFxAsyncCommand<RepairTilesInput>
{
    public override async Task<bool> Execute(RepairTilesInput input)
    {
        if (string.IsNullOrWhiteSpace(input.TenantFlag))
        {
            Console.WriteLine("repair-tiles needs --tenant T (run `verify --db` first: it names the tenant whose tiles are damaged)");
            return false;
        }

        using var host = input.BuildHost();
        var verifier = await VerifyCommand.VerifierAsync(input.JwksFlag, host);
        var repair = await RepairTiles.RunAsync(host.Services.GetRequiredService<NpgsqlDataSource>(), verifier, input.TenantFlag, CancellationToken.None);
        Console.WriteLine(repair.Refused is { } why
            ? $"REFUSED   tenant {repair.Tenant}: {why}; nothing was written"
            : $"rebuilt   tenant {repair.Tenant}: {repair.TilesWritten} tiles for the {repair.RebuiltSize} events under its last signed head, all {repair.Heads} tree heads reproduced; the sealer seals the other {repair.SealedSize - repair.RebuiltSize} sealed events again");
        return repair.Refused is null;
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
