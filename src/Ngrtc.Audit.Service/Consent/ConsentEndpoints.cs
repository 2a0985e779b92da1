using Marten;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Policy;

namespace Ngrtc.Audit.Service.Consent;

/// <summary>What a decision asks: the subject as a pseudonym or as an identifier (pseudonymised on the way in, never stored or echoed).</summary>
public sealed record ConsentQuestion(string? Tenant, string? Subject, string? Purpose, string? Recipient, DateTimeOffset? At);

/// <summary>
/// The decision point's answer. <see cref="StatusValidForProcessing"/> as CAMARA Consent Info names it; the subject
/// only ever as its pseudonym in the epoch of <see cref="At"/>.
/// </summary>
public sealed record ConsentDecision(
    string Tenant,
    string? Subject,
    string SubjectGivenAs,
    string Purpose,
    string Recipient,
    DateTimeOffset At,
    string Decision,
    bool StatusValidForProcessing,
    string Reason,
    string? LegalBasis,
    string PolicyVersion,
    IReadOnlyList<string> EpochsSearched,
    ConsentRecord? Record);

public sealed record ConsentRow(string Purpose, string Recipient, string State, string Reason, ConsentRecord? DecidedBy, IReadOnlyList<ConsentRecord> History);

public sealed record ConsentSubjectHistory(string Tenant, string SubjectPseudonym, DateTimeOffset At, IReadOnlyList<ConsentRow> Consents) : ICountedResult
{
    public int Rows => Consents.Count;
}

/// <summary>
/// <c>GET|POST /api/v1/consent/decision</c> and <c>GET /api/v1/consent/subjects/{pseudonym}</c>: the consent
/// ledger as a policy decision point, and one pseudonym's consents with their history.
/// </summary>
public static class ConsentEndpoints
{
    public const string GivenAsPseudonym = "pseudonym";
    public const string GivenAsIdentifier = "identifier";

    public static Task<IResult> DecideFromQuery(string? tenant, string? subject, string? purpose, string? recipient, string? at, HttpContext context, IDocumentStore store, FieldProtector protector, ConsentChecks checks, PolicyRegistry policy, TimeProvider time, CancellationToken ct)
    {
        DateTimeOffset? when = null;
        if (at is not null)
        {
            if (!DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed))
            {
                return Task.FromResult(Problems.InvalidParameter("at", "must be an RFC 3339 date-time"));
            }

            when = parsed;
        }

        return Decide(new ConsentQuestion(tenant, subject, purpose, recipient, when), context.User, store, protector, checks, policy, time, ct);
    }

    /// <summary>The same question in a JSON body: identifiers stay out of URLs (and so out of proxies' and servers' request logs).</summary>
    /// <remarks>The body's <c>tenant</c> is optional: the token's decides, and another one is refused (403 naming <c>tenant</c>).</remarks>
    public static Task<IResult> DecideFromBody(ConsentQuestion question, HttpContext context, IDocumentStore store, FieldProtector protector, ConsentChecks checks, PolicyRegistry policy, TimeProvider time, CancellationToken ct)
    {
        var own = context.User.Tenant();
        if (question.Tenant is { Length: > 0 } asked && own is not null && asked != own)
        {
            return Task.FromResult(Results.Problem(Authentication.Forbidden(
                "The token may only read its own tenant.", new FieldError("tenant", "not the token's tenant"))));
        }

        return Decide(question with { Tenant = question.Tenant is { Length: > 0 } ? question.Tenant : own }, context.User, store, protector, checks, policy, time, ct);
    }

    /// <remarks>
    /// A subject by identifier is taken only from an emitter granted <see cref="AccessScopes.ConsentDecide"/>: it holds the
    /// identifier anyway. Anyone else (privacy officers, admins) asks by pseudonym: the answer names the pseudonym of the
    /// epoch asked about, so taking identifiers from them would be a way to re-identify without the reidentifier role.
    /// </remarks>
    public static async Task<IResult> Decide(ConsentQuestion q, System.Security.Claims.ClaimsPrincipal caller, IDocumentStore store, FieldProtector protector, ConsentChecks checks, PolicyRegistry policy, TimeProvider time, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        foreach (var (name, value) in new[] { ("tenant", q.Tenant), ("subject", q.Subject), ("purpose", q.Purpose), ("recipient", q.Recipient) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(new FieldError(name, "required"));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidInput(errors);
        }

        if (!IsPseudonym(q.Subject!) && !caller.MayDecideByIdentifier())
        {
            return Results.Problem(Authentication.Forbidden(
                $"Only an emitter granted the {AccessScopes.ConsentDecide} scope may name a subject by identifier; give the subject's pseudonym.",
                new FieldError("subject", "an identifier is not accepted from this token")));
        }

        var tenant = q.Tenant!;
        var at = q.At ?? time.GetUtcNow();
        var current = policy.Current;
        await using var session = store.QuerySession(tenant);

        HashSet<string> people;
        string? subject;
        string givenAs;
        List<string> searched;
        if (IsPseudonym(q.Subject!))
        {
            // A pseudonym links to nothing outside its epoch: the decision searches that epoch only.
            givenAs = GivenAsPseudonym;
            subject = q.Subject!;
            people = [subject];
            searched = [ConsentEpochs.EpochOf(subject)!];
        }
        else
        {
            givenAs = GivenAsIdentifier;
            var kind = IdentifierKinds.ForCategory(PersonalDataCategories.Impu);
            var atEpoch = protector.Epochs.EpochOf(at).Label;
            var known = (await session.LoadAsync<ConsentEpochs>(ConsentEpochs.TheId, ct))?.Epochs ?? [];
            searched = [.. known.Where(e => string.CompareOrdinal(e, atEpoch) <= 0).TakeLast(current.Policy.Consent.LookbackEpochs)];
            if (!searched.Contains(atEpoch))
            {
                searched.Add(atEpoch);
            }

            people = await checks.PseudonymsAsync(tenant, null, searched, kind, q.Subject!, ct);
            subject = await TryPseudonymAsync(protector, tenant, atEpoch, kind, q.Subject!, ct);
        }

        var ids = people.SelectMany(p => new[] { ConsentLedger.IdFor(p, q.Purpose!, q.Recipient), ConsentLedger.IdFor(p, q.Purpose!, null) }).Distinct().ToArray();
        var ledgers = await session.LoadManyAsync<ConsentLedger>(ct, ids);
        var verdict = ConsentDecisions.Decide(ledgers.SelectMany(l => l.History), q.Recipient!, at);
        return Results.Ok(new ConsentDecision(
            tenant,
            subject,
            givenAs,
            q.Purpose!,
            q.Recipient!,
            at,
            verdict.Allowed ? "allowed" : "denied",
            verdict.Allowed,
            verdict.Reason,
            verdict.Allowed ? "consent" : null,
            current.Version,
            searched,
            verdict.DecidedBy));
    }

    public static async Task<IResult> Subject(string pseudonym, string? tenant, IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        if (!IsPseudonym(pseudonym))
        {
            // Never an identifier in a path: ask the decision point (POST) with it instead.
            return Problems.InvalidParameter("pseudonym", "must be a pseudonym (p1.<epoch>.<mac>)");
        }

        var now = time.GetUtcNow();
        await using var session = store.QuerySession(tenant);
        var rows = await session.Query<ConsentLedger>().Where(l => l.SubjectPseudonym == pseudonym).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return Problems.NotFound("No consent of this pseudonym is recorded for this tenant.");
        }

        var consents = rows
            .OrderBy(r => r.Purpose, StringComparer.Ordinal).ThenBy(r => r.Recipient ?? "", StringComparer.Ordinal)
            .Select(r =>
            {
                var recipient = r.Recipient ?? ConsentLedger.AnyRecipient;
                var verdict = ConsentDecisions.Decide(r.History, recipient, now);
                var state = verdict.Allowed ? "active" : verdict.Reason switch
                {
                    ConsentVerdict.Expired => "expired",
                    ConsentVerdict.WithdrawnReason => "withdrawn",
                    _ => "none",
                };
                return new ConsentRow(r.Purpose, recipient, state, verdict.Reason, verdict.DecidedBy, r.History);
            })
            .ToList();
        return Results.Ok(new ConsentSubjectHistory(tenant, pseudonym, now, consents));
    }

    public static bool IsPseudonym(string value) =>
        value.StartsWith(Pseudonyms.Version + ".", StringComparison.Ordinal) && Pseudonyms.TryReadEpoch(value, out _);

    private static async Task<string?> TryPseudonymAsync(FieldProtector protector, string tenant, string epoch, IdentifierKind kind, string value, CancellationToken ct)
    {
        try
        {
            return await protector.PseudonymAsync(tenant, new Epoch(epoch), kind, value, ct);
        }
        catch (EpochAnonymisedException)
        {
            return null;
        }
    }

    public static IEndpointRouteBuilder MapConsent(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/consent").WithTags("Consent");
        group.MapGet("/decision", DecideFromQuery).WithName("GetConsentDecision").WithSummary("May this subject's data be processed for this purpose and recipient?").RequireAuthorization(AccessPolicies.ConsentDecision);
        group.MapPost("/decision", DecideFromBody).WithName("PostConsentDecision").WithSummary("The same, the question in a JSON body").RequireAuthorization(AccessPolicies.ConsentDecision);
        group.MapGet("/subjects/{pseudonym}", Subject).WithName("GetConsentSubject").WithSummary("One pseudonym's consents: state and history").RequireAuthorization(AccessPolicies.PrivacyRead);
        return app;
    }
}
