using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using M = Ngrtc.Audit.Projections.ExposureRegister.Metrics;

namespace Ngrtc.Audit.Service.Registers;

/// <summary>One DC AS application in the exposure register over a period. Counts and pseudonymous distinct subjects only.</summary>
public sealed record ExposureRegisterItem(
    string RecipientId,
    long Disclosures,
    IReadOnlyDictionary<string, long> ByEventType,
    IReadOnlyDictionary<string, long> ByDataCategory,
    long DistinctSubjects,
    long Operations,
    IReadOnlyDictionary<string, long> ByOperation,
    IReadOnlyDictionary<string, long> Decisions,
    IReadOnlyDictionary<string, long> Subscriptions,
    long Rejections,
    IReadOnlyDictionary<string, long> RejectionsByCause,
    long Violations,
    IReadOnlyDictionary<string, long> ViolationsByCause,
    DateOnly FirstDay,
    DateOnly LastDay)
{
    public static ExposureRegisterItem From(RegisterItem item, long distinctSubjects) => new(
        item.Key,
        item.Total(M.Disclosures),
        item.Labels(M.Disclosures),
        item.Labels(M.DataCategories),
        distinctSubjects,
        item.Total(M.Operations),
        item.Labels(M.Operations),
        item.Labels(M.Decisions),
        item.Labels(M.Subscriptions),
        item.Total(M.Rejections),
        item.Labels(M.Rejections),
        item.Total(M.Violations),
        item.Labels(M.Violations),
        item.FirstDay,
        item.LastDay);
}

/// <summary><c>GET /api/v1/registers/exposure[/{recipientId}]?tenant=…&amp;from=…&amp;to=…&amp;limit=…&amp;continuation=…</c>.</summary>
public static class GetExposureRegister
{
    public static async Task<IResult> List(string? tenant, string? from, string? to, int? limit, string? continuation, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, from, to, limit, continuation);
        if (filter is null)
        {
            return problem!;
        }

        var (items, next) = await RegisterRows.PageAsync(database, AuditRegisters.Exposure, filter, ct);
        var distinct = await RegisterRows.DistinctSubjectsAsync(database, AuditRegisters.Exposure, filter, items, ct);
        return Results.Ok(new RegisterPage<ExposureRegisterItem>(
            filter.Tenant, filter.From, filter.To, [.. items.Select(i => ExposureRegisterItem.From(i, distinct.GetValueOrDefault(i.Key)))], next));
    }

    public static async Task<IResult> One(string recipientId, string? tenant, string? from, string? to, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, from, to);
        if (filter is null)
        {
            return problem!;
        }

        var item = await RegisterRows.OneAsync(database, AuditRegisters.Exposure, filter, recipientId, ct);
        if (item is null)
        {
            return Problems.NotFound("Nothing of this application is recorded for this tenant in this period.");
        }

        var distinct = await RegisterRows.DistinctSubjectsAsync(database, AuditRegisters.Exposure, filter, [item], ct);
        return Results.Ok(ExposureRegisterItem.From(item, distinct.GetValueOrDefault(item.Key)));
    }
}
