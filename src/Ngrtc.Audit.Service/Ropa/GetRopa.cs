using System.Text;
using Marten;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Policy;

namespace Ngrtc.Audit.Service.Ropa;

public sealed record RopaEventType(string Type, string RetentionClass, string RetentionPeriod, string? RetentionClassWithPersonalData, string? RetentionPeriodWithPersonalData);

public sealed record RopaObserved(
    long Events,
    IReadOnlyDictionary<string, long> ByEventType,
    IReadOnlyDictionary<string, long> Purposes,
    IReadOnlyDictionary<string, long> LegalBases,
    IReadOnlyDictionary<string, long> Recipients,
    IReadOnlyDictionary<string, long> DataCategories,
    IReadOnlyDictionary<string, long> PolicyVersions,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen);

/// <summary>One processing activity's record (GDPR Art 30(1)): what the policy declares, and what the traffic showed.</summary>
public sealed record RopaActivity(
    string Activity,
    string? Description,
    IReadOnlyList<string> Purposes,
    IReadOnlyList<string> LegalBases,
    IReadOnlyList<string> DataSubjects,
    IReadOnlyList<string> DataCategories,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<RopaEventType> EventTypes,
    RopaObserved Observed,
    IReadOnlyList<string> UndeclaredPurposes,
    IReadOnlyList<string> UndeclaredLegalBases);

public sealed record RecordsOfProcessing(
    string Tenant,
    string? Controller,
    string Jurisdiction,
    string PolicyVersion,
    string PolicyDigest,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<RopaActivity> Activities) : ICountedResult
{
    public int Rows => Activities.Count;
}

/// <summary>The CSV form, one row per activity; counted like the JSON.</summary>
public sealed class RopaCsv(string csv, int rows) : IResult, ICountedResult
{
    public int Rows => rows;

    public string Text => csv;

    public Task ExecuteAsync(HttpContext httpContext) =>
        Results.Text(csv, "text/csv; charset=utf-8", Encoding.UTF8).ExecuteAsync(httpContext);
}

/// <summary><c>GET /api/v1/ropa?tenant=…[&amp;format=csv]</c>: records of processing activities from the policy in force and the observed traffic.</summary>
public static class GetRopa
{
    public static async Task<IResult> Get(string? tenant, string? format, IDocumentStore store, PolicyRegistry registry, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        if (format is not (null or "json" or "csv"))
        {
            return Problems.InvalidParameter("format", "must be json or csv");
        }

        await using var session = store.QuerySession(tenant);
        var observed = (await session.Query<ProcessingObserved>().ToListAsync(ct)).ToDictionary(o => o.Id);
        var records = Build(tenant, registry.Current, observed, time.GetUtcNow());
        return format == "csv" ? new RopaCsv(Csv(records), records.Activities.Count) : Results.Ok(records);
    }

    /// <summary>Pure: the records from a policy and what each activity showed.</summary>
    public static RecordsOfProcessing Build(string tenant, LoadedPolicy loaded, IReadOnlyDictionary<string, ProcessingObserved> observed, DateTimeOffset now)
    {
        var policy = loaded.Policy;
        var activities = new List<RopaActivity>();
        foreach (var (name, activity) in policy.Activities.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var types = activity.EventTypes.Order(StringComparer.Ordinal).Select(AuditCatalogue.Get).ToList();
            var seen = observed.GetValueOrDefault(name);
            activities.Add(new RopaActivity(
                name,
                activity.Description,
                activity.Purposes,
                activity.LegalBases,
                activity.DataSubjects,
                [.. types.SelectMany(t => t.PersonalFields).Select(f => f.PersonalData!.Category).Distinct().Order(StringComparer.Ordinal)],
                activity.Recipients,
                [.. types.Select(t => new RopaEventType(
                    t.Type,
                    t.Retention.ToString(),
                    policy.RetentionPeriod(tenant, t.Retention),
                    t.RetentionWhenPersonalData?.ToString(),
                    t.RetentionWhenPersonalData is { } elevated ? policy.RetentionPeriod(tenant, elevated) : null))],
                new RopaObserved(
                    seen?.Events ?? 0,
                    seen?.ByEventType ?? [],
                    seen?.ByPurpose ?? [],
                    seen?.ByLegalBasis ?? [],
                    seen?.ByRecipient ?? [],
                    seen?.ByDataCategory ?? [],
                    seen?.ByPolicyVersion ?? [],
                    seen?.FirstSeen,
                    seen?.LastSeen),
                [.. (seen?.ByPurpose.Keys ?? Enumerable.Empty<string>()).Except(activity.Purposes).Order(StringComparer.Ordinal)],
                [.. (seen?.ByLegalBasis.Keys ?? Enumerable.Empty<string>()).Except(activity.LegalBases).Order(StringComparer.Ordinal)]));
        }

        return new RecordsOfProcessing(tenant, policy.Controller, policy.JurisdictionOf(tenant), loaded.Version, loaded.Digest, now, activities);
    }

    public static readonly string[] CsvColumns =
    [
        "activity", "purposes", "legal_bases", "data_subjects", "data_categories", "recipients", "event_types_retention",
        "observed_events", "observed_recipients", "observed_data_categories", "observed_purposes", "observed_legal_bases",
        "undeclared_purposes", "undeclared_legal_bases", "first_seen", "last_seen", "policy_version", "jurisdiction",
    ];

    /// <summary>RFC 4180: a header line, every field quoted, lists joined by "; ", counts as <c>name=count</c>.</summary>
    public static string Csv(RecordsOfProcessing records)
    {
        static string Field(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";
        static string List(IEnumerable<string> values) => string.Join("; ", values);
        static string Counts(IReadOnlyDictionary<string, long> counts) =>
            List(counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

        var csv = new StringBuilder();
        csv.Append(string.Join(",", CsvColumns)).Append("\r\n");
        foreach (var a in records.Activities)
        {
            string[] row =
            [
                a.Activity, List(a.Purposes), List(a.LegalBases), List(a.DataSubjects), List(a.DataCategories), List(a.Recipients),
                List(a.EventTypes.Select(t => $"{t.Type} {t.RetentionClass} {t.RetentionPeriod}" + (t.RetentionClassWithPersonalData is { } c ? $" ({c} {t.RetentionPeriodWithPersonalData} with personal data)" : ""))),
                a.Observed.Events.ToString(System.Globalization.CultureInfo.InvariantCulture), Counts(a.Observed.Recipients), Counts(a.Observed.DataCategories),
                Counts(a.Observed.Purposes), Counts(a.Observed.LegalBases), List(a.UndeclaredPurposes), List(a.UndeclaredLegalBases),
                a.Observed.FirstSeen?.ToString("O") ?? "", a.Observed.LastSeen?.ToString("O") ?? "", records.PolicyVersion, records.Jurisdiction,
            ];
            csv.Append(string.Join(",", row.Select(Field))).Append("\r\n");
        }

        return csv.ToString();
    }

    public static IEndpointRouteBuilder MapRopa(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/ropa", Get).WithTags("Records of processing").WithName("GetRecordsOfProcessing")
            .WithSummary("Records of processing activities (GDPR Art 30), JSON or CSV").RequireAuthorization(AccessPolicies.PrivacyRead);
        return app;
    }
}
