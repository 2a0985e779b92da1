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

    public static async Task<IResult> Handle(HttpRequest request, GroupCommit store, CancellationToken ct)
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

        if (!read.IsBatch && !read.Items[0].IsValid)
        {
            return Problems.InvalidInput(read.Items[0].Errors);
        }

        var valid = read.Items.Where(i => i.IsValid).ToList();
        var appended = valid.Count == 0 ? [] : await store.AppendAsync([.. valid.Select(i => i.Event!)], ct);
        var status = valid.Zip(appended, (item, outcome) => (item.Index, outcome.Status)).ToDictionary();

        var results = read.Items
            .Select(i => i.IsValid
                ? new EventOutcome(i.Index, i.Id, i.Source, status[i.Index] == AppendStatus.Stored ? "stored" : "duplicate")
                : new EventOutcome(i.Index, i.Id, i.Source, "rejected", Problems.Describe(i.Errors)))
            .ToList();

        return Results.Json(
            new IngestResponse(
                results.Count(r => r.Status == "stored"),
                results.Count(r => r.Status == "duplicate"),
                results.Count(r => r.Status == "rejected"),
                results),
            statusCode: StatusCodes.Status202Accepted);
    }

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder app)
    {
        // No Accepts<> metadata: it would answer other media types with a bare 415 before Handle can name the field.
        app.MapPost("/api/v1/events", Handle)
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithName("PostEvents")
            .WithSummary("Ingest one CloudEvent or a batch of them");
        return app;
    }
}
