using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using M = Ngrtc.Audit.Projections.AvatarRegister.Metrics;

namespace Ngrtc.Audit.Service.Registers;

/// <summary>One avatar, by its epoch pseudonym, in the avatar register over a period.</summary>
public sealed record AvatarRegisterItem(
    string AvatarPseudonym,
    long AuthorizationChecks,
    IReadOnlyDictionary<string, long> AuthorizationsByResult,
    IReadOnlyDictionary<string, long> DenialsByCause,
    long Deliveries,
    IReadOnlyDictionary<string, long> DeliveriesByRenderingMode,
    IReadOnlyDictionary<string, long> ListedByBarDomain,
    IReadOnlyDictionary<string, long> ModelChanges,
    long BiometricDerivedModelChanges,
    DateOnly FirstDay,
    DateOnly LastDay)
{
    public static AvatarRegisterItem From(RegisterItem item) => new(
        item.Key,
        item.Total(M.Authorizations),
        item.Labels(M.Authorizations),
        item.Labels(M.Denials),
        item.Total(M.Deliveries),
        item.Labels(M.Deliveries),
        item.Labels(M.BarDomain),
        item.Labels(M.ModelChanges),
        item.Count(M.BiometricDerived, "true"),
        item.FirstDay,
        item.LastDay);
}

/// <summary><c>GET /api/v1/registers/avatars[/{avatarPseudonym}]?tenant=…&amp;from=…&amp;to=…&amp;limit=…&amp;continuation=…</c>.</summary>
public static class GetAvatarRegister
{
    public static async Task<IResult> List(string? tenant, string? from, string? to, int? limit, string? continuation, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, from, to, limit, continuation);
        if (filter is null)
        {
            return problem!;
        }

        var (items, next) = await RegisterRows.PageAsync(database, AuditRegisters.Avatars, filter, ct);
        return Results.Ok(new RegisterPage<AvatarRegisterItem>(filter.Tenant, filter.From, filter.To, [.. items.Select(AvatarRegisterItem.From)], next));
    }

    public static async Task<IResult> One(string avatarPseudonym, string? tenant, string? from, string? to, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, from, to);
        if (filter is null)
        {
            return problem!;
        }

        var item = await RegisterRows.OneAsync(database, AuditRegisters.Avatars, filter, avatarPseudonym, ct);
        return item is null
            ? Problems.NotFound("Nothing of this avatar pseudonym is recorded for this tenant in this period.")
            : Results.Ok(AvatarRegisterItem.From(item));
    }
}

/// <summary>The three registers' routes, each behind the privacy officers' read policy.</summary>
public static class RegisterRoutes
{
    public static IEndpointRouteBuilder MapRegisters(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/registers").WithTags("Registers").RequireAuthorization(AccessPolicies.PrivacyRead);
        group.MapGet("/exposure", GetExposureRegister.List).WithName("ListExposureRegister").WithSummary("Exposure register per DC AS application");
        group.MapGet("/exposure/{recipientId}", GetExposureRegister.One).WithName("GetExposureRegister").WithSummary("Exposure register of one DC AS application");
        group.MapGet("/identity", GetIdentityRegister.List).WithName("ListIdentityRegister").WithSummary("Identity assurance register per enterprise and trunk");
        group.MapGet("/identity/{enterpriseId}/{trunkId}", GetIdentityRegister.One).WithName("GetIdentityRegister").WithSummary("Identity assurance register of one enterprise and trunk");
        group.MapGet("/avatars", GetAvatarRegister.List).WithName("ListAvatarRegister").WithSummary("Avatar register per avatar pseudonym");
        group.MapGet("/avatars/{avatarPseudonym}", GetAvatarRegister.One).WithName("GetAvatarRegister").WithSummary("Avatar register of one avatar pseudonym");
        return app;
    }
}
