namespace Ngrtc.Audit.Protection;

/// <summary>How many keys a rewrap moved to the tenant's current KEK.</summary>
public sealed record RewrapSummary(string Tenant, string KekId, int SubjectKeys, int PeppersAndIndexKeys);

/// <summary>
/// KEK rotation: after a new KEK is made current, rewraps every live data key, pepper and the subject-index key of
/// the tenant under it. Events are not touched (they name key ids, not KEKs). Once it returns, no live key of the
/// tenant depends on an older KEK, which may then be retired. Safe to rerun, and to run while ingestion goes on
/// (new keys are created under the current KEK; each row is rewrapped only if its KEK is still the one read).
/// </summary>
public sealed class KeyRotation(IKeyEncryptionKeyProvider keks, ISubjectKeyStore keys, IPepperStore peppers)
{
    /// <summary>Requires 0 &lt; <paramref name="pageSize"/>.</summary>
    public async Task<RewrapSummary> RewrapAsync(string tenant, int pageSize = 1000, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var current = keks.CurrentKekId(tenant);
        var subjectKeys = 0;
        while (true)
        {
            var page = await keys.ListWrappedUnderOtherKekAsync(tenant, current, pageSize, ct);
            if (page.Count == 0)
            {
                break;
            }

            var moved = await keys.RewrapAsync(tenant, page, current, ct);
            if (moved == 0)
            {
                // Rows listed but none rewrapped: every one changed under us (destroyed, or another rotation). Rerun.
                throw new InvalidOperationException($"Rewrapping the keys of tenant {tenant} made no progress; run it again once no other rotation runs.");
            }

            subjectKeys += moved;
        }

        var others = await peppers.RewrapAsync(tenant, current, ct);
        return new RewrapSummary(tenant, current, subjectKeys, others);
    }
}
