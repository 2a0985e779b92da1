using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// The recurring (daily) full verification, in Hangfire: every tenant's log checked as <c>verify --db</c> does,
/// and the outcome recorded in the tenant's integrity receipts — <see cref="IntegrityVerified"/>, or the alert
/// <see cref="IntegrityViolationDetected"/> naming the first bad leaf or head.
/// </summary>
public sealed class VerificationJob(NpgsqlDataSource database, TreeHeadSigning signing, IDocumentStore store, TimeProvider clock, ILogger<VerificationJob> logger)
{
    public const string RecurringId = "integrity-verification";

    public async Task Run()
    {
        var at = clock.GetUtcNow();
        var results = await VerifyLog.RunAsync(database, signing.Verifier, CancellationToken.None);
        foreach (var result in results)
        {
            await store.AppendReceiptAsync(
                result.Tenant,
                IntegrityReceiptStreams.Verifications,
                result.Clean
                    ? new IntegrityVerified(result.Events, result.SealedSize, result.Heads, at)
                    : new IntegrityViolationDetected(result.Problem!, result.LeafIndex, result.EventId, at),
                CancellationToken.None);
            if (!result.Clean)
            {
                logger.LogError("Integrity verification FAILED for a tenant log: {Problem} at leaf index {LeafIndex}", result.Problem, result.LeafIndex);
            }
        }

        logger.LogInformation("Integrity verification of {Tenants} tenant logs: {Failed} failed", results.Count, results.Count(r => !r.Clean));
    }

    /// <summary><c>GET /api/v1/integrity/status?tenant=</c>: the tenant's last verification outcome.</summary>
    public static async Task<IResult> Status(string? tenant, IDocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var session = store.QuerySession(tenant);
        var events = await session.Events.FetchStreamAsync(IntegrityReceiptStreams.Verifications, token: ct);
        return events.LastOrDefault()?.Data switch
        {
            IntegrityVerified ok => Results.Ok(new { status = "verified", ok.Events, ok.SealedSize, ok.TreeHeads, ok.At }),
            IntegrityViolationDetected bad => Results.Ok(new { status = "tampered", bad.Problem, bad.LeafIndex, bad.EventId, bad.At }),
            _ => Problems.NotFound("No verification has run for this tenant yet."),
        };
    }
}
