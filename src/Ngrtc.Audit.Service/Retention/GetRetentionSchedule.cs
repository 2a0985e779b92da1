using System.Globalization;
using System.Text;
using Marten;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.LegalHolds;
using Ngrtc.Audit.Service.Registers;
using Npgsql;
using NpgsqlTypes;

namespace Ngrtc.Audit.Service.Retention;

/// <summary>
/// How long each retention class is kept before its personal fields are blanked. The class the retention job is
/// configured for (<see cref="RetentionOptions"/>) uses that period and is <c>enforced</c>; the others show the
/// catalogue's default period (EVENTS.md), which no job applies yet. The policy work replaces the defaults.
/// </summary>
public static class RetentionPeriods
{
    public static readonly IReadOnlyDictionary<RetentionClass, int> DefaultDays = new Dictionary<RetentionClass, int>
    {
        [RetentionClass.T0] = 7,
        [RetentionClass.T1] = 183,
        [RetentionClass.A] = 730,
        [RetentionClass.C] = 1095, // the consent's life is not known here: 3 years from the event
        [RetentionClass.S] = 365,
        [RetentionClass.I] = 1826,
    };

    public static (int Days, bool Enforced) Of(RetentionClass retention, RetentionOptions rule) =>
        retention == rule.Class ? (rule.AfterDays, true) : (DefaultDays[retention], false);

    /// <summary>SQL: the days of the event row <paramref name="e"/>'s class (constants only, no input).</summary>
    public static string DaysSql(string e, RetentionOptions rule)
    {
        var sql = new StringBuilder($"case {e}.data->>'retention'");
        foreach (var retention in Enum.GetValues<RetentionClass>())
        {
            sql.Append(CultureInfo.InvariantCulture, $" when '{retention}' then {Of(retention, rule).Days}");
        }

        return sql.Append(" end").ToString();
    }
}

/// <summary>One stored event in the schedule: no personal data, only where it stands.</summary>
public sealed record RetentionScheduleItem(
    string EventId,
    string Type,
    string Class,
    DateTimeOffset Time,
    DateTimeOffset DueAt,
    bool Enforced,
    DateTimeOffset? RedactedAt,
    IReadOnlyList<string> Holds);

public sealed record RetentionSchedulePage(string Tenant, DateTimeOffset? DueBefore, IReadOnlyList<RetentionScheduleItem> Events, string? Continuation) : ICountedResult
{
    public int Rows => Events.Count;
}

/// <summary>
/// <c>GET /api/v1/retention/schedule?tenant=…&amp;dueBefore=…&amp;limit=…&amp;continuation=…</c>: the tenant's events in log
/// order with their class, due date (event time + the class's period) and the active legal holds covering them;
/// with <c>dueBefore</c> (a UTC day or an RFC 3339 time) only those due before it. A held event stays unredacted
/// past its due date until every hold covering it is released.
/// </summary>
public static class GetRetentionSchedule
{
    public static async Task<IResult> List(
        string? tenant, string? dueBefore, int? limit, string? continuation, NpgsqlDataSource database, IOptions<RetentionOptions> options, CancellationToken ct)
    {
        var (filter, problem) = RegisterFilter.Parse(tenant, null, null, limit, continuation);
        if (filter is null)
        {
            return problem!;
        }

        long after = 0;
        if (filter.After is not null && !long.TryParse(filter.After, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return Problems.InvalidParameter("continuation", "is not a continuation this API gave out");
        }

        DateTimeOffset? before = null;
        if (dueBefore is not null)
        {
            if (DateOnly.TryParseExact(dueBefore, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                before = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            }
            else if (DateTimeOffset.TryParse(dueBefore, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                before = time.ToUniversalTime();
            }
            else
            {
                return Problems.InvalidParameter("dueBefore", "must be a UTC day yyyy-MM-dd or an RFC 3339 time");
            }
        }

        var rule = options.Value;
        var due = $"(e.data->'envelope'->>'time')::timestamptz + make_interval(days => {RetentionPeriods.DaysSql("e", rule)})";
        await using var command = database.CreateCommand(
            $"""
            select e.seq_id, e.data->'envelope'->>'id', e.data->'envelope'->>'type', e.data->>'retention',
                   (e.data->'envelope'->>'time')::timestamptz, {due}, (e.data->>'redactedAt')::timestamptz, {LegalHoldCoverage.HoldIds("e")}
            from {AuditStore.Schema}.mt_events e
            where e.tenant_id = $1 and e.type = 'audit_event_recorded' and e.seq_id > $2
              and ($3::timestamptz is null or {due} < $3)
            order by e.seq_id
            limit $4
            """);
        command.Parameters.AddWithValue(filter.Tenant);
        command.Parameters.AddWithValue(after);
        command.Parameters.Add(new NpgsqlParameter { Value = before.HasValue ? before.Value : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.AddWithValue(filter.Limit + 1);

        var items = new List<(long Seq, RetentionScheduleItem Item)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var retention = reader.GetString(3);
                items.Add((reader.GetInt64(0), new RetentionScheduleItem(
                    reader.GetString(1),
                    reader.GetString(2),
                    retention,
                    reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetFieldValue<DateTimeOffset>(5),
                    Enum.TryParse<RetentionClass>(retention, out var c) && RetentionPeriods.Of(c, rule).Enforced,
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                    reader.GetFieldValue<string[]>(7))));
            }
        }

        var next = items.Count > filter.Limit ? Continuation.Of(items[filter.Limit - 1].Seq.ToString(CultureInfo.InvariantCulture)) : null;
        return Results.Ok(new RetentionSchedulePage(filter.Tenant, before, [.. items.Take(filter.Limit).Select(i => i.Item)], next));
    }

    public static IEndpointRouteBuilder MapRetentionSchedule(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/retention/schedule", List)
            .WithTags("Retention")
            .RequireAuthorization(AccessPolicies.PrivacyRead)
            .WithName("GetRetentionSchedule")
            .WithSummary("Per stored event: retention class, due date and the legal holds covering it");
        return app;
    }
}
