using System.Globalization;
using Marten;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Consent;

public sealed record ViolationView(
    string Id,
    string Status,
    string SubjectPseudonym,
    string Purpose,
    string Recipient,
    string EventType,
    string EventSource,
    string EventId,
    DateTimeOffset CallTime,
    string Reason,
    string? PolicyVersion,
    DateTimeOffset DetectedAt,
    DateTimeOffset GraceUntil,
    DateTimeOffset? ClearedAt,
    string? ClearedByEventSource,
    string? ClearedByEventId,
    DateTimeOffset? ClearedByConsentTime);

public sealed record ViolationPage(string Tenant, int Page, int PageSize, long Total, IReadOnlyList<ViolationView> Violations) : ICountedResult
{
    public int Rows => Violations.Count;
}

/// <summary><c>GET /api/v1/violations?tenant=…[&amp;from=…][&amp;to=…][&amp;status=…][&amp;page=1][&amp;pageSize=50]</c>: consent violations, newest call first.</summary>
public static class GetViolations
{
    public const int MaxPageSize = 500;

    public static async Task<IResult> List(string? tenant, string? from, string? to, string? status, int? page, int? pageSize, IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(tenant))
        {
            errors.Add(new FieldError("tenant", "required query parameter is missing"));
        }

        var start = Time("from", from, errors);
        var end = Time("to", to, errors);
        if (status is not (null or ConsentViolation.Provisional or ConsentViolation.Confirmed or ConsentViolation.Cleared))
        {
            errors.Add(new FieldError("status", "must be provisional, confirmed or cleared"));
        }

        if (page is < 1)
        {
            errors.Add(new FieldError("page", "must be 1 or more"));
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors.Add(new FieldError("pageSize", $"must be 1–{MaxPageSize}"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidInput(errors);
        }

        var now = time.GetUtcNow();
        var number = page ?? 1;
        var size = pageSize ?? 50;
        await using var session = store.QuerySession(tenant!);
        var query = session.Query<ConsentViolation>().AsQueryable();
        if (start is { } s)
        {
            query = query.Where(v => v.CallTime >= s);
        }

        if (end is { } e)
        {
            query = query.Where(v => v.CallTime < e);
        }

        query = status switch
        {
            ConsentViolation.Cleared => query.Where(v => v.ClearedAt != null),
            ConsentViolation.Provisional => query.Where(v => v.ClearedAt == null && v.GraceUntil > now),
            ConsentViolation.Confirmed => query.Where(v => v.ClearedAt == null && v.GraceUntil <= now),
            _ => query,
        };

        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(v => v.CallTime).ThenBy(v => v.Id).Skip((number - 1) * size).Take(size).ToListAsync(ct);
        return Results.Ok(new ViolationPage(tenant!, number, size, total, [.. items.Select(v => new ViolationView(
            v.Id, v.StatusAt(now), v.SubjectPseudonym, v.Purpose, v.Recipient, v.EventType, v.EventSource, v.EventId, v.CallTime, v.Reason,
            v.PolicyVersion, v.DetectedAt, v.GraceUntil, v.ClearedAt, v.ClearedByEventSource, v.ClearedByEventId, v.ClearedByConsentTime))]));
    }

    private static DateTimeOffset? Time(string name, string? value, List<FieldError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return parsed;
        }

        errors.Add(new FieldError(name, "must be an RFC 3339 date-time"));
        return null;
    }

    public static IEndpointRouteBuilder MapViolations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/violations", List).WithTags("Consent").WithName("ListConsentViolations")
            .WithSummary("Consent violations: calls that relied on consent while none was active").RequireAuthorization(AccessPolicies.PrivacyRead);
        return app;
    }
}
