using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.Ingestion;

public sealed record EventOutcome(int Index, string? Id, string? Source, string Status, ProblemDetails? Problem = null);

public sealed record IngestResponse(int Stored, int Duplicates, int Rejected, IReadOnlyList<EventOutcome> Results);

/// <summary><c>POST /api/v1/events</c>: one CloudEvent or a batch, stored before the answer.</summary>
public static class PostEvents
{
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    public static async Task<IResult> Handle(HttpRequest request, ClaimsPrincipal user, GroupCommit store, CancellationToken ct)
    {
        string body;
        using (var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            try
            {
                body = await reader.ReadToEndAsync(ct);
            }
            catch (DecoderFallbackException)
            {
                return Problems.InvalidInput([new FieldError("$", "body is not UTF-8")]);
            }
        }

        var read = CloudEventReader.Read(request.ContentType, body);
        if (read.BodyError is { } bodyError)
        {
            return bodyError.Field == "content-type"
                ? Problems.UnsupportedMediaType(bodyError)
                : Problems.InvalidInput([bodyError]);
        }

        // An emitter speaks only as the NF instance and for the tenant its token names, event by event.
        var refused = new HashSet<int>();
        read = read with { Items = [.. read.Items.Select(i => AsTokenAllows(i, read.IsBatch, user, refused))] };
        if (!read.IsBatch && refused.Count > 0)
        {
            return Results.Problem(Refused(read.Items[0].Errors));
        }

        if (!read.IsBatch && !read.Items[0].IsValid)
        {
            return Problems.InvalidInput(read.Items[0].Errors);
        }

        var valid = read.Items.Where(i => i.IsValid).ToList();
        IReadOnlyList<AppendOutcome> appended;
        try
        {
            appended = valid.Count == 0 ? [] : await store.AppendAsync([.. valid.Select(i => i.Event!)], ct);
        }
        catch (Ngrtc.Audit.Protection.EpochAnonymisedException e)
        {
            // The request's events share one transaction, so none of them was stored; the emitter may resend the others.
            var field = read.IsBatch ? "[*].time" : "time";
            return Problems.InvalidInput([new FieldError(field, $"falls in pseudonym epoch {e.Epoch.Label}, which was anonymised (its pepper destroyed): events of that period can no longer be recorded; nothing of this request was stored")]);
        }

        var status = valid.Zip(appended, (item, outcome) => (item.Index, outcome.Status)).ToDictionary();

        var results = read.Items
            .Select(i => i.IsValid
                ? new EventOutcome(i.Index, i.Id, i.Source, status[i.Index] == AppendStatus.Stored ? "stored" : "duplicate")
                : new EventOutcome(i.Index, i.Id, i.Source, "rejected", refused.Contains(i.Index) ? Refused(i.Errors) : Problems.Describe(i.Errors)))
            .ToList();

        return Results.Json(
            new IngestResponse(
                results.Count(r => r.Status == "stored"),
                results.Count(r => r.Status == "duplicate"),
                results.Count(r => r.Status == "rejected"),
                results),
            statusCode: StatusCodes.Status202Accepted);
    }

    private static ReadItem AsTokenAllows(ReadItem item, bool isBatch, ClaimsPrincipal user, HashSet<int> refused)
    {
        if (item.Event is not { } e)
        {
            return item;
        }

        var prefix = isBatch ? $"[{item.Index}]." : "";
        var errors = new List<FieldError>(2);
        if (!string.Equals(e.Envelope.Source, user.FindFirst(AccessClaims.Source)?.Value, StringComparison.Ordinal))
        {
            errors.Add(new FieldError(prefix + "source", "is not the NF instance of the token (claim source)"));
        }

        if (!string.Equals(e.Envelope.Tenant, user.Tenant(), StringComparison.Ordinal))
        {
            errors.Add(new FieldError(prefix + "tenant", "is not the tenant of the token"));
        }

        if (errors.Count == 0)
        {
            return item;
        }

        refused.Add(item.Index);
        return item with { Event = null, Errors = errors };
    }

    private static ProblemDetails Refused(IReadOnlyList<FieldError> errors)
    {
        var problem = Authentication.Forbidden(string.Join("; ", errors), [.. errors]);
        return problem;
    }

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder app)
    {
        // No Accepts<> metadata: it would answer other media types with a bare 415 before Handle can name the field.
        app.MapPost("/api/v1/events", Handle)
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .RequireAuthorization(AccessPolicies.Ingest)
            .WithName("PostEvents")
            .WithSummary("Ingest one CloudEvent or a batch of them");
        return app;
    }
}
