using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.AccessLog;

/// <summary>One recorded read, as the access log shows it.</summary>
public sealed record AccessEntry(
    long Sequence,
    string Subject,
    IReadOnlyList<string> Roles,
    string Purpose,
    string Endpoint,
    string? FilterDigest,
    int Rows,
    int Status,
    DateTimeOffset At,
    string? FilterSha256);

public sealed record AccessLogPage(string Tenant, int Page, int PageSize, IReadOnlyList<AccessEntry> Entries) : ICountedResult
{
    int ICountedResult.Rows => Entries.Count;
}

/// <summary>
/// <c>GET /api/v1/access-log?page=1&amp;pageSize=50[&amp;filter=…]</c>: the tenant's recorded reads, newest first; with
/// <c>filter</c> (a canonical filter, e.g. <c>subject=p1.2026-11.abc</c>), only the reads made with exactly that
/// filter, found by its keyed digest. Reading it is a read like any other, so it is recorded too (the entry appears
/// on the next read), its own filter digested like any other.
/// </summary>
public static class GetAccessLog
{
    public const int MaxPageSize = 500;

    public static async Task<IResult> Handle(
        int? page, int? pageSize, string? filter, System.Security.Claims.ClaimsPrincipal user, IDocumentStore store, NpgsqlDataSource database, FieldProtector protector, CancellationToken ct)
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

        if (filter is { Length: 0 })
        {
            return Problems.InvalidParameter("filter", "must be a canonical filter (name=value pairs joined by &), or left out");
        }

        var tenant = user.Tenant()!;
        var digest = filter is null ? null : await AccessAudit.FilterDigestAsync(protector, tenant, filter, ct);
        await using var command = database.CreateCommand(
            $"""
            select seq_id, data from {AuditStore.Schema}.mt_events
            where tenant_id = $1 and stream_id = $2 and ($3::text is null or data ->> 'filterDigest' = $3)
            order by seq_id desc offset $4 limit $5
            """);
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(AccessLogStreams.Reads);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)digest ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue((long)(number - 1) * size);
        command.Parameters.AddWithValue(size);
        var serializer = store.Options.Serializer();
        var entries = new List<AccessEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var a = serializer.FromJson<AccessRecorded>(reader, 1);
            entries.Add(new AccessEntry(reader.GetInt64(0), a.Subject, a.Roles, a.Purpose, a.Endpoint, a.FilterDigest, a.Rows, a.Status, a.At, a.FilterSha256));
        }

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
