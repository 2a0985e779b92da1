using Marten;
using Microsoft.AspNetCore.Mvc;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.LegalHolds;

/// <summary><c>DELETE /api/v1/legal-holds/{holdId}?tenant=…</c> with <c>{"reason":…}</c>: the hold stops covering anything.</summary>
public sealed record ReleaseLegalHoldRequest(string? Reason);

public static class ReleaseLegalHold
{
    public const string ConflictType = "urn:ngrtc:audit:problem:conflict";

    /// <summary>The decision: the release event, or why not. Pure.</summary>
    public static (LegalHoldReleased? Released, IResult? Refusal) Decide(LegalHold? hold, ReleaseLegalHoldRequest? request, DateTimeOffset now)
    {
        if (hold is null)
        {
            return (null, Problems.NotFound("No legal hold with this id in this tenant."));
        }

        if (PlaceLegalHold.ValidateReason(request?.Reason) is { } error)
        {
            return (null, Problems.InvalidInput([error]));
        }

        if (!hold.Active)
        {
            return (null, Results.Problem(new ProblemDetails
            {
                Type = ConflictType,
                Title = "Already released",
                Status = StatusCodes.Status409Conflict,
                Detail = "This legal hold was released before.",
            }));
        }

        return (new LegalHoldReleased(hold.HoldId, request!.Reason!.Trim(), now), null);
    }

    public static async Task<IResult> Handle(
        string holdId,
        string? tenant,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReleaseLegalHoldRequest? request,
        IDocumentStore store,
        TimeProvider clock,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var session = store.QuerySession(tenant);
        var hold = await session.LoadAsync<LegalHold>(LegalHoldStreams.For(holdId), ct);
        var (released, refusal) = Decide(hold, request, clock.GetUtcNow());
        if (released is null)
        {
            return refusal!;
        }

        await store.AppendReceiptAsync(tenant, LegalHoldStreams.For(holdId), released, ct);
        hold!.ReleasedAt = released.At;
        hold.ReleaseReason = released.Reason;
        return Results.Ok(LegalHoldView.From(hold));
    }
}
