using JasperFx.Events;
using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.AccessLog;

/// <summary>One recorded read, as the access log shows it.</summary>
public sealed record AccessEntry(
    long Sequence,
    string Subject,
    IReadOnlyList<string> Roles,
    string Purpose,
    string Endpoint,
    string? FilterSha256,
    int Rows,
    int Status,
    DateTimeOffset At);

public sealed record AccessLogPage(string Tenant, int Page, int PageSize, IReadOnlyList<AccessEntry> Entries) : ICountedResult
{
    int ICountedResult.Rows => Entries.Count;
}

/// <summary>
/// <c>GET /api/v1/access-log?page=1&amp;pageSize=50</c>: the tenant's recorded reads, newest first. Reading it is a
/// read like any other, so it is recorded too (the entry appears on the next read).
/// </summary>
public static class GetAccessLog
{
    public const int MaxPageSize = 500;

    public static async Task<IResult> Handle(int? page, int? pageSize, System.Security.Claims.ClaimsPrincipal user, IDocumentStore store, CancellationToken ct)
    {
        var number = page ?? 1;
        var size = pageSize ?? 50;
        if (number < 1)
        {
            return Problems.InvalidParameter("page", "must be 1 or more");
        }

        if (size is < 1 or > MaxPageSize)
        {
            return Problems.InvalidParameter("pageSize", $"must be between 1 and {MaxPageSize}");
        }

        var tenant = user.Tenant()!;
        await using var session = store.QuerySession(tenant);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == AccessLogStreams.Reads)
            .OrderByDescending(e => e.Sequence)
            .Skip((number - 1) * size)
            .Take(size)
            .ToListAsync(ct);
        var entries = events
            .Select(e => (e.Sequence, Access: (AccessRecorded)e.Data))
            .Select(e => new AccessEntry(
                e.Sequence, e.Access.Subject, e.Access.Roles, e.Access.Purpose, e.Access.Endpoint, e.Access.FilterSha256, e.Access.Rows, e.Access.Status, e.Access.At))
            .ToList();
        return Results.Ok(new AccessLogPage(tenant, number, size, entries));
    }

    public static IEndpointRouteBuilder MapAccessLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/access-log", Handle)
            .RequireAuthorization(AccessPolicies.PrivacyRead)
            .WithTags("Access log")
            .WithName("GetAccessLog")
            .WithSummary("Who read what in this tenant: the audit of the auditor, newest first");
        return app;
    }
}
