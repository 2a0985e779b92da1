using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using M = Ngrtc.Audit.Projections.IdentityRegister.Metrics;

namespace Ngrtc.Audit.Service.Registers;

/// <summary>One enterprise and trunk (<c>-</c>: access by registration) in the identity assurance register over a period.</summary>
public sealed record IdentityRegisterItem(
    string EnterpriseId,
    string TrunkId,
    long Assertions,
    IReadOnlyDictionary<string, long> AssertionsByResult,
    IReadOnlyDictionary<string, long> AssertionRejectionsByCause,
    long Signatures,
    IReadOnlyDictionary<string, long> SignaturesByAttestation,
    long Verifications,
    IReadOnlyDictionary<string, long> VerificationsByResult,
    IReadOnlyDictionary<string, long> VerificationsByReasonCode,
    long Presentations,
    IReadOnlyDictionary<string, long> PresentationsByKind,
    long PresentationsWithPrivacy,
    IReadOnlyDictionary<string, long> BindingChanges,
    IReadOnlyDictionary<string, long> DelegateCertificateChanges,
    DateOnly FirstDay,
    DateOnly LastDay)
{
    public static IdentityRegisterItem From(RegisterItem item)
    {
        var (enterprise, trunk) = IdentityRegister.Split(item.Key);
        return new(
            enterprise,
            trunk,
            item.Total(M.Assertions),
            item.Labels(M.Assertions),
            item.Labels(M.AssertionRejections),
            item.Total(M.Signatures),
            item.Labels(M.Signatures),
            item.Total(M.Verifications),
            item.Labels(M.Verifications),
            item.Labels(M.VerificationReasons),
            item.Total(M.Presentations),
            item.Labels(M.Presentations),
            item.Count(M.PrivacyApplied, "true"),
            item.Labels(M.Bindings),
            item.Labels(M.DelegateCertificates),
            item.FirstDay,
            item.LastDay);
    }
}

/// <summary><c>GET /api/v1/registers/identity[/{enterpriseId}/{trunkId}]?tenant=…&amp;from=…&amp;to=…&amp;limit=…&amp;continuation=…</c>.</summary>
public static class GetIdentityRegister
{
    public static async Task<IResult> List(string? tenant, string? from, string? to, int? limit, string? continuation, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, from, to, limit, continuation);
        if (filter is null)
        {
            return problem!;
        }

        var (items, next) = await RegisterRows.PageAsync(database, AuditRegisters.Identity, filter, ct);
        return Results.Ok(new RegisterPage<IdentityRegisterItem>(filter.Tenant, filter.From, filter.To, [.. items.Select(IdentityRegisterItem.From)], next));
    }

    public static async Task<IResult> One(string enterpriseId, string trunkId, string? tenant, string? from, string? to, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, from, to);
        if (filter is null)
        {
            return problem!;
        }

        var item = await RegisterRows.OneAsync(database, AuditRegisters.Identity, filter, IdentityRegister.KeyOf(enterpriseId, trunkId), ct);
        return item is null
            ? Problems.NotFound("Nothing of this enterprise and trunk is recorded for this tenant in this period.")
            : Results.Ok(IdentityRegisterItem.From(item));
    }
}
