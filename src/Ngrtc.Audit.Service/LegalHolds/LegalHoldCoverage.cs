using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.LegalHolds;

/// <summary>
/// Which stored events an active hold covers, as SQL over <c>mt_events</c> (alias given) — one definition for the
/// retention sweep (which skips covered events) and the retention schedule (which lists their holds):
/// a subject hold covers events with one of its pseudonyms anywhere among their pseudonyms; an enterprise hold,
/// events naming the enterprise (<c>enterpriseId</c>) or whose call the identity register attributed to it; a case
/// hold, events whose correlation id is the case id.
/// </summary>
public static class LegalHoldCoverage
{
    /// <summary>Marten's table of the <see cref="LegalHold"/> read model (default naming, schema of the store).</summary>
    public const string HoldsTable = AuditStore.Schema + ".mt_doc_legalhold";

    private static string ActiveHoldMatching(string e) =>
        $"""
        from {HoldsTable} h
        where h.tenant_id = {e}.tenant_id and h.data->>'releasedAt' is null and (
          (h.data->>'scope' = '{LegalHoldScopes.Case}' and jsonb_exists(h.data->'keys', coalesce({e}.data->'envelope'->>'correlationId', '')))
          or (h.data->>'scope' = '{LegalHoldScopes.Subject}'
              and exists (select 1 from jsonb_each_text({e}.data->'pseudonyms') p where jsonb_exists(h.data->'keys', p.value)))
          or (h.data->>'scope' = '{LegalHoldScopes.Enterprise}'
              and (jsonb_exists(h.data->'keys', coalesce({e}.data->'data'->>'enterpriseId', ''))
                   or exists (select 1 from {IdentityRegister.CallsTable} k
                              where k.tenant_id = {e}.tenant_id and k.correlation_id = {e}.data->'envelope'->>'correlationId'
                                and jsonb_exists(h.data->'keys', k.enterprise_id)))))
        """;

    /// <summary>True when an active hold covers the event row <paramref name="e"/>.</summary>
    public static string Covers(string e) => $"exists (select 1 {ActiveHoldMatching(e)})";

    /// <summary>The ids of the active holds that cover the event row <paramref name="e"/>, as a text array.</summary>
    public static string HoldIds(string e) => $"array(select h.data->>'holdId' {ActiveHoldMatching(e)} order by 1)";
}
