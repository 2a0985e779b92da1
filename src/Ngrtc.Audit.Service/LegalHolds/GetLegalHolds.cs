using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Registers;

namespace Ngrtc.Audit.Service.LegalHolds;

public sealed record LegalHoldPage(string Tenant, string Status, IReadOnlyList<LegalHoldView> Holds, string? Continuation) : ICountedResult
{
    public int Rows => Holds.Count;
}

/// <summary><c>GET /api/v1/legal-holds?tenant=…&amp;status=active|released|all&amp;limit=…&amp;continuation=…</c>, in the order they were placed.</summary>
public static class GetLegalHolds
{
    public static async Task<IResult> List(string? tenant, string? status, int? limit, string? continuation, IDocumentStore store, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, null, null, limit, continuation);
        if (filter is null)
        {
            return problem!;
        }

        status ??= "all";
        if (status is not ("active" or "released" or "all"))
        {
            return Problems.InvalidParameter("status", "must be active, released or all");
        }

        // Holds are few: the tenant's are read whole and paged here (ids are time-ordered, lh-<uuid v7>).
        await using var session = store.QuerySession(filter.Tenant);
        var holds = (await session.Query<LegalHold>().ToListAsync(ct))
            .Where(h => status == "all" || h.Active == (status == "active"))
            .Where(h => filter.After is null || string.CompareOrdinal(h.HoldId, filter.After) > 0)
            .OrderBy(h => h.HoldId, StringComparer.Ordinal)
            .Take(filter.Limit + 1)
            .ToList();
        var next = holds.Count > filter.Limit ? Continuation.Of(holds[filter.Limit - 1].HoldId) : null;
        return Results.Ok(new LegalHoldPage(filter.Tenant, status, [.. holds.Take(filter.Limit).Select(LegalHoldView.From)], next));
    }

    public static async Task<IResult> One(string holdId, string? tenant, IDocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var session = store.QuerySession(tenant);
        var hold = await session.LoadAsync<LegalHold>(LegalHoldStreams.For(holdId), ct);
        return hold is null ? Problems.NotFound("No legal hold with this id in this tenant.") : Results.Ok(LegalHoldView.From(hold));
    }

    public static IEndpointRouteBuilder MapLegalHolds(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/legal-holds").WithTags("Legal holds");
        group.MapPost("", PlaceLegalHold.Handle).RequireAuthorization(AccessPolicies.Admin).WithName("PlaceLegalHold").WithSummary("Place a legal hold (subject, enterprise or case)");
        group.MapDelete("/{holdId}", ReleaseLegalHold.Handle).RequireAuthorization(AccessPolicies.Admin).WithName("ReleaseLegalHold").WithSummary("Release a legal hold, with a reason");
        group.MapGet("", List).RequireAuthorization(AccessPolicies.PrivacyRead).WithName("ListLegalHolds").WithSummary("Legal holds of a tenant");
        group.MapGet("/{holdId}", One).RequireAuthorization(AccessPolicies.PrivacyRead).WithName("GetLegalHold").WithSummary("One legal hold");
        return app;
    }
}
