using JasperFx.Events.Projections;
using Marten;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>Every projection, registered in one place with its lifecycle.</summary>
public static class AuditProjections
{
    public static void AddAuditProjections(this StoreOptions options)
    {
        // Inline: applied in the ingestion transaction, to the events in memory (nothing read back from the
        // store). An aggregate shared by many streams would lose updates between concurrent transactions,
        // but every ingestion transaction holds its tenant's log lock (AuditAppender) from before it reads
        // an aggregate until it commits, and every aggregate belongs to one tenant, so each count is exact.
        // (Async, the daemon read every event back and deserialised it: a third of the service's CPU.)
        options.Projections.Add<ExposureRegisterProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ExposureRecipientSubjectProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<ExposureRecipientSubject>().Index(x => x.RecipientId);

        // Consent (issue 6): the ledger and the epochs it spans, violations, what each processing activity showed.
        // Inline for the same reason; the ingestion transaction's consent checks read the ledger under that lock.
        options.Projections.Add<ConsentLedgerProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ConsentEpochsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ConsentViolationProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ProcessingObservedProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<ConsentLedger>().Index(x => x.SubjectPseudonym);
        options.Schema.For<ConsentViolation>().Index(x => x.SubjectPseudonym).Index(x => x.CallTime);

        // The registers (exposure, identity, avatars) as per-day counters; see RegisterCountsProjection.
        options.Projections.Add(new RegisterCountsProjection(), ProjectionLifecycle.Inline);
        options.Storage.ExtendedSchemaObjects.AddRange(RegisterCountsProjection.Tables());

        // Legal holds: the retention sweep and schedule read the active ones in the same SQL as the events.
        options.Events.AddEventType<LegalHoldPlaced>();
        options.Events.AddEventType<LegalHoldReleased>();
        options.Projections.Add<LegalHoldProjection>(ProjectionLifecycle.Inline);
    }
}
