using JasperFx.Events.Projections;
using Marten;

namespace Ngrtc.Audit.Projections;

/// <summary>Every projection, registered in one place with its lifecycle.</summary>
public static class AuditProjections
{
    public static void AddAuditProjections(this StoreOptions options)
    {
        // Async, not inline: ingestion commits in concurrent transactions (group commit, several nodes), and
        // an inline aggregate shared by many streams would lose updates between them. The daemon applies
        // events in store order, one node at a time (HotCold), so every count is exact.
        options.Projections.Add<ExposureRegisterProjection>(ProjectionLifecycle.Async);
        options.Projections.Add<ExposureRecipientSubjectProjection>(ProjectionLifecycle.Async);
        options.Schema.For<ExposureRecipientSubject>().Index(x => x.RecipientId);
    }
}
