using System.Text.RegularExpressions;
using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.LegalHolds;

/// <summary>
/// <c>POST /api/v1/legal-holds?tenant=…</c>. One of: <c>{"scope":"subject","subject":…,"subjectKind":…}</c> (an
/// identifier, pseudonymised here, or an epoch pseudonym <c>p1.…</c>), <c>{"scope":"enterprise","enterpriseId":…}</c>,
/// <c>{"scope":"case","caseId":…}</c> (a correlation id); always a <c>reason</c>.
/// </summary>
public sealed record PlaceLegalHoldRequest(
    string? Scope,
    string? Reason,
    string? Subject = null,
    string? SubjectKind = null,
    string? EnterpriseId = null,
    string? CaseId = null)
{
    // The subject may be an identifier: never printed.
    public override string ToString() => $"PlaceLegalHoldRequest {{ Scope = {Scope}, EnterpriseId = {EnterpriseId}, CaseId = {CaseId} }}";
}

/// <summary>A hold as the API shows it. Keys are pseudonyms (subject), an enterprise id or a case id — never an identifier.</summary>
public sealed record LegalHoldView(
    string HoldId,
    string Scope,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> Epochs,
    string Reason,
    DateTimeOffset PlacedAt,
    bool Active,
    DateTimeOffset? ReleasedAt,
    string? ReleaseReason)
{
    public static LegalHoldView From(LegalHold hold) => new(
        hold.HoldId,
        hold.Scope,
        hold.Keys,
        [.. hold.Keys.Select(k => Pseudonyms.TryReadEpoch(k, out var epoch) ? epoch!.Label : null).OfType<string>().Distinct().Order(StringComparer.Ordinal)],
        hold.Reason,
        hold.PlacedAt,
        hold.Active,
        hold.ReleasedAt,
        hold.ReleaseReason);
}

public static partial class PlaceLegalHold
{
    public const int MaxReasonLength = 500;

    /// <summary>
    /// Epochs covered beyond the current one: a hold placed near the end of an epoch also covers the next. Later
    /// epochs cannot be covered — the service keeps no identifier to compute their pseudonyms from.
    /// </summary>
    public const int FollowingEpochs = 1;

    /// <summary>What is wrong with the request, each error naming its field (never echoing a value); empty when it is valid.</summary>
    public static IReadOnlyList<FieldError> Validate(PlaceLegalHoldRequest? request)
    {
        if (request is null)
        {
            return [new FieldError("body", "a JSON object with scope and reason is required")];
        }

        var errors = new List<FieldError>();
        switch (request.Scope)
        {
            case LegalHoldScopes.Subject:
                if (string.IsNullOrWhiteSpace(request.Subject))
                {
                    errors.Add(new FieldError("subject", "required for scope subject: an identifier or an epoch pseudonym (p1.…)"));
                }
                else if (request.Subject.StartsWith(Pseudonyms.Version + ".", StringComparison.Ordinal) && !Pseudonyms.TryReadEpoch(request.Subject, out _))
                {
                    errors.Add(new FieldError("subject", "is not a well-formed pseudonym"));
                }

                if (request.SubjectKind is not null && !Enum.TryParse<IdentifierKind>(request.SubjectKind, ignoreCase: true, out _))
                {
                    errors.Add(new FieldError("subjectKind", $"must be one of {string.Join(", ", Enum.GetNames<IdentifierKind>())}"));
                }

                break;
            case LegalHoldScopes.Enterprise:
                if (string.IsNullOrWhiteSpace(request.EnterpriseId))
                {
                    errors.Add(new FieldError("enterpriseId", "required for scope enterprise"));
                }

                break;
            case LegalHoldScopes.Case:
                if (string.IsNullOrWhiteSpace(request.CaseId))
                {
                    errors.Add(new FieldError("caseId", "required for scope case: the correlation id of the events to hold"));
                }

                break;
            default:
                errors.Add(new FieldError("scope", $"must be one of {string.Join(", ", LegalHoldScopes.All)}"));
                break;
        }

        if (ValidateReason(request.Reason) is { } reasonError)
        {
            errors.Add(reasonError);
        }

        return errors;
    }

    /// <summary>
    /// A reason is required, at most <see cref="MaxReasonLength"/> characters, and goes into an event: it must not
    /// carry an identifier. Refused (best effort): an e-mail or SIP address (<c>@</c>), a <c>sip:</c>/<c>tel:</c> URI,
    /// an international number (<c>+</c> and digits) or a run of 7 or more digits.
    /// </summary>
    public static FieldError? ValidateReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? new FieldError("reason", "required: why the hold is placed or released")
        : reason.Length > MaxReasonLength ? new FieldError("reason", $"must be at most {MaxReasonLength} characters")
        : LooksLikeAnIdentifier().IsMatch(reason) ? new FieldError("reason", "must not carry personal data (an address, a number or a URI); refer to the case instead")
        : null;

    /// <summary>The decision: the hold's placement event. Pure.</summary>
    public static LegalHoldPlaced Decide(string holdId, string scope, IReadOnlyList<string> keys, string reason, DateTimeOffset now) =>
        new(holdId, scope, keys, reason.Trim(), now);

    public static string NewHoldId(DateTimeOffset now) => "lh-" + Guid.CreateVersion7(now).ToString("n");

    public static async Task<IResult> Handle(
        string? tenant,
        PlaceLegalHoldRequest? request,
        FieldProtector protector,
        NpgsqlDataSource database,
        IDocumentStore store,
        TimeProvider clock,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return Problems.InvalidInput(errors);
        }

        var now = clock.GetUtcNow();
        IReadOnlyList<string> keys = request!.Scope switch
        {
            LegalHoldScopes.Subject => await SubjectPseudonymsAsync(tenant, request, protector, database, now, ct),
            LegalHoldScopes.Enterprise => [request.EnterpriseId!.Trim()],
            _ => [request.CaseId!.Trim()],
        };

        var placed = Decide(NewHoldId(now), request.Scope!, keys, request.Reason!, now);
        await store.AppendReceiptAsync(tenant, LegalHoldStreams.For(placed.HoldId), placed, ct);
        await using var session = store.QuerySession(tenant);
        var hold = await session.LoadAsync<LegalHold>(LegalHoldStreams.For(placed.HoldId), ct);
        return Results.Created($"/api/v1/legal-holds/{placed.HoldId}?tenant={Uri.EscapeDataString(tenant)}", LegalHoldView.From(hold!));
    }

    /// <summary>
    /// A pseudonym is held as given (it belongs to one epoch: pseudonyms of other epochs cannot be linked to it). An
    /// identifier is pseudonymised in every epoch of the tenant whose pepper is live, the current and the next
    /// (<see cref="FollowingEpochs"/>) included; anonymised epochs have no pseudonyms to compute.
    /// </summary>
    private static async Task<IReadOnlyList<string>> SubjectPseudonymsAsync(
        string tenant, PlaceLegalHoldRequest request, FieldProtector protector, NpgsqlDataSource database, DateTimeOffset now, CancellationToken ct)
    {
        var subject = request.Subject!.Trim();
        if (subject.StartsWith(Pseudonyms.Version + ".", StringComparison.Ordinal))
        {
            return [subject];
        }

        var kind = request.SubjectKind is null ? IdentifierKind.PublicUserIdentity : Enum.Parse<IdentifierKind>(request.SubjectKind, ignoreCase: true);
        var epochs = new SortedSet<string>(StringComparer.Ordinal);
        await using (var live = database.CreateCommand(
            $"select epoch from {AuditStore.Schema}.pseudonym_peppers where tenant_id = $1 and destroyed_at is null"))
        {
            live.Parameters.AddWithValue(tenant);
            await using var reader = await live.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                epochs.Add(reader.GetString(0));
            }
        }

        var window = protector.Epochs.WindowOf(now);
        epochs.Add(window.Epoch.Label);
        for (var i = 0; i < FollowingEpochs; i++)
        {
            window = protector.Epochs.WindowOf(window.End);
            epochs.Add(window.Epoch.Label);
        }

        var pseudonyms = new List<string>(epochs.Count);
        foreach (var epoch in epochs)
        {
            try
            {
                pseudonyms.Add(await protector.PseudonymAsync(tenant, new Epoch(epoch), kind, subject, ct));
            }
            catch (EpochAnonymisedException)
            {
                // Anonymised since it was read: nothing of the person can be found in it any more.
            }
        }

        return pseudonyms;
    }

    [GeneratedRegex(@"@|\b(sips?|tel):|\+\s?\d|\d{7,}", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeAnIdentifier();
}
