using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Policy;

/// <summary>
/// A versioned processing policy (ops/policy/*.json): per processing activity of the catalogue its purposes, legal
/// bases, data subjects, recipients and event types; per jurisdiction a retention period for every retention class;
/// which jurisdiction each tenant is in; the consent rule's parameters. The catalogue decides each event type's
/// activity and retention class; the policy must list every type under that activity, and adds what the catalogue
/// cannot know (periods, purposes, bases, recipients).
/// </summary>
public sealed record ProcessingPolicy
{
    public string Version { get; init; } = "";

    public string? Title { get; init; }

    public string? Controller { get; init; }

    public string DefaultJurisdiction { get; init; } = "";

    /// <summary>Tenant → jurisdiction; tenants not named are in <see cref="DefaultJurisdiction"/>.</summary>
    public Dictionary<string, string> Tenants { get; init; } = [];

    public ConsentRule Consent { get; init; } = new();

    public Dictionary<string, Jurisdiction> Jurisdictions { get; init; } = [];

    public Dictionary<string, ProcessingActivityPolicy> Activities { get; init; } = [];

    public string JurisdictionOf(string tenant) => Tenants.GetValueOrDefault(tenant) ?? DefaultJurisdiction;

    /// <summary>The retention period of <paramref name="retention"/> in <paramref name="tenant"/>'s jurisdiction (ISO 8601, e.g. <c>P24M</c>).</summary>
    public string RetentionPeriod(string tenant, RetentionClass retention) =>
        Jurisdictions[JurisdictionOf(tenant)].Retention[retention.ToString()];

    /// <summary>The activity an event type belongs to in this policy (the catalogue's, validated on load).</summary>
    public string? ActivityOf(string eventType) =>
        Activities.FirstOrDefault(a => a.Value.EventTypes.Contains(eventType)).Key;
}

/// <summary>The consent rule (README "Consent"): the grace window for consent recorded after the call, and how far back a decision looks.</summary>
public sealed record ConsentRule
{
    /// <summary>A consent recorded at most this long after a call was recorded, given no later than the call, clears its provisional violation.</summary>
    public int GraceSeconds { get; init; } = 300;

    /// <summary>How many pseudonym epochs (the call's and those before it in which consents were recorded) a decision searches.</summary>
    public int LookbackEpochs { get; init; } = 36;
}

public sealed record Jurisdiction
{
    /// <summary>Retention class (T0, T1, A, C, S, I) → ISO 8601 period (<c>P7D</c>, <c>P6M</c>, <c>P3Y</c>); C counts from the consent's end.</summary>
    public Dictionary<string, string> Retention { get; init; } = [];
}

public sealed record ProcessingActivityPolicy
{
    public string? Description { get; init; }

    /// <summary>DPV purpose codes, e.g. <c>dpv:ServiceProvision</c>.</summary>
    public List<string> Purposes { get; init; } = [];

    /// <summary>GDPR Art 6 bases, in the words of the envelope's <c>legalbasis</c>.</summary>
    public List<string> LegalBases { get; init; } = [];

    public List<string> DataSubjects { get; init; } = [];

    public List<string> Recipients { get; init; } = [];

    public List<string> EventTypes { get; init; } = [];
}

/// <summary>A policy as read from its bytes: the model, its digest and the bytes (kept to serve and store them as published).</summary>
public sealed record LoadedPolicy(ProcessingPolicy Policy, string Digest, string Json)
{
    public string Version => Policy.Version;
}

/// <summary>Why a policy was refused; each error names the member (<c>activities.x.eventTypes[2]</c>), like a problem detail.</summary>
public sealed class PolicyInvalidException(string origin, IReadOnlyList<FieldError> errors)
    : Exception($"The policy {origin} is invalid: {string.Join("; ", errors)}")
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>Reads and validates a policy. Pure: no clock, no store.</summary>
public static partial class PolicyLoader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex VersionSyntax();

    [GeneratedRegex("^P([0-9]{1,4})([DMY])$")]
    private static partial Regex PeriodSyntax();

    /// <summary><c>sha256:</c> and the lower-case hex SHA-256 of the bytes as published.</summary>
    public static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static LoadedPolicy LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new PolicyInvalidException(path, [new FieldError("Ngrtc:Policy:Path", "the policy file does not exist")]);
        }

        return Load(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates; throws <see cref="PolicyInvalidException"/> listing every problem.</summary>
    public static LoadedPolicy Load(byte[] bytes, string origin)
    {
        ProcessingPolicy? policy;
        try
        {
            policy = JsonSerializer.Deserialize<ProcessingPolicy>(bytes, Json);
        }
        catch (JsonException e)
        {
            throw new PolicyInvalidException(origin, [new FieldError(string.IsNullOrEmpty(e.Path) ? "$" : e.Path, "not a policy document: " + FirstSentence(e.Message))]);
        }

        if (policy is null)
        {
            throw new PolicyInvalidException(origin, [new FieldError("$", "empty policy document")]);
        }

        var errors = Validate(policy);
        if (errors.Count > 0)
        {
            throw new PolicyInvalidException(origin, errors);
        }

        return new LoadedPolicy(policy, Digest(bytes), System.Text.Encoding.UTF8.GetString(bytes));
    }

    /// <summary>Every problem of <paramref name="policy"/> against the catalogue; empty when it is valid.</summary>
    public static IReadOnlyList<FieldError> Validate(ProcessingPolicy policy)
    {
        var errors = new List<FieldError>();
        void Fail(string field, string reason) => errors.Add(new FieldError(field, reason));

        if (!VersionSyntax().IsMatch(policy.Version ?? ""))
        {
            Fail("version", "required: 1–64 of A-Z a-z 0-9 . _ - (e.g. eu-default.v2)");
        }

        if (policy.Consent is null)
        {
            Fail("consent", "required");
        }
        else
        {
            if (policy.Consent.GraceSeconds is < 0 or > 86_400)
            {
                Fail("consent.graceSeconds", "must be 0–86400");
            }

            if (policy.Consent.LookbackEpochs is < 1 or > 1000)
            {
                Fail("consent.lookbackEpochs", "must be 1–1000");
            }
        }

        var jurisdictions = policy.Jurisdictions ?? [];
        if (jurisdictions.Count == 0)
        {
            Fail("jurisdictions", "at least one jurisdiction is required");
        }

        foreach (var (name, jurisdiction) in jurisdictions)
        {
            var retention = jurisdiction?.Retention ?? [];
            foreach (var retentionClass in Enum.GetNames<RetentionClass>())
            {
                if (!retention.TryGetValue(retentionClass, out var period))
                {
                    Fail($"jurisdictions.{name}.retention.{retentionClass}", "missing: every retention class needs a period");
                }
                else if (!IsPeriod(period))
                {
                    Fail($"jurisdictions.{name}.retention.{retentionClass}", "must be an ISO 8601 period of days, months or years (P7D, P6M, P3Y), not zero");
                }
            }

            foreach (var extra in retention.Keys.Where(k => !Enum.GetNames<RetentionClass>().Contains(k)))
            {
                Fail($"jurisdictions.{name}.retention.{extra}", "not a retention class of the catalogue (T0, T1, A, C, S, I)");
            }
        }

        if (string.IsNullOrEmpty(policy.DefaultJurisdiction) || !jurisdictions.ContainsKey(policy.DefaultJurisdiction))
        {
            Fail("defaultJurisdiction", "must name one of the jurisdictions");
        }

        foreach (var (tenant, jurisdiction) in policy.Tenants ?? [])
        {
            if (!jurisdictions.ContainsKey(jurisdiction ?? ""))
            {
                Fail($"tenants.{tenant}", "must name one of the jurisdictions");
            }
        }

        var activities = policy.Activities ?? [];
        foreach (var activity in ProcessingActivities.All.Where(a => !activities.ContainsKey(a)))
        {
            Fail($"activities.{activity}", "missing: every processing activity of the catalogue needs an entry");
        }

        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, activity) in activities)
        {
            var at = $"activities.{name}";
            if (!ProcessingActivities.All.Contains(name))
            {
                Fail(at, "not a processing activity of the catalogue");
                continue;
            }

            if (activity is null)
            {
                Fail(at, "required");
                continue;
            }

            if (activity.Purposes is not { Count: > 0 } || activity.Purposes.Any(string.IsNullOrWhiteSpace))
            {
                Fail($"{at}.purposes", "at least one purpose (a DPV code such as dpv:ServiceProvision)");
            }

            if (activity.LegalBases is not { Count: > 0 })
            {
                Fail($"{at}.legalBases", "at least one legal basis");
            }

            for (var i = 0; i < (activity.LegalBases?.Count ?? 0); i++)
            {
                if (!CloudEventEnvelope.LegalBases.Contains(activity.LegalBases![i]))
                {
                    Fail($"{at}.legalBases[{i}]", $"must be one of {string.Join(", ", CloudEventEnvelope.LegalBases)}");
                }
            }

            if (activity.Recipients is null || activity.DataSubjects is null)
            {
                Fail(activity.Recipients is null ? $"{at}.recipients" : $"{at}.dataSubjects", "must be a list (empty if none)");
            }

            for (var i = 0; i < (activity.EventTypes?.Count ?? 0); i++)
            {
                var type = activity.EventTypes![i];
                var field = $"{at}.eventTypes[{i}]";
                if (AuditCatalogue.Find(type) is not { } descriptor)
                {
                    Fail(field, "not an event type of the catalogue");
                }
                else if (descriptor.ProcessingActivity != name)
                {
                    Fail(field, $"the catalogue puts this type under {descriptor.ProcessingActivity}");
                }
                else if (!listed.TryAdd(type, name))
                {
                    Fail(field, "listed twice");
                }
            }
        }

        foreach (var descriptor in AuditCatalogue.Ordered.Where(d => !listed.ContainsKey(d.Type) && activities.ContainsKey(d.ProcessingActivity)))
        {
            Fail($"activities.{descriptor.ProcessingActivity}.eventTypes", $"must list {descriptor.Type} (every catalogue type is covered)");
        }

        return errors;
    }

    private static bool IsPeriod(string? period) =>
        period is not null && PeriodSyntax().Match(period) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > 0;

    /// <summary>Adds an ISO 8601 period (validated) to a time.</summary>
    public static DateTimeOffset Add(DateTimeOffset time, string period)
    {
        var m = PeriodSyntax().Match(period);
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "D" => time.AddDays(n),
            "M" => time.AddMonths(n),
            _ => time.AddYears(n),
        };
    }

    // System.Text.Json's messages repeat the path and add hints; the first sentence says what is wrong.
    private static string FirstSentence(string message) =>
        message.IndexOf(". ", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;
}
