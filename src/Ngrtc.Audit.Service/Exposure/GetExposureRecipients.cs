using Marten;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.Exposure;

/// <summary>What one recipient received, as the API shows it: counts and pseudonymous distinct subjects only.</summary>
public sealed record RecipientExposure(
    string RecipientId,
    long Disclosures,
    long DistinctSubjects,
    IReadOnlyDictionary<string, long> ByEventType,
    IReadOnlyDictionary<string, long> ByDataCategory,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen);

public sealed record RecipientExposurePage(string Tenant, IReadOnlyList<RecipientExposure> Recipients) : ICountedResult
{
    int ICountedResult.Rows => Recipients.Count;
}

/// <summary><c>GET /api/v1/exposure/recipients[/{recipientId}]?tenant=…</c>: the exposure register per DC AS application.</summary>
public static class GetExposureRecipients
{
    public static async Task<IResult> List(string? tenant, IDocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var session = store.QuerySession(tenant);
        var registers = await session.Query<ExposureRegister>().OrderBy(r => r.Id).ToListAsync(ct);
        var recipients = new List<RecipientExposure>(registers.Count);
        foreach (var register in registers)
        {
            recipients.Add(await Describe(session, register, ct));
        }

        return Results.Ok(new RecipientExposurePage(tenant, recipients));
    }

    public static async Task<IResult> One(string recipientId, string? tenant, IDocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var session = store.QuerySession(tenant);
        var register = await session.LoadAsync<ExposureRegister>(recipientId, ct);
        return register is null
            ? Problems.NotFound("No disclosure to this recipient is recorded for this tenant.")
            : Results.Ok(await Describe(session, register, ct));
    }

    private static async Task<RecipientExposure> Describe(IQuerySession session, ExposureRegister register, CancellationToken ct)
    {
        var distinct = await session.Query<ExposureRecipientSubject>().CountAsync(s => s.RecipientId == register.Id, ct);
        return new RecipientExposure(
            register.Id,
            register.Disclosures,
            distinct,
            register.ByEventType,
            register.ByDataCategory,
            register.FirstSeen,
            register.LastSeen);
    }

    public static IEndpointRouteBuilder MapExposure(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/exposure/recipients").WithTags("Exposure").RequireAuthorization(AccessPolicies.PrivacyRead);
        group.MapGet("", List).WithName("ListExposureRecipients").WithSummary("Exposure register of every recipient");
        group.MapGet("/{recipientId}", One).WithName("GetExposureRecipient").WithSummary("Exposure register of one recipient");
        return app;
    }
}
