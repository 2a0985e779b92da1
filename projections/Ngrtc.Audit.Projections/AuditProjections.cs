using JasperFx.Events.Projections;
using Marten;

namespace Ngrtc.Audit.Projections;

/// <summary>Every projection, registered in one place with its lifecycle.</summary>
public static class AuditProjections
{
    public static void AddAuditProjections(this StoreOptions options)
    {
        // Inline: the register is consistent with the store the moment an ingestion transaction commits.
        options.Projections.Add<ExposureRegisterProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ExposureRecipientSubjectProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<ExposureRecipientSubject>().Index(x => x.RecipientId);
    }
}
