using System.Security.Claims;
using Marten;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.DataSubjects;

/// <summary>The body of a re-identification: the identifier travels in the body, never in a URL (URLs get logged).</summary>
public sealed record RevealSubjectRequest(string? Kind, string? Identifier, string? CaseId, string? Justification)
{
    public override string ToString() => $"RevealSubjectRequest {{ Kind = {Kind}, CaseId = {CaseId} }}";
}

public sealed record RevealedSubject(string CaseId, IReadOnlyList<RevealedValue> Values) : ICountedResult
{
    int ICountedResult.Rows => Values.Count;
}

/// <summary>
/// <c>POST /api/v1/subjects/reveal</c>: the reidentifier decrypts one subject of its tenant, under a case id and a
/// stated justification (required; it goes into the <c>SubjectDataRevealed</c> receipt, as <c>subjects reveal</c>'s
/// <c>--purpose</c> does). The call is a read, recorded in the access log like a GET.
/// </summary>
public static class PostReveal
{
    public static async Task<IResult> Handle(
        RevealSubjectRequest request, ClaimsPrincipal user, FieldProtector protector, NpgsqlDataSource database, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<Ingestion.FieldError>();
        if (!Enum.TryParse<IdentifierKind>(request.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
        {
            errors.Add(new("kind", $"must be one of {string.Join(", ", Enum.GetNames<IdentifierKind>())}"));
        }

        if (string.IsNullOrWhiteSpace(request.Identifier))
        {
            errors.Add(new("identifier", "required"));
        }

        if (string.IsNullOrWhiteSpace(request.CaseId) || AccessAudit.PurposeProblem(request.CaseId.Trim()) is not null)
        {
            errors.Add(new("caseId", "required: the case or request id (printable ASCII, no '@' or '+')"));
        }

        if (request.Justification?.Trim() is not { Length: >= 10 } justification || AccessAudit.PurposeProblem(justification) is not null)
        {
            errors.Add(new("justification", "required: why this person must be re-identified (10 to 200 printable ASCII characters, no identifier)"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidInput(errors);
        }

        var values = await RevealSubjectHandler.Handle(
            new RevealSubject(user.Tenant()!, kind, request.Identifier!, request.CaseId!.Trim(), request.Justification!.Trim(), clock.GetUtcNow()),
            protector, database, store, ct);
        return Results.Ok(new RevealedSubject(request.CaseId.Trim(), values));
    }

    public static IEndpointRouteBuilder MapSubjects(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/subjects/reveal", Handle)
            .RequireAuthorization(AccessPolicies.Reidentify)
            .AuditedRead()
            .WithTags("Data subjects")
            .WithName("RevealSubject")
            .WithSummary("Re-identification: decrypt one subject's values, with a case id and a justification");
        return app;
    }
}
